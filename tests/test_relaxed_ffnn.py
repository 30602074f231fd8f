import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_classification
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skfti import ArchitectureEncoding, RelaxedFFNNClassifier, SearchSpace

SPACE = SearchSpace(n_layers=3, widths=(8, 16, 32))
FAST = {"epochs": 3, "random_state": 0}  # fewer epochs, defaults otherwise
DEFAULT = {"random_state": 0}


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=150, n_features=10, n_informative=5, n_classes=3, random_state=0
    )
    return X.astype(np.float32), y


def one_hot(seed=0, space=SPACE):
    return ArchitectureEncoding.random_one_hot(space, random_state=seed)


def reference_proba(clf, X):
    """Eq. 4 written out in NumPy over the full (unpruned) network; with the
    default ``refit="average"``, the mean of the two networks' outputs."""
    proba = network_proba(clf, X, clf.weights_, clf.input_scaling_)
    if clf.early_stopped_weights_ is None:
        return proba
    first = network_proba(
        clf, X, clf.early_stopped_weights_, clf.early_stopped_input_scaling_
    )
    return (first + proba) / 2


def network_proba(clf, X, weights, input_scaling):
    """Eq. 4 for one set of weights and input standardization."""
    encoding = clf.encoding_
    space = encoding.search_space
    relu = lambda z: np.maximum(z, 0)  # noqa: E731
    acts = {"relu": relu, "tanh": np.tanh}
    width = max(space.max_width, X.shape[1])
    x = X.astype(np.float64)
    if input_scaling is not None:
        mean, scale = input_scaling[0]
        x = (x - mean) / scale
    for j in range(space.n_layers):
        kernel, bias = weights[2 * j], weights[2 * j + 1]
        z = x @ kernel + bias
        mixed, start = np.zeros((len(x), width)), 0
        # the fused kernel's columns: base layers grouped by activation
        for i, _ in clf._arch.layers[j].bases:
            w, act = space.base_layers[i]
            mixed[:, :w] += encoding.alpha[j, i] * acts[act](z[:, start : start + w])
            start += w
        passed = np.pad(x, [(0, 0), (0, width - x.shape[1])])
        x = encoding.beta[j, 0] * mixed + encoding.beta[j, 1] * passed
    logits = x @ weights[-2] + weights[-1]
    e = np.exp(logits - logits.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_fit_predict_and_fitted_attributes(data):
    X, y = data
    clf = RelaxedFFNNClassifier(one_hot(), **DEFAULT).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(1), 1, atol=1e-5)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_features_in_ == 10
    assert 1 <= clf.n_iter_ <= clf.epochs
    assert len(clf.history_["loss"]) == clf.n_iter_
    assert len(clf.history_["val_accuracy"]) == clf.n_iter_
    assert clf.history_["loss"][-1] < clf.history_["loss"][0]
    assert clf.score(X, y) > 0.6  # three balanced classes: chance is 1/3
    assert clf.encoding_ == one_hot()


def test_uniform_encoding_by_default(data):
    X, y = data
    clf = RelaxedFFNNClassifier(search_space=SPACE, **FAST).fit(X, y)
    assert clf.encoding_ == ArchitectureEncoding.uniform(SPACE)
    assert RelaxedFFNNClassifier(epochs=1).fit(X, y).encoding_.search_space == (
        SearchSpace()
    )


def test_string_labels(data):
    X, y = data
    labels = np.array(["cat", "dog", "emu"])[y]
    clf = RelaxedFFNNClassifier(one_hot(), **FAST).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, ["cat", "dog", "emu"])
    assert set(clf.predict(X)) <= {"cat", "dog", "emu"}


def test_same_seed_same_predictions(data):
    X, y = data
    u = ArchitectureEncoding.random_relaxed(SPACE, random_state=0)
    p1 = RelaxedFFNNClassifier(u, **FAST).fit(X, y).predict_proba(X)
    p2 = RelaxedFFNNClassifier(u, **FAST).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(p1, p2)
    other = {**FAST, "random_state": 1}
    p3 = RelaxedFFNNClassifier(u, **other).fit(X, y).predict_proba(X)
    assert not np.allclose(p1, p3)


