"""gunicorn's settings for the web app (the Dockerfile, docker-compose.yml and `make load` use this file):
`gunicorn -c gunicorn.conf.py erp.wsgi:application`. Every value comes from the environment.

Workers are processes, each with a pool of threads (the gthread worker). A request spends part of its time
waiting for PostgreSQL; the threads of one worker overlap those waits, the workers use the cores. Defaults: one
worker per core (at least two) with four threads each; with persistent database connections
(DATABASE_CONN_MAX_AGE) every thread keeps one connection, so PostgreSQL sees workers x threads connections.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count()))
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"
# A request that runs longer than this is killed with its worker (its transaction rolls back). Keep it below
# ERP_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS, after which an unanswered Idempotency-Key claim may be taken over.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Queued connections waiting for a free thread.
backlog = _int("GUNICORN_BACKLOG", 2048)
# Workers are replaced after this many requests (with jitter, so not all at once); 0 never.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1_000)

# One line per request on stdout ("-"), or a file; empty turns the access log off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Proxies whose X-Forwarded-Proto is trusted (comma-separated addresses).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
