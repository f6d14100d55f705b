"""The HTTP side of the bench: the real server in a subprocess, its seed data
and one keep-alive client per load thread."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from frontdesk.auth.scopes import ALL_SCOPES
from frontdesk.auth.service import create_key
from frontdesk.db.engine import make_engine
from frontdesk.db.unit_of_work import session_factory, unit_of_work

HOST = "127.0.0.1"
STARTUP_SECONDS = 30.0
REQUEST_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
PRICE = "15.00"


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
    """`uvicorn frontdesk.api.wsgi:app` on a free local port, killed on exit."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.port = _free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self._workdir = tempfile.TemporaryDirectory(prefix="frontdesk-bench-server-")
        self._log_path = Path(self._workdir.name) / "server.log"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        environment = dict(os.environ)
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
            "--log-level",
            "warning",
        ]
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                cwd=self._workdir.name,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait_until_it_answers()
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

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
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
        sessions = _created(
            http,
            f"/v1/services/{service['id']}/sessions",
            {
                "start": "2026-07-11T18:30:00-06:00",
                "end": "2026-07-11T19:30:00-06:00",
            },
        )

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
    return Seed(session_id=str(sessions[0]["id"]), contact_ids=contact_ids)


class HttpBooker:
    """One load thread's keep-alive client; each call books one seat, paid cash."""

    def __init__(self, base_url: str, key: str, session_id: str) -> None:
        self.session_id = session_id
        self.http = client(base_url, key)
        # Open the keep-alive connection before the clock starts.
        self.http.get(f"/v1/sessions/{session_id}").raise_for_status()

    def run_once(self, contact_id: str) -> str | None:
        """None when the booking was made (201), else what went wrong."""
        try:
            response = self.http.post(
                "/v1/bookings",
                json={
                    "session_id": self.session_id,
                    "contact_id": contact_id,
                    "participants": 1,
                    "payment_option": "OFFLINE",
                    "payment": {"method": "cash", "amount": PRICE},
                },
            )
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if response.status_code != 201:
            return f"HTTP {response.status_code}: {response.text[:300]}"
        paid = response.json().get("payment_status")
        if paid != "PAID":
            return f"HTTP 201 but payment_status {paid!r}"
        return None

    def close(self) -> None:
        self.http.close()
