"""TF Hub modules: loading any handle, and exporting offline text modules.

TensorFlow and ``tensorflow_hub`` come from :mod:`skfti._tf` inside the
functions only, so that ``import skfti.embeddings`` stays cheap.
"""

import hashlib
import os
import shutil
from numbers import Integral

import numpy as np

from skfti._tf import import_tensorflow, import_tensorflow_hub
from skfti.embeddings._base import EmbeddingModule, check_texts


def _default_name(handle):
    parts = [part for part in handle.replace("\\", "/").split("/") if part]
    if not parts:
        return "hub"
    if parts[-1].isdigit() and len(parts) > 1:
        return f"{parts[-2]}-{parts[-1]}"
    return parts[-1]


def _saved_model_fingerprint(path):
    """sha256 of the graph and variable index of a local SavedModel, or None."""
    files = [
        os.path.join(path, "saved_model.pb"),
        os.path.join(path, "variables", "variables.index"),
    ]
    if not os.path.isfile(files[0]):
        return None
    digest = hashlib.sha256()
    for file in files:
        if os.path.isfile(file):
            with open(file, "rb") as stream:
                digest.update(stream.read())
    return digest.hexdigest()


class HubEmbedding(EmbeddingModule):
    """A text embedding module loaded with ``tensorflow_hub.load``.

    Works with a TF Hub handle (which needs network access or a populated
    ``TFHUB_CACHE_DIR``) and with a local SavedModel directory, such as one
    written by :func:`export_hub_module`. The module loads lazily on the first
    call and is dropped when pickled, so instances can be sent to worker
    processes.

    Parameters
    ----------
    handle : str or path-like
        TF Hub handle (URL) or local SavedModel directory. The loaded object must
        map a 1-D string tensor to a float tensor of shape (n, dim) (or a dict
        holding it under ``"default"`` or ``"outputs"``).
    name : str, default=None
        Name of the module; by default the last part of ``handle``.
    output_dim : int, default=None
        Width of the output; by default found by embedding one text.
    batch_size : int, default=512
        Texts per call of the loaded module.

    Attributes
    ----------
    name : str
        The module's name.
    output_dim : int
        Width of the output.

    See Also
    --------
    export_hub_module : Write a word-vector or hashed n-gram module.

    Examples
    --------
    >>> from skfti.embeddings import HubEmbedding
    >>> module = HubEmbedding("https://tfhub.dev/google/nnlm-en-dim50/2")
    >>> module.name
    'nnlm-en-dim50-2'
    """

    def __init__(self, handle, *, name=None, output_dim=None, batch_size=512):
        self.handle = os.fspath(handle)
        self.name = _default_name(self.handle) if name is None else name
        if output_dim is not None and (
            not isinstance(output_dim, Integral) or output_dim < 1
        ):
            raise ValueError(f"output_dim must be a positive int, got {output_dim!r}.")
        self._output_dim = None if output_dim is None else int(output_dim)
        self.batch_size = batch_size
        self._module = None

    @property
    def output_dim(self):
        if self._output_dim is None:
            self._output_dim = int(self._call([""]).shape[1])
        return self._output_dim

    def _get_module(self):
        if self._module is None:
            hub = import_tensorflow_hub()
            self._module = hub.load(self.handle)
        return self._module

    def _call(self, texts):
        tf = import_tensorflow()
        outputs = self._get_module()(tf.constant(texts, dtype=tf.string))
        if isinstance(outputs, dict):
            for key in ("default", "outputs"):
                if key in outputs:
                    outputs = outputs[key]
                    break
            else:
                (outputs,) = outputs.values()
        outputs = np.asarray(outputs, dtype=np.float32)
        if outputs.ndim != 2 or len(outputs) != len(texts):
            raise ValueError(
                f"the module at {self.handle!r} returned shape {outputs.shape} for "
                f"{len(texts)} texts; expected (n_texts, dim)."
            )
        return outputs

    def embed(self, texts):
        texts = check_texts(texts)
        if not texts:
            return self._empty()
        parts = [
            self._call(texts[start : start + self.batch_size])
            for start in range(0, len(texts), self.batch_size)
        ]
        embeddings = np.concatenate(parts)
        self._output_dim = embeddings.shape[1]
        return embeddings

    def get_config(self):
        config = {"class": "HubEmbedding", "name": self.name, "handle": self.handle}
        if os.path.isdir(self.handle):
            config["handle"] = os.path.abspath(self.handle)
            config["fingerprint"] = _saved_model_fingerprint(self.handle)
        return config

    def __repr__(self):
        return f"HubEmbedding({self.handle!r}, name={self.name!r})"

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_module"] = None
        return state


