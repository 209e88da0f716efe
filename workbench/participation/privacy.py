"""Pseudonymous voter ids: a keyed hash with a secret that never leaves the workspace.

``pseudonymise`` maps each voter id to ``v-`` and 16 hex digits of
HMAC-SHA256(secret, id). The same voter keeps the same pseudonym across imports into
one workspace (so ballots can be joined), but the ids cannot be reversed or matched
across workspaces without the secret in ``WORKSPACE/.secret`` (mode 0600).

>>> a = pseudonymise(pd.Series(["alice", "bob", "alice"]), b"k" * 32)
>>> a.iloc[0] == a.iloc[2], a.iloc[0] != a.iloc[1], a.iloc[0].startswith("v-")
(True, True, True)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

SECRET_NAME = ".secret"


def workspace_secret(root: str | Path) -> bytes:
    """The workspace's pseudonymisation key (created on first use, readable by owner only)."""
    path = Path(root) / SECRET_NAME
    if path.exists():
        return path.read_bytes()
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def pseudonymise(ids: pd.Series, secret: bytes) -> pd.Series:
    """Keyed, irreversible pseudonyms for voter ids."""
    cache: dict[str, str] = {}

    def one(v: object) -> str:
        s = str(v)
        if s not in cache:
            cache[s] = "v-" + hmac.new(secret, s.encode(), hashlib.sha256).hexdigest()[:16]
        return cache[s]

    return ids.map(one)
