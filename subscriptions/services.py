"""Writes to subscriptions other than generation (see generation.py): stop, resume, toggle, and the generator's
index of due dates. Each locks the parent sell first (the ledger's lock order: documents by id)."""

from django.db import connection
from django.db import transaction as db
from django.utils import timezone

from core.exceptions import BusinessRuleViolation
from core.services.activity import logged_update
from core.sql import execute_together
from ledger.models import Transaction
from subscriptions.models import SubscriptionPause, SubscriptionSchedule
from subscriptions.selectors import State, state_of

TOGGLE_FIELDS = ("recur_stopped_on",)


def locked_parent(parent) -> Transaction:
    """The subscription's parent sell, row-locked until the transaction ends."""
    locked = (
        Transaction.objects.select_for_update(of=("self",))
        .select_related("business")
        .filter(pk=parent.pk, type=Transaction.Type.SELL, is_recurring=True)
        .first()
    )
    if locked is None:
        raise BusinessRuleViolation("This sell is not a subscription.")
    return locked


SCHEDULE_UPSERT = (
    f"INSERT INTO {SubscriptionSchedule._meta.db_table} (parent_id, business_id, next_date, updated_at) "
    "VALUES (%s, %s, %s, %s) ON CONFLICT (parent_id) DO UPDATE SET next_date = EXCLUDED.next_date, "
    "updated_at = EXCLUDED.updated_at"
)


def schedule_statement(parent: Transaction, state: State) -> tuple[str, list]:
    """The upsert that records when the generator next has work for this subscription (null: none)."""
    upcoming = state.upcoming()
    next_date = connection.ops.adapt_datefield_value(upcoming.date) if upcoming else None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return SCHEDULE_UPSERT, [parent.pk, parent.business_id, next_date, now]


def schedule_save(parent: Transaction, state: State) -> None:
    execute_together([schedule_statement(parent, state)])


def subscription_stop(*, business, user, parent) -> Transaction:
    """Stop generating invoices (recur_stopped_on = now). Stopping a stopped subscription changes nothing."""
    with db.atomic():
        parent = locked_parent(parent)
        if parent.recur_stopped_on is None:
            with logged_update(
                business=business, user=user, instance=parent, fields=TOGGLE_FIELDS, description="subscription stopped"
            ):
                parent.recur_stopped_on = timezone.now()
                parent.save(update_fields=["recur_stopped_on", "updated_at"])
            schedule_save(parent, state_of(parent))
    return parent


def subscription_resume(*, business, user, parent) -> Transaction:
    """Resume a stopped subscription. The periods that fell due while it was stopped are not billed: the pause is
    recorded, and the schedule passes over them (RULES §8). Resuming a running subscription changes nothing."""
    with db.atomic():
        parent = locked_parent(parent)
        if parent.recur_stopped_on is not None:
            now = timezone.now()
            SubscriptionPause.objects.create(
                business_id=parent.business_id,
                parent=parent,
                stopped_on=parent.recur_stopped_on,
                resumed_on=max(now, parent.recur_stopped_on),
            )
            with logged_update(
                business=business, user=user, instance=parent, fields=TOGGLE_FIELDS, description="subscription resumed"
            ):
                parent.recur_stopped_on = None
                parent.save(update_fields=["recur_stopped_on", "updated_at"])
            schedule_save(parent, state_of(parent))
    return parent


def subscription_toggle(*, business, user, parent) -> Transaction:
    """POST /subscriptions/{id}/toggle-recurring: stop a running subscription, resume a stopped one."""
    with db.atomic():
        current = locked_parent(parent)
        change = subscription_resume if current.recur_stopped_on is not None else subscription_stop
        return change(business=business, user=user, parent=current)
