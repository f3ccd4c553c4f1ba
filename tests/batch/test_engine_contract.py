"""One contract for every batch engine: the local runner, Spark and Dask.

:class:`EngineContract` holds the checks (after implicit's ``RecommenderBaseTestMixin``): the
same top-k rows and scores as :meth:`Recommender.score_frame` on the same rows, bad rows
quarantined with their field, value and reason, duplicate ``worker_id`` quarantined, rows in
= scored + quarantined, ``on_error="raise"`` naming the first bad row, every ``bundle_hash``
the recommender's fingerprint, and the same argument checks. Each subclass only says how to
run its engine; each engine scores the clean and the dirty input once per test session.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import pandas as pd
import pytest

from skillmatch.batch import QUARANTINE_COLUMNS, score_file
from skillmatch.batch.engines import _require
from skillmatch.core import Recommender
from skillmatch.distributed import (
    OUTPUT_COLUMNS,
    EngineCounts,
    EngineResult,
    score_dask,
    score_spark,
)
from skillmatch.errors import MissingDependencyError, SchemaError
from tests.batch.data import (
    DAMAGE,
    FIRST_BAD_ROWS,
    N_CLEAN,
    SIZES,
    K,
    normalise,
    read_scores,
    records,
)

# Engines warn about their own environment (pandas 3 support, hostname, large graphs).
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:Sending large graph:UserWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]
#: What ``on_error="raise"`` reports, whatever wraps it.
RAISED = r"\d+ invalid worker row\(s\) in a partition; first at row (\d+)"


class Outcome(NamedTuple):
    """An engine's output, collected: scores (normalised), quarantine (by row) and counts."""

    score_columns: tuple[str, ...]
    quarantine_columns: tuple[str, ...]
    scores: pd.DataFrame
    quarantine: pd.DataFrame
    counts: EngineCounts


def _outcome(scores: pd.DataFrame, quarantine: pd.DataFrame, counts: EngineCounts) -> Outcome:
    return Outcome(
        tuple(scores.columns),
        tuple(quarantine.columns),
        normalise(scores),
        quarantine.sort_values("row", ignore_index=True),
        counts,
    )


def _score_frame(rec: Recommender, frame: pd.DataFrame) -> pd.DataFrame:
    """The oracle: :meth:`Recommender.score_frame` on the same rows, normalised."""
    return normalise(rec.score_frame(frame, k=K).assign(bundle_hash="")).drop(columns="bundle_hash")


@pytest.fixture(scope="module")
def local_clean(
    workers_dir: Path, world_rec: Recommender, tmp_path_factory: pytest.TempPathFactory
) -> pd.DataFrame:
    """The local runner's scores of ``workers_dir`` (chunks of 200 cross the files)."""
    out = tmp_path_factory.mktemp("local") / "out"
    score_file(workers_dir, out, recommender=world_rec, k=K, chunk_size=200, progress=False)
    return read_scores(out)


