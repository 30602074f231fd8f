"""Child-recipe levers on fixed architectures, on the pretraining tasks.

The 35 text tasks by default; ``--family tabular`` runs the 39 KEEL tasks,
where only random one-hot children (``--n-random``) apply (the named
architectures are text ones); ``--family debian`` (``foldoc``) the 12 tasks of the
unseen corpus of ``scripts/unseen_corpus.py`` (``--corpus foldoc
--n-per-class 100``) in the shipped ``text-v1``'s space (``--space
text-v2``: in ``text-v2``'s four views, with the pretraining tasks as its
collection ``text2``); ``text-large``, ``debian-large`` and ``text-xl``
larger tasks of the same sources (:data:`LARGE`: 2,000-19,000 rows instead
of 400-1,000), for how the recipe and the suggestions fare as a data set
grows.

Each variant of the recipe trains the same architectures (fixed ones, and
optionally random one-hot ones) with the same seeds on every task's training
split, and is scored on the task's validation split (the figure that chose
the recipe) and test split (reported). "ensemble" averages the probabilities
of the seeds of one architecture. Rows are appended to a JSON-lines file;
``--table`` prints the Markdown table of a file, ``--average A,A+B`` one of
architectures' probabilities averaged (the default recipe's rows;
``--pool-seeds`` pools every seed of a task, paired with the baselines).

    python scripts/child_recipe_levers.py results/levers.jsonl --seeds 0,1,2 \
        --variants '[{"name": "base", "dropout": 0, "refit": false},
                     {"name": "d0.2+refit", "dropout": 0.2}]' \
        --archs use-relu256-128,use-tanh128
    python scripts/child_recipe_levers.py results/levers1.jsonl --table

A variant is the default recipe (skfti.child_recipe.RECIPE_SETTINGS) with
its keys replaced (``dropout``, ``refit``, ...); ``"base"`` with
``dropout 0`` and ``refit false`` is the previous default. Keys of
``TRIAL_LEVERS`` go to ``train_network``; ``"tfidf_block"`` appends a
TF-IDF of the texts to the network's input, ``"augment"`` word-deleted
copies of the training texts to its rows. ``--archs`` may also name
:data:`BASELINES` (LogisticRegression, MLPClassifier on the standardized
concatenation of the views, variant ``"-"``, one row per seed).
"""

import argparse
import collections
import json
import os
import re
import sys
import time
import zlib
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pretrain_population import pretraining_collection  # noqa: E402

CONCAT = "glove50+use512+hashed256"
CONCAT4 = "glove50+use512+hashed256+minilm384"
ARCHS = {  # name: (view, [(width, activation), ...]); other layers off
    "use-linear": ("use512", []),
    "use-tanh128": ("use512", [(128, "tanh")]),
    "use-relu256": ("use512", [(256, "relu")]),
    "use-relu256-128": ("use512", [(256, "relu"), (128, "relu")]),
    "hashed-relu64": ("hashed256", [(64, "relu")]),
    "cat-linear": (CONCAT, []),
    "cat-tanh128": (CONCAT, [(128, "tanh")]),
    "cat-relu256": (CONCAT, [(256, "relu")]),
    "cat-relu256-128": (CONCAT, [(256, "relu"), (128, "relu")]),
    "cat-relu64-tanh64": (CONCAT, [(64, "relu"), (64, "tanh")]),
    "cat-relu128-32": (CONCAT, [(128, "relu"), (32, "relu")]),
    "cat-relu128": (CONCAT, [(128, "relu")]),
    "cat-tanh256": (CONCAT, [(256, "tanh")]),
    "cat-relu256-256": (CONCAT, [(256, "relu"), (256, "relu")]),
    "cat-relu128-128-tanh32": (CONCAT, [(128, "relu"), (128, "relu"), (32, "tanh")]),
    # wider than the search space's widest layer (256): run in a space widened
    # for them (space_for), so they are never a suggestion of the shipped model
    "cat-relu1024": (CONCAT, [(1024, "relu")]),
    "cat-relu2048": (CONCAT, [(2048, "relu")]),
    "cat-relu1024-256": (CONCAT, [(1024, "relu"), (256, "relu")]),
    # text-v2's space (``--space text-v2``): MiniLM alone, and the four views
    # side by side (what text-v2 suggests most)
    "minilm-relu256": ("minilm384", [(256, "relu")]),
    "minilm-relu256-256": ("minilm384", [(256, "relu"), (256, "relu")]),
    "use-relu256-256": ("use512", [(256, "relu"), (256, "relu")]),
    "cat4-relu256": (CONCAT4, [(256, "relu")]),
    "cat4-relu256-256": (CONCAT4, [(256, "relu"), (256, "relu")]),
    "cat4-relu128-256": (CONCAT4, [(128, "relu"), (256, "relu")]),
}

