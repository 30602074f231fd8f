"""The ``skfti`` command line: demo, populate, fit, suggest, evaluate.

Run ``skfti COMMAND --help`` for the options of each command.
"""

import argparse
import json
import os
import sys
import time

__all__ = ["main"]

TEXT_VIEWS = ("glove50", "use512", "hashed256")


def load_family(name, n_tasks, seed):
    """Tasks of a named family and the search space that suits them."""
    from skfti import SearchSpace
    from skfti.datasets import (
        load_fortune_tasks,
        load_review_tasks,
        load_tabular_tasks,
        load_wordnet_tasks,
        make_task_family,
    )

    text_space = SearchSpace(views=TEXT_VIEWS)
    if name == "wordnet":
        tasks = load_wordnet_tasks(
            n_tasks, n_classes=4, n_samples_per_class=150, random_state=seed
        )
        return tasks, text_space
    if name == "fortunes":
        return load_fortune_tasks(n_tasks, random_state=seed), text_space
    if name == "reviews":
        return load_review_tasks(random_state=seed)[:n_tasks], text_space
    if name == "text":  # the evaluation family: WordNet + fortunes + reviews
        reviews = load_review_tasks(max_samples=1000, random_state=seed)
        n_rest = max(0, n_tasks - len(reviews))
        n_wordnet = (n_rest + 1) // 2
        tasks = (
            load_wordnet_tasks(
                n_wordnet, n_classes=4, n_samples_per_class=150, random_state=seed
            )
            + load_fortune_tasks(n_rest - n_wordnet, random_state=seed)
            + reviews
        )
        return tasks[:n_tasks], text_space
    if name == "synthetic":
        tasks = make_task_family(n_tasks, n_samples=400, random_state=seed)
        return tasks, SearchSpace()
    if name == "tabular":
        return load_tabular_tasks()[:n_tasks], SearchSpace()
    raise ValueError(f"unknown family {name!r}")


def _family_args(parser, default_family="wordnet", n_tasks=8):
    parser.add_argument(
        "--family",
        default=default_family,
        choices=["wordnet", "fortunes", "reviews", "text", "synthetic", "tabular"],
        help="task family (default: %(default)s)",
    )
    parser.add_argument("--n-tasks", type=int, default=n_tasks)
    parser.add_argument("--seed", type=int, default=0, help="random seed")


def _child_args(parser, learning_rate=1e-3):
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=learning_rate,
        help="child Adam step size (default %(default)s; the paper's 1e-4 "
        "undertrains tasks of a few hundred samples)",
    )


def _settings(args):
    return {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
    }


def _inferrer(space, args):
    from skfti import ArchitectureInferrer

    return ArchitectureInferrer(
        search_space=space,
        meta_features=getattr(args, "meta_features", "learned"),
        optimizer="sgd",
        learning_rate=args.vn_learning_rate,
        n_steps=args.vn_steps,
        random_state=args.seed,
    )


def _inferrer_args(parser):
    parser.add_argument(
        "--meta-features",
        default="learned",
        choices=["learned", "precomputed", "both", "none"],
    )
    parser.add_argument(
        "--vn-learning-rate",
        type=float,
        default=1e-2,
        help="value-network SGD step size, momentum 0.5 (default %(default)s; "
        "the paper's 1e-4 needs far more steps)",
    )
    parser.add_argument("--vn-steps", type=int, default=3000)


def _populate(args, tasks, space):
    from skfti import generate_population

    return generate_population(
        tasks,
        args.n_architectures,
        store=args.store,
        search_space=space,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        verbose=1,
        **_settings(args),
    )


def cmd_populate(args):
    tasks, space = load_family(args.family, args.n_tasks, args.seed)
    print(json.dumps(_populate(args, tasks, space)))


def cmd_fit(args):
    import joblib

    from skfti import ExperimentStore

    tasks, space = load_family(args.family, args.n_tasks, args.seed)
    if args.exclude:
        tasks = [t for t in tasks if t.name not in args.exclude]
    with ExperimentStore(args.store, search_space=space) as store:
        experiments = store.experiments(tasks, settings=_settings(args))
    inferrer = _inferrer(space, args).set_params(verbose=1)
    inferrer.fit(tasks, experiments)
    joblib.dump(inferrer, args.output)
    print(f"value network fitted on {len(tasks)} tasks, saved to {args.output}")


