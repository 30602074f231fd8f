"""The CSV export of a store (``to_csv``) and the way back (``record_csv``).

The export is the project's audit trail and the way to move a population
between machines (the stores themselves stay out of version control), so the
reader is strict: every row is checked against the store it goes into and
against its own hashes before anything is written.
"""

import csv
import dataclasses
import json
from collections.abc import Iterator
from typing import IO, Any

from skfti.encoding import ArchitectureEncoding
from skfti.store._schema import EXPERIMENT_COLUMNS
from skfti.store._validation import Experiment, prepare_experiment

REQUIRED_COLUMNS = tuple(column for column in EXPERIMENT_COLUMNS if column != "id")
"""Columns a CSV must have to be read back (``id`` is the store's own)."""

_FIELD_LIMIT = 2**31 - 1  # the largest the csv module takes on every platform

TASK_HASH_COLUMNS = ("task_content_hash", "task_split_hash")
"""The hashes of each row's task (``Task.content_hash`` and of its split) that
``to_csv`` writes after the experiment's columns, so that reading back refuses
a store holding other data under the task's name; exports without them (before
2026-12-04) are read without that check."""


def _optional(text: str) -> str | None:
    """CSV has no NULL: ``to_csv`` writes None as an empty field."""
    return None if text == "" else text


def _number(text: str, cast: Any) -> Any:
    return None if text == "" else cast(text)


def _experiment(store: Any, row: dict[str, str], line: int) -> Experiment:
    space = store.search_space
    if row["search_space_fingerprint"] != space.fingerprint():
        raise ValueError(
            f"line {line}: experiment of another search space (fingerprint "
            f"{row['search_space_fingerprint']}), but the store records {space} "
            f"(fingerprint {space.fingerprint()})"
        )
    try:
        vector = json.loads(row["encoding"])
        settings = json.loads(row["settings"])
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"line {line}: encoding or settings is not JSON: {exc}"
        ) from exc
    experiment = prepare_experiment(
        store,
        row["task"],
        ArchitectureEncoding.from_vector(space, vector),
        seed=int(row["seed"]),
        settings=settings,
        val_accuracy=_number(row["val_accuracy"], float),
        val_log_loss=_number(row["val_log_loss"], float),
        test_accuracy=_number(row["test_accuracy"], float),
        train_time=_number(row["train_time"], float),
        n_epochs=_number(row["n_epochs"], int),
        status=row["status"],
        error=_optional(row["error"]),
        started_at=_optional(row["started_at"]),
        finished_at=_optional(row["finished_at"]),
    )
    for column in ("encoding_hash", "settings_hash"):
        if getattr(experiment, column) != row[column]:
            raise ValueError(
                f"line {line}: {column} {row[column][:12]}... does not match the "
                f"row's own {column.split('_')[0]} "
                f"({getattr(experiment, column)[:12]}...): the file was edited "
                "or damaged"
            )
    # Keep the version that trained the child, not the one reading the file.
    version = _optional(row["package_version"])
    return dataclasses.replace(
        experiment, package_version=version or experiment.package_version
    )


def _task_hashes(record: dict[str, Any]) -> dict[str, str]:
    """The :data:`TASK_HASH_COLUMNS` of a stored task's record ("" for NULL)."""
    return {c: record[c.removeprefix("task_")] or "" for c in TASK_HASH_COLUMNS}


def write_experiments(store: Any, file: IO[str]) -> None:
    """Write every experiment of ``store`` as CSV (what ``to_csv`` writes)."""
    writer = csv.DictWriter(file, fieldnames=[*EXPERIMENT_COLUMNS, *TASK_HASH_COLUMNS])
    writer.writeheader()
    hashes: dict[str, dict[str, str]] = {}
    for row in store.to_records():
        if row["task"] not in hashes:
            hashes[row["task"]] = _task_hashes(store.get_task_record(row["task"]))
        row.update(hashes[row["task"]])
        row["settings"] = json.dumps(
            row["settings"], sort_keys=True, separators=(",", ":")
        )
        row["encoding"] = json.dumps(row["encoding"])
        writer.writerow(row)


def _check_same_task(stored: dict[str, str], row: dict[str, str], line: int) -> None:
    """Refuse a row trained on other data (or another split) than the stored task."""
    what = ("data", "train/validation/test split")
    for column, kind in zip(TASK_HASH_COLUMNS, what, strict=True):
        written = row.get(column) or ""
        if written and stored[column] and written != stored[column]:
            raise ValueError(
                f"line {line}: the store's task {row['task']!r} holds other {kind} "
                f"than the task this experiment was trained on ({column} "
                f"{written[:12]}..., stored {stored[column][:12]}...)"
            )


def read_experiments(store: Any, file: IO[str]) -> list[Experiment]:
    """Validated experiments of a ``to_csv`` file, in file order.

    Raises ValueError naming the line of the first bad row, or the missing
    columns; the caller writes nothing until every row has passed. Fields of
    any length are read (``to_csv`` writes a long error text or task name as
    it is; the csv module reads 128 KiB at most unless told otherwise).
    """
    limit = csv.field_size_limit(_FIELD_LIMIT)
    try:
        return list(_validated_rows(store, file))
    finally:
        csv.field_size_limit(limit)


def _validated_rows(store: Any, file: IO[str]) -> Iterator[Experiment]:
    if store.search_space is None:
        raise ValueError(
            "the store has no search space yet: open it with search_space=... "
            "(the space the experiments were recorded in) before reading a CSV"
        )
    reader = csv.DictReader(file)
    missing = [
        column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or ())
    ]
    if missing:
        raise ValueError(
            f"not an experiments CSV written by to_csv: missing columns {missing}"
        )
    known_tasks = {name: None for name in store.task_names()}
    for row in reader:
        line = reader.line_num
        if row["task"] not in known_tasks:
            raise ValueError(
                f"line {line}: task {row['task']!r} is not in the store: add it "
                "first (store.add_task(task), with the same data and split)"
            )
        if known_tasks[row["task"]] is None:
            known_tasks[row["task"]] = _task_hashes(store.get_task_record(row["task"]))
        _check_same_task(known_tasks[row["task"]], row, line)
        try:
            yield _experiment(store, row, line)
        except (TypeError, ValueError) as exc:
            message = str(exc)
            if not message.startswith("line "):
                message = f"line {line}: {message}"
            raise type(exc)(message) from exc
