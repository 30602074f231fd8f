import gzip

import numpy as np
import pytest

from skfti.datasets import (
    FAMILY_NAMES,
    TEXT_VIEWS,
    MissingDataSourceError,
    get_data_home,
    list_tabular_tasks,
    load_debian_package_tasks,
    load_family,
    load_foldoc_tasks,
    load_fortune_tasks,
    load_review_tasks,
    load_tabular_tasks,
    load_wordnet_tasks,
    make_task_family,
)
from skfti.datasets._base import stratified_subsample
from skfti.datasets._wordnet import LEXNAMES
from skfti.search_space import SearchSpace
from skfti.task import Task, check_task_collection


def _load_or_skip(loader, **kwargs):
    try:
        return loader(**kwargs)
    except MissingDataSourceError as exc:  # only when the source is not installed
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def wordnet_tasks():
    return _load_or_skip(load_wordnet_tasks, n_tasks=12)


@pytest.fixture(scope="module")
def fortune_tasks():
    return _load_or_skip(load_fortune_tasks, n_tasks=8)


@pytest.fixture(scope="module")
def review_tasks():
    return _load_or_skip(load_review_tasks)


@pytest.fixture(scope="module")
def tabular_tasks():
    return _load_or_skip(load_tabular_tasks)


def test_get_data_home(tmp_path, monkeypatch):
    assert get_data_home(tmp_path / "a") == tmp_path / "a"
    assert (tmp_path / "a").is_dir()
    monkeypatch.setenv("SKFTI_DATA", str(tmp_path / "env"))
    assert get_data_home() == tmp_path / "env"


def test_lexnames_table():
    assert len(LEXNAMES) == 45
    assert LEXNAMES[3] == "noun.Tops" and LEXNAMES[5] == "noun.animal"
    assert LEXNAMES[29] == "verb.body" and LEXNAMES[44] == "adj.ppl"
    prefixes = [name.split(".")[0] for name in LEXNAMES]
    assert [prefixes.count(p) for p in ("noun", "verb", "adj", "adv")] == [26, 15, 3, 1]


def test_at_least_20_text_tasks_of_500_samples(
    wordnet_tasks, fortune_tasks, review_tasks
):
    tasks = check_task_collection(wordnet_tasks + fortune_tasks + review_tasks)
    assert len(tasks) >= 20
    for task in tasks:
        assert task.is_text and task.n_samples >= 500, task
        assert all(isinstance(text, str) and text.strip() for text in task.X)


def test_wordnet_tasks(wordnet_tasks):
    assert len(wordnet_tasks) == 12
    seen = set()
    for task in wordnet_tasks:
        assert task.n_classes == 5 and task.n_samples == 1000
        assert set(task.classes) <= set(LEXNAMES)
        _, counts = np.unique(task.y, return_counts=True)
        assert (counts == 200).all()
        seen.add(tuple(task.classes))
    assert len(seen) == 12  # distinct class sets
    animal = [t for t in wordnet_tasks if "noun.animal" in t.classes]
    if animal:
        task = animal[0]
        glosses = task.X[task.y == "noun.animal"]
        assert len(glosses) == 200 and len(set(glosses)) == 200


def test_wordnet_is_deterministic_and_seeded():
    first = _load_or_skip(
        load_wordnet_tasks, n_tasks=2, n_classes=(2, 3), n_samples_per_class=30
    )
    again = load_wordnet_tasks(n_tasks=2, n_classes=(2, 3), n_samples_per_class=30)
    other = load_wordnet_tasks(
        n_tasks=2, n_classes=(2, 3), n_samples_per_class=30, random_state=1
    )
    assert [t.content_hash for t in first] == [t.content_hash for t in again]
    np.testing.assert_array_equal(first[0].test_index_, again[0].test_index_)
    assert [t.content_hash for t in first] != [t.content_hash for t in other]
    assert all(2 <= t.n_classes <= 3 for t in first)


def test_wordnet_pos_filter_and_errors():
    tasks = _load_or_skip(
        load_wordnet_tasks, n_tasks=3, pos="verb", n_samples_per_class=20
    )
    assert all(c.startswith("verb.") for t in tasks for c in t.classes)
    with pytest.raises(ValueError, match="pos must be among"):
        load_wordnet_tasks(pos="pronoun")
    with pytest.raises(ValueError, match="classes have >= 100000 samples"):
        load_wordnet_tasks(n_samples_per_class=100000)
    with pytest.raises(ValueError, match="n_classes must be >= 2"):
        load_wordnet_tasks(n_classes=1)


def test_missing_source_says_what_to_install(tmp_path):
    with pytest.raises(MissingDataSourceError, match="apt-get install -y wordnet-base"):
        load_wordnet_tasks(wordnet_dir=str(tmp_path))
    with pytest.raises(MissingDataSourceError, match="apt-get install -y fortunes"):
        load_fortune_tasks(fortunes_dir=str(tmp_path / "none"))
    assert issubclass(MissingDataSourceError, ImportError)


