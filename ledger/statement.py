"""The contact ledger in its formats (RULES §6), read from the engine in ledger.contact_ledger.

format_1: the period's lines after an opening row, and the summary. format_2: open documents with what is
due on each and when, and the aging block. format_3: format_1 with the products under each sell and purchase
and the advance balance. format_4: the partner ledger, format_3's lines without location or products, with
the aging block. csv: every line in the format_1 layout, streamed.
"""

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Case, DecimalField, F, Q, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from contacts.models import Contact
from core.api.export import csv_cell, decimal_text, neutralise
from core.dates import business_zone, day_bounds
from core.money import MONEY, currency_formatter, db_decimal
from core.sql import native_timestamps
from ledger.contact_ledger import (
    DOC_LABELS,
    LedgerTotals,
    brought_forward,
    ledger_totals,
    owes_us_direction,
    period_lines_sql,
)
from ledger.models import PurchaseLine, SellLine, Transaction
from ledger.querysets import ZERO as ZERO_SQL
from ledger.selectors import document_lines

FORMATS = ("format_1", "format_2", "format_3", "format_4")
LINE_FIELDS = (
    "date",
    "ref_no",
    "type",
    "location",
    "payment_status",
    "debit",
    "credit",
    "balance",
    "note",
    "transaction_id",
    "transaction_type",
    "payment_method_key",
    "final_total",
    "total_due",
    "total_paid",
    "due_date",
)
CSV_FIELDS = [f for f in LINE_FIELDS if f not in ("final_total", "total_due", "total_paid", "due_date")]
#: period_lines_sql's columns behind CSV_FIELDS, in that order
CSV_SQL_COLUMNS = (
    "r_date",
    "r_ref",
    "r_label",
    "r_location",
    "r_payment_status",
    "r_debit",
    "r_credit",
    "r_running",
    "r_note",
    "r_transaction_id",
    "r_transaction_type",
    "r_method",
)
AGING_BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90")
ZERO = Decimal(0)


def balance_text(running: Decimal, business) -> str:
    """The running balance as shown: its absolute value in the business currency, DR when the contact owes us
    (negative), CR when we owe them."""
    return balance_formatter(business)(running)


def balance_formatter(business):
    """balance_text for one business, its currency settings read once (the csv shows a balance on every line)."""
    amount = currency_formatter(business)
    zero = amount(ZERO)

    def text(running: Decimal) -> str:
        if not running:
            return zero
        return f"{amount(-running)} DR" if running < 0 else f"{amount(running)} CR"

    return text


def _aware(moment):
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite hands raw SQL dates back as text
        moment = datetime.datetime.fromisoformat(moment)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=datetime.UTC)


def _iso(moment, zone) -> str | None:
    moment = _aware(moment)
    return moment.astimezone(zone).isoformat() if moment else None


def _amount(value) -> Decimal | None:
    value = db_decimal(value)
    return value if value else None


def empty_line(**values) -> dict:
    return {**dict.fromkeys(LINE_FIELDS), **values}


