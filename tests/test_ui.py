"""`art ui` in a real headless Chromium: each page shows what SQL over the same store says."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import art
from art import analysis
from art.demo import run_demo
from bench.ui_store import XSS, build_large, build_showcase
from tests.conftest import DATA, traj
from tests.ui_support import chromium, ui_server

DOCS_CLIP = {"x": 0, "y": 0, "width": 1400, "height": 760}


def run_async(coro) -> object:  # type: ignore[no-untyped-def]
    """Playwright's sync API runs an event loop in this thread: log from another one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ui") / ".art"
    run_async(run_demo(base, steps=30, smoothing_window=3, seed=7))
    run_async(build_showcase(base))
    return base


@pytest.fixture(scope="module")
def url(store: Path) -> Iterator[str]:
    with ui_server(store) as u:
        yield u


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    # Without the page's CSP: the test evaluates JS strings, and the XSS checks then show that
    # escaping alone keeps hostile text inert (the CSP is a second fence).
    p = browser.new_page(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    yield p
    p.close()
    assert errors == [], errors


def drawn(page, metric: str) -> None:  # type: ignore[no-untyped-def]
    """Charts draw when they scroll into view: wait until this one is."""
    page.wait_for_function("m => !!(window.artCharts && artCharts[m])", arg=metric)


def cells(page, run: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    heads = page.locator("#runs-table thead th").all_inner_texts()
    values = page.locator(f'#runs-table tr[data-run="{run}"] td').all_inner_texts()
    return dict(zip(heads, values, strict=True))


def test_runs_page_shows_what_sql_says(page, url: str, store: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "#/runs?window=3")
    page.wait_for_selector('#runs-table tr[data-run="demo/arith-seed7"]')
    row = cells(page, "demo/arith-seed7")
    (runs_row,) = art.connect(store).sql("SELECT * FROM runs WHERE project = 'demo'").fetchall()
    cols = [d[0] for d in art.connect(store).sql("SELECT * FROM runs").description]
    expected = dict(zip(cols, runs_row, strict=True))
    assert row["last"] == str(expected["last_step"])
    assert row["log calls"] == str(expected["log_calls"])
    assert row["trajectories"] == str(expected["trajectories"])
    best = analysis.best_step(store, "demo", "arith-seed7", "val/reward", window=3).rows[0]
    assert row["best val/reward (w=3)"] == f"{best[1]:.4g} @{best[0]}"
    assert cells(page, "agents/tools")["exceptions"] == "6"
    assert cells(page, "agents/tools")["lr"] != cells(page, "agents/plain")["lr"]  # config that differs
    page.screenshot(path=tmp_path / "runs.png", clip=DOCS_CLIP)  # docs/ui-runs.png
    page.select_option("#project-filter", "agents")
    page.wait_for_function("document.querySelectorAll('#runs-table tbody tr').length === 2")


def test_runs_page_offers_the_metrics_that_exist(page, url: str, store: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "#/runs")
    page.wait_for_selector('#runs-table tr[data-run="agents/tools"]')
    names = art.connect(store).sql("SELECT DISTINCT metric FROM history ORDER BY metric").fetchall()
    assert page.locator("#metric option").all_inner_texts() == [m for (m,) in names]
    page.select_option("#mode", "min")
    page.select_option("#metric", "train/loss")
    page.locator("#runs-table th", has_text="best train/loss").wait_for()
    best = analysis.best_step(store, "agents", "tools", "train/loss", mode="min").rows[0]
    assert cells(page, "agents/tools")["best train/loss (w=1)"] == f"{best[1]:.4g} @{best[0]}"
    assert cells(page, "agents/plain")["best train/loss (w=1)"] == ""  # it logged no loss
    assert page.locator("#metric-notice").count() == 0
    page.goto(url + "#/runs?metric=val/rewrd")  # a typo in a link: an empty column, said so
    notice = page.locator("#metric-notice")
    notice.wait_for()
    assert notice.inner_text() == "No run in this store logged val/rewrd; pick a metric above."


@pytest.mark.parametrize("version", ["art-0.5.9", "art-0.5.23"])
def test_a_store_written_by_openpipe_art(browser, tmp_path: Path, version: str) -> None:  # type: ignore[no-untyped-def]
    base = tmp_path / version
    shutil.copytree(DATA / version / "art-fixture", base / "art-fixture")
    con = art.connect(base)
    run = "art-fixture/agent-run"
    with ui_server(base) as u:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(u + "#/runs")
        page.wait_for_selector(f'#runs-table tr[data-run="{run}"]')
        row = cells(page, run)
        last, calls, trajectories = con.sql("SELECT last_step, log_calls, trajectories FROM runs").fetchone()
        shown = (row["last"], row["log calls"], row["trajectories"])
        assert shown == (str(last), str(calls), str(trajectories))
        best = analysis.best_step(base, "art-fixture", "agent-run", "val/reward").rows[0]
        assert row["best val/reward (w=1)"] == f"{best[1]:.4g} @{best[0]}"

        page.goto(u + f"#/curves?run={run}")
        caption = page.locator('.chart[data-metric="val/reward"] .best')
        caption.filter(has_text=f"best step {best[0]} ").wait_for()
        drawn(page, "val/reward")
        loss_steps = con.sql(
            "SELECT DISTINCT step FROM history WHERE metric = 'train/loss' ORDER BY step").fetchall()
        page.locator('.chart[data-metric="train/loss"]').scroll_into_view_if_needed()
        drawn(page, "train/loss")
        assert page.evaluate("artCharts['train/loss'].data[0]") == [s for (s,) in loss_steps]

        page.goto(u + f"#/trajectories?run={run}&split=val&step=2")
        (n,) = con.sql("SELECT count(*) FROM trajectories WHERE split = 'val' AND step = 2").fetchone()
        page.locator("#traj-count").filter(has_text=f"{n} trajectories in ").wait_for()
        with_tools = page.locator(".group li").filter(has_text="-0.6514")
        with_tools.get_by_role("button", name="A").click()
        page.locator("#pane-a .tool-call .fn").filter(has_text="lookup").wait_for()
        (messages,) = con.sql("SELECT messages FROM trajectories WHERE split = 'val' AND step = 2 "
                              "AND round(reward, 4) = -0.6514").fetchone()
        (call_id,) = [m["tool_call_id"] for m in messages if m["role"] == "tool"]
        assert page.locator("#pane-a .tool-call .call-id").inner_text() == call_id
        assert page.locator("#pane-a .msg.tool .call-id").inner_text() == f"→ {call_id}"
        page.screenshot(path=tmp_path / f"{version}.png", full_page=True)
        page.close()


def test_window_and_compare_change_the_chart(page, url: str, store: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "#/curves?run=demo/arith-seed7&window=1")
    caption = page.locator('.chart[data-metric="val/reward"] .best')
    best1 = analysis.best_step(store, "demo", "arith-seed7", "val/reward", window=1).rows[0][0]
    best3 = analysis.best_step(store, "demo", "arith-seed7", "val/reward", window=3).rows[0][0]
    assert best1 != best3
    caption.filter(has_text=f"best step {best1} ").wait_for()
    drawn(page, "val/reward")
    smoothed = "artCharts['val/reward'].data[2].filter(v => v !== null)"
    raw = page.evaluate(smoothed)
    page.fill("#window", "3")
    page.press("#window", "Enter")
    caption.filter(has_text=f"best step {best3} ").wait_for()
    drawn(page, "val/reward")
    series = analysis.history(store, "demo", "arith-seed7", metric="val/reward", window=3).rows
    assert page.evaluate(smoothed) == pytest.approx([r[4] for r in series])
    assert page.evaluate(smoothed) != pytest.approx(raw)

    page.goto(url + "#/runs")
    for run in ("agents/tools", "agents/plain"):
        page.check(f'#runs-table tr[data-run="{run}"] input[type=checkbox]')
    page.click("#compare")
    chart = page.locator('.chart[data-metric="val/reward"]')
    chart.locator(".best").nth(1).wait_for()
    drawn(page, "val/reward")
    assert page.evaluate("artCharts['val/reward'].series.length") == 1 + 2 * 3  # raw, smoothed, best per run
    assert page.locator('.section[data-section="val"]').count() == 1
    assert page.locator('.section[data-section="train"]').count() == 1
    page.screenshot(path=tmp_path / "curves.png")


def test_a_curve_point_opens_that_steps_trajectories(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "#/curves?run=agents/tools")
    over = page.locator('.chart[data-metric="val/reward"] .u-over')
    over.wait_for()
    box = over.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    page.wait_for_function("location.hash.startsWith('#/trajectories')")
    assert "step=5" in page.evaluate("location.hash") and "split=val" in page.evaluate("location.hash")
    page.locator("#pane-a .transcript").wait_for()


@pytest.mark.parametrize("runs", [["demo/no-such-run"], ["demo/no-such-run", "agents/tools"]])
def test_a_run_the_store_does_not_hold_is_named_not_a_blank_page(page, url: str, runs: list[str]) -> None:  # type: ignore[no-untyped-def]
    """A curves link to a run this store lacks (a typo, another store's link) drew an empty page."""
    page.goto(url + "#/curves?" + "&".join(f"run={r}" for r in runs))
    notice = page.locator("#curves-notice")
    notice.wait_for()
    assert notice.inner_text() == "Nothing logged for demo/no-such-run in this store."
    if len(runs) > 1:
        drawn(page, "val/reward")


def test_a_metrics_only_step_is_not_offered(page, url: str, store: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The demo logs each train step's trajectories, then its training metrics at the next
    step: the last train step holds only metrics. It is not offered as an empty page."""
    last = art.connect(store).sql(
        "SELECT max(step) FROM history WHERE model = 'arith-seed7' AND split = 'train'").fetchone()[0]
    page.goto(url + f"#/trajectories?run=demo/arith-seed7&split=train&step={last}")
    page.locator("#pane-a .transcript").wait_for()
    assert page.locator("#traj-notice").inner_text() == (
        f"train step {last} has no trajectories; showing train step {last - 1}.")
    assert page.locator("#pick-step").input_value() == str(last - 1)
    assert str(last) not in page.locator("#pick-step option").all_inner_texts()
    page.goto(url + "#/curves?run=agents/tools")  # tools logs train/loss only, val trajectories
    over = page.locator('.chart[data-metric="train/loss"] .u-over')
    over.scroll_into_view_if_needed()
    drawn(page, "train/loss")
    box = over.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    notice = "train step 5 has no trajectories; showing val step 5."
    page.locator("#traj-notice").filter(has_text=notice).wait_for()
    page.locator("#pane-a .transcript").wait_for()
    page.screenshot(path=tmp_path / "nearest-step.png")
    page.goto(url + "#/trajectories?run=agents/plain")  # metrics only
    assert page.locator("#traj-none").inner_text() == "No trajectories logged for this run (only metrics)."
    page.screenshot(path=tmp_path / "metrics-only.png")


def test_a_link_to_a_step_written_otherwise_shows_it_without_a_notice(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """`step=03` names step 3, which has trajectories: it is shown, and nothing says it has none."""
    page.goto(url + "#/trajectories?run=agents/tools&split=val&step=03")
    page.locator("#pane-a .transcript").wait_for()
    assert page.locator("#pick-step").input_value() == "3"
    assert page.locator("#traj-notice").count() == 0


def test_transcript_shows_tool_calls_and_hostile_text_stays_text(page, url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "#/trajectories?run=agents/tools&split=val&step=3")
    pane = page.locator("#pane-a")
    pane.locator(".tool-call").wait_for()
    assert pane.locator(".tool-call .fn").inner_text() == "search_inbox"
    assert json.loads(pane.locator(".tool-call pre").inner_text()) == {"query": "invoice", "limit": 3}
    assert pane.locator(".msg.tool .call-id").inner_text() == "→ call_1"
    assert pane.locator(".msg.assistant.trainable").count() == 2
    assert pane.locator(".msg.user .content").inner_text() == XSS  # shown as text, not run
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.scripts.length") == 7
    assert "0.8" in pane.locator("h3").inner_text()  # the best of the group is on the left
    assert "0.1" in page.locator("#pane-b h3").inner_text()  # the worst on the right
    assert "TimeoutError" in page.locator(".group .exception").inner_text()
    page.screenshot(path=tmp_path / "trajectories.png", clip=DOCS_CLIP)  # docs/ui-trajectories.png


def test_trajectory_filters(page, url: str, store: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "#/trajectories?run=demo/arith-seed7&split=val&step=4")
    count = page.locator("#traj-count")
    n = art.connect(store).sql(
        "SELECT count(*) FROM trajectories WHERE model = 'arith-seed7' AND split = 'val' AND step = 4"
    ).fetchone()[0]
    count.filter(has_text=f"{n} trajectories").wait_for()
    adds = art.connect(store).sql(
        "SELECT count(*) FROM trajectories WHERE model = 'arith-seed7' AND split = 'val' AND step = 4 "
        "AND (metadata->>'strategy') = 'add' AND reward >= 0.5"
    ).fetchone()[0]
    page.fill("#meta-filter", "strategy=add")
    page.fill("#reward-min", "0.5")
    page.press("#reward-min", "Enter")
    count.filter(has_text=f"{adds} trajectories").wait_for()
    assert adds < n


def test_sql_console_shows_rows_downloads_csv_and_stays_in_the_store(page, url: str, store: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "#/sql")
    page.fill("#sql-text", "SELECT model, count(*) AS n FROM trajectories GROUP BY model ORDER BY model")
    page.click("#sql-run")
    # this query's table (column `n`), not the page's first query's, whatever answers first
    page.locator("#sql-table thead th").filter(has_text=re.compile(r"^n$")).wait_for()
    expected = art.connect(store).sql(
        "SELECT model, count(*) FROM trajectories GROUP BY model ORDER BY model").fetchall()
    rows = [r.split("\t") for r in page.locator("#sql-table tbody tr").all_inner_texts()]
    assert rows == [[m, str(n)] for m, n in expected]
    href = page.get_attribute("#sql-csv", "href")
    with urllib.request.urlopen(url.rstrip("/") + href) as r:
        assert r.read().decode().splitlines()[1:] == [f"{m},{n}" for m, n in expected]
    for hostile in ("SELECT * FROM read_text('/etc/passwd')", "COPY runs TO '/tmp/out.csv'",
                    f"SELECT * FROM read_text('{store}/../../etc/passwd')"):
        page.fill("#sql-text", hostile)
        page.click("#sql-run")
        page.locator("#sql-out .error").wait_for()
        assert "root:" not in page.locator("#sql-out").inner_text()


def test_an_open_page_shows_new_steps(page, url: str, store: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "#/curves?run=agents/plain")
    drawn(page, "val/reward")
    assert page.evaluate("Math.max(...artCharts['val/reward'].data[0])") == 5
    model = art.Model(name="plain", project="agents", base_path=str(store))
    run_async(model.log(None, "val", metrics={"reward": 0.95}, step=6))
    page.wait_for_function("(artCharts['val/reward']?.data[0] ?? []).includes(6)", timeout=6000)


@pytest.mark.slow
def test_large_store_downsamples_and_keeps_the_best_step_exact(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = tmp_path / ".art"
    run_async(build_large(base, runs=3, steps=1000, metrics=30, trajectories=256))
    with ui_server(base) as u:
        page = browser.new_page(viewport={"width": 1400, "height": 900}, bypass_csp=True)
        page.goto(u + "#/curves?run=proj-0/run-000&run=proj-1/run-001&run=proj-2/run-002&window=5")
        page.locator('.chart[data-metric="val/reward"] .best').nth(2).wait_for()
        metrics = art.connect(base).execute(
            "SELECT count(DISTINCT metric) FROM history WHERE model IN ('run-000', 'run-001', 'run-002')"
        ).fetchone()[0]
        assert metrics >= 30 and page.locator(".chart").count() == metrics  # one chart per metric
        drawn(page, "val/reward")
        shown = page.evaluate("artCharts['val/reward'].data[0].length")
        assert shown < 1000
        raw = page.evaluate("artCharts['val/reward'].data[1].filter(v => v != null)")
        low, high = art.connect(base).sql(
            "SELECT min(value), max(value) FROM history WHERE model = 'run-000' AND metric = 'val/reward'"
        ).fetchone()
        assert min(raw) == low and max(raw) == high  # thinning keeps the extremes exact
        charts_drawn = page.evaluate("Object.keys(artCharts).length")
        assert 0 < charts_drawn < 33  # the charts below the screen wait until scrolled to
        page.locator('.chart[data-metric="val/turns"]').scroll_into_view_if_needed()
        drawn(page, "val/turns")
        best = analysis.best_step(base, "proj-1", "run-001", "val/reward", window=5).rows[0]
        text = page.locator('.chart[data-metric="val/reward"] .best').nth(1).inner_text()
        assert f"best step {best[0]} ({best[1]:.4g})" in text
        page.goto(u + "#/trajectories?run=proj-0/run-000&split=val&step=999")
        page.locator("#traj-count").filter(has_text="256 trajectories in 32 groups").wait_for()
        page.close()
    shutil.rmtree(base)


@pytest.mark.parametrize("with_v1_files", [False, True])
def test_a_group_that_holds_only_exceptions_is_shown(browser, tmp_path: Path, with_v1_files: bool) -> None:  # type: ignore[no-untyped-def]
    """A rollout group that failed whole has no trajectory, only a placeholder row: the step's
    page still shows the group and its exceptions (beside a group that has trajectories)."""
    base = tmp_path / "store"
    if with_v1_files:  # a store openpipe-art 0.5.9 wrote too: the schemas are read unioned by name
        shutil.copytree(DATA / "art-0.5.9" / "art-fixture", base / "art-fixture")
    model = art.Model(name="m", project="p", base_path=str(base), report_metrics=[])
    failed = art.TrajectoryGroup([RuntimeError("the judge crashed")])
    run_async(model.log([failed, art.TrajectoryGroup([traj(0.5)])], split="val", step=1))
    with ui_server(base) as u:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(u + "#/trajectories?run=p/m&split=val&step=1")
        page.locator(".group .exception").filter(has_text="the judge crashed").wait_for()
        assert page.locator(".group").count() == 2
        # the class's name, not Python's print of it ("<class 'RuntimeError'>", as ART stores it)
        assert page.locator(".group .exception").inner_text() == "RuntimeError: the judge crashed"
        page.close()


def test_a_nan_reward_is_shown_as_nan_not_blank(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A NaN reward (a judge that failed; stored as ART stores it) came through JSON as null and
    showed as an empty 'reward' heading and list entry."""
    base = tmp_path / "store"
    model = art.Model(name="m", project="p", base_path=str(base), report_metrics=[])
    with pytest.warns(UserWarning):
        run_async(model.log([art.TrajectoryGroup([traj(0.5), traj(float("nan"))])], split="val", step=1))
    with ui_server(base) as u:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(u + "#/trajectories?run=p/m&split=val&step=1")
        page.locator("#pane-a .transcript").wait_for()
        assert page.locator(".group .reward").all_inner_texts() == ["0.5000", "NaN"]
        page.locator(".group li").nth(1).locator("button", has_text="A").click()
        page.locator("#pane-a h3", has_text="reward NaN").wait_for()
        page.close()


def test_a_wide_runs_table_scrolls_in_its_box_not_the_page(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """Config columns make the runs table wider than the window: the whole page scrolled
    sideways, and scrolled right its header (the navigation) was gone, the top left blank."""
    page.set_viewport_size({"width": 700, "height": 600})
    page.goto(url + "#/runs")
    page.wait_for_selector('#runs-table tr[data-run="demo/arith-seed7"]')
    assert page.evaluate("document.documentElement.scrollWidth") == 700
    box = page.locator(".table-box")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    box.evaluate("b => { b.scrollLeft = 10000; }")
    assert page.locator("header nav a", has_text="Curves").is_visible()
    assert page.locator("#runs-table th", has_text="seed").is_visible()
