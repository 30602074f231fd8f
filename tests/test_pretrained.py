"""skfti.pretrained: shipped value networks, saved and loaded without pickle."""

import copy
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fresh_process import run_python

import skfti.pretrained
from skfti import ArchitectureInferrer


@pytest.fixture(scope="module")
def saved(task_family_population, tmp_path_factory):
    tasks, experiments, space = task_family_population
    inferrer = ArchitectureInferrer(
        search_space=space, meta_features="both", n_steps=200, random_state=0
    ).fit(tasks[1:], experiments[1:])
    provenance = {
        "tasks": [t.name for t in tasks[1:]],
        "n_children": 50,
        "child_settings": {"epochs": 10},
        "experiments_sha256": "0" * 64,
        "leave_one_task_out": {"spearman_mean": 0.5},
    }
    path = tmp_path_factory.mktemp("models") / "tiny-v0"
    files = skfti.pretrained.save(inferrer, path, provenance=provenance)
    return inferrer, path, files


def test_save_load_round_trip_gives_identical_suggestions(
    saved, task_family_population
):
    inferrer, path, _ = saved
    task = task_family_population[0][0]
    loaded = skfti.pretrained.load(path)
    assert loaded.get_params() == inferrer.get_params()
    for k in (1, 3):
        expected = inferrer.suggest(
            task.X_train, task.y_train, n_suggestions=k, return_values=True
        )
        got = loaded.suggest(
            task.X_train, task.y_train, n_suggestions=k, return_values=True
        )
        assert got[0] == expected[0]
        np.testing.assert_array_equal(got[1], expected[1])
    np.testing.assert_array_equal(loaded.meta_mean_, inferrer.meta_mean_)
    assert loaded.provenance_["n_children"] == 50
    assert loaded.provenance_["skfti_version"] == skfti.__version__


def test_a_bare_name_saved_in_the_working_directory_loads(saved, monkeypatch):
    inferrer, path, _ = saved
    monkeypatch.chdir(path.parent)
    assert skfti.pretrained.load(path.name).weights_[0].shape == (
        inferrer.weights_[0].shape
    )
    with pytest.raises(ValueError, match="No pretrained model named 'tiny-v9'"):
        skfti.pretrained.load("tiny-v9")
    # a path names what is missing; a folder is said to be one
    (path.parent / "half.json").write_text("{}")
    with pytest.raises(ValueError, match=r"Model file not found: \S*half\.npz \("):
        skfti.pretrained.load(path.parent / "half.json")
    with pytest.raises(ValueError, match="is a folder, not a model"):
        skfti.pretrained.load(path.parent)
    (path.parent / "text-v1").mkdir()  # a folder named like a shipped model
    if "text-v1" in skfti.pretrained.available():
        assert skfti.pretrained.load("text-v1").search_space_.views[0] == "glove50"


def test_model_files_hold_no_pickle(saved):
    _, _, (npz, js) = saved
    document = json.loads(js.read_text())
    assert document["views"] == ["input"]
    assert document["provenance"]["leave_one_task_out"] == {"spearman_mean": 0.5}
    with zipfile.ZipFile(npz) as archive:
        assert all(n.endswith(".npy") for n in archive.namelist())
    with np.load(npz, allow_pickle=False) as arrays:  # raises on object arrays
        assert all(arrays[name].dtype != object for name in arrays.files)


def test_loading_and_suggesting_never_imports_tensorflow(saved):
    _, path, _ = saved
    code = (
        "import sys\n"
        "import skfti.pretrained\n"
        "from skfti.datasets import make_task_family\n"
        f"inferrer = skfti.pretrained.load({str(path)!r})\n"
        "task = make_task_family(1, n_samples=400, n_features=32, random_state=1)[0]\n"
        "inferrer.suggest(task.X_train, task.y_train)\n"
        "print('tensorflow' in sys.modules)\n"
    )
    out = run_python(code)
    assert out.stdout.strip() == "False", out.stderr


def test_available_lists_names_and_unknown_names_are_named():
    names = skfti.pretrained.available()
    assert isinstance(names, list) and all(isinstance(n, str) for n in names)
    with pytest.raises(
        ValueError, match=r"No pretrained model named 'nope'.*available"
    ):
        skfti.pretrained.load("nope")
    with pytest.raises(ValueError, match=r"own.joblib is a pickle .* joblib.load"):
        skfti.pretrained.load("own.joblib")  # what skfti fit --output writes


