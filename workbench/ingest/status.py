"""What ``workbench status`` shows about stream ingest."""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

from workbench.ingest.loader import empty_state
from workbench.store import Snapshot

HEARTBEAT_NAME = "heartbeat.json"


def ingest_status(root: Path, snapshot: Snapshot) -> dict[str, Any] | None:
    """Ingest counters for ``workbench status``: committed state plus the live heartbeat.

    ``None`` when the workspace never ran ``workbench ingest``.
    """
    state = snapshot.ingest_state
    beat_path = Path(root) / "ingest" / HEARTBEAT_NAME
    beat = None
    with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):
        beat = json.loads(beat_path.read_text(encoding="utf-8"))
    if state is None and beat is None:
        return None
    state = state or empty_state()
    devices = state.get("devices", {})
    out: dict[str, Any] = {
        "counters": state.get("counters", {}),
        "last_message_at": state.get("last_message_at"),
        "last_load_at": state.get("last_load_at"),
        "lag_s": state.get("lag_s"),
        "devices_with_gaps": sorted(
            ((k, int(v.get("gaps", 0))) for k, v in devices.items() if v.get("gaps")),
            key=lambda kv: -kv[1],
        )[:20],
    }
    if beat:
        alive = beat.get("running") and _pid_alive(int(beat.get("pid", 0)))
        fresh = time.time() - float(beat.get("updated_at", 0)) < 30
        out["service"] = {
            "running": bool(alive and fresh),
            "connected": bool(beat.get("connected")) and bool(alive and fresh),
            "broker": beat.get("broker"),
            "received_since_start": beat.get("received"),
            "journal_segments": beat.get("journal_segments"),
            "updated_at": beat.get("updated_at"),
        }
    return out


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
