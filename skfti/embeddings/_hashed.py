"""Signed hashing of word and character n-grams: an embedding with no download."""

from numbers import Integral

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import check_random_state

from skfti.embeddings._base import EmbeddingModule, check_texts


class HashedNGramEmbedding(EmbeddingModule):
    """Hashed n-gram counts, randomly projected to ``dim`` dimensions.

    Each text is turned into signed, hashed counts of its word n-grams and
    character n-grams (scikit-learn's :class:`~sklearn.feature_extraction.text.
    HashingVectorizer`, murmurhash3, ``n_buckets`` buckets each), TF-scaled with
    ``log1p``, projected by a fixed Gaussian matrix drawn from ``random_state``
    and L2-normalised. It needs no pre-trained weights, so it always works; it
    is the weakest but most robust candidate module.

    Parameters
    ----------
    dim : int, default=256
        Output width.
    ngram_range : tuple of int, default=(1, 2)
        Lengths of the word n-grams.
    char_ngram_range : tuple of int or None, default=(3, 5)
        Lengths of the character n-grams (within word boundaries); None for
        words only.
    n_buckets : int, default=2**14
        Hash buckets of each vectorizer.
    random_state : int, default=0
        Seed of the projection matrix. The same seed gives the same embedding
        in every process.

    Attributes
    ----------
    name : str
        ``f"hashed{dim}"``.
    output_dim : int
        ``dim``.

    Examples
    --------
    >>> from skfti.embeddings import HashedNGramEmbedding
    >>> module = HashedNGramEmbedding(dim=32)
    >>> module.embed(["a small dog", "a big cat"]).shape
    (2, 32)
    """

    def __init__(
        self,
        dim=256,
        *,
        ngram_range=(1, 2),
        char_ngram_range=(3, 5),
        n_buckets=2**14,
        random_state=0,
    ):
        for value, label in ((dim, "dim"), (n_buckets, "n_buckets")):
            if not isinstance(value, Integral) or value < 1:
                raise ValueError(f"{label} must be a positive int, got {value!r}.")
        if not isinstance(random_state, Integral):
            raise ValueError(
                f"random_state must be an int so that the projection is the same "
                f"in every process, got {random_state!r}."
            )
        self.dim = int(dim)
        self.ngram_range = tuple(ngram_range)
        self.char_ngram_range = (
            None if char_ngram_range is None else tuple(char_ngram_range)
        )
        self.n_buckets = int(n_buckets)
        self.random_state = int(random_state)
        self.name = f"hashed{self.dim}"
        self.output_dim = self.dim
        self._projection = None

    def _vectorizers(self):
        options = dict(
            n_features=self.n_buckets, alternate_sign=True, norm=None, lowercase=True
        )
        vectorizers = [HashingVectorizer(ngram_range=self.ngram_range, **options)]
        if self.char_ngram_range is not None:
            vectorizers.append(
                HashingVectorizer(
                    analyzer="char_wb", ngram_range=self.char_ngram_range, **options
                )
            )
        return vectorizers

    def _get_projection(self, n_inputs):
        if self._projection is None:
            rng = check_random_state(self.random_state)
            projection = rng.standard_normal((n_inputs, self.dim))
            self._projection = (projection / np.sqrt(self.dim)).astype(np.float32)
        return self._projection

    def embed(self, texts):
        texts = check_texts(texts)
        if not texts:
            return self._empty()
        blocks = [vectorizer.transform(texts) for vectorizer in self._vectorizers()]
        parts = []
        for block in blocks:
            block = block.astype(np.float32)
            block.data = np.sign(block.data) * np.log1p(np.abs(block.data))
            parts.append(block)
        projection = self._get_projection(self.n_buckets * len(parts))
        dense = sum(
            np.asarray(part @ projection[i * self.n_buckets : (i + 1) * self.n_buckets])
            for i, part in enumerate(parts)
        )
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        return (dense / np.maximum(norms, 1e-12)).astype(np.float32)

    def get_config(self):
        return {
            "class": "HashedNGramEmbedding",
            "dim": self.dim,
            "ngram_range": list(self.ngram_range),
            "char_ngram_range": (
                None if self.char_ngram_range is None else list(self.char_ngram_range)
            ),
            "n_buckets": self.n_buckets,
            "random_state": self.random_state,
        }

    def __repr__(self):
        return (
            f"HashedNGramEmbedding(dim={self.dim}, ngram_range={self.ngram_range}, "
            f"random_state={self.random_state})"
        )

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_projection"] = None
        return state
