"""The recurring-invoice generator (RULES §8): `generate_subscription_invoices`, its Celery task and the back
office's "Generate due invoices now" all call `generate_due_invoices`.

For every running subscription whose next period falls on or before the date (by default today in each business's
time zone), one child sell per period still to bill up to that date (catch-up), in period order: a copy of the
parent's lines (not its payments) with a new invoice number, `recur_parent_id`, payment status due, dated on its
period date at the parent's local time of day, created by the parent's creator. Stock and FIFO move as for any final
sell; a child whose stock is short is saved as a draft instead and reported. Each child logs activity on itself, on
the parent and on the contact.

Each parent is its own database transaction, holding the parent's row lock: a failing parent is reported and the
others go on. The unique (parent, period date) constraint makes a second child for a period impossible, so the
generator may run any number of times, on several machines at once, or again after a crash.

Where it looks: the subscriptions whose next date (`SubscriptionSchedule`) has come, and any recurring parent not
indexed yet, in two indexed queries; a run with nothing to do reads nothing else.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.db import transaction as db
from django.db.models import Count, Exists, F, Max, OuterRef, Subquery
from django.utils import timezone

from contacts.models import Contact
from core.dates import add_term, now_in
from core.models import Activity, Business
from core.services.activity import json_value, present
from core.sql import CompiledFirstRow, execute_together, insert_rows, insert_statements
from inventory.models import VariationLocationStock
from inventory.services import InsufficientStock
from ledger.models import SellLine, Transaction
from ledger.services.numbering import document_numbers
from ledger.services.sells import take_stock
from subscriptions import schedule
from subscriptions.models import SubscriptionPause, SubscriptionPeriod, SubscriptionSchedule
from subscriptions.selectors import TERM_FIELDS, states_of
from subscriptions.services import schedule_statement

logger = logging.getLogger("erp.subscriptions")
MODULE = "subscription"
BATCH = 500
GENERATED = "subscription_invoice_generated"


@dataclass
class Summary:
    date: datetime.date | None
    dry_run: bool
    parents_seen: int = 0
    children_created: int = 0
    drafts: list[dict] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    businesses: dict[int, dict] = field(default_factory=dict)

    def business(self, business_id: int, today: datetime.date) -> dict:
        if business_id not in self.businesses:
            self.businesses[business_id] = {
                "date": today.isoformat(),
                "parents_seen": 0,
                "children_created": 0,
                "drafts": 0,
                "failures": 0,
            }
        return self.businesses[business_id]

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat() if self.date else None,
            "dry_run": self.dry_run,
            "parents_seen": self.parents_seen,
            "children_created": self.children_created,
            "drafts": self.drafts,
            "failures": self.failures,
            "businesses": {str(k): v for k, v in sorted(self.businesses.items())},
        }


def subscription_businesses(business=None) -> dict[int, Business]:
    """The businesses the generator serves: those with the subscription module (or the one asked for)."""
    businesses = Business.objects.filter(pk=business.pk) if business is not None else Business.objects.all()
    return {b.pk: b for b in businesses if b.has_module(MODULE)}


def _candidates(businesses, today, *, business=None, parent_ids=None) -> list[tuple[int, int]]:
    """(parent id, business id) of the subscriptions to look at, ordered."""
    parents = Transaction.objects.filter(type=Transaction.Type.SELL, is_recurring=True, status=Transaction.Status.FINAL)
    if business is not None:
        parents = parents.filter(business_id=business.pk)
    if parent_ids is not None:
        found = parents.filter(pk__in=list(parent_ids)).values_list("id", "business_id")
        return sorted((pk, b) for pk, b in found if b in businesses)
    due = SubscriptionSchedule.objects.filter(next_date__lte=max(today.values()))
    if business is not None:
        due = due.filter(business_id=business.pk)
    found = {
        (pk, b)
        for pk, b, when in due.values_list("parent_id", "business_id", "next_date")
        if b in businesses and when <= today[b]
    }
    # Parents the generator has not indexed yet (new since its last run): the small partial index of subscriptions.
    unindexed = parents.filter(recur_stopped_on__isnull=True).exclude(
        Exists(SubscriptionSchedule.objects.filter(parent_id=OuterRef("pk")))
    )
    found |= {(pk, b) for pk, b in unindexed.values_list("id", "business_id") if b in businesses}
    return sorted(found, key=lambda pair: (pair[1], pair[0]))


def generate_due_invoices(
    *,
    date: datetime.date | None = None,
    business=None,
    parent_ids: Iterable[int] | None = None,
    dry_run: bool = False,
    user=None,
    progress: Callable[[Iterable, int], Iterable] | None = None,
) -> Summary:
    """Bill every period that has come (see the module docstring). `business` limits it to one business,
    `parent_ids` to those subscriptions; `dry_run` writes nothing and reports what would be done (stock shortages
    foreseen from the stock on hand now). `user` is the causer of the activity rows (none: the system)."""
    summary = Summary(date=date, dry_run=dry_run)
    businesses = subscription_businesses(business)
    if not businesses:
        return summary
    today = {pk: date or now_in(b).date() for pk, b in businesses.items()}
    candidates = _candidates(businesses, today, business=business, parent_ids=parent_ids)
    stream = iter(progress(candidates, len(candidates)) if progress else candidates)
    shelf = Shelf()
    while batch := list(islice(stream, BATCH)):
        lines = _parent_lines([pk for pk, _ in batch])
        if dry_run:
            shelf.load(lines.values())
        for parent_id, business_id in batch:
            biz = businesses[business_id]
            totals = summary.business(business_id, today[business_id])
            summary.parents_seen += 1
            totals["parents_seen"] += 1
            try:
                if dry_run:
                    created, drafts = _foresee(parent_id, biz, today[business_id], lines[parent_id], shelf)
                else:
                    created, drafts = _generate(parent_id, biz, today[business_id], lines[parent_id], user)
            except Exception as exc:  # one failing parent is reported; the others go on
                logger.exception("Subscription %s: generation failed", parent_id)
                summary.failures.append(
                    {"parent_id": parent_id, "business_id": business_id, "reason": str(exc) or type(exc).__name__}
                )
                totals["failures"] += 1
                continue
            summary.children_created += created
            totals["children_created"] += created
            summary.drafts.extend({"parent_id": parent_id, "business_id": business_id, **d} for d in drafts)
            totals["drafts"] += len(drafts)
    return summary


def _parent_lines(parent_ids) -> dict[int, list[SellLine]]:
    out = defaultdict(list)
    for line in (
        SellLine.objects.filter(transaction_id__in=parent_ids)
        .select_related("product", "variation")
        .annotate(parent_location_id=F("transaction__location_id"))
        .order_by("id")
    ):
        out[line.transaction_id].append(line)
    return out


def _parents(parent_id):
    return Transaction.objects.filter(
        pk=parent_id, type=Transaction.Type.SELL, is_recurring=True, status=Transaction.Status.FINAL
    )


def _billed(parent_id):
    periods = SubscriptionPeriod.objects.filter(parent_id=OuterRef("pk")).values("parent_id").order_by()
    return _parents(parent_id).annotate(
        billed_count=Subquery(periods.annotate(n=Count("id")).values("n")),
        last_sequence=Subquery(periods.annotate(m=Max("sequence")).values("m")),
        has_pauses=Exists(SubscriptionPause.objects.filter(parent_id=OuterRef("pk"))),
    )


#: the two statements each parent of a run starts with, compiled once (core.sql.CompiledFirstRow): a run of 20,000
#: parents would otherwise compile them 40,000 times
_SENTINEL_ID = -7_301_937
LOCKED_PARENT = CompiledFirstRow(
    lambda parent_id: _parents(parent_id).select_for_update().values_list("pk"), parent_id=_SENTINEL_ID
)
BILLED_PARENT = CompiledFirstRow(_billed, parent_id=_SENTINEL_ID)


def _locked_parent(parent_id: int, *, lock: bool = True) -> Transaction | None:
    """The parent with what it has billed. With `lock`, under its row lock, and what it billed is read by a second
    statement once the lock is held: a statement that waited for the lock still reads the other tables as they were
    when it started (READ COMMITTED), so one statement could miss the periods a concurrent run just committed."""
    if lock and LOCKED_PARENT.first(parent_id=parent_id) is None:
        return None
    return BILLED_PARENT.first(parent_id=parent_id)


def _state(parent: Transaction, business):
    billed = {parent.pk: schedule.Billed(parent.billed_count or 0, parent.last_sequence or 0)}
    pauses = None if parent.has_pauses else {}  # read only for the few subscriptions ever stopped and resumed
    row = {name: getattr(parent, name) for name in TERM_FIELDS}
    return states_of([row], business, billed=billed, pauses=pauses)[parent.pk]


def _relaxed_commit() -> tuple[str, list] | None:
    """The per-parent transactions of a run do not wait for their commit to reach the disk (PostgreSQL's
    `synchronous_commit = off`, for this transaction only; it is read at commit time, so it travels with the
    transaction's last statements): after a crash of the database server the last few hundred milliseconds of them
    may be lost, and the database is still consistent. What they wrote (a child with its period, number and activity,
    all together) is then written again by the next run, which catches up every period that has come. Waiting for the
    disk on every parent would otherwise be a large part of a long run (measured in bench/README.md)."""
    return ("SET LOCAL synchronous_commit = off", []) if connection.vendor == "postgresql" else None


def _generate(parent_id: int, business, today, lines: list[SellLine], user) -> tuple[int, list[dict]]:
    with db.atomic():
        parent = _locked_parent(parent_id)
        if parent is None:
            return 0, []
        state = _state(parent, business)
        due = [] if state.stopped else schedule.billable(state.terms, state.billed, state.pauses, until=today)
        children, drafts, statements = _bill(parent, business, state, due, lines, user) if due else ([], [], [])
        if due:
            state.billed = schedule.Billed(state.billed.count + len(due), due[-1].sequence)
        execute_together([*statements, schedule_statement(parent, state), _relaxed_commit()])
    return len(children), drafts


CHILD_COLUMNS = [
    "business",
    "location",
    "contact",
    "type",
    "status",
    "payment_status",
    "invoice_no",
    "transaction_date",
    "total_before_tax",
    "discount_type",
    "discount_amount",
    "shipping_charges",
    "final_total",
    "additional_notes",
    "pay_term_number",
    "pay_term_type",
    "due_date",
    "is_direct_sale",
    "is_recurring",
    "recur_parent",
    "created_by",
    "created_at",
    "updated_at",
]
LINE_COLUMNS = ["business", "transaction", "product", "variation", "quantity", "unit_price", "quantity_returned"]
PERIOD_COLUMNS = ["business", "parent", "sequence", "period_date", "invoice", "created_at"]
ACTIVITY_COLUMNS = [
    "business",
    "log_name",
    "description",
    "event",
    "subject_type",
    "subject_id",
    "causer",
    "properties",
    "created_at",
]


@dataclass
class Child:
    """A child about to be written: its number, date and period; its id and status once written."""

    number: str
    when: datetime.datetime
    period: schedule.Period
    pk: int | None = None
    status: str = Transaction.Status.FINAL
    lines: list = field(default_factory=list)

    def attributes(self, parent) -> dict:
        """What log_created() records of a new sell (created_snapshot of DOCUMENT_FIELDS: the fields that have a
        value), for this child (tested equal)."""
        values = {
            "type": Transaction.Type.SELL,
            "status": self.status,
            "contact_id": parent.contact_id,
            "location_id": parent.location_id,
            "invoice_no": self.number,
            "ref_no": None,
            "transaction_date": self.when,
            "final_total": parent.final_total,
            "discount_type": parent.discount_type,
            "discount_amount": parent.discount_amount,
            "shipping_charges": parent.shipping_charges,
            "payment_status": _payment_status(parent),
        }
        return present({key: json_value(value) for key, value in values.items()})


def _payment_status(parent) -> str:
    return Transaction.PaymentStatus.PAID if parent.final_total <= 0 else Transaction.PaymentStatus.DUE


def _due_date(parent, when):
    try:
        return add_term(when, parent.pay_term_number, parent.pay_term_type)
    except (OverflowError, ValueError):
        return when


def _bill(parent, business, state, due: list[schedule.Period], lines: list[SellLine], user):
    """Write the children of the due periods; return them, the drafts among them, and the statements that write
    their lines, periods and activity (sent together with the schedule's: one round trip on PostgreSQL). A handful
    of multi-row INSERTs whatever the number of periods (core.sql), stock only for stock-tracked lines."""
    now = timezone.now()
    numbers = document_numbers(business, "sell_invoice", "invoice_no", len(due))
    children = [Child(number, state.moment(period.date), period) for number, period in zip(numbers, due, strict=True)]
    status = _payment_status(parent)
    ids = insert_rows(
        Transaction,
        CHILD_COLUMNS,
        [
            (parent.business_id, parent.location_id, parent.contact_id, Transaction.Type.SELL)
            + (Transaction.Status.FINAL, status, child.number, child.when, parent.total_before_tax)
            + (parent.discount_type, parent.discount_amount, parent.shipping_charges, parent.final_total)
            + (parent.additional_notes, parent.pay_term_number, parent.pay_term_type, _due_date(parent, child.when))
            + (parent.is_direct_sale, False, parent.pk, parent.created_by_id, now, now)
            for child in children
        ],
        returning=True,
    )
    for child, pk in zip(children, ids, strict=True):
        child.pk = pk
    line_rows = [
        (parent.business_id, child.pk, line.product_id, line.variation_id, line.quantity, line.unit_price, 0)
        for child in children
        for line in lines
    ]
    statements = insert_statements(
        SubscriptionPeriod,
        PERIOD_COLUMNS,
        [
            (parent.business_id, parent.pk, child.period.sequence, child.period.date, child.pk, now)
            for child in children
        ],
    )
    drafts = []
    if any(line.product.enable_stock for line in lines):
        line_ids = insert_rows(SellLine, LINE_COLUMNS, line_rows, returning=True)
        drafts = _take_stock(parent, business, children, lines, line_ids)
    else:
        statements = insert_statements(SellLine, LINE_COLUMNS, line_rows) + statements
    statements += insert_statements(Activity, ACTIVITY_COLUMNS, _activities(parent, children, user, now))
    return children, drafts, statements


def _take_stock(parent, business, children, lines, line_ids) -> list[dict]:
    """Stock and FIFO for each child in period order, as for any final sell; a child whose stock is short keeps its
    lines but becomes a draft (its savepoint undoes what it had taken)."""
    ids = iter(line_ids)
    drafts = []
    for child in children:
        group = [
            SellLine(
                pk=next(ids),
                business_id=parent.business_id,
                transaction_id=child.pk,
                product=line.product,
                variation=line.variation,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in lines
        ]
        try:
            with db.atomic():
                take_stock(business, list(enumerate(group)), parent.location_id)
        except ValidationError as exc:
            child.status = Transaction.Status.DRAFT
            drafts.append(_draft(child, " ".join(exc.messages)))
    if drafts:
        Transaction.objects.filter(pk__in=[d["invoice_id"] for d in drafts]).update(status=Transaction.Status.DRAFT)
    return drafts


def _draft(child, reason: str) -> dict:
    return {
        "invoice_id": child.pk,
        "invoice_no": child.number,
        "period_date": child.period.date.isoformat(),
        "reason": f"Saved as a draft: {reason}",
    }


def _activities(parent, children, user, now) -> list[tuple]:
    """Per child: "added" on the child (as log_created writes), and "subscription invoice … generated" on the parent
    and on the contact."""
    document = ContentType.objects.get_for_model(Transaction).pk
    contact = ContentType.objects.get_for_model(Contact).pk
    causer_id = getattr(user, "pk", None)
    rows = []
    for child in children:
        day = child.period.date.isoformat()
        about = {
            "invoice_id": child.pk,
            "invoice_no": child.number,
            "recur_parent_id": parent.pk,
            "subscription_no": parent.subscription_no,
            "period_date": day,
            "sequence": child.period.sequence,
            "status": child.status,
        }
        text = f"subscription invoice {child.number} generated for {day}"
        rows.append(
            (parent.business_id, "default", "added", "created", document, child.pk, causer_id)
            + ({"attributes": child.attributes(parent), **about}, now)
        )
        rows.append((parent.business_id, "default", text, GENERATED, document, parent.pk, causer_id, about, now))
        rows.append((parent.business_id, "default", text, GENERATED, contact, parent.contact_id, causer_id, about, now))
    return rows


# --- dry run ------------------------------------------------------------------------------------------------------


class Shelf:
    """Stock on hand as a dry run sees it: read once per batch, then taken by the children it foresees, so a
    shortage it reports is the one the real run would meet (barring sells in between)."""

    def __init__(self):
        self.on_hand: dict[tuple[int, int], Decimal] = {}

    def load(self, line_groups):
        wanted = {
            (line.variation_id, line.parent_location_id)
            for group in line_groups
            for line in group
            if line.product.enable_stock
        } - set(self.on_hand)
        if not wanted:
            return
        rows = VariationLocationStock.objects.filter(
            variation_id__in={v for v, _ in wanted}, location_id__in={loc for _, loc in wanted}
        ).values_list("variation_id", "location_id", "qty_available")
        found = {(v, loc): qty for v, loc, qty in rows}
        for key in wanted:
            self.on_hand[key] = found.get(key, Decimal(0))

    def take(self, lines, location_id, allow_negative: bool) -> str | None:
        """Take a child's stocked lines; the reason it cannot (and nothing taken), or None."""
        needed = defaultdict(Decimal)
        variations = {}
        for line in lines:
            if line.product.enable_stock:
                needed[line.variation_id] += line.quantity
                variations[line.variation_id] = line.variation
        if not allow_negative:
            for variation_id, quantity in needed.items():
                available = self.on_hand.get((variation_id, location_id), Decimal(0))
                if available < quantity:
                    return str(InsufficientStock(variations[variation_id], location_id, available, quantity))
        for variation_id, quantity in needed.items():
            key = (variation_id, location_id)
            self.on_hand[key] = self.on_hand.get(key, Decimal(0)) - quantity
        return None


def _foresee(parent_id: int, business, today, lines: list[SellLine], shelf: Shelf) -> tuple[int, list[dict]]:
    parent = _locked_parent(parent_id, lock=False)
    if parent is None:
        return 0, []
    state = _state(parent, business)
    due = [] if state.stopped else schedule.billable(state.terms, state.billed, state.pauses, until=today)
    drafts = []
    for period in due:
        reason = shelf.take(lines, parent.location_id, business.allow_overselling)
        if reason is not None:
            drafts.append(
                {
                    "invoice_id": None,
                    "invoice_no": None,
                    "period_date": period.date.isoformat(),
                    "reason": f"Would be saved as a draft: {reason}",
                }
            )
    return len(due), drafts
