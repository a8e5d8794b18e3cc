"""The contact ledger engine (RULES §5–6): every number a business sends its customers and suppliers.

One SQL union of the contact's document rows and payment rows, each with its debit and credit; a window
function over it gives the running balance, conditional sums give the brought-forward balance and the
summary. The balance endpoint, the four ledger formats, the csv and (later) the statements all read it.

Signs: a row's effect on the running balance is credit − debit. Negative means the contact owes us (shown
DR), positive that we owe them (CR). `due` in the contact's direction is −closing for customers and `both`,
closing for suppliers.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Case, CharField, DateTimeField, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce

from contacts.models import Contact
from core.money import db_decimal
from core.sql import contains_any_sql, db_datetimes
from ledger.models import Transaction, TransactionPayment
from ledger.querysets import ZERO

COLUMNS = (
    "r_date",
    "r_grp",
    "r_id",
    "r_ref",
    "r_kind",
    "r_label",
    "r_location",
    "r_payment_status",
    "r_debit",
    "r_credit",
    "r_note",
    "r_transaction_id",
    "r_transaction_type",
    "r_method",
    "r_final_total",
    "r_due_date",
    "r_is_opening",
    "r_is_reverse",
    "r_side",
    "r_contact_id",
    "r_contact_type",
)
DOC_LABELS = {
    "sell": "Sell",
    "purchase": "Purchase",
    "sell_return": "Sell Return",
    "purchase_return": "Purchase Return",
    "opening_balance": "Opening Balance",
}


def owes_us_direction(contact: Contact) -> int:
    """+1 when `due` is −closing (customers and both: positive means they owe us), −1 for suppliers."""
    return -1 if contact.type == Contact.Type.SUPPLIER else 1


def _document_rows(scope: dict, location_id, columns=COLUMNS, where=None):
    documents = Transaction.objects.filter(**scope).counting_toward_dues()
    if where is not None:
        documents = documents.filter(where)
    if location_id:
        documents = documents.filter(Q(location_id=location_id) | Q(type="ledger_discount"))
    # An opening balance is what a customer (or both) owed us, a debit; what we owed a supplier, a credit.
    supplier_opening = Q(type="opening_balance", contact__type=Contact.Type.SUPPLIER)
    debit_rows = (
        Q(type__in=("sell", "purchase_return"))
        | Q(type="ledger_discount", sub_type="purchase_discount")
        | Q(type="opening_balance") & ~Q(contact__type=Contact.Type.SUPPLIER)
    )
    credit_rows = (
        Q(type__in=("purchase", "sell_return")) | Q(type="ledger_discount", sub_type="sell_discount") | supplier_opening
    )
    label = Case(
        *(When(type=kind, then=Value(text)) for kind, text in DOC_LABELS.items()),
        When(sub_type="sell_discount", then=Value("Sell Discount")),
        default=Value("Purchase Discount"),
        output_field=CharField(),
    )
    return documents.annotate(
        r_date=F("transaction_date"),
        r_grp=Value(0, output_field=IntegerField()),
        r_id=F("id"),
        r_ref=Coalesce("invoice_no", "ref_no", Value(""), output_field=CharField()),
        r_kind=F("type"),
        r_label=label,
        r_location=F("location__name"),
        r_payment_status=F("payment_status"),
        r_debit=Case(When(debit_rows, then=F("final_total")), default=ZERO, output_field=ZERO.output_field),
        r_credit=Case(When(credit_rows, then=F("final_total")), default=ZERO, output_field=ZERO.output_field),
        r_note=F("additional_notes"),
        r_transaction_id=F("id"),
        r_transaction_type=F("type"),
        r_method=Value(None, output_field=CharField()),
        r_final_total=F("final_total"),
        r_due_date=F("due_date"),
        r_is_opening=Case(
            When(type="opening_balance", then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        r_is_reverse=Value(False, output_field=BooleanField()),
        r_side=Case(
            When(type__in=("purchase", "purchase_return"), then=Value("purchase")),
            When(sub_type="purchase_discount", then=Value("purchase")),
            When(supplier_opening, then=Value("purchase")),
            default=Value("sell"),
            output_field=CharField(),
        ),
        r_contact_id=F("contact_id"),
        r_contact_type=F("contact__type"),
    ).values(*columns)


def _payment_rows(scope: dict, location_id, columns=COLUMNS, where=None):
    """Parents (pay due) and single-document payments; children are part of their parent's amount."""
    payments = TransactionPayment.objects.filter(**scope, parent__isnull=True)
    if where is not None:
        payments = payments.filter(where)
    if location_id:
        payments = payments.filter(Q(transaction__location_id=location_id) | Q(transaction__isnull=True))
    supplier_opening = Q(transaction__type="opening_balance", payment_for__type=Contact.Type.SUPPLIER)
    # A payment's payment_type, when set, decides its side (pay-due rows always carry one); otherwise: money
    # paid out on purchases, sell returns, a supplier's opening balance, and change returned is a debit.
    is_debit = Q(payment_type="debit") | Q(payment_type__isnull=True) & (
        Q(is_return=True) | Q(transaction__type__in=("purchase", "sell_return")) | supplier_opening
    )
    purchase_side = Q(due_payment_type__in=("purchase", "purchase_return")) | Q(due_payment_type__isnull=True) & (
        Q(transaction__type__in=("purchase", "purchase_return")) | supplier_opening
    )
    label = Case(
        When(is_reverse=True, then=Value("Reverse Payment")),
        When(is_return=True, then=Value("Change Return")),
        default=Value("Payment"),
        output_field=CharField(),
    )
    return payments.annotate(
        r_date=F("paid_on"),
        r_grp=Value(1, output_field=IntegerField()),
        r_id=F("id"),
        r_ref=Coalesce("payment_ref_no", Value(""), output_field=CharField()),
        r_kind=Value("payment", output_field=CharField()),
        r_label=label,
        r_location=F("transaction__location__name"),
        r_payment_status=Value(None, output_field=CharField()),
        r_debit=Case(When(is_debit, then=F("amount")), default=ZERO, output_field=ZERO.output_field),
        r_credit=Case(When(is_debit, then=ZERO), default=F("amount"), output_field=ZERO.output_field),
        r_note=F("note"),
        r_transaction_id=F("transaction_id"),
        r_transaction_type=F("transaction__type"),
        r_method=F("method"),
        r_final_total=Value(None, output_field=ZERO.output_field),
        r_due_date=Value(None, output_field=DateTimeField()),
        r_is_opening=Value(False, output_field=BooleanField()),
        r_is_reverse=F("is_reverse"),
        r_side=Case(When(purchase_side, then=Value("purchase")), default=Value("sell"), output_field=CharField()),
        r_contact_id=F("payment_for_id"),
        r_contact_type=F("payment_for__type"),
    ).values(*columns)