def test_data_kind_reads_a_model_without_loading_it(saved, tmp_path):
    for name in skfti.pretrained.available():
        numeric = skfti.pretrained.load(name).search_space_.is_numeric
        assert skfti.pretrained.data_kind(name) == ("numeric" if numeric else "text")
    inferrer, _, _ = saved
    skfti.pretrained.save(inferrer, tmp_path / "m", provenance={})
    expected = "numeric" if inferrer.search_space_.is_numeric else "text"
    assert skfti.pretrained.data_kind(tmp_path / "m") == expected
    with pytest.raises(ValueError, match="No pretrained model named 'nope'"):
        skfti.pretrained.data_kind("nope")


def test_save_checks_its_input(saved, tmp_path):
    inferrer, _, _ = saved
    with pytest.raises(ValueError, match="provenance must be a dict"):
        skfti.pretrained.save(inferrer, tmp_path / "m", provenance=["x"])
    with pytest.raises(ValueError, match="JSON"):
        skfti.pretrained.save(inferrer, tmp_path / "m", provenance={"x": object()})
    with pytest.raises(Exception, match="not fitted"):
        skfti.pretrained.save(ArchitectureInferrer(), tmp_path / "m", provenance={})
    with pytest.raises(ValueError, match="NaN or infinity"):  # JSON has neither
        skfti.pretrained.save(inferrer, tmp_path / "m", provenance={"x": float("nan")})


def test_a_numpy_seed_is_saved(saved, tmp_path):
    inferrer, _, _ = saved
    seeded = copy.copy(inferrer)  # fitted, with a seed scikit-learn accepts
    seeded.random_state = np.int64(3)
    skfti.pretrained.save(seeded, tmp_path / "m", provenance={})
    assert skfti.pretrained.load(tmp_path / "m").random_state == 3  # was None


def _edited(path, tmp_path, edit_json=None, edit_arrays=None):
    document = json.loads(path.with_suffix(".json").read_text())
    with np.load(path.with_suffix(".npz")) as stored:
        arrays = dict(stored)
    if edit_json:
        edit_json(document)
    if edit_arrays:
        edit_arrays(arrays)
    out = tmp_path / "edited"
    out.with_suffix(".json").write_text(json.dumps(document))
    np.savez(out.with_suffix(".npz"), **arrays)
    return out


@pytest.mark.parametrize(
    "edit_json, edit_arrays, match",
    [
        (lambda d: d.update(n_weights=d["n_weights"] - 2), None, "do not match"),
        (None, lambda a: a.update(weight_5=a["weight_5"] * np.nan), "NaN"),
        (lambda d: d["params"].update(discrete_search="typo"), None, "not valid"),
        (lambda d: d.update(format_version="2"), None, "is not a model of format"),
        (lambda d: d.pop("fitted"), None, "lacks \\['fitted'\\]"),
        (
            lambda d: d["params"].update(
                feature_map={"class": "skfti.pretrained:available", "params": {}}
            ),
            None,
            "Refusing to load feature_map class",
        ),
    ],
)
def test_an_edited_model_file_is_refused_when_loaded(
    saved, tmp_path, edit_json, edit_arrays, match
):
    # These loaded (and suggested wrong networks, or called what the file
    # named) or failed later with TypeError / KeyError.
    _, path, _ = saved
    with pytest.raises(ValueError, match=match):
        skfti.pretrained.load(_edited(path, tmp_path, edit_json, edit_arrays))


TEXT_MODELS = [n for n in ("text-v1", "text-v2") if n in skfti.pretrained.available()]


@pytest.mark.parametrize("name", TEXT_MODELS)
def test_text_models_suggest_for_raw_texts(name):
    inferrer = skfti.pretrained.load(name)
    texts = [
        f"a short text number {i} about {'cats' if i % 2 else 'cars'}"
        for i in range(40)
    ]
    labels = [i % 2 for i in range(40)]
    encoding, value = inferrer.suggest(texts, labels, return_values=True)
    assert encoding.search_space == inferrer.search_space_
    # In units of normalized accuracy: the best of 7,540 networks lies above
    # the mean random architecture (its raw ranking score was about 0, the
    # population's mean -2.4), and below the best children of a population.
    assert 0.5 < value < 3.0
    numbers = np.random.RandomState(0).normal(size=(40, 3))
    with pytest.raises(ValueError, match="pass the texts themselves .*'tabular-v1'"):
        inferrer.suggest(numbers, labels)


