"""Chain-map lookups of worker regions and employer nodes."""

from __future__ import annotations

import numpy as np

from skillmatch.chains import ChainMap
from tests.conftest import tiny_chains


def test_node_and_region_index_take_lists_and_arrays() -> None:
    chains = tiny_chains()
    nodes = ["ev.packs", None, "unknown.node", "ev.cells", "ev.packs"]
    want = [chains.index_of("ev.packs"), -1, -1, chains.index_of("ev.cells")] + [
        chains.index_of("ev.packs")
    ]
    assert chains.node_index(nodes).tolist() == want
    assert chains.node_index(np.array(nodes, dtype=object)).tolist() == want
    regions = ["CN-GD", "CN-XX", "CN-AH"]
    unknown = len(chains.regions)  # the zero row of the demand matrix
    want_r = [chains.regions.index("CN-GD"), unknown, chains.regions.index("CN-AH")]
    assert chains.region_index(regions).tolist() == want_r
    assert chains.region_index(np.array(regions, dtype=object)).tolist() == want_r
    assert chains.node_index([]).tolist() == [] and chains.region_index([]).tolist() == []
    empty = ChainMap()
    assert empty.node_index(["ev.cells", None]).tolist() == [-1, -1]
    assert empty.region_index(["CN-GD"]).tolist() == [0]
