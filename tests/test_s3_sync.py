"""LocalBackend's `_experimental_push_to_s3` / `_experimental_pull_from_s3` against moto's
S3 server on 127.0.0.1: ART's key layout, round trips, `delete`, `exclude` and `only_step`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

import art
from art import LocalBackend

from .conftest import group
from .servers import S3, s3

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3]:
    with s3(tmp_path_factory.mktemp("moto")) as srv:
        yield srv


@pytest.fixture
def aws(server: S3, monkeypatch: pytest.MonkeyPatch) -> boto3.client:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{server.endpoint}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret)
    monkeypatch.setenv("AWS_DEFAULT_REGION", server.region)
    return boto3.client("s3")


def keys(client, bucket: str, prefix: str = "") -> list[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for p in pages for o in p.get("Contents", []))


async def trained(path: Path, steps: int = 3) -> tuple[LocalBackend, art.TrainableModel]:
    backend = LocalBackend(path=path)
    model = art.TrainableModel(
        name="agent", run_name="run-7", project="proj", base_model="b", report_metrics=[]
    )
    await model.register(backend)
    for step in range(steps):
        model.paths.checkpoint_dir(step).mkdir(parents=True)
        (model.paths.checkpoint_dir(step) / "adapter.safetensors").write_bytes(bytes([step]) * 100)
        await model.log([group(0.1 * step, 0.5)], split="val", step=step)
    return backend, model


async def test_push_then_pull_into_a_fresh_backend_restores_the_run(tmp_path: Path, aws) -> None:
    backend, model = await trained(tmp_path / "a")
    await backend._experimental_push_to_s3(model, s3_bucket="backups", prefix="team/")
    stored = keys(aws, "backups")  # the bucket is created, as ART does
    assert "team/proj/models/run-7/history.jsonl" in stored
    assert "team/proj/models/run-7/checkpoints/0002/adapter.safetensors" in stored
    assert "team/proj/models/run-7/trajectories/val/0001.parquet" in stored

    fresh = LocalBackend(path=tmp_path / "b")
    copy = art.TrainableModel(
        name="agent", run_name="run-7", project="proj", base_model="b", report_metrics=[]
    )
    await copy.register(fresh)
    await fresh._experimental_pull_from_s3(copy, s3_bucket="backups", prefix="team")
    assert (copy.paths.history).read_bytes() == model.paths.history.read_bytes()
    assert await copy.get_step() == 2
    assert await copy.best_step() == (2, pytest.approx(0.35))


async def test_push_with_delete_removes_what_is_gone_locally(tmp_path: Path, aws) -> None:
    backend, model = await trained(tmp_path)
    await backend._experimental_push_to_s3(model, s3_bucket="del")
    await model.delete_checkpoints()  # keeps step 2 (latest and best)
    await backend._experimental_push_to_s3(model, s3_bucket="del")
    assert any("/checkpoints/0000/" in k for k in keys(aws, "del"))  # no delete: kept remotely
    await backend._experimental_push_to_s3(model, s3_bucket="del", delete=True)
    ckpts = {k.split("/")[4] for k in keys(aws, "del", "proj/models/run-7/checkpoints/")}
    assert ckpts == {"0002"}


async def test_pull_one_step_and_exclusions(tmp_path: Path, aws, monkeypatch: pytest.MonkeyPatch) -> None:
    backend, model = await trained(tmp_path / "a")
    monkeypatch.setenv("BACKUP_BUCKET", "env-bucket")  # ART's default bucket
    await backend._experimental_push_to_s3(model)
    fresh = LocalBackend(path=tmp_path / "b")
    copy = art.TrainableModel(
        name="agent", run_name="run-7", project="proj", base_model="b", report_metrics=[]
    )
    await copy.register(fresh)
    await fresh._experimental_pull_from_s3(copy, only_step="latest")
    assert [p.name for p in copy.paths.checkpoints.iterdir()] == ["0002"]
    assert not copy.paths.history.exists()
    await fresh._experimental_pull_from_s3(copy, exclude=["checkpoints", "trajectories"])
    assert copy.paths.history.exists()
    assert not copy.paths.trajectory_dir("val").exists()
    with pytest.raises(ValueError, match="exclude"):
        await fresh._experimental_pull_from_s3(copy, exclude=["history"])


async def test_push_without_a_bucket_names_the_setting(tmp_path: Path, aws) -> None:
    backend, model = await trained(tmp_path, steps=1)
    with pytest.raises(ValueError, match="BACKUP_BUCKET"):
        await backend._experimental_push_to_s3(model)
