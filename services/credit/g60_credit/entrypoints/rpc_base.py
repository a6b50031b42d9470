"""What every credit RPC mixin needs: a unit-of-work factory and the party directory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from g60_credit.domain.calendar import business_date
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork, PartyDirectory


class RpcBase:
    def __init__(
        self, uow_factory: Callable[[], CreditUnitOfWork], directory: PartyDirectory
    ) -> None:
        self._uow = uow_factory
        self._directory = directory

    def _today(self) -> date:
        """The Shanghai business date an answer's days past due count to (the units of
        work share the service's clock)."""
        return business_date(self._uow().now())
