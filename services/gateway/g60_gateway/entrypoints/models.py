"""Response bodies: what the services return, in JSON with integer fen."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Member(BaseModel):
    member_id: str
    name: str
    short_name: str
    institution_type: str
    home_city: str
    uscc: str
    contact: str
    status: str
    joined_at: str | None = None
    version: int


class MemberPage(BaseModel):
    members: list[Member]
    next_page_token: str


class Enterprise(BaseModel):
    enterprise_id: str
    name: str
    uscc: str
    city: str
    region_code: str
    industry: str
    industry_code: str
    size_class: str
    designations: list[str]
    registered_capital_fen: int
    status: str = Field(description="PENDING_VERIFICATION, ACTIVE, REJECTED or DEREGISTERED")
    version: int
    contact: str = ""


class EnterprisePage(BaseModel):
    enterprises: list[Enterprise]
    next_page_token: str


class CreditLine(BaseModel):
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
    outstanding_fen: int = 0


class CreditLinePage(BaseModel):
    credit_lines: list[CreditLine]
    next_page_token: str


class AuditEntry(BaseModel):
    audit_id: int
    action: str
    actor: str
    request_id: str
    occurred_at: str
    before_json: str
    after_json: str


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next_page_token: str


class FinancingApplication(BaseModel):
    application_id: str
    enterprise_id: str
    currency: str
    amount_fen: int
    term_months: int
    purpose: str
    target_bank_ids: list[str] = Field(
        description="Every bank the application reached, for the applicant; "
        "for a bank, the bank itself (city_wide says whether others were asked)"
    )
    city_wide: bool
    submitted_at: str
    status: str
    bank_id: str
    credit_line_id: str
    approved_fen: int
    disbursed_fen: int
    repaid_fen: int = Field(description="Principal repaid to the bank, compensations included")
    outstanding_fen: int
    version: int
    declined_bank_ids: list[str] = Field(
        default=[],
        description="Every bank that declined, for the applicant; a bank's own decline, for it",
    )
    first_drawn_on: str = Field(
        default="",
        description="Asia/Shanghai date of the first drawdown, which starts the term; "
        "empty until then (and for a bank that did not win the application)",
    )
    maturity_date: str = Field(
        default="",
        description="term_months after first_drawn_on; in a shorter month, its last day",
    )
    overdue_since: str = Field(
        default="",
        description="The day after maturity, once principal was found outstanding then "
        "(逾期); kept after the loan is repaid",
    )
    compensated_fen: int = Field(
        default=0,
        description="Of repaid_fen, what the guarantee company backing the line paid the "
        "bank (代偿)",
    )
    approved_on: str = Field(
        default="",
        description="Asia/Shanghai date of the approval; empty before it. An approval still "
        "undrawn after the platform's validity (default 90 days) lapses: the platform "
        "closes it (CLOSED, history entry LAPSE)",
    )
    extended_months: int = Field(
        default=0,
        description="Months the lender extended the loan by (展期, once; maturity_date is "
        "the extended date); 0 when it was not",
    )
    risk_class: str = Field(
        default="NORMAL",
        description="Five-tier classification (贷款五级分类): NORMAL, SPECIAL_MENTION (关注), "
        "SUBSTANDARD (次级), DOUBTFUL (可疑) or LOSS (损失); the last three are non-performing "
        "(不良). A loan becomes SPECIAL_MENTION when marked overdue; the platform then moves "
        "it only down, as days_past_due passes 90, 270 and 360 (history entry RECLASSIFY). "
        "NORMAL for a bank that did not win the application",
    )
    days_past_due: int = Field(
        default=0,
        description="Asia/Shanghai days since maturity_date while principal is outstanding, "
        "else 0; as of the answer (a repayment's answer: its day; a history entry: its day)",
    )


class ApplicationPage(BaseModel):
    applications: list[FinancingApplication]
    next_page_token: str


class FundsMovement(BaseModel):
    movement_id: str
    amount_fen: int
    guarantee_fen: int
    credit_line: CreditLine | None
    application: FinancingApplication | None


class MovementRecord(BaseModel):
    movement_id: str
    kind: str = Field(description="DRAWDOWN, REPAYMENT or COMPENSATION (代偿, by the guarantor)")
    amount_fen: int
    guarantee_fen: int = Field(
        description="Guarantor capacity consumed (drawdown) or released (repayment, compensation)"
    )
    credit_line_id: str
    occurred_at: str
    disbursed_after_fen: int = Field(description="The application's totals once this was made")
    repaid_after_fen: int
    outstanding_after_fen: int


class MovementPage(BaseModel):
    movements: list[MovementRecord]
    next_page_token: str


class HistoryEntry(BaseModel):
    entry_id: int
    action: str = Field(
        description="APPLY, APPROVE, REJECT, WITHDRAW, DRAWDOWN, REPAY, COMPENSATE, CLOSE, LAPSE "
        "(an undrawn approval closed by the platform once its validity ran out), DUE_SOON "
        "(the platform announced the loan falls due within its notice period, 到期提醒), "
        "EXTEND (the lender extended the loan, 展期), OVERDUE, RECLASSIFY (the platform moved the "
        "loan down the risk tiers, 贷款五级分类)"
    )
    actor: str = Field(
        description='"enterprise:<id>", "bank:<id>", "guarantor:<id>" or "system:<name>"'
    )
    occurred_at: str
    request_id: str = Field(description="The caller's own request id; empty on others' changes")
    application: FinancingApplication = Field(
        description="The application after the change, as the caller is shown it"
    )


class HistoryPage(BaseModel):
    entries: list[HistoryEntry]
    next_page_token: str


class Webhook(BaseModel):
    webhook_id: str
    url: str
    created_at: str


class WebhookList(BaseModel):
    webhooks: list[Webhook]
    next_page_token: str


class WebhookDelivery(BaseModel):
    delivery_id: int
    webhook_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_http_status: int | None
    last_error: str
    created_at: str
    delivered_at: str | None


class DeliveryPage(BaseModel):
    deliveries: list[WebhookDelivery]
    next_page_token: str


class Caller(BaseModel):
    key_id: str
    principal_type: str
    principal_id: str
    scopes: list[str]


class GuarantorCapacity(BaseModel):
    guarantor_id: str
    capacity_fen: int
    used_fen: int
    version: int
    available_fen: int = Field(
        description="max(capacity_fen - used_fen, 0): the office may lower a capacity "
        "below what is in use"
    )


class IssuedCredential(BaseModel):
    key_id: str
    api_key: str = Field(description="Shown once; only its hash is stored.")


class SelfRegistration(BaseModel):
    """The new enterprise (PENDING_VERIFICATION) and its own API key."""

    enterprise: Enterprise
    credential: IssuedCredential
