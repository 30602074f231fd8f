"""Canonical encodings and the candidate search of discrete suggestions."""

import warnings

import numpy as np
import pytest

from skfti import ArchitectureEncoding, ArchitectureInferrer, SearchSpace
from skfti._inferrer_search import canonical_rows, compact_networks

SPACE = SearchSpace(n_layers=4, widths=(8, 32), views=("a", "b"))


def layers_on(encoding):
    """The view and the switched-on (width, activation) in order: the network."""
    space = encoding.search_space
    on = [
        space.base_layers[int(encoding.alpha[j].argmax())]
        for j in range(space.n_layers)
        if encoding.beta[j, 0] == 1.0
    ]
    return space.views[int(encoding.gamma.argmax())], on


def network(space, view, layers, positions=None):
    """A discrete encoding: ``view``, ``layers`` switched on at ``positions``."""
    positions = range(len(layers)) if positions is None else positions
    alpha = np.zeros((space.n_layers, space.n_base))
    alpha[:, 0] = 1.0
    beta = np.tile([0.0, 1.0], (space.n_layers, 1))
    for j, layer in zip(positions, layers, strict=True):
        alpha[j] = 0.0
        alpha[j, space.base_layers.index(layer)] = 1.0
        beta[j] = [1.0, 0.0]
    gamma = np.eye(space.n_views)[space.views.index(view)]
    return ArchitectureEncoding(space, alpha, beta, gamma)


def test_canonical_rows_keep_the_network_and_move_gaps_last():
    encodings = [ArchitectureEncoding.random_one_hot(SPACE, seed) for seed in range(40)]
    U = np.array([e.to_vector() for e in encodings])
    C = canonical_rows(U, SPACE)
    assert not np.shares_memory(C, U)
    for encoding, row in zip(encodings, C, strict=True):
        canonical = ArchitectureEncoding.from_vector(SPACE, row)
        assert canonical.is_discrete
        assert layers_on(canonical) == layers_on(encoding)
        n_on = len(layers_on(encoding)[1])
        np.testing.assert_array_equal(canonical.beta[:n_on, 0], 1.0)
        np.testing.assert_array_equal(canonical.beta[n_on:, 1], 1.0)
        np.testing.assert_array_equal(canonical.alpha[n_on:, 0], 1.0)
    np.testing.assert_array_equal(canonical_rows(C, SPACE), C)  # idempotent
    assert np.sum(np.any(C != U, axis=1)) > 10  # most random encodings moved


def test_the_same_network_anywhere_gets_one_canonical_row():
    layers = [(32, "tanh"), (8, "relu")]
    vector = network(SPACE, "b", layers).to_vector()
    rows = []
    for positions in [(0, 1), (0, 3), (1, 2), (2, 3)]:
        row = network(SPACE, "b", layers, positions).to_vector()
        for j in set(range(4)) - set(positions):  # off layers' choices differ too
            row[j * SPACE.n_base : (j + 1) * SPACE.n_base] = np.eye(4)[3]
        rows.append(row)
    C = canonical_rows(np.array(rows), SPACE)
    np.testing.assert_array_equal(C, np.tile(vector, (4, 1)))
    swapped = canonical_rows(network(SPACE, "b", layers[::-1]).to_vector()[None], SPACE)
    assert not np.array_equal(swapped[0], vector)  # the order of layers counts


def test_canonical_rows_leave_relaxed_rows_alone():
    relaxed = ArchitectureEncoding.uniform(SPACE).to_vector()
    discrete = ArchitectureEncoding.random_one_hot(SPACE, 3).to_vector()
    C = canonical_rows(np.array([relaxed, discrete]), SPACE)
    np.testing.assert_array_equal(C[0], relaxed)


def test_compact_networks_enumerate_every_network_up_to_a_depth():
    n_upto = [SPACE.n_views * sum(4**d for d in range(k + 1)) for k in range(5)]
    assert n_upto == [2, 10, 42, 170, 682]  # 2 views, 4 base layers
    U = compact_networks(SPACE, 200)
    assert U.shape == (170, SPACE.n_dims)  # up to 3 layers: 682 > 200
    assert len({tuple(u) for u in U}) == 170  # distinct networks
    np.testing.assert_array_equal(canonical_rows(U, SPACE), U)
    n_alpha = SPACE.n_layers * SPACE.n_base
    depths = U[:, n_alpha : n_alpha + 2 * SPACE.n_layers : 2].sum(1)
    assert np.all(np.diff(depths) >= 0) and depths.max() == 3
    assert compact_networks(SPACE, 10**6).shape == (682, SPACE.n_dims)  # all
    assert compact_networks(SPACE, 1).shape == (2, SPACE.n_dims)  # depth 0
    assert compact_networks(SPACE, 200, at_least=171).shape == (682, SPACE.n_dims)