def _union_sql(
    documents_scope: dict,
    payments_scope: dict,
    location_id,
    columns=COLUMNS,
    documents_where: Q | None = None,
    payments_where: Q | None = None,
) -> tuple[str, list]:
    """The union of document and payment rows (`columns` of COLUMNS), each arm narrowed by its scope and `where`."""
    # order_by(): the models' default ordering is not allowed inside a compound statement (SQLite).
    documents = _document_rows(documents_scope, location_id, columns, documents_where).order_by()
    payments = _payment_rows(payments_scope, location_id, columns, payments_where).order_by()
    sql, params = documents.union(payments, all=True).query.sql_with_params()
    return sql, list(params)


def ledger_union_sql(contact: Contact, location_id=None) -> tuple[str, list]:
    """One contact's ledger rows."""
    scope = {"business_id": contact.business_id}
    return _union_sql({**scope, "contact": contact}, {**scope, "payment_for": contact}, location_id)


def business_union_sql(business, location_id=None, contact_ids=None) -> tuple[str, list]:
    """Every contact's ledger rows at once (with r_contact_id and r_contact_type), for the reports (only those of
    `contact_ids` when given)."""
    scope = {"business_id": business.pk}
    documents = payments = None
    if contact_ids is not None:
        documents, payments = Q(contact_id__in=contact_ids), Q(payment_for_id__in=contact_ids)
    return _union_sql(scope, {**scope, "payment_for__isnull": False}, location_id, COLUMNS, documents, payments)


#: the two sides of the dues: customer_due (what customers, and the customer side of `both` contacts, owe us) and
#: supplier_due (what we owe suppliers, and the supplier side of `both` contacts)
DUES_SIDES_SQL = (
    "SUM(CASE WHEN u.r_contact_type = 'customer' OR (u.r_contact_type = 'both' AND u.r_side = 'sell') "
    "THEN u.r_debit - u.r_credit ELSE 0 END), "
    "SUM(CASE WHEN u.r_contact_type = 'supplier' OR (u.r_contact_type = 'both' AND u.r_side = 'purchase') "
    "THEN u.r_credit - u.r_debit ELSE 0 END)"
)


