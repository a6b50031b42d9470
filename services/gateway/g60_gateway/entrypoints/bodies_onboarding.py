"""Request bodies of SME onboarding: the public sign-up and the office's decisions.
Strict like every write body (unknown fields refused, no control characters)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from g60_gateway.entrypoints.bodies import Reason, ShortText, StrictBody, Text


class SelfRegistrationBody(StrictBody):
    """The members service checks every rule (the USCC check character, the nine cities,
    the size classes) and names each bad field."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    uscc: ShortText = Field(description="Unified social credit code (GB 32100), 18 characters")
    city: ShortText = Field(description="One of the nine corridor city codes, e.g. 340100")
    industry: ShortText = Field(description="A key industry, or OTHER with industry_code")
    industry_code: ShortText = Field("", description="GB/T 4754 code; required for OTHER")
    size_class: ShortText = Field(description="MICRO, SMALL or MEDIUM")
    contact: Text = Field(
        description="Who the alliance office calls to verify the enterprise (name, phone)"
    )


class EnterpriseDecisionBody(StrictBody):
    """The office's decision. `expected_version` (optional) is the version it reviewed:
    if the record changed since, the decision is 409 rather than made on stale facts."""

    reason: Reason
    expected_version: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
