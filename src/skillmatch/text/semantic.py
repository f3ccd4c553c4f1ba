"""CJK-aware semantic vectors: encoder embedding plus hashed character n-grams.

The packaged encoder reads English; Chinese characters mostly become ``[UNK]``, so two Chinese
phrases look alike to it whatever they mean. A phrase's semantic vector therefore joins two
unit vectors, weighted by the share ``c`` of CJK characters in the phrase:

    v = [sqrt(1 - c) * embedding, sqrt(c) * ngrams]

where ``ngrams`` is a hashed, sublinear count of character n-grams (1-2 for CJK runs, 3 for
Latin words) and ``c`` counts each CJK character and each Latin word as one token (a Chinese
character carries about as much as an English word). English text keeps its embedding, Chinese
text is compared by its characters, mixed text by both.

Embeddings are centred first (the mean skill embedding is subtracted): sentence embeddings share
a large common direction, so unrelated texts have cosine around 0.25; centred, unrelated texts
sit near 0 like unrelated n-gram vectors do, and the two blocks are on one scale.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from skillmatch.text._lexical import _ngrams, normalize_text
from skillmatch.text.encode import l2_normalize

#: Width of the hashed n-gram block.
NGRAM_DIM = 256
_LATIN = (3, 3)
_CJK = (1, 2)


def ngram_vectors(texts: Sequence[str]) -> NDArray[np.float32]:
    """Unit-norm hashed character n-gram vectors, shape (len(texts), NGRAM_DIM).

    Examples
    --------
    >>> v = ngram_vectors(["电焊", "电焊工", "叉车"])
    >>> bool(v[0] @ v[1] > 0.5 > v[0] @ v[2])
    True
    """
    out = np.zeros((len(texts), NGRAM_DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        for gram, count in _ngrams(text, _LATIN, _CJK).items():
            out[i, zlib.crc32(gram.encode("utf-8")) % NGRAM_DIM] += 1.0 + math.log(count)
    return l2_normalize(out)


_CJK_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile("[0-9a-z\u00c0-\u024f]+")


def cjk_token_share(text: str) -> float:
    """Share of CJK characters among CJK characters plus Latin words.

    Examples
    --------
    >>> [cjk_token_share(t) for t in ("叉车 forklift driving", "welding", "电焊")]
    [0.5, 0.0, 1.0]
    """
    norm = normalize_text(text)
    n_cjk = len(_CJK_CHAR.findall(norm))
    n_words = len(_LATIN_WORD.findall(_CJK_CHAR.sub(" ", norm)))
    return n_cjk / (n_cjk + n_words) if n_cjk + n_words else 0.0


def semantic_vectors(
    texts: Sequence[str], embeddings: NDArray[np.float32], center: NDArray[np.float32]
) -> NDArray[np.float32]:
    """Join centred embeddings (shape (n, dim)) with n-gram vectors by CJK share; unit rows."""
    share = np.array([cjk_token_share(t) for t in texts], dtype=np.float32)[:, None]
    centred = l2_normalize(embeddings - center)
    joined = np.hstack([np.sqrt(1.0 - share) * centred, np.sqrt(share) * ngram_vectors(texts)])
    return l2_normalize(joined)
