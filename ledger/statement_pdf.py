"""The contact ledger as a PDF (RULES §6, §10): the numbers of ledger.statement rendered by xhtml2pdf from one
Django template per format.

Speed: xhtml2pdf lays a table out cell by cell, so the lines go in page-sized tables (CHUNK_ROWS each) that
stack without a gap, under column headings printed by the page template itself, instead of one huge table the
layout engine must measure and split again on every page. Resources: fonts (and any image) come only from the
project's static files; a URL, a file path outside them or a data URI is refused (`static_only`).
"""

import datetime
import functools
import io
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.dates import business_date_text, business_datetime_text, now_in
from core.money import format_currency
from ledger.statement import FORMATS, ContactStatement

#: Lines per table: about a page of single-line rows, so a table rarely has to be split.
CHUNK_ROWS = 40
#: Consecutive lines whose every cell fits on one line are printed as one table row of PACK_LINES lines, each
#: cell holding its column's lines (xhtml2pdf's cost is per cell, not per line of text). A pack moves to the next
#: page whole, so it stays small.
PACK_LINES = 8
FONT_FILE = "ledger/fonts/DejaVuSansCondensed.ttf"
FONT_SIZE = 7.5  # points: base.html's body font-size
CELL_PADDING = 6  # points: base.html's td padding, left and right

