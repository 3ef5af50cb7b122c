"""ART 0.5.23's history key rules and step ledger: section keys, summed step values,
cost roll-ups and cumulative totals that survive a restart in `state.json`.

Rules (as openpipe-art 0.5.23 writes history.jsonl):
- A caller's key whose first path part is a split (train/val/test) or an ART section
  (`loss`, `costs`, `data`, ...) is written as given; any other key gets `{split}/`.
- `costs/*`, `time/step_*` and `data/step_*` values are summed over the call (trajectory,
  group and caller values alike), not averaged, and each gets a running total
  `<section>/cum/<name>`; `costs/<a>/<b>` also rolls up into `costs/<a>` and `costs/all`.
- A train log adds `data/step_num_scenarios`, `_num_trajectories`, `_num_groups_submitted`
  and `_num_groups_trainable` (summed and cumulated); val and test logs add the first three
  under `{split}/data/...` (neither summed nor cumulated).
- The running totals and the scenario ids seen are kept in `state.json` under
  `_metrics_builder_state`, and loaded again by the next process.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from art.errors import InvalidTrajectoryError
from art.store import state_file
from art.store.paths import ART_SECTIONS

if TYPE_CHECKING:
    from art.trajectories import TrajectoryGroup

SECTIONS = ART_SECTIONS
SPLITS = frozenset({"train", "val", "test"})
SUMMED_PREFIXES = ("costs/", "time/step_", "data/step_")
CUMULATED_SECTIONS = frozenset({"costs", "time", "data"})
STATE_KEY = "_metrics_builder_state"
UNUSED_RATIO = "data/step_unused_and_dummy_ratio"


def qualify(key: str, split: str) -> str:
    """The history key of a caller's metric (ART 0.5.23's `_qualify_metric_key`)."""
    head, sep, _ = key.partition("/")
    if sep and (head in SECTIONS or head in SPLITS):
        return key
    return f"{split}/{key}"


def is_summed(key: str) -> bool:
    return key.startswith(SUMMED_PREFIXES)


def cumulative_key(key: str) -> str:
    section, rest = key.split("/", 1)
    return f"{section}/cum/{rest.removeprefix('step_')}"


def _is_cumulative(key: str) -> bool:
    parts = key.split("/", 2)
    return len(parts) >= 2 and parts[1] == "cum"


class StepBuffer:
    """The summed values of one log() call, checked as ART checks them."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}
        self.scenario_ids: list[str] = []

    def add(self, key: str, value: float) -> None:
        if key.startswith("costs_"):
            raise InvalidTrajectoryError(
                "metrics", key, "legacy cost keys are not supported: log e.g. 'costs/train/judge'"
            )
        if _is_cumulative(key):
            raise InvalidTrajectoryError("metrics", key, "the '<section>/cum/' namespace is written by ART")
        for existing in self.values:
            if existing != key and (existing.startswith(f"{key}/") or key.startswith(f"{existing}/")):
                raise InvalidTrajectoryError(
                    "metrics", key, f"a cost or step key cannot be both a leaf and a parent of {existing!r}"
                )
        self.values[key] = self.values.get(key, 0.0) + float(value)


def route(buffer: StepBuffer, metrics: dict[str, Any]) -> dict[str, float]:
    """Send summed keys to the buffer; return the others (ART's `_route_metrics...`)."""
    rest: dict[str, float] = {}
    for key, value in metrics.items():
        if key.startswith("costs_") or is_summed(key):
            buffer.add(key, float(value))
        else:
            rest[key] = float(value)
    return rest


def _zero_variance(rewards: list[float]) -> bool:
    return len(rewards) <= 1 or all(abs(r - rewards[0]) <= 1e-12 for r in rewards[1:])


def _scenario_id(group: TrajectoryGroup) -> str | None:
    for metadata in [group.metadata, *(t.metadata for t in group.trajectories)]:
        value = metadata.get("scenario_id")
        if value is not None:
            return str(value)
    return None


def batch_summary(groups: Sequence[TrajectoryGroup], train: bool) -> tuple[dict[str, float], list[str]]:
    """ART's per-call data counts and the distinct scenario ids, first seen first."""
    data = {
        "data/step_num_scenarios": float(len(groups)),
        "data/step_num_trajectories": float(sum(len(g.trajectories) + len(g.exceptions) for g in groups)),
        "data/step_num_groups_submitted": float(len(groups)),
    }
    if train:
        data["data/step_num_groups_trainable"] = float(
            sum(1 for g in groups if not _zero_variance([t.reward for t in g.trajectories]))
        )
    ids: list[str] = []
    for g in groups:
        sid = _scenario_id(g)
        if sid is not None and sid not in ids:
            ids.append(sid)
    return data, ids


