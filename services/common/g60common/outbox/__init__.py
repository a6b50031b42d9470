"""Transactional outbox: events are written with the state change, then relayed to Kafka."""
