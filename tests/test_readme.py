"""Every code block in README.md runs, as extracted from the README itself (so it cannot drift).

How a block runs is declared by an HTML comment on the line before its fence:

- no comment, ```python or ```bash: the `reader` context. One temp folder shared by the whole
  README in order, as a reader following it top to bottom would have: python blocks run as
  `python -c`, bash blocks with `bash -e`, cwd = that folder, the venv's `bin` first on PATH.
- `<!-- readme: setup -->`: the set-up commands, split on `&&`. The test's interpreter is
  already the venv they create, so `python3 -m venv .venv` and `. .venv/bin/activate` are
  skipped; `pip install -e ".[X,Y]"` is checked instead of run (no network in tests): every
  extra must exist in pyproject.toml and every requirement it brings must be installed here;
  `python -m pytest ...` becomes `python -m pytest --collect-only -q -n 0` (the suite cannot
  run inside itself); `ruff ...` and `bash bench/...` run in the repository (once each: a
  later block's same command is not run again); anything else runs in the reader folder.
- `<!-- readme: lake -->`: the reader context plus a DuckLake on PostgreSQL and S3 started on
  127.0.0.1 (tests/servers.py), named by the ART_LAKE_* / AWS_* variables the README lists.
- `<!-- readme: output-of COMMAND -->` on a ```text block: COMMAND runs in a folder of its
  own (a clean machine; a second block with the same COMMAND sees the first one's run) and
  its output must match the block line by line, a line `  ...` standing for the rest.
- `<!-- readme: server URL -->`: a command that serves until stopped (`art ui`): it runs in the
  reader folder until URL answers 200, then it is stopped; it must answer within a minute.
- ```text blocks without a comment are diagrams and layouts: not run.

Any other fence language, or a marker this test does not know, fails the test.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
FENCE = re.compile(
    r"(?:<!--\s*readme:\s*(?P<marker>[^>]*?)\s*-->\s*\n)?^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```\s*$",
    re.M | re.S,
)
CONTEXTS = ("reader", "setup", "lake", "lake-sql", "output-of", "server")


@dataclass(frozen=True)
class Block:
    line: int
    lang: str
    context: str
    argument: str
    body: str

    @property
    def id(self) -> str:
        return f"L{self.line}-{self.lang}-{self.context}"


def blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        marker = (m["marker"] or "").split(maxsplit=1)
        context = marker[0] if marker else ("reader" if m["lang"] != "text" else "diagram")
        line = text.count("\n", 0, m.start("lang")) + 1
        out.append(Block(line, m["lang"], context, marker[1] if len(marker) > 1 else "", m["body"]))
    return out


BLOCKS = blocks()


def test_every_block_declares_a_known_way_to_run() -> None:
    for b in BLOCKS:
        assert b.lang in ("python", "bash", "text") or (b.lang, b.context) == ("sql", "lake-sql"), (
            f"README line {b.line}: fence language {b.lang!r}"
        )
        assert b.context in (*CONTEXTS, "diagram"), f"README line {b.line}: unknown marker {b.context!r}"
        assert (b.lang == "text") == (b.context in ("output-of", "diagram")), f"README line {b.line}"
    assert sum(b.lang != "text" for b in BLOCKS) >= 5


@pytest.fixture(scope="module")
def reader_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reader")


def env_for(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.update({"COLUMNS": "100", "MPLBACKEND": "Agg", **(extra or {})})
    return env


def run(block: Block, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-c", block.body] if block.lang == "python" else ["bash", "-e", "-c", block.body]
    out = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"README line {block.line} failed:\n{out.stdout}\n{out.stderr}"
    return out


def check_install(command: str) -> None:
    """`pip install -e ".[a,b]"`: the extras exist and everything they require is installed."""
    target = shlex.split(command)[-1]
    extras = re.fullmatch(r"\.(?:\[([\w,-]+)\])?", target)
    assert extras, f"unexpected install target {target!r}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in (extras[1] or "").split(",") if extras[1] else []:
        assert extra in project["optional-dependencies"], f"no extra {extra!r} in pyproject.toml"
        wanted += project["optional-dependencies"][extra]
    for spec in wanted:
        req = Requirement(spec)
        if req.name == project["name"]:
            continue
        version = metadata.version(req.name)
        assert req.specifier.contains(version, prereleases=True), (spec, version)


_repository_commands_passed: set[str] = set()


def run_setup(block: Block, reader: Path) -> None:
    for command in (c.strip() for c in block.body.replace("\n", " ").split("&&")):
        if command in ("python3 -m venv .venv", ". .venv/bin/activate"):
            continue
        if command.startswith("pip install"):
            check_install(command)
            continue
        if command.startswith("python -m pytest"):
            command = "python -m pytest --collect-only -q -p no:cacheprovider -n 0"
        in_repository = command.startswith(("ruff", "python -m pytest", "bash bench/"))
        if in_repository and command in _repository_commands_passed:
            continue  # the same command on the same repository: it passed for an earlier block
        cwd = ROOT if in_repository else reader
        out = subprocess.run(command, shell=True, cwd=cwd, env=env_for(), capture_output=True, text=True)
        assert out.returncode == 0, f"README line {block.line}: {command}\n{out.stdout}\n{out.stderr}"
        if in_repository:
            _repository_commands_passed.add(command)


@pytest.fixture(scope="module")
def lake_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    from .servers import ServerUnavailable, local_lake

    workdir = tmp_path_factory.mktemp("readme-lake")
    try:
        with local_lake(workdir) as lake:
            s3 = lake.s3
            assert s3 is not None
            yield {
                "ART_LAKE_CATALOG": lake.catalog,
                "ART_LAKE_DATA_PATH": lake.data_path,
                "AWS_ACCESS_KEY_ID": s3.key_id,
                "AWS_SECRET_ACCESS_KEY": s3.secret,
                "AWS_REGION": s3.region,
                "ART_S3_ENDPOINT": s3.endpoint,
                "ART_S3_URL_STYLE": s3.url_style,
                "ART_S3_USE_SSL": str(s3.use_ssl).lower(),
                "ART_DUCKDB_EXTENSION_DIR": str(workdir / "ext"),
            }
    except ServerUnavailable as e:
        pytest.fail(f"the README's lake blocks need PostgreSQL here: {e}")


_output_dirs: dict[str, Path] = {}


def check_output(block: Block, tmp_path_factory: pytest.TempPathFactory) -> None:
    if block.argument not in _output_dirs:
        _output_dirs[block.argument] = tmp_path_factory.mktemp("output-of")
    cwd = _output_dirs[block.argument]
    out = subprocess.run(block.argument, shell=True, cwd=cwd, env=env_for(), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    expected, actual = block.body.splitlines(), out.stdout.splitlines()
    for i, line in enumerate(expected):
        if line.strip() == "...":
            return
        assert i < len(actual) and actual[i] == line, f"README line {block.line + 1 + i}:\n{out.stdout}"
    assert len(actual) == len(expected), f"README line {block.line}: more output than shown:\n{out.stdout}"


def check_server(block: Block, cwd: Path) -> None:
    proc = subprocess.Popen(
        ["bash", "-e", "-c", block.body], cwd=cwd, env=env_for(), stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, (
                f"README line {block.line} exited: {proc.stderr.read() if proc.stderr else ''}"
            )
            try:
                with urllib.request.urlopen(block.argument, timeout=2) as response:
                    assert response.status == 200
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"README line {block.line}: nothing answered at {block.argument}")
    finally:
        proc.terminate()
        proc.wait(10)


# lake-sql blocks (SQL for psql) are run by tests/lake/test_readme.py, as the role they name
@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.context not in ("diagram", "lake-sql")], ids=lambda b: b.id
)
def test_readme_block_runs(
    block: Block, reader_dir: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> None:
    """Blocks run in README order; `reader` blocks see what earlier ones wrote."""
    if block.context == "setup":
        run_setup(block, reader_dir)
    elif block.context == "output-of":
        check_output(block, tmp_path_factory)
    elif block.context == "server":
        check_server(block, reader_dir)
    elif block.context == "lake":
        run(block, reader_dir, env_for(request.getfixturevalue("lake_env")))
    else:
        run(block, reader_dir, env_for())
