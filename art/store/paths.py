"""ART's on-disk layout, and the name checks that keep every path inside base_path."""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Callable, Hashable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from art.errors import InvalidNameError

T = TypeVar("T")

# ART's history sections (0.5.17+): keys under them are written unprefixed by any split.
ART_SECTIONS = frozenset(
    {
        "loss",
        "objective",
        "offpolicy",
        "pipeline",
        "pipeline_settings",
        "queue",
        "sample_efficiency",
        "throughput",
        "costs",
        "discarded",
        "time",
        "data",
        "vllm",
    }
)
# A split named like a section (or like the bare reward/group keys) would make rows ambiguous.
RESERVED_SPLITS = ART_SECTIONS | {"reward", "group"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME_LENGTH = 200


def validate_name(field: str, value: object) -> str:
    """Return `value` if it is safe as one path component, else raise naming `field`."""
    if not isinstance(value, str):
        raise InvalidNameError(field, value, "must be a string")
    if not value or not value.strip():
        raise InvalidNameError(field, value, "must not be empty")
    if _CONTROL.search(value):
        raise InvalidNameError(field, value, "must not contain NUL or control characters")
    if "/" in value or "\\" in value:
        raise InvalidNameError(field, value, "must not contain a path separator")
    if value in (".", "..") or ".." in value:
        raise InvalidNameError(field, value, "must not contain '..'")
    if value.startswith("."):
        raise InvalidNameError(field, value, "must not start with a dot (hidden files are skipped)")
    if value != value.strip():
        raise InvalidNameError(field, value, "must not start or end with white space")
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidNameError(field, value, f"must be at most {MAX_NAME_LENGTH} characters")
    return value


FOLDERS_REMEMBERED = 1 << 16  # per cache of folders seen unchanged (a long-lived dashboard)
CTIME_SETTLE_NS = 2_000_000_000  # a ctime this recent may yet be shared by a change to come


def remember(cache: dict[Any, Any], folder: Hashable, value: Any) -> None:
    """Keep `value` for `folder` in a cache of folders; a cache that grew past
    FOLDERS_REMEMBERED (folders come and go in a long-lived process) starts over."""
    if len(cache) >= FOLDERS_REMEMBERED and folder not in cache:
        cache.clear()
    cache[folder] = value


def listed_once(cache: dict[str, Any], folder: str, st: os.stat_result, read: Callable[[str], T]) -> T:
    """`read(folder)`, remembered in `cache` while the folder's device, inode and ctime stay as
    in `st` (its lstat): adding, renaming or removing an entry sets its ctime to now, and a
    ctime, unlike an mtime, cannot be set back. Only a ctime older than CTIME_SETTLE_NS is
    remembered, so a change within the clock tick of the one seen cannot go unnoticed. An
    OSError of `read` is raised, and nothing is remembered."""
    key = (st.st_dev, st.st_ino, st.st_ctime_ns)
    seen = cache.get(folder)
    if seen is not None and seen[0] == key:
        return seen[1]
    cache.pop(folder, None)
    value = read(folder)
    if time.time_ns() - key[2] > CTIME_SETTLE_NS:
        remember(cache, folder, (key, value))
    return value


@lru_cache(maxsize=1 << 16)
def is_valid_name(value: str) -> bool:
    """`validate_name` as a yes or no, remembered: every open lists the same folder names
    again (three a model; ~2 us each, ~1 ms an open with 200 models)."""
    try:
        validate_name("name", value)
    except InvalidNameError:
        return False
    return True


def validate_split(split: object) -> str:
    name = validate_name("split", split)
    if name in RESERVED_SPLITS:
        raise InvalidNameError(
            "split", split, "is a reserved metric section in ART's history; choose another name"
        )
    return name


def validate_step(step: object) -> int:
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise InvalidNameError("step", step, "must be a non-negative integer")
    return step


def is_step_name(text: str) -> bool:
    """A step's name: ASCII digits only (str.isdigit() also takes `²`, which int() refuses, and
    `٧`, which int() reads as 7 while DuckDB's cast does not: a stray file must not stop readers
    or be taken for a step)."""
    return text.isascii() and text.isdigit()


def step_name(step: int) -> str:
    """ART's zero-padded step name: 4 digits, wider past 9999."""
    return f"{step:04d}"


class ModelPaths(NamedTuple):
    """Where one model's files live: `BASE/PROJECT/models/MODEL/...`."""

    base_path: Path
    project: str
    model: str

    @classmethod
    def of(cls, base_path: str | Path, project: str, model: str) -> ModelPaths:
        return cls(Path(base_path), validate_name("project", project), validate_name("model", model))

    def parts(self, *sub: str) -> tuple[str, ...]:
        """The path components below base_path of the model folder (or of `sub` inside it)."""
        return (self.project, "models", self.model, *sub)

    @property
    def model_dir(self) -> Path:
        return self.base_path / self.project / "models" / self.model

    @property
    def history(self) -> Path:
        return self.model_dir / "history.jsonl"

    @property
    def model_json(self) -> Path:
        return self.model_dir / "model.json"

    @property
    def checkpoints(self) -> Path:
        return self.model_dir / "checkpoints"

    def trajectory_dir(self, split: str) -> Path:
        return self.model_dir / "trajectories" / split

    def trajectory_file(self, split: str, step: int) -> Path:
        return self.trajectory_dir(split) / f"{step_name(step)}.parquet"

    def checkpoint_dir(self, step: int) -> Path:
        return self.checkpoints / step_name(step)

    def check_inside(self, path: Path) -> Path:
        """Refuse a path that resolves outside base_path (e.g. through a symlinked folder)."""
        base = self.base_path.resolve()
        resolved = path.resolve()
        if resolved != base and base not in resolved.parents:
            raise InvalidNameError("path", str(path), f"resolves to {resolved}, outside the store {base}")
        return path


def catalog_path(base_path: str | Path) -> Path:
    return Path(base_path) / "catalog.duckdb"


def keeps_no_catalog(base_path: str | Path) -> bool:
    """DuckDB names a database's log by cutting its path at the first '?' (options follow):
    under such a path every commit fails, so the store does without a catalog."""
    return "?" in str(catalog_path(base_path))


def model_dirs(base_path: Path) -> list[tuple[str, str, str]]:
    """Every `PROJECT/models/MODEL` folder under base_path whose names are valid, sorted, as
    text paths (a Path built per model cost ~5 us, on every open)."""
    found: list[tuple[str, str, str]] = []
    # os.scandir and text paths: the entries' types come with the listing (Path.is_dir and
    # is_symlink cost two system calls and ~10 us a model, on every open)
    for project in _real_dirs(str(base_path)):
        if not is_valid_name(project):
            continue
        models = f"{base_path}/{project}/models"
        try:  # a `models` folder that is a link (to another store's, say) holds no model here
            if not stat.S_ISDIR(os.lstat(models).st_mode):
                continue
        except OSError:
            continue
        found.extend((project, m, f"{models}/{m}") for m in _real_dirs(models) if is_valid_name(m))
    return found


def _real_dirs(folder: str) -> list[str]:
    """The names of the folders in `folder` that are not links, sorted; none if it is not one."""
    try:
        with os.scandir(folder) as entries:
            return sorted(e.name for e in entries if e.is_dir(follow_symlinks=False))
    except (FileNotFoundError, NotADirectoryError):
        return []


def temp_name(target: Path) -> Path:
    """A sibling temp path that does not end in .parquet: DuckDB's glob matches hidden files."""
    return target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")


def is_stale_temp(path: Path) -> bool:
    """A temp file left by a writer that was killed mid-write (its process is gone)."""
    parts = path.name.split(".")
    if not (path.name.startswith(".") and len(parts) == 6 and parts[-1] == "tmp" and is_step_name(parts[3])):
        return False
    pid = int(parts[3])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