SPACES = ("text-v1", "text-v2")
"""``--space``: the shipped model whose space (and, for the pretraining
tasks, whose pretraining collection: ``text`` or ``text2``) a run uses."""


BASELINES = ("LogisticRegression", "MLPClassifier")
"""scikit-learn classifiers on the same features, for reference."""


def view_baselines(seed):
    """The :data:`BASELINES` of every table, on standardized features:
    ``LogisticRegression(max_iter=1000)`` and ``MLPClassifier(random_state=seed)``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {
        "LogisticRegression": make_pipeline(
            StandardScaler(), LogisticRegression(max_iter=1000)
        ),
        "MLPClassifier": make_pipeline(
            StandardScaler(), MLPClassifier(random_state=seed)
        ),
    }


LARGE = ("text-large", "debian-large", "text-xl")
"""Families of larger tasks than the pretraining ones (400-1,000 rows);
:func:`text_tasks` says what each holds."""

TRIAL_LEVERS = (
    "early_stopping_score",
    "ema_momentum",
    "input_dropout",
    "label_smoothing",
    "mixup_alpha",
)
"""Keyword arguments of ``train_network`` tried before they are settings."""

TFIDF_BLOCK = "tfidf_block"
"""A lever of the input, not of training: ``{"tfidf_block": {...}}`` appends
a ``TfidfVectorizer(**{...})`` of the task's texts, fitted on the training
split, to the view the network reads (dense; the recipe standardizes it).
With ``"svd_components": k`` among the options the block is the first ``k``
components of a ``TruncatedSVD`` of it, fitted on the training split (latent
semantic analysis). A variant with a block also gives it to the
:data:`BASELINES` (beside the concatenated views), under the variant's name."""