def test_auto_dropout_is_none_on_numeric_data(data):
    X, y = data
    u = one_hot(0)
    auto = RelaxedFFNNClassifier(u, **FAST).fit(X, y)
    assert auto.dropout == "auto"
    none = RelaxedFFNNClassifier(u, dropout=0.0, **FAST).fit(X, y)
    some = RelaxedFFNNClassifier(u, dropout=0.2, **FAST).fit(X, y)
    np.testing.assert_array_equal(auto.history_["loss"], none.history_["loss"])
    assert not np.allclose(auto.history_["loss"], some.history_["loss"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relaxed_network_computes_eq4(data, seed):
    X, y = data
    u = ArchitectureEncoding.random_relaxed(SPACE, random_state=seed)
    clf = RelaxedFFNNClassifier(u, fast_path=False, **FAST).fit(X, y)
    expected = reference_proba(clf, X)
    np.testing.assert_allclose(clf.predict_proba(X), expected, atol=1e-4)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_fast_path_trains_the_same_function(data, seed):
    X, y = data
    u = one_hot(seed)
    # Without dropout: its masks are drawn per tensor, and the full network's
    # padded tensors draw other masks than the fast path's, so with dropout
    # the two train along other trajectories (the function of given weights
    # is still the same: test_fast_path_with_relaxed_zeros_matches_eq4).
    fast = RelaxedFFNNClassifier(u, dropout=0.0, **FAST).fit(X, y)
    full = RelaxedFFNNClassifier(u, fast_path=False, dropout=0.0, **FAST).fit(X, y)
    # far fewer parameters, same trajectory and predictions
    assert fast._arch.n_parameters() < full._arch.n_parameters() / 3
    np.testing.assert_allclose(fast.history_["loss"], full.history_["loss"], rtol=1e-4)
    np.testing.assert_allclose(fast.predict_proba(X), full.predict_proba(X), atol=1e-4)


def test_fast_path_with_relaxed_zeros_matches_eq4(data):
    """Zero-weight choices of a relaxed encoding are skipped, not changed."""
    X, y = data
    u = ArchitectureEncoding.random_relaxed(SPACE, random_state=4)
    alpha = u.alpha.copy()
    alpha[:, :3] = 0
    alpha /= alpha.sum(1, keepdims=True)
    u = ArchitectureEncoding(SPACE, alpha, u.beta, u.gamma)
    fast = RelaxedFFNNClassifier(u, **FAST).fit(X, y)
    full = RelaxedFFNNClassifier(u, fast_path=False, **FAST).fit(X, y)
    np.testing.assert_allclose(fast.predict_proba(X), full.predict_proba(X), atol=1e-4)


def test_pickle_and_joblib_round_trips(data, tmp_path):
    X, y = data
    clf = RelaxedFFNNClassifier(one_hot(), **FAST).fit(X, y)
    expected = clf.predict_proba(X)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), expected)
    joblib.dump(clf, tmp_path / "clf.joblib")
    loaded = joblib.load(tmp_path / "clf.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)


def test_the_default_refit_averages_the_early_stopped_and_refitted_networks(data):
    X, y = data
    clf = RelaxedFFNNClassifier(one_hot(), **DEFAULT).fit(X, y)
    last = RelaxedFFNNClassifier(one_hot(), refit=True, **DEFAULT).fit(X, y)
    first = RelaxedFFNNClassifier(one_hot(), refit=False, **DEFAULT).fit(X, y)
    assert last.early_stopped_weights_ is first.early_stopped_weights_ is None
    for mine, theirs in ((clf.weights_, last.weights_), (
        clf.early_stopped_weights_, first.weights_)):  # fmt: skip
        for a, b in zip(mine, theirs, strict=True):
            np.testing.assert_array_equal(a, b)
    expected = (first.predict_proba(X) + last.predict_proba(X)) / 2
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-12)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_clone_keeps_parameters_not_state(data):
    X, y = data
    clf = RelaxedFFNNClassifier(one_hot(), **FAST).fit(X, y)
    fresh = clone(clf)
    assert fresh.get_params()["encoding"] == clf.encoding
    assert not hasattr(fresh, "classes_")


def test_validation_data_replaces_the_split(data):
    X, y = data
    clf = RelaxedFFNNClassifier(one_hot(), **FAST)
    clf.fit(X[:100], y[:100], validation_data=(X[100:], y[100:]))
    last = clf.history_["val_accuracy"][-1]
    assert last == pytest.approx(np.mean(clf.predict(X[100:]) == y[100:]))
    no_val = RelaxedFFNNClassifier(one_hot(), validation_fraction=None, **FAST)
    assert "val_accuracy" not in no_val.fit(X, y).history_


