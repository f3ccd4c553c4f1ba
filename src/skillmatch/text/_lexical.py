"""Character n-gram TF-IDF for bilingual skill names (private to :mod:`skillmatch.text`).

Text is NFKC-normalised (full-width letters and digits become half-width) and lower-cased, then
split into runs of CJK characters and runs of Latin letters/digits. CJK runs yield plain
character n-grams (no word segmenter is needed: 电焊工 shares 电焊 and 焊工 with its neighbours);
Latin runs yield n-grams of the word padded with spaces, as sklearn's ``char_wb`` analyzer does,
so a typo keeps most of its n-grams. Rows are sublinear-tf x smoothed-idf vectors scaled to unit
norm, so a dot product is a cosine in [0, 1].

N-grams never seen in the fitted forms still count towards a text's norm (with the idf of an
unseen n-gram): "karaoke singing" shares "ing" with "welding", but most of its weight lies
outside the vocabulary, so its cosine stays low.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = [
    "CharNgramModel",
    "SurfaceForms",
    "cjk_share",
    "normalize_text",
    "surface_forms",
]

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_RUN = re.compile(f"([{_CJK}]+)|([0-9a-z\u00c0-\u024f+#]+)")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_WORD_CHAR = re.compile(f"[{_CJK}0-9a-z\u00c0-\u024f]")
_SPACE = re.compile(r"\s+")
#: A form whose CJK share exceeds this is not embedded (the encoder sees mostly [UNK]).
MAX_CJK_SHARE_FOR_EMBEDDING = 0.5


def normalize_text(text: str) -> str:
    """NFKC-normalise, lower-case and collapse whitespace.

    Examples
    --------
    >>> normalize_text("  ＰＬＣ\u3000编程 ")
    'plc 编程'
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def cjk_share(text: str) -> float:
    """Fraction of the letters, digits and CJK characters of ``text`` that are CJK.

    Examples
    --------
    >>> cjk_share("PLC编程"), cjk_share("welding"), cjk_share("电焊"), cjk_share("--")
    (0.4, 0.0, 1.0, 0.0)
    """
    norm = normalize_text(text)
    n_word = len(_WORD_CHAR.findall(norm))
    return len(_CJK_CHAR.findall(norm)) / n_word if n_word else 0.0


def _ngrams(text: str, latin_range: tuple[int, int], cjk_range: tuple[int, int]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for cjk, word in _RUN.findall(normalize_text(text)):
        run, (lo, hi) = (cjk, cjk_range) if cjk else (f" {word} ", latin_range)
        for n in range(lo, hi + 1):
            counts.update(run[i : i + n] for i in range(len(run) - n + 1))
    return counts


class CharNgramModel:
    """Sublinear TF-IDF over character n-grams with a fixed vocabulary.

    Parameters
    ----------
    vocabulary : list of str
        The n-grams, in column order.
    idf : ndarray of shape (n_ngrams,)
        Smoothed inverse document frequency of each n-gram.
    n_documents : int
        Number of texts the model was fitted on (sets the idf of unseen n-grams).
    latin_range, cjk_range : tuple of int
        Inclusive n-gram lengths for Latin words (space-padded) and CJK runs.

    Examples
    --------
    >>> model = CharNgramModel.fit(["arc welding", "电焊", "forklift"])
    >>> sims = (model.transform(["welding", "烧电焊"]) @ model.transform(["arc welding", "电焊"]).T)
    >>> np.round(sims.toarray(), 2).tolist()
    [[0.84, 0.0], [0.0, 0.66]]
    """

    def __init__(
        self,
        vocabulary: list[str],
        idf: NDArray[np.float64],
        n_documents: int,
        *,
        latin_range: tuple[int, int] = (2, 4),
        cjk_range: tuple[int, int] = (1, 2),
    ) -> None:
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)
        self.n_documents = n_documents
        self.latin_range = latin_range
        self.cjk_range = cjk_range
        self._column = {gram: i for i, gram in enumerate(vocabulary)}
        self._unseen_idf = math.log(1.0 + n_documents) + 1.0

    @classmethod
    def fit(
        cls,
        texts: Iterable[str],
        *,
        latin_range: tuple[int, int] = (2, 4),
        cjk_range: tuple[int, int] = (1, 2),
    ) -> CharNgramModel:
        """Learn the vocabulary (sorted) and idf from ``texts``."""
        df: Counter[str] = Counter()
        n_documents = 0
        for text in texts:
            df.update(_ngrams(text, latin_range, cjk_range).keys())
            n_documents += 1
        vocabulary = sorted(df)
        counts = np.array([df[g] for g in vocabulary], dtype=np.float64)
        idf = np.log((1.0 + n_documents) / (1.0 + counts)) + 1.0
        return cls(vocabulary, idf, n_documents, latin_range=latin_range, cjk_range=cjk_range)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Unit-norm TF-IDF rows, shape ``(len(texts), n_ngrams)``.

        N-grams outside the vocabulary get no column but still add to the row's norm.
        """
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        norms = np.zeros(len(texts), dtype=np.float64)
        for row, text in enumerate(texts):
            sq = 0.0
            for gram, tf in _ngrams(text, self.latin_range, self.cjk_range).items():
                col = self._column.get(gram)
                weight = (1.0 + math.log(tf)) * (self._unseen_idf if col is None else self.idf[col])
                sq += weight * weight
                if col is not None:
                    indices.append(col)
                    data.append(weight)
            norms[row] = math.sqrt(sq)
            indptr.append(len(indices))
        scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        values = np.asarray(data, dtype=np.float64) * np.repeat(scale, np.diff(indptr))
        return sp.csr_matrix(
            (values, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
            shape=(len(texts), len(self.vocabulary)),
        )

    def get_params(self) -> dict[str, Any]:
        """JSON-able parameters (everything but the idf array)."""
        return {
            "vocabulary": self.vocabulary,
            "n_documents": self.n_documents,
            "latin_range": list(self.latin_range),
            "cjk_range": list(self.cjk_range),
        }


class SurfaceForms(NamedTuple):
    """Normalised forms grouped by skill; ``*_starts[i]`` is the first form of skill ``i``."""

    lexical: list[str]
    lexical_starts: NDArray[np.int64]
    embedding: list[str]
    embedding_starts: NDArray[np.int64]


def surface_forms(
    names: Sequence[str],
    names_zh: Sequence[str],
    aliases: Sequence[Sequence[str]],
    *,
    embed_cjk: bool = False,
) -> SurfaceForms:
    """Lexical forms (every name and alias) and embedding forms.

    The embedding forms are the Latin-script ones, or every form when ``embed_cjk`` (the
    encoder reads Chinese). Every skill gets at least one form of each kind (its English name).
    """
    lexical: list[str] = []
    embedding: list[str] = []
    lex_starts: list[int] = []
    emb_starts: list[int] = []
    for name, name_zh, skill_aliases in zip(names, names_zh, aliases, strict=True):
        forms = list(dict.fromkeys(normalize_text(f) for f in (name, name_zh, *skill_aliases)))
        forms = [f for f in forms if f] or [normalize_text(name)]
        latin = [f for f in forms if embed_cjk or cjk_share(f) <= MAX_CJK_SHARE_FOR_EMBEDDING]
        lex_starts.append(len(lexical))
        emb_starts.append(len(embedding))
        lexical.extend(forms)
        embedding.extend(latin or forms[:1])
    return SurfaceForms(
        lexical, np.asarray(lex_starts, np.int64), embedding, np.asarray(emb_starts, np.int64)
    )
