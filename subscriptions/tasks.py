"""Celery tasks of subscriptions, thin: each calls one service (inline when no broker is configured)."""

import datetime

from celery import shared_task

from core.models import Business
from subscriptions.generation import generate_due_invoices as generate


@shared_task(name="subscriptions.generate_due_invoices")
def generate_due_invoices(date: str | None = None, business_id: int | None = None) -> dict:
    """Bill every period that has come (beat queues this daily; see ERP_SUBSCRIPTIONS_CRON). Returns the summary
    that `generate_subscription_invoices --json` prints."""
    business = Business.objects.get(pk=business_id) if business_id is not None else None
    day = datetime.date.fromisoformat(date) if date else None
    return generate(date=day, business=business).as_dict()
