"""What every benchmark under bench/ shares: a dedicated PostgreSQL database, Django configured
against it, interleaved timing, peak memory, and the figure table (ours beside a baseline measured
in the same run, as a ratio) printed to stdout and written to bench/results/<name>-<timestamp>.json.

The machine is shared and noisy, so no figure is an absolute time: each is compared with the
cheapest way PostgreSQL itself can answer (the raw SQL, or COPY), measured in the same process,
on the same connection, interleaved run by run with ours.
"""

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"


# --- command line ------------------------------------------------------------------------------


def base_parser(
    description: str, *, database: str, rows: int, runs: int = 15, rows_option: str = "--rows", rows_what: str = "rows"
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(rows_option, type=int, default=rows, help=f"{rows_what} to seed (default {rows:,})")
    parser.add_argument("--runs", type=int, default=runs, help=f"timed runs per figure, median reported ({runs})")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs before timing (default 3)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the benchmark database afterwards and reuse a matching seed"
    )
    parser.add_argument("--reseed", action="store_true", help="drop and seed the benchmark database again")
    parser.add_argument("--database", default=database, help=f"database to create and use (default {database})")
    parser.add_argument(
        "--url",
        default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL"),
        help="postgres:// URL of a role with CREATEDB (default: $BENCH_DATABASE_URL, then $DATABASE_URL)",
    )
    return parser


# --- database ----------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def database_exists(url: str, name: str) -> bool:
    with _admin_connect(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_database(url: str, name: str) -> str:
    """(Re)create `name` on the server of `url`, owned by the URL's role; return its URL."""
    from psycopg import sql

    with _admin_connect(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(url, name)


def drop_database(url: str, name: str) -> None:
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    with _admin_connect(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def require_postgres_url(url: str | None) -> str:
    if not url or urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("A PostgreSQL URL is required: pass --url or set BENCH_DATABASE_URL (make bench-* does).")
    return url


# --- Django ------------------------------------------------------------------------------------


def setup_django(database_url: str) -> None:
    """Configure the project's own settings (erp/settings.py, from the environment) against `database_url`.

    DEBUG is forced off: with it on Django keeps every query in memory, which is neither production
    nor fair to the memory figures.
    """
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")
    # The project's apps must win over bench/'s own modules: bench/contacts.py is not the contacts app, nor
    # bench/ledger.py the ledger app.
    bench_dir = ROOT / "bench"
    sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, bench_dir)]
    for app in (p.name for p in ROOT.iterdir() if (p / "apps.py").exists()):
        shadowing = sys.modules.get(app)
        if shadowing is not None and Path(getattr(shadowing, "__file__", "") or "").parent == bench_dir:
            raise RuntimeError(f"bench/{app}.py was imported as `{app}`; it would shadow the {app} app")
    import django

    django.setup()
    from django.conf import settings

    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", "benchmarks need PostgreSQL"
    assert not settings.DEBUG


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


@contextmanager
def seeded_database(args, *, find: Callable[[], object], make: Callable[[], object]):
    """Django set up on the benchmark's database (`args.database`), and its seed: with --keep (and no --reseed) a
    kept seed is reused when `find()` recognises it, otherwise the database is made afresh and `make()` seeds it.
    The database is dropped at the end unless --keep."""
    url = require_postgres_url(args.url)
    reuse = args.keep and not args.reseed and database_exists(url, args.database)
    setup_django(with_database(url, args.database) if reuse else create_database(url, args.database))
    migrate()
    seeded = find() if reuse else None
    if reuse and seeded is None:
        say(f"{args.database} holds no matching seed: recreating it")
        from django.db import connections

        connections.close_all()
        create_database(url, args.database)
        migrate()
    if seeded is None:
        seeded = make()
    else:
        say(f"reusing the seed in {args.database} (--reseed to start again)")
    try:
        yield seeded
    finally:
        if not args.keep:
            drop_database(url, args.database)


def checked_invariants(violations: Callable[[], dict]) -> dict:
    """`violations()` ({name: count}) timed and printed; any count above zero stops the benchmark."""
    with Stopwatch() as checking:
        invariants = violations()
    say(f"invariants checked in {checking.seconds:.1f} s: {invariants}")
    assert not any(invariants.values()), f"the seed breaks the invariants: {invariants}"
    return invariants


def publish(report) -> None:
    """The table to stdout, every figure with its samples to bench/results/<name>-<timestamp>.json."""
    print(report.table())
    path = report.write_json()
    say(f"\nwritten to {path.relative_to(ROOT)}")


def raw_connection():
    """The psycopg connection under Django's default connection: baselines run on the very same session."""
    from django.db import connection

    connection.ensure_connection()
    return connection.connection


def server_version() -> str:
    return raw_connection().execute("SHOW server_version").fetchone()[0]


@contextmanager
def bulk_load(*tables: str):
    """For a large COPY into `tables`: drop their foreign keys and secondary indexes, and put back exactly
    the same definitions (names and all, from pg_get_constraintdef / pg_get_indexdef) when the block ends.
    One index build and one validating join per constraint are far cheaper than maintaining them row by
    row. Run it inside a transaction (DDL is transactional): a failure leaves the schema as it was."""
    conn = raw_connection()
    assert not conn.autocommit, "bulk_load() belongs inside transaction.atomic()"
    names = list(tables)
    foreign_keys = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid::regclass::text, conname",
        [names],
    ).fetchall()
    indexes = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')) "
        "ORDER BY 1",
        [names],
    ).fetchall()
    conn.execute("SET LOCAL maintenance_work_mem = '256MB'")  # faster index builds, this transaction only
    for table, name, _ in foreign_keys:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    yield
    for _, definition in indexes:
        conn.execute(definition)
    for table, name, definition in foreign_keys:
        conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def vacuum_analyze(*tables: str) -> None:
    conn = raw_connection()
    assert conn.autocommit, "VACUUM cannot run inside a transaction"
    for table in tables:
        conn.execute(f'VACUUM ANALYZE "{table}"')


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class SelfTimed:
    """What a callable of `interleaved` returns when only part of its run is the figure (a report after an
    untimed write): the seconds of that part."""

    seconds: float


