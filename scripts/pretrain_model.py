"""Stage 2 of the pretraining: choose, evaluate and export the text value network.

1. Leave-one-family-out (WordNet / fortunes / reviews) Spearman of several
   value-network variants on the stored population (validation scores only);
   the variant with the best mean is kept.
2. With that variant fitted without each family, the suggestions for every
   task of the held-out family are trained (5 candidates, the default child
   recipe, one seed) and scored on the task's test split, next to
   LogisticRegression and MLPClassifier (StandardScaler first) on the same
   features (the concatenated views) and to random search best-of-k drawn
   from the stored population (chosen by validation accuracy).
3. The variant is fitted on every task and written as ``text-v1`` with its
   provenance.

    python scripts/pretrain_model.py --store results/pretrain-text.sqlite \
        --output-dir docs/results/pretrained --n-jobs 2
"""

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pretrain_population import pretraining_text_tasks  # noqa: E402

from skfti import ArchitectureInferrer, ExperimentStore, SearchSpace  # noqa: E402
from skfti.child_recipe import RECIPE_SETTINGS  # noqa: E402
from skfti.datasets import TEXT_VIEWS  # noqa: E402

VARIANTS = {
    "learned / mse": {"meta_features": "learned", "loss": "mse"},
    "learned / ranking": {"meta_features": "learned", "loss": "ranking"},
    "none / mse": {"meta_features": "none", "loss": "mse"},
    "none / ranking": {"meta_features": "none", "loss": "ranking"},
    "both / ranking": {"meta_features": "both", "loss": "ranking"},
    "precomputed / ranking": {"meta_features": "precomputed", "loss": "ranking"},
    # learned from minus the validation log-loss, ranked against the accuracy
    "none / ranking, log-loss": {
        "meta_features": "none",
        "loss": "ranking",
        "score": "neg_log_loss",
    },
    "both / ranking, log-loss": {
        "meta_features": "both",
        "loss": "ranking",
        "score": "neg_log_loss",
    },
}


def family_of(task):
    name = task.name
    if name.startswith("wordnet"):
        return "wordnet"
    if name.startswith("fortunes"):
        return "fortunes"
    return "reviews"


def lofo_spearman(tasks, by_score, params, seed=0):
    """Spearman per held-out task, fitting without the task's family.

    ``by_score`` maps a score name to the tasks' experiments; the value
    network learns from ``params["score"]`` (default accuracy) and is always
    judged on how it ranks the validation accuracies of the held-out tasks.
    """
    params = dict(params)
    experiments = by_score[params.pop("score", "accuracy")]
    judged = by_score["accuracy"]
    out = {}
    for family in sorted({family_of(t) for t in tasks}):
        train = [i for i, t in enumerate(tasks) if family_of(t) != family]
        test = [i for i, t in enumerate(tasks) if family_of(t) == family]
        model = ArchitectureInferrer(
            search_space=SearchSpace(views=TEXT_VIEWS), random_state=seed, **params
        ).fit([tasks[i] for i in train], [experiments[i] for i in train])
        report = model.evaluate([tasks[i] for i in test], [judged[i] for i in test])
        out.update(zip(report["task"], report["spearman"], strict=True))
    return out


def baselines(task, views):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.hstack(views)
    tr, te = task.train_index_, task.test_index_
    out = {}
    for name, model in [
        ("LogisticRegression", LogisticRegression(max_iter=1000)),
        ("MLPClassifier", MLPClassifier(random_state=0)),
    ]:
        pipe = make_pipeline(StandardScaler(), model).fit(X[tr], task.y[tr])
        out[name] = float(pipe.score(X[te], task.y[te]))
    return out


def random_search(records, k, n_draws=50, seed=0):
    """Mean test accuracy of the best-by-validation of k stored children."""
    rng = np.random.RandomState(seed)
    val = np.array([r["val_accuracy"] for r in records])
    test = np.array([r["test_accuracy"] for r in records])
    picks = []
    for _ in range(n_draws):
        idx = rng.choice(len(records), size=min(k, len(records)), replace=False)
        picks.append(test[idx[np.argmax(val[idx])]])
    return float(np.mean(picks))


