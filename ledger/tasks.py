"""Celery tasks of the ledger, thin: each loads its rows and calls one service (inline when no broker is
configured)."""

from celery import shared_task

from core.models import Business, User
from ledger.services.statements import StatementMail, StatementNotSent, send_statement

#: Transient mail failures are tried again after 1, 2, 4, 8, 16 … minutes (capped at an hour), at most this often.
MAX_RETRIES = 8


@shared_task(name="ledger.send_statement", bind=True, max_retries=MAX_RETRIES)
def send_statement_task(self, *, business_id: int, user_id: int | None, **mail) -> dict:
    """Build and e-mail one statement. With a worker, a transient SMTP failure is retried with exponential
    backoff; inline (no broker) the failure is raised to the caller, which answers 422."""
    business = Business.objects.get(pk=business_id)
    user = User.objects.filter(pk=user_id, business=business).first() if user_id else None
    try:
        activity = send_statement(business=business, user=user, mail=StatementMail(**mail))
    except StatementNotSent as exc:
        if exc.transient and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=min(3600, 60 * 2**self.request.retries)) from exc
        raise
    return {"activity_id": activity.pk, "pdf_sha256": activity.properties["pdf_sha256"]}
