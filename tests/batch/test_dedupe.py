"""Run-wide duplicate worker ids against a plain dictionary."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from skillmatch.batch.dedupe import SeenIds

ids = st.one_of(
    st.none(),
    st.sampled_from(["a", " a", "b ", "b", "c", "d", "", "  "]),
    st.text(alphabet="ab \t", max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(chunks=st.lists(st.lists(ids, max_size=20), max_size=12))
def test_first_rows_equal_a_dictionary(chunks: list[list[str | None]]) -> None:
    seen, owner = SeenIds(), {}
    start = 0
    for chunk in chunks:  # many small chunks: the sorted runs merge again and again
        got = seen.mark(pa.array(chunk, pa.string()), start).tolist()
        want = []
        for row, value in enumerate(chunk, start):
            if value is None:
                want.append(-1)
                continue
            key = value.strip()
            want.append(owner.get(key, -1))
            owner.setdefault(key, row)
        assert got == want
        start += len(chunk)
    assert len(seen) == len(owner)
