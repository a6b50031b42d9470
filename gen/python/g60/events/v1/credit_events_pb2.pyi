import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
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
    __slots__ = ("limit_fen", "reserved_fen", "utilized_fen", "status", "outstanding_fen", "available_fen")
    LIMIT_FEN_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FEN_FIELD_NUMBER: _ClassVar[int]
    UTILIZED_FEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_FEN_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FEN_FIELD_NUMBER: _ClassVar[int]
    limit_fen: int
    reserved_fen: int
    utilized_fen: int
    status: str
    outstanding_fen: int
    available_fen: int
    def __init__(self, limit_fen: _Optional[int] = ..., reserved_fen: _Optional[int] = ..., utilized_fen: _Optional[int] = ..., status: _Optional[str] = ..., outstanding_fen: _Optional[int] = ..., available_fen: _Optional[int] = ...) -> None: ...

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

class CreditLineAmended(_message.Message):
    __slots__ = ("credit_line_id", "parties", "previous_limit_fen", "limit_fen", "delta_fen", "reason", "balances")
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_LIMIT_FEN_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FEN_FIELD_NUMBER: _ClassVar[int]
    DELTA_FEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    credit_line_id: str
    parties: CreditParties
    previous_limit_fen: int
    limit_fen: int
    delta_fen: int
    reason: str
    balances: CreditLineBalances
    def __init__(self, credit_line_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., previous_limit_fen: _Optional[int] = ..., limit_fen: _Optional[int] = ..., delta_fen: _Optional[int] = ..., reason: _Optional[str] = ..., balances: _Optional[_Union[CreditLineBalances, _Mapping]] = ...) -> None: ...

class CreditLineFrozen(_message.Message):
    __slots__ = ("credit_line_id", "parties", "reason", "balances")
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    credit_line_id: str
    parties: CreditParties
    reason: str
    balances: CreditLineBalances
    def __init__(self, credit_line_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., reason: _Optional[str] = ..., balances: _Optional[_Union[CreditLineBalances, _Mapping]] = ...) -> None: ...

class CreditLineUnfrozen(_message.Message):
    __slots__ = ("credit_line_id", "parties", "reason", "balances")
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    credit_line_id: str
    parties: CreditParties
    reason: str
    balances: CreditLineBalances
    def __init__(self, credit_line_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., reason: _Optional[str] = ..., balances: _Optional[_Union[CreditLineBalances, _Mapping]] = ...) -> None: ...

class CreditLineClosed(_message.Message):
    __slots__ = ("credit_line_id", "parties", "reason", "balances")
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    credit_line_id: str
    parties: CreditParties
    reason: str
    balances: CreditLineBalances
    def __init__(self, credit_line_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., reason: _Optional[str] = ..., balances: _Optional[_Union[CreditLineBalances, _Mapping]] = ...) -> None: ...

class CreditLineExpired(_message.Message):
    __slots__ = ("credit_line_id", "parties", "reason", "balances", "valid_to")
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    VALID_TO_FIELD_NUMBER: _ClassVar[int]
    credit_line_id: str
    parties: CreditParties
    reason: str
    balances: CreditLineBalances
    valid_to: str
    def __init__(self, credit_line_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., reason: _Optional[str] = ..., balances: _Optional[_Union[CreditLineBalances, _Mapping]] = ..., valid_to: _Optional[str] = ...) -> None: ...

class FinancingApplied(_message.Message):
    __slots__ = ("application_id", "parties", "amount_fen", "term_months", "purpose", "target_bank_ids", "city_wide", "submitted_at", "currency")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    TERM_MONTHS_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    TARGET_BANK_IDS_FIELD_NUMBER: _ClassVar[int]
    CITY_WIDE_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    parties: CreditParties
    amount_fen: int
    term_months: int
    purpose: str
    target_bank_ids: _containers.RepeatedScalarFieldContainer[str]
    city_wide: bool
    submitted_at: _timestamp_pb2.Timestamp
    currency: str
    def __init__(self, application_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., amount_fen: _Optional[int] = ..., term_months: _Optional[int] = ..., purpose: _Optional[str] = ..., target_bank_ids: _Optional[_Iterable[str]] = ..., city_wide: _Optional[bool] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., currency: _Optional[str] = ...) -> None: ...

