import numpy as np

from skfti import SearchSpace
from skfti.embeddings import ConcatenatedEmbedding, HashedNGramEmbedding, embed_cached
from skfti.task_views import (
    embed_ahead,
    embed_views,
    embedding_threads,
    stacked_views,
    task_features,
)

TEXTS = ["a short text", "another one", "a third, longer text", "and a fourth"]


def test_a_concatenated_view_adds_no_stacked_feature(tmp_path, monkeypatch):
    monkeypatch.setenv("SKFTI_CACHE_DIR", str(tmp_path))
    plain = SearchSpace(views=("hashed8", "hashed16"))
    joined = SearchSpace(views=("hashed8", "hashed16", "hashed8+hashed16"))
    assert stacked_views(joined) == ("hashed8", "hashed16")
    # a view joining views that the space does not have is a view of its own
    assert stacked_views(SearchSpace(views=("hashed8", "hashed4+hashed16"))) == (
        "hashed8",
        "hashed4+hashed16",
    )
    views = embed_views(TEXTS, joined)
    assert [v.shape[1] for v in views] == [8, 16, 24]
    np.testing.assert_array_equal(views[2], np.hstack(views[:2]))
    stacked = embed_views(TEXTS, joined, stack=True)
    np.testing.assert_array_equal(stacked, embed_views(TEXTS, plain, stack=True))
    # the value network sees every feature once, with or without the joined view
    np.testing.assert_array_equal(
        task_features(TEXTS, joined), task_features(TEXTS, plain)
    )


class ThreadedHashes(HashedNGramEmbedding):
    """A real hashed view that runs on ``n_threads`` and says how it embedded."""

    def __init__(self, dim=8, n_threads=1, calls=None):
        super().__init__(dim=dim)
        self.n_threads = n_threads
        self.calls = [] if calls is None else calls

    def embed(self, texts):
        self.calls.append((self.n_threads, len(texts)))
        return super().embed(texts)


def test_embedding_threads_are_the_cores_within_joblibs_inner_limit(monkeypatch):
    from joblib import cpu_count

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert embedding_threads() == cpu_count()
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # what a loky worker of 2 sets
    assert embedding_threads() == 1


def test_embed_ahead_fills_the_cache_on_threads_for_the_children(tmp_path, monkeypatch):
    monkeypatch.setenv("SKFTI_CACHE_DIR", str(tmp_path))
    calls = []
    threaded = ThreadedHashes(dim=8, calls=calls)
    unused = ThreadedHashes(dim=16, calls=calls)
    joined = ConcatenatedEmbedding([ThreadedHashes(dim=4, calls=calls), threaded])
    modules = [threaded, unused, joined]
    embed_ahead(TEXTS, modules, [True, False, True], n_threads=3)
    # each used module once, on 3 threads; the part shared with the joined
    # view came from the cache; the unused view was never computed
    assert calls == [(3, 4), (3, 4)]
    assert threaded.n_threads == 1  # the children's own modules are unchanged
    plain = {d: HashedNGramEmbedding(dim=d).embed(TEXTS) for d in (4, 8)}
    for module, expected in (
        (threaded, plain[8]),
        (joined, np.hstack([plain[4], plain[8]])),
    ):
        np.testing.assert_array_equal(embed_cached(module, TEXTS), expected)
    assert len(calls) == 2  # the children's reads were cache hits
