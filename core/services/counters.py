"""Reference numbers (RULES §3): per-business counters, advanced under a row lock.

Call inside the transaction that saves the numbered document: the lock is held until it
commits, so two documents can never take the same number, and a rollback gives the number back.
"""

from django.db import connection, transaction
from django.utils import timezone

from core.models import ReferenceCounter

ADVANCE = (
    f"UPDATE {ReferenceCounter._meta.db_table} SET count = count + %s WHERE business_id = %s AND ref_type = %s "
    "RETURNING count"
)


def next_counts(business, ref_type: str, how_many: int) -> range:
    """Advance the counter by `how_many` at once and return the counts taken (a bulk of documents numbered in
    one go: one statement, however many). The row stays locked until the caller's transaction ends."""
    business_id = business if isinstance(business, int) else business.pk
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(ADVANCE, [how_many, business_id, ref_type])
        row = cursor.fetchone()
        if row is None:  # the first number of its kind: create the counter (a concurrent first is harmless)
            ReferenceCounter.objects.bulk_create(
                [ReferenceCounter(business_id=business_id, ref_type=ref_type)], ignore_conflicts=True
            )
            cursor.execute(ADVANCE, [how_many, business_id, ref_type])
            row = cursor.fetchone()
        return range(row[0] - how_many + 1, row[0] + 1)


def next_count(business, ref_type: str) -> int:
    return next_counts(business, ref_type, 1)[0]


def padded(count: int, digits: int = 4) -> str:
    return str(count).zfill(digits)


def yearly_reference(prefix: str, count: int, year: int | None = None) -> str:
    """`SP2026/0001`; `2026/0001` with an empty prefix."""
    year = year or timezone.localdate().year
    return f"{prefix}{year}/{padded(count)}"
