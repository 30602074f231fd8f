"""The shipped text model on corpora it has never seen: Debian, FOLDOC.

Tasks: ``load_debian_package_tasks`` (k-way sections of the packages'
one-line descriptions) or, with ``--corpus foldoc``, ``load_foldoc_tasks``
(k-way subjects of the Free On-line Dictionary of Computing's definitions);
no model of the project saw either. The shipped
``text-v1`` (``--model``: another shipped model; the view baselines then
read its views) suggests for each task as a user would get it
(``InferredArchitectureClassifier``, default recipe): "1 child" is the first
favourite (``estimators_[0]``, the child of ``n_candidates=1`` with the same
seed), "ensemble-3" averages the first three members, "ensemble-5" is the
classifier's default. Against the same raw texts: LogisticRegression
(``max_iter=1000``) and MLPClassifier (defaults) on the standardized views
side by side; TF-IDF (1-2 grams, sublinear) + LinearSVC, and what a
scikit-learn user runs on raw texts, ``TfidfVectorizer()`` then
LogisticRegression or MLPClassifier; the recipe study's best fixed network
(``cat-relu256``, trained as ``RelaxedFFNNClassifier``); and a random
search of 30 children of the same space and recipe (a third each of the
paper's sampling, 1-7 and 1-3 layers uniform, as the population), its
winner chosen by validation accuracy. Validation chooses nothing else;
test splits are reported. Rows go to a JSON-lines file (appended; methods
already there are skipped); ``--table`` prints the tables.

    python scripts/unseen_corpus.py results/unseen.jsonl --seeds 0,1,2
    python scripts/unseen_corpus.py results/unseen.jsonl --table
    python scripts/unseen_corpus.py results/foldoc.jsonl --corpus foldoc \
        --n-per-class 100
"""

import argparse
import collections
import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tfidf_baselines import baselines as tfidf_baselines  # noqa: E402

N_RANDOM = 30
FIXED = "cat-relu256"
"""The recipe study's best fixed network on the pretraining tasks' validation."""
SPLITS = ("val", "test")


CORPORA = ("debian", "foldoc")


def tasks(n_tasks, n_per_class, corpus="debian"):
    """The unseen corpus's tasks: Debian package sections or FOLDOC subjects."""
    from skfti.datasets import load_debian_package_tasks, load_foldoc_tasks

    load = {"debian": load_debian_package_tasks, "foldoc": load_foldoc_tasks}[corpus]
    return load(n_tasks, n_samples_per_class=n_per_class, random_state=0)


def _texts(task):
    return {split: list(getattr(task, f"X_{split}")) for split in SPLITS}


def _scores(model, task, X=None):
    """Validation and test accuracy of a fitted model (X: features per split)."""
    X = X or _texts(task)
    return {s: float(model.score(X[s], getattr(task, f"y_{s}"))) for s in SPLITS}


def _proba_scores(probas, classes, task):
    """Validation and test accuracy of class probabilities per split."""
    return {
        s: float(np.mean(classes[probas[s].argmax(1)] == getattr(task, f"y_{s}")))
        for s in SPLITS
    }


def ours(task, seed, model_name):
    """1 child, ensemble-3 and ensemble-5 of the shipped model's favourites."""
    from skfti import InferredArchitectureClassifier

    model = InferredArchitectureClassifier(model_name, random_state=seed)
    model.fit(list(task.X_train), task.y_train)
    X = _texts(task)
    probas = [{s: e.predict_proba(X[s]) for s in SPLITS} for e in model.estimators_]
    out = []
    for name, k in (("ours, 1 child", 1), ("ours, ensemble-3", 3)):
        mean = {s: np.mean([p[s] for p in probas[:k]], 0) for s in SPLITS}
        out.append((name, _proba_scores(mean, model.classes_, task)))
    out.append(("ours, ensemble-5 (default)", _scores(model, task)))
    return out


def baselines(task, seed, model_name):
    """LogisticRegression and MLPClassifier on the views, TF-IDF + LinearSVC."""
    from child_recipe_levers import view_baselines

    import skfti.pretrained
    from skfti.task_views import embed_views

    space = skfti.pretrained.load(model_name).search_space_
    X = {
        split: embed_views(list(getattr(task, f"X_{split}")), space, stack=True)
        for split in ("train", *SPLITS)
    }
    out = []
    for name, model in view_baselines(seed).items():
        model.fit(X["train"], task.y_train)
        out.append((name, _scores(model, task, X)))
    svc = tfidf_baselines()["TF-IDF (1-2 grams, sublinear) + LinearSVC"]
    svc.fit(list(task.X_train), task.y_train)
    out.append(("TF-IDF + LinearSVC", _scores(svc, task)))
    return out


def raw_text_baselines(task, seed, model_name):
    """What a scikit-learn user picks for raw texts: TF-IDF, then LR or MLP."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline

    models = {
        "TF-IDF + LogisticRegression": tfidf_baselines()["TF-IDF + LogisticRegression"],
        "TF-IDF + MLPClassifier": make_pipeline(
            TfidfVectorizer(), MLPClassifier(random_state=seed)
        ),
    }
    out = []
    for name, model in models.items():
        model.fit(list(task.X_train), task.y_train)
        out.append((name, _scores(model, task)))
    return out


def fixed_child(task, seed, model_name, arch):
    """One fixed network of the recipe study, as the classifier trains it."""
    from child_recipe_levers import encoding

    import skfti.pretrained
    from skfti import RelaxedFFNNClassifier
    from skfti.task_views import embedding_modules

    space = skfti.pretrained.load(model_name).search_space_
    child = RelaxedFFNNClassifier(
        encoding(space, arch, task.name),
        embedding_modules=embedding_modules(space),
        random_state=seed,
    )
    child.fit(list(task.X_train), task.y_train)
    return [(f"fixed {arch}", _scores(child, task))]


def random_child(task, seed, model_name, k):
    """Child k of the random search: the population's mix of depths."""
    import skfti.pretrained
    from skfti import ArchitectureEncoding, RelaxedFFNNClassifier
    from skfti.task_views import embedding_modules

    space = skfti.pretrained.load(model_name).search_space_
    rng = np.random.RandomState([seed, k])
    plan = k % 3
    n_active = None if plan == 0 else int(rng.randint(1, 8 if plan == 1 else 4))
    encoding = ArchitectureEncoding.random_one_hot(space, rng, n_active=n_active)
    child = RelaxedFFNNClassifier(
        encoding, embedding_modules=embedding_modules(space), random_state=seed + k
    )
    child.fit(list(task.X_train), task.y_train)
    return [(f"random child {k}", _scores(child, task))]


