"""Catalogue tables and plane helpers of :class:`~skillmatch.core.features.FeatureBuilder`.

What the feature planes are made of: the fit tables (schedule, modality), per-region and
per-employer rows of the catalogue (:class:`Tables`), a region's view of the catalogue
(:class:`CatalogueView`), the cache of phrase-program cosines (:class:`PhraseCosines`), and
the element-wise helpers (uplift, exclusions). Private to :mod:`skillmatch.core`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from skillmatch.core._types import FloatArray, IntArray
from skillmatch.core.blocks import WorkerBlock
from skillmatch.core.catalogue import NO_CERT, Catalogue
from skillmatch.core.chains import ChainMap
from skillmatch.text import PhraseStore

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

#: Cosine mapped to 0 and to 1 by the semantic and goal features.
COSINE_FLOOR, COSINE_CEIL = 0.0, 0.7


@dataclass(frozen=True)
class Tables:
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

    def take(self, cols: IntArray) -> Tables:
        """The columns of the programs at ``cols``."""
        return Tables(
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
VIEW_EMBEDDING_BYTES = 8 << 20


#: Catalogues up to this many programs keep the cosine of every phrase seen with every program
#: (4 bytes a pair); larger ones take products with the embedding matrix for each block.
COSINE_CACHE_PROGRAMS = 4096
#: Bytes for the phrase store's vectors and the cosines of its phrases, per recommender: the
#: store holds fewer phrases (clearing when full) as the catalogue grows.
PHRASE_MEMORY = 512 << 20


class PhraseCosines:
    """Cosine of each phrase of a :class:`PhraseStore` with each program, filled as phrases
    arrive (float64 products rounded to float32, as :func:`dot` makes them).

    Workers share phrases (skill names, occupations, goals), so a block's profile cosines are
    a sparse weighted sum of rows of this table instead of a dense product with the
    embedding matrix.
    """

    def __init__(self, embedding: NDArray[np.float64]) -> None:
        self.embedding = embedding
        self.generation = -1
        self.n = 0
        self.rows = np.zeros((0, embedding.shape[0]), dtype=np.float32)

    def trim(self, capacity: int) -> None:
        """Give back rows allocated beyond ``capacity`` phrases (after the store shrank)."""
        if len(self.rows) > capacity:
            self.n = min(self.n, capacity)
            self.rows = self.rows[:capacity].copy()

    def table(self, store: PhraseStore) -> FloatArray:
        """Rows for every phrase now in ``store`` (a view, valid until it grows)."""
        if store.generation == self.generation + 1:  # an eviction renumbered the phrases
            n_kept = int(np.searchsorted(store.kept, self.n))  # kept ids computed before
            self.rows[:n_kept] = self.rows[store.kept[:n_kept]]
            self.generation, self.n = store.generation, n_kept
        elif store.generation != self.generation:
            self.generation, self.n = store.generation, 0
        n = len(store)
        if n > self.n:
            if n > len(self.rows):
                size = max(n, min(max(2 * len(self.rows), 1024), store.capacity))
                grown = np.zeros((size, self.rows.shape[1]), np.float32)
                grown[: self.n] = self.rows[: self.n]
                self.rows = grown
            self.rows[self.n : n] = dot(store.vectors[self.n : n], self.embedding)
            self.n = n
        return self.rows[:n]


@dataclass(frozen=True)
class CatalogueView:
    """The programs at ``cols`` with their catalogue arrays and tables (see
    :meth:`FeatureBuilder.region_view`). ``dot_cols`` is set when ``catalogue.embedding`` is
    the whole catalogue's: the columns to take from products made with it."""

    cols: IntArray
    catalogue: Catalogue
    tables: Tables
    prior: FloatArray
    dot_cols: IntArray | None


