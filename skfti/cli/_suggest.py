"""``skfti suggest DATA --target COLUMN [--train]``: a user's file, end to end.

Everything about the file is checked first (:mod:`skfti.datasets._files`),
then the model is found and checked, then the data embedded and the
architecture suggested, on NumPy: no TensorFlow import until ``--train``.
"""

import math
import os
import sys
import threading
import time
import warnings
from contextlib import contextmanager

import numpy as np

from skfti._inferrer_search import suggestion_list
from skfti.cli._models import (
    check_compatible,
    check_model_source,
    describe_source,
    load_inferrer,
    model_data_kind,
)
from skfti.cli._outputs import check_output_path
from skfti.datasets import DataFileError
from skfti.datasets._files import make_column_encoder, prepare_table, read_table
from skfti.task_views import stacked_views


def _say(args, text):
    print(text, flush=True)


def seconds_since_start(fallback):
    """Seconds since this process started (Linux), else since ``fallback``."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - fallback


def _min_per_class(args):
    if not args.train:
        return 2
    return max(2, math.ceil(1 / args.test_size))


def check_split(y, test_size, seed, where):
    """Train and test row indices of a stratified split, or DataFileError."""
    from sklearn.model_selection import train_test_split

    if not 0 < test_size < 1:
        raise DataFileError(f"--test-size must be in (0, 1), got {test_size}")
    try:
        return train_test_split(
            np.arange(len(y)), test_size=test_size, stratify=y, random_state=seed
        )
    except ValueError as exc:
        raise DataFileError(
            f"{where}: cannot make a stratified test split of {test_size:g}: {exc}"
        ) from None


def _rows(X, index):
    if hasattr(X, "iloc"):
        return X.iloc[index].reset_index(drop=True)
    return [X[i] for i in index]


@contextmanager
def ticker(desc, enabled):
    """A one-line progress indication on stderr: what runs and for how long."""
    if not enabled:
        yield
        return
    if not sys.stderr.isatty():
        print(f"{desc} ...", file=sys.stderr, flush=True)
        yield
        return
    from tqdm.auto import tqdm

    bar = tqdm(desc=desc, bar_format="{desc}: {elapsed}", file=sys.stderr)
    stop = threading.Event()

    def tick():
        while not stop.wait(1.0):
            bar.refresh()

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        bar.close()


def _suggest(inferrer, X, y, k):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        encodings, values = suggestion_list(inferrer, X, y, k)
    notes = [str(w.message) for w in caught if "distinct" in str(w.message)]
    return encodings, values, notes


def run_suggest(args):
    """The own-data path of ``skfti suggest``; returns the exit status."""
    start = getattr(args, "start_time", None) or time.perf_counter()
    where = args.data
    if args.train and not 0 < args.test_size < 1:
        raise DataFileError(f"--test-size must be in (0, 1), got {args.test_size}")
    check_output_path(args.json, "--json")
    check_output_path(args.output, "--output")
    frame = read_table(args.data, args.format)
    data = prepare_table(
        frame,
        args.target,
        text_column=args.text_column,
        dropna=args.dropna,
        min_per_class=_min_per_class(args),
        name=where,
        kind=model_data_kind(args.model, args.inferrer),
    )
    split = (
        check_split(data.y, args.test_size, args.seed, where) if args.train else None
    )
    source = check_model_source(args.model, args.inferrer, data.kind)
    t_read = time.perf_counter() - start
    inferrer = load_inferrer(source)
    check_compatible(inferrer, data, source[1])

    _say(args, f"{where}: {data.describe()}")
    for note in data.notes:
        _say(args, f"  note: {note}")
    _say(args, describe_source(source, inferrer))

    train_rows = split[0] if split is not None else np.arange(len(data.y))
    X_fit, y_fit = _rows(data.X, train_rows), data.y[train_rows]
    encoder = None
    if data.kind == "numeric":
        encoder = make_column_encoder(data.numeric_columns, data.categorical_columns)
        X_fit = encoder.fit_transform(X_fit)
        if inferrer.feature_map is None and X_fit.shape[1] != inferrer.n_features_in_:
            raise DataFileError(
                f"{where}: {X_fit.shape[1]} features after encoding, but the "
                f"inferrer {source[1]} takes {inferrer.n_features_in_} (it has no "
                "feature_map); use a tabular model"
            )
    t0 = time.perf_counter()
    encodings, values, notes = _suggest(inferrer, X_fit, y_fit, args.top_k)
    t_suggest = time.perf_counter() - t0
    on = "the training split" if split is not None else "all rows"
    _say(
        args,
        f"suggested architecture{'s' if len(encodings) > 1 else ''} (on {on}; "
        "predicted value = normalized accuracy, in standard deviations above "
        "the mean of random architectures):",
    )
    width = max(len(e.describe()) for e in encodings)
    for i, (encoding, value) in enumerate(zip(encodings, values, strict=True), 1):
        _say(args, f"  {i}. {encoding.describe():<{width}}  {value:+.2f}")
    for note in notes:
        _say(args, f"  note: {note}")
    total = seconds_since_start(start)
    _say(
        args,
        f"suggested in {total:.1f} s from the command's start (start-up and model "
        f"{total - t_read - t_suggest:.1f} s, reading and "
        f"checking {t_read:.1f} s, embedding and search {t_suggest:.1f} s)",
    )
    if args.json:
        with open(args.json, "w") as f:
            f.write(encodings[0].to_json())
    if not args.train:
        return 0
    return _train_and_compare(args, data, inferrer, split, len(encodings), encoder)


def _classifier(args, inferrer, k):
    from skfti import InferredArchitectureClassifier

    combine = args.combine or ("ensemble" if k > 1 else "best")
    return InferredArchitectureClassifier(
        inferrer,
        n_candidates=k,
        combine=combine,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        verbose=1 if args.verbose >= 1 else 0,
    ), combine


def _pipeline(data, classifier):
    from sklearn.pipeline import Pipeline

    from skfti.datasets import TextColumns

    if data.kind == "text":
        first = ("columns", TextColumns(list(data.text_columns)))
    else:
        first = (
            "columns",
            make_column_encoder(data.numeric_columns, data.categorical_columns),
        )
    return Pipeline([first, ("classifier", classifier)])


def _baseline_features(data, inferrer, train, test):
    """The features that LogisticRegression and MLPClassifier see.

    Texts are embedded as the two lists the pipeline embedded (its training
    rows at ``fit``, its test rows at ``predict``), so both are cache hits.
    """
    if data.kind == "text":
        from skfti.task_views import embed_views

        return tuple(
            embed_views(
                _rows(data.X, rows),
                inferrer.search_space_,
                modules=inferrer.embedding_modules,
                stack=True,
            )
            for rows in (train, test)
        )
    encoder = make_column_encoder(data.numeric_columns, data.categorical_columns)
    return (
        encoder.fit_transform(_rows(data.X, train)),
        encoder.transform(_rows(data.X, test)),
    )


def _baselines(X_train, y_train, X_test, y_test, seed):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    models = {
        "LogisticRegression": LogisticRegression(max_iter=1000),
        "MLPClassifier": MLPClassifier(random_state=seed),
    }
    scores = {}
    for name, model in models.items():
        pipe = make_pipeline(StandardScaler(), model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipe.fit(X_train, y_train)
        scores[name] = float(np.mean(pipe.predict(X_test) == y_test))
    return scores


def _train_and_compare(args, data, inferrer, split, k, encoder):
    train, test = split
    classifier, combine = _classifier(args, inferrer, k)
    pipeline = _pipeline(data, classifier)
    X_train, X_test = _rows(data.X, train), _rows(data.X, test)
    y_train, y_test = data.y[train], data.y[test]
    what = "the suggested architecture" if k == 1 else f"{k} suggestions ({combine})"
    t0 = time.perf_counter()
    with ticker(f"training {what}", enabled=not args.quiet):
        pipeline.fit(X_train, y_train)
    seconds = time.perf_counter() - t0
    ours = float(np.mean(pipeline.predict(X_test) == y_test))
    with ticker("training LogisticRegression and MLPClassifier", not args.quiet):
        F_train, F_test = _baseline_features(data, inferrer, train, test)
        scores = _baselines(F_train, y_train, F_test, y_test, args.seed)
    label = "skfti " + ("(suggested architecture)" if k == 1 else f"({combine} of {k})")
    rows = {label: ours, **scores}
    features = (
        "the concatenated views " + " + ".join(stacked_views(inferrer.search_space_))
        if data.kind == "text"
        else "the encoded columns"
    )
    _say(
        args,
        f"test accuracy on {len(test)} held-out rows (stratified {args.test_size:g}, "
        f"seed {args.seed}; baselines on {features}, standardized):",
    )
    width = max(len(name) for name in rows)
    for name, score in rows.items():
        _say(args, f"  {name:<{width}}  {score:.3f}")
    _say(args, f"  (skfti trained in {seconds:.0f} s)")
    if args.output:
        import joblib

        joblib.dump(pipeline, args.output)
        _say(
            args,
            f"saved a scikit-learn Pipeline trained on the {len(train)} training rows "
            f"to {args.output}: joblib.load({args.output!r}).predict(rows) takes "
            + (
                "a DataFrame of the file's columns or a list of texts"
                if data.kind == "text"
                else "a DataFrame of the file's columns"
            ),
        )
    return 0