def run(method, task, seed, model_name, *args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
    warnings.filterwarnings("ignore", module="sklearn")
    rows = method(task, seed, model_name, *args)
    return [
        {"task": task.name, "seed": seed, "method": m, "model": model_name, **s}
        for m, s in rows
    ]


def table(path):
    rows = [json.loads(line) for line in open(path)]
    by = collections.defaultdict(lambda: collections.defaultdict(list))
    for r in rows:
        by[(r["task"], r["seed"])][r["method"]].append(r)
    methods = collections.defaultdict(list)  # method -> [(task, seed, val, test)]
    for (task, seed), got in sorted(by.items()):
        for method, rs in got.items():
            if not method.startswith("random child"):
                methods[method].append((task, seed, rs[0]["val"], rs[0]["test"]))
        children = [rs[0] for m, rs in got.items() if m.startswith("random child")]
        if len(children) == N_RANDOM:
            best = max(children, key=lambda r: r["val"])
            methods[f"random search best-of-{N_RANDOM}"].append(
                (task, seed, best["val"], best["test"])
            )
            methods["median random child"].append(
                (task, seed, np.median([c["val"] for c in children]),
                 np.median([c["test"] for c in children]))
            )  # fmt: skip
    print("| method | validation | test (mean ± sd over seeds) | tasks x seeds |")
    print("|---|---|---|---|")
    for method, rs in methods.items():
        seeds = sorted({s for _, s, _, _ in rs})
        per_seed = [np.mean([t for _, s, _, t in rs if s == seed]) for seed in seeds]
        print(
            f"| {method} | {np.mean([v for *_, v, _ in rs]):.3f} "
            f"| {np.mean(per_seed):.3f} ± {np.std(per_seed):.3f} | "
            f"{len({t for t, *_ in rs})} x {len(seeds)} |"
        )
    print()
    for ours in ("ours, 1 child", "ours, ensemble-5 (default)"):
        ref = {(t, s): te for t, s, _, te in methods.get(ours, [])}
        for other in (
            "LogisticRegression",
            "MLPClassifier",
            "TF-IDF + LogisticRegression",
            "TF-IDF + MLPClassifier",
            f"fixed {FIXED}",
            f"random search best-of-{N_RANDOM}",
        ):
            d = np.array(
                [
                    ref[(t, s)] - te
                    for t, s, _, te in methods.get(other, [])
                    if (t, s) in ref
                ]
            )
            if len(d):
                print(
                    f"{ours} vs {other}: {np.mean(d):+.3f} ({np.sum(d > 0)} wins, "
                    f"{np.sum(d == 0)} ties, {np.sum(d < 0)} losses)"
                )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", help="JSON-lines file (appended to)")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--n-tasks", type=int, default=12)
    parser.add_argument("--n-per-class", type=int, default=200)
    parser.add_argument("--corpus", choices=CORPORA, default="debian")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--no-random-search", action="store_true")
    parser.add_argument(
        "--model",
        default="text-v1",
        help="the shipped model whose suggestions (and views: the baselines "
        "read the same) are evaluated",
    )
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    if args.table:
        table(args.output)
        return
    done = set()
    if os.path.exists(args.output):
        rows = list(map(json.loads, open(args.output)))
        models = {r.get("model", "text-v1") for r in rows}  # older rows: text-v1
        if models - {args.model}:
            raise SystemExit(
                f"{args.output} holds rows of {sorted(models)}, not --model "
                f"{args.model}: write to another file"
            )
        done = {(r["task"], r["seed"], r["method"]) for r in rows}
    from child_recipe_levers import ARCHS

    import skfti.pretrained

    # the fixed network is one of text-v1's space
    space = skfti.pretrained.load(args.model).search_space_
    fixed_fits = ARCHS[FIXED][0] in space.views
    jobs = []
    for task in tasks(args.n_tasks, args.n_per_class, args.corpus):
        for seed in (int(s) for s in args.seeds.split(",")):
            if (task.name, seed, "ours, 1 child") not in done:
                jobs.append((ours, task, seed, args.model))
            if (task.name, seed, "LogisticRegression") not in done:
                jobs.append((baselines, task, seed, args.model))
            if (task.name, seed, "TF-IDF + LogisticRegression") not in done:
                jobs.append((raw_text_baselines, task, seed, args.model))
            if (task.name, seed, f"fixed {FIXED}") not in done and fixed_fits:
                jobs.append((fixed_child, task, seed, args.model, FIXED))
            if args.no_random_search or seed != 0:
                continue
            for k in range(N_RANDOM):
                if (task.name, seed, f"random child {k}") not in done:
                    jobs.append((random_child, task, seed, args.model, k))
    results = Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(
        delayed(run)(*job) for job in jobs
    )
    with open(args.output, "a") as out:
        for rows in results:
            for row in rows:
                out.write(json.dumps(row) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
