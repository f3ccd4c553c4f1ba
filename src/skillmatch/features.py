"""Named pair features for a block of workers against all programs, as matrix products.

:class:`FeatureBuilder` turns a catalogue into arrays once (:meth:`FeatureBuilder.fit`) and then
computes, for any block of ``B`` workers, an array of shape ``(B, n_programs, n_features)``
whose columns are :data:`FEATURE_NAMES` — every value lies in [0, 1] — plus the hard
eligibility mask and the reason for every exclusion. There is no Python loop over pairs.

Features
--------
semantic_fit
    Cosine of the worker's profile vector (skill claims + occupation) with the program's
    (skills taught + title) in a centred, CJK-aware space (see ``skillmatch._semantic``),
    rescaled from [0, 0.7] to [0, 1].
goal_fit
    The same for the worker's stated goal (0 without a goal).
prereq_coverage
    Share of the program's required skills the worker claims (1 when it requires none).
skill_gain
    What is left to learn: each skill taught counts ``1 - claimed level / 5`` (all of it when
    the worker does not claim it), weighted by ``0.5 + 0.5 * d`` where ``d`` is the demand for
    the skill in the worker's region along the chains; averaged over the skills taught.
chain_industrial, chain_supply, chain_innovation
    Program alignment with the chain nodes in demand in the worker's region, adjacent to the
    worker's employer (suppliers and customers), and at an emerging innovation stage.
credential_uplift
    Levels gained: education levels for a credential, certificate levels for a certificate.
schedule_fit, hours_fit, modality_fit
    Sessions against the worker's shift pattern, weekly load against hours available,
    delivery mode against preference.
affordability
    ``cost_scale / (cost_scale + net_cost)``; the net cost is after public aid (for eligible
    workers) and employer or chain-partner sponsorship.
credit_transfer
    Share of what the program teaches that the worker already claims (recognised prior
    learning that shortens it).
sponsorship
    1 if the worker's employer node sponsors it, the supply-chain proximity of the sponsor
    otherwise (0.6 a direct supplier or customer, 0.25 two links away).
program_prior
    How well the program did with workers in the interaction logs (a smoothed enrolment rate,
    scaled so the best program is 1), from ``FeatureBuilder(program_prior=...)``; programs
    without a prior get the median. 0.5 for every program before any log is seen.

Exclusions (hard, never traded against score): education below the minimum, certificate
below the minimum, no capacity left, in-person program not offered in the worker's region, or
the worker already holds what the program awards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from skillmatch._blocks import (
    NO_CERT,
    Catalogue,
    Vocabulary,
    WorkerBlock,
    build_block,
    build_catalogue,
    semantic_space,
)
from skillmatch._columns import WorkerColumns
from skillmatch._phrase_store import PHRASE_STORE_SIZE, PhraseStore
from skillmatch.chains import ChainMap
from skillmatch.schema import EDUCATION_RANK, Program, Worker

__all__ = [
    "EXCLUSION_CODES",
    "CatalogueView",
    "FEATURE_NAMES",
    "FeatureBuilder",
    "PairFeatures",
]

FEATURE_NAMES: tuple[str, ...] = (
    "semantic_fit",
    "goal_fit",
    "prereq_coverage",
    "skill_gain",
    "chain_industrial",
    "chain_supply",
    "chain_innovation",
    "credential_uplift",
    "schedule_fit",
    "hours_fit",
    "modality_fit",
    "affordability",
    "credit_transfer",
    "sponsorship",
    "program_prior",
)
#: Bit flags of the exclusion mask, in the order they are checked.
EXCLUSION_CODES: tuple[str, ...] = (
    "education_below_minimum",
    "certificate_below_minimum",
    "no_capacity",
    "not_offered_in_region",
    "already_holds_award",
)
#: Rows: worker shift pattern (day, night, rotating, flexible); columns: program schedule
#: (weekday_evening, weekend, weekday_day, self_paced, full_time).
SCHEDULE_FIT = np.array(
    [
        [1.0, 1.0, 0.1, 1.0, 0.0],
        [0.2, 0.9, 0.8, 1.0, 0.0],
        [0.5, 0.6, 0.5, 1.0, 0.0],
        [0.9, 0.9, 0.7, 1.0, 0.3],
    ],
    dtype=np.float32,
)
#: Rows: preference (online, in_person, blended, any); columns: program modality.
MODALITY_FIT = np.array(
    [[1.0, 0.3, 0.7], [0.3, 1.0, 0.7], [0.7, 0.7, 1.0], [1.0, 1.0, 1.0]], dtype=np.float32
)

FloatArray = NDArray[np.float32]
IntArray = NDArray[np.int64]
#: Cosine mapped to 0 and to 1 by the semantic and goal features.
COSINE_FLOOR, COSINE_CEIL = 0.0, 0.7


class PairFeatures(NamedTuple):
    """Features of a block of workers against the catalogue.

    Attributes
    ----------
    values : ndarray of shape (n_workers, n_programs, n_features)
        Feature values in [0, 1], columns in :data:`FEATURE_NAMES` order.
    excluded : ndarray of shape (n_workers, n_programs), dtype uint8
        Bit ``i`` set when exclusion :data:`EXCLUSION_CODES` ``[i]`` applies; 0 = eligible.
    """

    values: FloatArray
    excluded: NDArray[np.uint8]

    @property
    def eligible(self) -> NDArray[np.bool_]:
        """Boolean mask of shape (n_workers, n_programs)."""
        return np.asarray(self.excluded == 0, dtype=np.bool_)


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


@dataclass(frozen=True)
class _Tables:
    """Per-region and per-employer-node rows of the catalogue (see ``FeatureBuilder._tables``)."""

    industrial: FloatArray  # (n_regions + 1, P)
    supply: FloatArray  # (n_nodes + 1, P), last row: no employer node
    innovation: FloatArray  # (n_regions + 1, P)
    demand: FloatArray  # (n_regions + 1, S) skill weights 0.5 + 0.5 * demand
    demand_taught: NDArray[np.float64]  # (n_regions + 1, P) sum of taught * demand
    taught_t: Any  # (S, P) csr, float64
    taught_mass: NDArray[np.float64]  # (P,)
    taught_bin_t: Any  # (S, P) csr, 1 where taught
    n_taught: FloatArray  # (P,)

    def take(self, cols: IntArray) -> _Tables:
        """The columns of the programs at ``cols``."""
        return _Tables(
            industrial=self.industrial[:, cols],
            supply=self.supply[:, cols],
            innovation=self.innovation[:, cols],
            demand=self.demand,
            demand_taught=self.demand_taught[:, cols],
            taught_t=self.taught_t[:, cols],
            taught_mass=self.taught_mass[cols],
            taught_bin_t=self.taught_bin_t[:, cols],
            n_taught=self.n_taught[cols],
        )


#: A region's programs gather their own rows of the embedding matrix up to this many bytes;
#: beyond it (very large catalogues) products are made with the whole matrix and sliced.
_VIEW_EMBEDDING_BYTES = 8 << 20


#: Catalogues up to this many programs keep the cosine of every phrase seen with every program
#: (4 bytes a pair); larger ones take products with the embedding matrix for each block.
_COSINE_CACHE_PROGRAMS = 4096
#: Bytes for the phrase store's vectors and the cosines of its phrases, per recommender: the
#: store holds fewer phrases (clearing when full) as the catalogue grows.
_PHRASE_MEMORY = 512 << 20


class _PhraseCosines:
    """Cosine of each phrase of a :class:`PhraseStore` with each program, filled as phrases
    arrive (float64 products rounded to float32, as :func:`_dot` makes them).

    Workers share phrases (skill names, occupations, goals), so a block's profile cosines are
    a sparse weighted sum of rows of this table instead of a dense product with the
    embedding matrix.
    """

    def __init__(self, embedding: NDArray[np.float64]) -> None:
        self.embedding = embedding
        self.generation = -1
        self.n = 0
        self.rows = np.zeros((0, embedding.shape[0]), dtype=np.float32)

    def table(self, store: PhraseStore) -> FloatArray:
        """Rows for every phrase now in ``store`` (a view, valid until it grows)."""
        if store.generation != self.generation:  # the store was cleared: ids start again
            self.generation, self.n = store.generation, 0
        n = len(store)
        if n > self.n:
            if n > len(self.rows):
                grown = np.zeros((max(n, 2 * len(self.rows), 1024), self.rows.shape[1]), np.float32)
                grown[: self.n] = self.rows[: self.n]
                self.rows = grown
            self.rows[self.n : n] = _dot(store.vectors[self.n : n], self.embedding)
            self.n = n
        return self.rows[:n]


@dataclass(frozen=True)
class CatalogueView:
    """The programs at ``cols`` with their catalogue arrays and tables (see
    :meth:`FeatureBuilder.region_view`). ``dot_cols`` is set when ``catalogue.embedding`` is
    the whole catalogue's: the columns to take from products made with it."""

    cols: IntArray
    catalogue: Catalogue
    tables: _Tables
    prior: FloatArray
    dot_cols: IntArray | None


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
        self.tables_ = self._tables(self.catalogue_)
        self.n_features_out_ = len(FEATURE_NAMES)
        self._views: dict[int, CatalogueView] = {}
        cached = self.catalogue_.n_programs <= _COSINE_CACHE_PROGRAMS
        self._phrase_cosines = _PhraseCosines(self.catalogue_.embedding) if cached else None
        # the store and the cosines of its phrases share one memory bound (float32 rows)
        store = self.semantic_.store
        width = store.dim + (self.catalogue_.n_programs if cached else 0)
        store.capacity = max(1024, min(PHRASE_STORE_SIZE, _PHRASE_MEMORY // (4 * width)))
        return self

    def region_view(self, column: int) -> CatalogueView:
        """The programs open to workers of one region, as a :class:`CatalogueView`.

        ``column`` is a column of ``catalogue_.region_mask`` (a worker's ``block.region``).
        Every other program is excluded for those workers (``not_offered_in_region``), so
        ranking them against this view alone gives the same top-k with far fewer cells.
        Views are built on first use and kept (one per region).

        Examples
        --------
        >>> from skillmatch.recommend import Recommender
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
            own = len(cols) * cat.embedding.shape[1] * 8 <= _VIEW_EMBEDDING_BYTES
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

    def _tables(self, cat: Catalogue) -> _Tables:
        """What depends only on the catalogue and a worker's region or employer node.

        Chain fit, skill demand and the demand-weighted mass of what a program teaches are
        the same for every worker of a region (or of an employer node), so they are computed
        here once per region and node, and a block only gathers rows.
        """
        chains = self.chains_
        n_regions = chains.demand.shape[0] if chains.n_nodes else len(chains.regions) + 1
        no_employer = np.zeros((1, chains.n_nodes), dtype=np.float32)
        if chains.n_nodes:
            ctx = chains.context(
                np.arange(n_regions, dtype=np.int64), np.full(n_regions, -1, dtype=np.int64)
            )
            industrial = _dot(ctx.industrial, cat.alignment) / cat.alignment_norm
            innovation = _dot(ctx.innovation, cat.alignment) / cat.alignment_norm
            adjacency = np.concatenate([chains.adjacency.astype(np.float32), no_employer])
            supply = _dot(adjacency, cat.alignment) / cat.alignment_norm
            region_demand = np.asarray(self.node_skills_.T @ chains.demand.T).T  # (R, S)
            peak = np.maximum(region_demand.max(axis=1, keepdims=True), 1e-6)
            demand = np.asarray(0.5 + 0.5 * region_demand / peak, dtype=np.float32)
        else:
            industrial = innovation = np.zeros((n_regions, cat.n_programs), dtype=np.float32)
            supply = np.zeros((1, cat.n_programs), dtype=np.float32)
            demand = np.ones((n_regions, self.vocabulary_.n_skills), dtype=np.float32)
        taught_t = cat.taught.T.astype(np.float64).tocsr()
        taught_bin = cat.taught.copy()
        taught_bin.data[:] = 1.0
        return _Tables(
            industrial=np.asarray(industrial, dtype=np.float32),
            supply=np.asarray(supply, dtype=np.float32),
            innovation=np.asarray(innovation, dtype=np.float32),
            demand=demand,
            demand_taught=np.asarray(taught_t.T @ demand.astype(np.float64).T).T,  # (R, P)
            taught_t=taught_t,
            taught_mass=np.maximum(
                np.asarray(cat.taught.sum(axis=1), dtype=np.float64).ravel(), 1e-6
            ),
            taught_bin_t=taught_bin.T.tocsr(),
            n_taught=np.maximum(np.asarray(taught_bin.sum(axis=1), dtype=np.float32).ravel(), 1.0),
        )

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
        planes[f["credential_uplift"]] = _uplift(block, cat, current)
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
        held = _dense(block.has @ tab.taught_bin_t)
        np.divide(held, tab.n_taught, out=planes[f["credit_transfer"]])
        planes[f["program_prior"]] = view.prior
        # only these can leave [0, 1] (cosines, levels lost, float rounding of ratios)
        for name in _CLIPPED:
            np.clip(planes[f[name]], 0.0, 1.0, out=planes[f[name]])
        return PairFeatures(planes.transpose(1, 2, 0), _exclusions(block, cat, current))

    def _cosines(self, block: WorkerBlock, view: CatalogueView) -> tuple[FloatArray, FloatArray]:
        """Cosine of each profile and of each goal (rows of ``block.goal``) with the view.

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
            profile = np.divide(total, norm, out=np.zeros_like(total), where=norm > 0)
            return profile, table[block.goal_ids][:, view.cols]
        cat = view.catalogue

        def cosine(rows: FloatArray) -> FloatArray:
            product = _dot(rows, cat.embedding)
            return product if view.dot_cols is None else product[:, view.dot_cols]

        return cosine(block.profile), cosine(block.goal)

    def _fit_planes(self, block: WorkerBlock, view: CatalogueView, planes: FloatArray) -> None:
        f = _PLANE
        cat = view.catalogue
        profile, goals = self._cosines(block, view)
        planes[f["semantic_fit"]] = _rescale_cosine(profile)
        goal = planes[f["goal_fit"]]
        goal[:] = 0.0
        if len(block.goal_rows):
            goal[block.goal_rows] = _rescale_cosine(goals)
        covered = _dense(block.has @ cat.required.T)
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
        gain = tab.demand_taught[block.chain_region] - (claimed @ tab.taught_t).toarray()
        planes[f["skill_gain"]] = gain / tab.taught_mass

    def skill_demand(self, block: WorkerBlock) -> FloatArray:
        """Per-worker skill weights ``0.5 + 0.5 * regional chain demand``, shape (B, S).

        Without chain data every skill weighs 1.
        """
        check_is_fitted(self, "tables_")
        return np.asarray(self.tables_.demand[block.chain_region], dtype=np.float32)

    def _sponsorship(self, block: WorkerBlock, cat: Catalogue) -> FloatArray:
        out = np.zeros((block.n_workers, cat.n_programs), dtype=np.float32)
        has_emp = block.employer >= 0
        is_node = cat.sponsor_node >= 0
        if has_emp.any() and is_node.any():
            adjacency = self.chains_.adjacency[block.employer[has_emp]]
            out[np.ix_(has_emp, is_node)] = adjacency[:, cat.sponsor_node[is_node]]
        others = [j for j, s in enumerate(cat.sponsor_name) if s is not None and not is_node[j]]
        for j in others:  # sponsors named by employer id rather than chain node: exact match
            out[:, j] = block.columns.employer_node == cat.sponsor_name[j]
        return out

    def _affordability(
        self, block: WorkerBlock, cat: Catalogue, sponsorship: FloatArray
    ) -> FloatArray:
        aid_ok = block.education <= EDUCATION_RANK[self.aid_max_education]
        aid = np.outer(aid_ok, cat.aid_eligible).astype(np.float32) * self.aid_share
        net = cat.cost * (1.0 - aid) * (1.0 - self.sponsor_share * sponsorship)
        return np.asarray(self.cost_scale / (self.cost_scale + net), dtype=np.float32)

    def net_cost(self, block: WorkerBlock, program_index: int) -> FloatArray:
        """Fee in CNY each worker of ``block`` pays for one program, after aid and sponsors."""
        cat = self.catalogue_
        aff = self._affordability(block, cat, self._sponsorship(block, cat))[:, program_index]
        return np.asarray(self.cost_scale / aff - self.cost_scale, dtype=np.float32)


def _rescale_cosine(cos: FloatArray) -> FloatArray:
    """Map a cosine onto [0, 1] over the range where the semantic space discriminates.

    In the centred space unrelated texts sit near 0 and a worker's best-matching program near
    0.6 (measured on the simulated world: median 0, 95th percentile 0.26, mean per-worker
    maximum 0.63), so ``(cos - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR)`` (clipped later)
    spreads the useful range over the unit interval, comparable with the other features.
    """
    return (cos - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR)


def _dot(rows: NDArray[np.floating], columns: NDArray[np.float64]) -> FloatArray:
    """``rows @ columns.T`` in float64, rounded to float32.

    A float32 product depends on the BLAS kernel, which changes with the number of rows (gemv
    for one worker, gemm for a block); in float64 the kernels agree far below float32
    precision, so a worker's features are the same alone or in a block of any size.
    """
    return np.asarray(rows.astype(np.float64) @ columns.T, dtype=np.float32)


def _uplift(block: WorkerBlock, cat: Catalogue, current: NDArray[np.int8]) -> FloatArray:
    edu_gain = _small(cat.awards_education)[None, :] - _small(block.education)[:, None]
    cert_gain = current - _small(cat.awards_cert)[None, :]
    kind = cat.kind[None, :]
    levels = np.where(kind == 0, edu_gain, np.where(kind == 1, cert_gain, np.int8(0)))
    return np.multiply(levels, np.float32(0.5), dtype=np.float32)  # exact: halves of small ints


def _small(values: IntArray) -> NDArray[np.int8]:
    """Education ranks and certificate levels (all within -1..8) as int8."""
    return values.astype(np.int8)


def _dense(matrix: Any) -> FloatArray:
    """A scipy sparse result (or an array) as a dense float32 array."""
    dense = matrix.toarray() if hasattr(matrix, "toarray") else matrix
    return np.asarray(dense, dtype=np.float32)


def _exclusions(block: WorkerBlock, cat: Catalogue, current: NDArray[np.int8]) -> NDArray[np.uint8]:
    edu = _small(block.education)[:, None]
    min_cert = _small(cat.min_cert)[None, :]
    checks = [
        edu < _small(cat.min_education)[None, :],
        (min_cert < NO_CERT) & (current > min_cert),
        np.broadcast_to(cat.capacity[None, :] <= 0, current.shape),
        ~cat.region_mask[:, block.region].T,
        _holds_award(edu, current, cat),
    ]
    excluded = np.zeros(current.shape, dtype=np.uint8)
    for bit, check in enumerate(checks):
        excluded |= check.astype(np.uint8) << np.uint8(bit)
    return excluded


def _holds_award(
    edu: NDArray[np.int8], current: NDArray[np.int8], cat: Catalogue
) -> NDArray[np.bool_]:
    kind = cat.kind[None, :]
    has_credential = (kind == 0) & (edu >= _small(cat.awards_education)[None, :])
    has_trade = cat.cert_column[None, :] < len(cat.trades)
    has_certificate = (kind == 1) & has_trade & (current <= _small(cat.awards_cert)[None, :])
    return np.asarray(has_credential | has_certificate)
