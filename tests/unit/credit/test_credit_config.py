"""Credit settings: where the outbox relay runs, and how often it starts a batch."""

from __future__ import annotations

import pytest
from g60_credit.config import CreditSettings
from g60common.config import ConfigError


def test_the_relay_runs_in_the_service_process_by_default() -> None:
    settings = CreditSettings.from_env({})
    assert settings.relay_in_process
    assert settings.relay.relay_name == "credit"
    assert settings.relay.min_batch_interval_s == 0.25


def test_a_separate_relay_process_takes_the_relay_out_of_the_service() -> None:
    env = {"G60_CREDIT_OUTBOX_RELAY": "separate", "G60_CREDIT_OUTBOX_BATCH_INTERVAL_S": "0.5"}
    settings = CreditSettings.from_env(env)
    assert not settings.relay_in_process
    assert settings.relay.min_batch_interval_s == 0.5


def test_an_unknown_relay_mode_is_refused_at_startup() -> None:
    with pytest.raises(ConfigError, match="G60_CREDIT_OUTBOX_RELAY"):
        CreditSettings.from_env({"G60_CREDIT_OUTBOX_RELAY": "sidecar"})
