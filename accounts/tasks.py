"""Celery tasks of payment accounts, thin: each calls one service (inline when no broker is configured)."""

from celery import shared_task

from accounts.reports.snapshots import build_all
from core.models import Business


@shared_task(name="accounts.build_balance_snapshots")
def build_balance_snapshots(business_id: int | None = None) -> dict:
    """Drop the invalid balance snapshots and write the missing month ends (beat queues this; see
    ERP_BALANCE_SNAPSHOTS_CRON). Returns what `build_balance_snapshots --json` prints."""
    businesses = Business.objects.filter(pk=business_id) if business_id is not None else Business.objects.all()
    return {"businesses": [r.as_dict() for r in build_all(businesses.order_by("id"))]}
