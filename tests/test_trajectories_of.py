"""trajectories_of(project, model[, split][, at_step := N]): one run's (one step's) rows, the same
rows the trajectories view gives for that filter, with names taken as text, never as patterns."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import art
from art import Model, TrajectoryGroup, analysis
from art.cli import app
from art.errors import InvalidArgumentError
from art.ui.console import ConsoleError, run_console

from .conftest import traj

DATA = Path(__file__).parent / "data"
runner = CliRunner()
ROWS = "project, model, split, step, group_index, trajectory_index, reward, path"


async def log_steps(base: Path, project: str, model: str, steps: int = 3) -> None:
    m = Model(name=model, project=project, base_path=str(base), report_metrics=[])
    for step in range(steps):
        await m.log([TrajectoryGroup([traj(step + 0.25), traj(step + 0.5)])], split="train", step=step)
        await m.log([TrajectoryGroup([traj(-step)])], split="val", step=step)


def view_rows(con, where: str, params: list) -> list[tuple]:  # type: ignore[no-untyped-def]
    return con.execute(f"SELECT {ROWS} FROM trajectories WHERE {where} ORDER BY ALL", params).fetchall()


def macro_rows(con, args: str, params: list) -> list[tuple]:  # type: ignore[no-untyped-def]
    return con.execute(f"SELECT {ROWS} FROM trajectories_of({args}) ORDER BY ALL", params).fetchall()


async def test_one_step_gives_the_views_rows_of_that_step(tmp_path: Path) -> None:
    await log_steps(tmp_path, "p", "a")
    await log_steps(tmp_path, "p", "b")
    con = art.connect(tmp_path)
    one = macro_rows(con, "?, ?, ?, at_step := ?", ["p", "a", "train", 1])
    assert one == view_rows(con, "model = 'a' AND split = 'train' AND step = 1", [])
    assert [r[6] for r in one] == [1.25, 1.5]
    both_splits = macro_rows(con, "'p', 'a', at_step := 2", [])
    assert both_splits == view_rows(con, "model = 'a' AND step = 2", [])
    assert {r[2] for r in both_splits} == {"train", "val"}
    positional = macro_rows(con, "'p', 'b', 'val', 0", [])
    assert positional == view_rows(con, "model = 'b' AND split = 'val' AND step = 0", [])
    whole = macro_rows(con, "'p', 'a'", [])
    assert whole == view_rows(con, "model = 'a'", []) and len(whole) == 9


async def test_nothing_to_read_gives_no_rows_and_the_views_columns(tmp_path: Path) -> None:
    await log_steps(tmp_path, "p", "a", steps=2)
    con = art.connect(tmp_path)
    columns = [d[:2] for d in con.execute("SELECT * FROM trajectories LIMIT 0").description]
    for args, params in (
        ("'p', 'a', 'train', at_step := 7", []),
        ("'p', 'nobody'", []),
        ("?, ?, at_step := ?", ["q", "a", 0]),
        ("'p', 'a', 'test'", []),
        # the store's first file is p/a/train/0: of that model, and of the split when given
        ("'p', 'a', at_step := 7", []),
        ("'p', 'a', NULL, 7", []),
        ("?, ?, ?, at_step := ?", [None, "a", "train", 0]),
        ("?, ?, ?, at_step := ?", ["p", None, "train", 0]),
    ):
        cur = con.execute(f"SELECT * FROM trajectories_of({args})", params)
        assert cur.fetchall() == [] and [d[:2] for d in cur.description] == columns, args


@pytest.mark.parametrize("odd", ["*", "a?", "[a]", "a*"])
async def test_a_name_is_text_never_a_pattern(tmp_path: Path, odd: str) -> None:
    """A model named `*` (or `a?`, `[a]`) reads its own files only; `a` is never matched by it."""
    await log_steps(tmp_path, "p", "a", steps=2)
    await log_steps(tmp_path, "p", odd, steps=2)
    con = art.connect(tmp_path)
    for model in ("a", odd):
        for at_step in (None, 1):
            got = macro_rows(con, "'p', ?, at_step := ?", [model, at_step])
            want = view_rows(con, "model = ? AND (? IS NULL OR step = ?)", [model, at_step, at_step])
            assert got == want and got and {r[1] for r in got} == {model}, (model, at_step)
    assert macro_rows(con, "'p', 'x/../a'", []) == []
    assert macro_rows(con, "'p', '../p/models/a'", []) == []


async def test_a_store_holding_openpipe_art_v1_files_takes_at_step_too(tmp_path: Path) -> None:
    shutil.copytree(DATA / "art-0.5.9" / "art-fixture", tmp_path / "art-fixture")
    await log_steps(tmp_path, "p", "a", steps=2)
    con = art.connect(tmp_path)
    got = macro_rows(con, "'art-fixture', 'agent-run', 'train', at_step := 1", [])
    assert got and got == view_rows(con, "model = 'agent-run' AND split = 'train' AND step = 1", [])
    assert macro_rows(con, "'p', 'a', at_step := 1", []) == view_rows(con, "model = 'a' AND step = 1", [])


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT m.model, count(*) FROM models m, trajectories_of(m.project, m.model) GROUP BY ALL",
        "SELECT count(*) FROM trajectories_of('p', 'a', at_step := (SELECT max(step) FROM trajectory_files))",
        "SELECT count(*) FROM trajectories_of('p', model)",
        "SELECT count(*) FROM trajectories_of('p', 'a', split)",
    ],
)
async def test_arguments_that_are_not_constants_get_an_error_that_says_what_to_write(
    tmp_path: Path, statement: str
) -> None:
    """trajectories_of() picks its files when the query is bound: `art sql` and the dashboard's
    console say so (DuckDB's own error names read_parquet, which the user never wrote)."""
    await log_steps(tmp_path, "p", "a", steps=2)
    with pytest.raises(InvalidArgumentError, match="constants or bound parameters") as e:
        analysis.sql(tmp_path, statement)
    assert isinstance(e.value, ValueError)
    result = runner.invoke(app, ["sql", "--base-path", str(tmp_path), statement])
    assert result.exit_code == 2 and "filter the trajectories view instead" in result.output
    with pytest.raises(ConsoleError, match="constants or bound parameters"):
        run_console(tmp_path, statement)


@pytest.mark.parametrize("arguments", ["'p', 'a', split := 'train'", "'p', 'a', step := 1", "project := 'p'"])
async def test_arguments_by_the_wrong_name_get_the_signature(tmp_path: Path, arguments: str) -> None:
    """DuckDB's own error lists the macro's parameter names (p, m, s); ours gives the README's."""
    await log_steps(tmp_path, "p", "a", steps=2)
    statement = f"SELECT count(*) FROM trajectories_of({arguments})"
    with pytest.raises(InvalidArgumentError, match=r"\(project, model\[, split\]\[, at_step := N\]\)"):
        analysis.sql(tmp_path, statement)
    result = runner.invoke(app, ["sql", "--base-path", str(tmp_path), statement])
    assert result.exit_code == 2 and "at_step := 3" in result.output
    with pytest.raises(ConsoleError, match="the step by name"):
        run_console(tmp_path, statement)


@pytest.mark.parametrize("with_v1_files", [False, True])
@pytest.mark.parametrize("arguments", ["'p', model", "project, model", "'p', 'a', split"])
async def test_a_bare_column_as_an_argument_is_an_error_not_another_runs_rows(
    tmp_path: Path, arguments: str, with_v1_files: bool
) -> None:
    """`trajectories_of('p', model)` gave the store's first file (of any model: read_parquet took
    `model` as the text 'model', the filter as each row's own model); on a store with v1 files,
    every model of the project."""
    if with_v1_files:
        shutil.copytree(DATA / "art-0.5.9" / "art-fixture", tmp_path / "art-fixture")
    await log_steps(tmp_path, "other", "first", steps=1)
    await log_steps(tmp_path, "p", "a", steps=2)
    await log_steps(tmp_path, "p", "b", steps=2)
    con = art.connect(tmp_path)
    with pytest.raises(duckdb.BinderException, match="Referenced column"):
        con.sql(f"SELECT count(*) FROM trajectories_of({arguments})").fetchall()


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT model FROM (SELECT reward FROM trajectories_of('p', 'a'))",
        "SELECT step, avg(reward) FROM (SELECT reward FROM trajectories_of('p', 'a', 'val')) GROUP BY step",
    ],
)
async def test_a_missing_column_outside_the_arguments_is_not_blamed_on_them(
    tmp_path: Path, statement: str
) -> None:
    """The hint for a bare column as an argument named the arguments for any query that lacked
    a column called project, model, split or step: here the outer query does, not the call."""
    await log_steps(tmp_path, "p", "a", steps=2)
    with pytest.raises(duckdb.BinderException, match="Referenced column"):
        analysis.sql(tmp_path, statement)


