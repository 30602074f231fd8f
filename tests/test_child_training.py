import numpy as np
import pytest
from sklearn.datasets import make_classification

from skfti import ArchitectureEncoding, SearchSpace
from skfti.child_architecture import ChildArchitecture
from skfti.child_training import (
    AveragedNetwork,
    ChildNetwork,
    fitted_network,
    train_network,
)

SPACE = SearchSpace(n_layers=2, widths=(16, 32))


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=200, n_features=8, random_state=0)
    return X.astype(np.float32), y


def _arch():
    u = ArchitectureEncoding.random_one_hot(SPACE, random_state=1)
    return ChildArchitecture(u, [8], 2)


def test_early_stopping_restores_the_best_epoch(data):
    X, y = data
    network, history = train_network(
        _arch(), [X[:150]], y[:150], epochs=100, batch_size=32,
        learning_rate=1e-2, rng=np.random.RandomState(0),
        validation=([X[150:]], y[150:]), n_iter_no_change=2,
    )  # fmt: skip
    best = history["best_epoch"]
    assert len(history["loss"]) == best + 3 < 100
    proba = network.predict_proba([X[150:]])
    loss = -np.mean(np.log(proba[np.arange(50), y[150:]]))
    assert loss == pytest.approx(history["val_loss"][best], rel=1e-5)


def test_early_stopping_on_accuracy_keeps_the_most_accurate_epoch():
    # noisy labels, so the epoch of lowest loss is not the most accurate one
    X, y = make_classification(n_samples=200, n_features=8, flip_y=0.2, random_state=0)
    X = X.astype(np.float32)

    def fit(score):
        return train_network(
            _arch(), [X[:150]], y[:150], epochs=60, batch_size=32,
            learning_rate=1e-2, rng=np.random.RandomState(0),
            validation=([X[150:]], y[150:]), n_iter_no_change=5,
            early_stopping_score=score,
        )  # fmt: skip

    network, history = fit("accuracy")
    acc, loss = np.array(history["val_accuracy"]), np.array(history["val_loss"])
    best = history["best_epoch"]
    # the highest accuracy, and among its epochs the lowest loss, after
    # which 5 epochs brought no progress
    assert acc[best] == acc.max()
    assert loss[best] == loss[acc == acc.max()].min()
    assert len(acc) == best + 6
    proba = network.predict_proba([X[150:]])
    assert np.mean(proba.argmax(1) == y[150:]) == acc[best]
    _, by_loss = fit("loss")
    assert by_loss["val_accuracy"][by_loss["best_epoch"]] < acc[best]


def test_early_stopping_score_is_checked(data):
    X, y = data
    with pytest.raises(ValueError, match="early_stopping_score must be"):
        train_network(
            _arch(), [X], y, epochs=1, batch_size=32, learning_rate=1e-3,
            rng=np.random.RandomState(0), early_stopping_score="f1",
        )  # fmt: skip


def test_standardization_is_kept_with_the_network(data):
    X, y = data
    network, _ = train_network(
        _arch(), [X * 100 + 3], y, epochs=2, batch_size=32, learning_rate=1e-3,
        rng=np.random.RandomState(0), standardize=True,
    )  # fmt: skip
    ((mean, scale),) = network.input_scaling
    np.testing.assert_allclose(mean, (X * 100 + 3).mean(0), rtol=1e-4)
    rebuilt = ChildNetwork(_arch(), network.get_weights(), network.input_scaling)
    np.testing.assert_allclose(
        rebuilt.predict_proba([X * 100 + 3]), network.predict_proba([X * 100 + 3])
    )


def test_decoupled_weight_decay_shrinks_kernels_not_biases(data):
    X, y = data
    kw = dict(epochs=3, batch_size=32, learning_rate=1e-3)
    plain, _ = train_network(_arch(), [X], y, rng=np.random.RandomState(0), **kw)
    decayed, _ = train_network(
        _arch(), [X], y, rng=np.random.RandomState(0), weight_decay=30.0, **kw
    )
    for a, b in zip(plain.get_weights(), decayed.get_weights(), strict=True):
        if a.ndim == 2:
            assert np.sum(b**2) < 0.5 * np.sum(a**2)


def test_dropout_is_seeded_and_only_at_training(data):
    X, y = data
    kw = dict(epochs=3, batch_size=32, learning_rate=1e-2, dropout=0.5)
    a, ha = train_network(_arch(), [X], y, rng=np.random.RandomState(0), **kw)
    b, hb = train_network(_arch(), [X], y, rng=np.random.RandomState(0), **kw)
    assert ha["loss"] == hb["loss"]  # the masks come from rng
    plain, hp = train_network(
        _arch(), [X], y, rng=np.random.RandomState(0), **{**kw, "dropout": 0.0}
    )
    assert ha["loss"] != hp["loss"]
    # Prediction is deterministic: no units are dropped outside training.
    np.testing.assert_array_equal(a.predict_proba([X]), a.predict_proba([X]))
    np.testing.assert_allclose(a.predict_proba([X]), b.predict_proba([X]))


def _train_with_holdout(X, y, refit):
    """Train on the first 150 rows, the last 50 held out for early stopping."""
    return train_network(
        _arch(), [X[:150]], y[:150], epochs=100, batch_size=32, learning_rate=1e-2,
        n_iter_no_change=2, validation=([X[150:]], y[150:]), standardize=True,
        rng=np.random.RandomState(0), refit=refit,
    )  # fmt: skip


