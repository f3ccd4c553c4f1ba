"""Reason patterns against a direct per-row sort (the definition of the order)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skillmatch.core.features import FEATURE_NAMES
from skillmatch.core.reasons import (
    _RULE_FEATURE,
    _RULE_HIGH,
    _RULE_LOW,
    MAX_REASONS,
    REASON_CODES,
    reason_codes,
    reason_patterns,
)

F = len(FEATURE_NAMES)


def oracle(
    values: np.ndarray, contributions: np.ndarray, has_required: np.ndarray, named: np.ndarray
) -> list:
    """Fired rules sorted by contribution, ties by rule order; closest_match when none fires."""
    out = []
    for v, c, req, goal in zip(values, contributions, has_required, named, strict=True):
        fired = [
            i
            for i, f in enumerate(_RULE_FEATURE)
            if _RULE_LOW[i] <= v[f] < _RULE_HIGH[i]
            and (REASON_CODES[i] != "prerequisites_met" or req)
            and (REASON_CODES[i] != "goal_match" or goal)
        ]
        if not fired:
            fired = [REASON_CODES.index("closest_match")]
        fired.sort(key=lambda i: -c[_RULE_FEATURE[i]])  # stable: rule order breaks ties
        out.append(tuple(REASON_CODES[i] for i in fired[:MAX_REASONS]))
    return out


# few distinct values, so thresholds are hit exactly and contributions tie often
cells = st.sampled_from([0.0, 0.1, 0.2, 0.3, 0.45, 0.5, 0.8, 0.9, 0.99, 0.999, 1.0])


@settings(max_examples=200, deadline=None)
@given(
    values=hnp.arrays(np.float32, st.tuples(st.integers(0, 12), st.just(F)), elements=cells),
    data=st.data(),
)
def test_patterns_equal_a_per_row_sort(values: np.ndarray, data: st.DataObject) -> None:
    n = len(values)
    contributions = data.draw(hnp.arrays(np.float32, (n, F), elements=cells))
    has_required = data.draw(hnp.arrays(np.bool_, n))
    named = data.draw(hnp.arrays(np.bool_, n))
    want = oracle(values, contributions, has_required, named)
    assert reason_codes(values, contributions, has_required, named) == want
    patterns, pattern_of = reason_patterns(values, contributions, has_required, named)
    assert len(set(patterns)) == len(patterns) and len(pattern_of) == n
    assert all(1 <= len(p) <= MAX_REASONS for p in patterns)


def test_every_reason_code_has_sentences_in_both_languages() -> None:
    from skillmatch.core.reason_texts import TEXT_CODES, ReasonContext, reason_texts

    assert TEXT_CODES == set(REASON_CODES)
    context = ReasonContext(occupation="welder", goal="weld", matched=[("Welding", "焊接")])
    for code in REASON_CODES:
        en, zh = reason_texts(code, context)
        assert en and zh and en != zh
