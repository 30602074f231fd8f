"""The ``skfti`` command line: demo, populate, fit, suggest, evaluate.

Run ``skfti COMMAND --help`` for the options of each command. On a user's
own file: ``skfti suggest my.csv --target label --train --output model.joblib``
(:mod:`skfti.cli`). A problem with the file prints one line and exits with
status 2.
"""

import json
import os
import sys
import time

from skfti.cli._arguments import check_suggest_options
from skfti.cli._parser import REFIT_CHOICES, build_parser
from skfti.datasets import DataFileError, load_family

__all__ = ["main"]


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
        "tol": args.tol,
        "refit": REFIT_CHOICES[args.refit],
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
    check_store_to_write(args.store, tasks, space)
    print(json.dumps(_populate(args, tasks, space)))


def _excluded(tasks, names):
    """The tasks without those named; DataFileError for an unknown name or none left."""
    unknown = sorted(set(names) - {t.name for t in tasks})
    if unknown:
        raise DataFileError(
            f"--exclude {', '.join(unknown)}: no such task (tasks: "
            f"{', '.join(t.name for t in tasks)})"
        )
    kept = [t for t in tasks if t.name not in names]
    if not kept:
        raise DataFileError("--exclude leaves no task to fit the value network on")
    return kept


def cmd_fit(args):
    from skfti.cli._notes import warnings_as_notes
    from skfti.cli._outputs import check_output_path
    from skfti.cli._populate import feature_map, save_inferrer
    from skfti.cli._stores import recorded_experiments

    check_output_path(args.output, "--output")
    tasks, space, kind = _tasks(args)
    if args.exclude:
        tasks = _excluded(tasks, args.exclude)
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


COMMANDS = {
    "demo": cmd_demo,
    "populate": cmd_populate,
    "fit": cmd_fit,
    "suggest": cmd_suggest,
    "evaluate": cmd_evaluate,
}
"""What each subcommand of :func:`~skfti.cli._parser.build_parser` runs."""


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
        return COMMANDS[args.command](args) or 0
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
