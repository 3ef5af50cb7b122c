"""Mirror history rows to Weights & Biases: one run per model, `training_step` as the x-axis.

wandb is imported only when a row is actually mirrored. A wandb failure never loses a step
nor raises out of `log()`: history and parquet are already written when the mirror runs.
"""

from __future__ import annotations

import os
import re
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from art.model import Model


class WandbWarning(UserWarning):
    """Metrics could not be mirrored to Weights & Biases (they are still in history.jsonl)."""


def wants_wandb(report_metrics: list[str] | None, environ: dict[str, str] | os._Environ[str]) -> bool:
    """ART's rule: None mirrors when an API key is set (or wandb is offline); a list decides."""
    if report_metrics is None:
        return bool(environ.get("WANDB_API_KEY")) or environ.get("WANDB_MODE") == "offline"
    return "wandb" in report_metrics


def can_log(environ: dict[str, str] | os._Environ[str]) -> str | None:
    """Why wandb cannot log here, or None when it can."""
    mode = environ.get("WANDB_MODE")
    if mode in ("offline", "disabled") or environ.get("WANDB_API_KEY"):
        return None
    return "no WANDB_API_KEY is set and WANDB_MODE is not 'offline'"


def run_id(name: str) -> str:
    """wandb run ids allow letters, digits, '_' and '-' only."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)


class WandbMirror:
    """Sends each history row to the model's wandb run, created on the first row."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.run: Any = None
        self.sections: set[str] = set()
        self.failed = False

    @classmethod
    def for_model(cls, model: Model) -> WandbMirror | NoMirror:
        if not wants_wandb(model.report_metrics, os.environ):
            return NoMirror()
        reason = can_log(os.environ)
        if reason is not None:
            if model.report_metrics is not None:
                warnings.warn(
                    f"report_metrics=['wandb'] but {reason}: metrics stay in history.jsonl only. "
                    f"Set WANDB_API_KEY (or WANDB_MODE=offline) to mirror them.",
                    WandbWarning,
                    stacklevel=4,
                )
            return NoMirror()
        return cls(model)

    def _start(self) -> Any:
        try:
            import wandb
        except ImportError:
            self._fail("wandb is not installed: `pip install wandb` to mirror metrics")
            return None
        config = self.model.config
        if hasattr(config, "model_dump"):
            config = config.model_dump(mode="json")
        run = wandb.init(
            project=self.model.project,
            entity=self.model.entity,
            name=self.model.name,
            id=run_id(self.model.name),
            resume="allow",
            config=config if isinstance(config, dict) else None,
            reinit="create_new",
        )
        run.define_metric("training_step")
        return run

    def _fail(self, why: str) -> None:
        if not self.failed:
            warnings.warn(f"{why}; metrics stay in history.jsonl only", WandbWarning, stacklevel=5)
        self.failed = True

    def log(self, row: dict[str, Any], step: int) -> None:
        if self.failed:
            return
        try:
            if self.run is None:
                self.run = self._start()
                if self.run is None:
                    return
            for key in row:
                section = key.split("/", 1)[0]
                if section not in self.sections:
                    self.run.define_metric(f"{section}/*", step_metric="training_step")
                    self.sections.add(section)
            self.run.log({**row, "training_step": step})
        except Exception as e:
            self._fail(f"wandb failed ({type(e).__name__}: {e})")

    def finish(self) -> None:
        if self.run is not None:
            try:
                self.run.finish()
            finally:
                self.run = None


class NoMirror:
    """Mirroring is off: nothing is imported and nothing is sent."""

    def log(self, row: dict[str, Any], step: int) -> None:
        return None

    def finish(self) -> None:
        return None
