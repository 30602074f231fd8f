import numpy as np
import pytest

from skfti.meta_features import META_FEATURE_NAMES, compute_meta_features

X_SMALL = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 3.0], [6.0, 3.0]])
Y_SMALL = np.array([0, 0, 1, 1])


def _as_dict(X, y, **kwargs):
    values, names = compute_meta_features(X, y, return_names=True, **kwargs)
    assert names == META_FEATURE_NAMES
    return dict(zip(names, values.tolist(), strict=True))


def test_names_and_output_shape():
    values = compute_meta_features(X_SMALL, Y_SMALL)
    assert values.dtype == np.float64
    assert values.shape == (len(META_FEATURE_NAMES),)
    assert len(set(META_FEATURE_NAMES)) == len(META_FEATURE_NAMES)


def test_exact_values_on_a_hand_made_task():
    z = _as_dict(X_SMALL, Y_SMALL)
    assert (z["n_samples"], z["n_classes"], z["n_features"]) == (4, 2, 2)
    assert z["class_fraction_min"] == z["class_fraction_max"] == 0.5
    assert z["label_entropy"] == pytest.approx(np.log(2))
    assert z["label_entropy_normalized"] == pytest.approx(1.0)
    # Per-feature means are [3, 2], per-feature stds (ddof=0) [sqrt(5), 1].
    assert z["feature_mean_min"] == pytest.approx(2.0)
    assert z["feature_mean_max"] == pytest.approx(3.0)
    assert z["feature_mean_median"] == pytest.approx(2.5)
    assert z["feature_mean_std"] == pytest.approx(0.5)
    assert z["feature_std_min"] == pytest.approx(1.0)
    assert z["feature_std_max"] == pytest.approx(np.sqrt(5))
    assert z["feature_std_median"] == pytest.approx((1 + np.sqrt(5)) / 2)
    assert z["feature_std_std"] == pytest.approx((np.sqrt(5) - 1) / 2)
    assert z["mutual_info_max"] >= z["mutual_info_mean"] >= 0


def test_imbalanced_labels():
    X = np.arange(12, dtype=float).reshape(6, 2)
    z = _as_dict(X, ["a"] * 3 + ["b"] * 2 + ["c"])
    p = np.array([3, 2, 1]) / 6
    assert z["n_classes"] == 3
    assert z["class_fraction_min"] == pytest.approx(1 / 6)
    assert z["class_fraction_max"] == pytest.approx(0.5)
    assert z["label_entropy"] == pytest.approx(-(p * np.log(p)).sum())
    assert z["label_entropy_normalized"] == pytest.approx(
        -(p * np.log(p)).sum() / np.log(3)
    )


def test_mutual_information_separates_informative_from_noise():
    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, size=400)
    informative = y[:, None] * 3.0 + rng.normal(scale=0.3, size=(400, 3))
    noise = rng.normal(size=(400, 3))
    z_info = _as_dict(informative, y)
    z_noise = _as_dict(noise, y)
    assert z_info["mutual_info_mean"] > 0.4
    assert z_noise["mutual_info_mean"] < 0.05


def test_subsampling_is_seeded():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(300, 100))
    y = (X[:, 0] > 0).astype(int)
    first = compute_meta_features(X, y, n_mi_samples=100, n_mi_features=10)
    second = compute_meta_features(X, y, n_mi_samples=100, n_mi_features=10)
    other = compute_meta_features(
        X, y, n_mi_samples=100, n_mi_features=10, random_state=5
    )
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first[-2:], other[-2:])
    # Everything but mutual information uses all samples and features.
    np.testing.assert_allclose(first[:-2], other[:-2])
    assert first[META_FEATURE_NAMES.index("n_features")] == 100


def test_the_order_of_the_rows_changes_nothing():
    # More rows than the mutual information's subsample: the subsample is
    # drawn from the rows sorted by content, not by position.
    rng = np.random.RandomState(2)
    X = rng.normal(size=(400, 5))
    y = (X[:, 0] + 0.5 * rng.normal(size=400) > 0).astype(int)
    order = rng.permutation(400)
    # discrete features: equal rows with other labels
    discrete = rng.randint(0, 3, size=(400, 3)).astype(float)
    y_discrete = ((discrete[:, 0] + rng.normal(size=400)) > 1).astype(int)
    for features, labels in ((X, y), (discrete, y_discrete)):
        for n_mi_samples in (100, 1000):
            z = compute_meta_features(features, labels, n_mi_samples=n_mi_samples)
            shuffled = compute_meta_features(
                features[order], labels[order], n_mi_samples=n_mi_samples
            )
            np.testing.assert_allclose(shuffled, z, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros((4, 2)), [0, 1, 0], "one label per row"),
        (np.zeros(4), [0, 1, 0, 1], "2-D"),
        (np.array([[0.0, np.nan], [1.0, 1.0]]), [0, 1], "NaN or infinity"),
        (np.zeros((0, 3)), [], "non-empty"),
    ],
)
def test_invalid_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        compute_meta_features(X, y)


def test_invalid_mi_settings():
    with pytest.raises(ValueError, match="n_mi_samples must be an int >= 1"):
        compute_meta_features(X_SMALL, Y_SMALL, n_mi_samples=0)
