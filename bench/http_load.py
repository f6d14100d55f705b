"""The HTTP side of the bench: the real server in a subprocess (one process,
or a supervisor and N uvicorn workers), its seed data and one keep-alive
client per load thread."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from outcomes import FULL

from frontdesk.auth.scopes import ALL_SCOPES
from frontdesk.auth.service import create_key
from frontdesk.db.engine import make_engine
from frontdesk.db.unit_of_work import session_factory, unit_of_work

HOST = "127.0.0.1"
STARTUP_SECONDS = 30.0
REQUEST_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
PRICE = "15.00"
MAX_WORKERS = 8
# Each uvicorn worker logs this once its application is up (at --log-level info).
READY_LINE = "Application startup complete."
TEST_SWITCHES = (
    "FRONTDESK_UNSAFE_SKIP_ROW_LOCKS",
    "FRONTDESK_TEST_RACE_WINDOW_SECONDS",
)


def owner_key(database_url: str) -> str:
    """A new API key with every scope, written straight into the database."""
    engine = make_engine(database_url)
    try:
        with unit_of_work(session_factory(engine)) as db:
            _key, secret = create_key(db, name="bench", scopes=ALL_SCOPES)
    finally:
        engine.dispose()
    return secret


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Server:
    """`uvicorn frontdesk.api.wsgi:app` on a free local port, stopped on exit.

    With `workers` > 1 uvicorn runs a supervisor and that many worker
    processes sharing the listening socket; the server counts as up once every
    worker has said so and the API answers. It runs in its own process group,
    so stopping it reaches the workers too.
    """

    def __init__(self, database_url: str, *, workers: int = 1) -> None:
        if not 1 <= workers <= MAX_WORKERS:
            raise ValueError(f"workers must be between 1 and {MAX_WORKERS}")
        self.database_url = database_url
        self.workers = workers
        self.port = _free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self._workdir = tempfile.TemporaryDirectory(prefix="frontdesk-bench-server-")
        self._log_path = Path(self._workdir.name) / "server.log"
        self._process: subprocess.Popen[bytes] | None = None
        self.worker_pids: list[int] = []

    def __enter__(self) -> Server:
        # The test-only switches would bench something other than Frontdesk.
        environment = {
            name: value
            for name, value in os.environ.items()
            if name not in TEST_SWITCHES
        }
        environment["FRONTDESK_DATABASE_URL"] = self.database_url
        environment["FRONTDESK_LOG_LEVEL"] = "WARNING"
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "frontdesk.api.wsgi:app",
            "--host",
            HOST,
            "--port",
            str(self.port),
            # Info, for uvicorn's own start-up lines (one per worker); the app
            # logs at WARNING and the access log is off.
            "--log-level",
            "info",
            "--no-access-log",
        ]
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                cwd=self._workdir.name,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_it_answers()
            self.worker_pids = self._find_workers()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _wait_until_it_answers(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self._process.returncode}:\n"
                    + self.log_tail()
                )
            if self._started_workers() < self.workers:
                time.sleep(0.1)
                continue
            try:
                response = httpx.get(f"{self.base_url}/openapi.json", timeout=2.0)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            if response.status_code == 200:
                return
            time.sleep(0.1)
        raise RuntimeError(
            f"the server did not answer within {STARTUP_SECONDS:.0f} s:\n"
            + self.log_tail()
        )

    def _started_workers(self) -> int:
        try:
            return self._log_path.read_text(errors="replace").count(READY_LINE)
        except FileNotFoundError:
            return 0

    def _find_workers(self) -> list[int]:
        """The pids that serve requests: the process itself when it runs
        alone, else the supervisor's spawned children."""
        assert self._process is not None
        if self.workers == 1:
            return [self._process.pid]
        found = [
            pid
            for pid in _children(self._process.pid)
            if b"spawn_main" in _read_proc(pid, "cmdline")
        ]
        if len(found) != self.workers:
            raise RuntimeError(
                f"expected {self.workers} uvicorn workers, found {len(found)}:\n"
                + self.log_tail()
            )
        return sorted(found)

    def cpu_seconds(self) -> list[float]:
        """User and system CPU time used so far by each worker, in seconds."""
        return [_cpu_seconds(pid) for pid in self.worker_pids]

    def connections(self) -> list[int]:
        """How many established client connections each worker holds: the
        workers share one listening socket, and whichever accepts first keeps
        the keep-alive connection to the end."""
        ours = _established_inodes(self.port)
        return [len(_socket_inodes(pid) & ours) for pid in self.worker_pids]

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        # The group is the one this server was started in (its leader's pid).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self._log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty server log)"

    def close(self) -> None:
        self.stop()
        self._workdir.cleanup()