def _word_vector_module(vectors, vocabulary):
    from skfti.embeddings._text import tf_tokenize

    tf = import_tensorflow()

    rows = {}
    for row, word in enumerate(vocabulary):
        rows.setdefault(str(word), row)

    class WordVectorModule(tf.Module):
        def __init__(self):
            super().__init__(name="word_vector_embedding")
            initializer = tf.lookup.KeyValueTensorInitializer(
                tf.constant(list(rows), dtype=tf.string),
                tf.constant(list(rows.values()), dtype=tf.int64),
            )
            self.table = tf.lookup.StaticHashTable(initializer, default_value=-1)
            self.vectors = tf.Variable(vectors, trainable=False, name="vectors")

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def __call__(self, texts):
            tokens = tf_tokenize(texts)
            ids = self.table.lookup(tokens.flat_values)
            known = ids >= 0
            ids = tf.boolean_mask(ids, known)
            segments = tf.boolean_mask(tokens.value_rowids(), known)
            n_texts = tf.shape(texts, out_type=tf.int64)[0]
            sums = tf.math.unsorted_segment_sum(
                tf.gather(self.vectors, ids), segments, n_texts
            )
            counts = tf.math.unsorted_segment_sum(
                tf.ones_like(ids, dtype=tf.float32), segments, n_texts
            )
            return sums / tf.maximum(counts, 1.0)[:, None]

    return WordVectorModule()


def _hashed_ngram_module(dim, n_buckets, ngram_range, seed):
    from skfti.embeddings._text import tf_tokenize

    tf = import_tensorflow()

    rng = np.random.RandomState(seed)
    table = (rng.standard_normal((n_buckets, dim)) / np.sqrt(dim)).astype(np.float32)
    low, high = ngram_range

    class HashedNGramModule(tf.Module):
        def __init__(self):
            super().__init__(name="hashed_ngram_embedding")
            self.vectors = tf.Variable(table, trainable=False, name="vectors")

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def __call__(self, texts):
            tokens = tf_tokenize(texts)
            grams = [
                tokens
                if width == 1
                else tf.strings.ngrams(tokens, width, separator=" ")
                for width in range(low, high + 1)
            ]
            grams = tf.concat(grams, axis=1)
            buckets = tf.strings.to_hash_bucket_fast(grams.flat_values, n_buckets)
            n_texts = tf.shape(texts, out_type=tf.int64)[0]
            sums = tf.math.unsorted_segment_sum(
                tf.gather(self.vectors, buckets), grams.value_rowids(), n_texts
            )
            return tf.math.l2_normalize(sums, axis=1)

    return HashedNGramModule()


