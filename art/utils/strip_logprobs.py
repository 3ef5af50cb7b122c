"""ART's `strip_logprobs`: a copy of a nested value without its token log-probabilities.

Scripts pass it to tracing tools (weave's `global_postprocess_output`, say) so that a traced
completion does not store a log-probability per token. Dictionaries lose their "logprobs"
key; objects (an OpenAI `Choice`) get `logprobs = None`; lists and tuples are walked. The
argument is left as it was; a value that cannot be copied is returned as it is, with a
warning, as ART does.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

log = logging.getLogger("art")


def strip_logprobs(obj: Any) -> Any:
    try:
        copied = copy.deepcopy(obj)
    except Exception as e:
        log.warning("strip_logprobs could not copy %s (%s): returned unchanged", type(obj).__name__, e)
        return obj
    return _strip(copied)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "logprobs"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_strip(v) for v in value)
    fields = getattr(value, "__dict__", None)
    if isinstance(fields, dict):
        for name in list(fields):
            setattr(value, name, None if name == "logprobs" else _strip(fields[name]))
    return value
