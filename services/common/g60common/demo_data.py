"""Demo data for the local platform: banks and enterprises in all nine corridor cities
and a credit line for each enterprise, loaded through the gateway like any client,
plus one SME that signed itself up and waits for the alliance office's check."""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

from g60common.corridor import CORRIDOR_CITIES, Industry, SizeClass
from g60common.uscc import random_uscc

_BANK_NAMES = {
    "310117": "上海农商银行松江支行",
    "330400": "嘉兴银行",
    "330100": "杭州银行",
    "330700": "金华银行",
    "320500": "苏州银行",
    "330500": "湖州银行",
    "341800": "宣城农商银行",
    "340200": "芜湖扬子农商银行",
    "340100": "合肥科技农商银行",
}
_INDUSTRIES = [i for i in Industry if i is not Industry.OTHER]


@dataclass(frozen=True)
class DemoResult:
    banks: dict[str, str]  # city code -> member id
    bank_keys: dict[str, str]  # city code -> API key
    credit_lines: int
    pending_enterprise_id: str = ""  # self-registered, PENDING_VERIFICATION


def _post(
    client: httpx.Client, path: str, key: str, body: dict[str, object], idem: str
) -> dict[str, object]:
    reply = client.post(path, json=body, headers={"X-API-Key": key, "Idempotency-Key": idem})
    reply.raise_for_status()
    return dict(reply.json())


def load_demo_data(gateway_url: str, operator_key: str, seed: int = 60) -> DemoResult:
    """Safe to re-run: every write uses a deterministic Idempotency-Key."""
    rng = random.Random(seed)
    banks: dict[str, str] = {}
    keys: dict[str, str] = {}
    lines = 0
    with httpx.Client(base_url=gateway_url, timeout=10.0) as client:
        for index, (code, city) in enumerate(CORRIDOR_CITIES.items()):
            bank = _post(
                client,
                "/v1/members",
                operator_key,
                {
                    "name": _BANK_NAMES[code],
                    "short_name": city.name_zh + "银行",
                    "institution_type": "BANK",
                    "home_city": code,
                    "uscc": random_uscc(rng, code),
                    "contact": f"credit-desk@{code}.example",
                },
                f"demo-bank-{seed}-{code}",
            )
            banks[code] = str(bank["member_id"])
            keys[code] = str(
                _post(
                    client,
                    "/v1/credentials",
                    operator_key,
                    {
                        "principal_type": "bank",
                        "principal_id": banks[code],
                        "scopes": ["credit"],
                    },
                    f"demo-key-{seed}-{code}",
                )["api_key"]
            )
            for n in range(3):
                enterprise = _post(
                    client,
                    "/v1/enterprises",
                    operator_key,
                    {
                        "name": f"{city.name_zh}科技企业{n + 1}号",
                        "uscc": random_uscc(rng, code),
                        "city": code,
                        "industry": _INDUSTRIES[(index + n) % len(_INDUSTRIES)].value,
                        "size_class": rng.choice(
                            [SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM]
                        ).value,
                        "designations": ["HIGH_TECH"] if n == 0 else [],
                        "registered_capital_fen": rng.randint(1, 500) * 1_000_000,
                    },
                    f"demo-ent-{seed}-{code}-{n}",
                )
                _post(
                    client,
                    "/v1/credit-lines",
                    keys[code],
                    {
                        "enterprise_id": enterprise["enterprise_id"],
                        "product": "TECHNOLOGY_LOAN",
                        "limit_fen": rng.randint(10, 500) * 10_000_000,
                        "revolving": True,
                        "valid_from": "2026-01-01",
                        "valid_to": "2027-12-31",
                    },
                    f"demo-line-{seed}-{code}-{n}",
                )
                lines += 1
        pending = _self_registered_sme(client, rng, seed)
    return DemoResult(
        banks=banks, bank_keys=keys, credit_lines=lines, pending_enterprise_id=pending
    )


def _self_registered_sme(client: httpx.Client, rng: random.Random, seed: int) -> str:
    """Through the public sign-up (no API key): it shows up in the office's queue,
    `GET /v1/enterprises?status=PENDING_VERIFICATION`."""
    reply = client.post(
        "/v1/sme/register",
        json={
            "name": "嘉兴智能传感科技有限公司",
            "uscc": random_uscc(rng, "330400"),
            "city": "330400",
            "industry": Industry.HIGH_END_EQUIPMENT.value,
            "size_class": SizeClass.MICRO.value,
            "contact": "周经理 0573-82345678",
        },
        headers={"Idempotency-Key": f"demo-signup-{seed}"},
    )
    reply.raise_for_status()
    return str(reply.json()["enterprise"]["enterprise_id"])
