"""`make load`: the app under gunicorn on PostgreSQL on 127.0.0.1, a bounded load from wrk, then the invariants.

For each serving (`before`: the old command line, two sync workers and a new database connection per request;
`after`: gunicorn.conf.py's defaults with persistent connections) it starts gunicorn on a seeded database (the
`make run` demo business), runs wrk with 64 connections for 60 s of mixed reads (bench/load/reads.lua) and 30 s of
mixed writes (bench/load/writes.lua: contacts, pay-dues with and without an Idempotency-Key, deliberate retries of
keyed pay-dues, fund transfers), stops gunicorn, and prints requests/s, p50/p99 and the answers by status, the
`after` figures beside the `before` ones as ratios. Then it checks, over the API, that each touched contact's
balance equals its ledger's closing balance and each account's balance is Σ credit − Σ debit of its lines; in the
database, that no two documents, payments or contacts share a reference number and that every idempotency key
wrk sent (retried or not) paid exactly once.

Rate limits stay on, with budgets far above the load (`ERP_RATE_LIMIT_*`): the counting is part of what is
measured. Counters live in Redis when `--cache-url` (or $ERP_LOAD_CACHE_URL) is given, else in each process.
"""

import argparse
import csv
import datetime
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, create_database, drop_database, migrate, require_postgres_url, setup_django  # noqa: E402

LUA_DIR = ROOT / "bench" / "load"
BASE = "/api/v1/integration"
SERVINGS = {
    # what the Dockerfile ran before gunicorn.conf.py, with the two workers the figures were first taken with
    "before": {"args": ["--workers", "2", "--worker-class", "sync", "--timeout", "60"], "env": {}},
    "after": {"args": ["-c", str(ROOT / "gunicorn.conf.py")], "env": {"DATABASE_CONN_MAX_AGE": "60"}},
}
HIGH = "1000000000"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL"))
    parser.add_argument("--database", default="erp_bench_load")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--read-seconds", type=int, default=60)
    parser.add_argument("--write-seconds", type=int, default=30)
    parser.add_argument(
        "--service-seconds", type=int, default=10, help="reads on one connection first: the service time (10)"
    )
    parser.add_argument("--serving", choices=["both", *SERVINGS], default="both")
    parser.add_argument("--cache-url", default=os.environ.get("ERP_LOAD_CACHE_URL", ""))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


# --- seed ----------------------------------------------------------------------------------------------------


