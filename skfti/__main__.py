"""The ``skfti`` command line: demo, populate, fit, suggest, evaluate.

Run ``skfti COMMAND --help`` for the options of each command. On a user's
own file: ``skfti suggest my.csv --target label --train --output model.joblib``
(:mod:`skfti.cli`). A problem with the file prints one line and exits with
status 2.
"""

import argparse
import json
import os
import sys
import time

from skfti.cli._arguments import (
    OneLineParser,
    check_suggest_options,
    job_count,
    positive_int,
)
from skfti.datasets import FAMILY_NAMES, DataFileError, load_family

__all__ = ["main"]


def _family_args(parser, default_family="wordnet", n_tasks=8):
    parser.add_argument(
        "--family",
        default=default_family,
        choices=list(FAMILY_NAMES),
        help="task family (default: %(default)s)",
    )
    parser.add_argument("--n-tasks", type=positive_int, default=n_tasks)
    parser.add_argument("--seed", type=int, default=0, help="random seed")


def _child_args(parser):
    from skfti.child_recipe import RECIPE_SETTINGS as R

    parser.add_argument(
        "--epochs", type=positive_int, default=R["epochs"], help="maximum"
    )
    parser.add_argument("--batch-size", type=positive_int, default=R["batch_size"])
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=R["learning_rate"],
        help="child Adam step size (default %(default)s; the paper's 1e-4 "
        "undertrains tasks of a few hundred samples)",
    )
    parser.add_argument("--weight-decay", type=float, default=R["weight_decay"])
    parser.add_argument(
        "--dropout",
        type=_dropout,
        default=R["dropout"],
        help="dropout rate of every dense layer's input, or 'auto': 0.2 for "
        "texts, 0 for numeric data (default %(default)s)",
    )
    parser.add_argument(
        "--patience",
        type=positive_int,
        default=R["n_iter_no_change"],
        help="early-stopping patience in epochs (default %(default)s)",
    )
    parser.add_argument(
        "--refit",
        action=argparse.BooleanOptionalAction,
        default=R["refit"],
        help="after early stopping, retrain on the held-out rows too "
        "(default %(default)s)",
    )


def _dropout(text):
    """``--dropout``: a number or 'auto'."""
    return text if text == "auto" else float(text)


def _settings(args, tasks):
    """The complete child settings (the store keys experiments by all of them)."""
    from skfti.child_recipe import check_settings, texts_of

    settings = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "weight_decay": args.weight_decay,
        "dropout": args.dropout,
        "n_iter_no_change": args.patience,
        "refit": args.refit,
    }
    try:
        return check_settings(settings, text=texts_of(tasks))
    except ValueError as exc:  # e.g. --learning-rate 0
        raise DataFileError(f"bad child setting: {exc}") from None


def _inferrer(space, args):
    from skfti import ArchitectureInferrer

    given = {
        "meta_features": getattr(args, "meta_features", None),
        "learning_rate": args.vn_learning_rate,
        "n_steps": args.vn_steps,
    }
    return ArchitectureInferrer(
        search_space=space,
        random_state=args.seed,
        **{k: v for k, v in given.items() if v is not None},
    )


def _inferrer_args(parser):
    parser.add_argument(
        "--meta-features",
        default=None,
        choices=["learned", "precomputed", "both", "none"],
        help="default: ArchitectureInferrer's",
    )
    parser.add_argument(
        "--vn-learning-rate",
        type=float,
        default=None,
        help="value-network step size (default: ArchitectureInferrer's; the "
        "paper's 1e-4 needs far more steps)",
    )
    parser.add_argument(
        "--vn-steps",
        type=positive_int,
        default=None,
        help="default: ArchitectureInferrer's",
    )


def _populate(args, tasks, space):
    from skfti import generate_population

    return generate_population(
        tasks,
        args.n_architectures,
        store=args.store,
        search_space=space,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        verbose=0 if getattr(args, "quiet", False) else 1 + getattr(args, "verbose", 0),
        **_settings(args, tasks),
    )


def _tasks(args):
    """``(tasks, search_space, kind)`` of ``--data`` files or of ``--family``."""
    if getattr(args, "data", None):
        from skfti.cli._populate import load_file_tasks

        if args.target is None:
            raise DataFileError("--data needs --target COLUMN (the labels)")
        return load_file_tasks(args)
    tasks, space = load_family(args.family, args.n_tasks, args.seed)
    return tasks, space, "numeric" if space.is_numeric else "text"


def cmd_populate(args):
    from skfti.cli._stores import check_store_to_write

    check_store_to_write(args.store)
    tasks, space, _ = _tasks(args)
    print(json.dumps(_populate(args, tasks, space)))


