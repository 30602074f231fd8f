"""Reading a user's data file into a DataFrame: formats, compression, encodings.

:func:`read_table` reads CSV, TSV, JSON Lines or Parquet with pandas (a text
file with a UTF-16 byte-order mark as UTF-16, one that is not UTF-8 as
Windows-1252, else Latin-1). Every problem with the file raises
:class:`DataFileError` (a ``ValueError``) with one line naming it; the
command line prints that line.
"""

import csv
import io
import os
import re
from pathlib import Path

import numpy as np

from skfti._optional import import_optional

__all__ = ["FORMATS", "DataFileError", "file_format", "read_table", "uncompressed_name"]

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
"""File extensions and the format each is read as (``.gz`` etc. on top is fine)."""

_COMPRESSION = (".gz", ".bz2", ".zip", ".xz", ".zst")
_SAMPLE = 65536
"""Characters of a ``.csv`` file read to find its separator."""

MISSING_WORDS = frozenset(
    ("#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND")
    + ("1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")
)
"""The words pandas reads as missing values by default. In a CSV or TSV file
they mark a missing value only in a column of numbers; elsewhere (labels,
texts, categories) ``"None"`` or ``"NA"`` is a value like any other."""

_DOT_NUMBER = re.compile(r"[+-]?\d*\.\d+(?:[eE][+-]?\d+)?")
_COMMA_NUMBER = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")


class DataFileError(ValueError):
    """A user's data file cannot be used as it is; the message says why, in a line."""


def _shorten(values, limit=8):
    values = [str(v) for v in values]
    if len(values) > limit:
        return ", ".join(values[:limit]) + f", ... ({len(values)} in all)"
    return ", ".join(values)


def uncompressed_name(path):
    """The file name of ``path`` without its compression suffixes (``.gz``, ...)."""
    name = Path(path).name
    for suffix in _COMPRESSION:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def file_format(path, format=None):
    """The format of ``path``: ``format`` if given, else from its extension."""
    if format is not None:
        fmt = str(format).lower().lstrip(".")
        if fmt not in set(FORMATS.values()):
            raise DataFileError(
                f"unknown format {format!r}; known: csv, tsv, jsonl, parquet"
            )
        return fmt
    suffix = Path(uncompressed_name(path).lower()).suffix
    if suffix not in FORMATS:
        raise DataFileError(
            f"{path}: unknown file format {suffix or '(no extension)'!r}; use "
            f"{', '.join(sorted(FORMATS))} or pass --format csv|tsv|jsonl|parquet"
        )
    return FORMATS[suffix]


def _csv_dialect(path, encoding):
    """``(separator, decimal mark)`` of a plain ``.csv`` file, from its first lines.

    The separator is ``","`` unless the header has none and holds another
    that :class:`csv.Sniffer` finds, consistent over the first 64 KB: a
    spreadsheet's export in many locales separates by ``;`` (with decimal
    commas), others by tabs. The sniffer chooses only among the separators
    in the header (texts may hold others: a gloss with ``;`` in a
    tab-separated file). Where the sniffer finds none (quoted texts over
    several lines defeat it), the one header separator that parses the
    sample into records of equal length is taken. The decimal mark is
    ``"."`` except for ``;`` files, which have decimal commas unless their
    fields show more numbers with a decimal point than with a comma (UCI's
    wine quality data). Compressed files are read with commas.
    """
    if uncompressed_name(path) != Path(path).name:
        return ",", "."
    with open(path, encoding=encoding, errors="replace", newline="") as stream:
        sample = stream.read(_SAMPLE)
    header = sample.split("\n", 1)[0]
    if "," in header:
        return ",", "."
    candidates = "".join(c for c in ";\t|" if c in header)
    if not candidates:
        return ",", "."
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=candidates).delimiter
    except csv.Error:  # e.g. quoted texts over several lines
        consistent = [c for c in candidates if _same_fields(sample, c)]
        sep = consistent[0] if len(consistent) == 1 else ","
    return sep, (_decimal_mark(sample, sep) if sep == ";" else ".")


