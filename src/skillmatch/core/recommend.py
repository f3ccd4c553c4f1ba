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
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.base import clone

from skillmatch.core._caches import (
    PHRASE_CACHE_BYTES,
    bound_phrase_caches,
    check_budget,
    phrase_cache_sizes,
)
from skillmatch.core._catalog import (
    WorldLike,
    as_worker,
    choice,
    parse_programs,
    vocabulary_from_catalog,
)
from skillmatch.core.bundle import BundleParts, read_bundle, write_bundle
from skillmatch.core.chains import ChainMap
from skillmatch.core.columns import MODALITIES, WorkerColumns, columns_from_frame
from skillmatch.core.features import FeatureBuilder
from skillmatch.core.frames import first_error
from skillmatch.core.logs import log_features, program_prior
from skillmatch.core.pairs import explanation, recommendations, shown_fees
from skillmatch.core.rank import LearnedRanker, LinearRanker, Ranker
from skillmatch.core.scoring import (
    SCORE_COLUMNS,
    ScoredArrays,
    rank_block,
    score_arrays,
    scored_frame,
)
from skillmatch.core.topk import check_k
from skillmatch.errors import SchemaError, UnknownIdError
from skillmatch.schema import PROGRAM_KINDS, Explanation, Program, Recommendation, Worker
from skillmatch.text import Encoder, SkillVocabulary, TextEncoder, Vocabulary, pinned

__all__ = ["PHRASE_CACHE_BYTES", "SCORE_COLUMNS", "Recommender", "score_frame"]

_MODALITIES = MODALITIES[:3]  # "any" is a worker preference, not a program modality