def _timed(fn: Callable[[], object]) -> float:
    gc.collect()  # collect the previous run's garbage outside the timed region
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    return result.seconds if isinstance(result, SelfTimed) else elapsed


def interleaved(fns: dict[str, Callable], *, runs: int, warmup: int) -> dict[str, list[float]]:
    """Run every callable `runs` times, round-robin, rotating which goes first, so drift and noise
    hit them alike. Returns each one's durations in seconds."""
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(runs):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            samples[name].append(_timed(fns[name]))
    return samples


def traced_peak(fn: Callable[[], object]) -> tuple[object, int]:
    """Run `fn` under tracemalloc; return its result and the peak of Python memory it allocated (bytes).
    Memory allocated outside Python's allocators (libpq's buffers) is not seen."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak - start


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def captured(fn: Callable[[], object]) -> list[str]:
    """The SQL statements Django sends for one call of `fn`, in order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fn()
    return [q["sql"] for q in queries.captured_queries]


def run_statements(conn, statements: list[str]) -> None:
    """Replay SQL text (as captured) on the psycopg connection, fetching every result."""
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement, prepare=False)
            if cur.description is not None:
                cur.fetchall()


def profile(label: str, fn: Callable[[], object], limit: int = 30) -> None:
    """A cProfile of one call of `fn`, by cumulative time, to stderr."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(fn)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(limit)
    say(f"\n=== cProfile: {label} ===\n{out.getvalue()}")


def explain(conn, label: str, statements: list[str]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the SELECTs (and WITH … SELECTs) among `statements`, to stderr."""
    for statement in statements:
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, prepare=False).fetchall()
        say(f"\n=== EXPLAIN ANALYZE: {label} ===\n{statement}\n" + "\n".join(r[0] for r in plan))


