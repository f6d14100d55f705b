"""The real server in its own process group, and clients released together.

A concurrency test seeds its data in-process (tests.client.ApiClient), starts
the real server on the same database, and fires its racing requests over HTTP
from threads that a barrier lets go at the same instant. The server runs with
a race window (a pause between each guarded check and its write), so the
racers overlap for certain; its control runs the same race with the locks
switched off and must see the books break.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from frontdesk.db.unit_of_work import session_factory, unit_of_work
from frontdesk.invariants.checks import check_all
from tests.conftest import on_postgres

HOST = "127.0.0.1"
RACE_WINDOW_SECONDS = 0.3
STARTUP_SECONDS = 20.0
REQUEST_SECONDS = 60.0
# Several server processes share one database: PostgreSQL row locks and
# SQLite's BEGIN IMMEDIATE both reach across processes.
WORKERS = [1, 3] if on_postgres() else [1, 2]
_READY_LINE = "Application startup complete."
_SWITCHES = ("FRONTDESK_UNSAFE_SKIP_ROW_LOCKS", "FRONTDESK_TEST_RACE_WINDOW_SECONDS")


@dataclass(frozen=True)
class Guard:
    """Whether the server keeps its locks; without them the run is the control."""

    locks: bool

    def verify(self, check: Callable[[], object]) -> None:
        """With locks the check holds; without them it must fail.

        A control whose check passed would mean the race was never run, and
        the locked run would prove nothing.
        """
        if self.locks:
            check()
            return
        with pytest.raises(AssertionError):
            check()


class ServerProcess:
    """`uvicorn frontdesk.api.wsgi:app` with N workers, killable as a group."""

    def __init__(
        self,
        *,
        database_url: str,
        workers: int,
        guard: Guard,
        race_window_seconds: float,
        log_path: Path,
    ) -> None:
        self.database_url = database_url
        self.workers = workers
        self.guard = guard
        self.race_window_seconds = race_window_seconds
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url = ""

    def start(self, attempts: int = 3) -> None:
        # A free port can be taken between probing and binding: try a few.
        for _attempt in range(attempts):
            port = _free_port()
            self.base_url = f"http://{HOST}:{port}"
            self._spawn(port)
            if self._wait_until_ready():
                return
            self.kill()
        raise RuntimeError(f"the server did not start:\n{self._log_tail()}")

    def _spawn(self, port: int) -> None:
        env = {k: v for k, v in os.environ.items() if k not in _SWITCHES}
        env["FRONTDESK_DATABASE_URL"] = self.database_url
        env["FRONTDESK_LOG_LEVEL"] = "WARNING"
        if self.race_window_seconds:
            env["FRONTDESK_TEST_RACE_WINDOW_SECONDS"] = str(self.race_window_seconds)
        if not self.guard.locks:
            env["FRONTDESK_UNSAFE_SKIP_ROW_LOCKS"] = "1"
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "frontdesk.api.wsgi:app",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(self.workers),
            # Uvicorn's own info lines say when each worker is up; the app
            # logs at WARNING and access lines are off.
            "--log-level",
            "info",
            "--no-access-log",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_until_ready(self) -> bool:
        """Every worker has started and the API answers."""
        assert self.process is not None
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            started = self.log_path.read_text(errors="replace").count(_READY_LINE)
            if started >= self.workers and self._answers():
                return True
            time.sleep(0.1)
        return False

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/docs", timeout=2.0).status_code == 200
        except httpx.TransportError:
            return False

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole process group: the supervisor and its workers."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: Any = None


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any

    @property
    def code(self) -> str | None:
        return self.body.get("code") if isinstance(self.body, dict) else None


def outcome(answers: Sequence[Answer]) -> Counter[tuple[int, str | None]]:
    """How many answers of each status and problem code."""
    return Counter((a.status, a.code) for a in answers)


def release_together(
    server: ServerProcess, key: str, calls: Sequence[Call]
) -> list[Answer]:
    """Send every call at the same instant, each from its own client.

    Each thread opens its connection before the barrier, so the requests
    leave together; answers come back in the order of the calls.
    """
    barrier = threading.Barrier(len(calls), timeout=STARTUP_SECONDS)
    answers: list[Answer | None] = [None] * len(calls)
    failures: list[BaseException] = []

    def send(index: int, call: Call) -> None:
        try:
            with httpx.Client(
                base_url=server.base_url,
                headers={"Authorization": f"Bearer {key}"},
                timeout=REQUEST_SECONDS,
            ) as client:
                client.get("/docs")
                barrier.wait()
                response = client.request(call.method, call.path, json=call.json)
                answers[index] = Answer(response.status_code, _body(response))
        except BaseException as exc:  # handed to the test's thread below
            failures.append(exc)
            barrier.abort()

    threads = [
        threading.Thread(target=send, args=(i, c), daemon=True)
        for i, c in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_SECONDS + STARTUP_SECONDS)
    if failures:
        raise failures[0]
    assert all(not t.is_alive() for t in threads), "a client never got its answer"
    return [a for a in answers if a is not None]


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def breaches(engine: Engine) -> list[str]:
    """`frontdesk check` over the whole database, as strings."""
    with unit_of_work(session_factory(engine)) as db:
        return [str(b) for b in check_all(db)]
