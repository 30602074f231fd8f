"""The value network: the NumPy inference path against the TensorFlow one."""

import numpy as np
import pytest

from skfti import ArchitectureInferrer
from skfti._inferrer_search import canonical_rows
from skfti.encoding import encoding_groups
from skfti.value_network_numpy import NumpyValueNetwork, grouped_softmax

tf = pytest.importorskip("tensorflow")


@pytest.fixture(scope="module", params=["learned", "both", "none"])
def fitted(request, task_family_population):
    tasks, experiments, space = task_family_population
    inferrer = ArchitectureInferrer(
        search_space=space,
        meta_features=request.param,
        n_steps=400,
        random_state=0,
    )
    return inferrer.fit(tasks[1:], experiments[1:])


def _tf_z(inferrer, X, y):
    """z of a task through the TensorFlow network (for comparison)."""
    net = inferrer._network()
    features, y_idx, n_classes = inferrer._task_samples((X, y), inferrer.search_space_)
    meta = None
    if inferrer._n_meta:
        meta = inferrer._z((X, y))[-inferrer._n_meta :]
        meta = tf.constant(meta, tf.float32)
    z = net.meta(tf.constant(features, tf.float32), tf.constant(y_idx), n_classes, meta)
    return net, z


def test_numpy_and_tensorflow_agree(fitted, task_family_population):
    tasks, experiments, space = task_family_population
    X, y = tasks[0].X_train, tasks[0].y_train
    net, z_tf = _tf_z(fitted, X, y)
    z = fitted._z((X, y))
    if z is not None:
        np.testing.assert_allclose(z, z_tf.numpy(), atol=1e-5)
    if fitted._learned:
        np.testing.assert_allclose(
            fitted.task_embedding(X, y),
            z_tf.numpy()[: fitted.phi_units[-1]],
            atol=1e-5,
        )
    # predict reads discrete encodings in canonical form (canonical_encodings)
    U = canonical_rows(experiments[0][0], space)
    assert not np.array_equal(U, experiments[0][0])
    expected = net.value(tf.constant(U, tf.float32), z_tf).numpy()
    raw = fitted._numpy_network().value(U, z)
    np.testing.assert_allclose(raw, expected, atol=1e-5)
    # predict: the same network values, scaled to normalized accuracy
    zero = fitted._numpy_network().value(fitted.reference_encodings_, z).mean()
    scaled = fitted.value_scale_ * (raw - zero)
    np.testing.assert_allclose(fitted.predict(tasks[0], experiments[0][0]), scaled)
    np.testing.assert_allclose(fitted.predict(tasks[0], U), scaled)

    groups = encoding_groups(space)
    logits = np.random.RandomState(0).normal(size=(7, space.n_dims))
    variable = tf.Variable(logits.astype(np.float32))
    with tf.GradientTape() as tape:
        u = tf.concat([tf.nn.softmax(variable[:, a:b], 1) for a, b in groups], 1)
        total = tf.reduce_sum(net.value(u, z_tf))
    values, grad, _ = fitted._numpy_network().value_and_gradient(logits, z, groups)
    np.testing.assert_allclose(grad, tape.gradient(total, variable).numpy(), atol=1e-5)
    np.testing.assert_allclose(values, net.value(u, z_tf).numpy(), atol=1e-5)


def test_numpy_ascent_finds_the_tensorflow_suggestion(fitted, task_family_population):
    from skfti.value_network import gradient_ascent

    tasks, _, space = task_family_population
    X, y = tasks[0].X_train, tasks[0].y_train
    z = fitted._z((X, y))
    groups = encoding_groups(space)
    logits = np.random.RandomState(0).normal(size=(10, space.n_dims))
    logits[0] = 0.0
    kwargs = {"max_iter": 300, "step_size": 1.0}
    U_tf, v_tf = gradient_ascent(fitted._network(), z, logits, groups, **kwargs)
    U, v = fitted._numpy_network().gradient_ascent(z, logits, groups, **kwargs)
    np.testing.assert_allclose(v, v_tf, atol=1e-3)
    np.testing.assert_allclose(U, U_tf, atol=2e-2)
    assert np.argmax(v) == np.argmax(v_tf)
    best, best_tf = U[np.argmax(v)], U_tf[np.argmax(v_tf)]
    np.testing.assert_allclose(best, best_tf, atol=2e-2)  # the same suggestion


def test_gradient_matches_finite_differences():
    rng = np.random.RandomState(0)
    groups = [(0, 3), (3, 5), (5, 9)]
    weights = [
        rng.normal(size=(9 + 4, 6)),
        rng.normal(size=6),
        rng.normal(size=(6, 5)),
        rng.normal(size=5),
        rng.normal(size=(5, 1)),
        rng.normal(size=1),
    ]
    net = NumpyValueNetwork(weights, 9, learned=False, n_meta=4)
    z = rng.normal(size=4)
    logits = rng.normal(size=(3, 9))
    _, grad, u = net.value_and_gradient(logits, z, groups)
    np.testing.assert_allclose(u, grouped_softmax(logits, groups))
    numeric = np.zeros_like(logits)
    for j in range(9):
        step = np.zeros(9)
        step[j] = 1e-6
        up = net.value(grouped_softmax(logits + step, groups), z)
        down = net.value(grouped_softmax(logits - step, groups), z)
        numeric[:, j] = (up - down) / 2e-6
    np.testing.assert_allclose(grad, numeric, atol=1e-6)


def test_grouped_softmax_and_shapes_are_checked():
    u = grouped_softmax(np.zeros((2, 5)), [(0, 2), (2, 5)])
    np.testing.assert_allclose(u[:, :2].sum(1), 1.0)
    np.testing.assert_allclose(u[:, 2:], 1 / 3)
    with pytest.raises(ValueError, match="contiguously"):
        grouped_softmax(np.zeros((2, 5)), [(0, 2), (3, 5)])
    with pytest.raises(ValueError, match="do not match"):
        NumpyValueNetwork([np.zeros((4, 1)), np.zeros(1)], 5, False, 0)


def test_draw_plan_follows_algorithm_1():
    from skfti.value_network import draw_plan

    rng = np.random.RandomState(0)
    ks, exp_idx, samp_idx = draw_plan(
        rng,
        [5, 7],
        [10, 20],
        n_steps=9,
        k_outer_iters=1,
        k_inner_iters=3,
        experiment_batch_size=4,
        sample_batch_size=6,
    )
    assert ks.shape == (9,) and exp_idx.shape == (9, 4) and samp_idx.shape == (9, 6)
    for k, e, s in zip(ks, exp_idx, samp_idx, strict=True):
        lo_e, hi_e = (0, 5) if k == 0 else (5, 12)
        lo_s, hi_s = (0, 10) if k == 0 else (10, 30)
        assert np.all((e >= lo_e) & (e < hi_e)) and np.all((s >= lo_s) & (s < hi_s))
    # each experiment batch is used for k_inner_iters steps in a row
    np.testing.assert_array_equal(exp_idx[0], exp_idx[2])
