"""Five-tier loan risk classification (贷款五级分类).

The 2023 rules (商业银行金融资产风险分类办法) set floors by days past due: a loan overdue at
all is at least SPECIAL_MENTION (关注); more than 90 days, at least SUBSTANDARD (次级);
more than 270, at least DOUBTFUL (可疑); more than 360, LOSS (损失). The last three are
non-performing (不良). Days past due count from the maturity date (Asia/Shanghai): on
the day after maturity a loan is 1 day past due.

The platform classifies automatically by these floors only, so it only ever moves a loan
down (worse): a repayment does not lift a class the rules put it in, and a bank's own,
better-informed judgement is outside the platform.
"""

from __future__ import annotations

from enum import StrEnum


class RiskClass(StrEnum):
    NORMAL = "NORMAL"  # 正常
    SPECIAL_MENTION = "SPECIAL_MENTION"  # 关注
    SUBSTANDARD = "SUBSTANDARD"  # 次级
    DOUBTFUL = "DOUBTFUL"  # 可疑
    LOSS = "LOSS"  # 损失


# Best to worst: the enum's order is the severity.
_SEVERITY = {risk_class: rank for rank, risk_class in enumerate(RiskClass)}
NON_PERFORMING = frozenset({RiskClass.SUBSTANDARD, RiskClass.DOUBTFUL, RiskClass.LOSS})
# (days past due a loan must exceed, the class it is then at least in), worst first.
FLOORS_DAYS: tuple[tuple[int, RiskClass], ...] = (
    (360, RiskClass.LOSS),
    (270, RiskClass.DOUBTFUL),
    (90, RiskClass.SUBSTANDARD),
    (0, RiskClass.SPECIAL_MENTION),
)


def class_for_days_past_due(days_past_due: int) -> RiskClass:
    """The class the floors put a loan `days_past_due` days late in (0: not overdue)."""
    assert days_past_due >= 0, "a loan not yet due is 0 days past due"
    for floor_days, risk_class in FLOORS_DAYS:
        if days_past_due > floor_days:
            return risk_class
    return RiskClass.NORMAL


def is_worse(candidate: RiskClass, than: RiskClass) -> bool:
    return _SEVERITY[candidate] > _SEVERITY[than]


def downgrade(current: RiskClass, days_past_due: int) -> RiskClass | None:
    """The class automatic reclassification moves a loan to, or None when the floors put
    it nowhere worse: never up, never sideways."""
    floor = class_for_days_past_due(days_past_due)
    return floor if is_worse(floor, current) else None


def leaves_after_days(risk_class: RiskClass) -> int | None:
    """Days past due beyond which a loan of `risk_class` belongs in a worse class (None
    for LOSS, the worst): the sweeper's cut-off for each class."""
    worse = [floor for floor, c in FLOORS_DAYS if is_worse(c, risk_class)]
    return min(worse, default=None)


def is_non_performing(risk_class: RiskClass) -> bool:
    return risk_class in NON_PERFORMING
