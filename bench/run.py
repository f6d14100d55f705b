"""Benchmark `POST /v1/bookings` (paid cash) over real HTTP against the raw SQL
book-a-seat transaction of the same database, in the same run.

    .venv/bin/python bench/run.py [--requests N] [--quick] [--db sqlite|postgres]

A benchmark, never a test: it prints figures and asserts no timing. It exits
1 when a request failed or the books do not add up, because then the figures
measure something other than booking. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
from http_load import HttpBooker, Server, owner_key, seed
from raw_sql import count_seats, create_scratch_tables, seat_taker
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from frontdesk.db.engine import make_engine
from frontdesk.db.migrate import upgrade
from frontdesk.db.unit_of_work import session_factory, unit_of_work
from frontdesk.invariants.checks import check_all

LEVELS = (1, 16)
DEFAULT_REQUESTS = 400
QUICK_REQUESTS = 32
WARMUP = 10
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "frontdesk_bench"
JOIN_SECONDS = 600.0
MAX_PROBLEMS_SHOWN = 12

Job = TypeVar("Job")


class Worker(Protocol):
    """One load thread's client: run_once does one request, None if it worked."""

    def run_once(self, job: Any) -> str | None: ...

    def close(self) -> None: ...


@dataclass
class Measurement:
    clients: int
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def completed(self) -> int:
        return len(self.latencies) - len(self.failures)

    @property
    def rate(self) -> float:
        return self.completed / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.latencies, 95) * 1000


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with pct% at or below it."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats' drift
    return ordered[int(rank) - 1]


def split(jobs: Sequence[Job], parts: int) -> list[list[Job]]:
    """Deal the jobs out to `parts` threads as evenly as they go."""
    return [list(jobs[part::parts]) for part in range(parts)]


def measure(workers: Sequence[Worker], jobs: Sequence[Sequence[Any]]) -> Measurement:
    """Run each worker's jobs in its own thread, all released by one barrier;
    time every call and the wall clock from the first start to the last end."""
    result = Measurement(clients=len(workers))
    barrier = threading.Barrier(len(workers))
    lock = threading.Lock()
    starts: list[float] = []
    ends: list[float] = []

    def drive(worker: Worker, own_jobs: Sequence[Any]) -> None:
        latencies: list[float] = []
        failures: list[str] = []
        barrier.wait()
        start = time.perf_counter()
        for job in own_jobs:
            began = time.perf_counter()
            try:
                failure = worker.run_once(job)
            except Exception as exc:  # counted as a failure, never lost
                failure = f"{type(exc).__name__}: {exc}"
            latencies.append(time.perf_counter() - began)
            if failure is not None:
                failures.append(failure)
        end = time.perf_counter()
        with lock:
            starts.append(start)
            ends.append(end)
            result.latencies.extend(latencies)
            result.failures.extend(failures)

    threads = [
        threading.Thread(target=drive, args=(worker, own), daemon=True)
        for worker, own in zip(workers, jobs, strict=True)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + JOIN_SECONDS
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            raise RuntimeError(f"a load thread ran longer than {JOIN_SECONDS:.0f} s")
    result.wall_seconds = max(ends) - min(starts)
    return result


@dataclass
class Level:
    clients: int
    http: Measurement
    raw: Measurement

    @property
    def ratio(self) -> float:
        return self.http.rate / self.raw.rate if self.raw.rate else float("nan")


@dataclass
class DatabaseRun:
    title: str
    levels: list[Level] = field(default_factory=list)
    warmups: tuple[Measurement, Measurement] = field(
        default_factory=lambda: (Measurement(1), Measurement(1))
    )
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as folder:
        yield "sqlite:///" + str(Path(folder) / "bench.db")


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh `frontdesk_bench` database beside `admin_url`'s, dropped after."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
    try:
        with admin.connect() as connection:
            connection.execute(drop)
            connection.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
        url = make_url(admin_url).set(database=BENCH_DATABASE)
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(drop)
    finally:
        admin.dispose()


def database_title(url: str) -> str:
    if url.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version} (temp file, WAL)"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
    finally:
        engine.dispose()
    host = make_url(url).host
    return f"PostgreSQL {version} ({host}, database {BENCH_DATABASE})"


def run_http(
    server: Server, key: str, session_id: str, clients: int, contacts: Sequence[str]
) -> Measurement:
    bookers = [HttpBooker(server.base_url, key, session_id) for _ in range(clients)]
    try:
        return measure(bookers, split(contacts, clients))
    finally:
        for booker in bookers:
            booker.close()


def run_raw(url: str, clients: int, count: int) -> Measurement:
    takers = [seat_taker(url) for _ in range(clients)]
    try:
        return measure(takers, split(range(count), clients))
    finally:
        for taker in takers:
            taker.close()


def bench_database(url: str, requests: int) -> DatabaseRun:
    run = DatabaseRun(title=database_title(url))
    log(f"{run.title}: migrating")
    upgrade(url)
    create_scratch_tables(url)
    key = owner_key(url)
    contacts_needed = WARMUP + requests * len(LEVELS)
    with Server(url) as server:
        log(f"server on {server.base_url}; seeding {contacts_needed} contacts")
        seeded = seed(server.base_url, key, contacts=contacts_needed)
        contacts = iter(seeded.contact_ids)

        def take(count: int) -> list[str]:
            return [next(contacts) for _ in range(count)]

        warm_http = run_http(server, key, seeded.session_id, 1, take(WARMUP))
        warm_raw = run_raw(url, 1, WARMUP)
        run.warmups = (warm_http, warm_raw)
        run.problems += [f"warm-up http: {f}" for f in warm_http.failures]
        run.problems += [f"warm-up raw: {f}" for f in warm_raw.failures]
        # A warm-up that fails would only make every measured request fail too.
        for clients in LEVELS if not run.problems else ():
            log(f"{clients} clients: raw SQL")
            raw = run_raw(url, clients, requests)
            log(f"{clients} clients: http")
            http = run_http(server, key, seeded.session_id, clients, take(requests))
            run.levels.append(Level(clients=clients, http=http, raw=raw))
            run.problems += [f"{clients} clients, http: {f}" for f in http.failures]
            run.problems += [f"{clients} clients, raw: {f}" for f in raw.failures]
        booked = _booked_on_session(server, key, seeded.session_id)
        if run.problems:
            run.notes.append("server log tail:\n" + server.log_tail())
    _check_books(run, url, booked)
    return run


