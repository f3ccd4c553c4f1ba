"""Industrial, supply and innovation chains as matrices over chain nodes.

A :class:`ChainMap` turns a list of :class:`~skillmatch.schema.Chain` into the arrays the
features need:

* ``demand`` — ndarray of shape (n_regions + 1, n_nodes): labour demand of each node in each
  region (the last row, all zeros, stands for a region the map does not know);
* ``adjacency`` — ndarray of shape (n_nodes, n_nodes): supply-chain proximity, 1 for the node
  itself, ``neighbour_weight`` for its direct suppliers (upstream) and customers (downstream),
  ``second_weight`` two steps away;
* ``stage_weight`` — ndarray of shape (n_nodes,): how much a node belongs to the regional
  innovation chain (R&D > pilot > scale-up > mature).

Each worker then gets a *chain context*: three node-weight vectors (industrial from the region's
demand, supply from the employer's adjacency, innovation from demand times stage), and a
program's alignment with the nodes (:meth:`ChainMap.program_alignment`) turns contexts into
chain-fit features with one matrix product each.

Examples
--------
>>> from skillmatch.schema import Chain, ChainNode
>>> cells = ChainNode(node_id="ev.0", chain_id="ev", name_en="cells", name_zh="电芯",
...                   position=0, downstream=["ev.1"], demand={"CN-AH": 0.9})
>>> packs = ChainNode(node_id="ev.1", chain_id="ev", name_en="packs", name_zh="电池包",
...                   position=1, upstream=["ev.0"], demand={"CN-AH": 0.5})
>>> nodes = [cells, packs]
>>> cmap = ChainMap([Chain(chain_id="ev", name_en="EV", name_zh="新能源汽车", nodes=nodes)])
>>> cmap.node_ids, cmap.regions
(['ev.0', 'ev.1'], ['CN-AH'])
>>> cmap.adjacency.tolist()
[[1.0, 0.6000000238418579], [0.6000000238418579, 1.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from skillmatch.core._lookup import positions
from skillmatch.core._types import FloatArray, IntArray
from skillmatch.errors import UnknownIdError
from skillmatch.schema import Chain, ChainNode, Program

__all__ = ["STAGE_WEIGHT", "ChainContext", "ChainMap"]

#: Weight of each innovation stage in the innovation-chain context.
STAGE_WEIGHT: dict[str, float] = {"rnd": 1.0, "pilot": 0.8, "scale_up": 0.6, "mature": 0.1}


class ChainContext(NamedTuple):
    """Node weights of a block of workers, each an ndarray of shape (n_workers, n_nodes)."""

    industrial: FloatArray
    supply: FloatArray
    innovation: FloatArray


class ChainMap:
    """Chain graph with regional demand, supply-chain adjacency and innovation stage.

    Parameters
    ----------
    chains : sequence of Chain
        The industrial chains. Node ids must be unique across chains, and every
        ``upstream``/``downstream`` link must name a known node.
    neighbour_weight : float, default=0.6
        Supply-chain proximity of a direct supplier or customer.
    second_weight : float, default=0.25
        Proximity two links away.
    """

    def __init__(
        self,
        chains: Sequence[Chain] = (),
        *,
        neighbour_weight: float = 0.6,
        second_weight: float = 0.25,
    ) -> None:
        self.chains = list(chains)
        self.neighbour_weight = neighbour_weight
        self.second_weight = second_weight
        self.nodes: list[ChainNode] = [n for c in self.chains for n in c.nodes]
        self.node_ids: list[str] = [n.node_id for n in self.nodes]
        self._node_index: dict[str, int] = {}
        for i, node_id in enumerate(self.node_ids):
            if node_id in self._node_index:
                raise ValueError(f"node_id {node_id!r} appears in more than one chain")
            self._node_index[node_id] = i
        self.regions: list[str] = sorted({r for n in self.nodes for r in n.demand})
        self._region_index = {r: i for i, r in enumerate(self.regions)}
        self.demand = self._demand_matrix()
        self.adjacency = self._adjacency_matrix()
        self.stage_weight = np.array(
            [STAGE_WEIGHT[n.innovation_stage] for n in self.nodes], dtype=np.float32
        )

    @property
    def n_nodes(self) -> int:
        """Number of chain nodes."""
        return len(self.node_ids)

    def index_of(self, node_id: str) -> int:
        """Position of ``node_id``; raises :class:`UnknownIdError` naming it."""
        try:
            return self._node_index[node_id]
        except KeyError:
            raise UnknownIdError(f"unknown chain node_id {node_id!r}") from None

    def node_index(self, node_ids: Sequence[str | None] | NDArray[np.object_]) -> IntArray:
        """Positions of ``node_ids``, -1 for ``None`` or a node the map does not know."""
        return positions(node_ids, self.node_ids)

    def region_index(self, regions: Sequence[str] | NDArray[np.object_]) -> IntArray:
        """Row of each region in :attr:`demand` (unknown regions map to the zero row)."""
        return positions(regions, self.regions, missing=len(self.regions))

    def node(self, node_id: str) -> ChainNode:
        """The :class:`ChainNode` with this id."""
        return self.nodes[self.index_of(node_id)]

    def _demand_matrix(self) -> FloatArray:
        demand = np.zeros((len(self.regions) + 1, self.n_nodes), dtype=np.float32)
        for j, node in enumerate(self.nodes):
            for region, weight in node.demand.items():
                demand[self._region_index[region], j] = weight
        return demand

    def _adjacency_matrix(self) -> FloatArray:
        n = self.n_nodes
        links = np.zeros((n, n), dtype=bool)
        for i, node in enumerate(self.nodes):
            for other in (*node.upstream, *node.downstream):
                if other not in self._node_index:
                    raise UnknownIdError(
                        f"node {node.node_id!r} links to unknown node_id {other!r}"
                    )
                j = self._node_index[other]
                links[i, j] = links[j, i] = True
        two_steps = (links.astype(np.int32) @ links.astype(np.int32)) > 0
        adjacency = np.where(two_steps, self.second_weight, 0.0)
        adjacency = np.where(links, self.neighbour_weight, adjacency)
        np.fill_diagonal(adjacency, 1.0)
        return adjacency.astype(np.float32)

    def node_skills(self, skill_index: dict[str, int], n_skills: int) -> sp.csr_matrix:
        """Sparse (n_nodes, n_skills) 0/1 matrix of the skills each node demands.

        Skill ids that ``skill_index`` does not know are ignored (a chain map may describe
        demand in a richer taxonomy than the vocabulary in use).
        """
        rows, cols = [], []
        for i, node in enumerate(self.nodes):
            for skill_id in node.skills_demanded:
                j = skill_index.get(skill_id)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        data = np.ones(len(rows), dtype=np.float32)
        matrix = sp.csr_matrix((data, (rows, cols)), shape=(self.n_nodes, n_skills))
        matrix.sum_duplicates()
        matrix.data[:] = 1.0
        return matrix

    def program_alignment(
        self, programs: Sequence[Program], taught: sp.csr_matrix, node_skills: sp.csr_matrix
    ) -> FloatArray:
        """Alignment of each program with each node, ndarray of shape (n_programs, n_nodes).

        Half comes from the program's own chain tags (``chain_nodes``), half from the share of
        the skills it teaches that the node demands (``taught`` is the (n_programs, n_skills)
        matrix of taught skills). Values lie in [0, 1].
        """
        tags = np.zeros((len(programs), self.n_nodes), dtype=np.float32)
        for p, program in enumerate(programs):
            idx = self.node_index(program.chain_nodes)
            tags[p, idx[idx >= 0]] = 1.0
        taught_bin = (taught > 0).astype(np.float32)
        overlap = np.asarray((taught_bin @ node_skills.T).todense(), dtype=np.float32)
        n_taught = np.maximum(np.asarray(taught_bin.sum(axis=1), dtype=np.float32), 1.0)
        return (0.5 * tags + 0.5 * overlap / n_taught).astype(np.float32)

    def context(self, region_idx: IntArray, employer_idx: IntArray) -> ChainContext:
        """Chain context of a block of workers (see the module docstring).

        ``region_idx`` comes from :meth:`region_index`, ``employer_idx`` from
        :meth:`node_index` (-1 for no employer node).
        """
        industrial = self.demand[region_idx]
        supply = np.zeros((len(employer_idx), self.n_nodes), dtype=np.float32)
        has_employer = employer_idx >= 0
        supply[has_employer] = self.adjacency[employer_idx[has_employer]]
        innovation = industrial * self.stage_weight
        return ChainContext(industrial, supply, innovation)

    def __repr__(self) -> str:
        return f"ChainMap(n_chains={len(self.chains)}, n_nodes={self.n_nodes})"