def _dues_rows(business, before, location_id, since, *, by_contact=False, contact_ids=None) -> list[tuple]:
    union, params = business_union_sql(business, location_id, contact_ids)
    head = "u.r_contact_id, " if by_contact else ""
    sql = f"SELECT {head}{DUES_SIDES_SQL} FROM ({union}) u WHERE u.r_date < %s"
    moments = [before]
    if since is not None:
        sql += " AND u.r_date >= %s"
        moments.append(since)
    if by_contact:
        sql += " GROUP BY u.r_contact_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *db_datetimes(*moments)])
        return cursor.fetchall()


def business_dues(business, before, location_id=None, since=None) -> tuple[Decimal, Decimal]:
    """(customer_due, supplier_due) of the whole business for rows dated before `before` (and from `since` on,
    when given: what a balance snapshot taken at `since` adds up to `before`), from the same rows as
    every contact's ledger: customer_due is what customers owe us (and the customer side of `both` contacts),
    supplier_due what we owe suppliers (and the supplier side of `both` contacts). So customer_due − supplier_due
    is the sum of every contact's `due` in the customer direction (suppliers' counted negative)."""
    ((customer, supplier),) = _dues_rows(business, before, location_id, since)
    return db_decimal(customer), db_decimal(supplier)


def dues_by_contact(business, before, since=None, contact_ids=None) -> dict[int, tuple[Decimal, Decimal]]:
    """business_dues split by contact (the whole business; only `contact_ids` when given): {contact_id:
    (customer_due, supplier_due)} of the contacts with rows in the range. Their sum is business_dues's."""
    rows = _dues_rows(business, before, None, since, by_contact=True, contact_ids=contact_ids)
    return {contact_id: (db_decimal(customer), db_decimal(supplier)) for contact_id, customer, supplier in rows}


def dues_of_rows(model, business_id, pks) -> dict[int, tuple[int, Decimal, Decimal]]:
    """{pk: (contact_id, customer_due, supplier_due)} of documents (model Transaction) or payments
    (TransactionPayment) as business_dues counts them: what each row adds to the dues. Rows that do not count (a
    draft sell, a pay-due's allocation) are absent."""
    scope = {"business_id": business_id}
    if model is Transaction:
        rows = _document_rows(scope, None, COLUMNS, Q(pk__in=pks))
    else:
        rows = _payment_rows({**scope, "payment_for__isnull": False}, None, COLUMNS, Q(pk__in=pks))
    arm, params = rows.order_by().query.sql_with_params()
    sql = f"SELECT u.r_id, u.r_contact_id, {DUES_SIDES_SQL} FROM ({arm}) u GROUP BY u.r_id, u.r_contact_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return {pk: (contact_id, db_decimal(c), db_decimal(s)) for pk, contact_id, c, s in cursor.fetchall()}


# --- reading it -------------------------------------------------------------------------------------------------

EFFECT = "(v.r_credit - v.r_debit)"


def flagged_sql(contact: Contact, start, end, location_id=None) -> tuple[str, list]:
    """The union with two flags per row: r_bf (brought forward: before the period, or an opening balance up to
    its end) and r_in (a line of the period [start, end); opening balances are folded into the opening row)."""
    union, params = ledger_union_sql(contact, location_id)
    sql = (
        "SELECT u.*, "
        "CASE WHEN u.r_date < %s OR (u.r_is_opening AND u.r_date < %s) THEN 1 ELSE 0 END AS r_bf, "
        "CASE WHEN u.r_date >= %s AND u.r_date < %s AND NOT u.r_is_opening THEN 1 ELSE 0 END AS r_in "
        f"FROM ({union}) u"
    )
    return sql, [*db_datetimes(start, end, start, end), *params]


@dataclass
class LedgerTotals:
    """Signed balances (credit − debit) and totals of a period and of all time."""

    brought_forward: Decimal
    closing: Decimal
    total_invoice: Decimal
    total_purchase: Decimal
    total_paid: Decimal
    total_reverse_payment: Decimal
    ledger_discount: Decimal
    all_closing: Decimal
    all_total_invoice: Decimal
    all_total_purchase: Decimal
    all_invoice_paid: Decimal
    all_purchase_paid: Decimal
    all_ledger_discount: Decimal


