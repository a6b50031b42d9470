"""Demo data for the local platform, loaded through the gateway like any client.

In each of the nine corridor cities: a bank, three enterprises, a credit line for each
from its city's bank and standby lines from the next two cities' banks, and the
financing that makes the totals and the dashboard move. A guarantee company in Hefei
(capacity 5亿元) guarantees half of each city's first line, so its drawdowns use part
of that capacity. The first enterprise's
application is approved and drawn in two tranches (in every other city it has repaid
part of it); the second one's is rejected in every other city and approved (not yet
drawn) in the rest; the third asks every bank of its city (matchmaking) and waits.
Plus one SME that signed itself up and waits for the alliance office's check."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

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
_GUARANTOR_CITY = "340100"  # Hefei
GUARANTOR_CAPACITY_FEN = 50_000_000_000  # 5亿元
GUARANTEE_COVER_BP = 5_000  # half of each guaranteed line


class DemoDataError(Exception):
    """The gateway refused a demo write."""


@dataclass
class DemoFinancing:
    """What the demo's financing adds up to: the alliance totals must show the same."""

    applications: int = 0
    approved: int = 0
    rejected: int = 0
    disbursements: int = 0
    disbursed_fen: int = 0
    repaid_fen: int = 0


@dataclass(frozen=True)
class DemoResult:
    banks: dict[str, str]  # city code -> member id
    bank_keys: dict[str, str]  # city code -> API key
    credit_lines: int
    pending_enterprise_id: str = ""  # self-registered, PENDING_VERIFICATION
    financing: DemoFinancing = field(default_factory=DemoFinancing)
    guarantor_id: str = ""  # the guarantee company in Hefei
    guarantor_key: str = ""


def _post(
    client: httpx.Client, path: str, key: str, body: dict[str, object], idem: str
) -> dict[str, object]:
    reply = client.post(path, json=body, headers={"X-API-Key": key, "Idempotency-Key": idem})
    if reply.is_error:  # the problem+json names the field: say it
        raise DemoDataError(f"POST {path}: {reply.status_code} {reply.text}")
    return dict(reply.json())


