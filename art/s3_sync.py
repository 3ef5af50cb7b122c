"""Copy a model's folder to and from S3 (ART's `_experimental_push_to_s3` / `_pull_from_s3`).

ART shells out to `aws s3 sync`; this does the same sync with boto3 (`pip install
'art-duckdb[s3]'`): a file is copied when the other side lacks it or holds a different size
or an older copy; `delete=True` removes destination files the source does not have.
The layout is ART's: `s3://BUCKET/[PREFIX/]PROJECT/models/NAME/...`. The bucket defaults to
`$BACKUP_BUCKET`; endpoint and credentials come from boto3's usual configuration
(`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, ...).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from art.errors import InvalidArgumentError, MissingExtraError
from art.store.paths import is_step_name

EXCLUDABLE = ("checkpoints", "logs", "trajectories")


@dataclass(frozen=True)
class SyncResult:
    """What one sync copied and deleted (relative paths), for verbose output and tests."""

    copied: list[str]
    deleted: list[str]


def client() -> Any:
    try:
        import boto3
    except ImportError as e:
        raise MissingExtraError("S3 sync", "boto3", "s3") from e
    return boto3.client("s3")


def bucket_or_default(bucket: str | None) -> str:
    bucket = bucket or os.environ.get("BACKUP_BUCKET")
    if not bucket:
        raise InvalidArgumentError("s3_bucket", bucket, "pass s3_bucket= or set BACKUP_BUCKET")
    return bucket


def model_key(project: str, name: str, prefix: str | None, step: int | None = None) -> str:
    """The key prefix of a model's folder (or one checkpoint's), as ART lays it out."""
    head = f"{prefix.strip('/')}/" if prefix else ""
    key = f"{head}{project}/models/{name}"
    return f"{key}/checkpoints/{step:04d}" if step is not None else key


def _check_exclude(exclude: list[str] | None) -> list[str]:
    for item in exclude or []:
        if item not in EXCLUDABLE:
            raise InvalidArgumentError("exclude", item, f"must be one of {', '.join(EXCLUDABLE)}")
    return list(exclude or [])


def ensure_bucket(s3: Any, bucket: str) -> None:
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        print(f"S3 bucket {bucket} does not exist, creating it")
        s3.create_bucket(Bucket=bucket)


def _remote_files(s3: Any, bucket: str, key: str) -> dict[str, tuple[int, float]]:
    out: dict[str, tuple[int, float]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{key}/"):
        for obj in page.get("Contents", []):
            out[obj["Key"][len(key) + 1 :]] = (obj["Size"], obj["LastModified"].timestamp())
    return out


def _local_files(root: Path) -> dict[str, tuple[int, float]]:
    if not root.is_dir():
        return {}
    out = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            out[path.relative_to(root).as_posix()] = (st.st_size, st.st_mtime)
    return out


def _excluded(rel: str, exclude: list[str]) -> bool:
    return any(rel.startswith(f"{d}/") for d in exclude)


def _stale(src: tuple[int, float], dst: tuple[int, float] | None) -> bool:
    return dst is None or src[0] != dst[0] or src[1] > dst[1]


def push(
    local_dir: Path, bucket: str, key: str, *, delete: bool = False, verbose: bool = False
) -> SyncResult:
    """Upload `local_dir` to `s3://bucket/key/`."""
    if not local_dir.is_dir():
        raise FileNotFoundError(f"Local model directory {local_dir} does not exist.")
    s3 = client()
    ensure_bucket(s3, bucket)
    local, remote = _local_files(local_dir), _remote_files(s3, bucket, key)
    copied = sorted(rel for rel, meta in local.items() if _stale(meta, remote.get(rel)))
    for rel in copied:
        s3.upload_file(str(local_dir / rel), bucket, f"{key}/{rel}")
        if verbose:
            print(f"upload: {local_dir / rel} to s3://{bucket}/{key}/{rel}")
    deleted = sorted(set(remote) - set(local)) if delete else []
    for rel in deleted:
        s3.delete_object(Bucket=bucket, Key=f"{key}/{rel}")
        if verbose:
            print(f"delete: s3://{bucket}/{key}/{rel}")
    return SyncResult(copied, deleted)


def pull(
    bucket: str,
    key: str,
    local_dir: Path,
    *,
    delete: bool = False,
    exclude: list[str] | None = None,
    verbose: bool = False,
) -> SyncResult:
    """Download `s3://bucket/key/` into `local_dir` (skipping the `exclude`d folders)."""
    skip = _check_exclude(exclude)
    s3 = client()
    ensure_bucket(s3, bucket)
    local_dir.mkdir(parents=True, exist_ok=True)
    root = local_dir.resolve()
    remote = {r: m for r, m in _remote_files(s3, bucket, key).items() if not _excluded(r, skip)}
    local = {r: m for r, m in _local_files(local_dir).items() if not _excluded(r, skip)}
    copied = sorted(rel for rel, meta in remote.items() if _stale(meta, local.get(rel)))
    for rel in copied:
        target = (local_dir / rel).resolve()
        if not target.is_relative_to(root):  # an object key must not write outside the folder
            raise InvalidArgumentError("s3 key", f"{key}/{rel}", "escapes the model folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, f"{key}/{rel}", str(target))
        # as `aws s3 sync`: the copy carries the object's time, so pushing it back copies nothing
        os.utime(target, (remote[rel][1], remote[rel][1]))
        if verbose:
            print(f"download: s3://{bucket}/{key}/{rel} to {target}")
    deleted = sorted(set(local) - set(remote)) if delete else []
    for rel in deleted:
        (local_dir / rel).unlink()
    return SyncResult(copied, deleted)


def latest_remote_step(bucket: str, key: str) -> int | None:
    """The largest all-digit checkpoint folder under `key/checkpoints/`, or None."""
    s3 = client()
    steps = []
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=f"{key}/checkpoints/", Delimiter="/"):
        for common in page.get("CommonPrefixes", []):
            name = common["Prefix"].rstrip("/").rsplit("/", 1)[-1]
            if is_step_name(name):
                steps.append(int(name))
    return max(steps) if steps else None