def test_fortune_tasks(fortune_tasks):
    assert len(fortune_tasks) == 8
    for task in fortune_tasks:
        assert task.n_classes == 4 and task.n_samples == 600
        assert task.name.startswith("fortunes-4way-")
    assert "%" not in {text.strip() for task in fortune_tasks for text in task.X}


def test_review_tasks(review_tasks):
    by_name = {task.name: task for task in review_tasks}
    assert sorted(by_name) == [
        "fine-food-score",
        "rotten-tomatoes",
        "rotten-tomatoes-fresh-rotten",
        "trump-android-iphone",
        "trump-source",
    ]
    assert by_name["trump-android-iphone"].classes.tolist() == ["android", "iphone"]
    assert by_name["rotten-tomatoes"].classes.tolist() == ["fresh", "plot", "rotten"]
    assert by_name["fine-food-score"].classes.tolist() == ["great", "other"]
    for task in review_tasks:
        assert task.n_samples == 2000
        assert not any("<br" in text for text in task.X)


def test_review_subsampling_keeps_proportions():
    small = _load_or_skip(load_review_tasks, max_samples=300, random_state=1)
    again = load_review_tasks(max_samples=300, random_state=1)
    assert [t.content_hash for t in small] == [t.content_hash for t in again]
    fine_food = next(t for t in small if t.name == "fine-food-score")
    great = np.mean(fine_food.y == "great")
    assert 300 <= fine_food.n_samples <= 302 and 0.6 < great < 0.7


def test_tabular_tasks(tabular_tasks):
    assert len(tabular_tasks) >= 10
    check_task_collection(tabular_tasks)
    for task in tabular_tasks:
        assert not task.is_text and task.X.ndim == 2
        assert 200 <= task.n_samples <= 2010
        assert np.isfinite(task.X).all()
    widths = {task.n_features for task in tabular_tasks}
    assert len(widths) > 5  # different feature counts, hence TabularFeatureMap
    mushroom = next(t for t in tabular_tasks if t.name == "keel-mushroom")
    assert set(np.unique(mushroom.X)) <= {0.0, 1.0}  # one-hot categories


def test_tabular_names_and_errors():
    names = _load_or_skip(list_tabular_tasks)
    assert "iris" in names and len(names) == 43
    (iris,) = load_tabular_tasks(["iris"])
    assert iris.X.shape == (150, 4) and iris.n_classes == 3
    np.testing.assert_allclose(iris.X[0], [5.1, 3.5, 1.4, 0.2])
    with pytest.raises(ValueError, match="unknown KEEL data sets \\['nope'\\]"):
        load_tabular_tasks(["nope"])


def test_make_task_family_is_deterministic_and_varied():
    tasks = make_task_family(6, n_samples=120, n_features=10, random_state=0)
    again = make_task_family(6, n_samples=120, n_features=10, random_state=0)
    other = make_task_family(6, n_samples=120, n_features=10, random_state=1)
    assert [t.content_hash for t in tasks] == [t.content_hash for t in again]
    assert [t.content_hash for t in tasks] != [t.content_hash for t in other]
    check_task_collection(tasks)
    assert all(isinstance(t, Task) and t.X.shape == (120, 10) for t in tasks)
    assert len({t.n_classes for t in make_task_family(20, random_state=0)}) > 1
    with pytest.raises(ValueError, match="n_samples must be an int >= 40"):
        make_task_family(2, n_samples=10)


def test_stratified_subsample():
    y = np.array([0] * 900 + [1] * 95 + [2] * 5)
    rng = np.random.RandomState(0)
    keep = stratified_subsample(y, 100, rng)
    assert np.all(np.diff(keep) > 0)
    assert np.bincount(y[keep]).tolist() == [90, 10, 5]
    assert len(stratified_subsample(y, None, rng)) == 1000


def test_load_family_gives_tasks_and_their_search_space():
    tasks, space = load_family("synthetic", 3, random_state=0)
    assert [t.name for t in tasks] == ["synthetic-00", "synthetic-01", "synthetic-02"]
    assert space == SearchSpace()
    again, _ = load_family("synthetic", 3, random_state=0)
    np.testing.assert_array_equal(tasks[1].X, again[1].X)
    assert set(FAMILY_NAMES) >= {"wordnet", "text", "synthetic", "tabular"}


def test_load_family_text_families_search_text_views():
    tasks, space = _load_or_skip(load_family, name="wordnet", n_tasks=2)
    assert len(tasks) == 2 and space.views == TEXT_VIEWS


def test_load_family_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="unknown family 'nope'; known families: w"):
        load_family("nope", 2)


_PACKAGES = """Package: {name}
Section: {section}
Description: {text}
"""