class FinancingApproved(_message.Message):
    __slots__ = ("application_id", "parties", "credit_line_id", "requested_fen", "approved_fen", "submitted_at", "balances", "approved_on")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_FEN_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FEN_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    APPROVED_ON_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    parties: CreditParties
    credit_line_id: str
    requested_fen: int
    approved_fen: int
    submitted_at: _timestamp_pb2.Timestamp
    balances: CreditLineBalances
    approved_on: str
    def __init__(self, application_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., credit_line_id: _Optional[str] = ..., requested_fen: _Optional[int] = ..., approved_fen: _Optional[int] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., balances: _Optional[_Union[CreditLineBalances, _Mapping]] = ..., approved_on: _Optional[str] = ...) -> None: ...

class FinancingRejected(_message.Message):
    __slots__ = ("application_id", "parties", "rejecting_bank_id", "reason", "final", "application_status")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    REJECTING_BANK_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_STATUS_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    parties: CreditParties
    rejecting_bank_id: str
    reason: str
    final: bool
    application_status: str
    def __init__(self, application_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., rejecting_bank_id: _Optional[str] = ..., reason: _Optional[str] = ..., final: _Optional[bool] = ..., application_status: _Optional[str] = ...) -> None: ...

class FinancingWithdrawn(_message.Message):
    __slots__ = ("application_id", "parties", "reason", "amount_fen")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    parties: CreditParties
    reason: str
    amount_fen: int
    def __init__(self, application_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., reason: _Optional[str] = ..., amount_fen: _Optional[int] = ...) -> None: ...