def _booked_on_session(server: Server, key: str, session_id: str) -> int:
    response = httpx.get(
        f"{server.base_url}/v1/sessions/{session_id}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=30.0,
    )
    response.raise_for_status()
    return int(response.json()["booked"])


def _check_books(run: DatabaseRun, url: str, booked: int) -> None:
    """Every 201 must be a seat, every raw commit a row, and the books must add up."""
    http_ok = sum(m.completed for m in [run.warmups[0], *(x.http for x in run.levels)])
    raw_ok = sum(m.completed for m in [run.warmups[1], *(x.raw for x in run.levels)])
    seats = count_seats(url)
    engine = make_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as db:
            breaches = check_all(db)
    finally:
        engine.dispose()
    run.notes.append(
        f"seats booked on the session: {booked} for {http_ok} bookings answered 201; "
        f"raw seat rows: {seats} for {raw_ok} commits; "
        f"invariants: {len(breaches)} breaches"
    )
    if booked != http_ok:
        run.problems.append(f"{booked} seats booked but {http_ok} bookings made")
    if seats != raw_ok:
        run.problems.append(f"{seats} raw seat rows but {raw_ok} commits")
    run.problems += [f"invariant breach: {breach}" for breach in breaches]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def render(runs: Sequence[DatabaseRun], requests: int, started: datetime) -> str:
    header = (
        f"{'clients':>7}  {'http req/s':>10}  {'http p50 ms':>11}  "
        f"{'http p95 ms':>11}  {'raw SQL tx/s':>12}  {'raw p50 ms':>10}  "
        f"{'raw p95 ms':>10}  {'http/raw':>8}  {'failed':>6}"
    )
    lines = [
        "Frontdesk bench: POST /v1/bookings paid cash over HTTP, "
        "beside a raw SQL book-a-seat transaction",
        f"run: {started:%Y-%m-%d %H:%M} UTC; machine: {cores()} cores (nproc), "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        f"requests: {requests} per level and side, after {WARMUP} warm-up; "
        "one uvicorn worker; load generator on the same machine",
    ]
    for run in runs:
        lines += ["", run.title, header]
        for level in run.levels:
            failed = len(level.http.failures) + len(level.raw.failures)
            http, raw = level.http, level.raw
            lines.append(
                f"{level.clients:>7}  {http.rate:>10.1f}  {http.p50_ms:>11.1f}  "
                f"{http.p95_ms:>11.1f}  {raw.rate:>12.1f}  {raw.p50_ms:>10.2f}  "
                f"{raw.p95_ms:>10.2f}  {level.ratio:>8.3f}  {failed:>6}"
            )
        lines += [note for note in run.notes if not note.startswith("server log")]
    return "\n".join(lines)


def problems_report(runs: Sequence[DatabaseRun]) -> str:
    lines: list[str] = []
    for run in runs:
        if not run.problems:
            continue
        lines += ["", f"PROBLEMS on {run.title} ({len(run.problems)}):"]
        distinct: dict[str, int] = {}
        for problem in run.problems:
            distinct[problem] = distinct.get(problem, 0) + 1
        shown = list(distinct.items())[:MAX_PROBLEMS_SHOWN]
        lines += [f"  {count} x {problem}" for problem, count in shown]
        if len(distinct) > len(shown):
            lines.append(f"  ... and {len(distinct) - len(shown)} other kinds")
        lines += [note for note in run.notes if note.startswith("server log")]
    return "\n".join(lines)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark POST /v1/bookings over HTTP against raw SQL."
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=DEFAULT_REQUESTS,
        help=f"requests per concurrency level and side (default {DEFAULT_REQUESTS})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a very short run: {QUICK_REQUESTS} requests per level",
    )
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgres", "both"),
        default="both",
        help="which database to bench (default both)",
    )
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help="an existing PostgreSQL database to connect to; the bench creates "
        f"and drops {BENCH_DATABASE} beside it (default {POSTGRES_URL})",
    )
    arguments = parser.parse_args(argv)
    if arguments.quick:
        arguments.requests = QUICK_REQUESTS
    if not 1 <= arguments.requests <= 100_000:
        parser.error("--requests must be between 1 and 100000")
    if make_url(arguments.postgres_url).host != "127.0.0.1":
        parser.error("--postgres-url must point at 127.0.0.1")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    started = datetime.now(UTC)
    runs: list[DatabaseRun] = []
    if arguments.db in ("sqlite", "both"):
        with sqlite_database() as url:
            runs.append(bench_database(url, arguments.requests))
    if arguments.db in ("postgres", "both"):
        with postgres_database(arguments.postgres_url) as url:
            runs.append(bench_database(url, arguments.requests))
    print(render(runs, arguments.requests, started))
    report = problems_report(runs)
    if report:
        print(report)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