def _packages_file(tmp_path, n=20):
    records = []
    for section in ("games", "mail", "science", "libs"):
        for i in range(n):
            records.append(
                _PACKAGES.format(
                    name=f"{section}{i}", section=section, text=f"{section} program {i}"
                )
            )
    records.append(_PACKAGES.format(name="x", section="contrib/games", text="x game"))
    records.append(
        _PACKAGES.format(name="t", section="games", text="transitional package")
    )
    records.append(_PACKAGES.format(name="s", section="mail", text="games program 0"))
    path = tmp_path / "Packages"
    path.write_text("\n".join(records))
    return str(path)


def test_debian_tasks_from_a_packages_file(tmp_path):
    from skfti.datasets._debian import load_debian_descriptions

    path = _packages_file(tmp_path)
    texts, sections = load_debian_descriptions(path)
    assert "libs" not in sections  # not a topic section
    assert ("x game", "games") in zip(texts, sections, strict=True)  # contrib/ dropped
    assert not any("transitional" in t for t in texts)
    tasks = load_debian_package_tasks(
        2, n_classes=2, n_samples_per_class=10, packages_file=path
    )
    assert [t.name for t in tasks] == ["debian-2way-00", "debian-2way-01"]
    for task in tasks:
        assert task.is_text and task.n_samples == 20
        assert set(task.classes) <= {"games", "mail", "science"}
        # a text under two sections is dropped
        assert "games program 0" not in set(task.X)
    with pytest.raises(ValueError, match="only 3 debian classes have >= 10"):
        load_debian_package_tasks(
            n_classes=4, n_samples_per_class=10, packages_file=path
        )
    empty = tmp_path / "empty"
    empty.write_text("Package: a\nSection: libs\nDescription: a library\n")
    with pytest.raises(MissingDataSourceError, match="packages_file"):
        load_debian_package_tasks(packages_file=str(empty))


_FOLDOC_ENTRY = """{term}

   <{subject}> The {term} is a {{{subject}}} thing,
   defined here.

   A second paragraph that is not read.

   (2001-01-01)

"""


def _foldoc_file(tmp_path, n=12):
    entries = ["00-database-short\n\n   <introduction> FOLDOC.\n\n"]
    for subject in ("networking", "database", "web"):
        entries += [_FOLDOC_ENTRY.format(term=f"{subject}{i}", subject=subject)
                    for i in range(n)]  # fmt: skip
    entries.append(_FOLDOC_ENTRY.format(term="both", subject="networking, web"))
    path = tmp_path / "foldoc.dict.dz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write("".join(entries))
    return str(path)


def test_foldoc_tasks_from_a_dictionary_file(tmp_path):
    from skfti.datasets._foldoc import load_foldoc_definitions

    path = _foldoc_file(tmp_path)
    texts, subjects = load_foldoc_definitions(path)
    # the first paragraph only, the tag and the cross-reference braces dropped
    assert ("The networking3 is a networking thing, defined here.", "networking") in (
        set(zip(texts, subjects, strict=True))
    )
    assert "networking, web" not in subjects  # several subjects: left out
    assert set(subjects) == {"introduction", "networking", "database", "web"}
    tasks = load_foldoc_tasks(
        2, n_classes=2, n_samples_per_class=10, dictionary_file=path
    )
    assert [t.name for t in tasks] == ["foldoc-2way-00", "foldoc-2way-01"]
    for task in tasks:
        assert task.is_text and task.n_samples == 20
        assert set(task.classes) <= {"networking", "database", "web"}
    with pytest.raises(ValueError, match="only 3 foldoc classes have >= 10"):
        load_foldoc_tasks(n_classes=4, n_samples_per_class=10, dictionary_file=path)
    with pytest.raises(MissingDataSourceError, match="dict-foldoc"):
        load_foldoc_tasks(dictionary_file=str(tmp_path / "missing.dict.dz"))
    untagged = tmp_path / "foldoc.dict"
    untagged.write_text("term\n\n   A definition without a subject.\n")
    with pytest.raises(MissingDataSourceError, match="no tagged definition"):
        load_foldoc_tasks(dictionary_file=str(untagged))


def test_foldoc_tasks_of_this_system():
    tasks = _load_or_skip(load_foldoc_tasks, n_tasks=3)
    assert len(tasks) == 3
    for task in tasks:
        assert task.n_classes == 4 and task.n_samples == 400
        assert task.name.startswith("foldoc-4way-")
        # the subject tag is not left in the texts
        assert not any(text.startswith("<") for text in task.X)


def test_debian_tasks_of_this_system():
    tasks = _load_or_skip(load_debian_package_tasks, n_tasks=3)
    assert len(tasks) == 3
    for task in tasks:
        assert task.n_classes == 4 and task.n_samples == 600
        assert task.name.startswith("debian-4way-")