def catalogue_tables(cat: Catalogue, chains: ChainMap, node_skills: Any, n_skills: int) -> Tables:
    """What depends only on the catalogue and a worker's region or employer node.

    Chain fit, skill demand and the demand-weighted mass of what a program teaches are
    the same for every worker of a region (or of an employer node), so they are computed
    here once per region and node, and a block only gathers rows.
    """
    n_regions = chains.demand.shape[0] if chains.n_nodes else len(chains.regions) + 1
    no_employer = np.zeros((1, chains.n_nodes), dtype=np.float32)
    if chains.n_nodes:
        ctx = chains.context(
            np.arange(n_regions, dtype=np.int64), np.full(n_regions, -1, dtype=np.int64)
        )
        industrial = dot(ctx.industrial, cat.alignment) / cat.alignment_norm
        innovation = dot(ctx.innovation, cat.alignment) / cat.alignment_norm
        adjacency = np.concatenate([chains.adjacency.astype(np.float32), no_employer])
        supply = dot(adjacency, cat.alignment) / cat.alignment_norm
        region_demand = np.asarray(node_skills.T @ chains.demand.T).T  # (R, S)
        peak = np.maximum(region_demand.max(axis=1, keepdims=True), 1e-6)
        demand = np.asarray(0.5 + 0.5 * region_demand / peak, dtype=np.float32)
    else:
        industrial = innovation = np.zeros((n_regions, cat.n_programs), dtype=np.float32)
        supply = np.zeros((1, cat.n_programs), dtype=np.float32)
        demand = np.ones((n_regions, n_skills), dtype=np.float32)
    taught_t = cat.taught.T.astype(np.float64).tocsr()
    taught_bin = cat.taught.copy()
    taught_bin.data[:] = 1.0
    return Tables(
        industrial=np.asarray(industrial, dtype=np.float32),
        supply=np.asarray(supply, dtype=np.float32),
        innovation=np.asarray(innovation, dtype=np.float32),
        demand=demand,
        demand_taught=np.asarray(taught_t.T @ demand.astype(np.float64).T).T,  # (R, P)
        taught_t=taught_t,
        taught_mass=np.maximum(np.asarray(cat.taught.sum(axis=1), dtype=np.float64).ravel(), 1e-6),
        taught_bin_t=taught_bin.T.tocsr(),
        n_taught=np.maximum(np.asarray(taught_bin.sum(axis=1), dtype=np.float32).ravel(), 1.0),
    )


def rescale_cosine(cos: FloatArray) -> FloatArray:
    """Map a cosine onto [0, 1] over the range where the semantic space discriminates.

    In the centred space unrelated texts sit near 0 and a worker's best-matching program near
    0.6 (measured on the simulated world: median 0, 95th percentile 0.26, mean per-worker
    maximum 0.63), so ``(cos - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR)`` (clipped later)
    spreads the useful range over the unit interval, comparable with the other features.
    """
    return (cos - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR)


def dot(rows: NDArray[np.floating], columns: NDArray[np.float64]) -> FloatArray:
    """``rows @ columns.T`` in float64, rounded to float32.

    A float32 product depends on the BLAS kernel, which changes with the number of rows (gemv
    for one worker, gemm for a block); in float64 the kernels agree far below float32
    precision, so a worker's features are the same alone or in a block of any size.
    """
    return np.asarray(rows.astype(np.float64) @ columns.T, dtype=np.float32)


def uplift(block: WorkerBlock, cat: Catalogue, current: NDArray[np.int8]) -> FloatArray:
    edu_gain = small(cat.awards_education)[None, :] - small(block.education)[:, None]
    cert_gain = current - small(cat.awards_cert)[None, :]
    kind = cat.kind[None, :]
    levels = np.where(kind == 0, edu_gain, np.where(kind == 1, cert_gain, np.int8(0)))
    return np.multiply(levels, np.float32(0.5), dtype=np.float32)  # exact: halves of small ints


def small(values: IntArray) -> NDArray[np.int8]:
    """Education ranks and certificate levels (all within -1..8) as int8."""
    return values.astype(np.int8)


def dense(matrix: Any) -> FloatArray:
    """A scipy sparse result (or an array) as a dense float32 array."""
    dense = matrix.toarray() if hasattr(matrix, "toarray") else matrix
    return np.asarray(dense, dtype=np.float32)


def exclusions(block: WorkerBlock, cat: Catalogue, current: NDArray[np.int8]) -> NDArray[np.uint8]:
    edu = small(block.education)[:, None]
    min_cert = small(cat.min_cert)[None, :]
    checks = [
        edu < small(cat.min_education)[None, :],
        (min_cert < NO_CERT) & (current > min_cert),
        np.broadcast_to(cat.capacity[None, :] <= 0, current.shape),
        ~cat.region_mask[:, block.region].T,
        holds_award(edu, current, cat),
    ]
    excluded = np.zeros(current.shape, dtype=np.uint8)
    for bit, check in enumerate(checks):
        excluded |= check.astype(np.uint8) << np.uint8(bit)
    return excluded


def holds_award(
    edu: NDArray[np.int8], current: NDArray[np.int8], cat: Catalogue
) -> NDArray[np.bool_]:
    kind = cat.kind[None, :]
    has_credential = (kind == 0) & (edu >= small(cat.awards_education)[None, :])
    has_trade = cat.cert_column[None, :] < len(cat.trades)
    has_certificate = (kind == 1) & has_trade & (current <= small(cat.awards_cert)[None, :])
    return np.asarray(has_credential | has_certificate)
