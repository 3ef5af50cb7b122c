"""The lake's errors, which say which service failed, and the scrubbing of secrets from any
text that leaves the lake modules (DuckDB's and libpq's messages can quote a connection string).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import duckdb

from art.errors import ArtError

REDACTED = "***"
_PASSWORD_KV = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_URI_USERINFO = re.compile(r"(postgres(?:ql)?://[^:/@\s]+:)[^@\s]*@", re.IGNORECASE)


class LakeError(ArtError, RuntimeError):
    """The lake could not be reached or refused a change after every retry."""


class LakeUnavailableError(LakeError):
    """A service of the lake did not answer within the store's `timeout`; `service` names it."""

    service = "the lake"


class CatalogUnavailableError(LakeUnavailableError):
    """The PostgreSQL database holding the lake's catalog could not be reached in time."""

    service = "PostgreSQL"


class StorageUnavailableError(LakeUnavailableError):
    """The S3-compatible storage holding the lake's data files could not be reached in time."""

    service = "S3"


class LakeConflictError(LakeError):
    """Concurrent commits kept conflicting with this one until its retries or time ran out."""


class Scrubber:
    """Removes known secrets (and anything shaped like a password) from text."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True)

    def __call__(self, text: object) -> str:
        out = str(text)
        for secret in self.secrets:
            out = out.replace(secret, REDACTED)
        out = _PASSWORD_KV.sub(lambda m: m.group(1) + REDACTED, out)
        return _URI_USERINFO.sub(lambda m: m.group(1) + REDACTED + "@", out)


def scrub_conninfo(text: str) -> str:
    """A connection string with its password (key=value or URI form) replaced."""
    return Scrubber(())(text)


_PG_SIGNS = ("postgres", "libpq", "connection to server", "server closed the connection", "could not connect")
_REFUSED = ("authentication failed", "permission denied", "does not exist", "no password supplied")
_S3_SIGNS = ("http", "s3://", "timeout was reached", "could not establish connection")


def classify(error: BaseException) -> type[LakeError] | None:
    """Which retryable failure `error` is (a conflict, a service away), or None for the rest."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg comes with the lake extra
        psycopg = None  # type: ignore[assignment]
    text = str(error).lower()
    if any(s in text for s in _REFUSED):
        return None
    if psycopg is not None and isinstance(error, psycopg.OperationalError):
        return CatalogUnavailableError
    if isinstance(error, TimeoutError):
        return LakeConflictError
    if not isinstance(error, duckdb.Error):
        return None
    if isinstance(error, duckdb.TransactionException) or "conflict" in text:
        return LakeConflictError
    if isinstance(error, duckdb.IOException | duckdb.HTTPException | duckdb.ConnectionException):
        if any(s in text for s in _PG_SIGNS):
            return CatalogUnavailableError
        if any(s in text for s in _S3_SIGNS):
            return StorageUnavailableError
        return LakeUnavailableError
    return None