def seed() -> dict:
    from django.core.management import call_command

    from accounts.models import Account
    from contacts.models import Contact
    from core.models import ApiCredential, User
    from core.services.credentials import credential_issue

    call_command("seed_demo", stdout=io.StringIO())
    admin = User.objects.get(username="demo-admin")
    token = credential_issue(user=admin, kind=ApiCredential.Kind.TOKEN, name="make load").token
    customers = list(
        Contact.objects.for_business(admin.business)
        .filter(type__in=["customer", "both"], is_default=False)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    accounts = list(
        Account.objects.for_business(admin.business).filter(is_closed=False).order_by("id").values_list("pk", flat=True)
    )
    assert len(customers) >= 6 and len(accounts) >= 2, (customers, accounts)
    half = len(customers) // 2
    today = datetime.date.today()
    return {
        "token": token,
        "business_id": admin.business_id,
        "customers": customers[:half],
        "idem_customers": customers[half:],
        "accounts": accounts,
        "today": today.isoformat(),
        "year_start": today.replace(month=1, day=1).isoformat(),
    }


def lua_config(config: dict, key_prefix: str, port: int) -> str:
    def table(values):
        return "{" + ", ".join(str(v) for v in values) + "}"

    return (
        "return {\n"
        f'  token = "{config["token"]}",\n'
        f'  base = "{BASE}",\n'
        f'  key_prefix = "{key_prefix}",\n'
        f"  customers = {table(config['customers'])},\n"
        f"  idem_customers = {table(config['idem_customers'])},\n"
        f"  accounts = {table(config['accounts'])},\n"
        f'  today = "{config["today"]}",\n'
        f'  year_start = "{config["year_start"]}",\n'
        "}\n"
    )


# --- gunicorn and wrk ----------------------------------------------------------------------------------------


def start_gunicorn(serving: str, database_url: str, port: int, cache_url: str, workdir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "ERP_CACHE_URL": cache_url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": str(workdir / f"access-{serving}.log"),
        "GUNICORN_ERROR_LOG": str(workdir / f"error-{serving}.log"),
        **{
            f"ERP_RATE_LIMIT_{name}": HIGH
            for name in (
                "READS_PER_MINUTE",
                "READS_BURST",
                "WRITES_PER_MINUTE",
                "WRITES_BURST",
                "ANONYMOUS_PER_MINUTE",
                "ANONYMOUS_BURST",
            )
        },
        **SERVINGS[serving]["env"],
    }
    args = [str(ROOT / ".venv" / "bin" / "gunicorn"), *SERVINGS[serving]["args"], "erp.wsgi:application"]
    if serving == "before":
        args += [
            "--bind",
            env["GUNICORN_BIND"],
            "--access-logfile",
            env["GUNICORN_ACCESS_LOG"],
            "--error-logfile",
            env["GUNICORN_ERROR_LOG"],
        ]
    server = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {workdir}/error-{serving}.log")
    stop(server)
    sys.exit("gunicorn did not answer /healthz within 60 s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def run_wrk(
    script: str, seconds: int, args, config_path: Path, workdir: Path, label: str, connections: int | None = None
) -> dict:
    result = workdir / f"{label}.json"
    env = {
        **os.environ,
        "LOAD_CONFIG": str(config_path),
        "LOAD_RESULT": str(result),
        "LOAD_LUA_DIR": str(LUA_DIR),
    }
    command = [
        "wrk",
        f"-t{min(args.wrk_threads, connections or args.connections)}",
        f"-c{connections or args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA_DIR / script),
        f"http://127.0.0.1:{args.port}",
    ]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    figures = json.loads(result.read_text())
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def wait_idle(access_log: Path, quiet_seconds: float = 3.0, limit: float = 120.0) -> None:
    """wrk stops with requests in flight, and gunicorn finishes them after their connections closed: wait until
    the access log has not grown for `quiet_seconds`, so the invariants read a settled database."""
    deadline, size, since = time.monotonic() + limit, -1, time.monotonic()
    while time.monotonic() < deadline:
        now_size = access_log.stat().st_size if access_log.exists() else 0
        if now_size != size:
            size, since = now_size, time.monotonic()
        elif time.monotonic() - since >= quiet_seconds:
            return
        time.sleep(0.5)
    sys.exit(f"gunicorn was still answering {limit:.0f} s after wrk stopped")


# --- invariants ----------------------------------------------------------------------------------------------


def api(port: int, token: str, path: str, *, raw=False):
    headers = {"Authorization": f"Bearer {token}"}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{BASE}{path}", headers=headers)
    with urllib.request.urlopen(request, timeout=120) as response:
        body = response.read()
    return body if raw else json.loads(body, parse_float=Decimal)


def api_violations(port: int, config: dict) -> dict:
    """Over the API: a contact's balance is its ledger's closing balance; an account's balance is Σ credit − Σ
    debit of its lines."""
    token, violations = config["token"], {}
    for contact in config["customers"] + config["idem_customers"]:
        due = api(port, token, f"/contacts/{contact}/balance")["data"]["due"]
        summary = api(port, token, f"/contacts/{contact}/ledger?start_date=1900-01-01&end_date={config['today']}")[
            "data"
        ]["summary"]
        if not (due == summary["all_balance_due"] == summary["balance_due"]):
            violations.setdefault("contact balance != ledger closing", []).append(
                (contact, str(due), str(summary["all_balance_due"]), str(summary["balance_due"]))
            )
    for account in api(port, token, "/accounts?per_page=100")["data"]:
        lines = api(port, token, f"/accounts/{account['id']}/transactions?format=csv", raw=True)
        rows = list(csv.DictReader(io.StringIO(lines.decode("utf-8-sig"))))
        credit = sum((Decimal(r["amount"]) for r in rows if r["type"] == "credit"), Decimal(0))
        debit = sum((Decimal(r["amount"]) for r in rows if r["type"] == "debit"), Decimal(0))
        if Decimal(account["balance"]) != credit - debit:
            violations.setdefault("account balance != credit - debit", []).append(
                (account["id"], str(account["balance"]), str(credit - debit))
            )
    return violations


def database_violations(config: dict, sent: dict) -> dict:
    from django.db.models import Count

    from contacts.models import Contact
    from ledger.models import Transaction, TransactionPayment

    violations = {}
    business = config["business_id"]
    for label, queryset, field in (
        ("duplicate payment ref numbers", TransactionPayment.objects.filter(business_id=business), "payment_ref_no"),
        ("duplicate invoice numbers", Transaction.objects.filter(business_id=business), "invoice_no"),
        ("duplicate document ref numbers", Transaction.objects.filter(business_id=business), "ref_no"),
        ("duplicate contact ids", Contact.objects.filter(business_id=business), "contact_id"),
    ):
        duplicated = list(
            queryset.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list(field, "n")[:10]
        )
        if duplicated:
            violations[label] = duplicated
    effects = dict(
        TransactionPayment.objects.filter(business_id=business, note__in=list(sent), parent__isnull=True)
        .values("note")
        .annotate(n=Count("id"))
        .values_list("note", "n")
    )
    wrong = {key: effects.get(key, 0) for key in sent if effects.get(key, 0) != 1}
    if wrong:
        violations["idempotent requests without exactly one effect"] = list(wrong.items())[:10]
    return violations


# --- report --------------------------------------------------------------------------------------------------


def line(label: str, figures: dict, baseline: dict | None) -> str:
    p50, p99 = figures["latency_us"]["p50"] / 1000, figures["latency_us"]["p99"] / 1000
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(figures["statuses"].items()))
    socket_errors = {k: v for k, v in figures["errors"].items() if v and k != "status"}
    text = f"  {label:<16} {figures['rps']:8.1f} req/s   p50 {p50:8.1f} ms   p99 {p99:8.1f} ms   [{statuses}]"
    if socket_errors:
        text += f"  socket errors {socket_errors}"
    if baseline:
        ratios = (
            figures["rps"] / baseline["rps"],
            figures["latency_us"]["p50"] / baseline["latency_us"]["p50"],
            figures["latency_us"]["p99"] / baseline["latency_us"]["p99"],
        )
        text += "\n  {:<16} x{:.2f} req/s            x{:.2f} p50              x{:.2f} p99   (after / before)".format(
            "", *ratios
        )
    return text