def test_validation_data_must_be_a_pair_of_one_length(data):
    X, y = data
    clf = RelaxedFFNNClassifier(one_hot(), **FAST)
    with pytest.raises(ValueError, match="10 samples in X_val but 5 labels"):
        clf.fit(X[:100], y[:100], validation_data=(X[100:110], y[100:105]))
    with pytest.raises(ValueError, match=r"must be a pair \(X_val, y_val\)"):
        clf.fit(X[:100], y[:100], validation_data=X[100:])


def test_verbose_levels(data, capsys):
    X, y = data
    RelaxedFFNNClassifier(one_hot(), verbose=0, **FAST).fit(X, y)
    assert capsys.readouterr().out == ""
    RelaxedFFNNClassifier(one_hot(), verbose=1, **FAST).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 3 and "val_accuracy" in out
    assert "parameters" not in out
    RelaxedFFNNClassifier(one_hot(), verbose=2, **FAST).fit(X, y)
    out = capsys.readouterr().out
    assert "parameters" in out and "trained in" in out


def test_pipeline_cross_val_and_grid_search(data):
    X, y = data
    clf = RelaxedFFNNClassifier(one_hot(), **DEFAULT)
    pipe = make_pipeline(StandardScaler(), clf)
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.5
    grid = GridSearchCV(
        RelaxedFFNNClassifier(one_hot(), **DEFAULT),
        {"learning_rate": [1e-6, 1e-3]},
        cv=2,
        n_jobs=2,
    ).fit(X, y)
    assert grid.best_params_ == {"learning_rate": 1e-3}
    assert grid.predict(X).shape == (150,)


# -- bad input: a clear error before any training -----------------------------


def test_nan_and_inf_are_rejected(data):
    X, y = data
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        RelaxedFFNNClassifier(one_hot(), **FAST).fit(bad, y)
    bad[3, 2] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        RelaxedFFNNClassifier(one_hot(), **FAST).fit(bad, y)


def test_wrong_feature_count_at_predict(data):
    X, y = data
    clf = RelaxedFFNNClassifier(one_hot(), **FAST).fit(X, y)
    with pytest.raises(ValueError, match="10 features"):
        clf.predict(X[:, :7])


def test_single_class_is_rejected(data):
    X, _ = data
    with pytest.raises(ValueError, match="only one class"):
        RelaxedFFNNClassifier(one_hot(), **FAST).fit(X, np.zeros(len(X)))


def test_encoding_from_another_space(data):
    X, y = data
    other = ArchitectureEncoding.uniform(SearchSpace(n_layers=2))
    with pytest.raises(ValueError, match="another search space"):
        RelaxedFFNNClassifier(other, search_space=SPACE, **FAST).fit(X, y)
    two_views = ArchitectureEncoding.uniform(SearchSpace(views=("a", "b")))
    with pytest.raises(ValueError, match="numeric X is the single view"):
        RelaxedFFNNClassifier(two_views, **FAST).fit(X, y)


def test_a_text_view_on_numeric_X_is_rejected(data):
    # It used to train silently on numeric X as if X were the hashed256 view.
    X, y = data
    text_view = ArchitectureEncoding.uniform(SearchSpace(views=("hashed256",)))
    with pytest.raises(ValueError, match="name embedding modules"):
        RelaxedFFNNClassifier(text_view, **FAST).fit(X, y)


@pytest.mark.parametrize(
    "param, value",
    [("epochs", 0), ("epochs", -3), ("batch_size", 0), ("learning_rate", 0.0)],
)
def test_non_positive_settings(data, param, value):
    X, y = data
    with pytest.raises(ValueError, match=param):
        RelaxedFFNNClassifier(one_hot(), **{**FAST, param: value}).fit(X, y)


def test_unfitted_use():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        RelaxedFFNNClassifier().predict(np.zeros((2, 3)))


def test_divergence_is_reported(data):
    X, y = data
    alpha = np.zeros((SPACE.n_layers, SPACE.n_base))
    alpha[:, 4] = 1  # relu-32 everywhere: nothing saturates
    relu = ArchitectureEncoding(SPACE, alpha, [[1, 0]] * SPACE.n_layers, [1])
    huge = X * 1e37  # finite, but the matmuls overflow
    with pytest.raises(FloatingPointError, match="diverged"):
        RelaxedFFNNClassifier(relu, epochs=2, standardize=False).fit(huge, y)


