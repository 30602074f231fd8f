"""Write a CSV of texts no model has seen: Python standard-library docstrings.

A user's file, the way a user would make one, for probing ``skfti suggest``
through its front door: the first paragraph of the docstring of each public
function and class (and of their methods) of 25 standard-library modules,
labelled by one of four groups of modules (text formats, numbers, the
system, networking and concurrency). Duplicate texts are dropped. The texts
are those of the running Python (the figures in docs/results.md were made
with CPython 3.11.7); the labels are a choice made here, before any model
saw them, not a benchmark's.

    python scripts/python_docstrings_csv.py results/docstrings.csv
    skfti suggest results/docstrings.csv --target label --train --seed 0
"""

import argparse
import csv
import importlib
import inspect
import random

GROUPS = {
    "text": ["string", "re", "json", "csv", "email", "xml.dom.minidom", "urllib.parse"],
    "numbers": ["math", "statistics", "decimal", "random", "datetime"],
    "system": [
        *("os", "shutil", "subprocess", "pathlib"),
        *("tarfile", "zipfile", "sqlite3"),
    ],
    "network": ["socket", "ssl", "http.client", "asyncio", "threading", "hashlib"],
}


def docstrings(module_name):
    """First paragraphs (over 20 characters) of a module's public callables."""
    module = importlib.import_module(module_name)
    for _, obj in inspect.getmembers(module):
        members = [obj]
        if inspect.isclass(obj):
            members += [member for _, member in inspect.getmembers(obj)]
        for member in members:
            doc = inspect.getdoc(member) if callable(member) else None
            if doc and len(doc) > 20:
                yield doc.split("\n\n")[0][:300]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="the CSV to write (columns doc, label)")
    args = parser.parse_args()
    rows = {}
    for label, modules in GROUPS.items():
        for name in modules:
            for doc in docstrings(name):
                rows[doc] = label  # a text seen in two groups keeps the last
    rows = sorted(rows.items())
    random.Random(0).shuffle(rows)
    with open(args.output, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["doc", "label"])
        writer.writerows(rows)
    counts = {g: sum(label == g for _, label in rows) for g in GROUPS}
    print(f"{args.output}: {len(rows)} rows, {counts}")


if __name__ == "__main__":
    main()
