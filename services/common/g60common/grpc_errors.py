"""Rich gRPC error statuses (google.rpc.Status with details)."""

from __future__ import annotations

from collections.abc import Mapping

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status


class FieldViolations(Exception):
    """One or more request fields are invalid; maps to INVALID_ARGUMENT + BadRequest."""

    def __init__(self, violations: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{f}: {d}" for f, d in violations.items()))
        self.violations = dict(violations)


def bad_request_status(violations: Mapping[str, str]) -> grpc.Status:
    detail = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
            for f, d in violations.items()
        ]
    )
    return _status(code_pb2.INVALID_ARGUMENT, "invalid request: " + _summary(violations), detail)


def error_info_status(code: int, message: str, reason: str) -> grpc.Status:
    detail = error_details_pb2.ErrorInfo(reason=reason, domain="g60.alliance")
    return _status(code, message, detail)


def _status(
    code: int, message: str, detail: error_details_pb2.BadRequest | error_details_pb2.ErrorInfo
) -> grpc.Status:
    packed = any_pb2.Any()
    packed.Pack(detail)
    return rpc_status.to_status(status_pb2.Status(code=code, message=message, details=[packed]))


def _summary(violations: Mapping[str, str]) -> str:
    return "; ".join(f"{f}: {d}" for f, d in violations.items())


def field_violations_of(error: grpc.aio.AioRpcError | grpc.RpcError) -> dict[str, str]:
    """Client side: read BadRequest field violations from a failed call."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    if status is None:
        return {}
    found: dict[str, str] = {}
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            found.update({v.field: v.description for v in bad.field_violations})
    return found


def error_reason_of(error: grpc.aio.AioRpcError | grpc.RpcError) -> str:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    if status is None:
        return ""
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return str(info.reason)
    return ""
