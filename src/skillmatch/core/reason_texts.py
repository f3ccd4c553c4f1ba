"""Plain-language sentences of every reason code, in English and Chinese.

:func:`reason_texts` fills the sentence of a reason code from a :class:`ReasonContext`, the
details of one worker-program pair (skills matched and gained, chain nodes, schedule, cost).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["EDU_ZH", "TEXT_CODES", "ReasonContext", "reason_texts"]

#: ``(english, chinese)``
Texts = tuple[str, str]


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
EDU_ZH: dict[str, str] = {
    "primary": "小学",
    "junior_secondary": "初中",
    "senior_secondary": "高中",
    "secondary_vocational": "中职",
    "junior_college": "大专",
    "bachelor": "本科",
    "postgraduate": "研究生",
}
_MODALITY_ZH = {"online": "线上", "in_person": "线下面授", "blended": "线上线下混合"}


def _skills_match(c: ReasonContext) -> Texts:
    if c.matched:
        return (
            f"Builds on skills you have: {_names(c.matched, 0)}.",
            f"与你已有的技能相关：{_names(c.matched, 1)}。",
        )
    return (f"Related to your work as {c.occupation}.", f"与你的工作（{c.occupation}）相关。")


def _goal_match(c: ReasonContext) -> Texts:
    return (f"Matches your goal: \u201c{c.goal}\u201d.", f"符合你的目标：“{c.goal}”。")


def _chain_supply(c: ReasonContext) -> Texts:
    emp = c.employer_node or ("your employer", "你所在企业")
    return (
        f"Linked to your employer's supply chain ({emp[0]}).",
        f"与你所在企业的供应链（{emp[1]}）紧密相关。",
    )


def _credential_uplift(c: ReasonContext) -> Texts:
    if c.education_to:
        return (
            f"Raises your education from {c.education_from.replace('_', ' ')} to "
            f"{c.education_to.replace('_', ' ')}.",
            f"学历可从{EDU_ZH.get(c.education_from, c.education_from)}提升到"
            f"{EDU_ZH.get(c.education_to, c.education_to)}。",
        )
    return (
        f"Earns a national skill certificate at level {c.certificate_to}.",
        f"可获得国家职业技能等级证书（{c.certificate_to}级）。",
    )


def _affordable(c: ReasonContext) -> Texts:
    if c.net_cost < 1:
        return (
            "Free for you after financial aid and sponsorship.",
            "经资助和企业分担后，你无需付费。",
        )
    return (
        f"You pay about \u00a5{c.net_cost:,.0f} after financial aid and sponsorship.",
        f"扣除资助和企业分担后，你约需支付{c.net_cost:,.0f}元。",
    )


def _credit_transfer(c: ReasonContext) -> Texts:
    pct = round(100 * c.credit_share)
    return (
        f"You already know about {pct}% of it: prior learning can shorten the program.",
        f"你已掌握约{pct}%的内容，可申请学分认定、缩短学习时间。",
    )


#: Sentences that quote a list of the pair's skills or chain nodes: the context field, how
#: many items at most, and the English and Chinese templates.
# fmt: off
_LISTED: dict[str, tuple[str, int, str, str]] = {
    "prerequisites_met": ("required_met", 3, "You meet its skill prerequisites ({}).",
                          "你已具备报读所需的技能（{}）。"),
    "skill_gain": ("gained", 3, "Builds on what you know and teaches new skills: {}.",
                   "在你已有技能的基础上学习新技能：{}。"),
    "chain_industrial": ("nodes", 2, "Serves industries hiring in your region: {}.",
                         "对接本地区重点产业链岗位需求：{}。"),
    "chain_innovation": ("nodes", 2, "Prepares you for emerging technology in your region: {}.",
                         "面向本地区创新链上的新技术：{}。"),
}
# fmt: on

#: Sentences filled from the fields of :func:`_fit_fields`: when and how a program is taught
#: against the worker's time and preferences.
_FITS: dict[str, Texts] = {
    "schedule_fit": (
        "{schedule_en} fit your {shift} shifts.",
        "{schedule_zh}，适合你的{shift_zh}。",
    ),
    "hours_fit": (
        "Needs about {weekly_load:.0f} h a week; you have {weekly_hours:.0f} h.",
        "每周约需{weekly_load:.0f}小时，你每周有{weekly_hours:.0f}小时可用。",
    ),
    "modality_fit": (
        "Delivered {modality_en}, as you prefer.",
        "授课方式为{modality_zh}，符合你的偏好。",
    ),
}


def _fit_fields(c: ReasonContext) -> dict[str, object]:
    return {
        "schedule_en": _SCHEDULE_EN.get(c.schedule, c.schedule),
        "schedule_zh": _SCHEDULE_ZH.get(c.schedule, c.schedule),
        "shift": c.shift,
        "shift_zh": _SHIFT_ZH.get(c.shift, c.shift),
        "weekly_load": c.weekly_load,
        "weekly_hours": c.weekly_hours,
        "modality_en": c.modality.replace("_", " "),
        "modality_zh": _MODALITY_ZH.get(c.modality, c.modality),
    }


#: Sentences that need no detail of the pair.
_FIXED: dict[str, Texts] = {
    "employer_sponsored": (
        "Co-sponsored by your employer: paid learning time.",
        "由你所在企业联合举办，带薪学习。",
    ),
    "well_rated": (
        "Many workers who were offered it enrolled and completed it.",
        "以往推荐给工人时，报读和结业的比例较高。",
    ),
    "partner_sponsored": (
        "Sponsored by a partner in your employer's supply chain.",
        "由你所在企业的产业链合作伙伴资助。",
    ),
    "closest_match": (
        "Among the programs closest to your profile; no single strong reason stands out.",
        "在现有项目中与你的情况较为接近，但没有特别突出的理由。",
    ),
}

_BUILDERS: dict[str, Callable[[ReasonContext], Texts]] = {
    "skills_match": _skills_match,
    "goal_match": _goal_match,
    "chain_supply": _chain_supply,
    "credential_uplift": _credential_uplift,
    "affordable": _affordable,
    "credit_transfer": _credit_transfer,
}

#: Every reason code that has sentences.
TEXT_CODES: frozenset[str] = (
    frozenset(_BUILDERS) | frozenset(_LISTED) | frozenset(_FITS) | frozenset(_FIXED)
)


def reason_texts(code: str, context: ReasonContext) -> Texts:
    """The English and Chinese sentences of reason ``code`` for one pair.

    Raises
    ------
    KeyError
        ``code`` is not a reason code.
    """
    if code in _FIXED:
        return _FIXED[code]
    if code in _FITS:
        en, zh = _FITS[code]
        fields = _fit_fields(context)
        return en.format(**fields), zh.format(**fields)
    if code in _LISTED:
        field_name, n, en, zh = _LISTED[code]
        pairs: list[tuple[str, str]] = getattr(context, field_name)
        return en.format(_names(pairs, 0, n)), zh.format(_names(pairs, 1, n))
    return _BUILDERS[code](context)