# -- the child recipe: early stopping, weight decay, standardization -----------


def test_early_stopping_keeps_the_best_epoch(data):
    X, y = data
    clf = RelaxedFFNNClassifier(
        one_hot(), n_iter_no_change=3, learning_rate=1e-2, random_state=0
    )
    clf.fit(X[:100], y[:100], validation_data=(X[100:], y[100:]))
    history = clf.history_
    best, val = history["best_epoch"], history["val_loss"]
    assert best == int(np.argmin(val))
    assert clf.n_iter_ == len(history["loss"]) < clf.epochs
    # stopped 3 epochs after the last epoch that gained more than tol
    last = clf.n_iter_ - 1 - 3
    assert val[last] < min(val[:last]) - clf.tol
    assert all(val[i] >= min(val[:i]) - clf.tol for i in range(last + 1, len(val)))
    proba = clf.predict_proba(X[100:])
    loss = -np.mean(np.log(proba[np.arange(50), y[100:]]))
    assert loss == pytest.approx(history["val_loss"][best], rel=1e-5)


def test_a_perfect_fit_stops_once_the_loss_gains_less_than_tol():
    # Separable data: the validation loss creeps towards zero. Counting any
    # decrease as progress (tol=0, the rule of children stored before tol)
    # trains every epoch; the default tol stops as MLPClassifier does.
    X, y = make_blobs(120, centers=[[-5] * 4, [5] * 4], random_state=0)
    fits = {
        tol: RelaxedFFNNClassifier(
            one_hot(1), epochs=60, learning_rate=1e-2, tol=tol, random_state=0
        ).fit(X, y)  # one tanh-32 layer
        for tol in (0.0, RelaxedFFNNClassifier().tol)
    }
    assert fits[0.0].n_iter_ == 60
    stopped = fits[RelaxedFFNNClassifier().tol]
    assert stopped.n_iter_ < 40
    assert stopped.score(X, y) == fits[0.0].score(X, y) == 1.0
    val_loss = stopped.history_["val_loss"]
    best = stopped.history_["best_epoch"]
    assert val_loss[best] == min(val_loss)  # the lowest loss's weights are kept
    # each of the last 10 epochs gained less than tol on the best before it
    n = len(val_loss)
    assert all(val_loss[i] >= min(val_loss[:i]) - stopped.tol for i in range(n - 10, n))


def test_without_validation_every_epoch_runs(data):
    X, y = data
    clf = RelaxedFFNNClassifier(
        one_hot(), epochs=7, validation_fraction=None, random_state=0
    ).fit(X, y)
    assert clf.n_iter_ == 7 and clf.history_["best_epoch"] == 6
    assert "val_loss" not in clf.history_


def test_weight_decay_shrinks_the_kernels(data):
    X, y = data
    norms = []
    for decay in (0.0, 20.0):  # lr * decay = 2% shrinkage per step
        clf = RelaxedFFNNClassifier(
            one_hot(),
            epochs=10,
            n_iter_no_change=None,
            weight_decay=decay,
            random_state=0,
        ).fit(X, y)
        norms.append(sum(np.sum(w**2) for w in clf.weights_ if w.ndim == 2))
    assert norms[1] < 0.8 * norms[0]


def test_standardized_inputs_make_the_child_unit_free(data):
    X, y = data
    scale = np.linspace(0.1, 100, X.shape[1]).astype(np.float32)
    a = RelaxedFFNNClassifier(one_hot(), **FAST).fit(X, y)
    b = RelaxedFFNNClassifier(one_hot(), **FAST).fit(X * scale + 0.5, y)
    np.testing.assert_allclose(
        a.predict_proba(X), b.predict_proba(X * scale + 0.5), atol=1e-4
    )
    mean, std = b.input_scaling_[0]  # of the training rows, kept with the child
    assert mean.shape == std.shape == (X.shape[1],) and np.all(std > 0)


def test_the_papers_settings_stay_reachable(data):
    from skfti.child_recipe import PAPER_SETTINGS

    X, y = data
    clf = RelaxedFFNNClassifier(one_hot(), random_state=0, **PAPER_SETTINGS)
    clf.fit(X, y)
    assert clf.n_iter_ == 20 and clf.input_scaling_ is None
