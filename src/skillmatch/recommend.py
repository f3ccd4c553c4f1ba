"""The :class:`Recommender` facade: one scoring core behind every front door.

``recommend`` (one worker), ``recommend_many`` (a list) and ``score_frame`` (a DataFrame
partition, for batch and distributed engines) all run the same code on blocks of workers, so a
worker gets the same programs, scores and reason codes wherever they are ranked.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.base import clone

from skillmatch._blocks import KINDS, WorkerBlock, region_columns
from skillmatch._columns import MODALITIES, WorkerColumns, columns_from_frame
from skillmatch._explain import (
    PairSkills,
    exclusion_fields,
    reason_context,
    served_nodes,
)
from skillmatch._reasons import (
    RULES,
    exclusion_reasons,
    make_reason,
    reason_codes,
    reason_patterns,
)
from skillmatch._topk import TopK, check_k, top_k
from skillmatch.chains import ChainMap
from skillmatch.encode import TextEncoder
from skillmatch.errors import SchemaError, UnknownIdError
from skillmatch.features import FEATURE_NAMES, FeatureBuilder, PairFeatures
from skillmatch.frames import programs_from_frame
from skillmatch.rank import LinearRanker, Ranker
from skillmatch.schema import (
    Explanation,
    FeatureContribution,
    Program,
    Recommendation,
    Worker,
)

__all__ = ["SCORE_COLUMNS", "Recommender", "score_frame"]

#: Columns of :meth:`Recommender.score_frame`.
SCORE_COLUMNS: tuple[str, ...] = ("worker_id", "rank", "program_id", "score", "reason_codes")
#: Cells (workers x programs x features) computed at once; bounds memory in batch.
_BLOCK_CELLS = 8_000_000
_MODALITIES = MODALITIES[:3]  # "any" is a worker preference, not a program modality
_RULE_FEATURE = {r.code: FEATURE_NAMES.index(r.feature) for r in RULES}


class _Ranked(NamedTuple):
    block: WorkerBlock
    top: TopK
    values: NDArray[np.float32]  # (B, k, F)
    contributions: NDArray[np.float32]  # (B, k, F)
    patterns: list[tuple[str, ...]]  # distinct reason-code tuples
    pattern_of: NDArray[np.int64]  # B * k entries, row-major: index into patterns


class ScoredArrays(NamedTuple):
    """Top-k rows of a batch of workers as flat arrays (one entry per recommendation).

    ``reason_codes`` of row ``i`` is ``patterns[pattern_of[i]]``: a few distinct tuples
    cover any number of rows.
    """

    worker_id: NDArray[np.object_]
    rank: NDArray[np.int32]
    program_index: NDArray[np.int64]
    score: NDArray[np.float32]
    pattern_of: NDArray[np.int64]
    patterns: list[tuple[str, ...]]
    worker: NDArray[np.int64]  # position of the row's worker in the input


class Recommender:
    """Recommends programs to workers and explains why.

    Parameters
    ----------
    encoder : TextEncoder, default=None
        Used to build a vocabulary when none is given (default: the packaged
        all-MiniLM-L6-v2 :class:`~skillmatch.encode.Encoder`).
    vocabulary : SkillVocabulary, default=None
        The shared skill vocabulary. By default one is built from the skills the catalogue
        teaches and requires.
    chains : ChainMap, default=None
        Industrial chains with regional demand; without it the chain features are 0.
    features : FeatureBuilder, default=None
        Feature settings (``FeatureBuilder()`` by default).
    ranker : Ranker, default=None
        Turns features into scores (``LinearRanker()`` by default).

    Notes
    -----
    A recommender memoises phrases it has resolved (vocabulary, embedding cache, phrase
    vectors), so it is not safe to call from several threads at once: serialise calls, as
    the HTTP service does with one ranking thread per process, or use one per thread.

    Examples
    --------
    >>> from skillmatch.simulate import make_world, make_workers
    >>> world = make_world(seed=0)
    >>> rec = Recommender.from_world(world)  # doctest: +SKIP
    >>> [r.rank for r in rec.recommend(make_workers(world, 1)[0], k=3)]  # doctest: +SKIP
    [1, 2, 3]
    """

    features_: FeatureBuilder
    ranker_: Ranker
    bundle_hash_: str
    manifest_: dict[str, Any]

    def __init__(
        self,
        *,
        encoder: TextEncoder | None = None,
        vocabulary: Any = None,
        chains: ChainMap | None = None,
        features: FeatureBuilder | None = None,
        ranker: Ranker | None = None,
    ) -> None:
        self.encoder = encoder
        self.vocabulary = vocabulary
        self.chains = chains
        self.features = features
        self.ranker = ranker

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_catalog(
        cls,
        programs: Sequence[Program | Mapping[str, Any]] | pd.DataFrame,
        *,
        chains: ChainMap | None = None,
        vocabulary: Any = None,
        encoder: TextEncoder | None = None,
        ranker: Ranker | None = None,
        features: FeatureBuilder | None = None,
    ) -> Recommender:
        """Build a recommender over ``programs`` (models, dicts or a DataFrame)."""
        rec = cls(
            encoder=encoder, vocabulary=vocabulary, chains=chains, features=features, ranker=ranker
        )
        return rec.set_catalog(programs)

    @classmethod
    def from_world(
        cls,
        world: Any,
        *,
        encoder: TextEncoder | None = None,
        ranker: Ranker | None = None,
        features: FeatureBuilder | None = None,
    ) -> Recommender:
        """Build a recommender over a simulated :class:`~skillmatch.simulate.World`.

        The vocabulary is the world's skill taxonomy and the chains its chain map.
        """
        from skillmatch.encode import Encoder
        from skillmatch.vocab import SkillVocabulary

        vocabulary = SkillVocabulary.from_frame(
            world.skills, encoder=encoder if encoder is not None else Encoder()
        )
        return cls.from_catalog(
            world.programs,
            chains=ChainMap(world.chains),
            vocabulary=vocabulary,
            ranker=ranker,
            features=features,
        )

    def set_catalog(
        self, programs: Sequence[Program | Mapping[str, Any]] | pd.DataFrame
    ) -> Recommender:
        """Replace the catalogue; only the catalogue arrays are rebuilt (no retraining)."""
        parsed = _parse_programs(programs)
        if self.vocabulary is None:
            self.vocabulary = _vocabulary_from_catalog(parsed, self.encoder)
        if not hasattr(self, "ranker_"):  # a ranker fitted on logs survives catalogue changes
            self.ranker_ = self.ranker if self.ranker is not None else LinearRanker()
        if hasattr(self, "features_"):  # keep settings learned from logs (program_prior)
            builder = clone(self.features_)
        else:
            builder = clone(self.features) if self.features is not None else FeatureBuilder()
        self.features_ = builder.fit(parsed, vocabulary=self.vocabulary, chains=self.chains)
        self._index = {p.program_id: i for i, p in enumerate(parsed)}
        return self

    def fit(self, log: pd.DataFrame, *, progress: bool = False) -> Recommender:
        """Learn the ranker from an interaction log (see :mod:`skillmatch.training`).

        The catalogue must be set. Each program's ``program_prior`` (smoothed enrolment rate)
        is learned from the log first; then ``self.ranker`` is cloned and fitted when it can
        learn (has ``fit(X, y, groups)``), otherwise a :class:`~skillmatch.rank.LearnedRanker`.
        """
        from skillmatch.rank import LearnedRanker
        from skillmatch.training import program_prior, training_data

        prior = program_prior(log)
        self.features_ = (
            clone(self.features_)
            .set_params(program_prior=prior)
            .fit(self.programs, vocabulary=self.vocabulary, chains=self.chains)
        )
        data = training_data(self, log, progress=progress)
        learnable = self.ranker is not None and not isinstance(self.ranker, LinearRanker)
        ranker = clone(self.ranker) if learnable else LearnedRanker()
        self.ranker_ = ranker.fit(data.X, data.y, data.groups)
        return self

    def add_programs(self, programs: Sequence[Program | Mapping[str, Any]]) -> Recommender:
        """Add programs to the catalogue (ids must be new)."""
        return self.set_catalog([*self.programs, *_parse_programs(programs)])

    def retire_programs(self, program_ids: Iterable[str]) -> Recommender:
        """Remove programs from the catalogue (every id must exist)."""
        drop = set(program_ids)
        for program_id in drop:
            self._position(program_id)
        return self.set_catalog([p for p in self.programs if p.program_id not in drop])

    def save(
        self,
        path: str | os.PathLike[str],
        *,
        metrics: Mapping[str, Any] | None = None,
        model_card: str | None = None,
    ) -> Path:
        """Write this recommender as a verified bundle directory (see :mod:`skillmatch.bundle`)."""
        from skillmatch.bundle import save_bundle

        return save_bundle(self, path, metrics=metrics, model_card=model_card)

    @classmethod
    def load(
        cls, path: str | os.PathLike[str] | None = None, *, encoder: TextEncoder | None = None
    ) -> Recommender:
        """Load a bundle after checking versions and every file's sha256.

        With no ``path``, loads the default bundle shipped in ``models/default``.

        Raises
        ------
        ModelFormatError
            The bundle is tampered with, incomplete, or from an incompatible version.
        """
        from skillmatch.bundle import load_bundle

        return load_bundle(path, encoder=encoder)

    def fingerprint(self) -> str:
        """sha256 identifying what scores depend on: catalogue, vocabulary, chains, settings.

        Batch runs record it so that a resumed run refuses a different model. A recommender
        loaded from a bundle reports the bundle's hash instead.
        """
        bundle_hash = getattr(self, "bundle_hash_", None)
        if bundle_hash is not None:
            return str(bundle_hash)
        fb = self._fitted()
        digest = hashlib.sha256()
        for program in fb.catalogue_.programs:
            digest.update(program.model_dump_json().encode())
        for chain in fb.chains_.chains:
            digest.update(chain.model_dump_json().encode())
        digest.update(json.dumps(fb.vocabulary_.skill_ids).encode())
        digest.update(np.ascontiguousarray(fb.semantic_.skills).tobytes())
        digest.update(repr(fb.get_params()).encode())
        digest.update(repr(self.ranker_).encode())
        digest.update(repr(getattr(self.ranker_, "get_params", dict)()).encode())
        return digest.hexdigest()

    @property
    def programs(self) -> list[Program]:
        """The catalogue, in index order."""
        return self._fitted().catalogue_.programs

    @property
    def program_ids(self) -> list[str]:
        """Ids of the catalogue programs, in catalogue order."""
        return self._fitted().catalogue_.program_ids

    def program(self, program_id: str) -> Program:
        """The :class:`Program` with this id (:class:`UnknownIdError` if none)."""
        return self.programs[self._position(program_id)]

    def _fitted(self) -> FeatureBuilder:
        if not hasattr(self, "features_"):
            raise SchemaError(
                "this Recommender has no catalogue yet; call set_catalog(programs) or build it "
                "with Recommender.from_catalog(programs)"
            )
        return self.features_

    def _position(self, program_id: str) -> int:
        self._fitted()
        try:
            return self._index[program_id]
        except KeyError:
            raise UnknownIdError(f"unknown program_id {program_id!r}") from None

    # -- ranking ------------------------------------------------------------------------
    def _filter(
        self,
        exclude: Iterable[str] | None,
        kinds: Iterable[str] | None,
        modality: Iterable[str] | None,
    ) -> NDArray[np.bool_]:
        cat = self._fitted().catalogue_
        allowed = np.ones(cat.n_programs, dtype=bool)
        for program_id in exclude or ():
            allowed[self._position(program_id)] = False
        if kinds is not None:
            allowed &= np.isin(cat.kind, [_choice("kinds", v, KINDS) for v in kinds])
        if modality is not None:
            allowed &= np.isin(
                cat.modality, [_choice("modality", v, _MODALITIES) for v in modality]
            )
        return allowed

    def _rank(
        self, workers: Sequence[Worker] | WorkerColumns, k: int, allowed: NDArray[np.bool_]
    ) -> _Ranked:
        fb = self._fitted()
        block = fb.block(workers)
        n, n_features = block.n_workers, len(FEATURE_NAMES)
        index = np.full((n, k), -1, dtype=np.int64)
        score = np.full((n, k), np.nan, dtype=np.float32)
        values = np.zeros((n, k, n_features), dtype=np.float32)
        # A program not offered in a worker's region is never eligible, so each region's
        # workers are ranked against that region's programs only (same top-k, fewer cells).
        for region in np.unique(block.region):
            view = fb.region_view(int(region))
            if not len(view.cols):
                continue
            rows = np.flatnonzero(block.region == region)
            sub = block if len(rows) == n else block.take(rows)
            feats = fb.compute(sub, view)
            top = top_k(self.ranker_.predict(feats.values), feats.eligible & allowed[view.cols], k)
            safe = np.maximum(top.index, 0)
            found = feats.values[np.arange(len(rows))[:, None], safe]
            at = np.where(top.index >= 0, view.cols[safe], -1)
            if len(rows) == n:  # one region (batch blocks are): no scatter
                values, index, score = found, at, top.score
            else:
                values[rows], index[rows], score[rows] = found, at, top.score
        contributions = self.ranker_.contributions(values)
        has_required = fb.catalogue_.n_required[np.maximum(index, 0)] > 0
        patterns, pattern_of = reason_patterns(
            values.reshape(-1, n_features),
            contributions.reshape(-1, n_features),
            has_required.ravel(),
        )
        return _Ranked(block, TopK(index, score), values, contributions, patterns, pattern_of)

    def recommend(
        self,
        worker: Worker | Mapping[str, Any],
        k: int = 10,
        *,
        exclude: Iterable[str] | None = None,
        kinds: Iterable[str] | None = None,
        modality: Iterable[str] | None = None,
    ) -> list[Recommendation]:
        """Top-``k`` eligible programs for one worker, best first, each with reasons.

        Parameters
        ----------
        worker : Worker or mapping
            The worker; a mapping is validated as a :class:`Worker`.
        k : int, default=10
            How many programs at most (fewer when fewer are eligible).
        exclude : iterable of str, optional
            Program ids to leave out (e.g. already enrolled).
        kinds : iterable of {"credential", "certificate", "short_course"}, optional
            Keep only these kinds.
        modality : iterable of {"online", "in_person", "blended"}, optional
            Keep only these delivery modes.
        """
        return self.recommend_many([worker], k, exclude=exclude, kinds=kinds, modality=modality)[0]

    def recommend_many(
        self,
        workers: Sequence[Worker | Mapping[str, Any]],
        k: int = 10,
        *,
        exclude: Iterable[str] | None = None,
        kinds: Iterable[str] | None = None,
        modality: Iterable[str] | None = None,
    ) -> list[list[Recommendation]]:
        """:meth:`recommend` for several workers at once (one list per worker)."""
        k = check_k(k)
        models = [_as_worker(w) for w in workers]
        if not models or not self.programs:
            return [[] for _ in models]
        ranked = self._rank(models, k, self._filter(exclude, kinds, modality))
        demand = self._fitted().skill_demand(ranked.block)
        return [self._recommendations(ranked, w, demand[w]) for w in range(len(models))]

    def _recommendations(
        self, ranked: _Ranked, w: int, demand: NDArray[np.float32]
    ) -> list[Recommendation]:
        cat = self._fitted().catalogue_
        k = ranked.top.index.shape[1]
        out = []
        for r in range(k):
            p = int(ranked.top.index[w, r])
            if p < 0:
                break
            codes = ranked.patterns[ranked.pattern_of[w * k + r]]
            context = self._context(ranked.block, w, p, demand, ranked.values[w, r])
            reasons = [
                make_reason(c, ranked.contributions[w, r, _RULE_FEATURE[c]], context) for c in codes
            ]
            out.append(
                Recommendation(
                    program_id=cat.program_ids[p],
                    rank=r + 1,
                    score=float(ranked.top.score[w, r]),
                    reasons=reasons,
                )
            )
        return out

    def _context(
        self,
        block: WorkerBlock,
        w: int,
        p: int,
        demand: NDArray[np.float32],
        values: NDArray[np.float32],
    ) -> Any:
        fb = self._fitted()
        cat = fb.catalogue_
        chains = fb.chains_
        ctx = chains.context(block.chain_region[w : w + 1], block.employer[w : w + 1])
        nodes = served_nodes(chains, cat, p, ctx.industrial[0] + ctx.supply[0])
        return reason_context(
            block=block,
            w=w,
            cat=cat,
            p=p,
            vocab=fb.vocabulary_,
            chains=chains,
            skills=PairSkills(block, w, cat, p, demand),
            nodes=nodes,
            net_cost=float(fb.net_cost(block, p)[w]),
            credit_share=float(values[FEATURE_NAMES.index("credit_transfer")]),
        )

    def explain(self, worker: Worker | Mapping[str, Any], program_id: str) -> Explanation:
        """Feature contributions, skills, chain nodes, eligibility, cost and reasons of a pair."""
        model = _as_worker(worker)
        p = self._position(program_id)
        fb = self._fitted()
        block = fb.block([model])
        feats: PairFeatures = fb.compute(block)
        values = feats.values[0, p]
        contrib = self.ranker_.contributions(values[None, :])[0]
        score = float(self.ranker_.predict(values[None, :])[0])
        excluded = int(feats.excluded[0, p])
        cat = fb.catalogue_
        codes = reason_codes(values[None, :], contrib[None, :], np.array([cat.n_required[p] > 0]))[
            0
        ]
        demand = fb.skill_demand(block)[0]
        skills = PairSkills(block, 0, cat, p, demand)
        context = self._context(block, 0, p, demand, values)
        names = fb.vocabulary_.names
        return Explanation(
            worker_id=model.worker_id,
            program_id=program_id,
            eligible=excluded == 0,
            score=score,
            contributions=[
                FeatureContribution(name=n, value=float(values[j]), contribution=float(contrib[j]))
                for j, n in enumerate(FEATURE_NAMES)
            ],
            matched_skills=[names[i] for i in skills.matched],
            missing_skills=[names[i] for i in skills.missing],
            gained_skills=[names[i] for i in skills.gained],
            chain_nodes=[
                fb.chains_.node_ids[j]
                for j in served_nodes(
                    fb.chains_, cat, p, np.zeros(fb.chains_.n_nodes, dtype=np.float32), n=20
                )
            ],
            exclusions=exclusion_reasons(excluded, exclusion_fields(cat, p)),
            net_cost=round(context.net_cost, 2),
            aid_applied=bool(cat.aid_eligible[p]) and context.net_cost < float(cat.cost[p]),
            sponsor=cat.sponsor_name[p],
            reasons=[make_reason(c, contrib[_RULE_FEATURE[c]], context) for c in codes],
        )

    def score_frame(self, df: pd.DataFrame, k: int = 10) -> pd.DataFrame:
        """Rank a DataFrame of workers: the batch partition function.

        Returns one row per recommendation, columns :data:`SCORE_COLUMNS`
        (``worker_id, rank, program_id, score, reason_codes``), workers in input order and
        ranks ascending. Every row is validated; invalid rows raise
        :class:`~skillmatch.errors.SchemaError` (:mod:`skillmatch.batch` quarantines them
        instead). Rows are checked column by column and only the rows those checks cannot
        clear go through the :class:`~skillmatch.schema.Worker` model, so no model is built
        per row of a clean frame.
        """
        k = check_k(k)
        parsed = columns_from_frame(df)
        if len(parsed.errors):
            first = parsed.errors.iloc[0]
            raise SchemaError(
                f"{parsed.n_invalid} invalid worker row(s); first at row {first['row']}: "
                f"field {first['field']!r} = {first['value']}: {first['message']}"
            )
        return self._score_columns(parsed.columns, k)

    def score_workers(self, workers: Sequence[Worker], k: int = 10) -> pd.DataFrame:
        """:meth:`score_frame` for workers that are already validated models."""
        return self._score_columns(WorkerColumns.from_models(list(workers)), k)

    def _score_columns(self, workers: WorkerColumns, k: int = 10) -> pd.DataFrame:
        """:meth:`score_frame` for workers already validated into columns.

        Batch runners and the engine adapters validate a chunk once (quarantining bad rows)
        and rank the valid workers with this, instead of validating them a second time.
        """
        scored = self._score_arrays(workers, k)
        codes = np.empty(len(scored.patterns), dtype=object)
        for i, c in enumerate(scored.patterns):  # a tuple per cell (slice assignment unpacks)
            codes[i] = c
        ids = np.asarray(self._fitted().catalogue_.program_ids, dtype=object)
        return pd.DataFrame(
            {
                "worker_id": scored.worker_id,
                "rank": scored.rank,
                "program_id": ids[scored.program_index],
                "score": scored.score,
                "reason_codes": codes[scored.pattern_of],
            }
        )

    def _score_arrays(self, workers: WorkerColumns, k: int = 10) -> ScoredArrays:
        """:meth:`_score_columns` as flat arrays, the form batch writers turn into Arrow.

        Workers are ranked in blocks of one region each (see :meth:`_rank`), sized to about
        ``_BLOCK_CELLS`` feature cells; rows come back in input order.
        """
        k = check_k(k)
        fb = self._fitted()
        allowed = np.ones(fb.catalogue_.n_programs, dtype=bool)
        region = region_columns(workers, fb.catalogue_)
        order = np.argsort(region, kind="stable")
        grouped = workers.take(order) if (np.diff(order) != 1).any() else workers
        starts = np.flatnonzero(np.diff(region[order], prepend=-1, append=-1))
        parts, first = [], []
        for lo, hi in zip(starts[:-1], starts[1:], strict=True):
            n_cols = len(fb.region_view(int(region[order[lo]])).cols)
            step = max(1, _BLOCK_CELLS // max(1, n_cols * len(FEATURE_NAMES)))
            for i in range(int(lo), int(hi), step):
                parts.append(self._block_arrays(grouped.slice(i, min(i + step, hi)), k, allowed))
                first.append(i)
        patterns: dict[tuple[str, ...], int] = {}
        pattern_of = []
        for part in parts:  # merge the blocks' pattern lists into one
            remap = np.array(
                [patterns.setdefault(p, len(patterns)) for p in part.patterns], dtype=np.int64
            )
            pattern_of.append(remap[part.pattern_of] if len(remap) else part.pattern_of)
        # back to input order: a stable sort on each row's input position keeps ranks in order
        position = [order[i + p.worker] for i, p in zip(first, parts, strict=True)]
        back = np.argsort(np.concatenate(position), kind="stable") if parts else np.zeros(0, int)

        def cat_or_empty(name: str, dtype: Any) -> Any:
            arrays = [getattr(p, name) for p in parts]
            return np.concatenate(arrays)[back] if arrays else np.zeros(0, dtype=dtype)

        return ScoredArrays(
            worker_id=cat_or_empty("worker_id", object),
            rank=cat_or_empty("rank", np.int32),
            program_index=cat_or_empty("program_index", np.int64),
            score=cat_or_empty("score", np.float32),
            pattern_of=np.concatenate(pattern_of)[back] if pattern_of else np.zeros(0, np.int64),
            patterns=list(patterns),
            worker=np.concatenate(position)[back] if parts else np.zeros(0, np.int64),
        )

    def _block_arrays(
        self, workers: WorkerColumns, k: int, allowed: NDArray[np.bool_]
    ) -> ScoredArrays:
        ranked = self._rank(workers, k, allowed)
        index = ranked.top.index.ravel()
        keep = index >= 0
        return ScoredArrays(
            worker_id=np.repeat(workers.worker_id, k)[keep],
            rank=np.tile(np.arange(1, k + 1, dtype=np.int32), len(workers))[keep],
            program_index=index[keep],
            score=ranked.top.score.ravel()[keep],
            pattern_of=ranked.pattern_of[keep],
            patterns=ranked.patterns,
            worker=np.repeat(np.arange(len(workers), dtype=np.int64), k)[keep],
        )


def score_frame(
    df: pd.DataFrame, recommender: Recommender | None = None, *, k: int = 10
) -> pd.DataFrame:
    """Rank a partition of workers: :meth:`Recommender.score_frame` as a plain function.

    Handy as the function a distributed engine maps over partitions. ``recommender``
    defaults to the shipped bundle (:meth:`Recommender.load`), loaded and verified on every
    call: pass a recommender when scoring more than one frame.

    Examples
    --------
    >>> from skillmatch.simulate import make_population, make_world
    >>> df = next(make_population(make_world(0), 2, seed=0))
    >>> score_frame(df, k=3)[["worker_id", "rank"]].values.tolist()  # doctest: +SKIP
    [['w00000001', 1], ['w00000001', 2], ['w00000001', 3], ['w00000002', 1], ...]
    """
    rec = recommender if recommender is not None else Recommender.load()
    return rec.score_frame(df, k=k)


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> int:
    if value not in allowed:
        raise ValueError(f"Unknown {name} value {value!r}; expected one of {list(allowed)}")
    return allowed.index(value)


def _as_worker(worker: Worker | Mapping[str, Any]) -> Worker:
    if isinstance(worker, Worker):
        return worker
    if isinstance(worker, Mapping):
        return Worker.model_validate(worker)
    raise TypeError(f"worker must be a Worker or a mapping, got {type(worker).__name__}")


def _parse_programs(
    programs: Sequence[Program | Mapping[str, Any]] | pd.DataFrame,
) -> list[Program]:
    if isinstance(programs, pd.DataFrame):
        result = programs_from_frame(programs)
        if len(result.errors):
            first = result.errors.iloc[0]
            raise SchemaError(
                f"{result.n_invalid} invalid program row(s); first at row {first['row']}: "
                f"field {first['field']!r} = {first['value']}: {first['message']}"
            )
        parsed = result.models
    else:
        parsed = [p if isinstance(p, Program) else Program.model_validate(p) for p in programs]
    seen: set[str] = set()
    for p in parsed:
        if p.program_id in seen:
            raise ValueError(f"duplicate program_id {p.program_id!r} in the catalogue")
        seen.add(p.program_id)
    return parsed


def _vocabulary_from_catalog(programs: list[Program], encoder: TextEncoder | None) -> Any:
    """A vocabulary whose skills are the distinct skill texts of the catalogue."""
    from skillmatch.encode import Encoder
    from skillmatch.vocab import SkillVocabulary

    texts = list(
        dict.fromkeys(
            [s.text for p in programs for s in p.skills_taught]
            + [r for p in programs for r in p.required_skills]
        )
    )
    frame = pd.DataFrame({"skill_id": [f"s{i:05d}" for i in range(len(texts))], "name": texts})
    return SkillVocabulary.from_frame(frame, encoder=encoder if encoder is not None else Encoder())