def cmd_fit(args):
    from skfti.cli._notes import warnings_as_notes
    from skfti.cli._outputs import check_output_path
    from skfti.cli._populate import feature_map, save_inferrer
    from skfti.cli._stores import recorded_experiments

    check_output_path(args.output, "--output")
    tasks, space, kind = _tasks(args)
    if args.exclude:
        tasks = [t for t in tasks if t.name not in args.exclude]
    settings = _settings(args, tasks)
    experiments = recorded_experiments(args.store, tasks, space, settings)
    inferrer = _inferrer(space, args).set_params(
        verbose=0 if args.quiet else 1, feature_map=feature_map(kind, args.seed)
    )
    with warnings_as_notes("skfti fit"):
        inferrer.fit(tasks, experiments)
    save_inferrer(inferrer, args.output, tasks, settings)
    print(f"value network fitted on {len(tasks)} tasks, saved to {args.output}")


def cmd_suggest(args):
    if args.data is not None and args.target is None:
        raise DataFileError("suggest DATA needs --target COLUMN (the labels)")
    check_suggest_options(args)
    if args.data is not None:
        from skfti.cli._suggest import run_suggest

        return run_suggest(args)
    if args.task is None:
        raise DataFileError(
            "pass a data file (skfti suggest my.csv --target label) or a task of "
            "a family (--family wordnet --task NAME)"
        )
    from skfti.cli._suggest_task import suggest_for_family_task

    return suggest_for_family_task(args)


def cmd_evaluate(args):
    from skfti.cli._stores import recorded_experiments
    from skfti.evaluation import run_study

    tasks, space = load_family(args.family, args.n_tasks, args.seed)
    recorded_experiments(args.store, tasks, space, _settings(args, tasks))
    run_study(
        tasks,
        space,
        args.store,
        _inferrer(space, args),
        settings=_settings(args, tasks),
        output_dir=args.output_dir,
        family=args.family,
        n_seeds=args.n_seeds,
        n_random=args.n_random,
        n_rl=args.n_rl,
        n_jobs=args.n_jobs,
    )


def cmd_demo(args):
    """Offline phase, then online phase on held-out tasks, with a comparison."""
    from skfti.cli._stores import check_store_to_write
    from skfti.evaluation import run_demo

    check_store_to_write(args.store)
    tasks, space = load_family(args.family, args.n_tasks, args.seed)
    run_demo(
        tasks,
        space,
        args.store,
        _inferrer(space, args),
        settings=_settings(args, tasks),
        family=args.family,
        n_held_out=args.n_held_out,
        n_architectures=args.n_architectures,
        n_rl=args.n_rl,
        n_jobs=args.n_jobs,
        random_state=args.seed,
    )


def _verbosity_args(parser):
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="progress details (-vv: also the traceback of an error)",
    )
    group.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


def _data_args(parser, nargs):
    if nargs == "+":
        parser.add_argument(
            "--data",
            nargs="+",
            metavar="FILE",
            help="your own labelled files (CSV, TSV, JSON Lines, Parquet), one "
            "task per file named by its stem; replaces --family",
        )
        parser.add_argument("--target", help="the label column of the --data files")
    else:
        parser.add_argument(
            "data",
            nargs="?",
            metavar="DATA",
            help="your labelled file: .csv, .tsv, .jsonl or .parquet",
        )
        parser.add_argument("--target", metavar="COLUMN", help="the label column")
    parser.add_argument(
        "--text-column",
        nargs="+",
        metavar="COLUMN",
        help="the text column(s), joined with a space when several (default: "
        "the one string column that is not categorical; none: numeric data)",
    )
    parser.add_argument(
        "--format",
        help="csv, tsv, jsonl or parquet (default: from the file's extension)",
    )
    parser.add_argument(
        "--dropna",
        action="store_true",
        help="drop rows with a missing label, text or number instead of stopping",
    )


