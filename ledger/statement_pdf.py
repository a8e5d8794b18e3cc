"""The contact ledger as a PDF (RULES §6, §10): the numbers of ledger.statement rendered by xhtml2pdf from one
Django template per format.

Speed: xhtml2pdf's cost is per element and per table cell (the CSS cascade, a paragraph laid out, measured and
drawn for each), far more than per line of text. So each page's lines are one table of one row: a cell per column
holding the column's lines for the page, line breaks kept (`white-space: pre-line`), every text broken here as
it prints with the font's metrics so the columns stay aligned line by line, and as many lines as the page has room
for. Products run on under their line from the Ref No column (`pre`, over the blank columns beside them).
Resources: fonts (and any image) come only from the project's static files; a URL, a file path outside them or a
data URI is refused (`static_only`).
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

FONT_FILE = "ledger/fonts/DejaVuSansCondensed.ttf"
FONT_SIZE = 7.5  # points: the lines' font size (base.html's body font-size)
CELL_PADDING = 6  # points: base.html's td padding, left and right
LINE_PITCH = FONT_SIZE * 1.5  # points: the lines' line-height (base.html's td line-height)
CM = 72 / 2.54  # points
#: Page margins (top, right, bottom, left; cm): the header and footer frames sit in the top and bottom ones.
MARGINS = (4.6, 1.0, 1.5, 1.0)
A4 = (595.28, 841.89)  # points, portrait
#: What is left of a page's body after its lines, against rounding (points).
PAGE_SLACK = 4

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
        ("type", "Type", 66),
        ("location", "Location", 60),
        ("payment_status", "Payment status", 44),
        ("debit", "Debit", 62, True),
        ("credit", "Credit", 62, True),
        ("payment_method", "Payment method", 56),
        ("note", "Others", 75),
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
        ("ref_no", "Ref No", 64),
        ("type", "Type", 66),
        ("location", "Location", 50),
        ("payment_status", "Payment status", 38),
        ("debit", "Debit", 54, True),
        ("credit", "Credit", 54, True),
        ("balance", "Balance", 64, True),
        ("payment_method", "Payment method", 54),
        ("note", "Others", 47),
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
#: The column products are printed in, under their sell's or purchase's line (the Ref No column).
PRODUCT_COLUMN = 1
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


@functools.lru_cache(maxsize=4096)
def cell_lines(text: str, width: float) -> tuple[str, ...]:
    """`text` broken into the lines it prints as in a cell `width` points wide (with a point to spare): at its
    line breaks (any of them: \\r\\n, \\r, \\u2028 …), at spaces, and a word too long for the cell where it no
    longer fits. Nothing is lost but the spaces a line is broken at; an empty text is one blank line."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font, room = _measuring_font(), width - CELL_PADDING - 1
    paragraphs = text.splitlines() or [""]
    if len(paragraphs) == 1 and stringWidth(paragraphs[0], font, FONT_SIZE) <= room:
        return (paragraphs[0],)  # without a line break it ends with: printed, that would be a line of its own
    lines = []
    for paragraph in paragraphs:
        for line in simpleSplit(paragraph, font, FONT_SIZE, room) or [""]:
            if stringWidth(line, font, FONT_SIZE) <= room:
                lines.append(line)
                continue
            start, used = 0, 0.0  # a word wider than the cell: cut it character by character
            for i, char in enumerate(line):
                advance = stringWidth(char, font, FONT_SIZE)
                if used + advance > room and i > start:
                    lines.append(line[start:i])
                    start, used = i, 0.0
                used += advance
            lines.append(line[start:])
    return tuple(lines)


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
        """One row per line: its cells, and `printed`, the lines it prints as: a tuple of one text per column for
        each line of its tallest cell (each cell's text broken as it prints), then for a sell or a purchase one
        text per printed line of its products (broken to the width from PRODUCT_COLUMN to the last column)."""
        product_width = sum(column.width for column in COLUMNS[self.fmt][PRODUCT_COLUMN:])
        rows = []
        for line in lines:
            cells = self._cells(line)
            broken = [cell_lines(text, column.width) for text, column in cells]
            printed = [tuple(cell[i] if i < len(cell) else "" for cell in broken) for i in range(max(map(len, broken)))]
            row = {"cells": cells, "printed": printed}
            if line.get("products"):
                row["products"] = [self._product_text(p) for p in line["products"]]
                printed.extend(text for p in row["products"] for text in cell_lines(p, product_width))
            rows.append(row)
        return rows

    def page_lines(self) -> int:
        """How many printed lines one page's body holds."""
        height = A4[0] if self.fmt in LANDSCAPE else A4[1]
        body = height - (MARGINS[0] + MARGINS[2]) * CM - PAGE_SLACK
        return int(body // LINE_PITCH)

    def chunks(self, rows: list[dict]) -> list[list[dict]]:
        """The pages' lines: as many as a page has room for, a row (a line and its products) kept on one page
        unless it is taller than a page, when it starts where it is and goes on over the next."""
        capacity, pages, page = self.page_lines(), [], []
        for row in rows:
            printed = row["printed"]
            if page and len(page) + len(printed) > capacity >= len(printed):
                pages.append(page)
                page = []
            for line in printed:
                if len(page) == capacity:
                    pages.append(page)
                    page = []
                page.append(line)
        if page:
            pages.append(page)
        return [self._pack(page) for page in pages]

    def _pack(self, page: list) -> list[dict]:
        """A page's lines as one table row: each column's lines as one text, printed `pre-line` (line breaks kept;
        one element per cell instead of one per line). Products are PRODUCT_COLUMN's, printed `pre` (spaces
        kept, so a product line runs on over the columns blank beside it), blank lines in the other columns."""
        cells = []
        for i, column in enumerate(COLUMNS[self.fmt]):
            parts, products = [], []
            for line in page:
                if isinstance(line, str):
                    if i == PRODUCT_COLUMN:
                        products.append(escape(line))
                    else:
                        parts.append("")
                    continue
                if products:
                    parts.append(self._products_html(products))
                    products = []
                parts.append(escape(line[i]))
            if products:
                parts.append(self._products_html(products))
            html = mark_safe("\n".join(parts).rstrip("\n"))
            cells.append({"html": html, "column": column, "products": i == PRODUCT_COLUMN})
        return cells

    @staticmethod
    def _products_html(lines: list[str]) -> str:
        return '<span class="product">' + "\n".join(lines) + "</span>"

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
        aging = payload.get("aging")
        return {
            "title": TITLES[self.fmt],
            "landscape": self.fmt in LANDSCAPE,
            "margins": " ".join(f"{m:g}cm" for m in MARGINS),
            "font_size": f"{FONT_SIZE:g}pt",
            "line_pitch": f"{LINE_PITCH:g}pt",
            "font_regular": f"{settings.STATIC_URL}{FONT_FILE}",
            "font_bold": f"{settings.STATIC_URL}ledger/fonts/DejaVuSansCondensed-Bold.ttf",
            "business": self.business_block(),
            "contact": self.contact_block(),
            "period": f"{business_date_text(statement.start_date, business)} – "
            f"{business_date_text(statement.end_date, business)}",
            "location": self.location_label(),
            "printed_on": business_datetime_text(now_in(business), business),
            "columns": COLUMNS[self.fmt],
            "chunks": self.chunks(self.rows(payload["lines"])),
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