def cmd_suggest(args):
    import joblib

    inferrer = joblib.load(args.inferrer)
    tasks, _ = load_family(args.family, args.n_tasks, args.seed)
    task = {t.name: t for t in tasks}.get(args.task)
    if task is None:
        raise SystemExit(
            f"unknown task {args.task!r}; tasks: {', '.join(t.name for t in tasks)}"
        )
    suggestion = inferrer.suggest(
        task.X_train, task.y_train, discretize=args.discretize
    )
    print(suggestion.encoding.describe())
    print(f"predicted normalized accuracy: {suggestion.predicted_value:.3f}")
    if args.json:
        with open(args.json, "w") as f:
            f.write(suggestion.encoding.to_json())


def cmd_evaluate(args):
    from skfti import ExperimentStore
    from skfti import evaluation as ev

    start = time.perf_counter()
    tasks, space = load_family(args.family, args.n_tasks, args.seed)
    settings = _settings(args)
    with ExperimentStore(args.store, search_space=space) as store:
        experiments = store.experiments(tasks, settings=settings)
        table = ev.experiment_table(store, tasks, settings)
    inferrer = _inferrer(space, args)
    seeds = list(range(args.n_seeds))
    print("predictive performance (Tables 2 and 3)...", flush=True)
    prediction = ev.predictive_performance(
        tasks, experiments, inferrer, seeds=seeds, n_jobs=args.n_jobs
    )
    print("architecture search (Table 4)...", flush=True)
    search = ev.architecture_search(
        tasks,
        experiments,
        table,
        inferrer,
        settings=settings,
        seeds=seeds,
        n_random=args.n_random,
        n_rl=args.n_rl,
        n_jobs=args.n_jobs,
    )
    print("training-task curve and task embeddings...", flush=True)
    held_out = tasks[0].name
    sizes = sorted({n for n in (1, 2, 4, 8, len(tasks) - 1) if n < len(tasks)})
    curve = ev.training_tasks_curve(
        tasks, experiments, inferrer, held_out, sizes=sizes, n_orderings=3
    )
    # Maps of the embeddings from a value network that never saw the held-out
    # task (black stars), as in the paper's supplementary Figs. 2 and 3.
    train = [k for k, t in enumerate(tasks) if t.name != held_out]
    fitted = inferrer.fit([tasks[k] for k in train], [experiments[k] for k in train])
    embedding = ev.task_embedding_points(fitted, tasks, n_batches=10)
    header = (
        f"Family `{args.family}`: {len(tasks)} tasks, "
        f"{sum(len(s) for _, s in experiments)} children "
        f"({settings}); value network seeds {seeds}; "
        f"wall time {time.perf_counter() - start:.0f} s."
    )
    ev.write_report(
        args.output_dir,
        prediction_rows=prediction,
        search_rows=search,
        curve_rows=curve,
        embedding=embedding,
        held_out_for_maps=held_out,
        header=header,
    )
    with open(os.path.join(args.output_dir, "rows.json"), "w") as f:
        json.dump({"prediction": prediction, "search": search, "curve": curve}, f)
    print(f"report written to {os.path.join(args.output_dir, 'report.md')}")