def _suggest_parser(sub):
    from skfti.datasets._files import MAX_CATEGORIES

    suggest = sub.add_parser(
        "suggest",
        help="suggest an architecture for your data file (or a family's task)",
        description="Suggest a network architecture for a labelled data file, "
        "with a pretrained value network and no training (about a second plus "
        "the time to read and embed the data); --train also trains it and "
        "compares it with LogisticRegression and MLPClassifier on a held-out "
        "split. Text data uses its text column(s); numeric data its numeric "
        f"columns, with string columns of at most {MAX_CATEGORIES} distinct "
        "values (and at most half as many as rows) one-hot encoded. Example: "
        "skfti suggest my.csv --target label --train --output model.joblib",
    )
    _data_args(suggest, "?")
    model = suggest.add_mutually_exclusive_group()
    model.add_argument(
        "--model",
        help="pretrained model (default: text-v1 for text, tabular-v1 for "
        "numeric data); see skfti.pretrained.available()",
    )
    model.add_argument(
        "--inferrer",
        metavar="FILE",
        help="your own fitted inferrer (skfti fit --output FILE)",
    )
    suggest.add_argument(
        "--top-k",
        type=int,
        default=5,
        help="number of suggestions (and of networks trained; default 5)",
    )
    suggest.add_argument(
        "--train",
        action="store_true",
        help="train the suggestion(s) and compare on a held-out split",
    )
    suggest.add_argument(
        "--combine",
        choices=["ensemble", "best"],
        help="with --top-k > 1: average the networks (default) or keep the best",
    )
    suggest.add_argument(
        "--test-size",
        type=float,
        help="with --train: the held-out fraction, stratified (default 0.2)",
    )
    suggest.add_argument(
        "--output",
        metavar="FILE",
        help="with --train: save the fitted Pipeline (raw rows in, labels out) "
        "with joblib",
    )
    suggest.add_argument(
        "--n-jobs", type=job_count, default=1, help="networks in parallel"
    )
    suggest.add_argument("--seed", type=int, default=0, help="random seed")
    suggest.add_argument("--json", help="write the best encoding's JSON here")
    _verbosity_args(suggest)
    family = suggest.add_argument_group("a task of a built-in family instead")
    family.add_argument("--family", default="wordnet", choices=list(FAMILY_NAMES))
    family.add_argument("--n-tasks", type=positive_int, default=8)
    family.add_argument("--task")
    family.add_argument(
        "--relaxed",
        action="store_true",
        help="the gradient ascent's relaxed encoding (the paper's) instead of a "
        "discrete network",
    )
    family.add_argument(
        "--discretize",
        action="store_true",
        help="discrete networks: the default, and always so for a data file; "
        "kept for old scripts",
    )
    suggest.set_defaults(func=cmd_suggest)
    return suggest


def build_parser():
    parser = OneLineParser(
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
    demo.add_argument("--n-architectures", type=positive_int, default=30)
    demo.add_argument("--n-held-out", type=int, default=2)
    demo.add_argument("--n-rl", type=int, default=10)
    demo.add_argument("--n-jobs", type=job_count, default=2)
    demo.set_defaults(func=cmd_demo)

    populate = sub.add_parser(
        "populate",
        help="train a child population (on a family or on --data files)",
    )
    _family_args(populate)
    _child_args(populate)
    _data_args(populate, "+")
    populate.add_argument("--store", required=True)
    populate.add_argument("--n-architectures", type=positive_int, default=150)
    populate.add_argument("--n-jobs", type=job_count, default=2)
    _verbosity_args(populate)
    populate.set_defaults(func=cmd_populate)

    fit = sub.add_parser(
        "fit",
        help="fit the value network on a store (of a family or of --data files)",
    )
    _family_args(fit)
    _child_args(fit)
    _inferrer_args(fit)
    _data_args(fit, "+")
    fit.add_argument("--store", required=True)
    fit.add_argument("--exclude", nargs="*", default=[], help="tasks to hold out")
    fit.add_argument(
        "--output",
        default="inferrer.joblib",
        help="joblib file, or .json for skfti's pickle-free model format "
        "(default %(default)s)",
    )
    _verbosity_args(fit)
    fit.set_defaults(func=cmd_fit)

    _suggest_parser(sub)

    evaluate = sub.add_parser(
        "evaluate", help="leave-one-task-out evaluation into a Markdown report"
    )
    _family_args(evaluate, default_family="text", n_tasks=12)
    _child_args(evaluate)
    _inferrer_args(evaluate)
    evaluate.add_argument("--store", required=True)
    evaluate.add_argument("--output-dir", default="skfti_report")
    evaluate.add_argument("--n-seeds", type=positive_int, default=3)
    evaluate.add_argument("--n-random", type=int, default=10)
    evaluate.add_argument("--n-rl", type=int, default=10)
    evaluate.add_argument("--n-jobs", type=job_count, default=2)
    evaluate.set_defaults(func=cmd_evaluate)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status (2 for a bad data file).

    A problem with the user's data, model or arguments is one line on stderr
    (``skfti: error: ...``) and status 2, never a traceback.
    """
    start = time.perf_counter()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    args = build_parser().parse_args(argv)
    args.start_time = start
    verbose = getattr(args, "verbose", 0)
    try:
        return args.func(args) or 0
    except (DataFileError, ImportError) as exc:
        if verbose >= 2:
            raise
        _error(exc)
        return 2
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (``skfti suggest ... | head -1``): stop quietly,
        # with the shell's status for SIGPIPE; stdout goes nowhere from here
        # so the flush at exit raises nothing (Python docs, "Note on SIGPIPE").
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _error(message):
    line = " ".join(str(message).split()) or "unknown error"
    print(f"skfti: error: {line}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
