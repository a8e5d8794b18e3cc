"""Reference numbers (RULES §3): per-business counters, advanced under a row lock.

Call inside the transaction that saves the numbered document: the lock is held until it
commits, so two documents can never take the same number, and a rollback gives the number back.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import ReferenceCounter


def next_count(business, ref_type: str) -> int:
    return next_counts(business, ref_type, 1)[0]


def next_counts(business, ref_type: str, n: int) -> list[int]:
    """The next `n` counts of the counter, taken in one step (an import numbers its rows this way)."""
    if n < 1:
        return []
    with transaction.atomic():
        rows = ReferenceCounter.objects.filter(business=business, ref_type=ref_type)
        if not rows.update(count=F("count") + n):
            ReferenceCounter.objects.bulk_create(
                [ReferenceCounter(business=business, ref_type=ref_type)], ignore_conflicts=True
            )
            rows.update(count=F("count") + n)
        last = rows.values_list("count", flat=True).get()
    return list(range(last - n + 1, last + 1))


def padded(count: int, digits: int = 4) -> str:
    return str(count).zfill(digits)


def yearly_reference(prefix: str, count: int, year: int | None = None) -> str:
    """`SP2026/0001`; `2026/0001` with an empty prefix."""
    year = year or timezone.localdate().year
    return f"{prefix}{year}/{padded(count)}"