def suggested_children(model, task, discretize, n_jobs, seed=0):
    """Test accuracies of ours: first suggestion, best-of-3, ensembles of 3, 5."""
    from skfti import InferredArchitectureClassifier

    clf = InferredArchitectureClassifier(
        model,
        n_candidates=5,
        combine="ensemble",
        discretize=discretize,
        n_jobs=n_jobs,
        random_state=seed,
    ).fit(task.X_train, task.y_train)
    X_test = list(task.X_test)
    probas = [e.predict_proba(X_test) for e in clf.estimators_]
    classes = clf.classes_

    def acc(proba):
        return float(np.mean(classes[proba.argmax(1)] == task.y_test))

    val = clf.validation_scores_
    best3 = int(np.argmax(val[:3]))
    X_val = list(task.X_val)
    return {
        "ours (1 child)": acc(probas[0]),
        "ours best-of-3": acc(probas[best3]),
        "ours ensemble-3": acc(np.mean(probas[:3], axis=0)),
        "ours ensemble-5": acc(np.mean(probas, axis=0)),
        "val (1 child)": float(clf.estimators_[0].score(X_val, task.y_val)),
        "val ensemble-3": float(
            np.mean(
                classes[
                    np.mean(
                        [e.predict_proba(X_val) for e in clf.estimators_[:3]], 0
                    ).argmax(1)
                ]
                == task.y_val
            )
        ),
        "encoding": clf.encodings_[0].describe(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", default="results/pretrain-text.sqlite")
    parser.add_argument("--output-dir", default="docs/results/pretrained")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--skip-children", action="store_true")
    parser.add_argument("--name", default="text-v1")
    parser.add_argument(
        "--spearman-json",
        default=None,
        help="reuse the Spearman figures of an earlier run for the variants it holds",
    )
    args = parser.parse_args()
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    tasks = pretraining_text_tasks()
    store = ExperimentStore(args.store)
    experiments = store.experiments(tasks, settings=RECIPE_SETTINGS)
    counts = {t.name: len(e[1]) for t, e in zip(tasks, experiments, strict=True)}
    keep = [i for i, t in enumerate(tasks) if counts[t.name] >= 10]
    tasks = [tasks[i] for i in keep]
    by_score = {
        score: [
            store.experiments(tasks, settings=RECIPE_SETTINGS, score=score)[i]
            for i in range(len(tasks))
        ]
        for score in ("accuracy", "neg_log_loss")
    }
    experiments = by_score["accuracy"]
    print(f"{len(tasks)} tasks, {sum(counts.values())} children", flush=True)

    # 1. choose the variant by leave-one-family-out Spearman
    spearman = {}
    if args.spearman_json:
        spearman = json.loads(Path(args.spearman_json).read_text())
    for name in args.variants:
        if name in spearman:
            continue
        start = time.perf_counter()
        spearman[name] = lofo_spearman(tasks, by_score, VARIANTS[name])
        values = np.array(list(spearman[name].values()))
        print(
            f"{name}: mean Spearman {np.nanmean(values):.3f} "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    means = {k: float(np.nanmean(list(v.values()))) for k, v in spearman.items()}
    chosen = max(means, key=means.get)
    print("chosen:", chosen, flush=True)
    (out / "spearman.json").write_text(json.dumps(spearman, indent=1))
    params = dict(VARIANTS[chosen])
    experiments = by_score[params.pop("score", "accuracy")]

    # 2. the chosen variant's suggestions on held-out families
    rows = []
    if not args.skip_children:
        rows = evaluate_children(tasks, experiments, store, params, args)
        (out / "children.json").write_text(json.dumps(rows, indent=1))

    # 3. the shipped model, fitted on every task
    export(tasks, experiments, params, chosen, means, rows, args)


def evaluate_children(tasks, experiments, store, params, args):
    from skfti.task_views import embed_views

    space = SearchSpace(views=TEXT_VIEWS)
    records = [
        r
        for r in store.to_records()
        if r["status"] == "ok" and r["settings"] == RECIPE_SETTINGS
    ]
    rows = []
    for family in sorted({family_of(t) for t in tasks}):
        train = [i for i, t in enumerate(tasks) if family_of(t) != family]
        model = ArchitectureInferrer(search_space=space, random_state=0, **params).fit(
            [tasks[i] for i in train], [experiments[i] for i in train]
        )
        for task in (t for t in tasks if family_of(t) == family):
            start = time.perf_counter()
            row = {"task": task.name, "family": family}
            for discretize in (True, False):
                tag = "discrete" if discretize else "relaxed"
                result = suggested_children(model, task, discretize, args.n_jobs)
                row.update({f"{k} [{tag}]": v for k, v in result.items()})
            row.update(baselines(task, embed_views(list(task.X), space)))
            mine = [r for r in records if r["task"] == task.name]
            for k in (3, 5, 30):
                row[f"random best-of-{k}"] = random_search(mine, k)
            row["population median"] = float(
                np.median([r["test_accuracy"] for r in mine])
            )
            rows.append(row)
            print(
                json.dumps({k: v for k, v in row.items() if "val" not in k}),
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
    return rows


def export(tasks, experiments, params, chosen, means, rows, args):
    import skfti.pretrained

    model = ArchitectureInferrer(
        search_space=SearchSpace(views=TEXT_VIEWS), random_state=0, **params
    ).fit(tasks, experiments)
    digest = hashlib.sha256()
    for task, (u, v) in zip(tasks, experiments, strict=True):
        digest.update(task.name.encode())
        digest.update(np.ascontiguousarray(u, dtype=np.float64).tobytes())
        digest.update(np.ascontiguousarray(v, dtype=np.float64).tobytes())
    summary = {}
    if rows:
        keys = [
            k for k in rows[0] if k not in ("task", "family") and "encoding" not in k
        ]
        summary = {k: float(np.mean([r[k] for r in rows])) for k in keys}
    provenance = {
        "trained_on": [t.name for t in tasks],
        "families": "WordNet 3.0 supersense glosses, fortunes, Trump tweets, "
        "Amazon fine-food reviews, Rotten Tomatoes snippets (docs/datasets.md)",
        "n_children": int(sum(len(v) for _, v in experiments)),
        "child_settings": RECIPE_SETTINGS,
        "variant": {"name": chosen, **VARIANTS[chosen]},
        "experiments_sha256": digest.hexdigest(),
        "leave_one_family_out_spearman": means,
        "leave_one_family_out_test_accuracy": summary,
        "built_with": "scripts/pretrain.sh",
    }
    skfti.pretrained.save(model, args.name, provenance=provenance)
    print("saved", args.name, "trained on", len(tasks), "tasks")


if __name__ == "__main__":
    main()
