"""Request bodies. Writes are strict: unknown fields are rejected, and money is
integer fen (or a decimal string), never a float or exponent."""

from __future__ import annotations

import re
from typing import Annotated, Any

from g60common.money import MoneyError, parse_fen
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from g60_gateway.domain.principals import (
    InvalidScopes,
    PrincipalType,
    UnknownPrincipal,
    canonical_principal_id,
    check_scopes,
)

# C0 controls other than tab/newline: PostgreSQL refuses NUL, and no name, id or
# reason needs the rest.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _fen(value: Any) -> int:
    try:
        return parse_fen(value, field="amount")
    except MoneyError as exc:
        raise ValueError(exc.reason) from None


FenAmount = Annotated[
    int,
    BeforeValidator(_fen),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                {"type": "string", "pattern": "^[0-9]{1,19}$"},
            ],
            "description": "Amount in fen (1 yuan = 100 fen): an integer or a decimal string.",
        }
    ),
]

Text = Annotated[str, Field(max_length=200)]
ShortText = Annotated[str, Field(max_length=64)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
TermMonths = Annotated[int, Field(ge=1, le=360)]


class StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and _CONTROL_CHARS.search(t) for t in texts):
            raise ValueError("must not contain control characters")
        return value


class RegisterMemberBody(StrictBody):
    name: Text
    short_name: ShortText = ""
    institution_type: ShortText
    home_city: ShortText
    uscc: ShortText
    contact: Text = ""


class RegisterEnterpriseBody(StrictBody):
    name: Text
    uscc: ShortText
    city: ShortText
    region_code: ShortText = ""
    industry: ShortText
    industry_code: ShortText = ""
    size_class: ShortText
    designations: Annotated[list[ShortText], Field(max_length=10)] = []
    registered_capital_fen: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    contact: Text = ""


class UpdateMemberBody(StrictBody):
    """Only the fields present are changed (the update mask); `expected_version` is the
    version you read, so a concurrent change is 409 rather than silently overwritten."""

    expected_version: Annotated[int, Field(ge=1, le=2**63 - 1)]
    name: Text | None = None
    short_name: ShortText | None = None
    institution_type: ShortText | None = None
    home_city: ShortText | None = None
    contact: Text | None = None


class UpdateEnterpriseBody(StrictBody):
    """Only the fields present are changed (the update mask)."""

    expected_version: Annotated[int, Field(ge=1, le=2**63 - 1)]
    name: Text | None = None
    city: ShortText | None = None
    region_code: ShortText | None = None
    industry: ShortText | None = None
    industry_code: ShortText | None = None
    size_class: ShortText | None = None
    designations: Annotated[list[ShortText], Field(max_length=10)] | None = None
    registered_capital_fen: Annotated[int, Field(ge=0, le=2**63 - 1)] | None = None
    contact: Text | None = None


class GuarantorCapacityBody(StrictBody):
    capacity_fen: FenAmount


class RegisterCreditLineBody(StrictBody):
    enterprise_id: ShortText
    product: ShortText = "WORKING_CAPITAL"
    currency: ShortText = "CNY"
    limit_fen: FenAmount
    revolving: bool = True
    valid_from: ShortText
    valid_to: ShortText
    guarantor_id: ShortText = ""
    cover_ratio_bp: Annotated[int, Field(ge=0, le=10_000)] = 0


# The version a bank's officer decided on (from GET): when the line has changed since,
# the change is 409 with `expected_version` named, rather than made on stale facts.
ExpectedVersion = Annotated[
    int | None,
    Field(ge=1, le=2**63 - 1, description="optional: refuse (409) if the line has changed"),
]


class AmendCreditLimitBody(StrictBody):
    new_limit_fen: FenAmount
    reason: Reason
    expected_version: ExpectedVersion = None


class ExtendLoanBody(StrictBody):
    """展期: months to move the maturity date by (at most what the loan's term allows)."""

    months: TermMonths


class ReasonBody(StrictBody):
    reason: Reason


class LineStatusBody(ReasonBody):
    """Freeze, unfreeze or close a credit line."""

    expected_version: ExpectedVersion = None


class StatusChangeBody(StrictBody):
    """A status change of a member or an enterprise. `expected_version` (optional) is
    the version the office reviewed: if the record changed since, the change is 409
    rather than made on stale facts."""

    reason: Reason
    expected_version: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None


class ApplyForFinancingBody(StrictBody):
    bank_id: ShortText = Field("", description="Empty: matchmaking across your city's banks")
    currency: ShortText = "CNY"
    amount_fen: FenAmount
    term_months: TermMonths
    purpose: Text


class ApproveFinancingBody(StrictBody):
    credit_line_id: ShortText
    approved_fen: FenAmount | None = Field(None, description="Omit to approve the amount asked")


class MoveFundsBody(StrictBody):
    amount_fen: FenAmount


MIN_SECRET_CHARS = 16


class RegisterWebhookBody(StrictBody):
    url: Annotated[str, Field(min_length=8, max_length=2000, pattern=r"^https?://[\x21-\x7e]+$")]
    secret: Annotated[
        str,
        Field(
            min_length=MIN_SECRET_CHARS,
            max_length=200,
            description="16 to 200 characters, at least 16 of them not whitespace",
        ),
    ]

    @field_validator("secret", mode="after")
    @classmethod
    def _secret_is_not_blank(cls, value: str) -> str:
        # Sixteen spaces pass a length check but are no secret: anyone could sign.
        if sum(not c.isspace() for c in value) < MIN_SECRET_CHARS:
            raise ValueError(f"needs at least {MIN_SECRET_CHARS} characters that are not spaces")
        return value


class IssueCredentialBody(StrictBody):
    principal_type: Annotated[str, Field(pattern="^(bank|enterprise|guarantor|operator)$")]
    principal_id: ShortText = Field(
        description="A bank's or guarantee company's member id, or an enterprise id (a "
        "UUID); for an operator, a label"
    )
    scopes: Annotated[list[ShortText], Field(max_length=20)] = Field(
        [],
        description="e.g. rate_per_s=N (N from 0.01 to 10000) for this key's own rate limit",
    )

    @field_validator("scopes", mode="after")
    @classmethod
    def _valid_scopes(cls, value: list[str]) -> list[str]:
        try:
            check_scopes(value)
        except InvalidScopes as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("principal_id", mode="after")
    @classmethod
    def _canonical_principal_id(cls, value: str, info: ValidationInfo) -> str:
        principal_type = info.data.get("principal_type")
        if principal_type is None:
            return value  # principal_type is refused by itself
        try:
            return canonical_principal_id(PrincipalType(principal_type), value)
        except UnknownPrincipal as exc:
            raise ValueError(str(exc)) from None
