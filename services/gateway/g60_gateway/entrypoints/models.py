"""Request and response bodies. Writes are strict: unknown fields are rejected, and
money is integer fen (or a decimal string), never a float or exponent."""

from __future__ import annotations

from typing import Annotated, Any

from g60common.money import MoneyError, parse_fen
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema


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


class StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


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


class IssueCredentialBody(StrictBody):
    principal_type: Annotated[str, Field(pattern="^(bank|enterprise|operator)$")]
    principal_id: ShortText
    scopes: Annotated[list[ShortText], Field(max_length=20)] = []


class Member(BaseModel):
    member_id: str
    name: str
    short_name: str
    institution_type: str
    home_city: str
    uscc: str
    contact: str
    status: str
    version: int


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
    status: str
    version: int


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


class IssuedCredential(BaseModel):
    key_id: str
    api_key: str = Field(description="Shown once; only its hash is stored.")
