"""Shapes of the subscription endpoints (contacts-api.txt, "Subscriptions") and their query strings."""

from rest_framework import serializers

from core.api.query import ObjectFormatQuery
from core.api.rows import Batched, Computed
from core.api.serializers import InputSerializer
from core.dates import local_iso
from ledger.models import Transaction
from subscriptions import schedule
from subscriptions.selectors import TERM_FIELDS, generated_invoices, states_of

INTERVAL_TYPES = Transaction.RecurInterval.choices


# --- query strings ---------------------------------------------------------------------------------------------


class NoBody(InputSerializer):
    """An action that takes no body: any field sent is refused (422), never silently ignored."""


class ScheduleQuery(ObjectFormatQuery):
    count = serializers.IntegerField(
        min_value=1,
        max_value=100,
        default=12,
        help_text="How many upcoming invoice dates, 1 to 100. Defaults to 12.",
        error_messages={
            "min_value": "The count field must be between 1 and 100.",
            "max_value": "The count field must be between 1 and 100.",
            "invalid": "The count field must be an integer.",
        },
    )


# --- rows ------------------------------------------------------------------------------------------------------


class GeneratedInvoice(serializers.Serializer):
    id = serializers.IntegerField()
    invoice_no = serializers.CharField()
    transaction_date = serializers.DateTimeField(help_text="The period date, at the parent's time of day.")
    status = serializers.ChoiceField(
        choices=["final", "draft"], help_text="draft: generated while its stock was short (not counted in dues)."
    )


def _loaded(ids, ctx) -> dict:
    """Everything the batched columns need for one batch of rows, read once: the parents' terms, what they billed,
    their pauses, their children (five queries for the batch, whatever its size)."""
    cache = ctx.setdefault("subscriptions", {})
    key = tuple(ids)
    if key not in cache:
        business = ctx["business"]
        rows = list(Transaction.objects.filter(pk__in=ids).values(*TERM_FIELDS))
        states = states_of(rows, business)
        children = generated_invoices(ids)
        out = {}
        for pk in ids:
            state = states.get(pk)
            if state is None:
                continue
            kids = children.get(pk, [])
            upcoming = state.upcoming()
            out[pk] = {
                "generated_invoices": [
                    {"id": cid, "invoice_no": no, "transaction_date": local_iso(when, business), "status": status}
                    for cid, no, when, status, _ in kids
                ],
                "generated_invoice_count": len(kids),
                "last_generated_at": local_iso(max(k[4] for k in kids), business) if kids else None,
                "upcoming_invoice_date": upcoming.date.isoformat() if upcoming else None,
            }
        cache.clear()  # one batch at a time
        cache[key] = out
    return cache[key]


def _column(name):
    def load(ids, ctx):
        return {pk: values[name] for pk, values in _loaded(ids, ctx).items()}

    return load


def _label(row, ctx) -> str | None:
    return schedule.cadence_label(row["recur_interval"], row["recur_interval_type"], row["subscription_repeat_on"])


class SubscriptionRow(serializers.Serializer):
    id = serializers.IntegerField(help_text="Recurring parent sale id.")
    contact_id = serializers.IntegerField(allow_null=True)
    contact_name = serializers.CharField(source="contact.name", allow_null=True)
    transaction_date = serializers.DateTimeField(help_text="The parent sale's date.")
    invoice_no = serializers.CharField(allow_null=True, help_text="The parent's invoice number.")
    subscription_no = serializers.CharField(allow_null=True, help_text="`2026/0001`.")
    location_id = serializers.IntegerField(allow_null=True)
    location_name = serializers.CharField(source="location.name", allow_null=True)
    is_direct_sale = serializers.BooleanField()
    recur_stopped_on = serializers.DateTimeField(allow_null=True, help_text="When generation was stopped.")
    is_stopped = Computed(
        sources=("recur_stopped_on",),
        compute=lambda row, ctx: row["recur_stopped_on"] is not None,
        field=serializers.BooleanField(help_text="recur_stopped_on is set."),
    )
    recur_interval = serializers.IntegerField(allow_null=True)
    subscription_repeat_on = serializers.IntegerField(
        allow_null=True, help_text="Day of the month the invoices fall on (months only), clamped to the month."
    )
    recur_repetitions = serializers.IntegerField(allow_null=True, help_text="Invoices to generate; 0 or null: no end.")
    recur_interval_type = serializers.ChoiceField(choices=INTERVAL_TYPES, allow_null=True)
    recur_interval_label = Computed(
        sources=("recur_interval", "recur_interval_type", "subscription_repeat_on"),
        compute=_label,
        field=serializers.CharField(
            allow_null=True, help_text="`Every month`, `Every 3 days`, `Every 2 years`, `Every month on day 5`."
        ),
    )
    generated_invoices = Batched(
        loader=_column("generated_invoices"),
        default=[],
        field=GeneratedInvoice(many=True, help_text="The generated child invoices, oldest first."),
    )
    generated_invoice_count = Batched(
        loader=_column("generated_invoice_count"), default=0, field=serializers.IntegerField()
    )
    last_generated_at = Batched(
        loader=_column("last_generated_at"),
        field=serializers.DateTimeField(allow_null=True, help_text="When the newest child invoice was generated."),
    )
    upcoming_invoice_date = Batched(
        loader=_column("upcoming_invoice_date"),
        field=serializers.DateField(
            allow_null=True,
            help_text="The next period the generator will bill (Y-m-d, business time zone); null when stopped or when "
            "the repetitions are used up. A date in the past means the generator has not run since it fell due.",
        ),
    )


# --- schedule preview -------------------------------------------------------------------------------------------


class SchedulePeriod(serializers.Serializer):
    sequence = serializers.IntegerField(help_text="k: the period is the parent's date + k × interval.")
    date = serializers.DateField()
    status = serializers.ChoiceField(
        choices=["due", "scheduled"],
        help_text="due: on or before today, billed by the generator's next run; scheduled: later.",
    )


class SkippedPeriods(serializers.Serializer):
    stopped_on = serializers.DateField(help_text="The day the subscription was stopped.")
    resumed_on = serializers.DateField(allow_null=True, help_text="The day it was resumed; null: still stopped.")
    first_sequence = serializers.IntegerField()
    first_date = serializers.DateField()
    last_sequence = serializers.IntegerField()
    last_date = serializers.DateField(help_text="While still stopped: the last period skipped so far.")
    count = serializers.IntegerField()


class SchedulePreview(serializers.Serializer):
    subscription_id = serializers.IntegerField()
    today = serializers.DateField(help_text="Today in the business time zone.")
    is_stopped = serializers.BooleanField()
    recur_stopped_on = serializers.DateTimeField(allow_null=True)
    recur_interval_label = serializers.CharField(allow_null=True)
    billed_periods = serializers.IntegerField(help_text="Periods billed so far (what the repetitions count).")
    remaining_repetitions = serializers.IntegerField(allow_null=True, help_text="null: no end.")
    upcoming_invoice_date = serializers.DateField(allow_null=True)
    periods = SchedulePeriod(many=True, help_text="The next invoice dates, in order; empty while stopped.")
    skipped_periods = SkippedPeriods(
        many=True, help_text="Periods that fell due while the subscription was stopped: never billed."
    )