def load_demo_data(gateway_url: str, operator_key: str, seed: int = 60) -> DemoResult:
    """Safe to re-run: every write uses a deterministic Idempotency-Key."""
    rng = random.Random(seed)
    banks: dict[str, str] = {}
    keys: dict[str, str] = {}
    financing = DemoFinancing()
    lines = 0
    with httpx.Client(base_url=gateway_url, timeout=10.0) as client:
        office = _Client(client, operator_key, f"demo-{seed}")
        for code, city in CORRIDOR_CITIES.items():
            banks[code], keys[code] = _bank(office, rng, code, city.name_zh)
        # Its own random stream: every other demo party keeps the codes it always had.
        guarantor_id, guarantor_key = _guarantor(office, random.Random(f"{seed}-guarantor"))
        codes = list(CORRIDOR_CITIES)
        for index, (code, city) in enumerate(CORRIDOR_CITIES.items()):
            for n in range(3):
                enterprise_id = _enterprise(office, rng, code, city.name_zh, index, n)
                ent_key = office.issue_key("enterprise", enterprise_id, f"ent-key-{code}-{n}")
                # Both sides' steps for this enterprise get Idempotency-Keys of their own.
                prefix = f"demo-{seed}-{code}-{n}"
                bank = _Client(client, keys[code], prefix)
                limit_fen = rng.randint(10, 500) * 10_000_000
                backer = guarantor_id if n == 0 else ""  # each city's first line
                line_id = _credit_line(bank, enterprise_id, limit_fen, backer)
                # Standby lines from the next two cities' banks: lending across the
                # corridor is the alliance's point, and with one bank per city a city's
                # public figures would otherwise be withheld as that bank's book.
                for neighbour in (codes[(index + 1) % len(codes)], codes[(index + 2) % len(codes)]):
                    standby = _Client(client, keys[neighbour], f"{prefix}-from-{neighbour}")
                    _credit_line(standby, enterprise_id, limit_fen // 4)
                lines += 3
                applicant = _Client(client, ent_key, prefix)
                story = _Story(applicant, bank, financing, banks[code], line_id)
                story.play(n, index, limit_fen // 2)
        pending = _self_registered_sme(client, rng, seed)
    return DemoResult(
        banks=banks,
        bank_keys=keys,
        credit_lines=lines,
        pending_enterprise_id=pending,
        financing=financing,
        guarantor_id=guarantor_id,
        guarantor_key=guarantor_key,
    )


def _credit_line(bank: _Client, enterprise_id: str, limit_fen: int, guarantor_id: str = "") -> str:
    guarantee = (
        {"guarantor_id": guarantor_id, "cover_ratio_bp": GUARANTEE_COVER_BP} if guarantor_id else {}
    )
    line = bank.post(
        "/v1/credit-lines",
        {
            "enterprise_id": enterprise_id,
            "product": "GUARANTEE_BACKED" if guarantor_id else "TECHNOLOGY_LOAN",
            "limit_fen": limit_fen,
            "revolving": True,
            "valid_from": "2026-01-01",
            "valid_to": "2027-12-31",
            **guarantee,
        },
        "line",
    )
    return str(line["credit_line_id"])


def _guarantor(office: _Client, rng: random.Random) -> tuple[str, str]:
    """The guarantee company, its capacity and its key (it reads the loans it backs)."""
    guarantor = office.post(
        "/v1/members",
        {
            "name": "合肥科创融资担保有限公司",
            "short_name": "合肥科创担保",
            "institution_type": "GUARANTEE",
            "home_city": _GUARANTOR_CITY,
            "uscc": random_uscc(rng, _GUARANTOR_CITY),
            "contact": f"guarantee-desk@{_GUARANTOR_CITY}.example",
        },
        "guarantor",
    )
    member_id = str(guarantor["member_id"])
    capacity: dict[str, object] = {"capacity_fen": GUARANTOR_CAPACITY_FEN}
    office.post(f"/v1/guarantors/{member_id}/capacity", capacity, "guarantor-capacity")
    return member_id, office.issue_key("guarantor", member_id, "guarantor-key")


@dataclass
class _Client:
    """One caller of the gateway; Idempotency-Keys are `<prefix>-<step>`, so a re-run
    repeats every write's key and changes nothing."""

    http: httpx.Client
    api_key: str
    prefix: str

    def post(self, path: str, body: dict[str, object], step: str) -> dict[str, object]:
        return _post(self.http, path, self.api_key, body, f"{self.prefix}-{step}")

    def issue_key(self, principal_type: str, principal_id: str, step: str) -> str:
        body: dict[str, object] = {"principal_type": principal_type, "principal_id": principal_id}
        return str(self.post("/v1/credentials", body, step)["api_key"])


@dataclass
class _Story:
    """One enterprise's financing, told through the gateway."""

    applicant: _Client
    bank: _Client
    financing: DemoFinancing
    bank_id: str
    line_id: str  # the enterprise's credit line with that bank

    def play(self, n: int, city_index: int, amount_fen: int) -> None:
        if n == 2:  # matchmaking: every ACTIVE bank of the city sees it, none has acted
            self._apply("", amount_fen)
            return
        app = f"/v1/applications/{self._apply(self.bank_id, amount_fen)}"
        if n == 1 and city_index % 2 == 0:
            self.bank.post(f"{app}/reject", {"reason": "collateral not sufficient"}, "reject")
            self.financing.rejected += 1
            return
        self.bank.post(f"{app}/approve", {"credit_line_id": self.line_id}, "approve")
        self.financing.approved += 1
        if n == 1:
            return
        for tranche, share in enumerate((0.6, 0.4)):
            amount = int(amount_fen * share)
            self.bank.post(f"{app}/disbursements", {"amount_fen": amount}, f"tranche-{tranche}")
            self.financing.disbursements += 1
            self.financing.disbursed_fen += amount
        if city_index % 2 == 1:
            repaid_fen = amount_fen // 4
            self.bank.post(f"{app}/repayments", {"amount_fen": repaid_fen}, "repayment")
            self.financing.repaid_fen += repaid_fen

    def _apply(self, bank_id: str, amount_fen: int) -> str:
        body = {
            "bank_id": bank_id,
            "amount_fen": amount_fen,
            "term_months": 12,
            "purpose": "研发投入与设备采购",
        }
        self.financing.applications += 1
        return str(self.applicant.post("/v1/applications", body, "apply")["application_id"])


def _bank(office: _Client, rng: random.Random, code: str, city_name: str) -> tuple[str, str]:
    bank = office.post(
        "/v1/members",
        {
            "name": _BANK_NAMES[code],
            "short_name": city_name + "银行",
            "institution_type": "BANK",
            "home_city": code,
            "uscc": random_uscc(rng, code),
            "contact": f"credit-desk@{code}.example",
        },
        f"bank-{code}",
    )
    member_id = str(bank["member_id"])
    return member_id, office.issue_key("bank", member_id, f"key-{code}")


def _enterprise(
    office: _Client, rng: random.Random, code: str, city_name: str, city_index: int, n: int
) -> str:
    enterprise = office.post(
        "/v1/enterprises",
        {
            "name": f"{city_name}科技企业{n + 1}号",
            "uscc": random_uscc(rng, code),
            "city": code,
            "industry": _INDUSTRIES[(city_index + n) % len(_INDUSTRIES)].value,
            "size_class": rng.choice([SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM]).value,
            "designations": ["HIGH_TECH"] if n == 0 else [],
            "registered_capital_fen": rng.randint(1, 500) * 1_000_000,
        },
        f"ent-{code}-{n}",
    )
    return str(enterprise["enterprise_id"])


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