@pytest.mark.parametrize("name", TEXT_MODELS)
def test_text_models_suggest_for_raw_texts_without_embedding_them(name):
    # A shipped text model has no meta-features, so a suggestion for a CSV's
    # texts takes about a second: no view's package (nor TensorFlow) is
    # loaded. A model with meta-features embeds every text first.
    from skfti.embeddings._registry import _MODULES

    heavy = ("tensorflow", *(m for _, names, _ in _MODULES.values() for m in names))
    code = (
        "import sys\n"
        "import skfti.pretrained\n"
        f"inferrer = skfti.pretrained.load({name!r})\n"
        "texts = [f'text {i} about ' + ('cats', 'cars')[i % 2] for i in range(1000)]\n"
        "inferrer.suggest(texts, [i % 4 for i in range(1000)], n_suggestions=3)\n"
        f"heavy = {heavy!r}\n"
        "print(inferrer.meta_features, [m for m in heavy if m in sys.modules])\n"
    )
    out = run_python(code)
    assert out.stdout.split(maxsplit=1) == ["none", "[]\n"], out.stderr


def test_shipped_models_together_stay_under_5_mb():
    folder = Path(skfti.pretrained.__file__).parent / "models"
    files = [f for f in folder.iterdir() if f.suffix in (".npz", ".json")]
    sizes = [f.stat().st_size for f in files]
    assert len(sizes) == 2 * len(skfti.pretrained.available())
    assert sum(sizes) < 5e6


@pytest.mark.skipif(
    "tabular-v1" not in skfti.pretrained.available(),
    reason="the pretrained model 'tabular-v1' is not shipped yet",
)
def test_tabular_v1_suggests_for_any_number_of_columns():
    from sklearn.datasets import load_breast_cancer, load_iris

    inferrer = skfti.pretrained.load("tabular-v1")
    assert inferrer.search_space_.views == ("input",)
    for X, y in (load_iris(return_X_y=True), load_breast_cancer(return_X_y=True)):
        encoding = inferrer.suggest(X, y, discretize=True)
        assert encoding.is_discrete
        # the task view does not depend on units
        again = inferrer.suggest(X * 1000.0 + 5.0, y, discretize=True)
        assert again == encoding


@pytest.mark.parametrize("name", [*TEXT_MODELS, "tabular-v1"])
def test_shipped_ranking_models_predict_normalized_accuracy(name):
    inferrer = skfti.pretrained.load(name)
    assert inferrer.loss == "ranking" and inferrer.value_scale_ > 0
    n_dims = inferrer.search_space_.n_dims
    assert inferrer.reference_encodings_.shape == (1000, n_dims)


def test_models_saved_before_value_scales_predict_raw_scores(saved, tmp_path):
    inferrer, _, (npz, js) = saved
    document = json.loads(js.read_text())
    del document["fitted"]["value_scale_"]  # the format of the models before
    with np.load(npz) as arrays:
        kept = {k: arrays[k] for k in arrays.files if k != "reference_encodings"}
    np.savez(tmp_path / "raw-v0.npz", **kept)
    (tmp_path / "raw-v0.json").write_text(json.dumps(document))
    loaded = skfti.pretrained.load(tmp_path / "raw-v0")
    assert loaded.value_scale_ is None and loaded.reference_encodings_ is None
    U = inferrer.reference_encodings_[:5]
    task = (np.random.RandomState(0).normal(size=(40, 32)), np.arange(40) % 4)
    scaled = inferrer.predict(task, U)
    raw = loaded.predict(task, U)
    zero = loaded.predict(task, inferrer.reference_encodings_).mean()
    np.testing.assert_allclose(scaled, inferrer.value_scale_ * (raw - zero))