def _rollups(costs: dict[str, float]) -> dict[str, float]:
    if not costs:
        return {}
    parents = {"/".join(k.split("/")[:d]) for k in costs for d in range(2, len(k.split("/")))}
    out = {p: sum(v for k, v in costs.items() if k.startswith(f"{p}/")) for p in parents}
    top = {k.split("/")[1] for k in costs}
    out["costs/all"] = sum(out.get(f"costs/{c}", costs.get(f"costs/{c}", 0.0)) for c in top)
    return out


class Ledger:
    """Running totals of one model (ART's MetricsBuilder state), loaded from and saved to
    `state.json` around each call so that a restarted process goes on from them."""

    def __init__(self, cum: dict[str, float] | None = None, scenarios: Iterable[str] | None = None) -> None:
        self.cum: dict[str, float] = dict(cum or {})
        # insertion-ordered: written as seen (ART writes its set's order), never re-sorted
        self.scenarios: dict[str, None] = dict.fromkeys(scenarios or [])
        self.source: state_file.StateDoc | None = None  # the state.json it was loaded from

    def flush(self, buffer: StepBuffer) -> dict[str, float]:
        """The buffer's values, their roll-ups and cumulative totals (ART's `flush()`)."""
        out = dict(buffer.values)
        out.update(_rollups({k: v for k, v in out.items() if k.startswith("costs/")}))
        for key, value in list(out.items()):
            if key.split("/", 1)[0] not in CUMULATED_SECTIONS or key == UNUSED_RATIO:
                continue
            ck = cumulative_key(key)
            self.cum[ck] = self.cum.get(ck, 0.0) + value
            out[ck] = self.cum[ck]
        if UNUSED_RATIO in out:
            nominal = self.cum.get("data/cum/nominal_schedule_capacity_tokens", 0.0)
            unused = self.cum.get("data/cum/unused_packed_capacity_tokens", 0.0) + self.cum.get(
                "data/cum/dummy_schedule_capacity_tokens", 0.0
            )
            ck = cumulative_key(UNUSED_RATIO)
            self.cum[ck] = out[ck] = unused / nominal if nominal else 0.0
        if buffer.scenario_ids:
            self.scenarios.update(dict.fromkeys(buffer.scenario_ids))
            out["data/cum/num_unique_scenarios"] = float(len(self.scenarios))
        if "data/step_trainable_assistant_tokens" in out or "time/step_backend_train_s" in out:
            tokens = self.cum.get("data/cum/trainable_assistant_tokens")
            seconds = self.cum.get("time/cum/backend_train_s")
            if tokens is not None and seconds:
                out["throughput/avg_trainer_tok_per_s"] = tokens / seconds
        if "data/step_rollout_tokens" in out or "time/step_rollout_s" in out:
            tokens = self.cum.get("data/cum/rollout_tokens")
            seconds = self.cum.get("time/cum/rollout_s")
            if tokens is not None and seconds:
                out["throughput/avg_rollout_tok_per_s"] = tokens / seconds
        return out

    def state(self) -> dict[str, Any]:
        return {"cum_state": dict(self.cum), "unique_scenario_ids": list(self.scenarios)}

    def mark(self) -> tuple[dict[str, float], int]:
        """What `changed` compares with (scenario ids are only ever added)."""
        return dict(self.cum), len(self.scenarios)

    def changed(self, mark: tuple[dict[str, float], int]) -> bool:
        return mark != (self.cum, len(self.scenarios))


def from_state(state: object) -> Ledger:
    """A Ledger from a `_metrics_builder_state` document (anything else gives empty totals)."""
    if not isinstance(state, dict):
        return Ledger()
    cum = {str(k): float(v) for k, v in (state.get("cum_state") or {}).items()}
    return Ledger(cum, [str(s) for s in state.get("unique_scenario_ids") or []])


def load(model_fd: int, shown: Path) -> Ledger:
    """The running totals kept in the model's `state.json` (`shown` names it in errors).

    The caller holds the model's lock and ends with `save` or `keep`; a call that fails in
    between leaves nothing cached, and the next load reads the file again."""
    doc = state_file.read(model_fd, shown)
    if isinstance(doc.totals, Ledger):
        return doc.totals
    ledger = from_state(doc.doc.get(STATE_KEY))
    ledger.source = doc
    return ledger


def keep(shown: Path, ledger: Ledger) -> None:
    """The totals did not change: keep them (and their state.json) for the next call."""
    if ledger.source is not None:
        ledger.source.totals = ledger
        state_file.keep(shown, ledger.source)


def save(model_fd: int, shown: Path, ledger: Ledger) -> None:
    """Write the ledger into `state.json`, keeping the user's own state beside it."""
    doc = ledger.source if ledger.source is not None else state_file.read(model_fd, shown)
    doc.doc[STATE_KEY] = ledger.state()
    doc.totals = ledger
    ledger.source = doc
    finite = all(math.isfinite(v) for v in ledger.cum.values())
    state_file.write(model_fd, shown, doc, finite)
