"""Reading and checking a user's files: read_table, prepare_table, load_task_file."""

import csv

import numpy as np
import pandas as pd
import pytest

from skfti.__main__ import main
from skfti.datasets import DataFileError, TextColumns, load_task_file, read_table
from skfti.datasets._files import make_column_encoder, prepare_table


def _texts(n=30):
    words = ["alpha beta", "gamma delta", "epsilon zeta"]
    return pd.DataFrame(
        {
            "title": [f"{words[i % 3]} {i}" for i in range(n)],
            "body": [f"body of row {i}" for i in range(n)],
            "label": [i % 3 for i in range(n)],
        }
    )


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet", ".csv.gz"])
def test_read_table_reads_every_format(tmp_path, suffix):
    frame = _texts()
    path = tmp_path / f"data{suffix}"
    if suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    read = read_table(path)
    pd.testing.assert_frame_equal(read.reset_index(drop=True), frame)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_csv_of_other_separators_is_read_and_said(tmp_path, sep):
    frame = _texts()
    frame.to_csv(tmp_path / "data.csv", sep=sep, index=False)
    read = read_table(tmp_path / "data.csv")
    pd.testing.assert_frame_equal(read.reset_index(drop=True), frame)
    decimal = " (and decimal commas)" if sep == ";" else ""
    assert read.attrs["notes"] == [f"columns separated by {sep!r}{decimal}, not commas"]


def test_separators_are_sniffed_before_reading(tmp_path):
    files = {
        # texts with commas in a file of semicolons; decimal commas
        "commas.csv": ("text;label\nbad;neg\nhello, world, again;pos\n", 2),
        "decimal.csv": ("a;b;label\n1,5;2,3;x\n2,5;1,0;y\n", 3),
        # a semicolon in a one-column header only, and in a comma file's texts
        "header.csv": ("question; or statement\nhello there\nbye now\n", 1),
        "texts.csv": ('text,label\n"a; b",x\n"c; d",y\n', 2),
    }
    read = {}
    for name, (content, n_columns) in files.items():
        (tmp_path / name).write_text(content)
        read[name] = read_table(tmp_path / name)
        assert read[name].shape[1] == n_columns, name
    assert read["commas.csv"]["text"].tolist() == ["bad", "hello, world, again"]
    assert read["decimal.csv"]["a"].tolist() == [1.5, 2.5]
    assert (
        read["texts.csv"].attrs["notes"] == []
        and read["header.csv"].attrs["notes"] == []
    )


def test_several_text_columns_are_joined_and_said():
    data = prepare_table(_texts(), "label", text_column=["title", "body"])
    assert data.kind == "text"
    assert data.X[0] == "alpha beta 0 body of row 0"
    assert "text columns 'title', 'body' joined with a space" in data.notes


def test_low_cardinality_strings_are_one_hot_encoded():
    frame = pd.DataFrame(
        {
            "x": np.arange(40.0),
            "color": ["red", "blue", None, "green"] * 10,
            "label": ["a", "b"] * 20,
        }
    )
    data = prepare_table(frame, "label")
    assert data.kind == "numeric"
    assert data.categorical_columns == ["color"]
    assert any("one-hot encoded 1 categorical" in n for n in data.notes)
    encoded = make_column_encoder(["x"], ["color"]).fit_transform(frame)
    assert encoded.shape == (40, 5)  # x, then blue, green, nan, red


def test_load_task_file_gives_a_task(tmp_path):
    frame = pd.DataFrame(
        {"x": np.arange(30.0), "kind": ["u", "v"] * 15, "label": [0, 1, 2] * 10}
    )
    frame.to_csv(tmp_path / "shapes.csv", index=False)
    task = load_task_file(tmp_path / "shapes.csv", "label")
    assert task.name == "shapes" and not task.is_text
    assert task.n_features == 3 and task.n_classes == 3
    frame.to_csv(tmp_path / "shapes.v2.csv.gz", index=False)
    assert load_task_file(tmp_path / "shapes.v2.csv.gz", "label").name == "shapes.v2"


