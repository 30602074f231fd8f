import numpy as np

from skfti import SearchSpace
from skfti.task_views import embed_views, stacked_views, task_features

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