def _records(sample, sep):
    """The records of a sample, without a last one cut at :data:`_SAMPLE`."""
    records = [r for r in csv.reader(io.StringIO(sample), delimiter=sep) if r]
    return records[:-1] if len(sample) >= _SAMPLE else records


def _decimal_mark(sample, sep):
    """``","``, or ``"."`` when more fields are numbers with a point than a comma."""
    points = commas = 0
    for record in _records(sample, sep)[1:]:
        for value in record:
            value = value.strip()
            if _COMMA_NUMBER.fullmatch(value):
                commas += 1
            elif _DOT_NUMBER.fullmatch(value):
                points += 1
    return "." if points > commas else ","


def _same_fields(sample, sep):
    """Whether ``sample`` parses by ``sep`` into records of one length >= 2.

    Quotes are honoured, so a quoted text over several lines is one field; the
    last record is left out when the sample was cut at :data:`_SAMPLE`.
    """
    records = _records(sample, sep)
    return (
        len(records) >= 2
        and len(records[0]) >= 2
        and all(len(r) == len(records[0]) for r in records)
    )


def _read(pd, path, fmt, encoding, dialect=None):
    if fmt in ("csv", "tsv"):
        sep, decimal = dialect or ("," if fmt == "csv" else "\t", ".")
        frame = pd.read_csv(
            path,
            sep=sep,
            decimal=decimal,
            encoding=encoding,
            keep_default_na=False,
            na_values=[""],
        )
        return _read_missing_words(pd, frame, decimal)
    if encoding == "utf-8":
        encoding = "utf-8-sig"  # a byte-order mark is read as none
    if fmt == "jsonl":
        if _first_character(path, encoding) == "[":  # an array of rows, on 1 line too
            return pd.read_json(path, encoding=encoding)
        try:
            return pd.read_json(path, lines=True, encoding=encoding)
        except ValueError as exc:
            try:
                return pd.read_json(path, encoding=encoding)  # an array of rows
            except ValueError:
                raise exc from None
    import_optional(
        "fastparquet" if _has("fastparquet") else "pyarrow",
        caller="reading Parquet files",
        extra="data",
        install="pyarrow",
    )
    if Path(path).suffix.lower() not in _COMPRESSION:
        with open(path, "rb") as stream:
            if stream.read(4) != b"PAR1":
                raise ValueError(
                    "not a Parquet file (it does not start with Parquet's mark "
                    "PAR1); for another format, pass --format csv|tsv|jsonl"
                )
    return pd.read_parquet(path)


def _read_missing_words(pd, frame, decimal):
    """Columns of numbers with :data:`MISSING_WORDS` in some cells, as numbers.

    Read with only empty cells missing, a column of numbers and ``"NA"``
    (R's export) holds strings; it becomes numbers with those cells missing
    (a column of such words alone becomes empty). Other columns keep their
    words. ``frame.attrs["missing_words"]`` names the columns changed.
    """
    changed = []
    for column in frame.columns:
        series = frame[column]
        if series.dtype != object:
            continue
        present = series.dropna()
        if not all(isinstance(v, str) for v in present.tolist()):
            continue
        words = present.str.strip()
        is_missing = words.isin(MISSING_WORDS)
        if not is_missing.any():
            continue
        numbers = words[~is_missing]
        if decimal == ",":
            numbers = numbers.str.replace(",", ".", regex=False)
        values = pd.to_numeric(numbers, errors="coerce")
        if values.isna().any():
            continue
        frame[column] = values.reindex(series.index).astype(np.float64)
        changed.append(column)
    frame.attrs["missing_words"] = changed
    return frame


def _bom_encoding(path):
    """``"utf-32"`` or ``"utf-16"`` if the file starts with that byte-order mark."""
    with open(path, "rb") as stream:
        head = stream.read(4)
    if head in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "utf-32"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    return None


def _first_character(path, encoding):
    """The first non-blank character of a (gz, bz2, xz compressed) text file."""
    import bz2
    import gzip
    import lzma

    openers = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
    opener = openers.get(Path(path).suffix.lower(), open)
    if Path(path).suffix.lower() in _COMPRESSION and opener is open:
        return ""  # .zip, .zst: not looked into
    try:
        with opener(path, "rb") as stream:
            head = stream.read(4096)
    except (OSError, EOFError, lzma.LZMAError):
        return ""
    text = head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")
    return text[:1]