def test_text_columns_takes_rows_or_texts():
    step = TextColumns(["title"])
    assert step.transform(_texts(2)) == ["alpha beta 0", "gamma delta 1"]
    assert step.transform(np.array(["raw"], dtype=object)) == ["raw"]
    with pytest.raises(ValueError, match="no text column 'title'"):
        step.transform(pd.DataFrame({"other": ["a"]}))


def test_text_columns_read_every_missing_value_as_empty():
    missing = [None, np.nan, np.float32("nan"), pd.NA]
    frame = pd.DataFrame({"title": ["t"] * 4, "body": pd.Series(missing, dtype=object)})
    assert TextColumns(["title", "body"]).transform(frame) == ["t"] * 4
    assert TextColumns(["body"]).transform(missing + ["x"]) == [""] * 4 + ["x"]


def test_errors_are_data_file_errors(tmp_path):
    with pytest.raises(DataFileError, match="no target column 'y'; columns: title"):
        prepare_table(_texts(), "y")
    assert issubclass(DataFileError, ValueError)


def _numbers(n=60):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    frame["y"] = (frame["a"] > 0).astype(int)
    return frame


def test_single_words_beside_numbers_are_not_the_text(tmp_path, capsys):
    frame = _numbers()
    frame["date"] = pd.date_range("2021-01-01", periods=60).strftime("%Y-%m-%d")
    frame["id"] = [f"id{i}" for i in range(60)]
    data = prepare_table(frame, "y")
    assert data.kind == "numeric" and data.numeric_columns == ["a", "b", "c"]
    assert any("date, id ignored (single words" in n for n in data.notes)
    frame.to_csv(tmp_path / "dated.csv", index=False)
    assert main(["suggest", str(tmp_path / "dated.csv"), "--target", "y"]) == 0
    assert "3 numeric columns" in capsys.readouterr().out
    # several-word texts beside numbers, and single words alone, stay text
    wordy = frame.assign(note=[f"row {i} says hi" for i in range(60)])
    assert prepare_table(wordy, "y").text_columns == ["note"]
    assert prepare_table(frame[["id", "y"]], "y").text_columns == ["id"]
    chosen = prepare_table(frame, "y", text_column="date")
    assert chosen.kind == "text" and chosen.text_columns == ["date"]


def _error_line(args, capsys):
    """Run the command line, assert status 2 and one line on stderr; the line."""
    capsys.readouterr()
    assert main(args) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("skfti: error: "), captured.err
    assert captured.out == ""
    return lines[0]


def test_a_continuous_target_is_one_line(tmp_path, capsys):
    _numbers().assign(y=lambda f: f["y"] * 0.5).to_csv(tmp_path / "h.csv", index=False)
    line = _error_line(["suggest", str(tmp_path / "h.csv"), "--target", "y"], capsys)
    assert "target 'y' holds numbers that are not whole (e.g. 0.5)" in line


def test_numbers_beyond_float32_are_one_line_naming_the_column(tmp_path, capsys):
    _numbers().assign(b=lambda f: f["b"] * 1e300).to_csv(
        tmp_path / "big.csv", index=False
    )
    line = _error_line(["suggest", str(tmp_path / "big.csv"), "--target", "y"], capsys)
    assert "column 'b' holds 60 numbers too large for the networks" in line


def test_an_empty_column_is_ignored_with_a_note(tmp_path, capsys):
    frame = _numbers().assign(spare=None, blank=" ")
    data = prepare_table(frame, "y")
    assert data.kind == "numeric" and data.numeric_columns == ["a", "b", "c"]
    assert "columns spare, blank ignored (empty in every row)" in data.notes
    (tmp_path / "trailing.csv").write_text(
        "a,b,y,\n" + "".join(f"{i},{i % 3},{i % 2},\n" for i in range(30))
    )
    assert main(["suggest", str(tmp_path / "trailing.csv"), "--target", "y"]) == 0
    out = capsys.readouterr().out
    assert "30 rows, 2 numeric columns" in out
    assert "note: column Unnamed: 3 ignored (empty in every row)" in out


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_an_empty_text_column_is_named(tmp_path, capsys, suffix):
    frame = pd.DataFrame({"text": [""] * 40, "label": [0, 1] * 20})
    path = str(tmp_path / f"empty{suffix}")
    if suffix == ".csv":
        frame.to_csv(path, index=False)  # read back as NaN
    else:
        frame.to_json(path, orient="records", lines=True)  # read back as ""
    expected = f"skfti: error: {path}: column 'text' is empty in all 40 rows"
    for chosen in ([], ["--text-column", "text"]):
        argv = ["suggest", path, "--target", "label", *chosen]
        assert _error_line(argv, capsys) == expected


