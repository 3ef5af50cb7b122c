"""The local backend: checkpoints on this machine's disk, training by a plugged-in Trainer."""

from __future__ import annotations

from art.local.backend import LocalBackend

__all__ = ["LocalBackend"]