def tfidf_block(texts, train, options):
    """The dense block of :data:`TFIDF_BLOCK`, fitted on the training rows."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    options = {k: tuple(v) if isinstance(v, list) else v for k, v in options.items()}
    k = options.pop("svd_components", None)
    tfidf = TfidfVectorizer(**options).fit(texts[train])
    matrix = tfidf.transform(texts)
    if k is None:
        return matrix.toarray().astype(np.float32)
    svd = TruncatedSVD(min(k, matrix.shape[1] - 1), random_state=0)
    svd.fit(matrix[train])
    return svd.transform(matrix).astype(np.float32)


MINILM_BLOCK = "minilm_block"
"""Another lever of the input: ``{"minilm_block": true}`` appends the texts'
all-MiniLM-L6-v2 sentence embeddings (384 columns,
:class:`skfti.embeddings.MiniLMEmbedding`, cached as the views are)
where :data:`TFIDF_BLOCK` would append its block, to the child and to the
baselines alike."""

BLOCKS = (TFIDF_BLOCK, MINILM_BLOCK)

AUGMENT = "augment"
"""A lever of the training rows: ``{"augment": {"copies": 2, "drop": 0.15}}``
adds, for each row a child fits on, ``copies`` versions of its text with each
word deleted with probability ``drop`` (at least one word kept; random
deletion of Wei and Zou's EDA), embedded by every view, with the row's label.
The hold-out that stops training keeps the original texts only; the task's
validation and test splits are untouched. ``"baselines": true`` gives the
same rows to the :data:`BASELINES`."""


INPUT_MAP = "input_map"
"""A lever of the child's input scaling: ``{"input_map": "clip3"}`` standardizes
each column on the training rows and clips at +-3; ``"block_rms"`` centres each
column and divides each view's block (each part of a concatenated view) by
one number, its root mean square deviation, which keeps the geometry of a
sentence embedding that per-column scaling distorts. Both with the recipe's
own standardization off (``"standardize": false`` is implied)."""


def part_widths(view):
    """Widths of the parts of a view name such as ``glove50+use512``."""
    import re

    return [int(re.search(r"(\d+)$", part).group(1)) for part in view.split("+")]


def mapped_view(v, train, kind, widths):
    """One view through :data:`INPUT_MAP` ``kind``, fitted on the training rows."""
    v = np.asarray(v, dtype=np.float64)
    mean = v[train].mean(0)
    if kind == "clip3":
        scale = v[train].std(0)
        scale[scale < 1e-12] = 1.0
        return np.clip((v - mean) / scale, -3, 3).astype(np.float32)
    if kind == "block_rms":
        out, start = np.empty_like(v), 0
        for width in widths:
            block = v[:, start : start + width] - mean[start : start + width]
            rms = np.sqrt(np.mean(block[train] ** 2)) or 1.0
            out[:, start : start + width] = block / rms
            start += width
        return out.astype(np.float32)
    raise ValueError(f"unknown input_map {kind!r}")


def augmented_texts(texts, task_name, copies, drop):
    """``copies`` lists of word-deleted versions of ``texts`` (one per copy).

    Drawn from the task's name and the copy's number, so that every seed and
    architecture reads the same augmented rows (embedded once, then cached).
    """
    out = []
    for copy in range(copies):
        rng = np.random.RandomState((zlib.crc32(task_name.encode()) + copy) % 2**32)
        versions = []
        for text in texts:
            words = str(text).split()
            if not words:
                versions.append(str(text))
                continue
            keep = rng.random_sample(len(words)) >= drop
            if not keep.any():
                keep[rng.randint(len(words))] = True
            versions.append(" ".join(w for w, k in zip(words, keep, strict=True) if k))
        out.append(versions)
    return out


def augmented_views(task_name, texts, train, space, options, n_threads=1):
    """Views of the augmented copies of the training rows, copy after copy.

    Returns ``(views, source)``: one array per view of the space holding the
    ``copies`` blocks of ``len(train)`` rows, and the task row each
    augmented row comes from.
    """
    from skfti.embeddings import get_embedding_module
    from skfti.task_views import _with_threads, embed_views

    modules = [_with_threads(get_embedding_module(v), n_threads) for v in space.views]
    blocks = [
        embed_views(copy, space, modules=modules)
        for copy in augmented_texts(
            texts[train], task_name, options["copies"], options["drop"]
        )
    ]
    views = [np.vstack([b[k] for b in blocks]) for k in range(len(space.views))]
    return views, np.tile(train, options["copies"])


def fit_child_augmented(arch, views, y, train, seed, settings, extra):
    """``skfti.population._fit_child`` with augmented rows beside the fitted ones.

    The same draws from ``RandomState(seed)`` (the hold-out, then training);
    the augmented rows of the rows held out are left out, so that early
    stopping watches original texts the child never saw in any form.
    """
    from skfti.child_recipe import holdout_split, training_keywords
    from skfti.child_training import train_network

    extra_views, source = extra
    rng = np.random.RandomState(seed)
    split = holdout_split(y[train], settings["validation_fraction"], rng)
    fit_idx, held_idx = train[split[0]], train[split[1]]
    extra_rows = np.flatnonzero(np.isin(source, fit_idx))
    fit_views = [
        np.vstack([v[fit_idx], e[extra_rows]])
        for v, e in zip(views, extra_views, strict=True)
    ]
    fit_y = np.concatenate([y[fit_idx], y[source[extra_rows]]])
    return train_network(
        arch,
        fit_views,
        fit_y,
        validation=([v[held_idx] for v in views], y[held_idx]),
        rng=rng,
        **training_keywords(settings, validating=True),
    )


def has_block(variant):
    """Whether the variant has an input lever (one of :data:`BLOCKS`)."""
    return any(b in variant for b in BLOCKS)


def input_block(texts, train, variant):
    """The block of the variant's input lever (one of :data:`BLOCKS`)."""
    if all(b in variant for b in BLOCKS):
        raise ValueError(f"a variant takes one of {BLOCKS}, not both: {variant}")
    if TFIDF_BLOCK in variant:
        return tfidf_block(texts, train, variant[TFIDF_BLOCK])
    from skfti.embeddings import MiniLMEmbedding, embed_cached

    return embed_cached(MiniLMEmbedding(n_threads=2), list(texts))


def with_input_block(views, texts, train, used, variant):
    """The task's views with the variant's input block beside each view ``used``."""
    block = input_block(texts, train, variant)
    return [np.hstack([v, block]) if k in used else v for k, v in enumerate(views)]


def space_for(space, arch_name):
    """``space``, with the widths of a named architecture added if it lacks them."""
    from skfti import SearchSpace

    if arch_name.startswith("rand-"):
        return space
    extra = sorted({w for w, _ in ARCHS[arch_name][1]} - set(space.widths))
    if not extra:
        return space
    return SearchSpace(
        n_layers=space.n_layers,
        widths=tuple(space.widths) + tuple(extra),
        activations=space.activations,
        views=space.views,
    )


def encoding(space, arch_name, task_name):
    """The one-hot encoding of a named architecture (or ``rand-K``)."""
    from skfti import ArchitectureEncoding

    if arch_name.startswith("rand-"):
        seed = zlib.crc32(task_name.encode()) + int(arch_name[5:])
        return ArchitectureEncoding.random_one_hot(space, seed)
    view, layers = ARCHS[arch_name]
    s = space
    alpha = np.zeros((s.n_layers, s.n_base))
    alpha[:, 0] = 1
    beta = np.zeros((s.n_layers, 2))
    beta[:, 1] = 1  # off
    for j, (width, act) in enumerate(layers):
        alpha[j] = 0
        alpha[j, s.base_layers.index((width, act))] = 1
        beta[j] = [1, 0]
    gamma = np.zeros(s.n_views)
    gamma[s.views.index(view)] = 1
    return ArchitectureEncoding(s, alpha, beta, gamma)


def widest_view(space):
    """The view of the most views side by side (what the baselines read)."""
    return max(space.views, key=lambda v: v.count("+"))


def run_baseline(task_name, data, space, name, seed, variant=None):
    """A scikit-learn classifier on the standardized views side by side."""
    views, y, (train, val, test), _, texts = data
    variant = variant or {"name": "-"}
    concat = space.views.index(widest_view(space))
    if has_block(variant):
        views = with_input_block(views, texts, train, [concat], variant)
    X = views[concat]
    start = time.perf_counter()
    X_fit, y_fit = X[train], y[train]
    if AUGMENT in variant:
        extra_views, source = augmented_views(
            task_name, texts, train, space, variant[AUGMENT]
        )
        X_fit = np.vstack([X_fit, extra_views[concat]])
        y_fit = np.concatenate([y_fit, y[source]])
    model = view_baselines(seed)[name].fit(X_fit, y_fit)
    pv, pt = model.predict_proba(X[val]), model.predict_proba(X[test])
    return {
        "task": task_name,
        "arch": name,
        "variant": variant["name"],
        "seed": seed,
        "val": float(np.mean(pv.argmax(1) == y[val])),
        "test": float(np.mean(pt.argmax(1) == y[test])),
        "pv": pv.tolist(),
        "pt": pt.tolist(),
        "epochs": 0,
        "time": time.perf_counter() - start,
    }


def run(task_name, data, space, arch_name, variant, seed):
    """Train one child as the classifier would; validation and test scores."""
    if arch_name in BASELINES:
        return run_baseline(task_name, data, space, arch_name, seed, variant)
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
    from skfti.child_architecture import ChildArchitecture
    from skfti.child_recipe import check_settings
    from skfti.population import _fit_child

    views, y, (train, val, test), n_classes, texts = data
    trial = {k: variant[k] for k in TRIAL_LEVERS if k in variant}
    settings = check_settings(
        {
            k: v
            for k, v in variant.items()
            if k not in ("name", AUGMENT, INPUT_MAP, *BLOCKS) and k not in trial
        },
        text=not space.is_numeric,
    )
    enc = encoding(space_for(space, arch_name), arch_name, task_name)
    if has_block(variant):
        used = np.flatnonzero(np.asarray(enc.gamma) > 0)
        views = with_input_block(views, texts, train, used, variant)
    arch = ChildArchitecture(
        enc,
        [v.shape[1] for v in views],
        n_classes,
        fast_path=True,
    )
    start = time.perf_counter()
    # the population's own child training (hold-out, then the one recipe)
    if INPUT_MAP in variant:
        settings["standardize"] = False
        views = [
            mapped_view(v, train, variant[INPUT_MAP], part_widths(name))
            for v, name in zip(views, space.views, strict=True)
        ]
    if AUGMENT in variant:
        extra = augmented_views(task_name, texts, train, space, variant[AUGMENT])
        network, history = fit_child_augmented(
            arch, views, y, train, seed, settings, extra
        )
    else:
        network, history = _fit_child(arch, views, y, train, seed, settings, **trial)
    pv = network.predict_proba([v[val] for v in views])
    pt = network.predict_proba([v[test] for v in views])
    return {
        "task": task_name,
        "arch": arch_name,
        "variant": variant["name"],
        "seed": seed,
        "val": float(np.mean(pv.argmax(1) == y[val])),
        "test": float(np.mean(pt.argmax(1) == y[test])),
        "pv": pv.tolist(),
        "pt": pt.tolist(),
        "epochs": len(history["loss"]),
        "time": time.perf_counter() - start,
    }


def text_tasks(family):
    """The text tasks of a family that is not the pretraining collection.

    ``"debian"``: 12 Debian 4-way tasks, 200 descriptions per class (800
    rows). ``"debian-large"``: 8 such tasks, 800 per class (3,200 rows).
    ``"text-large"``: WordNet 4-way, 800 glosses per class (10 tasks);
    fortunes 4-way, 500 quotes per class (5 tasks); the five review tasks at
    up to 4,000 rows. ``"text-xl"``: WordNet 4-way, 3,000 glosses per class
    (5 tasks of 12,000 rows); the five review tasks whole (5,000-19,000).
    """
    from skfti.datasets import (
        load_debian_package_tasks,
        load_fortune_tasks,
        load_review_tasks,
        load_wordnet_tasks,
    )

    if family == "debian":
        return load_debian_package_tasks(12, n_samples_per_class=200)
    if family == "foldoc":
        from skfti.datasets import load_foldoc_tasks

        return load_foldoc_tasks(12, n_samples_per_class=100)
    if family == "debian-large":
        return load_debian_package_tasks(8, n_samples_per_class=800)
    if family == "text-large":
        return (
            load_wordnet_tasks(10, n_classes=4, n_samples_per_class=800)
            + load_fortune_tasks(5, n_samples_per_class=500)
            + load_review_tasks(max_samples=4000)
        )
    if family == "text-xl":
        return load_wordnet_tasks(
            5, n_classes=4, n_samples_per_class=3000
        ) + load_review_tasks(max_samples=None)
    raise ValueError(f"unknown family {family!r}")


def collection(family="text", model="text-v1"):
    """The tasks and their space, with each task's data and texts.

    ``"debian"`` (the unseen corpus of ``scripts/unseen_corpus.py``) and the
    larger families (:func:`text_tasks`) in the space of the shipped
    ``model``; otherwise the pretraining tasks (``text`` in ``text-v2``'s
    space is its collection, ``text2``).
    """
    from skfti.population import task_data

    if family in ("debian", "foldoc", *LARGE):
        import skfti.pretrained

        space = skfti.pretrained.load(model).search_space_
        tasks = text_tasks(family)
    else:
        if family == "text" and model == "text-v2":
            family = "text2"
        tasks, space = pretraining_collection(family, 0)
    return (
        tasks,
        space,
        {t.name: (*task_data(t, space), np.asarray(t.X, dtype=object)) for t in tasks},
    )


def mean_accuracies(rows, y, val, test):
    """Validation and test accuracy of the rows' probabilities averaged."""
    pv = np.mean([r["pv"] for r in rows], 0)
    pt = np.mean([r["pt"] for r in rows], 0)
    return np.mean(pv.argmax(1) == y[val]), np.mean(pt.argmax(1) == y[test])


def table(path, family="text", model="text-v1"):
    """Markdown: per (architecture, variant), single child and seed ensemble."""
    tasks, _, data = collection(family, model)
    rows = [json.loads(line) for line in open(path)]
    groups = collections.defaultdict(lambda: collections.defaultdict(list))
    for r in rows:
        arch = "random one-hot" if r["arch"].startswith("rand-") else r["arch"]
        groups[(arch, r["variant"])][(r["task"], r["arch"])].append(r)
    print(
        "| architecture | recipe | tasks | 1 child: val | 1 child: test "
        "| ensemble of seeds: val | ensemble: test | epochs |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for (arch, variant), runs in sorted(groups.items()):
        single = [r for rs in runs.values() for r in rs]
        ens = []
        for (task, _), rs in runs.items():
            _, y, (_, val, test), _, _ = data[task]
            ens.append(mean_accuracies(rs, y, val, test))
        ens = np.array(ens)
        print(
            f"| {arch} | {variant} | {len({t for t, _ in runs})} "
            f"| {np.mean([r['val'] for r in single]):.3f} "
            f"| {np.mean([r['test'] for r in single]):.3f} "
            f"| {ens[:, 0].mean():.3f} | {ens[:, 1].mean():.3f} "
            f"| {np.mean([r['epochs'] for r in single]):.1f} |"
        )


def average_table(path, averages, family="text", model="text-v1", pool_seeds=False):
    """Markdown: probabilities of several architectures averaged, per seed.

    ``averages`` are ``+``-joined names of ``--archs`` (their default-recipe
    or baseline rows; ``arch@variant`` names the rows of another variant of
    the recipe); a task and seed counts when it has all of them. With
    ``pool_seeds`` the rows of every seed of a task are averaged together
    (one figure per task), and each average is paired with the
    :data:`BASELINES` present: test accuracy minus LogisticRegression's and
    minus the mean of MLPClassifier's seeds, with the se over tasks and the
    tasks better / tied / worse.
    """
    tasks, _, data = collection(family, model)
    got = collections.defaultdict(lambda: collections.defaultdict(list))
    for r in map(json.loads, open(path)):
        key = r["task"] if pool_seeds else (r["task"], r["seed"])
        name = r["arch"]
        if r["variant"] not in ("-", "default"):
            name = f"{name}@{r['variant']}"
        rows = got[key][name]
        if r["seed"] not in [x["seed"] for x in rows]:  # baselines run twice
            rows.append(r)
    unit = "tasks" if pool_seeds else "tasks x seeds"
    print(f"| averaged | {unit} | val | test |")
    print("|---|---|---|---|")
    for average in averages:
        members, scores = average.split("+"), {}
        for key, rows in got.items():
            if all(m in rows for m in members):
                task = key if pool_seeds else key[0]
                _, y, (_, val, test), _, _ = data[task]
                chosen = [r for m in members for r in rows[m]]
                scores[key] = mean_accuracies(chosen, y, val, test)
        v = np.array(list(scores.values())).reshape(-1, 2)
        line = f"| {average} | {len(v)} | {v[:, 0].mean():.3f} | {v[:, 1].mean():.3f} |"
        if pool_seeds:
            line += "".join(paired_with(scores, got, data, base) for base in BASELINES)
        print(line)


def paired_with(scores, got, data, baseline):
    """`` <baseline>: +d.d (se; better/tied/worse) |`` of test accuracy, or ''."""
    diffs = []
    for task, (_, test_acc) in scores.items():
        rows = got[task].get(baseline)
        if not rows:
            return ""
        _, y, (_, _, test), _, _ = data[task]
        base = np.mean([np.mean(np.argmax(r["pt"], 1) == y[test]) for r in rows])
        diffs.append(100 * (test_acc - base))
    d = np.array(diffs)
    se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
    counts = f"{(d > 1e-9).sum()}/{(abs(d) <= 1e-9).sum()}/{(d < -1e-9).sum()}"
    return f" {baseline}: {d.mean():+.1f} ({se:.1f}; {counts}) |"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", help="JSON-lines file (appended to)")
    parser.add_argument("--variants", default='[{"name": "default"}]')
    parser.add_argument("--archs", default="use-relu256-128,use-tanh128")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--n-random", type=int, default=0, help="random one-hot archs")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--family",
        choices=("text", "tabular", "debian", "foldoc", *LARGE),
        default="text",
    )
    parser.add_argument(
        "--space",
        choices=SPACES,
        default="text-v1",
        help="the shipped model whose space and views a run uses",
    )
    parser.add_argument("--table", action="store_true")
    parser.add_argument(
        "--pool-seeds",
        action="store_true",
        help="with --average: average every seed's rows of a task together, "
        "paired with the baselines",
    )
    parser.add_argument(
        "--average",
        default=None,
        help="print the table of averaged probabilities, e.g. "
        "'cat-relu256,cat-relu256+LogisticRegression'",
    )
    args = parser.parse_args()
    if args.table:
        table(args.output, args.family, args.space)
        return
    if args.average:
        average_table(
            args.output,
            re.split(r",(?! )", args.average),  # "a, b" is within a name
            args.family,
            args.space,
            args.pool_seeds,
        )
        return
    tasks, space, data = collection(args.family, args.space)
    variants = json.loads(args.variants)
    archs = [a for a in args.archs.split(",") if a]
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = []
    for task in tasks:
        for arch in (a for a in archs if a in BASELINES):
            for seed in seeds:
                jobs.append((task.name, arch, {"name": "-"}, seed))
                for variant in variants:
                    if has_block(variant) or variant.get(AUGMENT, {}).get("baselines"):
                        jobs.append((task.name, arch, variant, seed))
        for variant in variants:
            for arch in (a for a in archs if a not in BASELINES):
                for seed in seeds:
                    jobs.append((task.name, arch, variant, seed))
            for k in range(args.n_random):
                jobs.append((task.name, f"rand-{k}", variant, 0))
    if any(MINILM_BLOCK in v for v in variants):  # embed once, before the workers
        for task in tasks:
            input_block(data[task.name][-1], None, {MINILM_BLOCK: True})
    for variant in (v for v in variants if AUGMENT in v):  # the same, augmented
        for task in tasks:
            texts, train = data[task.name][-1], data[task.name][2][0]
            augmented_views(
                task.name, texts, train, space, variant[AUGMENT], n_threads=2
            )
    results = Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(
        delayed(run)(t, data[t], space, a, v, s) for t, a, v, s in jobs
    )
    with open(args.output, "a") as out:
        for row in results:
            out.write(json.dumps(row) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
