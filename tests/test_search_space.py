import pickle

import pytest

from skfti import SearchSpace


def test_defaults_follow_the_paper():
    space = SearchSpace()
    assert space.n_layers == 7
    assert space.widths == (8, 16, 32, 64, 128, 256)
    assert space.activations == ("relu", "tanh")
    assert space.n_base == 12
    assert space.max_width == 256
    assert space.n_dims == 7 * 12 + 7 * 2 + 1
    assert space.base_layers[0] == (8, "relu")
    assert space.base_layers[-1] == (256, "tanh")
    assert space.base_layer_name(3) == "tanh-16"


def test_every_number_is_configurable():
    space = SearchSpace(
        n_layers=2, widths=[4, 12], activations=["tanh"], views=["a", "b"]
    )
    assert space.widths == (4, 12)  # lists become tuples
    assert space.n_base == 2
    assert space.n_views == 2
    assert space.n_dims == 2 * 2 + 2 * 2 + 2


def test_round_trip_and_fingerprint():
    space = SearchSpace(n_layers=3, views=("glove50", "use512"))
    again = SearchSpace.from_dict(space.to_dict())
    assert again == space
    assert again.fingerprint() == space.fingerprint()
    assert SearchSpace().fingerprint() != space.fingerprint()
    assert pickle.loads(pickle.dumps(space)) == space
    assert hash(again) == hash(space)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_layers": 0}, "n_layers must be >= 1"),
        ({"widths": ()}, "widths"),
        ({"widths": (8, -1)}, "widths"),
        ({"activations": ("relu", "swishy")}, "activations"),
        ({"views": ()}, "views"),
        ({"widths": (8, 8)}, "repeat"),
    ],
)
def test_bad_spaces_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SearchSpace(**kwargs)


@pytest.mark.parametrize("name", ["views", "widths", "activations"])
def test_an_unordered_collection_is_refused(name):
    # A set's order (and so the space's fingerprint) changed with PYTHONHASHSEED.
    value = {"views": {"glove50", "use512"}, "widths": {8, 16}}.get(name, {"relu"})
    with pytest.raises(TypeError, match="ordered sequence"):
        SearchSpace(**{name: value})


def test_from_dict_rejects_foreign_documents():
    with pytest.raises(ValueError, match="keys"):
        SearchSpace.from_dict({"n_layers": 3})
