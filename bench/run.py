"""Benchmark `POST /v1/bookings` (paid cash) over real HTTP against the raw SQL
book-a-seat transaction of the same database, in the same run.

    .venv/bin/python bench/run.py [--scenario booking|hot|spread|all]
        [--requests N] [--quick] [--db sqlite|postgres|both] [--workers N]

Scenarios: `booking` (one session too big to fill, 1 and 16 clients, one
server process), `hot` (one session whose capacity is an eighth of the
requests, 16 clients) and `spread` (the requests dealt round-robin over 100
sessions that fit them all, 16 clients). The contention scenarios run the
server with `--workers` uvicorn workers on PostgreSQL, one process on SQLite.

A benchmark, never a test: it prints figures and asserts no timing. It exits
1 when a request failed or the books do not add up, because then the figures
measure something other than booking. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from http_load import (
    BookingJob,
    HttpBooker,
    Seed,
    Server,
    add_sessions,
    booked_counts,
    owner_key,
    seed,
)
from outcomes import FULL
from raw_sql import (
    SLOT_ID,
    SeatTaker,
    add_slots,
    create_scratch_tables,
    seat_taker,
    seats_per_slot,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from frontdesk.db.engine import make_engine
from frontdesk.db.migrate import upgrade
from frontdesk.db.unit_of_work import session_factory, unit_of_work
from frontdesk.invariants.checks import check_all

SCENARIOS = ("booking", "hot", "spread")
LEVELS = (1, 16)
CONTENTION_CLIENTS = 16
# The hot session holds an eighth of the requests made for it: 50 of 400.
HOT_SHARE = 8
SPREAD_SESSIONS = 100
DEFAULT_WORKERS = 2
MAX_WORKERS = 4
DEFAULT_REQUESTS = 400
QUICK_REQUESTS = 32
WARMUP = 10
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "frontdesk_bench"
JOIN_SECONDS = 600.0
MAX_PROBLEMS_SHOWN = 12

Job = TypeVar("Job")


class Worker(Protocol):
    """One load thread's client: run_once does one request and answers None
    (a seat taken), FULL (refused by the capacity rule) or a failure."""

    def run_once(self, job: Any) -> str | None: ...

    def close(self) -> None: ...


@dataclass
class Measurement:
    clients: int
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    accepted: list[Any] = field(default_factory=list)  # the jobs that got a seat
    accepted_latencies: list[float] = field(default_factory=list)
    refused_latencies: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0
    # From the first thread's start to the last 201 (or commit): how long the
    # seats took to go.
    accepted_within: float = 0.0

    @property
    def completed(self) -> int:
        """Answered as the rules say: seats taken plus refusals for lack of room."""
        return len(self.latencies) - len(self.failures)

    @property
    def refused(self) -> int:
        return len(self.refused_latencies)

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
    last_accepted: list[float] = []

    def drive(worker: Worker, own_jobs: Sequence[Any]) -> None:
        mine = Measurement(clients=1)
        accepted_at = 0.0
        barrier.wait()
        start = time.perf_counter()
        for job in own_jobs:
            began = time.perf_counter()
            try:
                answer = worker.run_once(job)
            except Exception as exc:  # counted as a failure, never lost
                answer = f"{type(exc).__name__}: {exc}"
            finished = time.perf_counter()
            latency = finished - began
            mine.latencies.append(latency)
            if answer is None:
                accepted_at = finished
                mine.accepted.append(job)
                mine.accepted_latencies.append(latency)
            elif answer == FULL:
                mine.refused_latencies.append(latency)
            else:
                mine.failures.append(answer)
        end = time.perf_counter()
        with lock:
            starts.append(start)
            ends.append(end)
            if mine.accepted:
                last_accepted.append(accepted_at)
            result.latencies.extend(mine.latencies)
            result.failures.extend(mine.failures)
            result.accepted.extend(mine.accepted)
            result.accepted_latencies.extend(mine.accepted_latencies)
            result.refused_latencies.extend(mine.refused_latencies)

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
    if last_accepted:
        result.accepted_within = max(last_accepted) - min(starts)
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
class CpuUse:
    """Where the CPU went while one side of a contention scenario ran."""

    wall: float
    machine_busy: float  # share of all cores busy (any process), 0 to 1
    load: float  # CPU seconds of this process: the load threads
    server: list[float] = field(default_factory=list)  # CPU seconds per worker


@dataclass
class Contention:
    name: str
    sessions: int
    capacity: int
    requests: int
    workers: int
    expected: int  # how many requests fit: the 201s and raw commits there must be
    http: Measurement
    raw: Measurement
    http_cpu: CpuUse
    raw_cpu: CpuUse
    connections: list[int]  # the load's keep-alive connections, per worker
    notes: list[str] = field(default_factory=list)

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
    contention: list[Contention] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    server_logs: list[str] = field(default_factory=list)


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


@contextmanager
def bookers(server: Server, key: str, clients: int) -> Iterator[list[HttpBooker]]:
    """One keep-alive HTTP client per load thread, its connection open."""
    made: list[HttpBooker] = []
    try:
        for _ in range(clients):
            made.append(HttpBooker(server.base_url, key))
        yield made
    finally:
        for booker in made:
            booker.close()


@contextmanager
def takers(url: str, clients: int) -> Iterator[list[SeatTaker]]:
    """One database connection per load thread."""
    made: list[SeatTaker] = []
    try:
        for _ in range(clients):
            made.append(seat_taker(url))
        yield made
    finally:
        for taker in made:
            taker.close()


def run_http(
    server: Server, key: str, clients: int, jobs: Sequence[BookingJob]
) -> Measurement:
    with bookers(server, key, clients) as workers:
        return measure(workers, split(jobs, clients))


def run_raw(url: str, clients: int, slot_ids: Sequence[int]) -> Measurement:
    with takers(url, clients) as workers:
        return measure(workers, split(slot_ids, clients))


def bench_database(url: str, arguments: argparse.Namespace) -> DatabaseRun:
    """Every chosen scenario on one database: booking on a one-process server,
    then the contention scenarios on a server of `workers` processes
    (PostgreSQL) or on the same one-process server (SQLite)."""
    scenarios: tuple[str, ...] = arguments.scenarios
    requests: int = arguments.requests
    workers = 1 if url.startswith("sqlite") else arguments.workers
    contended = [name for name in scenarios if name != "booking"]
    run = DatabaseRun(title=database_title(url))
    log(f"{run.title}: migrating")
    upgrade(url)
    create_scratch_tables(url)
    key = owner_key(url)
    contacts_needed = max(
        WARMUP + requests * len(LEVELS) if "booking" in scenarios else 0,
        requests + CONTENTION_CLIENTS if contended else 0,
    )
    with Server(url) as server:
        log(f"server on {server.base_url}; seeding {contacts_needed} contacts")
        seeded = seed(server.base_url, key, contacts=contacts_needed)
        try:
            if "booking" in scenarios:
                bench_booking(run, url, server, key, seeded, requests)
            if workers == 1:
                for name in contended:
                    bench_contention(run, url, server, key, seeded, name, requests)
        finally:
            if run.problems:
                run.server_logs.append(server.log_tail())
    if workers > 1 and contended:
        with Server(url, workers=workers) as server:
            log(f"server with {workers} workers on {server.base_url}")
            try:
                for name in contended:
                    bench_contention(run, url, server, key, seeded, name, requests)
            finally:
                if run.problems:
                    run.server_logs.append(server.log_tail())
    return run


def bench_booking(
    run: DatabaseRun, url: str, server: Server, key: str, seeded: Seed, requests: int
) -> None:
    """POST /v1/bookings on one session too big to fill, at 1 and 16 clients."""
    contacts = iter(seeded.contact_ids)

    def take(count: int) -> list[BookingJob]:
        return [BookingJob(seeded.session_id, next(contacts)) for _ in range(count)]

    warm_http = run_http(server, key, 1, take(WARMUP))
    warm_raw = run_raw(url, 1, [SLOT_ID] * WARMUP)
    run.warmups = (warm_http, warm_raw)
    problems = [f"warm-up http: {f}" for f in warm_http.failures]
    problems += [f"warm-up raw: {f}" for f in warm_raw.failures]
    # A warm-up that fails would only make every measured request fail too.
    for clients in LEVELS if not problems else ():
        log(f"booking, {clients} clients: raw SQL")
        raw = run_raw(url, clients, [SLOT_ID] * requests)
        log(f"booking, {clients} clients: http")
        http = run_http(server, key, clients, take(requests))
        run.levels.append(Level(clients=clients, http=http, raw=raw))
        problems += [f"{clients} clients, http: {f}" for f in http.failures]
        problems += [f"{clients} clients, raw: {f}" for f in raw.failures]
    measured = [warm_http, warm_raw, *(m for x in run.levels for m in (x.http, x.raw))]
    refused = sum(m.refused for m in measured)
    if refused:
        problems.append(f"{refused} refused as full on a session too big to fill")
    (booked,) = booked_counts(server.base_url, key, [seeded.session_id])
    http_ok = sum(len(m.accepted) for m in [warm_http, *(x.http for x in run.levels)])
    raw_ok = sum(len(m.accepted) for m in [warm_raw, *(x.raw for x in run.levels)])
    (seats,) = seats_per_slot(url, [SLOT_ID])
    breaches = invariant_breaches(url)
    run.notes.append(
        f"seats booked on the session: {booked} for {http_ok} bookings answered 201; "
        f"raw seat rows: {seats} for {raw_ok} commits; "
        f"invariants: {len(breaches)} breaches"
    )
    if booked != http_ok:
        problems.append(f"{booked} seats booked but {http_ok} bookings made")
    if seats != raw_ok:
        problems.append(f"{seats} raw seat rows but {raw_ok} commits")
    problems += [f"invariant breach: {breach}" for breach in breaches]
    run.problems += [f"booking: {problem}" for problem in problems]


def bench_contention(
    run: DatabaseRun,
    url: str,
    server: Server,
    key: str,
    seeded: Seed,
    name: str,
    requests: int,
) -> None:
    """`requests` bookings at 16 clients over 1 tight session (hot) or dealt
    round-robin over 100 roomy ones (spread), raw SQL first, then HTTP."""
    clients = CONTENTION_CLIENTS
    if name == "hot":
        count, capacity = 1, max(1, requests // HOT_SHARE)
    else:
        count, capacity = SPREAD_SESSIONS, -(-requests // SPREAD_SESSIONS)
    session_ids = add_sessions(
        server.base_url, key, seeded.service_id, count=count, capacity=capacity
    )
    (warm_session,) = add_sessions(
        server.base_url, key, seeded.service_id, count=1, capacity=clients
    )
    warm_slot, *slot_ids = add_slots(url, [clients] + [capacity] * count)
    demand = Counter(number % count for number in range(requests))
    expected = sum(min(wanted, capacity) for wanted in demand.values())
    contacts = seeded.contact_ids
    http_jobs = [
        BookingJob(session_ids[number % count], contacts[number])
        for number in range(requests)
    ]
    raw_jobs = [slot_ids[number % count] for number in range(requests)]
    # One untimed request per client, on a session and slot of their own,
    # so every connection (and every server worker it reached) is warm.
    warm_http_jobs = [
        BookingJob(warm_session, contacts[requests + number])
        for number in range(clients)
    ]

    log(f"{name}: raw SQL, {clients} clients")
    with takers(url, clients) as workers:
        warm_raw = measure(workers, split([warm_slot] * clients, clients))
        before = cpu_snapshot(None)
        raw = measure(workers, split(raw_jobs, clients))
        raw_cpu = cpu_use(before, cpu_snapshot(None))
    log(f"{name}: http, {clients} clients, {server.workers} server process(es)")
    with bookers(server, key, clients) as workers:
        warm_http = measure(workers, split(warm_http_jobs, clients))
        connections = server.connections()
        before = cpu_snapshot(server)
        http = measure(workers, split(http_jobs, clients))
        http_cpu = cpu_use(before, cpu_snapshot(server))

    result = Contention(
        name=name,
        sessions=count,
        capacity=capacity,
        requests=requests,
        workers=server.workers,
        expected=expected,
        http=http,
        raw=raw,
        http_cpu=http_cpu,
        raw_cpu=raw_cpu,
        connections=connections,
    )
    run.contention.append(result)
    problems = [f"warm-up http: {f}" for f in warm_http.failures]
    problems += [f"warm-up raw: {f}" for f in warm_raw.failures]
    problems += [f"http: {f}" for f in http.failures]
    problems += [f"raw: {f}" for f in raw.failures]
    if warm_http.refused or warm_raw.refused:
        problems.append("a warm-up request was refused as full")

    # The books: every 201 a seat on its own session, every commit a row on
    # its own slot, exactly what fits in all, and the invariants hold.
    booked = booked_counts(server.base_url, key, [*session_ids, warm_session])
    seats = seats_per_slot(url, [*slot_ids, warm_slot])
    http_by_session = Counter(job.session_id for job in http.accepted)
    raw_by_slot = Counter(raw.accepted)
    wrong_sessions = [
        f"session {number}: booked {got} of {capacity}, "
        f"{http_by_session[session_id]} answered 201"
        for number, (session_id, got) in enumerate(
            zip(session_ids, booked[:-1], strict=True)
        )
        if got != http_by_session[session_id] or got > capacity
    ]
    wrong_slots = [
        f"slot {number}: {got} seat rows of {capacity}, {raw_by_slot[slot_id]} commits"
        for number, (slot_id, got) in enumerate(zip(slot_ids, seats[:-1], strict=True))
        if got != raw_by_slot[slot_id] or got > capacity
    ]
    breaches = invariant_breaches(url)
    result.notes.append(
        f"books: {sum(booked[:-1])} seats booked on the {count} session(s) for "
        f"{len(http.accepted)} answered 201 (fits: {expected}); raw seat rows: "
        f"{sum(seats[:-1])} for {len(raw.accepted)} commits (fits: {expected}); "
        f"invariants: {len(breaches)} breaches"
    )
    if len(http.accepted) != expected:
        problems.append(f"http: {len(http.accepted)} answered 201, {expected} fit")
    if len(raw.accepted) != expected:
        problems.append(f"raw: {len(raw.accepted)} commits, {expected} fit")
    problems += [f"http books: {wrong}" for wrong in wrong_sessions]
    problems += [f"raw books: {wrong}" for wrong in wrong_slots]
    if booked[-1] != len(warm_http.accepted):
        problems.append(f"warm-up session booked {booked[-1]}")
    if seats[-1] != len(warm_raw.accepted):
        problems.append(f"warm-up slot has {seats[-1]} seat rows")
    problems += [f"invariant breach: {breach}" for breach in breaches]
    run.problems += [f"{name}: {problem}" for problem in problems]


def invariant_breaches(url: str) -> list[object]:
    """`frontdesk check`'s invariants over the whole database."""
    engine = make_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as db:
            return list(check_all(db))
    finally:
        engine.dispose()