def export_hub_module(
    path,
    *,
    kind="word_vectors",
    vectors=None,
    vocabulary=None,
    dim=256,
    n_buckets=2**14,
    ngram_range=(1, 2),
    seed=0,
    overwrite=False,
):
    """Write a self-contained text embedding module in TF Hub format.

    The result is a SavedModel of a ``tf.Module`` whose ``__call__`` takes a
    ``tf.TensorSpec([None], tf.string)`` and returns float32 ``[None, dim]``;
    ``tensorflow_hub.load(path)`` and :class:`HubEmbedding` load it offline.
    Tokenization runs in TensorFlow ops (``tf.strings.lower``,
    ``tf.strings.regex_replace``, ``tf.strings.split``) and matches
    :func:`skfti.embeddings._text.tokenize`.

    Parameters
    ----------
    path : str or path-like
        Directory to write.
    kind : {"word_vectors", "hashed_ngrams"}, default="word_vectors"
        ``"word_vectors"``: the mean of the vectors of the known words of a
        text (zeros when it has none), the same map as
        :class:`~skfti.embeddings.GloVeEmbedding` when given GloVe's table.
        ``"hashed_ngrams"``: word n-grams hashed (``to_hash_bucket_fast``) into
        ``n_buckets`` rows of a seeded Gaussian table, summed and L2-normalised.
    vectors : array-like of shape (n_words, dim), default=None
        Word vectors; required for ``kind="word_vectors"``.
    vocabulary : sequence of str, default=None
        The word of each row of ``vectors`` (first occurrence wins).
    dim : int, default=256
        Output width for ``kind="hashed_ngrams"``.
    n_buckets : int, default=2**14
        Hash buckets for ``kind="hashed_ngrams"``.
    ngram_range : tuple of int, default=(1, 2)
        Word n-gram lengths for ``kind="hashed_ngrams"``.
    seed : int, default=0
        Seed of the hashed n-gram table.
    overwrite : bool, default=False
        Replace ``path`` if it exists.

    Returns
    -------
    path : str
        The directory written.

    Examples
    --------
    >>> import numpy as np
    >>> from skfti.embeddings import HubEmbedding, export_hub_module
    >>> path = export_hub_module(  # doctest: +SKIP
    ...     "/tmp/tiny_module", vectors=np.eye(3), vocabulary=["a", "b", "c"]
    ... )
    >>> HubEmbedding(path).embed(["a b", "c"])  # doctest: +SKIP
    array([[0.5, 0.5, 0. ],
           [0. , 0. , 1. ]], dtype=float32)
    """
    path = os.fspath(path)
    if kind == "word_vectors":
        vectors, vocabulary = _check_word_vectors(vectors, vocabulary)
    elif kind == "hashed_ngrams":
        ngram_range = _check_hashed_ngrams(dim, n_buckets, ngram_range)
    else:
        raise ValueError(
            f"kind must be 'word_vectors' or 'hashed_ngrams', got {kind!r}."
        )
    if os.path.exists(path):
        if not overwrite:
            raise ValueError(f"{path!r} exists; pass overwrite=True to replace it.")
        shutil.rmtree(path)

    tf = import_tensorflow()
    if kind == "word_vectors":
        module = _word_vector_module(vectors, vocabulary)
    else:
        module = _hashed_ngram_module(int(dim), int(n_buckets), ngram_range, seed)
    tf.saved_model.save(module, path)
    return path


def _check_word_vectors(vectors, vocabulary):
    """Validate the table of ``kind="word_vectors"``: float32 rows, str words."""
    if vectors is None or vocabulary is None:
        raise ValueError("kind='word_vectors' needs both vectors and vocabulary.")
    vectors = np.asarray(vectors, dtype=np.float32)
    vocabulary = [str(word) for word in vocabulary]
    if vectors.ndim != 2 or len(vectors) != len(vocabulary) or not vocabulary:
        raise ValueError(
            f"vectors must be 2-D with one row per word; got shape "
            f"{vectors.shape} for {len(vocabulary)} words."
        )
    return vectors, vocabulary


def _check_hashed_ngrams(dim, n_buckets, ngram_range):
    """Validate the parameters of ``kind="hashed_ngrams"``; return ngram_range."""
    for value, label in ((dim, "dim"), (n_buckets, "n_buckets")):
        if not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{label} must be a positive int, got {value!r}.")
    ngram_range = tuple(int(width) for width in ngram_range)
    if len(ngram_range) != 2 or not 1 <= ngram_range[0] <= ngram_range[1]:
        raise ValueError(
            f"ngram_range must be (low, high) with 1 <= low <= high, got "
            f"{ngram_range!r}."
        )
    return ngram_range
