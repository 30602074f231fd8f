import numpy as np
import pytest
from sklearn.datasets import make_classification

from skfti import ArchitectureEncoding, SearchSpace
from skfti.child_architecture import ChildArchitecture
from skfti.child_training import ChildNetwork, train_network

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
