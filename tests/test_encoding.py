import json

import numpy as np
import pytest

from skfti import ArchitectureEncoding, SearchSpace
from skfti.encoding import check_encoding_matrix, encoding_groups

SPACE = SearchSpace(n_layers=4, widths=(8, 32, 128), views=("glove50", "use512", "h"))


def test_uniform_weights_every_choice_equally():
    u = ArchitectureEncoding.uniform(SPACE)
    np.testing.assert_allclose(u.alpha, 1 / 6)
    np.testing.assert_allclose(u.beta, 0.5)
    np.testing.assert_allclose(u.gamma, 1 / 3)
    assert not u.is_discrete


def test_random_one_hot_is_discrete_and_seeded():
    u = ArchitectureEncoding.random_one_hot(SPACE, random_state=0)
    assert u.is_discrete
    assert u.alpha.sum() == SPACE.n_layers and u.beta.sum() == SPACE.n_layers
    assert u == ArchitectureEncoding.random_one_hot(SPACE, random_state=0)
    draws = {
        tuple(ArchitectureEncoding.random_one_hot(SPACE, random_state=s).to_vector())
        for s in range(20)
    }
    assert len(draws) == 20


def test_random_one_hot_with_n_active_turns_on_exactly_that_many_layers():
    for n_active in range(SPACE.n_layers + 1):
        for seed in range(5):
            u = ArchitectureEncoding.random_one_hot(SPACE, seed, n_active=n_active)
            assert u.is_discrete
            assert int(u.beta[:, 0].sum()) == n_active  # column 0 is "on"
            n_on = sum(part != "off" for part in u.describe().split(" | ")[1:])
            assert n_on == n_active
    with pytest.raises(ValueError, match="n_active must be in"):
        ArchitectureEncoding.random_one_hot(SPACE, 0, n_active=SPACE.n_layers + 1)


def test_vector_round_trip():
    u = ArchitectureEncoding.random_relaxed(SPACE, random_state=1)
    v = u.to_vector()
    assert v.shape == (SPACE.n_dims,)
    assert ArchitectureEncoding.from_vector(SPACE, v) == u


def test_json_round_trip_keeps_the_space():
    u = ArchitectureEncoding.random_relaxed(SPACE, random_state=2)
    text = u.to_json()
    json.loads(text)  # plain JSON
    back = ArchitectureEncoding.from_json(text)
    assert back.search_space == SPACE
    np.testing.assert_allclose(back.to_vector(), u.to_vector(), rtol=0, atol=1e-15)
    assert ArchitectureEncoding.from_json(text, search_space=SPACE) == back


def test_vector_of_another_space_is_rejected():
    other = ArchitectureEncoding.uniform(SearchSpace()).to_vector()
    with pytest.raises(ValueError, match="another search space"):
        ArchitectureEncoding.from_vector(SPACE, other)


def test_json_of_another_space_is_rejected():
    text = ArchitectureEncoding.uniform(SearchSpace()).to_json()
    with pytest.raises(ValueError, match="another search space"):
        ArchitectureEncoding.from_json(text, search_space=SPACE)
    with pytest.raises(ValueError, match="Not an ArchitectureEncoding"):
        ArchitectureEncoding.from_json('{"alpha": 1}')


def test_weights_must_be_on_the_simplex():
    u = ArchitectureEncoding.uniform(SPACE)
    with pytest.raises(ValueError, match="sum to 1"):
        ArchitectureEncoding(SPACE, u.alpha * 2, u.beta, u.gamma)
    with pytest.raises(ValueError, match=">= 0"):
        ArchitectureEncoding(SPACE, u.alpha - 0.5, u.beta, u.gamma)
    with pytest.raises(ValueError, match="NaN"):
        ArchitectureEncoding(SPACE, u.alpha, u.beta, [np.nan, 0.5, 0.5])
    with pytest.raises(ValueError, match="shape"):
        ArchitectureEncoding(SPACE, u.alpha[:2], u.beta, u.gamma)


