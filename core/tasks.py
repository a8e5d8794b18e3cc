"""Celery tasks of core, thin: each calls one service (inline when no broker is configured)."""

from celery import shared_task

from core.services.idempotency import idempotency_keys_purge


@shared_task(name="core.purge_idempotency_keys")
def purge_idempotency_keys() -> dict:
    """Delete expired Idempotency-Key answers (beat queues this: ERP_IDEMPOTENCY_PURGE_CRON)."""
    return {"deleted": idempotency_keys_purge()}
