from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreditLine(_message.Message):
    __slots__ = ("credit_line_id", "bank_id", "enterprise_id", "product", "currency", "limit_fen", "reserved_fen", "utilized_fen", "available_fen", "revolving", "valid_from", "valid_to", "guarantor_id", "cover_ratio_bp", "status", "version", "outstanding_fen")
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
    OUTSTANDING_FEN_FIELD_NUMBER: _ClassVar[int]
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
    outstanding_fen: int
    def __init__(self, credit_line_id: _Optional[str] = ..., bank_id: _Optional[str] = ..., enterprise_id: _Optional[str] = ..., product: _Optional[str] = ..., currency: _Optional[str] = ..., limit_fen: _Optional[int] = ..., reserved_fen: _Optional[int] = ..., utilized_fen: _Optional[int] = ..., available_fen: _Optional[int] = ..., revolving: _Optional[bool] = ..., valid_from: _Optional[str] = ..., valid_to: _Optional[str] = ..., guarantor_id: _Optional[str] = ..., cover_ratio_bp: _Optional[int] = ..., status: _Optional[str] = ..., version: _Optional[int] = ..., outstanding_fen: _Optional[int] = ...) -> None: ...

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

class AmendCreditLimitRequest(_message.Message):
    __slots__ = ("request_id", "credit_line_id", "new_limit_fen", "reason", "expected_version")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_LIMIT_FEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    credit_line_id: str
    new_limit_fen: int
    reason: str
    expected_version: int
    def __init__(self, request_id: _Optional[str] = ..., credit_line_id: _Optional[str] = ..., new_limit_fen: _Optional[int] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ChangeCreditLineStatusRequest(_message.Message):
    __slots__ = ("request_id", "credit_line_id", "reason", "expected_version")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    credit_line_id: str
    reason: str
    expected_version: int
    def __init__(self, request_id: _Optional[str] = ..., credit_line_id: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ListCreditLinesRequest(_message.Message):
    __slots__ = ("status", "enterprise_id", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: str
    enterprise_id: str
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[str] = ..., enterprise_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCreditLinesResponse(_message.Message):
    __slots__ = ("credit_lines", "next_page_token")
    CREDIT_LINES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    credit_lines: _containers.RepeatedCompositeFieldContainer[CreditLine]
    next_page_token: str
    def __init__(self, credit_lines: _Optional[_Iterable[_Union[CreditLine, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListCreditLineAuditRequest(_message.Message):
    __slots__ = ("credit_line_id", "page_size", "page_token")
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    credit_line_id: str
    page_size: int
    page_token: str
    def __init__(self, credit_line_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class AuditEntry(_message.Message):
    __slots__ = ("audit_id", "action", "actor", "request_id", "occurred_at", "before_json", "after_json")
    AUDIT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    BEFORE_JSON_FIELD_NUMBER: _ClassVar[int]
    AFTER_JSON_FIELD_NUMBER: _ClassVar[int]
    audit_id: int
    action: str
    actor: str
    request_id: str
    occurred_at: str
    before_json: str
    after_json: str
    def __init__(self, audit_id: _Optional[int] = ..., action: _Optional[str] = ..., actor: _Optional[str] = ..., request_id: _Optional[str] = ..., occurred_at: _Optional[str] = ..., before_json: _Optional[str] = ..., after_json: _Optional[str] = ...) -> None: ...

class ListCreditLineAuditResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[AuditEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[AuditEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class FinancingApplication(_message.Message):
    __slots__ = ("application_id", "enterprise_id", "currency", "amount_fen", "term_months", "purpose", "target_bank_ids", "city_wide", "submitted_at", "status", "bank_id", "credit_line_id", "approved_fen", "disbursed_fen", "repaid_fen", "outstanding_fen", "version", "declined_bank_ids", "first_drawn_on", "maturity_date", "overdue_since", "compensated_fen", "approved_on", "extended_months", "risk_class", "days_past_due")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    TERM_MONTHS_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    TARGET_BANK_IDS_FIELD_NUMBER: _ClassVar[int]
    CITY_WIDE_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    BANK_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FEN_FIELD_NUMBER: _ClassVar[int]
    DISBURSED_FEN_FIELD_NUMBER: _ClassVar[int]
    REPAID_FEN_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_FEN_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DECLINED_BANK_IDS_FIELD_NUMBER: _ClassVar[int]
    FIRST_DRAWN_ON_FIELD_NUMBER: _ClassVar[int]
    MATURITY_DATE_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_SINCE_FIELD_NUMBER: _ClassVar[int]
    COMPENSATED_FEN_FIELD_NUMBER: _ClassVar[int]
    APPROVED_ON_FIELD_NUMBER: _ClassVar[int]
    EXTENDED_MONTHS_FIELD_NUMBER: _ClassVar[int]
    RISK_CLASS_FIELD_NUMBER: _ClassVar[int]
    DAYS_PAST_DUE_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    enterprise_id: str
    currency: str
    amount_fen: int
    term_months: int
    purpose: str
    target_bank_ids: _containers.RepeatedScalarFieldContainer[str]
    city_wide: bool
    submitted_at: str
    status: str
    bank_id: str
    credit_line_id: str
    approved_fen: int
    disbursed_fen: int
    repaid_fen: int
    outstanding_fen: int
    version: int
    declined_bank_ids: _containers.RepeatedScalarFieldContainer[str]
    first_drawn_on: str
    maturity_date: str
    overdue_since: str
    compensated_fen: int
    approved_on: str
    extended_months: int
    risk_class: str
    days_past_due: int
    def __init__(self, application_id: _Optional[str] = ..., enterprise_id: _Optional[str] = ..., currency: _Optional[str] = ..., amount_fen: _Optional[int] = ..., term_months: _Optional[int] = ..., purpose: _Optional[str] = ..., target_bank_ids: _Optional[_Iterable[str]] = ..., city_wide: _Optional[bool] = ..., submitted_at: _Optional[str] = ..., status: _Optional[str] = ..., bank_id: _Optional[str] = ..., credit_line_id: _Optional[str] = ..., approved_fen: _Optional[int] = ..., disbursed_fen: _Optional[int] = ..., repaid_fen: _Optional[int] = ..., outstanding_fen: _Optional[int] = ..., version: _Optional[int] = ..., declined_bank_ids: _Optional[_Iterable[str]] = ..., first_drawn_on: _Optional[str] = ..., maturity_date: _Optional[str] = ..., overdue_since: _Optional[str] = ..., compensated_fen: _Optional[int] = ..., approved_on: _Optional[str] = ..., extended_months: _Optional[int] = ..., risk_class: _Optional[str] = ..., days_past_due: _Optional[int] = ...) -> None: ...

class ApplyForFinancingRequest(_message.Message):
    __slots__ = ("request_id", "bank_id", "currency", "amount_fen", "term_months", "purpose")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BANK_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    TERM_MONTHS_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    bank_id: str
    currency: str
    amount_fen: int
    term_months: int
    purpose: str
    def __init__(self, request_id: _Optional[str] = ..., bank_id: _Optional[str] = ..., currency: _Optional[str] = ..., amount_fen: _Optional[int] = ..., term_months: _Optional[int] = ..., purpose: _Optional[str] = ...) -> None: ...

class GetFinancingApplicationRequest(_message.Message):
    __slots__ = ("application_id",)
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    def __init__(self, application_id: _Optional[str] = ...) -> None: ...

class WithdrawFinancingRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ApproveFinancingRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "credit_line_id", "approved_fen")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FEN_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    credit_line_id: str
    approved_fen: int
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., credit_line_id: _Optional[str] = ..., approved_fen: _Optional[int] = ...) -> None: ...

class RejectFinancingRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CloseFinancingRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ExtendLoanRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "months")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    MONTHS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    months: int
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., months: _Optional[int] = ...) -> None: ...

class MoveFundsRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "amount_fen")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    amount_fen: int
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., amount_fen: _Optional[int] = ...) -> None: ...

class MoveFundsResponse(_message.Message):
    __slots__ = ("movement_id", "amount_fen", "guarantee_fen", "credit_line", "application")
    MOVEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    GUARANTEE_FEN_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    movement_id: str
    amount_fen: int
    guarantee_fen: int
    credit_line: CreditLine
    application: FinancingApplication
    def __init__(self, movement_id: _Optional[str] = ..., amount_fen: _Optional[int] = ..., guarantee_fen: _Optional[int] = ..., credit_line: _Optional[_Union[CreditLine, _Mapping]] = ..., application: _Optional[_Union[FinancingApplication, _Mapping]] = ...) -> None: ...

class SetGuarantorCapacityRequest(_message.Message):
    __slots__ = ("request_id", "guarantor_id", "capacity_fen")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FEN_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    guarantor_id: str
    capacity_fen: int
    def __init__(self, request_id: _Optional[str] = ..., guarantor_id: _Optional[str] = ..., capacity_fen: _Optional[int] = ...) -> None: ...

class GetGuarantorCapacityRequest(_message.Message):
    __slots__ = ("guarantor_id",)
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    guarantor_id: str
    def __init__(self, guarantor_id: _Optional[str] = ...) -> None: ...

class GuarantorCapacity(_message.Message):
    __slots__ = ("guarantor_id", "capacity_fen", "used_fen", "version", "available_fen")
    GUARANTOR_ID_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FEN_FIELD_NUMBER: _ClassVar[int]
    USED_FEN_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FEN_FIELD_NUMBER: _ClassVar[int]
    guarantor_id: str
    capacity_fen: int
    used_fen: int
    version: int
    available_fen: int
    def __init__(self, guarantor_id: _Optional[str] = ..., capacity_fen: _Optional[int] = ..., used_fen: _Optional[int] = ..., version: _Optional[int] = ..., available_fen: _Optional[int] = ...) -> None: ...

class ListFinancingApplicationsRequest(_message.Message):
    __slots__ = ("status", "page_size", "page_token", "awaiting_decision", "overdue", "risk_class")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AWAITING_DECISION_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    RISK_CLASS_FIELD_NUMBER: _ClassVar[int]
    status: str
    page_size: int
    page_token: str
    awaiting_decision: bool
    overdue: bool
    risk_class: str
    def __init__(self, status: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., awaiting_decision: _Optional[bool] = ..., overdue: _Optional[bool] = ..., risk_class: _Optional[str] = ...) -> None: ...

class ListFinancingApplicationsResponse(_message.Message):
    __slots__ = ("applications", "next_page_token")
    APPLICATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    applications: _containers.RepeatedCompositeFieldContainer[FinancingApplication]
    next_page_token: str
    def __init__(self, applications: _Optional[_Iterable[_Union[FinancingApplication, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListFundsMovementsRequest(_message.Message):
    __slots__ = ("application_id", "page_size", "page_token")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    page_size: int
    page_token: str
    def __init__(self, application_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class FundsMovement(_message.Message):
    __slots__ = ("movement_id", "kind", "amount_fen", "guarantee_fen", "credit_line_id", "occurred_at", "disbursed_after_fen", "repaid_after_fen", "outstanding_after_fen")
    MOVEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    GUARANTEE_FEN_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    DISBURSED_AFTER_FEN_FIELD_NUMBER: _ClassVar[int]
    REPAID_AFTER_FEN_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_AFTER_FEN_FIELD_NUMBER: _ClassVar[int]
    movement_id: str
    kind: str
    amount_fen: int
    guarantee_fen: int
    credit_line_id: str
    occurred_at: str
    disbursed_after_fen: int
    repaid_after_fen: int
    outstanding_after_fen: int
    def __init__(self, movement_id: _Optional[str] = ..., kind: _Optional[str] = ..., amount_fen: _Optional[int] = ..., guarantee_fen: _Optional[int] = ..., credit_line_id: _Optional[str] = ..., occurred_at: _Optional[str] = ..., disbursed_after_fen: _Optional[int] = ..., repaid_after_fen: _Optional[int] = ..., outstanding_after_fen: _Optional[int] = ...) -> None: ...

class ListFundsMovementsResponse(_message.Message):
    __slots__ = ("movements", "next_page_token")
    MOVEMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    movements: _containers.RepeatedCompositeFieldContainer[FundsMovement]
    next_page_token: str
    def __init__(self, movements: _Optional[_Iterable[_Union[FundsMovement, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListApplicationHistoryRequest(_message.Message):
    __slots__ = ("application_id", "page_size", "page_token")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    page_size: int
    page_token: str
    def __init__(self, application_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ApplicationHistoryEntry(_message.Message):
    __slots__ = ("entry_id", "action", "actor", "occurred_at", "request_id", "application")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    entry_id: int
    action: str
    actor: str
    occurred_at: str
    request_id: str
    application: FinancingApplication
    def __init__(self, entry_id: _Optional[int] = ..., action: _Optional[str] = ..., actor: _Optional[str] = ..., occurred_at: _Optional[str] = ..., request_id: _Optional[str] = ..., application: _Optional[_Union[FinancingApplication, _Mapping]] = ...) -> None: ...

class ListApplicationHistoryResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[ApplicationHistoryEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[ApplicationHistoryEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
