"""Each citation style's template (app/render/citing.py `style_template`), kept in the build cache.

citeproc-py takes about 0.04 s a template, and a process makes six (three styles, two languages)
before its first cite box: a quarter of a second that a start with one page changed, and each
worker of a cold build, would spend again. Kept by the environment's key (the code, libraries,
settings and date) and the template's own arguments; remembered in the process as well.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..render import citing
from .context import Store

Found = tuple[str, str | None] | None
MEMO_SIZE = 512  # distinct templates remembered in a process (a site has a few dozen)
_memo: dict[tuple[str, tuple[object, ...]], Found] = {}
_MISSING = object()


def kept(store: Store | None, environment: str) -> citing.Template | None:
    """A `citing.Template` that reads and keeps its results in `store`; None without one."""
    if store is None or not environment:
        return None

    def template(*args: Any) -> Found:  # citing.style_template's arguments, as they came
        remembered = _memo.get((environment, args), _MISSING)
        if remembered is not _MISSING:
            return remembered  # type: ignore[return-value]
        key = hashlib.sha256(
            json.dumps([environment, "style template", *map(str, args)]).encode()
        ).hexdigest()
        found = _read(store.get_bytes("citeproc", key))
        if found is _MISSING:
            found = citing.style_template(*args)
            store.put_bytes("citeproc", key, json.dumps(found).encode())
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        _memo[(environment, args)] = found  # type: ignore[assignment]
        return found  # type: ignore[return-value]

    return template


def _read(data: bytes | None) -> object:
    """The template kept in `data`, or _MISSING when there is none or it is not one."""
    if data is None:
        return _MISSING
    try:
        value = json.loads(data)
    except ValueError:
        return _MISSING
    if value is None:
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and (value[1] is None or isinstance(value[1], str))
    ):
        return (value[0], value[1])
    return _MISSING
