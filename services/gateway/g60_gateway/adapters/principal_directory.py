"""Whether a principal a key is to be issued for exists: asked of the members service,
which owns member institutions and enterprises."""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from g60.members.v1 import members_pb2, members_pb2_grpc

from g60_gateway.domain.principals import (
    PrincipalType,
    UnknownPrincipal,
    check_may_hold_key,
    is_member_key,
)

Metadata = Sequence[tuple[str, str]]


async def check_principal(
    members: members_pb2_grpc.MembersServiceStub,
    principal_type: PrincipalType,
    principal_id: str,
    metadata: Metadata,
    timeout_s: float,
) -> None:
    """Raises UnknownPrincipal (no such member or enterprise, or a member of another type
    than the key is for) or PrincipalClosed; any other failure of the call propagates as the gRPC
    error. `principal_id` is canonical already. Operators need no record."""
    try:
        if is_member_key(principal_type):
            member = await members.GetMember(
                members_pb2.GetMemberRequest(member_id=principal_id),
                metadata=metadata,
                timeout=timeout_s,
            )
            check_may_hold_key(principal_type, member.institution_type, member.status)
        elif principal_type is PrincipalType.ENTERPRISE:
            enterprise = await members.GetEnterprise(
                members_pb2.GetEnterpriseRequest(enterprise_id=principal_id),
                metadata=metadata,
                timeout=timeout_s,
            )
            check_may_hold_key(principal_type, "", enterprise.status)
    except grpc.aio.AioRpcError as error:
        if error.code() is grpc.StatusCode.NOT_FOUND:
            raise UnknownPrincipal(f"no {principal_type.value} has this id") from None
        raise
