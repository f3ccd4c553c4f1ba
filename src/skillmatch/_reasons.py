"""Reason codes and the plain-language sentences behind them (English and Chinese).

A reason is emitted when its feature passes a threshold; reasons are ordered by the feature's
contribution to the score, and when none passes, the largest contribution still gives one, so
every recommendation carries at least one reason. Codes are computed vectorised (for batch
scoring); sentences are written only for the recommendations a worker actually sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from skillmatch.features import EXCLUSION_CODES, FEATURE_NAMES
from skillmatch.schema import Reason

#: Most reasons attached to one recommendation.
MAX_REASONS = 4


class Rule(NamedTuple):
    code: str
    feature: str
    low: float
    high: float = np.inf


#: One rule per code; a reason fires when ``low <= value < high``.
RULES: tuple[Rule, ...] = (
    Rule("skills_match", "semantic_fit", 0.5),
    Rule("goal_match", "goal_fit", 0.45),
    Rule("prerequisites_met", "prereq_coverage", 0.999),
    Rule("skill_gain", "skill_gain", 0.5),
    Rule("chain_industrial", "chain_industrial", 0.3),
    Rule("chain_supply", "chain_supply", 0.3),
    Rule("chain_innovation", "chain_innovation", 0.15),
    Rule("credential_uplift", "credential_uplift", 0.01),
    Rule("schedule_fit", "schedule_fit", 0.9),
    Rule("hours_fit", "hours_fit", 0.999),
    Rule("modality_fit", "modality_fit", 0.999),
    Rule("affordable", "affordability", 0.8),
    Rule("credit_transfer", "credit_transfer", 0.3),
    Rule("employer_sponsored", "sponsorship", 0.99),
    Rule("partner_sponsored", "sponsorship", 0.2, 0.99),
    Rule("well_rated", "program_prior", 0.8),
)
REASON_CODES: tuple[str, ...] = tuple(r.code for r in RULES)
_RULE_FEATURE = np.array([FEATURE_NAMES.index(r.feature) for r in RULES], dtype=np.int64)
_RULE_LOW = np.array([r.low for r in RULES], dtype=np.float32)
_RULE_HIGH = np.array([r.high for r in RULES], dtype=np.float32)
#: The code used for a feature when no rule passes (first rule of that feature).
_FALLBACK = np.array(
    [next(i for i, r in enumerate(RULES) if r.feature == f) for f in FEATURE_NAMES],
    dtype=np.int64,
)


def reason_codes(
    values: NDArray[np.float32], contributions: NDArray[np.float32], has_required: NDArray[np.bool_]
) -> list[tuple[str, ...]]:
    """Reason codes of each row (shape (n, n_features)), best contribution first.

    ``has_required`` (shape (n,)) marks programs with skill prerequisites; without any,
    ``prerequisites_met`` would be vacuous and is not emitted.
    """
    patterns, pattern_of = reason_patterns(values, contributions, has_required)
    return [patterns[i] for i in pattern_of]


def reason_patterns(
    values: NDArray[np.float32], contributions: NDArray[np.float32], has_required: NDArray[np.bool_]
) -> tuple[list[tuple[str, ...]], NDArray[np.int64]]:
    """:func:`reason_codes` as distinct code tuples and, per row, the index of its tuple.

    Few distinct tuples cover millions of rows, so batch output is built from this without
    one Python tuple per row.
    """
    n = values.shape[0]
    if n == 0:
        return [], np.zeros(0, dtype=np.int64)
    rule_values = values[:, _RULE_FEATURE]
    fired = (rule_values >= _RULE_LOW) & (rule_values < _RULE_HIGH)
    fired[:, REASON_CODES.index("prerequisites_met")] &= has_required
    rule_weight = contributions[:, _RULE_FEATURE]
    fallback = _FALLBACK[np.argmax(contributions, axis=1)]
    none = ~fired.any(axis=1)
    fired[none, fallback[none]] = True
    # rank fired rules by contribution (ties: rule order), best first: argmax picks the first
    # of equal maxima, so MAX_REASONS rounds of argmax give the stable order
    # A pattern is a number in base len(RULES) + 1 (digit j: 1 + the j-th rule, 0: none);
    # distinct ones are decoded once.
    masked = np.where(fired, rule_weight, -np.inf)
    rows = np.arange(n)
    base = len(RULES) + 1
    keys = np.zeros(n, dtype=np.int64)
    for j in range(MAX_REASONS):
        pick = np.argmax(masked, axis=1)
        found = masked[rows, pick] > -np.inf
        keys += np.where(found, pick + 1, 0) * base**j
        masked[rows, pick] = -np.inf
    seen = np.zeros(base**MAX_REASONS, dtype=bool)
    seen[keys] = True
    distinct = np.flatnonzero(seen)
    position = np.zeros(len(seen), dtype=np.int64)
    position[distinct] = np.arange(len(distinct))
    digits = (distinct[:, None] // base ** np.arange(MAX_REASONS)) % base
    decoded = [tuple(REASON_CODES[d - 1] for d in row if d) for row in digits.tolist()]
    return decoded, position[keys]


@dataclass
class ReasonContext:
    """The details a sentence may quote, gathered for one worker-program pair."""

    occupation: str
    goal: str | None
    matched: list[tuple[str, str]] = field(default_factory=list)
    gained: list[tuple[str, str]] = field(default_factory=list)
    required_met: list[tuple[str, str]] = field(default_factory=list)
    nodes: list[tuple[str, str]] = field(default_factory=list)
    employer_node: tuple[str, str] | None = None
    education_from: str = ""
    education_to: str = ""
    certificate_to: int = 0
    schedule: str = ""
    shift: str = ""
    weekly_load: float = 0.0
    weekly_hours: float = 0.0
    net_cost: float = 0.0
    credit_share: float = 0.0
    modality: str = ""


def _names(pairs: list[tuple[str, str]], lang: int, n: int = 3) -> str:
    sep = ", " if lang == 0 else "、"
    return sep.join(p[lang] for p in pairs[:n])


_SHIFT_ZH = {"day": "白班", "night": "夜班", "rotating": "倒班", "flexible": "弹性工作时间"}
_SCHEDULE_EN = {
    "weekday_evening": "Weekday-evening classes",
    "weekend": "Weekend classes",
    "weekday_day": "Weekday daytime classes",
    "self_paced": "Self-paced lessons",
    "full_time": "Full-time study",
}
_SCHEDULE_ZH = {
    "weekday_evening": "工作日晚间上课",
    "weekend": "周末上课",
    "weekday_day": "工作日白天上课",
    "self_paced": "自主安排学习时间",
    "full_time": "全日制学习",
}
_EDU_ZH = {
    "primary": "小学",
    "junior_secondary": "初中",
    "senior_secondary": "高中",
    "secondary_vocational": "中职",
    "junior_college": "大专",
    "bachelor": "本科",
    "postgraduate": "研究生",
}
_MODALITY_ZH = {"online": "线上", "in_person": "线下面授", "blended": "线上线下混合"}


def _texts(code: str, c: ReasonContext) -> tuple[str, str]:  # noqa: PLR0911 - a lookup table
    if code == "skills_match":
        if c.matched:
            return (
                f"Builds on skills you have: {_names(c.matched, 0)}.",
                f"与你已有的技能相关：{_names(c.matched, 1)}。",
            )
        return (f"Related to your work as {c.occupation}.", f"与你的工作（{c.occupation}）相关。")
    if code == "goal_match":
        return (f"Matches your goal: \u201c{c.goal}\u201d.", f"符合你的目标：“{c.goal}”。")
    if code == "prerequisites_met":
        return (
            f"You meet its skill prerequisites ({_names(c.required_met, 0)}).",
            f"你已具备报读所需的技能（{_names(c.required_met, 1)}）。",
        )
    if code == "skill_gain":
        return (
            f"Teaches skills in demand in your region: {_names(c.gained, 0)}.",
            f"可学到本地区紧缺的技能：{_names(c.gained, 1)}。",
        )
    if code == "chain_industrial":
        return (
            f"Serves industries hiring in your region: {_names(c.nodes, 0, 2)}.",
            f"对接本地区重点产业链岗位需求：{_names(c.nodes, 1, 2)}。",
        )
    if code == "chain_supply":
        emp = c.employer_node or ("your employer", "你所在企业")
        return (
            f"Linked to your employer's supply chain ({emp[0]}).",
            f"与你所在企业的供应链（{emp[1]}）紧密相关。",
        )
    if code == "chain_innovation":
        return (
            f"Prepares you for emerging technology in your region: {_names(c.nodes, 0, 2)}.",
            f"面向本地区创新链上的新技术：{_names(c.nodes, 1, 2)}。",
        )
    if code == "credential_uplift":
        if c.education_to:
            return (
                f"Raises your education from {c.education_from.replace('_', ' ')} to "
                f"{c.education_to.replace('_', ' ')}.",
                f"学历可从{_EDU_ZH.get(c.education_from, c.education_from)}提升到"
                f"{_EDU_ZH.get(c.education_to, c.education_to)}。",
            )
        return (
            f"Earns a national skill certificate at level {c.certificate_to}.",
            f"可获得国家职业技能等级证书（{c.certificate_to}级）。",
        )
    if code == "schedule_fit":
        return (
            f"{_SCHEDULE_EN.get(c.schedule, c.schedule)} fit your {c.shift} shifts.",
            f"{_SCHEDULE_ZH.get(c.schedule, c.schedule)}，适合你的"
            f"{_SHIFT_ZH.get(c.shift, c.shift)}。",
        )
    if code == "hours_fit":
        return (
            f"Needs about {c.weekly_load:.0f} h a week; you have {c.weekly_hours:.0f} h.",
            f"每周约需{c.weekly_load:.0f}小时，你每周有{c.weekly_hours:.0f}小时可用。",
        )
    if code == "modality_fit":
        return (
            f"Delivered {c.modality.replace('_', ' ')}, as you prefer.",
            f"授课方式为{_MODALITY_ZH.get(c.modality, c.modality)}，符合你的偏好。",
        )
    if code == "affordable":
        if c.net_cost < 1:
            return (
                "Free for you after financial aid and sponsorship.",
                "经资助和企业分担后，你无需付费。",
            )
        return (
            f"You pay about \u00a5{c.net_cost:,.0f} after financial aid and sponsorship.",
            f"扣除资助和企业分担后，你约需支付{c.net_cost:,.0f}元。",
        )
    if code == "credit_transfer":
        pct = round(100 * c.credit_share)
        return (
            f"You already know about {pct}% of it: prior learning can shorten the program.",
            f"你已掌握约{pct}%的内容，可申请学分认定、缩短学习时间。",
        )
    if code == "employer_sponsored":
        return (
            "Co-sponsored by your employer: paid learning time.",
            "由你所在企业联合举办，带薪学习。",
        )
    if code == "well_rated":
        return (
            "Many workers who were offered it enrolled and completed it.",
            "以往推荐给工人时，报读和结业的比例较高。",
        )
    if code == "partner_sponsored":
        return (
            "Sponsored by a partner in your employer's supply chain.",
            "由你所在企业的产业链合作伙伴资助。",
        )
    raise KeyError(code)


def make_reason(code: str, weight: float, context: ReasonContext) -> Reason:
    """The :class:`Reason` for ``code`` with its sentences filled from ``context``."""
    text_en, text_zh = _texts(code, context)
    return Reason(code=code, text_en=text_en, text_zh=text_zh, weight=round(float(weight), 6))


_EXCLUSION_TEXT: dict[str, tuple[str, str]] = {
    "education_below_minimum": (
        "Requires at least {min_education} education.",
        "报读需要{min_education_zh}及以上学历。",
    ),
    "certificate_below_minimum": (
        "Requires a level-{min_cert} certificate or higher{trade}.",
        "报读需要{min_cert}级及以上{trade_zh}职业技能等级证书。",
    ),
    "no_capacity": ("No places left.", "名额已满。"),
    "not_offered_in_region": ("Not offered in your region.", "你所在地区暂未开设。"),
    "already_holds_award": ("You already hold what it awards.", "你已具备该项目授予的学历或证书。"),
}


def exclusion_reasons(excluded: int, fields: dict[str, str]) -> list[Reason]:
    """One informative :class:`Reason` per exclusion bit set in ``excluded``."""
    out = []
    for bit, code in enumerate(EXCLUSION_CODES):
        if excluded >> bit & 1:
            en, zh = _EXCLUSION_TEXT[code]
            out.append(Reason(code=code, text_en=en.format(**fields), text_zh=zh.format(**fields)))
    return out
