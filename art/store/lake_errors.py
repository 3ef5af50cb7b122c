"""The lake's errors, which say which service failed, and the scrubbing of secrets from any
text that leaves the lake modules (DuckDB's and libpq's messages can quote a connection string).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
