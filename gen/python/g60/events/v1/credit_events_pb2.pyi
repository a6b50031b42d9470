from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreditParties(_message.Message):
    __slots__ = ("bank_id", "bank_city", "bank_type", "enterprise_id", "enterprise_city", "enterprise_region_code", "industry", "size_class")
    BANK_ID_FIELD_NUMBER: _ClassVar[int]
    BANK_CITY_FIELD_NUMBER: _ClassVar[int]
    BANK_TYPE_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_CITY_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_REGION_CODE_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    SIZE_CLASS_FIELD_NUMBER: _ClassVar[int]
    bank_id: str
    bank_city: str
    bank_type: str
    enterprise_id: str
    enterprise_city: str
    enterprise_region_code: str
    industry: str
    size_class: str
    def __init__(self, bank_id: _Optional[str] = ..., bank_city: _Optional[str] = ..., bank_type: _Optional[str] = ..., enterprise_id: _Optional[str] = ..., enterprise_city: _Optional[str] = ..., enterprise_region_code: _Optional[str] = ..., industry: _Optional[str] = ..., size_class: _Optional[str] = ...) -> None: ...

class CreditLineBalances(_message.Message):
    __slots__ = ("limit_fen", "reserved_fen", "utilized_fen", "status")
    LIMIT_FEN_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FEN_FIELD_NUMBER: _ClassVar[int]
    UTILIZED_FEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    limit_fen: int
    reserved_fen: int
    utilized_fen: int
    status: str
    def __init__(self, limit_fen: _Optional[int] = ..., reserved_fen: _Optional[int] = ..., utilized_fen: _Optional[int] = ..., status: _Optional[str] = ...) -> None: ...

class CreditLineRegistered(_message.Message):
    __slots__ = ("credit_line_id", "parties", "product", "currency", "limit_fen", "revolving", "valid_from", "valid_to", "guarantor_id", "cover_ratio_bp", "balances")
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FEN_FIELD_NUMBER: _ClassVar[int]
    REVOLVING_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_TO_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    COVER_RATIO_BP_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    credit_line_id: str
    parties: CreditParties
    product: str
    currency: str
    limit_fen: int
    revolving: bool
    valid_from: str
    valid_to: str
    guarantor_id: str
    cover_ratio_bp: int
    balances: CreditLineBalances
    def __init__(self, credit_line_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., product: _Optional[str] = ..., currency: _Optional[str] = ..., limit_fen: _Optional[int] = ..., revolving: _Optional[bool] = ..., valid_from: _Optional[str] = ..., valid_to: _Optional[str] = ..., guarantor_id: _Optional[str] = ..., cover_ratio_bp: _Optional[int] = ..., balances: _Optional[_Union[CreditLineBalances, _Mapping]] = ...) -> None: ...
