"""Named pair features for a block of workers against all programs, as matrix products.

:class:`FeatureBuilder` turns a catalogue into arrays once (:meth:`FeatureBuilder.fit`) and then
computes, for any block of ``B`` workers, an array of shape ``(B, n_programs, n_features)``
whose columns are :data:`FEATURE_NAMES` — every value lies in [0, 1] — plus the hard
eligibility mask and the reason for every exclusion. There is no Python loop over pairs.

The features and exclusions are described in :mod:`skillmatch.core.feature_names`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from skillmatch.core._planes import (
    COSINE_CACHE_PROGRAMS,
    MODALITY_FIT,
    PHRASE_MEMORY,
    SCHEDULE_FIT,
    VIEW_EMBEDDING_BYTES,
    CatalogueView,
    PhraseCosines,
    catalogue_tables,
    dense,
    dot,
    exclusions,
    rescale_cosine,
    uplift,
)
from skillmatch.core._types import BoolArray, FloatArray, IntArray
from skillmatch.core.blocks import WorkerBlock, build_block
from skillmatch.core.catalogue import Catalogue, build_catalogue
from skillmatch.core.chains import ChainMap
from skillmatch.core.columns import WorkerColumns
from skillmatch.core.feature_names import EXCLUSION_CODES, FEATURE_NAMES, PairFeatures
from skillmatch.core.goals import GOAL_CACHE_BYTES, GoalIndex
from skillmatch.core.space import semantic_space
from skillmatch.schema import EDUCATION_RANK, Program, Worker
from skillmatch.text import PHRASE_STORE_SIZE, Vocabulary

__all__ = [
    "EXCLUSION_CODES",
    "CatalogueView",
    "FEATURE_NAMES",
    "FeatureBuilder",
    "PairFeatures",
]


_PLANE = {name: j for j, name in enumerate(FEATURE_NAMES)}
#: Features in [0, 1] by construction (tables, ratios capped at 1, a validated prior); the
#: others (cosines, levels lost, float rounding of ratios) are clipped.
_BOUNDED = (
    "schedule_fit",
    "hours_fit",
    "modality_fit",
    "affordability",
    "sponsorship",
    "program_prior",
)
_CLIPPED = tuple(n for n in FEATURE_NAMES if n not in _BOUNDED)


class FeatureBuilder(BaseEstimator):  # type: ignore[misc]
    """Computes :data:`FEATURE_NAMES` and the eligibility mask for blocks of workers.

    Parameters
    ----------
    aid_share : float, default=0.8
        Share of the fee that public aid covers on an aid-eligible program.
    aid_max_education : str, default="junior_college"
        Highest education level of a worker who qualifies for public aid.
    sponsor_share : float, default=1.0
        Share of the remaining fee that a sponsoring employer pays (scaled by proximity for a
        chain partner).
    cost_scale : float, default=2000.0
        Net cost in CNY at which affordability is 0.5.
    program_prior : mapping of str to float, default=None
        ``program_id -> prior`` in [0, 1], learned from logs by :meth:`Recommender.fit`.

    Attributes
    ----------
    catalogue_ : Catalogue
        The programs as arrays.
    vocabulary_ : SkillVocabulary
        The vocabulary the catalogue was built with.
    chains_ : ChainMap
        The chain map.
    node_skills_ : scipy.sparse.csr_matrix of shape (n_nodes, n_skills)
        The skills each chain node demands.
    semantic_ : SemanticSpace
        CJK-aware semantic vector of each skill and the embedding centre.
    prior_ : ndarray of shape (n_programs,)
        The ``program_prior`` feature of each catalogue program.
    n_features_out_ : int
        ``len(FEATURE_NAMES)``.
    """

    def __init__(
        self,
        *,
        aid_share: float = 0.8,
        aid_max_education: str = "junior_college",
        sponsor_share: float = 1.0,
        cost_scale: float = 2000.0,
        program_prior: Mapping[str, float] | None = None,
    ) -> None:
        self.aid_share = aid_share
        self.aid_max_education = aid_max_education
        self.sponsor_share = sponsor_share
        self.cost_scale = cost_scale
        self.program_prior = program_prior

    def fit(
        self, programs: Sequence[Program], *, vocabulary: Vocabulary, chains: ChainMap | None = None
    ) -> FeatureBuilder:
        """Build the catalogue arrays; adding or retiring programs is just another ``fit``."""
        self._check_params()
        self.vocabulary_ = vocabulary
        self.chains_ = chains if chains is not None else ChainMap()
        skill_index = {s: i for i, s in enumerate(vocabulary.skill_ids)}
        self.node_skills_ = self.chains_.node_skills(skill_index, vocabulary.n_skills)
        self.semantic_ = semantic_space(vocabulary)
        self.catalogue_ = build_catalogue(
            programs, vocabulary, self.chains_, self.node_skills_, self.semantic_
        )
        self.prior_ = self._prior(self.catalogue_.program_ids)
        self._goal_programs = list(programs)
        self.__dict__.pop("_goals", None)
        self.tables_ = catalogue_tables(
            self.catalogue_, self.chains_, self.node_skills_, self.vocabulary_.n_skills
        )
        self.n_features_out_ = len(FEATURE_NAMES)
        self._views: dict[int, CatalogueView] = {}
        cached = self.catalogue_.n_programs <= COSINE_CACHE_PROGRAMS
        self._phrase_cosines = PhraseCosines(self.catalogue_.embedding) if cached else None
        self.set_phrase_budget(PHRASE_MEMORY)
        return self

    def set_phrase_budget(self, max_bytes: int, *, goal_bytes: int = GOAL_CACHE_BYTES) -> None:
        """Bound the phrase store and the cosines of its phrases together to ``max_bytes``,
        and the goal index's cache of score rows to ``goal_bytes``.

        Phrases beyond it are evicted, least recently used first (see
        :class:`~skillmatch.text.PhraseStore`); a phrase seen again is resolved again.
        """
        check_is_fitted(self, "catalogue_")
        store = self.semantic_.store
        cosines = 4 * self.catalogue_.n_programs if self._phrase_cosines is not None else 0
        store.set_budget(max_bytes, row_bytes=cosines)
        store.capacity = min(store.capacity, PHRASE_STORE_SIZE)
        if self._phrase_cosines is not None:
            self._phrase_cosines.trim(store.capacity)
        self._goal_bytes = goal_bytes
        index: GoalIndex | None = self.__dict__.get("_goals")
        if index is not None:
            index.set_cache_budget(goal_bytes)

    def phrase_store_nbytes(self) -> int:
        """Bytes held by the phrase store and the cosines of its phrases."""
        check_is_fitted(self, "catalogue_")
        cosines = self._phrase_cosines
        return self.semantic_.store.nbytes + (0 if cosines is None else cosines.rows.nbytes)

    def goal_cache_nbytes(self) -> int:
        """Bytes held by the goal index's cache of score rows (0 before it is built)."""
        index: GoalIndex | None = self.__dict__.get("_goals")
        return 0 if index is None else index.cache_nbytes

    @property
    def goals_(self) -> GoalIndex:
        """The :class:`~skillmatch.core.goals.GoalIndex` of the catalogue, built on first use.

        Loading a bundle or ranking workers without goals never encodes the catalogue's
        titles and descriptions.
        """
        check_is_fitted(self, "catalogue_")
        index: GoalIndex | None = self.__dict__.get("_goals")
        if index is None:
            index = self._goals = GoalIndex(
                self._goal_programs,
                self.vocabulary_.encoder,
                second_encoder=getattr(self.vocabulary_, "second_encoder", None),
                cache_bytes=self.__dict__.get("_goal_bytes", GOAL_CACHE_BYTES),
            )
        return index

    def region_view(self, column: int) -> CatalogueView:
        """The programs open to workers of one region, as a :class:`CatalogueView`.

        ``column`` is a column of ``catalogue_.region_mask`` (a worker's ``block.region``).
        Every other program is excluded for those workers (``not_offered_in_region``), so
        ranking them against this view alone gives the same top-k with far fewer cells.
        Views are built on first use and kept (one per region).

        Examples
        --------
        >>> from skillmatch.core.recommend import Recommender
        >>> fb = Recommender.load().features_
        >>> view = fb.region_view(0)
        >>> len(view.cols) < len(fb.catalogue_.program_ids)
        True
        >>> bool(fb.catalogue_.region_mask[view.cols, 0].all())
        True
        """
        check_is_fitted(self, "catalogue_")
        views: dict[int, CatalogueView] = self.__dict__.setdefault("_views", {})
        view = views.get(column)
        if view is None:
            cat = self.catalogue_
            cols = np.flatnonzero(cat.region_mask[:, column]).astype(np.int64)
            own = len(cols) * cat.embedding.shape[1] * 8 <= VIEW_EMBEDDING_BYTES
            view = CatalogueView(
                cols=cols,
                catalogue=cat.take(cols, embedding=own),
                tables=self.tables_.take(cols),
                prior=self.prior_[cols],
                dot_cols=None if own else cols,
            )
            views[column] = view
        return view

    def _whole(self) -> CatalogueView:
        cat = self.catalogue_
        cols = np.arange(cat.n_programs, dtype=np.int64)
        return CatalogueView(cols, cat, self.tables_, self.prior_, None)

    def _prior(self, program_ids: list[str]) -> FloatArray:
        if not self.program_prior:
            return np.full(len(program_ids), 0.5, dtype=np.float32)
        known = np.array(list(self.program_prior.values()), dtype=np.float32)
        if not np.isfinite(known).all() or known.min() < 0 or known.max() > 1:
            raise ValueError("program_prior values must lie in [0, 1]")
        fill = float(np.median(known))
        return np.array([self.program_prior.get(p, fill) for p in program_ids], dtype=np.float32)

    def _check_params(self) -> None:
        for name in ("aid_share", "sponsor_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {name}={value!r}")
        if self.cost_scale <= 0:
            raise ValueError(f"cost_scale must be > 0, got cost_scale={self.cost_scale!r}")
        if self.aid_max_education not in EDUCATION_RANK:
            raise ValueError(
                f"aid_max_education must be one of {sorted(EDUCATION_RANK)}, "
                f"got aid_max_education={self.aid_max_education!r}"
            )

    def block(self, workers: Sequence[Worker] | WorkerColumns) -> WorkerBlock:
        """Arrays of a block of workers (one vocabulary call for all their text)."""
        check_is_fitted(self, "catalogue_")
        columns = (
            workers if isinstance(workers, WorkerColumns) else WorkerColumns.from_models(workers)
        )
        return build_block(columns, self.vocabulary_, self.chains_, self.catalogue_, self.semantic_)

    def transform(self, workers: Sequence[Worker] | WorkerColumns) -> PairFeatures:
        """Features of ``workers`` against every program."""
        return self.compute(self.block(workers))

    def compute(self, block: WorkerBlock, view: CatalogueView | None = None) -> PairFeatures:
        """Features and exclusions of an already built :class:`WorkerBlock`.

        Against the whole catalogue, or only the programs of ``view`` (columns in
        ``view.cols`` order; each value equals the whole catalogue's).
        """
        check_is_fitted(self, "catalogue_")
        view = view if view is not None else self._whole()
        cat, tab = view.catalogue, view.tables
        # feature-major storage: each feature is one contiguous (B, P) plane written in place;
        # ``values`` is a (B, P, F) view of it, so rankers read contiguous planes
        planes = np.empty((len(FEATURE_NAMES), block.n_workers, cat.n_programs), dtype=np.float32)
        f = _PLANE
        self._fit_planes(block, view, planes)
        employer = np.where(block.employer >= 0, block.employer, len(tab.supply) - 1)
        np.take(tab.industrial, block.chain_region, axis=0, out=planes[f["chain_industrial"]])
        np.take(tab.supply, employer, axis=0, out=planes[f["chain_supply"]])
        np.take(tab.innovation, block.chain_region, axis=0, out=planes[f["chain_innovation"]])
        # best certificate level in each program's trade; levels and ranks are tiny integers,
        # so the per-cell comparisons run on int8 (an eighth of the memory traffic)
        current = block.cert_best.astype(np.int8)[:, cat.cert_column]
        planes[f["credential_uplift"]] = uplift(block, cat, current)
        np.take(SCHEDULE_FIT[:, cat.schedule], block.shift, axis=0, out=planes[f["schedule_fit"]])
        np.divide(
            block.weekly_hours[:, None],
            np.maximum(cat.weekly_load, 1e-6),
            out=planes[f["hours_fit"]],
        )
        np.minimum(planes[f["hours_fit"]], 1.0, out=planes[f["hours_fit"]])
        np.take(
            MODALITY_FIT[:, cat.modality], block.modality, axis=0, out=planes[f["modality_fit"]]
        )
        sponsorship = planes[f["sponsorship"]]
        sponsorship[:] = self._sponsorship(block, cat)
        planes[f["affordability"]] = self._affordability(block, cat, sponsorship)
        held = dense(block.has @ tab.taught_bin_t)
        np.divide(held, tab.n_taught, out=planes[f["credit_transfer"]])
        planes[f["program_prior"]] = view.prior
        # only these can leave [0, 1] (cosines, levels lost, float rounding of ratios)
        for name in _CLIPPED:
            np.clip(planes[f[name]], 0.0, 1.0, out=planes[f[name]])
        return PairFeatures(planes.transpose(1, 2, 0), exclusions(block, cat, current))

    def _cosines(self, block: WorkerBlock, view: CatalogueView) -> FloatArray:
        """Cosine of each worker's profile with each program of the view.

        From the phrase cosines when the catalogue is small enough to keep them: a profile's
        cosine is the weighted sum of its phrases' over its norm, summed in the worker's own
        phrase order (the same alone or in any block). Otherwise, and for a block built
        before the phrase store was last cleared, from products with the embedding matrix.
        """
        store = self.semantic_.store
        cache = self.__dict__.get("_phrase_cosines")
        if cache is not None and block.generation == store.generation:
            table = cache.table(store)
            total = np.asarray(block.weights @ table[: block.weights.shape[1]])[:, view.cols]
            norm = block.norm[:, None]
            return np.asarray(np.divide(total, norm, out=np.zeros_like(total), where=norm > 0))
        product = dot(block.profile, view.catalogue.embedding)
        return product if view.dot_cols is None else product[:, view.dot_cols]

    def _fit_planes(self, block: WorkerBlock, view: CatalogueView, planes: FloatArray) -> None:
        f = _PLANE
        cat = view.catalogue
        planes[f["semantic_fit"]] = rescale_cosine(self._cosines(block, view))
        goal = planes[f["goal_fit"]]
        goal[:] = 0.0
        if len(block.goal_rows):
            texts = block.columns.goal[block.goal_rows].tolist()
            goal[block.goal_rows] = self.goals_.scores(texts)[:, view.cols]
        covered = dense(block.has @ cat.required.T)
        planes[f["prereq_coverage"]] = np.where(
            cat.n_required > 0, covered / np.maximum(cat.n_required, 1.0), 1.0
        )
        # what is left to learn: 1 - claimed level / 5 of each skill taught, weighted by demand;
        # sum(taught * demand) is per region, the claimed part a sparse product
        tab = view.tables
        skills = block.skills
        owner = np.repeat(block.chain_region, np.diff(skills.indptr))
        claimed = sp.csr_matrix(
            (
                skills.data.astype(np.float64) * tab.demand[owner, skills.indices],
                skills.indices,
                skills.indptr,
            ),
            shape=skills.shape,
        )
        mass = tab.demand_taught[block.chain_region]  # sum of taught level * demand weight
        left = mass - (claimed @ tab.taught_t).toarray()
        np.divide(left, np.maximum(mass, 1e-9), out=left)
        np.clip(left, 0.0, 1.0, out=left)
        # growth next to what the worker has: 0 when it is all new (nothing to build on) or
        # all known (nothing to learn), highest when half of it is new; scaled by the mean
        # regional demand weight of what it teaches (0.5 .. 1, 1 without chain data)
        planes[f["skill_gain"]] = 4.0 * left * (1.0 - left) * (mass / tab.taught_mass)

    def goal_named(self, block: WorkerBlock, index: IntArray) -> BoolArray:
        """Whether each program in ``index`` is the one its worker's goal clearly names.

        ``index`` holds catalogue columns, shape (B, k), -1 for none. Only such a program may
        be said to match the worker's goal (see :class:`~skillmatch.core.goals.GoalIndex`).
        """
        check_is_fitted(self, "catalogue_")
        named = np.full(block.n_workers, -1, dtype=np.int64)
        if len(block.goal_rows):
            goals = block.columns.goal[block.goal_rows].tolist()
            named[block.goal_rows] = self.goals_.named(goals)
        entry = self.goals_.entry_of[np.maximum(index, 0)]
        return np.asarray((entry == named[:, None]) & (index >= 0) & (named[:, None] >= 0))

    def skill_demand(self, block: WorkerBlock) -> FloatArray:
        """Per-worker skill weights ``0.5 + 0.5 * regional chain demand``, shape (B, S).

        Without chain data every skill weighs 1.
        """
        check_is_fitted(self, "tables_")
        return np.asarray(self.tables_.demand[block.chain_region], dtype=np.float32)

    def _sponsorship(
        self, block: WorkerBlock, cat: Catalogue, cols: IntArray | None = None
    ) -> FloatArray:
        """Sponsorship of each worker with the programs at ``cols`` (all by default)."""
        cols = np.arange(cat.n_programs) if cols is None else cols
        out = np.zeros((block.n_workers, len(cols)), dtype=np.float32)
        has_emp = block.employer >= 0
        nodes = cat.sponsor_node[cols]
        is_node = nodes >= 0
        if has_emp.any() and is_node.any():
            adjacency = self.chains_.adjacency[block.employer[has_emp]]
            out[np.ix_(has_emp, is_node)] = adjacency[:, nodes[is_node]]
        for k, j in enumerate(cols.tolist()):
            name = cat.sponsor_name[j]
            if name is not None and not is_node[k]:  # named by employer id: exact match
                out[:, k] = block.columns.employer_node == name
        return out

    def _affordability(
        self,
        block: WorkerBlock,
        cat: Catalogue,
        sponsorship: FloatArray,
        cols: IntArray | None = None,
    ) -> FloatArray:
        cost = cat.cost if cols is None else cat.cost[cols]
        eligible = cat.aid_eligible if cols is None else cat.aid_eligible[cols]
        aid_ok = block.education <= EDUCATION_RANK[self.aid_max_education]
        aid = np.outer(aid_ok, eligible).astype(np.float32) * self.aid_share
        net = cost * (1.0 - aid) * (1.0 - self.sponsor_share * sponsorship)
        return np.asarray(self.cost_scale / (self.cost_scale + net), dtype=np.float32)

    def net_cost(self, block: WorkerBlock, program_index: int) -> FloatArray:
        """Fee in CNY each worker of ``block`` pays for one program, after aid and sponsors."""
        return self.net_costs(block, np.array([program_index], dtype=np.int64))[:, 0]

    def net_costs(self, block: WorkerBlock, cols: IntArray) -> FloatArray:
        """Fees in CNY, shape (B, len(cols)): :meth:`net_cost` for several programs at once."""
        cat = self.catalogue_
        aff = self._affordability(block, cat, self._sponsorship(block, cat, cols), cols)
        return np.asarray(self.cost_scale / aff - self.cost_scale, dtype=np.float32)