def _read_proc(pid: int, name: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return b""


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name: state, ppid, ..."""
    raw = _read_proc(pid, "stat").decode(errors="replace")
    return raw[raw.rfind(")") + 2 :].split()


def _children(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if len(fields) > 1 and fields[1] == str(parent):
                pids.append(int(entry.name))
    return pids


def _cpu_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    if len(fields) < 13:
        return float("nan")
    # utime and stime, the 14th and 15th fields of stat, in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _established_inodes(port: int) -> set[str]:
    """Socket inodes of established TCP connections whose local port is `port`."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    inodes: set[str] = set()
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return inodes
    for descriptor in descriptors:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{descriptor}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def client(base_url: str, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {key}"},
        timeout=REQUEST_TIMEOUT,
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=4),
    )


def _created(http: httpx.Client, path: str, body: dict[str, Any]) -> Any:
    response = http.post(path, json=body)
    if response.status_code != 201:
        raise RuntimeError(
            f"seeding failed: POST {path} answered {response.status_code}: "
            f"{response.text[:500]}"
        )
    return response.json()


@dataclass(frozen=True)
class Seed:
    service_id: str
    session_id: str
    contact_ids: list[str]


def seed(base_url: str, key: str, *, contacts: int, threads: int = 4) -> Seed:
    """One location, one CLASS service too big to fill, one session, and
    `contacts` contacts, all made over the API."""
    with client(base_url, key) as http:
        location = _created(
            http,
            "/v1/locations",
            {
                "name": "Bench Studio",
                "address": "1 Bench St",
                "timezone": "America/Denver",
            },
        )
        service = _created(
            http,
            "/v1/services",
            {
                "name": "Bench Class",
                "type": "CLASS",
                "price": {"amount": PRICE, "currency": "USD"},
                "capacity": 100_000,
                "duration_minutes": 60,
                "location_id": location["id"],
                "payment_options": ["OFFLINE"],
            },
        )
        service_id = str(service["id"])
        (session_id,) = _add_sessions(http, service_id, count=1, capacity=None)

        def make_contact(number: int) -> str:
            contact = _created(
                http,
                "/v1/contacts",
                {
                    "first_name": "Bench",
                    "last_name": f"Client {number}",
                    "email": f"bench.{number}@example.test",
                },
            )
            return str(contact["id"])

        with ThreadPoolExecutor(max_workers=threads) as pool:
            contact_ids = list(pool.map(make_contact, range(contacts)))
    return Seed(service_id=service_id, session_id=session_id, contact_ids=contact_ids)


def _add_sessions(
    http: httpx.Client, service_id: str, *, count: int, capacity: int | None
) -> list[str]:
    body: dict[str, Any] = {
        "start": "2026-07-11T18:30:00-06:00",
        "end": "2026-07-11T19:30:00-06:00",
    }
    if count > 1:
        body["rrule"] = f"FREQ=DAILY;COUNT={count}"
    if capacity is not None:
        body["capacity"] = capacity
    sessions = _created(http, f"/v1/services/{service_id}/sessions", body)
    if len(sessions) != count:
        raise RuntimeError(f"asked for {count} sessions, got {len(sessions)}")
    return [str(session["id"]) for session in sessions]


def add_sessions(
    base_url: str, key: str, service_id: str, *, count: int, capacity: int
) -> list[str]:
    """`count` more sessions of the service (one a day), each of `capacity`."""
    with client(base_url, key) as http:
        return _add_sessions(http, service_id, count=count, capacity=capacity)


def booked_counts(base_url: str, key: str, session_ids: Sequence[str]) -> list[int]:
    """Each session's `booked` count, as the API reports it."""
    with client(base_url, key) as http:
        counts = []
        for session_id in session_ids:
            response = http.get(f"/v1/sessions/{session_id}")
            response.raise_for_status()
            counts.append(int(response.json()["booked"]))
        return counts


@dataclass(frozen=True)
class BookingJob:
    session_id: str
    contact_id: str


class HttpBooker:
    """One load thread's keep-alive client; each call books one seat, paid cash."""

    def __init__(self, base_url: str, key: str) -> None:
        self.http = client(base_url, key)
        # Open the keep-alive connection before the clock starts.
        self.http.get("/v1/sessions", params={"limit": 1}).raise_for_status()

    def run_once(self, job: BookingJob) -> str | None:
        """None when the booking was made (201), FULL when it was refused
        as 409 session_full, else what went wrong."""
        try:
            response = self.http.post(
                "/v1/bookings",
                json={
                    "session_id": job.session_id,
                    "contact_id": job.contact_id,
                    "participants": 1,
                    "payment_option": "OFFLINE",
                    "payment": {"method": "cash", "amount": PRICE},
                },
            )
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if response.status_code == 409 and _problem_code(response) == "session_full":
            return FULL
        if response.status_code != 201:
            return f"HTTP {response.status_code}: {response.text[:300]}"
        paid = response.json().get("payment_status")
        if paid != "PAID":
            return f"HTTP 201 but payment_status {paid!r}"
        return None

    def close(self) -> None:
        self.http.close()


def _problem_code(response: httpx.Response) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None
