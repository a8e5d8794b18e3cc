"""The generator through the real task queue: a task queued here travels through a Redis broker to a Celery worker
started as its own process (`celery -A erp worker`, as in production), which bills the due periods in the test
database and sends its summary back through Redis.

Redis comes from ERP_TEST_REDIS_URL (`.ci/run` starts one with scripts/redis-up; locally: `export
ERP_TEST_REDIS_URL=$(scripts/redis-up)`). Without it the test is skipped, except under CI, where it fails.
"""

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from erp.celery import app
from subscriptions.tests.builders import child_dates, make_subscription, moment, subscription_shop

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("ERP_TEST_REDIS_URL")
TASK = "subscriptions.generate_due_invoices"

ON_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the worker is another process and cannot open the SQLite test database, which lives in this process's "
    "memory; this test runs on PostgreSQL (DATABASE_URL=postgres://...)",
)


def test_database_url() -> str:
    db = connection.settings_dict
    credentials = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@" if db["USER"] else ""
    return f"postgres://{credentials}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture
def broker() -> str:
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("ERP_TEST_REDIS_URL is not set: .ci/run starts Redis with scripts/redis-up and exports it")
        pytest.skip("needs a Redis server: export ERP_TEST_REDIS_URL=$(scripts/redis-up)")
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5).ping()
    return REDIS_URL


@pytest.fixture
def worker(broker):
    """`celery -A erp worker` on a queue of its own, against the test database; stopped at the end."""
    queue = f"erp-test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "erp",
        "worker",
        "--pool",
        "solo",
        "--queues",
        queue,
        "--hostname",
        f"{queue}@localhost",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "INFO",
    ]
    log = ROOT / "var" / f"{queue}.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield queue, process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.unlink(missing_ok=True)


def test_the_beat_schedule_queues_a_task_the_worker_knows():
    entry = settings.CELERY_BEAT_SCHEDULE["generate-subscription-invoices"]
    assert entry["task"] == TASK
    app.loader.import_default_modules()
    assert TASK in app.tasks


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_task_queued_here_is_executed_by_a_real_worker_through_redis(business, admin_user, worker, broker):
    queue, process, log = worker
    shop = subscription_shop(business, admin_user)
    parent = make_subscription(shop, when=moment(2026, 1, 31))
    client = Celery("erp-test-client", broker=broker, backend=broker)

    result = client.send_task(TASK, kwargs={"date": "2026-05-15", "business_id": business.pk}, queue=queue)
    try:
        summary = result.get(timeout=120)
    except Exception:
        process.terminate()
        raise AssertionError(f"the worker did not run the task:\n{log.read_text()[-4000:]}") from None

    assert summary["children_created"] == 3
    assert summary["businesses"][str(business.pk)]["date"] == "2026-05-15"
    assert child_dates(parent) == [datetime.date(2026, 2, 28), datetime.date(2026, 3, 31), datetime.date(2026, 4, 30)]
    assert process.poll() is None, "the worker is still serving"
    assert "succeeded" in log.read_text()