def cmd_demo(args):
    """Offline phase, then online phase on held-out tasks, with a comparison."""
    import numpy as np

    from skfti import ExperimentStore
    from skfti import evaluation as ev

    start = time.perf_counter()
    tasks, space = load_family(args.family, args.n_tasks, args.seed)
    held_out = tasks[-args.n_held_out :]
    print(
        f"1/4 {len(tasks)} {args.family} tasks ({len(held_out)} held out), "
        f"search space: {space.n_layers} layers x {space.n_base} base layers, "
        f"views {space.views}; store {args.store}",
        flush=True,
    )
    settings = _settings(args)
    summary = _populate(args, tasks, space)
    print(
        f"2/4 population: {summary['trained']} children trained, "
        f"{summary['skipped']} found in the store, {summary['failed']} failed "
        f"({summary['seconds']:.0f} s)",
        flush=True,
    )
    with ExperimentStore(args.store) as store:
        experiments = store.experiments(tasks, settings=settings)
        table = ev.experiment_table(store, tasks, settings)
    inferrer = _inferrer(space, args)
    rows = ev.architecture_search(
        tasks,
        experiments,
        table,
        inferrer,
        settings=settings,
        seeds=[args.seed],
        n_random=10,
        n_rl=args.n_rl,
        n_jobs=1,
        held_out=[t.name for t in held_out],
    )
    print("3/4 value network fitted on the other tasks; architectures suggested")
    print("4/4 test accuracy on the held-out tasks:\n")
    methods = list(dict.fromkeys(r["method"] for r in rows))
    width = max(len(m) for m in methods) + 2
    header = f"{'method':{width}s}" + "".join(f"{t.name:>20s}" for t in held_out)
    print(header + f"{'children trained':>18s}")
    for method in methods:
        cells = {r["task"]: r for r in rows if r["method"] == method}
        line = f"{method:{width}s}" + "".join(
            f"{cells[t.name]['test_accuracy']:20.3f}" if t.name in cells else " " * 20
            for t in held_out
        )
        trained = np.mean([c["children_trained"] for c in cells.values()])
        print(line + f"{trained:18.0f}")
    for r in rows:
        if r["method"].startswith("ours"):
            print(f"  {r['task']} {r['method']}: {r['architecture']}")
    print(
        f"\ndone in {time.perf_counter() - start:.0f} s; rerun to resume from "
        f"{args.store}"
    )


def build_parser():
    parser = argparse.ArgumentParser(
        prog="skfti", description="Fast task-aware architecture inference."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo",
        help="the whole method on a small real task family, in a few minutes",
        description="Build a small WordNet task family offline, train a random "
        "child population into a local SQLite store (resumable), fit the value "
        "network, suggest architectures for held-out tasks, train them and "
        "compare with baselines.",
    )
    _family_args(demo)
    _child_args(demo)
    _inferrer_args(demo)
    demo.add_argument("--store", default="skfti_demo.sqlite")
    demo.add_argument("--n-architectures", type=int, default=30)
    demo.add_argument("--n-held-out", type=int, default=2)
    demo.add_argument("--n-rl", type=int, default=10)
    demo.add_argument("--n-jobs", type=int, default=2)
    demo.set_defaults(func=cmd_demo)

    populate = sub.add_parser("populate", help="train a child population")
    _family_args(populate)
    _child_args(populate)
    populate.add_argument("--store", required=True)
    populate.add_argument("--n-architectures", type=int, default=150)
    populate.add_argument("--n-jobs", type=int, default=2)
    populate.set_defaults(func=cmd_populate)

    fit = sub.add_parser("fit", help="fit the value network on a store")
    _family_args(fit)
    _child_args(fit)
    _inferrer_args(fit)
    fit.add_argument("--store", required=True)
    fit.add_argument("--exclude", nargs="*", default=[], help="tasks to hold out")
    fit.add_argument("--output", default="inferrer.joblib")
    fit.set_defaults(func=cmd_fit)

    suggest = sub.add_parser("suggest", help="suggest an architecture for a task")
    _family_args(suggest)
    suggest.add_argument("--inferrer", default="inferrer.joblib")
    suggest.add_argument("--task", required=True)
    suggest.add_argument("--discretize", action="store_true")
    suggest.add_argument("--json", help="write the encoding's JSON here")
    suggest.set_defaults(func=cmd_suggest)

    evaluate = sub.add_parser(
        "evaluate", help="leave-one-task-out evaluation into a Markdown report"
    )
    _family_args(evaluate, default_family="text", n_tasks=12)
    _child_args(evaluate)
    _inferrer_args(evaluate)
    evaluate.add_argument("--store", required=True)
    evaluate.add_argument("--output-dir", default="skfti_report")
    evaluate.add_argument("--n-seeds", type=int, default=3)
    evaluate.add_argument("--n-random", type=int, default=10)
    evaluate.add_argument("--n-rl", type=int, default=10)
    evaluate.add_argument("--n-jobs", type=int, default=2)
    evaluate.set_defaults(func=cmd_evaluate)
    return parser


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    args = build_parser().parse_args(argv)
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
