"""Reason codes and the plain-language sentences behind them (English and Chinese).

A reason is emitted when its feature passes a threshold; reasons are ordered by the feature's
contribution to the score. When none passes, the recommendation says only what is true of any
recommendation, that it is among the closest matches (``closest_match``), so every
recommendation carries at least one reason and none claims more than its features show.
"Matches your goal" also needs the goal to name the program clearly (see
:meth:`~skillmatch.core.features.FeatureBuilder.goal_named`). The thresholds of
``goal_match`` and ``skills_match`` are calibrated on real taxonomies
(``benchmarks/bench_ranking.py``). Codes are computed vectorised (for batch
scoring); sentences are written only for the recommendations a worker actually sees.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from skillmatch.core.features import EXCLUSION_CODES, FEATURE_NAMES
from skillmatch.core.reason_texts import ReasonContext, reason_texts
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
    Rule("goal_match", "goal_fit", 0.3),
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
    # never fires on a threshold: the reason of a recommendation no other rule explains
    Rule("closest_match", "semantic_fit", np.inf),
)
REASON_CODES: tuple[str, ...] = tuple(r.code for r in RULES)
_RULE_FEATURE = np.array([FEATURE_NAMES.index(r.feature) for r in RULES], dtype=np.int64)
_RULE_LOW = np.array([r.low for r in RULES], dtype=np.float32)
_RULE_HIGH = np.array([r.high for r in RULES], dtype=np.float32)
_CLOSEST = REASON_CODES.index("closest_match")
_GOAL = REASON_CODES.index("goal_match")
_PREREQ = REASON_CODES.index("prerequisites_met")


def reason_codes(
    values: NDArray[np.float32],
    contributions: NDArray[np.float32],
    has_required: NDArray[np.bool_],
    goal_named: NDArray[np.bool_],
) -> list[tuple[str, ...]]:
    """Reason codes of each row (shape (n, n_features)), best contribution first.

    ``has_required`` (shape (n,)) marks programs with skill prerequisites; without any,
    ``prerequisites_met`` would be vacuous and is not emitted. ``goal_named`` (shape (n,))
    marks the programs the worker's goal clearly names; only they may match the goal.
    """
    patterns, pattern_of = reason_patterns(values, contributions, has_required, goal_named)
    return [patterns[i] for i in pattern_of]


def reason_patterns(
    values: NDArray[np.float32],
    contributions: NDArray[np.float32],
    has_required: NDArray[np.bool_],
    goal_named: NDArray[np.bool_],
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
    fired[:, _PREREQ] &= has_required
    fired[:, _GOAL] &= goal_named
    rule_weight = contributions[:, _RULE_FEATURE]
    fired[~fired.any(axis=1), _CLOSEST] = True
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


def make_reason(code: str, weight: float, context: ReasonContext) -> Reason:
    """The :class:`Reason` for ``code`` with its sentences filled from ``context``."""
    text_en, text_zh = reason_texts(code, context)
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