TITLES = {
    "format_1": "Ledger",
    "format_2": "Statement of open documents",
    "format_3": "Ledger with products",
    "format_4": "Partner ledger",
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # points; each layout's widths add up to its page's text width
    right: bool = False


def _columns(*specs) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


# A4 portrait: 595 pt wide, 28 pt margins = 539 pt of text; landscape: 842 − 56 = 786 pt.
COLUMNS = {
    "format_1": _columns(
        ("date", "Date", 50),
        ("ref_no", "Ref No", 64),
        ("type", "Type", 64),
        ("location", "Location", 62),
        ("payment_status", "Payment status", 44),
        ("debit", "Debit", 62, True),
        ("credit", "Credit", 62, True),
        ("payment_method", "Payment method", 46),
        ("note", "Others", 85),
    ),
    "format_2": _columns(
        ("date", "Date", 50),
        ("ref_no", "Ref No", 70),
        ("type", "Type", 64),
        ("location", "Location", 80),
        ("due_date", "Due date", 50),
        ("final_total", "Total", 75, True),
        ("total_paid", "Paid", 75, True),
        ("total_due", "Due", 75, True),
    ),
    "format_3": _columns(
        ("date", "Date", 48),
        ("ref_no", "Ref No", 60),
        ("type", "Type", 60),
        ("location", "Location", 54),
        ("payment_status", "Payment status", 40),
        ("debit", "Debit", 56, True),
        ("credit", "Credit", 56, True),
        ("balance", "Balance", 70, True),
        ("payment_method", "Payment method", 42),
        ("note", "Others", 53),
    ),
    "format_4": _columns(
        ("date", "Date", 66),
        ("ref_no", "Ref No", 106),
        ("type", "Type", 74),
        ("payment_status", "Payment status", 60),
        ("debit", "Debit", 84, True),
        ("credit", "Credit", 84, True),
        ("balance", "Balance", 96, True),
        ("payment_method", "Payment method", 66),
        ("note", "Others", 150),
    ),
}
LANDSCAPE = {"format_4"}
AGING_LABELS = (
    ("current", "Current"),
    ("1_30", "1–30 days"),
    ("31_60", "31–60 days"),
    ("61_90", "61–90 days"),
    ("over_90", "Over 90 days"),
    ("total", "Total"),
)


class ResourceRefused(Exception):
    """A template asked for something that is not one of the project's static files."""


def static_only(uri: str, rel=None) -> str:
    """xhtml2pdf's link_callback: `static/<path>` (STATIC_URL) found by the staticfiles finders, nothing else —
    no http(s), no file: or data: URIs, no absolute or escaping paths, so rendering never fetches a URL."""
    parts = urlsplit(uri or "")
    if parts.scheme or parts.netloc or parts.query:
        raise ResourceRefused(f"Only the project's static files may be used in a PDF, not {uri!r}.")
    prefix = settings.STATIC_URL.lstrip("/")
    path = parts.path.lstrip("/")
    if not path.startswith(prefix):
        raise ResourceRefused(f"Not a static file: {uri!r}.")
    try:
        found = finders.find(path[len(prefix) :])
    except SuspiciousFileOperation:
        found = None
    if not found or isinstance(found, list):
        raise ResourceRefused(f"No such static file: {uri!r}.")
    return found


class StatementRenderError(Exception):
    pass


@functools.cache
def _measuring_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = "StatementMeasure"
    pdfmetrics.registerFont(TTFont(name, finders.find(FONT_FILE)))
    return name


def fits_one_line(text: str, width: float) -> bool:
    """Whether `text` prints on one line in a cell `width` points wide (with a point to spare)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return "\n" not in text and stringWidth(text, _measuring_font(), FONT_SIZE) <= width - CELL_PADDING - 1


def _when(value) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if isinstance(value, str) else value


class StatementDocument:
    """The context of one statement's template, every amount and date already in the business's formats."""

    def __init__(self, statement: ContactStatement, fmt: str):
        if fmt not in FORMATS:
            raise ValueError(fmt)
        self.statement, self.fmt = statement, fmt
        self.business, self.contact = statement.business, statement.contact

    def money(self, value) -> str:
        return "" if value is None else format_currency(value, self.business)

    def _cells(self, line: dict) -> list[tuple[str, Column]]:
        business = self.business
        values = {
            "date": business_date_text(_when(line["date"]), business),
            "ref_no": line["ref_no"] or "",
            "type": line["type"] or "",
            "location": line.get("location") or "",
            "payment_status": (line["payment_status"] or "").replace("_", " "),
            "debit": self.money(line["debit"]),
            "credit": self.money(line["credit"]),
            "balance": line["balance"] or "",
            "payment_method": (line["payment_method_key"] or "").replace("_", " "),
            "note": line["note"] or "",
            "due_date": business_date_text(_when(line["due_date"]), business),
            "final_total": self.money(line["final_total"]),
            "total_paid": self.money(line["total_paid"]),
            "total_due": self.money(line["total_due"]),
        }
        return [(values[column.key], column) for column in COLUMNS[self.fmt]]

    def _product_text(self, product: dict) -> str:
        name = product["product_name"]
        if product["variation_name"] and product["variation_name"] not in ("DUMMY", name):
            name = f"{name} ({product['variation_name']})"
        quantity = f"{product['quantity'].normalize():f}"
        return (
            f"{name} · {product['sub_sku']} · {quantity} × {self.money(product['unit_price'])} = "
            f"{self.money(product['line_total'])}"
        )

    def rows(self, lines: list[dict]) -> list[dict]:
        """One row per line; a sell's or purchase's products ride on its row (printed under it, never apart).
        `single`: every cell of the row fits on one line, so it can be packed with its neighbours."""
        rows = []
        for line in lines:
            cells = self._cells(line)
            row = {"cells": cells, "single": all(fits_one_line(text, column.width) for text, column in cells)}
            if line.get("products"):
                row["products"] = [self._product_text(p) for p in line["products"]]
                row["single"] = False
            rows.append(row)
        return rows

    def _pack(self, rows: list[dict]) -> dict:
        columns = zip(*(row["cells"] for row in rows), strict=True)
        return {
            "pack": [
                (mark_safe("<br>".join(escape(text) if text else "&nbsp;" for text, _ in cells)), cells[0][1])
                for cells in columns
            ]
        }

    def chunks(self, rows: list[dict]) -> list[list[dict]]:
        """Tables of about CHUNK_ROWS printed lines each (a row and its products count as one plus one per
        product); inside them runs of single-line rows packed PACK_LINES to a table row."""
        chunks, current, size, run = [], [], 0, []

        def flush_run():
            for i in range(0, len(run), PACK_LINES):
                current.append(self._pack(run[i : i + PACK_LINES]))
            run.clear()

        for row in rows:
            weight = 1 + len(row.get("products", ()))
            if (current or run) and size + weight > CHUNK_ROWS:
                flush_run()
                chunks.append(current)
                current, size = [], 0
            if row["single"]:
                run.append(row)
            else:
                flush_run()
                current.append(row)
            size += weight
        flush_run()
        if current:
            chunks.append(current)
        return chunks

    def _address(self, *parts) -> str:
        return ", ".join(p.strip() for p in parts if p and p.strip())

    def business_block(self) -> dict:
        """The business's name and the address of the statement's location (or its first location)."""
        locations = self.business.locations.order_by("id")
        location = None
        if self.statement.location_id:
            location = locations.filter(pk=self.statement.location_id).first()
        location = location or locations.filter(is_active=True).first() or locations.first()
        if location is None:
            return {"name": self.business.name, "address": "", "phone": "", "email": ""}
        return {
            "name": self.business.name,
            "address": self._address(
                location.landmark, location.city, location.state, location.zip_code, location.country
            ),
            "phone": location.mobile,
            "email": location.email,
        }

    def contact_block(self) -> dict:
        c = self.contact
        return {
            "name": c.name,
            "business_name": c.supplier_business_name or "",
            "code": c.contact_id or "",
            "address": self._address(c.address_line_1, c.address_line_2, c.city, c.state, c.zip_code, c.country),
            "mobile": c.mobile or "",
            "email": c.email or "",
            "tax_number": c.tax_number or "",
        }

    def location_label(self) -> str:
        if not self.statement.location_id:
            return "All locations"
        location = self.business.locations.filter(pk=self.statement.location_id).first()
        return location.name if location else ""

    def summary_rows(self, summary: dict) -> tuple[list, list]:
        m = self.money
        period = [
            ("Opening balance", m(summary["beginning_balance"])),
            ("Total invoice", m(summary["total_invoice"])),
            ("Total purchase", m(summary["total_purchase"])),
            ("Total paid", m(summary["total_paid"])),
            ("Reverse payments", m(summary["total_reverse_payment"])),
            ("Ledger discount", m(summary["ledger_discount"])),
        ]
        if "advance_balance" in summary:
            period.append(("Advance balance", m(summary["advance_balance"])))
        overall = [
            ("Total invoice", m(summary["all_total_invoice"])),
            ("Invoice paid", m(summary["all_invoice_paid"])),
            ("Total purchase", m(summary["all_total_purchase"])),
            ("Purchase paid", m(summary["all_purchase_paid"])),
            ("Ledger discount", m(summary["all_ledger_discount"])),
            ("Balance due", m(summary["all_balance_due"])),
        ]
        return period, overall

    def context(self) -> dict:
        statement, business = self.statement, self.business
        payload = statement.payload(self.fmt)
        summary = payload["summary"]
        period, overall = self.summary_rows(summary)
        columns = COLUMNS[self.fmt]
        aging = payload.get("aging")
        return {
            "fmt": self.fmt,
            "title": TITLES[self.fmt],
            "landscape": self.fmt in LANDSCAPE,
            "font_regular": f"{settings.STATIC_URL}{FONT_FILE}",
            "font_bold": f"{settings.STATIC_URL}ledger/fonts/DejaVuSansCondensed-Bold.ttf",
            "business": self.business_block(),
            "contact": self.contact_block(),
            "period": f"{business_date_text(statement.start_date, business)} – "
            f"{business_date_text(statement.end_date, business)}",
            "location": self.location_label(),
            "printed_on": business_datetime_text(now_in(business), business),
            "columns": columns,
            "column_count": len(columns),
            "chunks": self.chunks(self.rows(payload["lines"])),
            "line_count": len(payload["lines"]),
            "empty_text": "No open documents at the end of the period."
            if self.fmt == "format_2"
            else "No lines in this period.",
            "period_summary": period,
            "overall_summary": overall,
            "balance_due": self.money(summary["balance_due"]),
            "aging": [(label, self.money(aging[key])) for key, label in AGING_LABELS] if aging else None,
        }


def render_statement_pdf(statement: ContactStatement, fmt: str) -> bytes:
    """The statement in `fmt` as PDF bytes (the same numbers as GET /contacts/{id}/ledger in that format)."""
    from xhtml2pdf import pisa

    html = render_to_string(f"ledger/statement/{fmt}.html", StatementDocument(statement, fmt).context())
    out = io.BytesIO()
    with timezone.override(statement.zone):
        result = pisa.CreatePDF(html, dest=out, link_callback=static_only, encoding="utf-8")
    if result.err:
        raise StatementRenderError(f"The {fmt} statement could not be rendered ({result.err} errors).")
    return out.getvalue()


def statement_filename(statement: ContactStatement) -> str:
    """ledger-<contact>-<start>-<end>.pdf: the contact's code (its id when it has none), dates as Y-m-d."""
    code = statement.contact.contact_id or str(statement.contact.pk)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in code)
    return f"ledger-{safe}-{statement.start_date.isoformat()}-{statement.end_date.isoformat()}.pdf"
