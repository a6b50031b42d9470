from g60.members.v1 import members_pb2 as _members_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MemberRegistered(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: _members_pb2.Member
    def __init__(self, member: _Optional[_Union[_members_pb2.Member, _Mapping]] = ...) -> None: ...

class MemberUpdated(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: _members_pb2.Member
    def __init__(self, member: _Optional[_Union[_members_pb2.Member, _Mapping]] = ...) -> None: ...

class MemberSuspended(_message.Message):
    __slots__ = ("member", "reason")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    member: _members_pb2.Member
    reason: str
    def __init__(self, member: _Optional[_Union[_members_pb2.Member, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class MemberReinstated(_message.Message):
    __slots__ = ("member", "reason")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    member: _members_pb2.Member
    reason: str
    def __init__(self, member: _Optional[_Union[_members_pb2.Member, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class MemberWithdrawn(_message.Message):
    __slots__ = ("member", "reason")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    member: _members_pb2.Member
    reason: str
    def __init__(self, member: _Optional[_Union[_members_pb2.Member, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class EnterpriseRegistered(_message.Message):
    __slots__ = ("enterprise",)
    ENTERPRISE_FIELD_NUMBER: _ClassVar[int]
    enterprise: _members_pb2.Enterprise
    def __init__(self, enterprise: _Optional[_Union[_members_pb2.Enterprise, _Mapping]] = ...) -> None: ...

class EnterpriseUpdated(_message.Message):
    __slots__ = ("enterprise",)
    ENTERPRISE_FIELD_NUMBER: _ClassVar[int]
    enterprise: _members_pb2.Enterprise
    def __init__(self, enterprise: _Optional[_Union[_members_pb2.Enterprise, _Mapping]] = ...) -> None: ...

class EnterpriseVerified(_message.Message):
    __slots__ = ("enterprise", "reason")
    ENTERPRISE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    enterprise: _members_pb2.Enterprise
    reason: str
    def __init__(self, enterprise: _Optional[_Union[_members_pb2.Enterprise, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class EnterpriseRejected(_message.Message):
    __slots__ = ("enterprise", "reason")
    ENTERPRISE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    enterprise: _members_pb2.Enterprise
    reason: str
    def __init__(self, enterprise: _Optional[_Union[_members_pb2.Enterprise, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class EnterpriseDeregistered(_message.Message):
    __slots__ = ("enterprise", "reason")
    ENTERPRISE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    enterprise: _members_pb2.Enterprise
    reason: str
    def __init__(self, enterprise: _Optional[_Union[_members_pb2.Enterprise, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...