class Recommender:
    """Recommends programs to workers and explains why.

    Parameters
    ----------
    encoder : TextEncoder, default=None
        Used to build a vocabulary when none is given (default: the packaged
        multilingual USE v3 :class:`~skillmatch.text.encode.Encoder`).
    vocabulary : SkillVocabulary, default=None
        The shared skill vocabulary. By default one is built from the skills the catalogue
        teaches and requires.
    second_encoder : TextEncoder, default=None
        A second encoder for the vocabulary built when none is given (e.g. ``Encoder(
        E5_MULTILINGUAL)``; see :meth:`SkillVocabulary.from_frame`). The goal index matches
        goals with the vocabulary's encoders, so it also makes "Matches your goal" more
        precise; it costs build time and a few milliseconds per new phrase.
    chains : ChainMap, default=None
        Industrial chains with regional demand; without it the chain features are 0.
    features : FeatureBuilder, default=None
        Feature settings (``FeatureBuilder()`` by default).
    ranker : Ranker, default=None
        Turns features into scores (``LinearRanker()`` by default).
    phrase_cache_bytes : int, default=PHRASE_CACHE_BYTES
        Budget of the caches of phrases seen in requests (256 MiB; see
        :mod:`skillmatch.core._caches` for the split). Beyond it the least recently used
        phrases are evicted and resolved again when seen again: recommendations are the
        same (scores to float32 rounding), only slower for phrases not seen lately. The
        catalogue's texts are kept outside the budget.

    Notes
    -----
    A recommender memoises phrases it has resolved (vocabulary, embedding cache, phrase
    vectors), so it is not safe to call from several threads at once: serialise calls, as
    the HTTP service does with one ranking thread per process, or use one per thread.

    Examples
    --------
    >>> from skillmatch.sim import make_world, make_workers
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
        vocabulary: Vocabulary | None = None,
        second_encoder: TextEncoder | None = None,
        chains: ChainMap | None = None,
        features: FeatureBuilder | None = None,
        ranker: Ranker | None = None,
        phrase_cache_bytes: int = PHRASE_CACHE_BYTES,
    ) -> None:
        self.encoder = encoder
        self.vocabulary = vocabulary
        self.second_encoder = second_encoder
        self.chains = chains
        self.features = features
        self.ranker = ranker
        self.phrase_cache_bytes = phrase_cache_bytes

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_catalog(
        cls,
        programs: Sequence[Program | Mapping[str, Any]] | pd.DataFrame,
        *,
        chains: ChainMap | None = None,
        vocabulary: Vocabulary | None = None,
        encoder: TextEncoder | None = None,
        second_encoder: TextEncoder | None = None,
        ranker: Ranker | None = None,
        features: FeatureBuilder | None = None,
        phrase_cache_bytes: int = PHRASE_CACHE_BYTES,
    ) -> Recommender:
        """Build a recommender over ``programs`` (models, dicts or a DataFrame)."""
        rec = cls(
            encoder=encoder,
            vocabulary=vocabulary,
            second_encoder=second_encoder,
            chains=chains,
            features=features,
            ranker=ranker,
            phrase_cache_bytes=phrase_cache_bytes,
        )
        return rec.set_catalog(programs)

    @classmethod
    def from_world(
        cls,
        world: WorldLike,
        *,
        encoder: TextEncoder | None = None,
        ranker: Ranker | None = None,
        features: FeatureBuilder | None = None,
    ) -> Recommender:
        """Build a recommender over a world: a skill taxonomy, a catalogue and chains.

        Any object with ``skills`` (a skills table, see :meth:`SkillVocabulary.from_frame`),
        ``programs`` and ``chains`` will do, such as the simulator's
        :class:`~skillmatch.sim.world.World`. The vocabulary is the world's skill taxonomy
        and the chains its chain map.
        """
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
        check_budget(self.phrase_cache_bytes)
        parsed = parse_programs(programs)
        if self.vocabulary is None:
            with pinned(self.encoder):
                self.vocabulary = vocabulary_from_catalog(parsed, self.encoder, self.second_encoder)
        if not hasattr(self, "ranker_"):  # a ranker fitted on logs survives catalogue changes
            self.ranker_ = self.ranker if self.ranker is not None else LinearRanker()
        if hasattr(self, "features_"):  # keep settings learned from logs (program_prior)
            builder = clone(self.features_)
        else:
            builder = clone(self.features) if self.features is not None else FeatureBuilder()
        self.features_ = self._fit_features(builder, parsed)
        self._index = {p.program_id: i for i, p in enumerate(parsed)}
        return self

    def _fit_features(self, builder: FeatureBuilder, programs: list[Program]) -> FeatureBuilder:
        """Fit ``builder`` with the catalogue's texts pinned, then bound the phrase caches."""
        assert self.vocabulary is not None
        with pinned(self.vocabulary.encoder):
            builder.fit(programs, vocabulary=self.vocabulary, chains=self.chains)
        bound_phrase_caches(builder, self.phrase_cache_bytes)
        return builder

    def phrase_cache_sizes(self) -> dict[str, int]:
        """Bytes each phrase cache holds now (``embedding``, ``memo``, ``store``, ``goals``).

        Their sum stays within :attr:`phrase_cache_bytes`; pinned catalogue texts aside.
        """
        return phrase_cache_sizes(self.fitted_features())

    def fit(self, log: pd.DataFrame, *, progress: bool = False) -> Recommender:
        """Learn the ranker from an interaction log (see :mod:`skillmatch.learn.training`).

        The catalogue must be set. Each program's ``program_prior`` (smoothed enrolment rate)
        is learned from the log first; then ``self.ranker`` is cloned and fitted when it can
        learn (has ``fit(X, y, groups)``), otherwise a :class:`~skillmatch.core.rank.LearnedRanker`.
        """
        prior = program_prior(log)
        builder = clone(self.features_).set_params(program_prior=prior)
        self.features_ = self._fit_features(builder, self.programs)
        data = log_features(self.features_, log, progress=progress)
        learnable = self.ranker is not None and not isinstance(self.ranker, LinearRanker)
        ranker = clone(self.ranker) if learnable else LearnedRanker()
        self.ranker_ = ranker.fit(data.X, data.y, data.groups)
        return self

    def add_programs(self, programs: Sequence[Program | Mapping[str, Any]]) -> Recommender:
        """Add programs to the catalogue (ids must be new)."""
        return self.set_catalog([*self.programs, *parse_programs(programs)])

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
        hmac_key: bytes | str | None = None,
    ) -> Path:
        """Write this recommender as a verified bundle directory (:mod:`skillmatch.core.bundle`).

        The written bundle's manifest hash becomes :meth:`fingerprint`. With ``hmac_key``,
        the manifest is signed (``manifest.hmac``) and ``load(path, hmac_key=...)`` checks it.
        """
        fb = self.fitted_features()
        fb.goals_  # noqa: B018 - builds the goal index, so its texts go into the saved cache
        parts = BundleParts(self.programs, fb.chains_, fb.vocabulary_, fb, self.ranker_)
        self.bundle_hash_ = write_bundle(
            parts, path, metrics=metrics, model_card=model_card, hmac_key=hmac_key
        )
        return Path(path)

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        encoder: TextEncoder | None = None,
        expected_sha256: str | None = None,
        hmac_key: bytes | str | None = None,
        phrase_cache_bytes: int = PHRASE_CACHE_BYTES,
    ) -> Recommender:
        """Load a bundle after checking its files, versions and every file's sha256.

        With no ``path``, loads the default bundle shipped in ``models/default``.
        ``phrase_cache_bytes`` bounds the caches of request-time phrases (see the class).
        ``expected_sha256`` pins the bundle: the sha256 of its ``manifest.json`` (the
        :meth:`fingerprint` of the recommender it holds) must equal it. ``hmac_key``
        requires the manifest's keyed signature ``manifest.hmac`` to match.

        Raises
        ------
        ModelFormatError
            The bundle is tampered with, incomplete, malformed, not the pinned or signed
            one, or from an incompatible version.
        """
        loaded = read_bundle(
            path, encoder=encoder, expected_sha256=expected_sha256, hmac_key=hmac_key
        )
        parts = loaded.parts
        rec = cls.from_catalog(
            parts.programs,
            chains=parts.chains,
            vocabulary=parts.vocabulary,
            ranker=parts.ranker,
            features=parts.features,
            phrase_cache_bytes=phrase_cache_bytes,
        )
        rec.bundle_hash_ = loaded.sha256
        rec.manifest_ = loaded.manifest
        return rec

    def fingerprint(self) -> str:
        """sha256 identifying what scores depend on: catalogue, vocabulary, chains, settings.

        Batch runs record it so that a resumed run refuses a different model. A recommender
        loaded from a bundle reports the bundle's hash instead.
        """
        bundle_hash = getattr(self, "bundle_hash_", None)
        if bundle_hash is not None:
            return str(bundle_hash)
        fb = self.fitted_features()
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
        return self.fitted_features().catalogue_.programs

    @property
    def program_ids(self) -> list[str]:
        """Ids of the catalogue programs, in catalogue order."""
        return self.fitted_features().catalogue_.program_ids

    def program(self, program_id: str) -> Program:
        """The :class:`Program` with this id (:class:`UnknownIdError` if none)."""
        return self.programs[self._position(program_id)]

    def fitted_features(self) -> FeatureBuilder:
        """The fitted :class:`FeatureBuilder` (catalogue, vocabulary and chain arrays).

        Raises
        ------
        SchemaError
            No catalogue has been set yet.
        """
        if not hasattr(self, "features_"):
            raise SchemaError(
                "this Recommender has no catalogue yet; call set_catalog(programs) or build it "
                "with Recommender.from_catalog(programs)"
            )
        return self.features_

    def _position(self, program_id: str) -> int:
        self.fitted_features()
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
        cat = self.fitted_features().catalogue_
        allowed = np.ones(cat.n_programs, dtype=bool)
        for program_id in exclude or ():
            allowed[self._position(program_id)] = False
        if kinds is not None:
            allowed &= np.isin(cat.kind, [choice("kinds", v, PROGRAM_KINDS) for v in kinds])
        if modality is not None:
            allowed &= np.isin(cat.modality, [choice("modality", v, _MODALITIES) for v in modality])
        return allowed

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
        models = [as_worker(w) for w in workers]
        if not models or not self.programs:
            return [[] for _ in models]
        allowed = self._filter(exclude, kinds, modality)
        fb = self.fitted_features()
        ranked = rank_block(fb, self.ranker_, fb.block(models), k, allowed)
        demand = fb.skill_demand(ranked.block)
        fees = shown_fees(fb, ranked)
        return [recommendations(fb, ranked, w, demand[w], fees[w]) for w in range(len(models))]

    def explain(self, worker: Worker | Mapping[str, Any], program_id: str) -> Explanation:
        """Feature contributions, skills, chain nodes, eligibility, cost and reasons of a pair.

        Works for excluded programs too: ``eligible`` is then false and ``exclusions`` says why.
        """
        p = self._position(program_id)
        return explanation(self.fitted_features(), self.ranker_, as_worker(worker), p)

    def score_frame(self, df: pd.DataFrame, k: int = 10) -> pd.DataFrame:
        """Rank a DataFrame of workers: the batch partition function.

        Returns one row per recommendation, columns :data:`SCORE_COLUMNS`
        (``worker_id, rank, program_id, score, reason_codes``), workers in input order and
        ranks ascending. Every row is validated; invalid rows raise
        :class:`~skillmatch.errors.SchemaError` (:mod:`skillmatch.batch.local` quarantines them
        instead). Rows are checked column by column and only the rows those checks cannot
        clear go through the :class:`~skillmatch.schema.Worker` model, so no model is built
        per row of a clean frame.
        """
        k = check_k(k)
        parsed = columns_from_frame(df)
        if len(parsed.errors):
            raise SchemaError(first_error(parsed.errors, parsed.n_invalid, "worker"))
        return self.score_columns(parsed.columns, k)

    def score_workers(self, workers: Sequence[Worker], k: int = 10) -> pd.DataFrame:
        """:meth:`score_frame` for workers that are already validated models."""
        return self.score_columns(WorkerColumns.from_models(list(workers)), k)

    def score_columns(self, workers: WorkerColumns, k: int = 10) -> pd.DataFrame:
        """:meth:`score_frame` for workers already validated into columns.

        Batch runners and the engine adapters validate a chunk once (quarantining bad rows,
        see :func:`~skillmatch.core.columns.columns_from_arrow`) and rank the valid workers
        with this, instead of validating them a second time.
        """
        return scored_frame(self.score_arrays(workers, k), self.program_ids)

    def score_arrays(self, workers: WorkerColumns, k: int = 10) -> ScoredArrays:
        """:meth:`score_columns` as flat arrays, the form batch writers turn into Arrow.

        Workers are ranked in blocks of one region each, sized to a bounded number of
        feature cells; rows come back in input order (see
        :func:`~skillmatch.core.scoring.score_arrays`).
        """
        return score_arrays(self.fitted_features(), self.ranker_, workers, k)

    @property
    def text_encoder(self) -> TextEncoder:
        """The encoder of the vocabulary: unseen worker text is embedded with it."""
        return self.fitted_features().vocabulary_.encoder


def score_frame(
    df: pd.DataFrame, recommender: Recommender | None = None, *, k: int = 10
) -> pd.DataFrame:
    """Rank a partition of workers: :meth:`Recommender.score_frame` as a plain function.

    Handy as the function a distributed engine maps over partitions. ``recommender``
    defaults to the shipped bundle (:meth:`Recommender.load`), loaded and verified on every
    call: pass a recommender when scoring more than one frame.

    Examples
    --------
    >>> from skillmatch.sim import make_population, make_world
    >>> df = next(make_population(make_world(0), 2, seed=0))
    >>> score_frame(df, k=3)[["worker_id", "rank"]].values.tolist()  # doctest: +SKIP
    [['w00000001', 1], ['w00000001', 2], ['w00000001', 3], ['w00000002', 1], ...]
    """
    rec = recommender if recommender is not None else Recommender.load()
    return rec.score_frame(df, k=k)