# The union is first grouped by what the totals distinguish, so the thirteen sums below read a handful of
# groups instead of every row (measured by `make bench-money`).
GROUPED = (
    "SELECT v.r_bf, v.r_in, v.r_kind, v.r_is_reverse, v.r_side, SUM(v.r_credit) AS c, SUM(v.r_debit) AS d, "
    "SUM(COALESCE(v.r_final_total, 0)) AS f FROM ({flagged}) v "
    "GROUP BY v.r_bf, v.r_in, v.r_kind, v.r_is_reverse, v.r_side"
)
GROUP_EFFECT = "(g.c - g.d)"


def _totals(where: str) -> list[str]:
    """invoice (sells − sell returns), purchase (purchases − purchase returns), paid, reverse payments, ledger
    discounts, money received on the sell side, money paid on the purchase side — over the groups under `where`."""
    paid = f"{where} AND g.r_kind = 'payment' AND NOT g.r_is_reverse"
    return [
        f"SUM(CASE WHEN {where} AND g.r_kind = 'sell' THEN g.f WHEN {where} AND g.r_kind = 'sell_return' THEN -g.f "
        "ELSE 0 END)",
        f"SUM(CASE WHEN {where} AND g.r_kind = 'purchase' THEN g.f "
        f"WHEN {where} AND g.r_kind = 'purchase_return' THEN -g.f ELSE 0 END)",
        f"SUM(CASE WHEN {paid} THEN g.c + g.d ELSE 0 END)",
        f"SUM(CASE WHEN {where} AND g.r_is_reverse THEN g.c + g.d ELSE 0 END)",
        f"SUM(CASE WHEN {where} AND g.r_kind = 'ledger_discount' THEN g.f ELSE 0 END)",
        f"SUM(CASE WHEN {paid} AND g.r_side = 'sell' THEN g.c - g.d ELSE 0 END)",
        f"SUM(CASE WHEN {paid} AND g.r_side = 'purchase' THEN g.d - g.c ELSE 0 END)",
    ]


def ledger_totals(contact: Contact, start, end, location_id=None) -> LedgerTotals:
    """Brought-forward, period and all-time totals of the contact's ledger, in one query; [start, end)."""
    flagged, params = flagged_sql(contact, start, end, location_id)
    period = _totals("g.r_in = 1")
    always = _totals("1 = 1")
    columns = [
        f"SUM(CASE WHEN g.r_bf = 1 THEN {GROUP_EFFECT} ELSE 0 END)",
        f"SUM(CASE WHEN g.r_bf = 1 OR g.r_in = 1 THEN {GROUP_EFFECT} ELSE 0 END)",
        *period[:5],
        f"SUM({GROUP_EFFECT})",
        always[0],
        always[1],
        always[5],
        always[6],
        always[4],
    ]
    grouped = GROUPED.format(flagged=flagged)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM ({grouped}) g", params)
        return LedgerTotals(*(db_decimal(value) for value in cursor.fetchone()))


def _contact_union_sql(contact: Contact, location_id, columns, documents_where: Q, payments_where: Q):
    scope = {"business_id": contact.business_id}
    return _union_sql(
        {**scope, "contact": contact},
        {**scope, "payment_for": contact},
        location_id,
        columns,
        documents_where,
        payments_where,
    )


def brought_forward(contact: Contact, start, end, location_id=None) -> Decimal:
    """Only the balance brought forward into [start, end) (what a csv download needs before its first line): the
    rows flagged r_bf by flagged_sql, selected by plain date bounds in each arm so only they are read."""
    documents = Q(transaction_date__lt=start) | Q(type="opening_balance", transaction_date__lt=end)
    union, params = _contact_union_sql(contact, location_id, ("r_debit", "r_credit"), documents, Q(paid_on__lt=start))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT SUM({EFFECT}) FROM ({union}) v", params)
        return db_decimal(cursor.fetchone()[0])


def contact_closing(contact: Contact) -> Decimal:
    """The all-time closing balance (signed): what `due` is read from."""
    union, params = ledger_union_sql(contact)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT SUM(u.r_credit - u.r_debit) FROM ({union}) u", params)
        return db_decimal(cursor.fetchone()[0])