def test_models_saved_before_the_discrete_search_load_as_they_were_made(
    saved, task_family_population, tmp_path
):
    inferrer, path, (npz, js) = saved
    task = task_family_population[0][0]
    document = json.loads(js.read_text())
    for name in ("discrete_search", "n_discrete_candidates", "canonical_encodings"):
        del document["params"][name]  # the format of the models shipped before
    old = tmp_path / "old-v0"
    (tmp_path / "old-v0.npz").write_bytes(npz.read_bytes())
    (tmp_path / "old-v0.json").write_text(json.dumps(document))
    loaded = skfti.pretrained.load(old)
    assert loaded.discrete_search == "ascent"
    assert loaded.canonical_encodings is False
    paper = ArchitectureInferrer(**inferrer.get_params()).set_params(
        discrete_search="ascent", canonical_encodings=False
    )
    paper.__dict__.update(
        {k: v for k, v in inferrer.__dict__.items() if k.endswith("_")}
    )
    X, y = task.X_train, task.y_train
    assert loaded.suggest(X, y, discretize=True) == paper.suggest(X, y, discretize=True)


def test_the_showcase_says_the_default_model_was_pretrained_on_its_task():
    """README's figures and examples/own_csv.py use ``wordnet-4way-00``
    (``load_wordnet_tasks(4, ...)[0]``), a task of the default text model's
    training data, and point to the figures on unseen texts."""
    from pathlib import Path

    root = Path(__file__).parents[1]
    name = skfti.pretrained.DEFAULT_MODELS["text"]
    model = json.loads((root / f"skfti/pretrained/models/{name}.json").read_text())
    assert "wordnet-4way-00" in model["provenance"]["trained_on"]
    chapter = "The second text model"
    assert f"## {chapter} (`{name}`" in (root / "docs/results.md").read_text()
    for path in ("README.md", "examples/own_csv.py"):
        text = " ".join((root / path).read_text().split())
        assert "`wordnet-4way-00`" in text, path
        assert f"``{name}``" in text or f"`{name}`" in text, path
        assert "all 400 of its texts, with their labels, were in" in text, path
        assert f'"{chapter}"' in text, path


def test_tabular_v1_suggests_the_same_for_shuffled_rows_and_other_units():
    # One-hot encoded categories are collinear: their empty principal
    # components must not reach the value network as whitened rounding noise.
    from sklearn.datasets import load_wine

    inferrer = skfti.pretrained.load("tabular-v1")
    X, y = load_wine(return_X_y=True)
    X = np.c_[X, X[:, 0], np.eye(4)[np.arange(len(y)) % 4]]
    order = np.random.RandomState(1).permutation(len(y))
    units = np.linspace(1.0, 10.0, X.shape[1])
    encodings, values = inferrer.suggest(X, y, n_suggestions=3, return_values=True)
    for X_other, y_other in ((X[order], y[order]), (X * units, y)):
        again, values_again = inferrer.suggest(
            X_other, y_other, n_suggestions=3, return_values=True
        )
        assert again == encodings
        np.testing.assert_allclose(values_again, values, atol=1e-9)


def test_tabular_v1_suggests_for_constant_data_without_warnings():
    import warnings

    inferrer = skfti.pretrained.load("tabular-v1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "invalid value" from PCA
        encoding = inferrer.suggest(np.ones((10, 3)), [0, 1] * 5)
    assert encoding.describe().startswith("input | ")


@pytest.mark.parametrize("name", TEXT_MODELS)
def test_text_models_name_a_table_of_texts_and_refuse_empty_texts(name):
    import pandas as pd

    inferrer = skfti.pretrained.load(name)
    table = pd.DataFrame({"text": ["a good film", "a bad film"] * 5})
    for X in (table, table.to_numpy()):
        with pytest.raises(ValueError, match="pass the texts as a 1-D sequence"):
            inferrer.suggest(X, [0, 1] * 5)
    with pytest.raises(ValueError, match="X holds 10 texts, all empty or blank"):
        inferrer.suggest(["", " "] * 5, [0, 1] * 5)


@pytest.mark.parametrize(
    "params", [{"outputdim": 64}, {"output_dim": -3}], ids=["unknown", "invalid"]
)
def test_a_feature_map_edited_into_nonsense_is_refused_when_loaded(tmp_path, params):
    # A bare TypeError, or a model that loaded and failed only in suggest.
    shipped = Path(skfti.pretrained.__file__).parent / "models" / "tabular-v1"

    def edit(document):
        document["params"]["feature_map"]["params"] = params

    with pytest.raises(ValueError, match="edited.json: the model's parameters"):
        skfti.pretrained.load(_edited(shipped, tmp_path, edit))
