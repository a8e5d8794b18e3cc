"""The ledger PDF's layout (ledger/statement_pdf.py): lines broken as they print, a page's lines as one table row
whose columns stay aligned line by line, products run on under their sell, a line taller than a page cut where
the page ends, nothing lost. Read back from the PDF (pypdf's layout text) through GET /contacts/{id}/ledger/pdf."""

import io

import pypdf
import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from core.tests.matrix import BASE
from ledger.statement import ContactStatement
from ledger.statement_pdf import (
    CELL_PADDING,
    COLUMNS,
    FONT_SIZE,
    StatementDocument,
    _measuring_font,
    cell_lines,
)
from ledger.tests.builders import make_sell, moment, pay_due
from ledger.tests.statement_books import page_text, statement_books

PERIOD = "start_date=2026-01-01&end_date=2026-06-30"


def pdf_pages(api, contact, fmt) -> list[str]:
    response = api.get(f"{BASE}/contacts/{contact.pk}/ledger/pdf?{PERIOD}&ledger_format={fmt}")
    assert response.status_code == 200, response.content[:300]
    return [page_text(page) for page in pypdf.PdfReader(io.BytesIO(response.content)).pages]


def layout_lines(api, contact, fmt) -> list[str]:
    """Every printed line of every page, as pypdf lays them out (runs of white space made single spaces)."""
    response = api.get(f"{BASE}/contacts/{contact.pk}/ledger/pdf?{PERIOD}&ledger_format={fmt}")
    assert response.status_code == 200, response.content[:300]
    lines = []
    for page in pypdf.PdfReader(io.BytesIO(response.content)).pages:
        text = page.extract_text(extraction_mode="layout") or ""
        lines.extend(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return lines


def document(world, fmt) -> StatementDocument:
    statement = ContactStatement(
        business=world.business,
        contact=world.customer,
        start_date=moment(2026, 1, 1).date(),
        end_date=moment(2026, 6, 30).date(),
    )
    return StatementDocument(statement, fmt)


@pytest.fixture
def books(business, admin_user):
    return statement_books(business, admin_user)


# --- cell_lines: the text of a cell, broken as it prints -------------------------------------------------------


def room(width) -> float:
    return width - CELL_PADDING - 1


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("bank transfer", 40),
        ("Delivered to the back door, please ring twice before leaving the parcel", 85),
        ("first line\nsecond line", 200),
        ("first line\r\nsecond line\rthird\u2028fourth", 200),
        ("x" * 5000, 75),  # a note without a space
        ("SP2026/0000000000000001", 40),  # one word wider than the cell
        ("a " + "x" * 60 + " b", 60),
    ],
)
def test_every_printed_line_fits_its_cell_and_nothing_is_lost(text, width):
    lines = cell_lines(text, width)
    assert len(lines) > 1
    for line in lines:
        assert stringWidth(line, _measuring_font(), FONT_SIZE) <= room(width), line
    assert "".join("".join(lines).split()) == "".join(text.split())


def test_every_line_break_is_a_line_of_its_own():
    assert cell_lines("first line\r\nsecond line\rthird\u2028fourth", 200) == (
        "first line",
        "second line",
        "third",
        "fourth",
    )
    assert cell_lines("a\n\nb", 200) == ("a", "", "b")
    assert cell_lines("short note\n", 200) == ("short note",)  # a line break it ends with is no line
    assert cell_lines("short note\r\n", 200) == ("short note",)


def test_a_text_that_fits_is_one_line_and_empty_is_one_blank_line():
    assert cell_lines("Main Store", 60) == ("Main Store",)
    assert cell_lines("", 60) == ("",)


# --- the PDF ---------------------------------------------------------------------------------------------------


NOTE = "Paid at the counter by the customer's brother, receipt number 4471 kept in the blue folder for the audit"


def test_a_wrapped_cell_keeps_the_lines_after_it_aligned(api, books, business, admin_user):
    first = pay_due(business, admin_user, books.customer, "3", paid_on=moment(2026, 2, 3, 9), note=NOTE)
    second = pay_due(business, admin_user, books.customer, "4", paid_on=moment(2026, 2, 4, 9), method="bank_transfer")
    lines = layout_lines(api, books.customer, "format_1")
    (row,) = [line for line in lines if first.payment_ref_no in line]
    assert row.startswith(f"02/03/2026 {first.payment_ref_no} Payment")
    assert "$ 3.00 cash" in row
    (row,) = [line for line in lines if second.payment_ref_no in line]
    assert row.startswith(f"02/04/2026 {second.payment_ref_no} Payment")
    assert "$ 4.00 bank transfer" in row
    text = " ".join(lines)
    assert " ".join(NOTE.split()[:3]) in text and "audit" in text


