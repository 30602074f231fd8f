import numpy as np
import pytest

from skfti.child_recipe import (
    AUTO_DROPOUT,
    LEGACY_SETTINGS,
    PAPER_SETTINGS,
    RECIPE_SETTINGS,
    check_settings,
    complete_legacy_settings,
    fit_input_scaling,
    holdout_split,
    mean_log_loss,
    refit_epochs,
    resolve_dropout,
)


def test_settings_are_completed_and_normalized():
    text = check_settings({}, text=True)
    assert text == {**RECIPE_SETTINGS, "dropout": 0.2}
    assert check_settings({}, text=False) == {**RECIPE_SETTINGS, "dropout": 0.0}
    with pytest.raises(ValueError, match="dropout='auto'.*kind of data"):
        check_settings({})  # "auto" needs the kind of data
    assert check_settings({"dropout": 0.1})["dropout"] == 0.1  # a number does not
    paper = check_settings(PAPER_SETTINGS)
    assert paper["epochs"] == 20 and paper["n_iter_no_change"] is None
    assert check_settings({"epochs": np.int64(5)}, text=True)["epochs"] == 5
    assert (
        check_settings({"validation_fraction": 0.0}, text=False)["validation_fraction"]
        is None
    )


def test_auto_dropout_follows_the_kind_of_input():
    assert resolve_dropout("auto", text=True) == AUTO_DROPOUT["text"] == 0.2
    assert resolve_dropout("auto", text=False) == AUTO_DROPOUT["numeric"] == 0.0
    assert resolve_dropout(0.3, text=True) == resolve_dropout(0.3, text=False) == 0.3


def test_settings_recorded_before_a_key_take_its_legacy_value():
    today = check_settings({}, text=True)
    recorded = {k: v for k, v in today.items() if k not in LEGACY_SETTINGS}
    completed = complete_legacy_settings(recorded)
    assert completed == {**today, "dropout": 0.0, "refit": False, "tol": 0.0}
    assert completed != check_settings(recorded, text=True)  # not today's defaults
    # keys that were recorded keep their values
    assert complete_legacy_settings(today) == today
    with pytest.raises(ValueError, match="Unknown child settings"):
        complete_legacy_settings({"momentum": 0.9})


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"weight_decay": -1}, "weight_decay"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"tol": -1e-4}, "tol"),
        ({"tol": "small"}, "tol"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"dropout": 1.0}, "dropout"),
        ({"dropout": -0.1}, "dropout"),
        ({"dropout": "high"}, "dropout"),
        ({"momentum": 0.9}, "Unknown child settings"),
        ({"refit": "yes"}, "refit must be True, False or 'average'"),
        ({"refit": 1}, "refit"),
    ],
)
def test_bad_settings_are_named(bad, match):
    with pytest.raises(ValueError, match=match):
        check_settings(bad, text=True)


def test_holdout_is_stratified_and_seeded():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    train, held = holdout_split(y, 0.1, np.random.RandomState(0))
    assert len(held) == 10 and len(train) == 90
    assert sorted(np.bincount(y[held])) == [2, 3, 5]  # the class proportions
    again = holdout_split(y, 0.1, np.random.RandomState(0))
    np.testing.assert_array_equal(held, again[1])
    assert holdout_split(y, None, np.random.RandomState(0)) is None
    assert holdout_split(y[:5], 0.1, np.random.RandomState(0)) is None  # 0 rows


def test_input_scaling_and_log_loss():
    X = np.array([[1.0, 5.0], [3.0, 5.0]])
    (mean, scale), unused = fit_input_scaling([X, None])
    np.testing.assert_allclose(mean, [2.0, 5.0])
    np.testing.assert_allclose(scale, [1.0, 1.0])  # constant column: scale 1
    assert unused is None
    proba = np.array([[0.9, 0.1], [0.0, 1.0]])
    assert mean_log_loss(proba, [0, 0]) == pytest.approx(
        -(np.log(0.9) + np.log(np.finfo(np.float32).eps)) / 2
    )


def test_refit_epochs_grow_with_the_rows_added():
    assert refit_epochs(best_epoch=8, n_fit=90, n_held=10, max_epochs=200) == 10
    assert refit_epochs(best_epoch=0, n_fit=90, n_held=10, max_epochs=200) == 1
    assert refit_epochs(best_epoch=199, n_fit=90, n_held=10, max_epochs=200) == 200
