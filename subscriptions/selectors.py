"""Reads of subscriptions: who may see which, the filtered list, and each one's schedule state (terms, what it has
billed, its pauses) in a fixed number of queries for any number of subscriptions."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max
from django.utils import timezone

from core.dates import business_zone, local_iso
from ledger.models import Transaction
from ledger.selectors import visible_documents
from subscriptions import schedule
from subscriptions.models import SubscriptionPause, SubscriptionPeriod

TERM_FIELDS = (
    "id",
    "business_id",
    "transaction_date",
    "recur_interval",
    "recur_interval_type",
    "subscription_repeat_on",
    "recur_repetitions",
    "recur_stopped_on",
)


def visible_subscriptions(user):
    """Recurring parents the user may see: the sells they may see (permitted locations; their own with
    `view_own_sell_only`) that are subscriptions."""
    return visible_documents(user, Transaction.Type.SELL).filter(is_recurring=True)


def subscription_list(*, user, contact=None):
    """GET /subscriptions and GET /contacts/{id}/subscriptions, newest first (subscriptions.api.filters narrows
    them)."""
    rows = visible_subscriptions(user)
    if contact is not None:
        rows = rows.filter(contact=contact)
    return rows.order_by("-transaction_date", "-id")


# --- schedule state ------------------------------------------------------------------------------------------


@dataclass
class State:
    """One subscription's schedule as the generator sees it."""

    terms: schedule.Terms
    billed: schedule.Billed
    pauses: list[schedule.Pause]  # resumed pauses, oldest first
    stopped_on: datetime.datetime | None
    zone: object
    start: datetime.datetime  # the parent's local date and time

    @property
    def stopped(self) -> bool:
        return self.stopped_on is not None

    @property
    def all_pauses(self) -> list[schedule.Pause]:
        """The resumed pauses and, while stopped, the current one."""
        if self.stopped_on is None:
            return self.pauses
        return [*self.pauses, pause_of(self.stopped_on, None, self.zone)]

    def upcoming(self) -> schedule.Period | None:
        return schedule.upcoming(self.terms, self.billed, self.pauses, stopped=self.stopped)

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A period's child is dated on its date at the parent's local time of day."""
        return datetime.datetime.combine(day, self.start.time(), tzinfo=self.zone)


def terms_of(row: dict, zone) -> tuple[schedule.Terms, datetime.datetime]:
    start = timezone.localtime(row["transaction_date"], zone)
    unit = row["recur_interval_type"]
    return (
        schedule.Terms(
            start=start.date(),
            interval=row["recur_interval"] or 1,
            unit=unit,
            repeat_on=row["subscription_repeat_on"] if unit == schedule.MONTHS else None,
            repetitions=row["recur_repetitions"] or None,
        ),
        start,
    )


def billed_of(parent_ids) -> dict[int, schedule.Billed]:
    rows = (
        SubscriptionPeriod.objects.filter(parent_id__in=parent_ids)
        .values("parent_id")
        .annotate(count=Count("id"), last=Max("sequence"))
        .order_by()
    )
    return {row["parent_id"]: schedule.Billed(row["count"], row["last"]) for row in rows}


def pause_of(stopped_on: datetime.datetime, resumed_on: datetime.datetime | None, zone) -> schedule.Pause:
    """A stop as the schedule reads it: local dates."""
    resumed = timezone.localtime(resumed_on, zone).date() if resumed_on is not None else None
    return schedule.Pause(timezone.localtime(stopped_on, zone).date(), resumed)


def pauses_of(parent_ids, zone) -> dict[int, list[schedule.Pause]]:
    out = defaultdict(list)
    rows = SubscriptionPause.objects.filter(parent_id__in=parent_ids).order_by("parent_id", "stopped_on", "id")
    for parent_id, stopped_on, resumed_on in rows.values_list("parent_id", "stopped_on", "resumed_on"):
        out[parent_id].append(pause_of(stopped_on, resumed_on, zone))
    return out


def states_of(rows: list[dict], business, *, billed=None, pauses=None) -> dict[int, State]:
    """The schedule state of each parent row (a dict of TERM_FIELDS), in two queries (billed periods, pauses)
    unless they are given."""
    zone = business_zone(business)
    ids = [row["id"] for row in rows]
    billed = billed_of(ids) if billed is None else billed
    pauses = pauses_of(ids, zone) if pauses is None else pauses
    states = {}
    for row in rows:
        terms, start = terms_of(row, zone)
        states[row["id"]] = State(
            terms=terms,
            billed=billed.get(row["id"], schedule.Billed()),
            pauses=pauses.get(row["id"], []),
            stopped_on=row["recur_stopped_on"],
            zone=zone,
            start=start,
        )
    return states


def state_of(parent: Transaction) -> State:
    row = {name: getattr(parent, name) for name in TERM_FIELDS}
    return states_of([row], parent.business)[parent.pk]


def generated_invoices(parent_ids) -> dict[int, list[dict]]:
    """The children of each parent, oldest first, in one query."""
    out = defaultdict(list)
    rows = (
        Transaction.objects.filter(recur_parent_id__in=parent_ids)
        .order_by("transaction_date", "id")
        .values_list("recur_parent_id", "id", "invoice_no", "transaction_date", "status", "created_at")
    )
    for parent_id, *child in rows:
        out[parent_id].append(child)
    return out


def schedule_preview(parent: Transaction, *, count: int) -> dict:
    """GET /subscriptions/{id}/schedule: the next `count` invoice dates the generator would use (writing nothing),
    and what every stop skipped."""
    state = state_of(parent)
    today = timezone.localtime(timezone.now(), state.zone).date()
    plan = schedule.preview(
        state.terms, state.billed, state.all_pauses, stopped=state.stopped, today=today, count=count
    )
    upcoming = state.upcoming()
    terms = state.terms
    return {
        "subscription_id": parent.pk,
        "today": today.isoformat(),
        "is_stopped": state.stopped,
        "recur_stopped_on": local_iso(state.stopped_on, parent.business),
        "recur_interval_label": terms.label(),
        "billed_periods": state.billed.count,
        "remaining_repetitions": max(0, terms.repetitions - state.billed.count) if terms.limited else None,
        "upcoming_invoice_date": upcoming.date.isoformat() if upcoming else None,
        "periods": [
            {
                "sequence": period.sequence,
                "date": period.date.isoformat(),
                "status": "due" if period.date <= today else "scheduled",
            }
            for period in plan.periods
        ],
        "skipped_periods": [
            {
                "stopped_on": run.stopped.isoformat(),
                "resumed_on": run.resumed.isoformat() if run.resumed else None,
                "first_sequence": run.first.sequence,
                "first_date": run.first.date.isoformat(),
                "last_sequence": run.last.sequence,
                "last_date": run.last.date.isoformat(),
                "count": run.count,
            }
            for run in plan.skipped
        ],
    }
