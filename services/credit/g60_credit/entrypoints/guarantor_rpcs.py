"""Guarantor capacity reads. (Setting a capacity is the office's, with the money RPCs.)"""

from __future__ import annotations

import grpc
from g60.credit.v1 import credit_pb2
from g60common.ids import normalized_id

from g60_credit.adapters.proto_codec import capacity_to_proto
from g60_credit.entrypoints.rpc_base import RpcBase
from g60_credit.entrypoints.status_mapping import caller_of, run_rpc
from g60_credit.service_layer import guarantor_handlers

# Every caller may ask; who gets an answer is the handler's rule (NOT_FOUND otherwise).
CAPACITY_READERS = ("operator", "guarantor", "bank", "enterprise")


class GuarantorRpcs(RpcBase):
    async def GetGuarantorCapacity(
        self, request: credit_pb2.GetGuarantorCapacityRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.GuarantorCapacity:
        """A read: no request id. NOT_FOUND for a capacity never set, or one the caller
        may not read."""
        caller_type, caller_id = await caller_of(context, *CAPACITY_READERS)
        guarantor_id = normalized_id(request.guarantor_id)
        capacity = await run_rpc(
            context,
            lambda: guarantor_handlers.get_guarantor_capacity(
                caller_type, caller_id, guarantor_id, self._uow()
            ),
        )
        return capacity_to_proto(capacity)
