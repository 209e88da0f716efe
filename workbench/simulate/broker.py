"""A throw-away local Mosquitto broker, for tests, benchmarks and trying out ingest.

Starts the Debian ``mosquitto`` binary on a free loopback port with a temporary
configuration (persistence on, queue limits raised, as ``docs/mosquitto.conf``
recommends) and stops it again. Nothing here is used by the ingest service itself.
"""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType


class BrokerError(RuntimeError):
    """The broker could not be found or did not start."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_mosquitto() -> str:
    """Path of the ``mosquitto`` binary; raises :class:`BrokerError` if it is missing."""
    exe = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if exe is None:
        raise BrokerError(
            "mosquitto is not installed; install the Debian package 'mosquitto' "
            "(scripts/system-deps.sh does this for the test suite)"
        )
    return exe


class LocalBroker:
    """Mosquitto on ``127.0.0.1:<free port>`` with persistence in ``directory``.

    Parameters
    ----------
    directory : Path
        Holds the configuration, the persistence database and the log.
    max_inflight : int
        Mosquitto's ``max_inflight_messages`` (its default is 20).
    autosave_interval : int
        Seconds between persistence saves; the database is always written on a clean stop.
    """

    def __init__(
        self,
        directory: str | Path,
        max_inflight: int = 20,
        autosave_interval: int = 1,
        tls: tuple[Path, Path, Path] | None = None,
        password_file: Path | None = None,
    ) -> None:
        self.tls = tls
        self.password_file = password_file
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.max_inflight = max_inflight
        self.autosave_interval = autosave_interval
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.directory / "mosquitto.log"

    def config_text(self) -> str:
        auth = (
            [f"password_file {self.password_file}", "allow_anonymous false"]
            if self.password_file
            else ["allow_anonymous true"]
        )
        tls = (
            [f"cafile {self.tls[0]}", f"certfile {self.tls[1]}", f"keyfile {self.tls[2]}"]
            if self.tls
            else []
        )
        return "\n".join(
            [
                # run as whoever started it: as root Mosquitto would otherwise switch to
                # the 'mosquitto' user, which cannot write the persistence file here
                f"user {getpass.getuser()}",
                f"listener {self.port} 127.0.0.1",
                *tls,
                *auth,
                "persistence true",
                f"persistence_location {self.directory}/",
                f"autosave_interval {self.autosave_interval}",
                f"max_inflight_messages {self.max_inflight}",
                "max_queued_messages 10000000",
                "max_queued_bytes 0",
                "persistent_client_expiration 1d",
                f"log_dest file {self.log_path}",
                "log_type error",
                "log_type warning",
                "",
            ]
        )

    def start(self, timeout: float = 10.0) -> LocalBroker:
        conf = self.directory / "mosquitto.conf"
        conf.write_text(self.config_text(), encoding="utf-8")
        self.proc = subprocess.Popen(
            [find_mosquitto(), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise BrokerError(f"mosquitto exited at start: {err.strip()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise BrokerError(f"mosquitto did not listen on port {self.port} within {timeout} s")

    def stop(self, kill: bool = False) -> None:
        """Stop the broker (SIGTERM saves the persistence database; ``kill`` does not)."""
        if self.proc is None:
            return
        if kill:
            self.proc.kill()
        else:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def restart(self) -> None:
        """Stop cleanly and start again on the same port with the same persistence."""
        self.stop()
        self.start()

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