def test_refit_trains_on_the_held_out_rows_too(data):
    X, y = data
    first, h1 = _train_with_holdout(X, y, refit=False)
    refit, h2 = _train_with_holdout(X, y, refit=True)
    # The same first training chose the length; the refit ran that long
    # on all 200 rows (scaled by 200 / 150), standardized on all of them.
    assert h2["loss"] == h1["loss"] and "refit_epochs" not in h1
    assert h2["refit_epochs"] == round((h1["best_epoch"] + 1) * 200 / 150)
    ((mean, _),) = refit.input_scaling
    np.testing.assert_allclose(mean, X.mean(0), rtol=1e-4, atol=1e-6)
    assert not np.allclose(refit.predict_proba([X]), first.predict_proba([X]))


def test_refit_average_keeps_both_networks_and_averages_them(data):
    X, y = data
    runs = {
        refit: _train_with_holdout(X, y, refit) for refit in (False, True, "average")
    }
    averaged, history = runs["average"]
    assert isinstance(averaged, AveragedNetwork)
    assert history["refit_epochs"] == runs[True][1]["refit_epochs"]
    # The early-stopped network and the refitted one of the same draws.
    first, last = averaged.networks
    for network, refit in ((first, False), (last, True)):
        for a, b in zip(
            network.get_weights(), runs[refit][0].get_weights(), strict=True
        ):
            np.testing.assert_array_equal(a, b)
    expected = (first.predict_proba([X]) + last.predict_proba([X])) / 2
    np.testing.assert_allclose(averaged.predict_proba([X]), expected, rtol=1e-12)
    rebuilt = fitted_network(
        _arch(),
        [first.get_weights(), last.get_weights()],
        [first.input_scaling, last.input_scaling],
    )
    np.testing.assert_array_equal(
        rebuilt.predict_proba([X]), averaged.predict_proba([X])
    )


def test_xla_and_plain_graph_train_the_same_network(data):
    """The XLA-compiled step (relaxed networks on >= JIT_MIN_ROWS rows) is the
    plain graph's, compiled: same seed, same weights up to float32 noise.

    Without dropout: XLA draws other bits for the same stateless dropout seed
    (measured: the weights then differ by up to 0.25 after 3 epochs), so the
    two paths are each deterministic but not mask for mask the same.
    """
    X, y = data
    arch = ChildArchitecture(ArchitectureEncoding.uniform(SPACE), [8], 2)
    assert not arch.is_plain
    weights = {}
    for jit in (False, True):
        network, _ = train_network(
            arch, [X], y, epochs=3, batch_size=32, learning_rate=1e-2,
            rng=np.random.RandomState(0), dropout=0.0, jit_compile=jit,
        )  # fmt: skip
        weights[jit] = network.get_weights()
    for plain, xla in zip(weights[False], weights[True], strict=True):
        np.testing.assert_allclose(xla, plain, rtol=1e-4, atol=1e-5)


def test_moving_average_of_the_weights_is_what_validation_and_fit_keep(data):
    X, y = data
    kw = dict(epochs=4, batch_size=50, learning_rate=1e-2)
    plain, _ = train_network(_arch(), [X], y, rng=np.random.RandomState(0), **kw)
    # momentum 0: the average is the last step's weights, training unchanged
    same, _ = train_network(
        _arch(), [X], y, rng=np.random.RandomState(0), ema_momentum=1e-12, **kw
    )
    for a, b in zip(plain.get_weights(), same.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    averaged, history = train_network(
        _arch(), [X[:150]], y[:150], rng=np.random.RandomState(0),
        ema_momentum=0.9, validation=([X[150:]], y[150:]), n_iter_no_change=10,
        **kw,
    )  # fmt: skip
    proba = averaged.predict_proba([X[150:]])
    loss = -np.mean(np.log(proba[np.arange(50), y[150:]]))
    assert loss == pytest.approx(history["val_loss"][history["best_epoch"]], rel=1e-5)
    # the averages lag the weights: not the last iterate
    last, _ = train_network(
        _arch(), [X[:150]], y[:150], rng=np.random.RandomState(0),
        validation=([X[150:]], y[150:]), n_iter_no_change=10, **kw,
    )  # fmt: skip
    assert not np.allclose(averaged.get_weights()[0], last.get_weights()[0])


def test_study_levers_reduce_to_the_plain_recipe_at_their_neutral_values(data):
    """input_dropout equal to dropout is plain dropout (same masks); label
    smoothing near 0 is the plain loss; each lever set apart trains other
    weights."""
    X, y = data
    kw = dict(epochs=3, batch_size=50, learning_rate=1e-2, dropout=0.2)

    def weights(**levers):
        network, _ = train_network(
            _arch(), [X], y, rng=np.random.RandomState(0), **kw, **levers
        )
        return network.get_weights()[0]

    plain = weights()
    np.testing.assert_array_equal(weights(input_dropout=0.2), plain)
    np.testing.assert_allclose(weights(label_smoothing=1e-9), plain, atol=1e-5)
    for levers in (
        {"input_dropout": 0.5},
        {"label_smoothing": 0.2},
        {"mixup_alpha": 0.4},
    ):
        assert not np.allclose(weights(**levers), plain, atol=1e-3), levers


def test_mixup_still_learns_a_separable_task(data):
    X, y = data
    network, history = train_network(
        _arch(), [X], y, epochs=20, batch_size=32, learning_rate=1e-2,
        rng=np.random.RandomState(0), mixup_alpha=0.4,
    )  # fmt: skip
    assert np.mean(network.predict_proba([X]).argmax(1) == y) > 0.9
    assert history["loss"][-1] < history["loss"][0]


def test_mixup_trains_under_xla(data):
    """The Beta draws happen outside the XLA-compiled step (no CPU kernel)."""
    X, y = data
    network, _ = train_network(
        _arch(), [X], y, epochs=2, batch_size=50, learning_rate=1e-2,
        rng=np.random.RandomState(0), mixup_alpha=0.2, jit_compile=True,
    )  # fmt: skip
    assert np.isfinite(network.get_weights()[0]).all()