@dataclass(frozen=True)
class CpuSnapshot:
    at: float
    machine_busy: int  # clock ticks, all cores
    machine_total: int
    load: float
    server: tuple[float, ...]


def _machine_ticks() -> tuple[int, int]:
    """Busy and total clock ticks of all cores since boot (Linux /proc/stat)."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return 0, 0
    # user nice system idle iowait irq softirq steal (guest time is in user)
    ticks = [int(value) for value in first[1:9]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


def cpu_snapshot(server: Server | None) -> CpuSnapshot:
    busy, total = _machine_ticks()
    return CpuSnapshot(
        at=time.monotonic(),
        machine_busy=busy,
        machine_total=total,
        load=time.process_time(),
        server=tuple(server.cpu_seconds()) if server else (),
    )


def cpu_use(before: CpuSnapshot, after: CpuSnapshot) -> CpuUse:
    total = after.machine_total - before.machine_total
    busy = after.machine_busy - before.machine_busy
    return CpuUse(
        wall=after.at - before.at,
        machine_busy=busy / total if total > 0 else float("nan"),
        load=after.load - before.load,
        server=[b - a for a, b in zip(before.server, after.server, strict=True)],
    )


def code_version() -> str:
    """The commit benched, and whether src/ differed from it."""
    root = str(Path(__file__).resolve().parent.parent)

    def git(*command: str) -> str:
        return subprocess.run(
            ["git", "-C", root, *command],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--", "src")
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    return f"git {head}, " + (
        "with uncommitted changes in src/" if changed else "src/ as committed"
    )


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def render(
    runs: Sequence[DatabaseRun], arguments: argparse.Namespace, started: datetime
) -> str:
    requests = arguments.requests
    lines = [
        "Frontdesk bench: POST /v1/bookings paid cash over HTTP, "
        "beside a raw SQL book-a-seat transaction",
        f"run: {started:%Y-%m-%d %H:%M} UTC; machine: {cores()} cores (nproc), "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        f"scenarios: {', '.join(arguments.scenarios)}; {requests} requests per "
        "level (or scenario) and side; load generator on the same machine",
        f"code: {code_version()}",
    ]
    for run in runs:
        lines += ["", f"=== {run.title}"]
        if run.levels or "booking" in arguments.scenarios:
            lines += render_booking(run, requests)
        for result in run.contention:
            lines += render_contention(result)
    return "\n".join(lines)


def render_booking(run: DatabaseRun, requests: int) -> list[str]:
    lines = [
        "",
        f"booking: one session too big to fill; {requests} requests per level "
        f"and side, after {WARMUP} warm-up; one uvicorn worker",
        f"{'clients':>7}  {'http req/s':>10}  {'http p50 ms':>11}  "
        f"{'http p95 ms':>11}  {'raw SQL tx/s':>12}  {'raw p50 ms':>10}  "
        f"{'raw p95 ms':>10}  {'http/raw':>8}  {'failed':>6}",
    ]
    for level in run.levels:
        failed = len(level.http.failures) + len(level.raw.failures)
        http, raw = level.http, level.raw
        lines.append(
            f"{level.clients:>7}  {http.rate:>10.1f}  {http.p50_ms:>11.1f}  "
            f"{http.p95_ms:>11.1f}  {raw.rate:>12.1f}  {raw.p50_ms:>10.2f}  "
            f"{raw.p95_ms:>10.2f}  {level.ratio:>8.3f}  {failed:>6}"
        )
    return lines + run.notes


def render_contention(result: Contention) -> list[str]:
    if result.name == "hot":
        what = f"hot session: 1 session of capacity {result.capacity}"
    else:
        what = (
            f"spread: {result.sessions} sessions of capacity {result.capacity}, "
            "requests dealt round-robin"
        )
    server = (
        f"{result.workers} uvicorn workers"
        if result.workers > 1
        else "one uvicorn worker"
    )
    lines = [
        "",
        f"{what}; {result.requests} requests per side from {CONTENTION_CLIENTS} "
        f"clients; {server}",
        f"{'side':<7}  {'req/s':>7}  {'p50 ms':>8}  {'p95 ms':>8}  "
        f"{'accepted':>8}  {'refused':>7}  {'failed':>6}  {'CPU busy':>8}  "
        f"{'http/raw':>8}",
    ]
    for side, measured, cpu, ratio in (
        ("raw SQL", result.raw, result.raw_cpu, ""),
        ("http", result.http, result.http_cpu, f"{result.ratio:.3f}"),
    ):
        lines.append(
            f"{side:<7}  {measured.rate:>7.1f}  {measured.p50_ms:>8.2f}  "
            f"{measured.p95_ms:>8.2f}  {len(measured.accepted):>8}  "
            f"{measured.refused:>7}  {len(measured.failures):>6}  "
            f"{cpu.machine_busy:>8.0%}  {ratio:>8}"
        )
    lines.append("http latency by answer: " + by_answer(result.http))
    lines.append(
        f"the {result.expected} seats that fit were all taken "
        + " and ".join(
            f"{measured.accepted_within:.3f} s in over {side} "
            f"({seats_rate(measured):.1f} seats/s)"
            for side, measured in (("raw SQL", result.raw), ("http", result.http))
        )
    )
    http_cpu = result.http_cpu
    lines.append(
        f"http CPU in {http_cpu.wall:.1f} s wall on {cores()} cores: server "
        + " + ".join(f"{seconds:.1f}" for seconds in http_cpu.server)
        + " s (client connections per worker: "
        + " + ".join(str(count) for count in result.connections)
        + f"), load generator {http_cpu.load:.1f} s"
    )
    return lines + result.notes


def seats_rate(measured: Measurement) -> float:
    if not measured.accepted_within:
        return float("nan")
    return len(measured.accepted) / measured.accepted_within


def by_answer(measured: Measurement) -> str:
    parts = []
    for label, latencies in (
        ("201", measured.accepted_latencies),
        ("409 session_full", measured.refused_latencies),
    ):
        if latencies:
            parts.append(
                f"{label} x{len(latencies)} p50 {percentile(latencies, 50) * 1000:.1f}"
                f" p95 {percentile(latencies, 95) * 1000:.1f} ms"
            )
    return "; ".join(parts) or "(none)"


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
        lines += [f"server log tail:\n{tail}" for tail in run.server_logs]
    return "\n".join(lines)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark POST /v1/bookings over HTTP against raw SQL."
    )
    parser.add_argument(
        "--scenario",
        choices=(*SCENARIOS, "all"),
        default="all",
        help="booking (1 and 16 clients, room for all), hot (one session that "
        "holds an eighth of the requests), spread (100 sessions), or all "
        "(the default)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=DEFAULT_REQUESTS,
        help="requests per concurrency level (booking) or per scenario, and "
        f"per side (default {DEFAULT_REQUESTS})",
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
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help="uvicorn worker processes for the hot and spread scenarios on "
        f"PostgreSQL (default {DEFAULT_WORKERS}); SQLite and the booking "
        "scenario always run one",
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
    if not 1 <= arguments.workers <= MAX_WORKERS:
        parser.error(f"--workers must be between 1 and {MAX_WORKERS}")
    if make_url(arguments.postgres_url).host != "127.0.0.1":
        parser.error("--postgres-url must point at 127.0.0.1")
    arguments.scenarios = (
        SCENARIOS if arguments.scenario == "all" else (arguments.scenario,)
    )
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    started = datetime.now(UTC)
    runs: list[DatabaseRun] = []
    if arguments.db in ("sqlite", "both"):
        with sqlite_database() as url:
            runs.append(bench_database(url, arguments))
    if arguments.db in ("postgres", "both"):
        with postgres_database(arguments.postgres_url) as url:
            runs.append(bench_database(url, arguments))
    print(render(runs, arguments, started))
    report = problems_report(runs)
    if report:
        print(report)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