def test_from_logits_applies_the_softmax():
    logits = np.zeros((SPACE.n_layers, SPACE.n_base))
    logits[:, 2] = np.log(5.0)
    u = ArchitectureEncoding.from_logits(SPACE, logits, np.zeros((4, 2)), [0, 0, 0])
    np.testing.assert_allclose(u.alpha[:, 2], 0.5)
    np.testing.assert_allclose(u.alpha[:, 0], 0.1)


def test_discretize_takes_the_argmax_of_each_group():
    u = ArchitectureEncoding.random_relaxed(SPACE, random_state=3)
    d = u.discretize()
    assert d.is_discrete
    np.testing.assert_array_equal(d.alpha.argmax(1), u.alpha.argmax(1))
    np.testing.assert_array_equal(d.beta.argmax(1), u.beta.argmax(1))
    assert d.gamma.argmax() == u.gamma.argmax()
    assert d.discretize() == d


def test_describe_reads_like_the_architecture():
    space = SearchSpace(n_layers=3, widths=(64, 256), views=("glove50", "use512"))
    alpha = np.zeros((3, 4))
    alpha[0, 0] = alpha[1, 3] = alpha[2, 1] = 1  # relu-64, tanh-256, tanh-64
    beta = np.array([[1, 0], [0, 1], [1, 0]])
    u = ArchitectureEncoding(space, alpha, beta, [1, 0])
    assert u.describe() == "glove50 | relu-64 | off | tanh-64"
    relaxed = ArchitectureEncoding.uniform(space).describe()
    assert relaxed.startswith("glove50 (0.50) | relu-64 (0.12)")


def test_encoding_groups_cover_the_vector():
    groups = encoding_groups(SPACE)
    assert len(groups) == 2 * SPACE.n_layers + 1
    assert groups[0] == (0, SPACE.n_base) and groups[-1][1] == SPACE.n_dims
    assert all(a == b for (_, a), (b, _) in zip(groups[:-1], groups[1:], strict=True))


def test_check_encoding_matrix_names_each_failure():
    u = ArchitectureEncoding.random_relaxed(SPACE, random_state=0)
    U = check_encoding_matrix(SPACE, [u, u], "here")
    assert U.shape == (2, SPACE.n_dims)
    np.testing.assert_array_equal(check_encoding_matrix(SPACE, U, "here"), U)
    np.testing.assert_array_equal(check_encoding_matrix(SPACE, u, "here"), U[:1])
    with pytest.raises(ValueError, match=r"here: expected a 2-D .*reshape\(1, -1\)"):
        check_encoding_matrix(SPACE, U[0], "here")
    with pytest.raises(ValueError, match="here: .*another search space"):
        check_encoding_matrix(SPACE, U[:, :-1], "here")
    other = ArchitectureEncoding.uniform(SearchSpace())
    with pytest.raises(ValueError, match="another search space .fingerprint"):
        check_encoding_matrix(SPACE, [other], "here")
    bad = U.copy()
    bad[1, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        check_encoding_matrix(SPACE, bad, "here")
    negative = U.copy()
    negative[0, :2] = [negative[0, :2].sum() + 0.5, -0.5]  # the group still sums to 1
    with pytest.raises(ValueError, match="negative weight -0.5 at entry 1"):
        check_encoding_matrix(SPACE, negative, "here")
    doubled = U * 2
    with pytest.raises(ValueError, match="sum to 2, not 1"):
        check_encoding_matrix(SPACE, doubled, "here")


def test_random_relaxed_takes_a_small_concentration():
    # NumPy's Dirichlet underflows to 0/0 for tiny concentrations (seeds 0-199
    # at 0.005 failed 9 times with "gamma contains NaN").
    space = SearchSpace()
    for seed in range(200):
        u = ArchitectureEncoding.random_relaxed(space, seed, concentration=0.005)
        assert np.isfinite(u.to_vector()).all()
        np.testing.assert_allclose(u.alpha.sum(axis=1), 1.0)
        np.testing.assert_allclose(u.gamma, [1.0])
    for bad in (0, -1.0, float("nan"), "1"):
        with pytest.raises(ValueError, match="concentration must be"):
            ArchitectureEncoding.random_relaxed(space, 0, concentration=bad)