@pytest.fixture(scope="module")
def fitted(task_family_population):
    tasks, experiments, space = task_family_population
    return ArchitectureInferrer(search_space=space, random_state=0, n_steps=500).fit(
        tasks[1:], experiments[1:]
    )


def test_predictions_do_not_depend_on_where_layers_sit(fitted, task_family_population):
    task = task_family_population[0][0]
    space = fitted.search_space_
    view = space.views[0]
    one = network(space, view, [(128, "relu")])
    last = network(space, view, [(128, "relu")], [space.n_layers - 1])
    values = fitted.predict(task, [one, last])
    assert values[0] == values[1]
    positional = ArchitectureInferrer(
        search_space=space, random_state=0, n_steps=500, canonical_encodings=False
    ).fit(task_family_population[0][1:], task_family_population[1][1:])
    values = positional.predict(task, [one, last])
    assert abs(values[0] - values[1]) > 1e-6


def test_discrete_suggestions_are_the_best_scored_networks(
    fitted, task_family_population
):
    task = task_family_population[0][0]
    X, y, space = task.X_train, task.y_train, fitted.search_space_
    ranked, values = fitted.suggest(
        X, y, n_suggestions=5, discretize=True, return_values=True
    )
    every = compact_networks(space, 10**6)  # this space: 259 networks, all scored
    scores = fitted.predict(task, every)
    np.testing.assert_allclose(values, np.sort(scores)[::-1][:5], rtol=1e-12)
    assert all(e.is_discrete for e in ranked)
    vectors = np.array([e.to_vector() for e in ranked])
    np.testing.assert_array_equal(canonical_rows(vectors, space), vectors)
    assert len({e.describe() for e in ranked}) == 5
    assert fitted.suggest(X, y, discretize=True) == ranked[0]
    with pytest.raises(ValueError, match="holds only 259"):
        fitted.suggest(X, y, n_suggestions=260, discretize=True)


def test_a_smaller_candidate_budget_and_the_ascent(fitted, task_family_population):
    task = task_family_population[0][0]
    X, y = task.X_train, task.y_train
    small = fitted.set_params(n_discrete_candidates=7)
    try:
        found = small.suggest(X, y, n_suggestions=3, discretize=True)
        assert len(found) == 3
        # the top of 7 networks: the depth-0 and six one-layer networks
        assert all(len(layers_on(e)[1]) <= 1 for e in found)
        more = small.suggest(X, y, n_suggestions=8, discretize=True)
        assert len(more) == 8  # more than 7 asked: the two-layer networks join
        fitted.set_params(discrete_search="ascent")
        ascended, value = fitted.suggest(X, y, discretize=True, return_values=True)
        assert ascended.is_discrete
        vector = ascended.to_vector()[None]
        np.testing.assert_array_equal(
            canonical_rows(vector, ascended.search_space), vector
        )
        assert value == pytest.approx(fitted.predict(task, [ascended])[0], abs=1e-9)
    finally:
        fitted.set_params(n_discrete_candidates=10000, discrete_search="candidates")


def test_refit_forgets_the_previous_network(task_family_population):
    tasks, experiments, space = task_family_population
    inferrer = ArchitectureInferrer(search_space=space, random_state=0, n_steps=300)
    inferrer.fit(tasks[1:6], experiments[1:6])
    before = inferrer.predict(tasks[0], experiments[0][0])
    inferrer.suggest(tasks[0].X_train, tasks[0].y_train, discretize=True)
    inferrer.fit(tasks[6:], experiments[6:])
    fresh = ArchitectureInferrer(search_space=space, random_state=0, n_steps=300)
    fresh.fit(tasks[6:], experiments[6:])
    after = inferrer.predict(tasks[0], experiments[0][0])
    np.testing.assert_allclose(after, fresh.predict(tasks[0], experiments[0][0]))
    assert not np.allclose(after, before)


def test_bad_search_parameters_fail_before_training(task_family_population):
    tasks, experiments, space = task_family_population
    for params, word in [
        ({"discrete_search": "grid"}, "discrete_search"),
        ({"n_discrete_candidates": 0}, "n_discrete_candidates"),
        ({"canonical_encodings": "yes"}, "canonical_encodings"),
    ]:
        with warnings.catch_warnings(), pytest.raises(ValueError, match=word):
            ArchitectureInferrer(search_space=space, **params).fit(
                tasks[:2], experiments[:2]
            )