def test_a_semicolon_csv_that_defeats_the_sniffer_is_read(tmp_path):
    # quoted texts over several lines, with commas and doubled quotes: what a
    # spreadsheet writes; csv.Sniffer finds no separator, the records do
    content = (
        "doc;label\n"
        '"Run the job, wait for it\nto end, then return its code.";system\n'
        "Tell the position.;text\n"
        "Choose an element, at random.;numbers\n"
        '"Make the path absolute, resolving links\non the way.";system\n'
        "Round to the nearest whole number.;numbers\n"
        '"Handle ""fatal"" errors as the level says";system\n'
    )
    (tmp_path / "docs.csv").write_text(content)
    with pytest.raises(csv.Error):
        csv.Sniffer().sniff(content, delimiters=";")
    read = read_table(tmp_path / "docs.csv")
    assert list(read.columns) == ["doc", "label"]
    first = "Run the job, wait for it\nto end, then return its code."
    assert read["doc"].iloc[0] == first
    assert read["doc"].iloc[5] == 'Handle "fatal" errors as the level says'
    labels = ["system", "text", "numbers", "system", "numbers", "system"]
    assert list(read["label"]) == labels
    note = "columns separated by ';' (and decimal commas), not commas"
    assert read.attrs["notes"] == [note]


def test_a_one_column_header_with_a_semicolon_stays_one_column(tmp_path):
    # records of unequal length by ";": not a separator, even with quotes
    content = 'note; or remark\n"hello, there"\n"bye\nnow"\nplain\n'
    (tmp_path / "one.csv").write_text(content)
    read = read_table(tmp_path / "one.csv")
    assert list(read.columns) == ["note; or remark"]
    assert len(read) == 3


def test_a_tab_separated_csv_of_texts_with_semicolons_is_read(tmp_path):
    texts = [f'a young mammal {i}; "baby rabbits"; "a kit"' for i in range(30)]
    frame = pd.DataFrame({"text": texts, "label": ["x", "y", "z"] * 10})
    frame.to_csv(tmp_path / "glosses.csv", sep="\t", index=False)
    read = read_table(tmp_path / "glosses.csv")
    pd.testing.assert_frame_equal(read, frame)
    assert read.attrs["notes"] == ["columns separated by '\\t', not commas"]


@pytest.mark.parametrize("name", ["rows.json", "rows.json.gz", "rows.jsonl"])
def test_a_json_array_on_one_line_is_read_as_rows(tmp_path, name):
    frame = _texts(5)
    frame.to_json(tmp_path / name, orient="records")  # [{...}, {...}], one line
    pd.testing.assert_frame_equal(read_table(tmp_path / name), frame)


@pytest.mark.parametrize("name", ["unicode.csv", "unicode.jsonl", "unicode.json"])
def test_a_utf16_file_with_its_mark_is_decoded(tmp_path, name):
    frame = pd.DataFrame({"text": [f"café {i}" for i in range(6)], "label": [0, 1] * 3})
    if name.endswith(".csv"):  # Excel's "Unicode text": UTF-16, tabs
        frame.to_csv(tmp_path / name, sep="\t", index=False, encoding="utf-16")
    else:
        lines = name.endswith(".jsonl")
        text = frame.to_json(orient="records", lines=lines, force_ascii=False)
        (tmp_path / name).write_bytes(text.encode("utf-16"))
    read = read_table(tmp_path / name)
    pd.testing.assert_frame_equal(read, frame)
    assert read.attrs["notes"][0] == "read as UTF-16 (the file starts with its mark)"