def main():
    args = parse_args()
    url = require_postgres_url(args.url)
    database_url = create_database(url, args.database)
    setup_django(database_url)
    migrate()
    config = seed()
    from django.db import connection

    connection.close()
    servings = list(SERVINGS) if args.serving == "both" else [args.serving]
    workdir = Path(tempfile.mkdtemp(prefix="erp-load-", dir=ROOT / "var"))
    results, violations, sent_all = {}, {}, {}
    try:
        for serving in servings:
            config_path = workdir / f"config-{serving}.lua"
            config_path.write_text(lua_config(config, f"load-{serving}", args.port))
            server = start_gunicorn(serving, database_url, args.port, args.cache_url, workdir)
            try:
                service = run_wrk(
                    "reads.lua", args.service_seconds, args, config_path, workdir, f"service-{serving}", connections=1
                )
                reads = run_wrk("reads.lua", args.read_seconds, args, config_path, workdir, f"reads-{serving}")
                writes = run_wrk("writes.lua", args.write_seconds, args, config_path, workdir, f"writes-{serving}")
                results[serving] = {"service": service, "reads": reads, "writes": writes}
                wait_idle(workdir / f"access-{serving}.log")
                sent_all.update(writes["sent"])
                for name, found in api_violations(args.port, config).items():
                    violations.setdefault(f"{serving}: {name}", found)
            finally:
                stop(server)
        for name, found in database_violations(config, sent_all).items():
            violations.setdefault(name, found)
    finally:
        if not args.keep:
            connection.close()
            drop_database(url, args.database)

    cpus = os.cpu_count()
    print(
        f"\nmake load: {args.connections} connections, reads {args.read_seconds} s then writes {args.write_seconds} s, "
        f"on {cpus} cores, PostgreSQL on 127.0.0.1; logs in {workdir}"
    )
    titles = {
        "service": "reads on 1 connection (the service time)",
        "reads": f"reads on {args.connections} connections",
        "writes": f"writes on {args.connections} connections",
    }
    for phase in ("service", "reads", "writes"):
        print(f"\n{titles[phase]}:")
        for serving in servings:
            baseline = results["before"][phase] if serving != "before" and "before" in results else None
            print(line(serving, results[serving][phase], baseline))
    for serving in servings:
        writes = results[serving]["writes"]
        keys = len(writes["sent"])
        retried = sum(1 for n in writes["sent"].values() if n > 1)
        print(
            f"\nidempotent pay-dues ({serving}): {keys} keys, {retried} retried, {writes['replayed']} answers replayed"
        )
    for serving in servings:
        service_p50 = results[serving]["service"]["latency_us"]["p50"]
        reads_p99 = results[serving]["reads"]["latency_us"]["p99"]
        print(
            f"p99 of the read mix ({serving}) = {reads_p99 / service_p50:.1f} x its median service time "
            f"({reads_p99 / 1000:.0f} ms / {service_p50 / 1000:.0f} ms)"
        )
    print("\ninvariants: " + ("all hold" if not violations else "VIOLATED"))
    for name, found in violations.items():
        print(f"  {name}: {found}")
    (workdir / "results.json").write_text(json.dumps({"results": results, "violations": violations}, default=str))
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()