class FinancingClosed(_message.Message):
    __slots__ = ("application_id", "parties", "credit_line_id", "approved_fen", "disbursed_fen", "reason")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FEN_FIELD_NUMBER: _ClassVar[int]
    DISBURSED_FEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    parties: CreditParties
    credit_line_id: str
    approved_fen: int
    disbursed_fen: int
    reason: str
    def __init__(self, application_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., credit_line_id: _Optional[str] = ..., approved_fen: _Optional[int] = ..., disbursed_fen: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class FundsDisbursed(_message.Message):
    __slots__ = ("drawdown_id", "credit_line_id", "application_id", "parties", "amount_fen", "guarantee_fen", "guarantor_id", "submitted_at", "first_disbursement", "application_disbursed_fen", "application_outstanding_fen", "application_status", "balances", "product", "first_drawn_on", "maturity_date")
    DRAWDOWN_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    GUARANTEE_FEN_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    FIRST_DISBURSEMENT_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_DISBURSED_FEN_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_OUTSTANDING_FEN_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_STATUS_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    FIRST_DRAWN_ON_FIELD_NUMBER: _ClassVar[int]
    MATURITY_DATE_FIELD_NUMBER: _ClassVar[int]
    drawdown_id: str
    credit_line_id: str
    application_id: str
    parties: CreditParties
    amount_fen: int
    guarantee_fen: int
    guarantor_id: str
    submitted_at: _timestamp_pb2.Timestamp
    first_disbursement: bool
    application_disbursed_fen: int
    application_outstanding_fen: int
    application_status: str
    balances: CreditLineBalances
    product: str
    first_drawn_on: str
    maturity_date: str
    def __init__(self, drawdown_id: _Optional[str] = ..., credit_line_id: _Optional[str] = ..., application_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., amount_fen: _Optional[int] = ..., guarantee_fen: _Optional[int] = ..., guarantor_id: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., first_disbursement: _Optional[bool] = ..., application_disbursed_fen: _Optional[int] = ..., application_outstanding_fen: _Optional[int] = ..., application_status: _Optional[str] = ..., balances: _Optional[_Union[CreditLineBalances, _Mapping]] = ..., product: _Optional[str] = ..., first_drawn_on: _Optional[str] = ..., maturity_date: _Optional[str] = ...) -> None: ...

class LoanRepaid(_message.Message):
    __slots__ = ("repayment_id", "credit_line_id", "application_id", "parties", "amount_fen", "guarantee_released_fen", "revolving", "application_repaid_fen", "application_outstanding_fen", "application_status", "balances", "guarantor_id", "overdue_since", "risk_class")
    REPAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    GUARANTEE_RELEASED_FEN_FIELD_NUMBER: _ClassVar[int]
    REVOLVING_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_REPAID_FEN_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_OUTSTANDING_FEN_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_STATUS_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_SINCE_FIELD_NUMBER: _ClassVar[int]
    RISK_CLASS_FIELD_NUMBER: _ClassVar[int]
    repayment_id: str
    credit_line_id: str
    application_id: str
    parties: CreditParties
    amount_fen: int
    guarantee_released_fen: int
    revolving: bool
    application_repaid_fen: int
    application_outstanding_fen: int
    application_status: str
    balances: CreditLineBalances
    guarantor_id: str
    overdue_since: str
    risk_class: str
    def __init__(self, repayment_id: _Optional[str] = ..., credit_line_id: _Optional[str] = ..., application_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., amount_fen: _Optional[int] = ..., guarantee_released_fen: _Optional[int] = ..., revolving: _Optional[bool] = ..., application_repaid_fen: _Optional[int] = ..., application_outstanding_fen: _Optional[int] = ..., application_status: _Optional[str] = ..., balances: _Optional[_Union[CreditLineBalances, _Mapping]] = ..., guarantor_id: _Optional[str] = ..., overdue_since: _Optional[str] = ..., risk_class: _Optional[str] = ...) -> None: ...

class LoanCompensated(_message.Message):
    __slots__ = ("compensation_id", "credit_line_id", "application_id", "parties", "guarantor_id", "amount_fen", "revolving", "application_repaid_fen", "application_compensated_fen", "application_outstanding_fen", "application_status", "balances", "guarantee_released_fen", "overdue_since", "risk_class")
    COMPENSATION_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    REVOLVING_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_REPAID_FEN_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_COMPENSATED_FEN_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_OUTSTANDING_FEN_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_STATUS_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    GUARANTEE_RELEASED_FEN_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_SINCE_FIELD_NUMBER: _ClassVar[int]
    RISK_CLASS_FIELD_NUMBER: _ClassVar[int]
    compensation_id: str
    credit_line_id: str
    application_id: str
    parties: CreditParties
    guarantor_id: str
    amount_fen: int
    revolving: bool
    application_repaid_fen: int
    application_compensated_fen: int
    application_outstanding_fen: int
    application_status: str
    balances: CreditLineBalances
    guarantee_released_fen: int
    overdue_since: str
    risk_class: str
    def __init__(self, compensation_id: _Optional[str] = ..., credit_line_id: _Optional[str] = ..., application_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., guarantor_id: _Optional[str] = ..., amount_fen: _Optional[int] = ..., revolving: _Optional[bool] = ..., application_repaid_fen: _Optional[int] = ..., application_compensated_fen: _Optional[int] = ..., application_outstanding_fen: _Optional[int] = ..., application_status: _Optional[str] = ..., balances: _Optional[_Union[CreditLineBalances, _Mapping]] = ..., guarantee_released_fen: _Optional[int] = ..., overdue_since: _Optional[str] = ..., risk_class: _Optional[str] = ...) -> None: ...

class LoanOverdue(_message.Message):
    __slots__ = ("application_id", "parties", "credit_line_id", "first_drawn_on", "maturity_date", "overdue_since", "outstanding_fen", "guarantor_id", "guarantee_fen", "risk_class")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_DRAWN_ON_FIELD_NUMBER: _ClassVar[int]
    MATURITY_DATE_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_SINCE_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_FEN_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    GUARANTEE_FEN_FIELD_NUMBER: _ClassVar[int]
    RISK_CLASS_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    parties: CreditParties
    credit_line_id: str
    first_drawn_on: str
    maturity_date: str
    overdue_since: str
    outstanding_fen: int
    guarantor_id: str
    guarantee_fen: int
    risk_class: str
    def __init__(self, application_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., credit_line_id: _Optional[str] = ..., first_drawn_on: _Optional[str] = ..., maturity_date: _Optional[str] = ..., overdue_since: _Optional[str] = ..., outstanding_fen: _Optional[int] = ..., guarantor_id: _Optional[str] = ..., guarantee_fen: _Optional[int] = ..., risk_class: _Optional[str] = ...) -> None: ...

class LoanReclassified(_message.Message):
    __slots__ = ("application_id", "parties", "credit_line_id", "guarantor_id", "previous_risk_class", "risk_class", "days_past_due", "outstanding_fen", "maturity_date", "overdue_since")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_RISK_CLASS_FIELD_NUMBER: _ClassVar[int]
    RISK_CLASS_FIELD_NUMBER: _ClassVar[int]
    DAYS_PAST_DUE_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_FEN_FIELD_NUMBER: _ClassVar[int]
    MATURITY_DATE_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_SINCE_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    parties: CreditParties
    credit_line_id: str
    guarantor_id: str
    previous_risk_class: str
    risk_class: str
    days_past_due: int
    outstanding_fen: int
    maturity_date: str
    overdue_since: str
    def __init__(self, application_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., credit_line_id: _Optional[str] = ..., guarantor_id: _Optional[str] = ..., previous_risk_class: _Optional[str] = ..., risk_class: _Optional[str] = ..., days_past_due: _Optional[int] = ..., outstanding_fen: _Optional[int] = ..., maturity_date: _Optional[str] = ..., overdue_since: _Optional[str] = ...) -> None: ...

class LoanDueSoon(_message.Message):
    __slots__ = ("application_id", "parties", "credit_line_id", "first_drawn_on", "maturity_date", "outstanding_fen", "guarantor_id", "guarantee_fen", "days_left")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_DRAWN_ON_FIELD_NUMBER: _ClassVar[int]
    MATURITY_DATE_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_FEN_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    GUARANTEE_FEN_FIELD_NUMBER: _ClassVar[int]
    DAYS_LEFT_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    parties: CreditParties
    credit_line_id: str
    first_drawn_on: str
    maturity_date: str
    outstanding_fen: int
    guarantor_id: str
    guarantee_fen: int
    days_left: int
    def __init__(self, application_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., credit_line_id: _Optional[str] = ..., first_drawn_on: _Optional[str] = ..., maturity_date: _Optional[str] = ..., outstanding_fen: _Optional[int] = ..., guarantor_id: _Optional[str] = ..., guarantee_fen: _Optional[int] = ..., days_left: _Optional[int] = ...) -> None: ...

class LoanExtended(_message.Message):
    __slots__ = ("application_id", "parties", "credit_line_id", "first_drawn_on", "previous_maturity_date", "maturity_date", "months", "term_months", "outstanding_fen", "guarantor_id", "guarantee_fen")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_DRAWN_ON_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_MATURITY_DATE_FIELD_NUMBER: _ClassVar[int]
    MATURITY_DATE_FIELD_NUMBER: _ClassVar[int]
    MONTHS_FIELD_NUMBER: _ClassVar[int]
    TERM_MONTHS_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_FEN_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    GUARANTEE_FEN_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    parties: CreditParties
    credit_line_id: str
    first_drawn_on: str
    previous_maturity_date: str
    maturity_date: str
    months: int
    term_months: int
    outstanding_fen: int
    guarantor_id: str
    guarantee_fen: int
    def __init__(self, application_id: _Optional[str] = ..., parties: _Optional[_Union[CreditParties, _Mapping]] = ..., credit_line_id: _Optional[str] = ..., first_drawn_on: _Optional[str] = ..., previous_maturity_date: _Optional[str] = ..., maturity_date: _Optional[str] = ..., months: _Optional[int] = ..., term_months: _Optional[int] = ..., outstanding_fen: _Optional[int] = ..., guarantor_id: _Optional[str] = ..., guarantee_fen: _Optional[int] = ...) -> None: ...

class GuarantorCapacitySet(_message.Message):
    __slots__ = ("guarantor_id", "guarantor_city", "guarantor_type", "previous_capacity_fen", "capacity_fen", "used_fen", "operator_id")
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_CITY_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_TYPE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_CAPACITY_FEN_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FEN_FIELD_NUMBER: _ClassVar[int]
    USED_FEN_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    guarantor_id: str
    guarantor_city: str
    guarantor_type: str
    previous_capacity_fen: int
    capacity_fen: int
    used_fen: int
    operator_id: str
    def __init__(self, guarantor_id: _Optional[str] = ..., guarantor_city: _Optional[str] = ..., guarantor_type: _Optional[str] = ..., previous_capacity_fen: _Optional[int] = ..., capacity_fen: _Optional[int] = ..., used_fen: _Optional[int] = ..., operator_id: _Optional[str] = ...) -> None: ...