#: what period_lines_sql orders and sums by, and what `q` searches, whichever columns it is asked for
_ORDERED_SUMMED = ("r_date", "r_grp", "r_id", "r_debit", "r_credit")
_SEARCHED = ("r_ref", "r_label", "r_kind", "r_location", "r_payment_status", "r_note", "r_transaction_id")


def period_lines_sql(
    contact: Contact, start, end, location_id=None, q: str | None = None, columns=None
) -> tuple[str, list]:
    """The period's lines in ledger order (date, documents before payments, id) with r_running, the running
    balance within the period (add the brought-forward balance to it). `q` narrows the lines shown, not the
    running balance. `columns` (of COLUMNS and r_running, in the order wanted; all of them by default) is what
    the rows hold: an export reads only what it shows.

    The lines are the rows flagged r_in by flagged_sql (dated in [start, end), opening balances folded into the
    opening row), selected by plain date bounds in each arm of the union: PostgreSQL then estimates and reads
    only them."""
    wanted = [c for c in columns if c != "r_running"] if columns else list(COLUMNS)
    carried = list(dict.fromkeys([*_ORDERED_SUMMED, *(_SEARCHED if q else ()), *wanted]))
    union, params = _contact_union_sql(
        contact,
        location_id,
        carried,
        Q(transaction_date__gte=start, transaction_date__lt=end) & ~Q(type="opening_balance"),
        Q(paid_on__gte=start, paid_on__lt=end),
    )
    inner = (
        f"SELECT v.*, SUM({EFFECT}) OVER (ORDER BY v.r_date, v.r_grp, v.r_id "
        f"ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS r_running FROM ({union}) v"
    )
    where = ""
    if q:
        fields = [f"t.{column}" for column in _SEARCHED[:-1]]
        conditions, matching = contains_any_sql(fields, q)
        where = " WHERE " + " OR ".join(conditions)
        params = [*params, *matching]
        if q.isascii() and q.isdigit() and len(q) < 19:
            where += " OR t.r_transaction_id = %s"
            params.append(int(q))
    selected = ", ".join(f"t.{c}" for c in columns) if columns else "*"
    return f"SELECT {selected} FROM ({inner}) t{where} ORDER BY t.r_date, t.r_grp, t.r_id", params


# --- many contacts at once (the back office's contact list) -----------------------------------------------------

DUE_SQL = "CASE WHEN u.r_contact_type = 'supplier' THEN u.r_credit - u.r_debit ELSE u.r_debit - u.r_credit END"


def dues_of_contacts(business, contacts) -> dict[int, Decimal]:
    """Each contact's `due` (as contact_balance reads it: the all-time closing in the contact's direction) for a
    queryset or list of contact ids of the business, in one query."""
    ids = contacts.values("pk") if hasattr(contacts, "values") else list(contacts)
    scope = {"business_id": business.pk}
    union, params = _union_sql({**scope, "contact_id__in": ids}, {**scope, "payment_for_id__in": ids}, None)
    sql = f"SELECT u.r_contact_id, SUM({DUE_SQL}) FROM ({union}) u GROUP BY u.r_contact_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {contact_id: db_decimal(due) for contact_id, due in cursor.fetchall()}


def due_totals(business, contacts) -> tuple[Decimal, Decimal]:
    """(receivable, payable) of the contacts: the sum of the `due` of customers and `both` contacts (what they owe
    us, net of credit they hold) and of suppliers (what we owe them)."""
    scope = {"business_id": business.pk}
    ids = contacts.values("pk")
    union, params = _union_sql({**scope, "contact_id__in": ids}, {**scope, "payment_for_id__in": ids}, None)
    sql = (
        "SELECT SUM(CASE WHEN u.r_contact_type = 'supplier' THEN 0 ELSE u.r_debit - u.r_credit END), "
        "SUM(CASE WHEN u.r_contact_type = 'supplier' THEN u.r_credit - u.r_debit ELSE 0 END) "
        f"FROM ({union}) u"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        receivable, payable = cursor.fetchone()
    return db_decimal(receivable), db_decimal(payable)


def owing_contacts_sql(business) -> tuple[str, list]:
    """SQL of the ids of the business's contacts whose `due` is above zero (they owe us, or we owe them)."""
    union, params = business_union_sql(business)
    return (f"SELECT u.r_contact_id FROM ({union}) u GROUP BY u.r_contact_id HAVING SUM({DUE_SQL}) > 0", params)
