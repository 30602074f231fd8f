"""The ``skfti`` command line: demo, populate, fit, suggest, evaluate.

Run ``skfti COMMAND --help`` for the options of each command.
"""

import argparse
import json
import os
import sys

from skfti.datasets import FAMILY_NAMES, load_family

__all__ = ["main"]


def _family_args(parser, default_family="wordnet", n_tasks=8):
    parser.add_argument(
        "--family",
        default=default_family,
        choices=list(FAMILY_NAMES),
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
    from skfti.evaluation import run_study

    tasks, space = load_family(args.family, args.n_tasks, args.seed)
    run_study(
        tasks,
        space,
        args.store,
        _inferrer(space, args),
        settings=_settings(args),
        output_dir=args.output_dir,
        family=args.family,
        n_seeds=args.n_seeds,
        n_random=args.n_random,
        n_rl=args.n_rl,
        n_jobs=args.n_jobs,
    )


def cmd_demo(args):
    """Offline phase, then online phase on held-out tasks, with a comparison."""
    from skfti.evaluation import run_demo

    tasks, space = load_family(args.family, args.n_tasks, args.seed)
    run_demo(
        tasks,
        space,
        args.store,
        _inferrer(space, args),
        settings=_settings(args),
        family=args.family,
        n_held_out=args.n_held_out,
        n_architectures=args.n_architectures,
        n_rl=args.n_rl,
        n_jobs=args.n_jobs,
        random_state=args.seed,
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