def test_one_row_is_one_row_in_messages(capsys):
    frame = _numbers(20).astype({"y": float})
    frame.loc[3, "y"] = np.nan
    with pytest.raises(DataFileError, match="1 row has no label in 'y'; fill it or"):
        prepare_table(frame, "y")
    assert (
        "dropped 1 row without a label" in prepare_table(frame, "y", dropna=True).notes
    )
    frame.loc[3, "y"], frame.loc[5, "a"] = 0, np.inf
    with pytest.raises(DataFileError, match="1 row has missing or infinite values"):
        prepare_table(frame, "y")


def test_an_inferrer_file_that_is_no_joblib_file_is_named_so(tmp_path, capsys):
    _numbers().to_csv(tmp_path / "n.csv", index=False)
    (tmp_path / "notes.joblib").write_text("hello")
    argv = ["suggest", str(tmp_path / "n.csv"), "--target", "y", "--inferrer"]
    line = _error_line([*argv, str(tmp_path / "notes.joblib")], capsys)
    assert "notes.joblib: not a saved inferrer (a joblib file written by" in line


def test_a_wrong_format_hints_at_the_separator(tmp_path, capsys):
    _numbers().to_csv(tmp_path / "n.csv", index=False)
    argv = ["suggest", str(tmp_path / "n.csv"), "--target", "y", "--format", "tsv"]
    assert _error_line(argv, capsys).endswith(
        "columns: a,b,c,y (one column, whose name holds commas: is the file "
        "separated by commas? check --format)"
    )


