"""The text views of one child classifier: checks, fitted maps, computed views."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin

from skfti.child_views import check_text_samples, fit_view_maps, text_views
from skfti.embeddings import get_embedding_module

TEXTS = ["a cat sat", "dogs bark loudly", "the sun", "rain again today"]


class LengthView(TransformerMixin, BaseEstimator):
    """A view transformer: text lengths, centred on those seen in fit."""

    name = "length"

    def __init__(self, output_dim=2, fill=0.0):
        self.output_dim = output_dim
        self.fill = fill

    def fit(self, X, y=None):
        self.mean_ = float(np.mean([len(t) for t in X]))
        return self

    def transform(self, X):
        lengths = np.array([len(t) for t in X], dtype=float) - self.mean_
        out = np.column_stack([lengths, np.full(len(X), self.fill)])
        return out[:, : self.output_dim]


def test_texts_are_checked_with_their_labels():
    texts, y = check_text_samples(TEXTS, [0, 1, 0, 1])
    assert texts.dtype == object and texts.shape == (4,)
    np.testing.assert_array_equal(y, [0, 1, 0, 1])
    assert check_text_samples(TEXTS)[1] is None
    with pytest.raises(ValueError, match="sequence of texts, got str"):
        check_text_samples("one text")
    with pytest.raises(ValueError, match="1-D sequence of str"):
        check_text_samples(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="1-D sequence of str"):
        check_text_samples(["a text", 3])
    with pytest.raises(ValueError, match="0 sample"):
        check_text_samples([])
    with pytest.raises(ValueError, match="X has 4 samples but y has 3"):
        check_text_samples(TEXTS, [0, 1, 0])


def test_only_used_view_transformers_are_fitted_as_clones():
    hashed = get_embedding_module("hashed256")
    length = LengthView()
    maps = fit_view_maps([hashed, length, LengthView()], np.array(TEXTS), [1, 1, 0])
    assert maps[0] is None  # an embedding module is not fitted
    assert maps[2] is None  # an unused view is not fitted
    assert maps[1] is not length and not hasattr(length, "mean_")
    assert maps[1].mean_ == pytest.approx(np.mean([len(t) for t in TEXTS]))


def test_views_are_computed_only_where_used(tmp_path, monkeypatch):
    monkeypatch.setenv("SKFTI_CACHE_DIR", str(tmp_path))
    hashed = get_embedding_module("hashed256")
    modules = [hashed, LengthView()]
    texts = np.array(TEXTS, dtype=object)
    maps = fit_view_maps(modules, texts[:2], [True, True])
    views = text_views(modules, maps, texts, [True, True])
    assert views[0].shape == (4, 256) and views[0].dtype == np.float32
    assert views[1].dtype == np.float32
    np.testing.assert_allclose(views[1][:, 0], [len(t) - 12.5 for t in TEXTS])
    unused = text_views(modules, [None, None], texts, [False, False])
    assert unused == [None, None]


def test_a_view_of_the_wrong_width_or_not_finite_is_an_error():
    texts = np.array(TEXTS, dtype=object)
    wide = LengthView(output_dim=3)  # declares 3 columns, gives 2
    with pytest.raises(ValueError, match=r"'length' returned shape \(4, 2\)"):
        text_views([wide], [wide.fit(texts)], texts, [True])
    broken = LengthView(fill=np.nan)
    with pytest.raises(ValueError, match="'length' returned NaN/inf"):
        text_views([broken], [broken.fit(texts)], texts, [True])
