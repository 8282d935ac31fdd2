"""Secrets kept in a file of the data folder, made once on first use.

Several workers (and threads) may ask for a secret at the same moment on a
fresh site: the first ``paraply serve --workers 2`` request burst did, and
one of them read the key file while another was still writing it (an
empty PEM: a 500, found by the Lighthouse run). So a secret file is
written whole under a temporary name and then linked into place, which
either succeeds whole or fails because another one came first; the loser
reads the winner's, which is complete.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def kept_secret(path: Path, make: Callable[[], bytes]) -> bytes:
    """The contents of ``path``; when it does not exist, ``make()`` written
    there (mode 0600) by exactly one caller, whose bytes every caller gets."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    data = make()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)  # atomic; refuses if another caller's file is in place
        except FileExistsError:
            return path.read_bytes()
        return data
    finally:
        temporary.unlink(missing_ok=True)
