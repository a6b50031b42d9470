from __future__ import annotations

import pytest

from tests.integration.credit.helpers import CreditWorld

pytestmark = pytest.mark.integration


async def test_register_apply_approve_draw(world: CreditWorld) -> None:
    bank = await world.member()
    ent = await world.enterprise()
    line = await world.line(bank, ent)
    app = await world.approved_application(bank, ent, line.credit_line_id, 500_000)
    assert app.status == "APPROVED"
    moved = await world.draw(bank, app.application_id, 100_000)
    assert moved.credit_line.utilized_fen == 100_000
    assert moved.credit_line.available_fen == 900_000
    assert moved.application.status == "DISBURSED"
