from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class CreditLine(_message.Message):
    __slots__ = ("credit_line_id", "bank_id", "enterprise_id", "product", "currency", "limit_fen", "reserved_fen", "utilized_fen", "available_fen", "revolving", "valid_from", "valid_to", "guarantor_id", "cover_ratio_bp", "status", "version")
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    BANK_ID_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FEN_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FEN_FIELD_NUMBER: _ClassVar[int]
    UTILIZED_FEN_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FEN_FIELD_NUMBER: _ClassVar[int]
    REVOLVING_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_TO_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    COVER_RATIO_BP_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    credit_line_id: str
    bank_id: str
    enterprise_id: str
    product: str
    currency: str
    limit_fen: int
    reserved_fen: int
    utilized_fen: int
    available_fen: int
    revolving: bool
    valid_from: str
    valid_to: str
    guarantor_id: str
    cover_ratio_bp: int
    status: str
    version: int
    def __init__(self, credit_line_id: _Optional[str] = ..., bank_id: _Optional[str] = ..., enterprise_id: _Optional[str] = ..., product: _Optional[str] = ..., currency: _Optional[str] = ..., limit_fen: _Optional[int] = ..., reserved_fen: _Optional[int] = ..., utilized_fen: _Optional[int] = ..., available_fen: _Optional[int] = ..., revolving: _Optional[bool] = ..., valid_from: _Optional[str] = ..., valid_to: _Optional[str] = ..., guarantor_id: _Optional[str] = ..., cover_ratio_bp: _Optional[int] = ..., status: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class RegisterCreditLineRequest(_message.Message):
    __slots__ = ("request_id", "enterprise_id", "product", "currency", "limit_fen", "revolving", "valid_from", "valid_to", "guarantor_id", "cover_ratio_bp")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FEN_FIELD_NUMBER: _ClassVar[int]
    REVOLVING_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_TO_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    COVER_RATIO_BP_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    enterprise_id: str
    product: str
    currency: str
    limit_fen: int
    revolving: bool
    valid_from: str
    valid_to: str
    guarantor_id: str
    cover_ratio_bp: int
    def __init__(self, request_id: _Optional[str] = ..., enterprise_id: _Optional[str] = ..., product: _Optional[str] = ..., currency: _Optional[str] = ..., limit_fen: _Optional[int] = ..., revolving: _Optional[bool] = ..., valid_from: _Optional[str] = ..., valid_to: _Optional[str] = ..., guarantor_id: _Optional[str] = ..., cover_ratio_bp: _Optional[int] = ...) -> None: ...

class GetCreditLineRequest(_message.Message):
    __slots__ = ("credit_line_id",)
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    credit_line_id: str
    def __init__(self, credit_line_id: _Optional[str] = ...) -> None: ...