# names a regular expression, LIKE or glob would take for others: each beside the names it
# would then match (a model whose name is a prefix of another's, too)
LOOKALIKES = [
    ("a.b", ["axb", "a.bc"]),
    ("a+", ["aa", "a"]),
    ("a_c", ["abc"]),
    ("a%", ["abc", "a%x"]),
    ("(a)|b", ["a", "b"]),
    ("a{2}", ["aa"]),
    ("^a$", ["a"]),
    ("é-ü", ["é-üx", "e-u"]),
    ("[a]", ["a"]),
    ("run", ["run-2", "run2"]),
]


@pytest.mark.parametrize(("name", "others"), LOOKALIKES)
async def test_a_name_with_regex_or_like_characters_matches_itself_alone(
    tmp_path: Path, name: str, others: list[str]
) -> None:
    """The step's files are found by a regular expression over the file list: a name in it is
    quoted, and ends at its folder's slash, so `a.b` never reads `axb`, nor `run` `run-2`."""
    for model in (name, *others):
        await log_steps(tmp_path, "p", model, steps=3)
    con = art.connect(tmp_path)
    for model in (name, *others):
        for split, at_step in (("train", 1), (None, 2), ("val", None), (None, None)):
            got = macro_rows(con, "'p', ?, ?, at_step := ?", [model, split, at_step])
            want = view_rows(
                con,
                "model = ? AND (? IS NULL OR split = ?) AND (? IS NULL OR step = ?)",
                [model, split, split, at_step, at_step],
            )
            assert got == want and got and {r[1] for r in got} == {model}, (model, split, at_step)