class ContactStatement:
    """One contact's ledger for a period [start_date, end_date] (dates inclusive, business time zone)."""

    def __init__(self, *, business, contact: Contact, start_date, end_date, location_id=None, q=None):
        self.business, self.contact = business, contact
        self.start_date, self.end_date = start_date, end_date
        self.start, self.end = day_bounds(business, start_date, end_date)
        self.location_id, self.q = location_id, q
        self.zone = business_zone(business)
        self.direction = owes_us_direction(contact)
        self._totals: LedgerTotals | None = None

    @property
    def totals(self) -> LedgerTotals:
        if self._totals is None:
            self._totals = ledger_totals(self.contact, self.start, self.end, self.location_id)
        return self._totals

    def due(self, signed: Decimal) -> Decimal:
        """A signed balance (credit − debit) in the contact's direction: positive = they owe us (customers, both),
        positive = we owe them (suppliers)."""
        return -signed if self.direction == 1 else signed

    # --- lines ------------------------------------------------------------------------------------------------

    def opening_line(self, forward: Decimal | None = None) -> dict:
        """'Opening Balance' dated start_date: the balance brought forward, signed (debit when they owe us)."""
        forward = self.totals.brought_forward if forward is None else forward
        return empty_line(
            date=datetime.datetime.combine(self.start_date, datetime.time.min, tzinfo=self.zone).isoformat(),
            ref_no="",
            type="Opening Balance",
            location="",
            payment_status="",
            note="",
            debit=-forward if forward < 0 else None,
            credit=forward if forward > 0 else None,
            balance=balance_text(forward, self.business),
        )

    def _line(self, row: dict, forward: Decimal) -> dict:
        return empty_line(
            date=_iso(row["r_date"], self.zone),
            ref_no=row["r_ref"],
            type=row["r_label"],
            location=row["r_location"] or "",
            payment_status=row["r_payment_status"] or "",
            debit=_amount(row["r_debit"]),
            credit=_amount(row["r_credit"]),
            balance=balance_text(forward + db_decimal(row["r_running"]), self.business),
            note=row["r_note"] or "",
            transaction_id=row["r_transaction_id"],
            transaction_type=row["r_transaction_type"],
            payment_method_key=row["r_method"],
        )

    def period_lines(self, *, stream: bool = False):
        """The period's lines (without the opening row), read with a server-side cursor when streaming."""
        sql, params = period_lines_sql(self.contact, self.start, self.end, self.location_id, self.q)
        forward = self.totals.brought_forward
        cursor = connection.chunked_cursor() if stream else connection.cursor()
        with cursor:
            cursor.execute(sql, params)
            columns = [column[0] for column in cursor.description]
            while rows := cursor.fetchmany(2000):
                for values in rows:
                    yield self._line(dict(zip(columns, values, strict=True)), forward)

    def csv_rows(self):
        """Every line in the format_1 layout (CSV_FIELDS), the opening row first, streamed: cells made straight
        from the query's row tuples (only the columns the csv shows, in its order), and only the brought-forward
        balance computed beforehand."""
        forward = brought_forward(self.contact, self.start, self.end, self.location_id)
        opening = self.opening_line(forward)
        yield [csv_cell(opening[name]) for name in CSV_FIELDS]
        sql, params = period_lines_sql(
            self.contact, self.start, self.end, self.location_id, self.q, columns=CSV_SQL_COLUMNS
        )
        zone, balance = self.zone, balance_formatter(self.business)
        with connection.chunked_cursor() as cursor:
            native_timestamps(cursor)
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(2000):
                for when, ref, label, location, status, debit, credit, running, note, txn, kind, method in rows:
                    debit, credit = db_decimal(debit), db_decimal(credit)
                    yield [
                        # PostgreSQL's aware datetimes directly; SQLite's text and naive values through _iso
                        when.astimezone(zone).isoformat() if getattr(when, "tzinfo", None) else _iso(when, zone),
                        neutralise(ref) if ref else "",
                        label,  # one of the engine's fixed labels
                        neutralise(location) if location else "",
                        status or "",
                        decimal_text(debit) if debit else "",
                        decimal_text(credit) if credit else "",
                        balance(forward + db_decimal(running)),
                        neutralise(note) if note else "",
                        txn,
                        kind,
                        method,
                    ]

    def _with_products(self, lines: list[dict]) -> list[dict]:
        wanted = {"sell": SellLine, "purchase": PurchaseLine}
        ids = {
            kind: [
                ln["transaction_id"]
                for ln in lines
                if ln["transaction_type"] == kind
                and not ln.get("payment_method_key")
                and ln["type"] == DOC_LABELS[kind]
            ]
            for kind in wanted
        }
        products = {}
        for kind, model in wanted.items():
            price = "unit_price" if kind == "sell" else "purchase_price"
            for document_id, rows in document_lines(model, price, ids[kind]).items():
                products[document_id] = [
                    {
                        "product_name": r["product_name"],
                        "variation_name": r["variation_name"],
                        "sub_sku": r["sub_sku"],
                        "quantity": r["quantity"],
                        "unit_price": r[price],
                        "line_total": r["line_total"],
                    }
                    for r in rows
                ]
        for line in lines:
            if line["transaction_id"] in products and line["payment_method_key"] is None:
                line["products"] = products[line["transaction_id"]]
        return lines

    # --- open documents and aging ------------------------------------------------------------------------------

    def _open(self):
        """Documents dated up to end_date with something due on them at its end (payments made later do not
        count)."""
        documents = (
            Transaction.objects.filter(contact=self.contact, transaction_date__lt=self.end)
            .counting_toward_dues()
            .exclude(type=Transaction.Type.LEDGER_DISCOUNT)
            .with_paid_joined(before=self.end)
            .filter(total_due__gt=0)
        )
        if self.location_id:
            documents = documents.filter(location_id=self.location_id)
        return documents

    def _debit_types(self) -> list[str]:
        """Document types on the debit side (what the contact owes us) for this contact."""
        types = ["sell", "purchase_return"]
        return types + ["opening_balance"] if self.contact.type != Contact.Type.SUPPLIER else types

    def open_documents(self) -> list[dict]:
        """The open documents (`_open`) as format_2 lines, oldest first."""
        debit_types = self._debit_types()
        rows = (
            self._open()
            .order_by("transaction_date", "id")
            .values(
                "id",
                "type",
                "transaction_date",
                "invoice_no",
                "ref_no",
                "location__name",
                "payment_status",
                "final_total",
                "total_paid",
                "total_due",
                "due_date",
                "additional_notes",
            )
        )
        lines = []
        for row in rows:
            debit_side = row["type"] in debit_types
            lines.append(
                empty_line(
                    date=_iso(row["transaction_date"], self.zone),
                    ref_no=row["invoice_no"] or row["ref_no"] or "",
                    type=DOC_LABELS[row["type"]],
                    location=row["location__name"] or "",
                    payment_status=row["payment_status"] or "",
                    note=row["additional_notes"] or "",
                    debit=row["final_total"] if debit_side else None,
                    credit=None if debit_side else row["final_total"],
                    balance="",
                    transaction_id=row["id"],
                    transaction_type=row["type"],
                    final_total=row["final_total"],
                    total_paid=row["total_paid"],
                    total_due=row["total_due"],
                    due_date=_iso(row["due_date"], self.zone),
                )
            )
        return lines

    def _matches_q(self, line: dict) -> bool:
        """`q` on an open document as on a period line (period_lines_sql): text contained in its reference, type,
        location, status or note, case-insensitively, or its transaction id. The aging still counts them all."""
        if not self.q:
            return True
        wanted = self.q.upper()
        texts = (line["ref_no"], line["type"], line["location"], line["payment_status"], line["note"])
        return any(wanted in (text or "").upper() for text in texts) or str(line["transaction_id"]) == self.q

    def aging(self) -> dict:
        """What is due on the open documents, by days past due at end_date: current (not yet due), 1–30, 31–60,
        61–90, over 90, in one aggregate. Each document counts in the contact's direction (a sell return lowers
        what a customer owes)."""
        # days past due ≤ k ⇔ due on or after the start of (end_date − k) in the business's time zone
        since = {
            k: day_bounds(self.business, self.end_date - datetime.timedelta(days=k), self.end_date)[0]
            for k in (0, 30, 60, 90)
        }
        owed = Case(
            When(type__in=self._debit_types(), then=F("total_due")),
            default=-F("total_due"),
            output_field=DecimalField(**MONEY),
        )
        signed = owed if self.direction == 1 else -owed
        ranges = {
            "current": Q(due_date__gte=since[0]),
            "1_30": Q(due_date__gte=since[30], due_date__lt=since[0]),
            "31_60": Q(due_date__gte=since[60], due_date__lt=since[30]),
            "61_90": Q(due_date__gte=since[90], due_date__lt=since[60]),
            "over_90": Q(due_date__lt=since[90]),
        }
        buckets = self._open().aggregate(
            **{name: Coalesce(Sum(signed, filter=match), ZERO_SQL) for name, match in ranges.items()}
        )
        return {**buckets, "total": sum(buckets.values(), ZERO)}

    # --- the payload -------------------------------------------------------------------------------------------

    def summary(self, fmt: str) -> dict:
        t = self.totals
        summary = {
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "beginning_balance": self.due(t.brought_forward),
            "balance_due": self.due(t.closing),
            "total_invoice": t.total_invoice,
            "total_purchase": t.total_purchase,
            "total_paid": t.total_paid,
            "total_reverse_payment": t.total_reverse_payment,
            "ledger_discount": t.ledger_discount,
            "all_total_invoice": t.all_total_invoice,
            "all_invoice_paid": t.all_invoice_paid,
            "all_total_purchase": t.all_total_purchase,
            "all_purchase_paid": t.all_purchase_paid,
            "all_balance_due": self.due(t.all_closing),
            "all_ledger_discount": t.all_ledger_discount,
        }
        if fmt in ("format_3", "format_4"):
            self.contact.refresh_from_db(fields=["balance"])
            summary["advance_balance"] = self.contact.balance
        return summary

    def payload(self, fmt: str) -> dict:
        data = {"contact_id": self.contact.pk}
        if fmt == "format_2":
            documents = self.open_documents()
            shown = [d for d in documents if self._matches_q(d)]
            data["lines"] = shown
            data["aging"] = self.aging()
        else:
            lines = [self.opening_line(), *self.period_lines()]
            if fmt == "format_3":
                lines = self._with_products(lines)
            if fmt == "format_4":
                for line in lines:
                    line.pop("location")
                data["aging"] = self.aging()
            data["lines"] = lines
        data["summary"] = self.summary(fmt)
        return data