# --- reporting ---------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    ours: float
    baseline: float
    unit: str  # "s" (shown as ms or s) or "bytes" (shown as KiB/MiB)
    baseline_label: str
    goal: float | None = None  # the highest passing ratio ours / baseline
    goal_text: str = ""
    flag_above: float | None = None  # no goal, but a ratio above this is worth a look ("LOOK")
    ours_samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")

    @property
    def passed(self) -> bool | None:
        return None if self.goal is None else self.ratio <= self.goal

    @property
    def result(self) -> str:
        if self.passed is not None:
            return "PASS" if self.passed else "FAIL"
        if self.flag_above is not None:
            return "LOOK" if self.ratio > self.flag_above else "ok"
        return "-"

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": round(self.ratio, 3), "passed": self.passed, "result": self.result}


def human(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:,.1f} ms" if value < 10 else f"{value:,.2f} s"
    if unit == "bytes":
        if value >= 1024 * 1024:
            return f"{value / (1024 * 1024):,.2f} MiB"
        return f"{value / 1024:,.1f} KiB"
    return f"{value:,.3g} {unit}"


class Report:
    def __init__(self, name: str, title: str):
        self.name = name
        self.title = title
        self.figures: list[Figure] = []
        self.notes: list[str] = []
        self.meta: dict = {}

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def note(self, text: str) -> None:
        self.notes.append(text)

    def table(self) -> str:
        header = ("figure", "ours", "baseline", "ratio", "goal", "result")
        rows = []
        for f in self.figures:
            result = f.result
            rows.append(
                (
                    f.name,
                    human(f.ours, f.unit),
                    f"{human(f.baseline, f.unit)} {f.baseline_label}",
                    f"{f.ratio:.2f}×",
                    f.goal_text,
                    result,
                )
            )
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        right = {1, 3}  # numbers right-aligned

        def line(cells):
            return "  ".join(
                str(c).rjust(widths[i]) if i in right else str(c).ljust(widths[i]) for i, c in enumerate(cells)
            ).rstrip()

        rule = "  ".join("-" * w for w in widths)
        out = [self.title, "", line(header), rule, *(line(r) for r in rows)]
        if self.notes:
            out += ["", *(f"  {n}" for n in self.notes)]
        return "\n".join(out)

    @property
    def all_passed(self) -> bool:
        return all(f.passed is not False for f in self.figures)

    def write_json(self) -> Path:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = RESULTS_DIR / f"{self.name}-{stamp}.json"
        payload = {
            "benchmark": self.name,
            "title": self.title,
            "meta": self.meta,
            "figures": [f.as_dict() for f in self.figures],
            "notes": self.notes,
            "all_passed": self.all_passed,
            "table": self.table(),
        }
        path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
        return path


def environment() -> dict:
    """Where the figures came from, for the JSON file."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    import django

    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "git_commit": commit or None,
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": server_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "argv": sys.argv[1:],
    }


class Stopwatch:
    """`with Stopwatch() as w: ...; w.seconds` — for one-off phases such as seeding."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        return False

    @property
    def elapsed(self) -> float:
        """Seconds so far, inside the block."""
        return time.perf_counter() - self.start


def say(text: str) -> None:
    """Progress goes to stderr so stdout holds only the table."""
    print(text, file=sys.stderr, flush=True)


def patched(setups: list[Callable], fn: Callable[[], object]) -> Callable[[], object]:
    """`fn` run with the proposals `setups` (each `setup(stack)` enters what it changes into an ExitStack)
    monkeypatched in, and undone after each call: a proposed change timed without editing production files."""
    from contextlib import ExitStack

    def run():
        with ExitStack() as stack:
            for setup in setups:
                setup(stack)
            return fn()

    return run