def _has(name):
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


_8BIT = (("utf-8", None), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1"))
"""Encodings tried in turn for a file without a UTF-16/32 mark, and their names
in the note; Windows-1252 (Excel's export) fails on five unused bytes, where
Latin-1 takes every byte."""


def _read_8bit(pd, path, fmt):
    """``(frame, dialect, name of the fallback encoding or None)``."""
    for encoding, name in _8BIT:
        dialect = _csv_dialect(path, encoding) if fmt == "csv" else None
        try:
            return _read(pd, path, fmt, encoding, dialect), dialect, name
        except UnicodeDecodeError:
            continue
    raise AssertionError("Latin-1 decodes every byte")  # pragma: no cover


def read_table(path, format=None):
    """Read a data file into a DataFrame, or raise :class:`DataFileError`.

    Parameters
    ----------
    path : str or path-like
        The file: ``.csv``, ``.tsv``, ``.jsonl`` (JSON Lines; ``.json`` may
        also be an array of rows) or ``.parquet``, optionally compressed
        (``.gz``, ...).
    format : {"csv", "tsv", "jsonl", "parquet"}, default=None
        Overrides the extension.

    Returns
    -------
    frame : pandas.DataFrame
        At least one row and one column. A text file that starts with a
        UTF-16 or UTF-32 byte-order mark (Excel's "Unicode text") is read in
        that encoding, one that is not UTF-8 as Windows-1252 (else
        Latin-1), and a ``.csv`` file separated by ``;`` (with decimal
        commas, unless its numbers have decimal points), tabs or ``|`` is
        read so (a spreadsheet's export in many locales). In CSV and TSV
        files only empty cells are missing values, and the words of
        :data:`MISSING_WORDS` (``"NA"``, ``"null"``, ...) in columns of
        numbers: a label or text ``"None"`` stays one. ``frame.attrs["notes"]``
        says what was done.

    Raises
    ------
    DataFileError
        For a missing or unreadable file, an unknown format, an empty file.
    """
    pd = import_optional("pandas", caller="reading data files", extra="data")
    path = os.fspath(path)
    if not os.path.exists(path):
        raise DataFileError(f"{path}: no such file")
    if os.path.isdir(path):
        raise DataFileError(f"{path}: is a directory, not a data file")
    fmt = file_format(path, format)
    if os.path.getsize(path) == 0:
        raise DataFileError(f"{path}: the file is empty")
    notes = []
    encoding = _bom_encoding(path) if fmt != "parquet" else None
    try:
        if encoding is not None:  # Excel's "Unicode text" is UTF-16
            dialect = _csv_dialect(path, encoding) if fmt == "csv" else None
            frame = _read(pd, path, fmt, encoding, dialect)
            notes.append(f"read as {encoding.upper()} (the file starts with its mark)")
        else:
            frame, dialect, fallback = _read_8bit(pd, path, fmt)
            if fallback:
                notes.append(f"not valid UTF-8: read as {fallback}")
        sep, decimal = dialect or (None, ".")
        if sep not in (None, ","):
            decimals = " (and decimal commas)" if decimal == "," else ""
            notes.append(f"columns separated by {sep!r}{decimals}, not commas")
        words = frame.attrs.pop("missing_words", [])
        if words:
            notes.append(
                f"{'column' if len(words) == 1 else 'columns'} {_shorten(words)} of "
                "numbers: cells such as 'NA' or 'null' read as missing values"
            )
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{path}: the file is empty") from None
    except ImportError:
        raise
    except Exception as exc:  # pandas raises many kinds for a malformed file
        raise DataFileError(
            f"{path}: cannot read it as {fmt}: {_first_line(exc)}"
        ) from None
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:
        raise DataFileError(f"{path}: no columns found in the file")
    if len(frame) == 0:
        raise DataFileError(f"{path}: no rows (columns: {_shorten(frame.columns)})")
    frame.columns = [str(c) for c in frame.columns]
    frame.attrs["notes"] = notes
    return frame
