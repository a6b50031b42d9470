-- Shared by every service that publishes events. Applied with CREATE ... IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS outbox (
    outbox_id         BIGSERIAL PRIMARY KEY,
    event_id          UUID NOT NULL UNIQUE,
    topic             TEXT NOT NULL,
    message_key       TEXT NOT NULL,
    aggregate_type    TEXT NOT NULL,
    aggregate_id      TEXT NOT NULL,
    aggregate_version BIGINT NOT NULL CHECK (aggregate_version >= 1),
    event_type        TEXT NOT NULL,
    envelope          BYTEA NOT NULL,
    correlation_id    TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    relay_batch       BIGINT,
    published_at      TIMESTAMPTZ,
    UNIQUE (aggregate_type, aggregate_id, aggregate_version)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (outbox_id) WHERE published_at IS NULL;

-- One row per relay: the next batch number it will hand out.
CREATE TABLE IF NOT EXISTS outbox_relay_state (
    relay_name  TEXT PRIMARY KEY,
    next_batch  BIGINT NOT NULL
);