@pytest.fixture(scope="module")
def local_dirty(
    dirty_dir: Path, world_rec: Recommender, tmp_path_factory: pytest.TempPathFactory
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The local runner's scores and quarantine of ``dirty_dir`` (chunks cross the files)."""
    out = tmp_path_factory.mktemp("dirty_local") / "out"
    summary = score_file(dirty_dir, out, recommender=world_rec, k=K, chunk_size=25, progress=False)
    assert summary.n_quarantined == len(DAMAGE)
    return read_scores(out), pd.read_parquet(out / "quarantine.parquet")


class EngineContract:
    """The checks every engine passes. A subclass implements :meth:`run` and the rest of the
    hooks; it may add checks of its own."""

    #: Module the engine needs (skipped without it), or None.
    requires: ClassVar[str | None] = None
    #: Whether the engine takes ``on_error`` (the local runner always quarantines).
    has_on_error: ClassVar[bool] = True
    #: What the raised error's message starts with, before :data:`RAISED`.
    raised_prefix: ClassVar[str] = ""
    #: The session-scoped fixture the engine runs on (Spark session, Dask client), or None.
    session_fixture: ClassVar[str | None] = None

    # -- hooks --------------------------------------------------------------------------
    @classmethod
    def run(cls, session: Any, workers: Path, rec: Recommender, out: Path) -> Outcome:
        """Score ``workers`` with ``k=K`` on ``session`` and collect the outputs."""
        raise NotImplementedError

    @classmethod
    def run_raising(cls, session: Any, workers: Path, rec: Recommender) -> None:
        """Score ``workers`` with ``on_error="raise"`` until the engine fails."""
        raise NotImplementedError

    @classmethod
    def raised_type(cls) -> type[BaseException]:
        """The exception the engine raises for ``on_error="raise"``."""
        return SchemaError

    @classmethod
    def call(cls, recommender: Any, **kwargs: Any) -> object:
        """Call the entry point with arguments it must refuse before reading any input."""
        raise NotImplementedError

    # -- one run per dataset --------------------------------------------------------------
    @pytest.fixture(autouse=True)
    def _engine_installed(self) -> None:
        if self.requires is not None:
            pytest.importorskip(self.requires)

    @pytest.fixture(scope="class")
    @classmethod
    def session(cls, request: pytest.FixtureRequest) -> Any:
        """The engine's session-scoped Spark session or Dask client (None: local runner)."""
        if cls.session_fixture is None:
            return None
        return request.getfixturevalue(cls.session_fixture)

    @pytest.fixture(scope="class")
    @classmethod
    def clean(
        cls,
        session: Any,
        workers_dir: Path,
        world_rec: Recommender,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Outcome:
        """The engine's outputs for ``workers_dir``, scored once per class."""
        return cls.run(session, workers_dir, world_rec, tmp_path_factory.mktemp("clean") / "out")

    @pytest.fixture(scope="class")
    @classmethod
    def dirty(
        cls,
        session: Any,
        dirty_dir: Path,
        world_rec: Recommender,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Outcome:
        """The engine's outputs for ``dirty_dir``, scored once per class."""
        return cls.run(session, dirty_dir, world_rec, tmp_path_factory.mktemp("dirty") / "out")

    # -- scores ---------------------------------------------------------------------------
    @pytest.mark.slow
    def test_scores_equal_score_frame(
        self, clean: Outcome, workers_frame: pd.DataFrame, world_rec: Recommender
    ) -> None:
        assert clean.score_columns == OUTPUT_COLUMNS
        got = clean.scores.drop(columns="bundle_hash")
        expected = _score_frame(world_rec, workers_frame)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)

    @pytest.mark.slow
    def test_scores_equal_local_runner(self, clean: Outcome, local_clean: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(clean.scores, normalise(local_clean), check_dtype=False)

    @pytest.mark.slow
    def test_bad_rows_leave_the_other_scores_unchanged(
        self,
        dirty: Outcome,
        dirty_frame: pd.DataFrame,
        world_rec: Recommender,
        local_dirty: tuple[pd.DataFrame, pd.DataFrame],
    ) -> None:
        got = dirty.scores.drop(columns="bundle_hash")
        expected = _score_frame(world_rec, dirty_frame.drop(index=list(DAMAGE)))
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)
        local_scores, _ = local_dirty
        pd.testing.assert_frame_equal(dirty.scores, normalise(local_scores), check_dtype=False)

    @pytest.mark.slow
    def test_bundle_hash_is_the_fingerprint(
        self, clean: Outcome, dirty: Outcome, world_rec: Recommender
    ) -> None:
        for outcome in (clean, dirty):
            assert len(outcome.scores)
            assert (outcome.scores["bundle_hash"] == world_rec.fingerprint()).all()

    # -- counts and quarantine ------------------------------------------------------------
    @pytest.mark.slow
    def test_clean_input_is_all_scored(self, clean: Outcome) -> None:
        assert clean.quarantine_columns == QUARANTINE_COLUMNS
        assert len(clean.quarantine) == 0
        assert clean.counts == EngineCounts(N_CLEAN, N_CLEAN, 0, len(clean.scores))

    @pytest.mark.slow
    def test_rows_in_equal_scored_plus_quarantined(self, dirty: Outcome) -> None:
        n_workers = sum(SIZES)
        assert dirty.counts == EngineCounts(
            n_workers, n_workers - len(DAMAGE), len(DAMAGE), len(dirty.scores)
        )
        assert dirty.counts.n_rows_in == dirty.counts.n_scored + dirty.counts.n_quarantined
        assert dirty.scores["worker_id"].nunique() <= dirty.counts.n_scored
        assert dirty.scores.groupby("worker_id").size().max() <= K

    @pytest.mark.slow
    def test_bad_rows_are_quarantined_with_field_value_and_reason(
        self, dirty: Outcome, dirty_frame: pd.DataFrame
    ) -> None:
        got = dirty.quarantine
        assert dirty.quarantine_columns == QUARANTINE_COLUMNS
        assert got["row"].tolist() == sorted(DAMAGE)
        by_row = {r["row"]: r for r in records(got)}
        for row, (column, _) in DAMAGE.items():
            if column == "dup":
                continue
            assert by_row[row]["field"] == column, by_row[row]
            assert by_row[row]["reason"], by_row[row]
        assert "phd" in by_row[3]["value"] and by_row[7]["value"] == "-1.0"
        assert "welder" in by_row[45]["value"]
        assert by_row[20]["reason"] == "Field required" and by_row[20]["worker_id"] is None
        ids = dirty_frame["worker_id"].tolist()
        for row, record in zip(got["row"], got["record"], strict=True):
            assert json.loads(record)["worker_id"] == ids[row]

    @pytest.mark.slow
    def test_duplicate_worker_ids_are_quarantined(
        self, dirty: Outcome, dirty_frame: pd.DataFrame
    ) -> None:
        by_row = {r["row"]: r for r in records(dirty.quarantine)}
        ids = dirty_frame["worker_id"].tolist()
        for row, (column, first) in DAMAGE.items():
            if column != "dup":
                continue
            assert by_row[row]["field"] == "worker_id"
            assert by_row[row]["worker_id"] == ids[row]  # raw, whitespace kept
            assert by_row[row]["value"] == repr(ids[row])
            assert by_row[row]["reason"] == f"duplicate worker_id (first seen at row {first})"
        # each id is ranked once, and an id whose first row is invalid not at all
        assert not dirty.scores.duplicated(["worker_id", "rank"]).any()
        assert ids[3] not in set(dirty.scores["worker_id"])

    @pytest.mark.slow
    def test_quarantine_equals_local_runner(
        self, dirty: Outcome, local_dirty: tuple[pd.DataFrame, pd.DataFrame]
    ) -> None:
        _, local = local_dirty
        got = dirty.quarantine
        keys = ["row", "worker_id", "field", "reason"]
        assert records(got[keys]) == records(local[keys])
        # For a missing field pydantic reports the whole row as the value, and the local runner
        # reads the nested integers of such a row as floats (level 3.0): compare the others.
        same = (local["reason"] != "Field required").to_numpy()
        assert got["value"][same].tolist() == local["value"][same].tolist()
        assert [json.loads(r) for r in got["record"]] == [json.loads(r) for r in local["record"]]

    @pytest.mark.slow
    def test_on_error_raise_names_the_first_bad_row(
        self, session: Any, dirty_dir: Path, world_rec: Recommender
    ) -> None:
        if not self.has_on_error:
            pytest.skip("this engine has no on_error: it always quarantines")
        with pytest.raises(self.raised_type(), match=self.raised_prefix + RAISED) as info:
            self.run_raising(session, dirty_dir, world_rec)
        named = re.search(RAISED, str(info.value))
        assert named is not None and int(named.group(1)) in FIRST_BAD_ROWS

    # -- arguments ------------------------------------------------------------------------
    def test_rejects_k_below_one(self, world_rec: Recommender) -> None:
        with pytest.raises(ValueError, match="k=0"):
            self.call(world_rec, k=0)

    def test_rejects_an_unknown_on_error(self, world_rec: Recommender) -> None:
        if not self.has_on_error:
            pytest.skip("this engine has no on_error: it always quarantines")
        with pytest.raises(ValueError, match="on_error must be one of .*on_error='skip'"):
            self.call(world_rec, k=3, on_error="skip")

    def test_rejects_a_non_recommender(self) -> None:
        if not self.has_on_error:
            pytest.skip("the local runner takes a Scorer, checked by mypy")
        with pytest.raises(TypeError, match="recommender must be a Recommender"):
            self.call(object(), k=3)


class TestLocalRunner(EngineContract):
    has_on_error = False

    @classmethod
    def run(cls, session: None, workers: Path, rec: Recommender, out: Path) -> Outcome:
        summary = score_file(workers, out, recommender=rec, k=K, chunk_size=25, progress=False)
        counts = EngineCounts(
            summary.n_rows_in, summary.n_scored, summary.n_quarantined, summary.n_output_rows
        )
        scores = pd.read_parquet(out / "scores")
        return _outcome(scores, pd.read_parquet(out / "quarantine.parquet"), counts)

    @classmethod
    def call(cls, recommender: Any, **kwargs: Any) -> object:
        return score_file("never-read.parquet", "never-written", recommender=recommender, **kwargs)


class TestSpark(EngineContract):
    requires = "pyspark"
    session_fixture = "spark"
    raised_prefix = "SchemaError: "

    @classmethod
    def run(cls, session: Any, workers: Path, rec: Recommender, out: Path) -> Outcome:
        result = score_spark(session.read.parquet(str(workers)), rec, k=K)
        try:
            scores, quarantine = result.scores.toPandas(), result.quarantine.toPandas()
            return _outcome(scores, quarantine, result.counts())
        finally:
            result.unpersist()

    @classmethod
    def run_raising(cls, session: Any, workers: Path, rec: Recommender) -> None:
        result = score_spark(session.read.parquet(str(workers)), rec, k=K, on_error="raise")
        try:
            result.scores.count()
        finally:
            result.unpersist()

    @classmethod
    def raised_type(cls) -> type[BaseException]:
        from pyspark.errors import PythonException

        return PythonException

    @classmethod
    def call(cls, recommender: Any, **kwargs: Any) -> object:
        return score_spark(None, recommender, **kwargs)


class TestDask(EngineContract):
    requires = "distributed"
    session_fixture = "dask_client"

    @classmethod
    def run(cls, session: Any, workers: Path, rec: Recommender, out: Path) -> Outcome:
        import dask
        import dask.dataframe as dd

        result = score_dask(dd.read_parquet(str(workers)), rec, k=K)
        scores, quarantine = dask.compute(result.scores, result.quarantine)
        return _outcome(scores, quarantine, result.counts())

    @classmethod
    def run_raising(cls, session: Any, workers: Path, rec: Recommender) -> None:
        import dask.dataframe as dd

        result = score_dask(dd.read_parquet(str(workers)), rec, k=K, on_error="raise")
        result.scores.compute()

    @classmethod
    def call(cls, recommender: Any, **kwargs: Any) -> object:
        return score_dask(None, recommender, **kwargs)

    def test_one_output_partition_per_input_partition(
        self, session: Any, workers_dir: Path, world_rec: Recommender
    ) -> None:
        import dask.dataframe as dd

        frame = dd.read_parquet(str(workers_dir))
        assert frame.npartitions == 3
        scores, quarantine = score_dask(frame, world_rec, k=K)
        assert tuple(scores.columns) == OUTPUT_COLUMNS
        assert scores.npartitions == quarantine.npartitions == 3


# -- engine-independent pieces of the adapters ------------------------------------------------
def test_result_unpacks_as_scores_and_quarantine() -> None:
    scores = pd.DataFrame({"worker_id": ["w1"]})
    result = EngineResult(scores, pd.DataFrame(), _tally=None)
    assert list(result) == [result.scores, result.quarantine]
    with pytest.raises(AttributeError):
        result.columns  # noqa: B018 - the result is not the scores frame


def test_missing_engine_names_the_extra() -> None:
    with pytest.raises(MissingDependencyError, match=r'pip install "skillmatch\[spark\]"'):
        _require("skillmatch_no_such_engine", "spark")