def test_a_file_named_parquet_that_is_not_parquet_is_named_so(tmp_path, capsys):
    _texts(5).to_csv(tmp_path / "rows.parquet", index=False)
    with pytest.raises(DataFileError, match="not a Parquet file .*PAR1"):
        read_table(tmp_path / "rows.parquet")
    assert main(["suggest", str(tmp_path / "rows.parquet"), "--target", "label"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--format csv" in err


def test_a_semicolon_csv_with_decimal_points_keeps_its_numbers(tmp_path):
    # UCI's wine quality files: ";" between quoted names, points in the numbers
    content = '"fixed acidity";"citric acid";"quality"\n' + "".join(
        f"{7 + i / 10:.1f};{i / 100:.2f};{5 + i % 2}\n" for i in range(20)
    )
    (tmp_path / "wine.csv").write_text(content)
    read = read_table(tmp_path / "wine.csv")
    assert read["fixed acidity"].dtype == np.float64
    assert read["citric acid"].tolist()[:3] == [0.0, 0.01, 0.02]
    assert read.attrs["notes"] == ["columns separated by ';', not commas"]
    data = prepare_table(read, "quality")
    assert data.numeric_columns == ["fixed acidity", "citric acid"]


def test_missing_words_are_missing_only_in_columns_of_numbers(tmp_path):
    rows = [
        ("hello there", "None", "NA", "EU"),
        ("good bye", "toxic", "1.5", "NA"),
        ("NA", "None", "2", "APAC"),
        ("see you", "toxic", "null", "EU"),
    ]
    content = "text,label,score,region\n" + "".join(",".join(r) + "\n" for r in rows)
    (tmp_path / "na.csv").write_text(content)
    read = read_table(tmp_path / "na.csv")
    assert read["label"].tolist() == ["None", "toxic", "None", "toxic"]
    assert read["region"].tolist() == ["EU", "NA", "APAC", "EU"]
    assert read["text"].tolist()[2] == "NA"
    np.testing.assert_array_equal(read["score"], [np.nan, 1.5, 2.0, np.nan])
    note = (
        "column score of numbers: cells such as 'NA' or 'null' read as missing values"
    )
    assert read.attrs["notes"] == [note]
    data = prepare_table(read, "label", text_column="text", min_per_class=1)
    assert sorted(set(data.y)) == ["None", "toxic"]
    assert any("labels 'None', kept as classes" in n for n in data.notes)
    # decimal commas and "NA" in one column of a ";" file
    (tmp_path / "dec.csv").write_text("a;b;label\n1,5;2,3;x\n2,5;NA;y\n")
    np.testing.assert_array_equal(read_table(tmp_path / "dec.csv")["b"], [2.3, np.nan])


def test_a_jsonl_file_with_a_utf8_mark_is_read(tmp_path):
    frame = pd.DataFrame({"text": ["a b", "c d"], "label": ["x", "y"]})
    text = frame.to_json(orient="records", lines=True)
    (tmp_path / "bom.jsonl").write_bytes(text.encode("utf-8-sig"))
    pd.testing.assert_frame_equal(read_table(tmp_path / "bom.jsonl"), frame)


def test_a_windows_1252_file_keeps_its_quotes_and_euro_sign(tmp_path):
    text = "It\u2019s a \u201cgreat\u201d film \u2013 \u20ac5"
    content = f'text,label\n"{text}",x\nplain,y\n'
    (tmp_path / "excel.csv").write_bytes(content.encode("cp1252"))
    read = read_table(tmp_path / "excel.csv")
    assert read["text"].iloc[0] == text
    assert read.attrs["notes"] == ["not valid UTF-8: read as Windows-1252"]
    # bytes that Windows-1252 leaves undefined: Latin-1 as before
    (tmp_path / "latin.csv").write_bytes(b"text,label\ncaf\xe9 \x81,x\nplain,y\n")
    assert read_table(tmp_path / "latin.csv").attrs["notes"] == [
        "not valid UTF-8: read as Latin-1"
    ]


def test_a_saved_row_index_is_ignored_with_a_note(tmp_path):
    frame = _numbers().sort_values("y")
    frame.to_csv(tmp_path / "indexed.csv")  # the index as an unnamed column
    data = prepare_table(read_table(tmp_path / "indexed.csv"), "y")
    assert data.numeric_columns == ["a", "b", "c"]
    assert "column Unnamed: 0 ignored (a saved row index)" in data.notes
    # a column of numbers under an empty header that repeat is a feature
    frame.assign(a=np.arange(60) % 7).set_index("a").to_csv(tmp_path / "kept.csv")
    kept = prepare_table(
        read_table(tmp_path / "kept.csv").rename(columns={"a": "Unnamed: 0"}), "y"
    )
    assert kept.numeric_columns == ["Unnamed: 0", "b", "c"]


def test_a_name_with_spaces_or_another_case_is_hinted(tmp_path, capsys):
    (tmp_path / "s.csv").write_text("text, label\nhello there, x\nbye now, y\n")
    argv = ["suggest", str(tmp_path / "s.csv"), "--target"]
    assert _error_line([*argv, "label"], capsys).endswith(
        "(column ' label' has spaces around its name: pass --target ' label', quoted)"
    )
    assert _error_line([*argv, "TEXT"], capsys).endswith(
        "(did you mean 'text'? names are case-sensitive)"
    )


def test_messages_show_plain_labels_and_count_in_the_singular(capsys):
    frame = _numbers(20)
    frame.loc[0, "y"] = 7
    with pytest.raises(DataFileError, match=r"too few rows in 1 class of 'y': 7 \(1\)"):
        prepare_table(frame, "y")
    with pytest.raises(DataFileError, match=r"a single class \(1\) in 20 rows"):
        prepare_table(frame.assign(y=1), "y")
    data = prepare_table(frame[["a", "y"]], "y", dropna=True, min_per_class=1)
    assert data.describe().startswith("20 rows, 1 numeric column; ")


def test_a_numeric_model_takes_the_numbers_of_a_table_with_texts(tmp_path, capsys):
    frame = _numbers().assign(name=[f"Mr. Someone Number {i}" for i in range(60)])
    data = prepare_table(frame, "y")
    assert data.kind == "text"
    assert any(
        n.endswith("(a model for numeric data uses the numbers: --model tabular-v1)")
        for n in data.notes
    )
    data = prepare_table(frame, "y", kind="numeric")
    assert data.kind == "numeric" and data.numeric_columns == ["a", "b", "c"]
    assert "text column name ignored (the model takes numeric data)" in data.notes
    with pytest.raises(DataFileError, match="no text column found"):
        prepare_table(_numbers(), "y", kind="text")
    frame.to_csv(tmp_path / "mixed.csv", index=False)
    argv = ["suggest", str(tmp_path / "mixed.csv"), "--target", "y", "--top-k", "1"]
    assert main([*argv, "--model", "tabular-v1"]) == 0
    out = capsys.readouterr().out
    assert "60 rows, 3 numeric columns" in out and "model tabular-v1" in out


def test_a_model_without_meta_features_says_it_suggests_alike():
    import skfti.pretrained
    from skfti.cli._models import describe_source

    for name in skfti.pretrained.available():
        inferrer = skfti.pretrained.load(name)
        line = describe_source(("name", name), inferrer)
        blind = "it suggests the same networks for every data set" in line
        assert blind == (inferrer.meta_features == "none"), line


def test_a_json_text_column_with_a_number_in_it_is_text(tmp_path):
    texts = [f"row number {i} says something" for i in range(40)]
    texts[3] = 42  # a JSON writer's number where a text was meant
    frame = pd.DataFrame({"text": texts, "label": [0, 1] * 20})
    frame.to_json(tmp_path / "mixed.jsonl", orient="records", lines=True)
    data = prepare_table(read_table(tmp_path / "mixed.jsonl"), "label")
    assert data.kind == "text" and data.X[3] == "42"
    # mostly numbers with a few words is not text
    odd = pd.DataFrame({"x": [1.5] * 30 + ["n/a", {"a": 1}], "y": [0, 1] * 16})
    with pytest.raises(DataFileError, match="no feature columns"):
        prepare_table(odd, "y")


def test_populate_and_fit_refuse_stored_tasks_of_other_data_in_one_line(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    _numbers().to_csv("a.csv", index=False)
    _numbers().assign(a=lambda f: -f["a"]).to_csv("b.csv", index=False)
    small = ["--target", "y", "--store", "s.sqlite", "--epochs", "2"]
    populate = ["populate", "--data", "a.csv", "b.csv", *small, "--n-jobs", "1"]
    populate += ["--n-architectures", "1", "--refit", "none"]
    fit = ["fit", "--data", "a.csv", "b.csv", *small, "--refit", "none"]
    fit += ["--vn-steps", "5", "-q", "--output", "m.joblib"]
    assert main(populate) == 0
    _numbers(50).to_csv("a.csv", index=False)  # the file edited since
    stale = "task 'a' already stored with different data"
    assert stale in _error_line(populate, capsys)
    assert stale in _error_line(fit, capsys)
    _numbers().to_csv("a.csv", index=False)
    split = "already stored with a different train/validation/test split"
    assert split in _error_line([*populate, "--seed", "1"], capsys)
    assert split in _error_line([*fit, "--seed", "1"], capsys)
    assert _error_line([*fit, "--exclude", "zz"], capsys).endswith(
        "--exclude zz: no such task (tasks: a, b)"
    )
    assert "leaves no task" in _error_line([*fit, "--exclude", "a", "b"], capsys)
    assert main(fit) == 0
    # a class of 5 rows: too few for a task's stratified three-way split
    _numbers().assign(y=[2] * 5 + [0, 1] * 27 + [0]).to_csv("c.csv", index=False)
    line = _error_line(["populate", "--data", "c.csv", *small], capsys)
    assert (
        "too few rows in 1 class of 'y': 2 (5); every class needs at least 10" in line
    )
    # a store made for another search space
    from skfti import ExperimentStore, SearchSpace

    other = SearchSpace(n_layers=1, widths=(8,), views=("input",))
    with ExperimentStore(tmp_path / "other.sqlite", search_space=other):
        pass
    argv = ["populate", "--data", "a.csv", "--target", "y", "--store", "other.sqlite"]
    line = _error_line(argv, capsys)
    assert "other.sqlite was made for another search space: it records" in line
