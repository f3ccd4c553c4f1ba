"""CJK-aware semantic vectors: encoder embedding plus hashed character n-grams.

The packaged encoder reads English; Chinese characters mostly become ``[UNK]``, so two Chinese
phrases look alike to it whatever they mean. A phrase's semantic vector therefore joins two
unit vectors, weighted by the share ``c`` of CJK characters in the phrase:

    v = [sqrt(1 - c) * embedding, sqrt(c) * ngrams]

where ``ngrams`` is a hashed, sublinear count of character n-grams (1-2 for CJK runs, 3 for
Latin words). English text keeps its embedding untouched, Chinese text is compared by its
characters, mixed text by both; the cosine of two vectors is a blend of the two similarities.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from skillmatch._lexical import _ngrams, cjk_share
from skillmatch.encode import l2_normalize

#: Width of the hashed n-gram block.
NGRAM_DIM = 512
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


def semantic_vectors(
    texts: Sequence[str], embeddings: NDArray[np.float32]
) -> NDArray[np.float32]:
    """Join embeddings (shape (n, dim)) with n-gram vectors by CJK share; unit rows."""
    share = np.array([cjk_share(t) for t in texts], dtype=np.float32)[:, None]
    joined = np.hstack([np.sqrt(1.0 - share) * embeddings, np.sqrt(share) * ngram_vectors(texts)])
    return l2_normalize(joined)
