"""gRPC entrypoint of the credit service: proto -> command, domain error -> status.

Every mutating RPC needs a request_id, idempotent per caller (same id and content:
the original response; other content: INVALID_ARGUMENT, nothing written). The RPCs
live in mixins (credit lines, financing, guarantor reads) sharing the unit-of-work
factory.
"""

from __future__ import annotations

from g60.credit.v1 import credit_pb2_grpc

from g60_credit.entrypoints.credit_line_rpcs import CreditLineRpcs
from g60_credit.entrypoints.financing_rpcs import FinancingRpcs
from g60_credit.entrypoints.guarantor_rpcs import GuarantorRpcs


class CreditServicer(
    CreditLineRpcs, FinancingRpcs, GuarantorRpcs, credit_pb2_grpc.CreditServiceServicer
):
    """The generated base supplies UNIMPLEMENTED for anything no mixin defines."""