@pytest.mark.parametrize("project", ["p", "p.q", "p+"])
async def test_a_project_or_split_that_is_a_prefix_of_another_reads_its_own_files(
    tmp_path: Path, project: str
) -> None:
    for name in (project, f"{project}x"):
        m = Model(name="a", project=name, base_path=str(tmp_path), report_metrics=[])
        for step in range(2):
            for split in ("val", "val2", "v.l"):
                group = TrajectoryGroup([traj(step + len(name) + len(split) / 10)])
                await m.log([group], split=split, step=step)
    con = art.connect(tmp_path)
    for name in (project, f"{project}x"):
        for split in ("val", "v.l"):
            got = macro_rows(con, "?, 'a', ?, at_step := 1", [name, split])
            want = view_rows(con, "project = ? AND split = ? AND step = 1", [name, split])
            assert got == want and len(got) == 1, (name, split)


async def test_every_file_named_for_the_step_is_read_and_no_other(tmp_path: Path) -> None:
    """A step's file may be named with any number of leading zeros (the catalog lists ASCII-digit
    names): `5.parquet` and `00005.parquet` are step 5 as `0005.parquet` is, `0050.parquet`
    and `0015.parquet` are not."""
    await log_steps(tmp_path, "p", "a", steps=1)
    split = tmp_path / "p" / "models" / "a" / "trajectories" / "train"
    for name in ("5", "00005", "0050", "0015", "0000005"):
        shutil.copyfile(split / "0000.parquet", split / f"{name}.parquet")
    con = art.connect(tmp_path)
    for at_step in (5, 50, 15, 0, 1):
        got = macro_rows(con, "'p', 'a', 'train', at_step := ?", [at_step])
        assert got == view_rows(con, "model = 'a' AND split = 'train' AND step = ?", [at_step]), at_step
    names = {Path(r[7]).name for r in macro_rows(con, "'p', 'a', at_step := 5", [])}
    assert names == {"5.parquet", "00005.parquet", "0000005.parquet"}


@pytest.mark.parametrize("at_step", ["2.5", "-1", "1e30"])
async def test_a_step_no_file_is_named_for_gives_no_rows(tmp_path: Path, at_step: str) -> None:
    await log_steps(tmp_path, "p", "a", steps=3)
    con = art.connect(tmp_path)
    got = con.execute(f"SELECT count(*) FROM trajectories_of('p', 'a', at_step := {at_step})").fetchone()
    assert got == (0,)


@pytest.mark.parametrize("files", [1, 4])
async def test_no_file_of_the_step_under_a_non_ascii_store_path_gives_no_rows(
    tmp_path: Path, files: int
) -> None:
    """With no file of its own, trajectories_of() is given the list's first file (its rows
    refused), found by position in the list's text; under a store path with non-ASCII letters,
    and when the list holds one file (no separator at all). The first file's own step is read
    once."""
    base = tmp_path / "störe-ü"
    m = Model(name="é", project="ä", base_path=str(base), report_metrics=[])
    for step in range(files):
        await m.log([TrajectoryGroup([traj(step + 0.5)])], split="train", step=step)
    con = art.connect(base)
    for args in ("'ä', 'é', 'train', at_step := 9", "'ä', 'x', 'train', at_step := 0", "'ä', 'é', 'val'"):
        assert con.execute(f"SELECT * FROM trajectories_of({args})").fetchall() == [], args
    first = macro_rows(con, "'ä', 'é', 'train', at_step := 0", [])
    assert first == view_rows(con, "step = 0", []) and len(first) == 1
