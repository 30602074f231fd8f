import numpy as np

from skfti import ArchitectureEncoding, SearchSpace
from skfti.child_architecture import ChildArchitecture, init_weights

SPACE = SearchSpace(n_layers=3, widths=(8, 32), views=("a", "b"))


def test_fast_path_keeps_only_the_chosen_layers():
    alpha = np.zeros((3, SPACE.n_base))
    alpha[:, 2] = 1  # relu-32
    beta = [[1, 0], [0, 1], [1, 0]]  # the middle layer is off
    u = ArchitectureEncoding(SPACE, alpha, beta, [0, 1])
    arch = ChildArchitecture(u, [10, 20], 3)
    assert arch.is_plain and [v for v, _ in arch.views] == [1]
    assert arch.n_parameters() == (20 * 32 + 32) + (32 * 32 + 32) + (32 * 3 + 3)
    full = ChildArchitecture(u, [10, 20], 3, fast_path=False)
    assert not full.is_plain and full.n_parameters() > arch.n_parameters()


def test_initial_weights_do_not_depend_on_the_fast_path():
    u = ArchitectureEncoding.random_one_hot(SPACE, random_state=0)
    fast = init_weights(ChildArchitecture(u, [10, 20], 3), np.random.RandomState(0))
    full = init_weights(
        ChildArchitecture(u, [10, 20], 3, fast_path=False), np.random.RandomState(0)
    )
    assert fast[-1].shape == full[-1].shape == (3,)
    np.testing.assert_array_equal(fast[-1], full[-1])