def test_products_run_on_under_their_sell_in_format_3(api, books):
    lines = layout_lines(api, books.customer, "format_3")
    sell = books.sells[1]
    at = next(i for i, line in enumerate(lines) if line.startswith(f"04/15/2026 {sell.invoice_no} Sell"))
    assert lines[at + 1] == books.shop.name.split()[-1]  # the rest of the location's name, wrapped in its column
    assert lines[at + 2] == "Widget · SKU0001 · 5 × $ 10.00 = $ 50.00"
    assert lines[at + 3] == "Gadget · SKU0002 · 2 × $ 35.50 = $ 71.00"
    assert lines[at + 4].startswith("05/05/2026 SP2026/0002 Payment")


def test_a_page_holds_as_many_lines_as_it_has_room_for(api, books, business, admin_user):
    for day in range(1, 29):
        for hour in (8, 9, 10, 11):
            pay_due(business, admin_user, books.customer, "1", paid_on=moment(2026, 3, day, hour))
    doc = document(books, "format_1")
    chunks = doc.chunks(doc.rows(doc.statement.payload("format_1")["lines"]))
    assert len(chunks) >= 2
    pages = pdf_pages(api, books.customer, "format_1")
    # one page per chunk, and the summary after the last chunk (on its page, or the next one)
    assert len(pages) in (len(chunks), len(chunks) + 1)
    payments = [page.count("SP2026/") for page in pages]
    assert payments[0] >= doc.page_lines() - 12  # the first page is full but for its few taller lines
    assert sum(payments) >= 112


def test_a_line_taller_than_a_page_goes_on_over_the_next_and_nothing_is_lost(api, books, business, admin_user):
    words = " ".join(f"word{i:03d}" for i in range(700))  # about 90 printed lines in the Others column
    pay_due(business, admin_user, books.customer, "2", paid_on=moment(2026, 2, 1, 9), note=words)
    after = pay_due(business, admin_user, books.customer, "5", paid_on=moment(2026, 2, 2, 9))
    lines = layout_lines(api, books.customer, "format_1")
    text = " ".join(lines)
    for i in (0, 1, 350, 698, 699):
        assert f"word{i:03d}" in text
    (row,) = [line for line in lines if after.payment_ref_no in line]
    assert row.startswith(f"02/02/2026 {after.payment_ref_no} Payment")
    assert len(pdf_pages(api, books.customer, "format_1")) >= 3


def test_a_sell_with_many_products_keeps_its_lines_in_order_over_pages(api, books, business, admin_user):
    sell = make_sell(
        business,
        admin_user,
        customer=books.customer,
        location=books.shop,
        lines=[(books.widget, "1", None)] * 80,
        transaction_date=moment(2026, 2, 10),
    )
    lines = layout_lines(api, books.customer, "format_3")
    at = next(i for i, line in enumerate(lines) if sell.invoice_no in line)
    products = [line for line in lines[at + 1 :] if line.startswith("Widget · SKU0001 · 1 × $ 10.00")]
    assert len(products) == 80


@pytest.mark.parametrize("fmt", list(COLUMNS))
def test_each_layout_fills_its_page_width(fmt):
    width = 842 - 2 * 28 if fmt == "format_4" else 595 - 2 * 28
    assert sum(column.width for column in COLUMNS[fmt]) == width


def test_markup_in_a_note_is_printed_as_text(api, books, business, admin_user):
    pay_due(business, admin_user, books.customer, "1", paid_on=moment(2026, 2, 5, 9), note="<b>x</b> & <i>co</i>")
    text = " ".join(layout_lines(api, books.customer, "format_1"))
    assert "<b>x</b>" in text and "& <i>co</i>" in text


def test_a_note_ending_in_a_line_break_keeps_the_next_line_aligned(api, books, business, admin_user):
    pay_due(business, admin_user, books.customer, "1", paid_on=moment(2026, 2, 6, 9), note="Short\n")
    after = pay_due(business, admin_user, books.customer, "6", paid_on=moment(2026, 2, 6, 10), note="Later")
    (row,) = [line for line in layout_lines(api, books.customer, "format_1") if after.payment_ref_no in line]
    assert row.startswith(f"02/06/2026 {after.payment_ref_no} Payment") and row.endswith("$ 6.00 cash Later")
