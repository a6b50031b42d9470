import datetime

from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Member(_message.Message):
    __slots__ = ("member_id", "name", "short_name", "institution_type", "home_city", "uscc", "contact", "status", "joined_at", "version")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SHORT_NAME_FIELD_NUMBER: _ClassVar[int]
    INSTITUTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    HOME_CITY_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    JOINED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    name: str
    short_name: str
    institution_type: str
    home_city: str
    uscc: str
    contact: str
    status: str
    joined_at: _timestamp_pb2.Timestamp
    version: int
    def __init__(self, member_id: _Optional[str] = ..., name: _Optional[str] = ..., short_name: _Optional[str] = ..., institution_type: _Optional[str] = ..., home_city: _Optional[str] = ..., uscc: _Optional[str] = ..., contact: _Optional[str] = ..., status: _Optional[str] = ..., joined_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class Enterprise(_message.Message):
    __slots__ = ("enterprise_id", "name", "uscc", "city", "region_code", "industry", "industry_code", "size_class", "designations", "registered_capital_fen", "status", "version", "contact")
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    REGION_CODE_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    SIZE_CLASS_FIELD_NUMBER: _ClassVar[int]
    DESIGNATIONS_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_CAPITAL_FEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    enterprise_id: str
    name: str
    uscc: str
    city: str
    region_code: str
    industry: str
    industry_code: str
    size_class: str
    designations: _containers.RepeatedScalarFieldContainer[str]
    registered_capital_fen: int
    status: str
    version: int
    contact: str
    def __init__(self, enterprise_id: _Optional[str] = ..., name: _Optional[str] = ..., uscc: _Optional[str] = ..., city: _Optional[str] = ..., region_code: _Optional[str] = ..., industry: _Optional[str] = ..., industry_code: _Optional[str] = ..., size_class: _Optional[str] = ..., designations: _Optional[_Iterable[str]] = ..., registered_capital_fen: _Optional[int] = ..., status: _Optional[str] = ..., version: _Optional[int] = ..., contact: _Optional[str] = ...) -> None: ...

class RegisterMemberRequest(_message.Message):
    __slots__ = ("request_id", "name", "short_name", "institution_type", "home_city", "uscc", "contact")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SHORT_NAME_FIELD_NUMBER: _ClassVar[int]
    INSTITUTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    HOME_CITY_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    short_name: str
    institution_type: str
    home_city: str
    uscc: str
    contact: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., short_name: _Optional[str] = ..., institution_type: _Optional[str] = ..., home_city: _Optional[str] = ..., uscc: _Optional[str] = ..., contact: _Optional[str] = ...) -> None: ...

class GetMemberRequest(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class RegisterEnterpriseRequest(_message.Message):
    __slots__ = ("request_id", "name", "uscc", "city", "region_code", "industry", "industry_code", "size_class", "designations", "registered_capital_fen", "contact")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    REGION_CODE_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    SIZE_CLASS_FIELD_NUMBER: _ClassVar[int]
    DESIGNATIONS_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_CAPITAL_FEN_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    uscc: str
    city: str
    region_code: str
    industry: str
    industry_code: str
    size_class: str
    designations: _containers.RepeatedScalarFieldContainer[str]
    registered_capital_fen: int
    contact: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., uscc: _Optional[str] = ..., city: _Optional[str] = ..., region_code: _Optional[str] = ..., industry: _Optional[str] = ..., industry_code: _Optional[str] = ..., size_class: _Optional[str] = ..., designations: _Optional[_Iterable[str]] = ..., registered_capital_fen: _Optional[int] = ..., contact: _Optional[str] = ...) -> None: ...

class GetEnterpriseRequest(_message.Message):
    __slots__ = ("enterprise_id",)
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    enterprise_id: str
    def __init__(self, enterprise_id: _Optional[str] = ...) -> None: ...

class ListMembersRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "home_city", "institution_type", "status")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    HOME_CITY_FIELD_NUMBER: _ClassVar[int]
    INSTITUTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    home_city: str
    institution_type: str
    status: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., home_city: _Optional[str] = ..., institution_type: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class ListMembersResponse(_message.Message):
    __slots__ = ("members", "next_page_token")
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[Member]
    next_page_token: str
    def __init__(self, members: _Optional[_Iterable[_Union[Member, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateMemberRequest(_message.Message):
    __slots__ = ("request_id", "member_id", "expected_version", "member", "update_mask")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    member_id: str
    expected_version: int
    member: Member
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, request_id: _Optional[str] = ..., member_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., member: _Optional[_Union[Member, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class ChangeMemberStatusRequest(_message.Message):
    __slots__ = ("request_id", "member_id", "reason", "expected_version")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    member_id: str
    reason: str
    expected_version: int
    def __init__(self, request_id: _Optional[str] = ..., member_id: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ListEnterprisesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "city", "industry", "size_class", "status")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    SIZE_CLASS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    city: str
    industry: str
    size_class: str
    status: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., city: _Optional[str] = ..., industry: _Optional[str] = ..., size_class: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class ListEnterprisesResponse(_message.Message):
    __slots__ = ("enterprises", "next_page_token")
    ENTERPRISES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    enterprises: _containers.RepeatedCompositeFieldContainer[Enterprise]
    next_page_token: str
    def __init__(self, enterprises: _Optional[_Iterable[_Union[Enterprise, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateEnterpriseRequest(_message.Message):
    __slots__ = ("request_id", "enterprise_id", "expected_version", "enterprise", "update_mask")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    enterprise_id: str
    expected_version: int
    enterprise: Enterprise
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, request_id: _Optional[str] = ..., enterprise_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., enterprise: _Optional[_Union[Enterprise, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class SelfRegisterEnterpriseRequest(_message.Message):
    __slots__ = ("request_id", "name", "uscc", "city", "industry", "industry_code", "size_class", "contact")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    SIZE_CLASS_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    uscc: str
    city: str
    industry: str
    industry_code: str
    size_class: str
    contact: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., uscc: _Optional[str] = ..., city: _Optional[str] = ..., industry: _Optional[str] = ..., industry_code: _Optional[str] = ..., size_class: _Optional[str] = ..., contact: _Optional[str] = ...) -> None: ...

class ChangeEnterpriseStatusRequest(_message.Message):
    __slots__ = ("request_id", "enterprise_id", "reason", "expected_version")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    enterprise_id: str
    reason: str
    expected_version: int
    def __init__(self, request_id: _Optional[str] = ..., enterprise_id: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...
