"""Request bodies of SME onboarding: the public sign-up and the office's decisions.
Strict like every write body (unknown fields refused, no control characters)."""

from __future__ import annotations

from pydantic import Field

from g60_gateway.entrypoints.bodies import ShortText, StatusChangeBody, StrictBody, Text


class SelfRegistrationBody(StrictBody):
    """The members service checks every rule (the USCC check character, the nine cities,
    the size classes, a name that is not blank) and names each bad field. So `name`
    has no minimum length here: the gateway refusing an empty name by itself would
    hide every other bad field of the body."""

    name: Text
    uscc: ShortText = Field(description="Unified social credit code (GB 32100), 18 characters")
    city: ShortText = Field(description="One of the nine corridor city codes, e.g. 340100")
    industry: ShortText = Field(description="A key industry, or OTHER with industry_code")
    industry_code: ShortText = Field("", description="GB/T 4754 code; required for OTHER")
    size_class: ShortText = Field(description="MICRO, SMALL or MEDIUM")
    contact: Text = Field(
        description="Who the alliance office calls to verify the enterprise (name, phone)"
    )


class EnterpriseDecisionBody(StatusChangeBody):
    """The office's decision on an enterprise (verify, reject, deregister)."""
