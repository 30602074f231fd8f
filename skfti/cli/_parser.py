"""The ``skfti`` command line's arguments: one parser, no behaviour.

:func:`build_parser` declares every subcommand and its options; each
subcommand's name is ``args.command``, which :mod:`skfti.__main__` maps to
the function that runs it. Bad values are the parser's errors, one line
(:class:`~skfti.cli._arguments.OneLineParser`).
"""

from skfti.cli._arguments import (
    OneLineParser,
    job_count,
    positive_float,
    positive_int,
    suggestion_count,
)
from skfti.datasets import FAMILY_NAMES
from skfti.pretrained import DEFAULT_MODELS

__all__ = ["build_parser"]


def _family_args(parser):
    parser.add_argument(
        "--family",
        default="wordnet",
        choices=list(FAMILY_NAMES),
        help="task family (default: %(default)s)",
    )
    parser.add_argument(
        "--n-tasks",
        type=positive_int,
        default=8,
        help="tasks of the family (default: %(default)s)",
    )
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
        "--tol",
        type=float,
        default=R["tol"],
        help="least fall of the hold-out loss that counts as progress for "
        "--patience (default %(default)s; 0 is the pretraining populations' rule)",
    )
    parser.add_argument(
        "--refit",
        choices=list(REFIT_CHOICES),
        default=next(k for k, v in REFIT_CHOICES.items() if v == R["refit"]),
        help="after early stopping, retrain on the held-out rows too and "
        "average the two networks' probabilities ('average'), keep the "
        "retrained one ('last'), or do not retrain ('none'; default %(default)s)",
    )


REFIT_CHOICES = {"average": "average", "last": True, "none": False}
"""``--refit`` words and the ``refit`` setting each one means."""


def _dropout(text):
    """``--dropout``: a number or 'auto'."""
    return text if text == "auto" else float(text)


def _inferrer_args(parser):
    parser.add_argument(
        "--meta-features",
        default=None,
        choices=["learned", "precomputed", "both", "none"],
        help="default: ArchitectureInferrer's",
    )
    parser.add_argument(
        "--vn-learning-rate",
        type=positive_float,
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
        help=f"pretrained model (default: {DEFAULT_MODELS['text']} for text, "
        f"{DEFAULT_MODELS['numeric']} for numeric data); see "
        "skfti.pretrained.available()",
    )
    model.add_argument(
        "--inferrer",
        metavar="FILE",
        help="your own fitted inferrer (skfti fit --output FILE)",
    )
    suggest.add_argument(
        "--top-k",
        type=suggestion_count,
        default=5,
        help="number of suggestions (and of networks trained; default 5, at "
        "most 10,000)",
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

    _suggest_parser(sub)

    evaluate = sub.add_parser(
        "evaluate", help="leave-one-task-out evaluation into a Markdown report"
    )
    _family_args(evaluate)  # the defaults of populate, so they meet in a store
    _child_args(evaluate)
    _inferrer_args(evaluate)
    evaluate.add_argument("--store", required=True)
    evaluate.add_argument("--output-dir", default="skfti_report")
    evaluate.add_argument("--n-seeds", type=positive_int, default=3)
    evaluate.add_argument("--n-random", type=int, default=10)
    evaluate.add_argument("--n-rl", type=int, default=10)
    evaluate.add_argument("--n-jobs", type=job_count, default=2)
    return parser
