"""Rate limits of the Integration API, counted in Django's cache (`CACHES["default"]`).

Each credential has two budgets for reads (GET, HEAD, OPTIONS) and two for writes: a sustained one per minute
and a burst per second (fixed windows; `ERP_RATE_LIMITS`). A request without credentials counts against its
client address instead, before any authentication work; so does a request whose credentials fail, and an
address whose budget is spent gets 429 before its credentials are even checked.

The counters are cache keys incremented atomically (`INCR` on Redis), so every gunicorn worker and machine that
shares the cache shares the count. Only with Redis (`ERP_CACHE_URL`) is the count shared; the local-memory
default counts per process. When the cache cannot be reached the request is let through and logged: the limits
protect the service, they must not take it down.
"""

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse

logger = logging.getLogger("erp.api")

TOO_MANY = "Too many requests."
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    """The window closest to refusing (the one the X-RateLimit-* headers describe)."""

    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds when the window starts afresh
    retry_after: int  # seconds, when refused


def windows(kind: str) -> list[Window]:
    budget = settings.ERP_RATE_LIMITS[kind]
    return [
        Window(budget["sustained"], settings.ERP_RATE_LIMIT_SUSTAINED_SECONDS),
        Window(budget["burst"], settings.ERP_RATE_LIMIT_BURST_SECONDS),
    ]


def _key(scope: str, kind: str, window: Window, start: int) -> str:
    return f"erp:rl:{scope}:{kind}:{window.seconds}:{start}"


def _incr(key: str, seconds: int) -> int:
    try:
        return cache.incr(key)
    except ValueError:  # not there yet (or expired a moment ago)
        if cache.add(key, 1, timeout=seconds + 1):
            return 1
        return cache.incr(key)


def _verdict(now: float, counted: list[tuple[Window, int, int]]) -> Verdict:
    refused = [(w, count, start) for w, count, start in counted if count > w.limit]
    if refused:
        window, count, start = max(refused, key=lambda item: item[2] + item[0].seconds)
        reset = start + window.seconds
        return Verdict(False, window.limit, 0, reset, max(1, math.ceil(reset - now)))
    window, count, start = min(counted, key=lambda item: (item[0].limit - item[1], -item[0].seconds))
    return Verdict(True, window.limit, window.limit - count, start + window.seconds, 0)


def hit(scope: str, kind: str) -> Verdict | None:
    """Count one request of `kind` ("read", "write", "anonymous") against `scope`; None when limits are off or
    the cache is unreachable."""
    if not settings.ERP_RATE_LIMIT_ENABLED:
        return None
    now = time.time()
    counted = []
    try:
        for window in windows(kind):
            start = int(now // window.seconds) * window.seconds
            counted.append((window, _incr(_key(scope, kind, window, start), window.seconds), start))
    except Exception:  # noqa: BLE001 - an unreachable cache lets requests through (module docstring)
        logger.exception("Rate limit counters unavailable; request let through")
        return None
    return _verdict(now, counted)


def too_many(verdict: Verdict) -> JsonResponse:
    response = JsonResponse({"message": TOO_MANY}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def add_headers(response, verdict: Verdict | None) -> None:
    if verdict is None:
        return
    response["X-RateLimit-Limit"] = str(verdict.limit)
    response["X-RateLimit-Remaining"] = str(max(0, verdict.remaining))
    response["X-RateLimit-Reset"] = str(verdict.reset)
