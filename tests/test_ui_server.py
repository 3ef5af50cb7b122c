"""The dashboard's HTTP surface: GET only, checked parameters, a token off loopback, headers,
and the same answers on a DuckLake store as on local files."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import art
from art.cli import app
from art.errors import InvalidArgumentError, PortInUseError
from art.ui.data import trajectories
from art.ui.server import create_app, listening_sockets, serve
from bench.ui_store import build_showcase
from tests.conftest import traj
from tests.servers import ServerUnavailable, free_port, local_lake, wait_for_port
from tests.ui_support import chromium, ui_server


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ui") / ".art"
    asyncio.run(build_showcase(base))
    return base


@pytest.fixture(scope="module")
def url(store: Path) -> Iterator[str]:
    with ui_server(store) as u:
        yield u


def get(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("api/steps?project=..&model=tools", "project"),
        ("api/steps?project=agents&model=a%2Fb", "model"),
        ("api/trajectories?project=agents&model=tools&split=val&step=1%3B%20DROP", "step"),
        ("api/runs?window=0", "window"),
        ("api/runs?mode=avg", "mode"),
        ("api/curves?run=agents", "run"),
        ("api/runs?metric=" + "x" * 300, "metric"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(url: str, path: str, field: str) -> None:
    status, _, body = get(url + path)
    assert status == 400
    assert f"invalid {field}" in json.loads(body)["error"]


def test_no_endpoint_accepts_a_write_method(url: str) -> None:
    for path in ("", "api/runs", "api/sql?q=SELECT%201", "static/app.js"):
        for method in ("POST", "PUT", "DELETE"):
            assert get(url + path, method)[0] == 405


def test_pages_carry_a_strict_content_security_policy(url: str) -> None:
    status, headers, body = get(url)
    assert status == 200 and b"/static/app.js" in body
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_static_files_are_cached_by_content_hash(url: str) -> None:
    status, headers, body = get(url)
    assert headers["cache-control"] == "no-cache"
    assert get(url, headers={"If-None-Match": headers["etag"]})[0] == 304
    scripts = re.findall(r'src="/(static/app\.js\?v=[0-9a-f]+)"', body.decode())
    assert len(scripts) == 1
    status, headers, script = get(url + scripts[0])
    assert status == 200 and "immutable" in headers["cache-control"]
    assert scripts[0].endswith(hashlib.sha256(script).hexdigest()[:12])  # a new file gets a new URL
    status, headers, _ = get(url + "static/app.js")
    assert headers["cache-control"] == "no-cache"
    assert get(url + "static/app.js", headers={"If-None-Match": headers["etag"]})[0] == 304


def test_one_request_fills_the_trajectory_pickers(url: str) -> None:
    picks = json.loads(get(url + "api/steps")[2])
    assert picks["runs"] == ["agents/plain", "agents/tools"]
    assert (picks["project"], picks["model"]) == ("agents", "plain")  # the first, when none is asked for
    picks = json.loads(get(url + "api/steps?project=agents&model=tools")[2])
    # its train split logged a loss at each step and no trajectories: no step there to show
    assert picks["splits"] == {"val": [5, 4, 3, 2, 1, 0]}
    picks = json.loads(get(url + "api/steps?project=agents&model=plain")[2])
    assert (picks["model"], picks["splits"]) == ("plain", {})  # metrics only


def test_a_damaged_step_file_is_offered_and_its_page_says_why(tmp_path: Path) -> None:
    """The views leave a file that cannot be read out, so its step page would be empty: the
    picker offers the step with the reason, and the page shows it."""
    base = tmp_path / "store"
    m = art.Model(name="m", project="p", base_path=str(base), report_metrics=[])
    for step in range(2):
        asyncio.run(m.log([art.TrajectoryGroup([traj(0.5)])], split="val", step=step))
    m.store.flush()
    damaged = base / "p/models/m/trajectories/val/0001.parquet"
    damaged.write_bytes(damaged.read_bytes()[:100])
    with ui_server(base) as u, chromium() as browser:
        picks = json.loads(get(u + "api/steps")[2])
        assert picks["splits"] == {"val": [1, 0]}
        assert list(picks["unreadable"]) == ["val"] and list(picks["unreadable"]["val"]) == ["1"]
        assert "0001.parquet" in picks["unreadable"]["val"]["1"]
        page = browser.new_page()
        page.goto(u + "#/trajectories?run=p/m&split=val&step=1")
        assert "0001.parquet" in page.locator("#traj-unreadable").inner_text()


def test_the_console_refuses_writes_and_files_outside_the_store(url: str) -> None:
    # (an in-memory CREATE TABLE is allowed: it lands in the request's own connection)
    for q in ("SELECT * FROM read_text('/etc/passwd')", "COPY (SELECT 1) TO '/tmp/x.csv'", "SET threads = 1",
              "ATTACH '/tmp/x.duckdb'"):
        status, _, body = get(url + "api/sql?" + urllib.parse.urlencode({"q": q}))
        assert status == 400, q
        assert "root:" not in body.decode()


def test_the_consoles_csv_is_the_clis(url: str, store: Path) -> None:
    """One cell format for `art sql --csv` and the dashboard's download: NaN stays `nan` (an
    empty cell is NULL; a NaN reward is stored on purpose), maps and lists are JSON."""
    q = "SELECT 'nan'::DOUBLE AS x, '-inf'::DOUBLE AS y, NULL::DOUBLE AS z, MAP {'a': 1} AS m, [1.5, 2] AS l"
    status, _, body = get(url + "api/sql?" + urllib.parse.urlencode({"q": q, "format": "csv"}))
    cli = CliRunner().invoke(app, ["sql", q, "--csv", "--base-path", str(store)])
    assert status == 200 and cli.exit_code == 0
    assert body.decode().splitlines() == cli.stdout.splitlines()
    assert body.decode().splitlines()[1] == 'nan,-inf,,"{""a"": 1}","[1.5, 2]"'


def test_a_host_off_loopback_needs_a_token(store: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="host"):
        serve(store, host="0.0.0.0", port=1)
    out = subprocess.run([sys.executable, "-m", "art", "ui", "--base-path", str(store), "--host", "0.0.0.0"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "--token" in out.stderr  # bad usage


def test_a_port_in_use_is_an_error_that_says_so(store: Path) -> None:
    """Not uvicorn's log line after a "serving" line: one line naming the port, exit 1."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"port {port}"):
            serve(store, port=port)
        out = subprocess.run(
            [sys.executable, "-m", "art", "ui", "--base-path", str(store), "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )
    assert out.returncode == 1, out
    assert out.stderr.startswith(f"error: art ui cannot listen on 127.0.0.1 port {port}")
    assert "--port" in out.stderr
    assert "serving" not in out.stdout and "Traceback" not in out.stderr


def test_ctrl_c_stops_the_dashboard_cleanly_and_frees_its_port(store: Path) -> None:
    port = free_port()
    cli = [sys.executable, "-m", "art", "ui", "--base-path", str(store), "--host", "localhost"]
    pipe = subprocess.PIPE
    proc = subprocess.Popen([*cli, "--port", str(port)], stdout=pipe, stderr=pipe, text=True)
    try:
        wait_for_port(port, 30)  # localhost: every address it resolves to (127.0.0.1 here)
        deadline = time.monotonic() + 30
        while get(f"http://127.0.0.1:{port}/api/runs")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)  # the port listens before uvicorn serves: Ctrl-C while it serves
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0 and err == "" and f"localhost:{port}/" in out
    listening_sockets("127.0.0.1", port)[0].close()  # the port is free again


def test_with_a_token_every_request_needs_it(store: Path) -> None:
    with ui_server(store, "--token", "s3cret") as u:
        assert get(u + "api/runs")[0] == 401
        assert get(u + "api/runs?token=wrong")[0] == 401
        status, headers, _ = get(u + "?token=s3cret")
        assert status == 200 and "art_token=s3cret" in headers["set-cookie"]
        assert get(u + "api/runs", headers={"Cookie": "art_token=s3cret"})[0] == 200


@pytest.mark.slow
def test_a_ducklake_store_gives_the_same_answers(store: Path, tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    try:
        with local_lake(tmp_path) as lake:
            asyncio.run(build_showcase(tmp_path / "unused", store=lake))
            local, remote = TestClient(create_app(store)), TestClient(create_app(lake))
            for path in ("/api/curves?run=agents/tools&window=2", "/api/steps?project=agents&model=tools",
                         "/api/trajectories?project=agents&model=tools&split=val&step=3"):
                theirs, ours = remote.get(path).json(), local.get(path).json()
                assert _without_wall_time(theirs) == _without_wall_time(ours), path
            runs = {(r["project"], r["model"]): r for r in remote.get("/api/runs?window=2").json()["runs"]}
            assert runs["agents", "tools"]["best_step"] == 5 and runs["agents", "tools"]["exceptions"] == 6
            assert remote.get("/api/sql?q=SELECT%20count(*)%20AS%20n%20FROM%20runs").json()["rows"] == [[2]]
    except ServerUnavailable as e:
        pytest.fail(f"DuckLake servers cannot start here: {e}")


def _without_wall_time(answer: dict) -> dict:  # type: ignore[type-arg]
    """The local showcase's models are registered with a LocalBackend, which adds wall-clock
    `time/*` metrics to train steps (as ART's does); the lake's are not registered."""
    for run in [r for r in answer.get("runs", []) if isinstance(r, dict)]:
        for name in [m for m in run.get("metrics") or {} if m.startswith("time/")]:
            del run["metrics"][name]
    return answer


def test_the_runs_page_and_art_runs_show_the_same_differing_config(tmp_path: Path) -> None:
    """One rule: among the runs that have a config, the (flattened) keys whose values differ. A
    run without one was counted as differing by the page and not by `art runs`."""
    base = tmp_path / "store"

    async def log() -> None:
        for name in ("bare", "a", "b"):
            m = art.Model(name=name, project="p", base_path=str(base), report_metrics=[])
            await m.log([art.TrajectoryGroup([traj(1.0)])], split="val", step=0)

    asyncio.run(log())
    configs = {"a": {"lr": 0.1, "group": 8, "opt": {"beta": 0.9}}, "b": {"lr": 0.2, "group": 8}}
    for name, config in configs.items():
        (base / "p/models" / name / "model.json").write_text(json.dumps({"name": name, "config": config}))
    cli = json.loads(CliRunner().invoke(app, ["runs", "--json", "--base-path", str(base)]).stdout)
    shown = {r["model"]: {k[7:]: v for k, v in r.items() if k.startswith("config.")} for r in cli}
    with ui_server(base) as u:
        page = json.loads(get(u + "api/runs")[2])
    assert page["config_keys"] == sorted(shown["a"]) == ["lr", "opt.beta"]
    for r in page["runs"]:
        want = {k: (None if v is None else json.dumps(v)) for k, v in shown[r["model"]].items()}
        assert r["config"] == ({} if r["model"] == "bare" else want), r["model"]


def test_a_nan_reward_is_shown_last_in_its_group_not_best(tmp_path: Path) -> None:
    """DuckDB sorts NaN above every number: "best first" put it first."""
    base = tmp_path / "store"
    m = art.Model(name="m", project="p", base_path=str(base), report_metrics=[])
    with pytest.warns(UserWarning, match="reward is NaN"):
        group = art.TrajectoryGroup([traj(0.5), traj(float("nan")), traj(0.9)])
    asyncio.run(m.log([group], split="val", step=0))
    [shown] = trajectories(art.connect(base), "p", "m", "val", 0)["groups"]
    rewards = [t["reward"] for t in shown["trajectories"]]
    assert rewards[:2] == [0.9, 0.5] and (rewards[2] is None or rewards[2] != rewards[2])
