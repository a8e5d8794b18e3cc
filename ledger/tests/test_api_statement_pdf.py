"""GET /contacts/{id}/ledger/pdf: the ledger PDF in each format, read back as text (beyond the reference; the PDF
that Send ledger attaches). RULES §6 (formats), §10 (currency and date formats)."""

from decimal import Decimal

import pytest

from core.tests.matrix import BASE, assert_not_found, check_permissions
from core.tests.openapi import assert_matches_schema
from ledger.statement_pdf import ResourceRefused, static_only
from ledger.tests.builders import ledger_data, make_customer, make_sell, moment, pay_due
from ledger.tests.statement_books import FIRST_HALF, page_count, page_text, pdf_text, statement_books

FORMATS = ["format_1", "format_2", "format_3", "format_4"]
PERIOD = "start_date=2026-01-01&end_date=2026-06-30"


def pdf_url(contact, query=PERIOD, fmt=None) -> str:
    return f"{BASE}/contacts/{contact.pk}/ledger/pdf?{query}" + (f"&ledger_format={fmt}" if fmt else "")


@pytest.fixture
def books(business, admin_user):
    return statement_books(business, admin_user)


def get_pdf(client, contact, fmt=None, query=PERIOD):
    response = client.get(pdf_url(contact, query, fmt))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert_matches_schema(response)
    return response


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_prints_the_contact_every_line_and_the_closing_balance_of_the_json_ledger(api, books, fmt):
    text = pdf_text(get_pdf(api, books.customer, fmt).content)
    json_ledger = ledger_data(api, books.customer.pk, **FIRST_HALF, fmt=fmt)

    for expected in ("Acme Trading", "Carla Customer", "CO0042", "12 Harbour Road", "+1 555 0100"):
        assert expected in text, expected
    assert "Period: 01/01/2026 – 06/30/2026" in text
    assert "Location: All locations" in text
    refs = [line["ref_no"] for line in json_ledger["lines"] if line["ref_no"]]
    assert len(refs) >= 5
    for ref in refs:
        assert ref in text, ref
    balance_due = json_ledger["summary"]["balance_due"]
    assert balance_due == Decimal("280.50")
    assert f"Balance due $ {balance_due:,.2f}" in text


def test_format_1_lists_the_lines_in_ledger_order_with_the_summary(api, books):
    text = pdf_text(get_pdf(api, books.customer, "format_1").content)
    lines = ledger_data(api, books.customer.pk, **FIRST_HALF)["lines"]
    positions = [text.index(line["ref_no"]) for line in lines if line["ref_no"]]
    assert positions == sorted(positions)
    assert "Opening Balance" in text
    assert "01/10/2026 INV0001 Sell" in text  # the business date format, m/d/Y by default
    assert "Opening balance $ 15.00" in text
    assert "Total invoice $ 357.50" in text
    assert "Loyalty" in text  # the ledger discount's note under Others


def test_format_3_prints_the_products_under_each_sell_and_the_running_balance(api, books):
    text = pdf_text(get_pdf(api, books.customer, "format_3").content)
    lines = ledger_data(api, books.customer.pk, **FIRST_HALF, fmt="format_3")["lines"]
    assert "Widget · SKU0001 · 10 × $ 10.00 = $ 100.00" in text
    assert "Gadget · SKU0002 · 2 × $ 35.50 = $ 71.00" in text
    for line in lines:
        assert line["balance"] in text
    assert "Advance balance" in text


@pytest.mark.parametrize("fmt", ["format_2", "format_4"])
def test_formats_2_and_4_carry_the_aging_block(api, books, fmt):
    text = pdf_text(get_pdf(api, books.customer, fmt).content)
    aging = ledger_data(api, books.customer.pk, **FIRST_HALF, fmt=fmt)["aging"]
    assert "Current 1–30 days 31–60 days 61–90 days Over 90 days Total" in text
    cells = " ".join(f"$ {aging[k]:,.2f}" for k in ("current", "1_30", "31_60", "61_90", "over_90", "total"))
    assert cells in text


@pytest.mark.parametrize("fmt", ["format_1", "format_3"])
def test_formats_1_and_3_have_no_aging_block(api, books, fmt):
    assert "Aging" not in pdf_text(get_pdf(api, books.customer, fmt).content)


def test_format_4_is_landscape_and_the_others_portrait(api, books):
    import io

    import pypdf

    for fmt, landscape in (("format_1", False), ("format_2", False), ("format_3", False), ("format_4", True)):
        page = pypdf.PdfReader(io.BytesIO(get_pdf(api, books.customer, fmt).content)).pages[0]
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width > height) is landscape, fmt


def test_downloads_as_an_attachment_named_after_the_contact_and_period(api, books):
    response = get_pdf(api, books.customer, "format_1")
    assert response["Content-Disposition"] == "attachment; filename=ledger-CO0042-2026-01-01-2026-06-30.pdf"
    books.customer.contact_id = ""
    books.customer.save()
    response = get_pdf(api, books.customer)
    assert response["Content-Disposition"] == (
        f"attachment; filename=ledger-{books.customer.pk}-2026-01-01-2026-06-30.pdf"
    )


def test_a_long_ledger_runs_over_pages_each_with_the_header_and_its_number(api, business, admin_user):
    world = statement_books(business, admin_user)
    for day in range(1, 29):
        for hour in (8, 9, 10, 11, 12):
            pay_due(business, admin_user, world.customer, "1", paid_on=moment(2026, 2, day, hour))
    response = get_pdf(api, world.customer, "format_1")
    pages = page_count(response.content)
    assert pages >= 3
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(response.content))
    for number, page in enumerate(reader.pages, start=1):
        text = page_text(page)
        assert "Carla Customer" in text and "CO0042" in text and "Acme Trading" in text
        assert f"Page {number}" in text
        assert "Date Ref No Type Location" in text  # the column headings on every page
    text = pdf_text(response.content)
    assert text.count("SP2026/") >= 140


def test_amounts_and_dates_follow_the_business_formats(api, business, admin_user):
    business.currency_symbol, business.currency_symbol_placement = "€", "after"
    business.thousand_separator, business.decimal_separator, business.date_format = ".", ",", "d-m-Y"
    business.save()
    world = statement_books(business, admin_user)
    make_sell(
        business,
        admin_user,
        customer=world.customer,
        location=world.shop,
        lines=[(world.widget, "200", None)],
        transaction_date=moment(2026, 6, 25),
    )
    text = pdf_text(get_pdf(api, world.customer, "format_1").content)
    assert "Period: 01-01-2026 – 30-06-2026" in text
    assert "25-06-2026" in text
    assert "2.000,00 €" in text
    assert "Balance due 2.280,50 €" in text


def test_a_location_filter_is_printed_and_applied(api, books):
    shop = books.shop
    text = pdf_text(get_pdf(api, books.customer, "format_1", query=f"{PERIOD}&location_id={shop.pk}").content)
    assert f"Location: {shop.name}" in text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_date=2026-01-01", "end_date"),
        ("end_date=2026-01-01", "start_date"),
        ("", "start_date"),
        ("start_date=2026-02-01&end_date=2026-01-01", "end_date"),
        ("start_date=2026-13-01&end_date=2026-12-31", "start_date"),
        (f"{PERIOD}&ledger_format=format_9", "ledger_format"),
        (f"{PERIOD}&ledger_format=csv", "ledger_format"),
        (f"{PERIOD}&location_id=999999", "location_id"),
    ],
)
def test_bad_queries_are_422_naming_the_field(api, books, query, field):
    response = api.get(pdf_url(books.customer, query))
    assert response.status_code == 422, response.content[:300]
    assert field in response.json()["errors"]
    assert_matches_schema(response)


def test_another_business_location_is_422(api, books, other_business):
    foreign = other_business.locations.first()
    response = api.get(pdf_url(books.customer, f"{PERIOD}&location_id={foreign.pk}"))
    assert response.status_code == 422
    assert "location_id" in response.json()["errors"]


def test_the_same_permissions_as_the_json_ledger(actors, books):
    url = pdf_url(books.customer)
    check_permissions(
        actors,
        "get",
        url,
        allowed=[("customer.view",), ("customer.view", "supplier.view")],
        denied=[(), ("supplier.view",), ("sell.view", "sell.payments", "purchase.payments", "customer.create")],
        ok=200,
    )


def test_view_own_users_get_403_on_a_contact_they_may_not_see(actors, books):
    client = actors.client("customer.view_own")
    response = client.get(pdf_url(books.customer))
    assert response.status_code == 403
    assert response.json() == {"message": "Unauthorized"}
    own = make_customer(books.business, name="Own Customer", created_by=client.user)
    assert client.get(pdf_url(own)).status_code == 200


def test_another_business_contact_is_404(other_actors, books):
    assert_not_found(other_actors.client(admin=True), "get", pdf_url(books.customer))


def test_an_empty_period_prints_a_statement_without_lines(api, business, admin_user):
    quiet = make_customer(business, name="Quiet Customer")
    assert "Opening Balance" in pdf_text(get_pdf(api, quiet, "format_1").content)  # format_1 always has it
    text = pdf_text(get_pdf(api, quiet, "format_2").content)
    assert "Quiet Customer" in text and "No open documents at the end of the period." in text


# --- resources: the project's static files only --------------------------------------------------------------


def test_fonts_come_from_the_static_files():
    assert static_only("static/ledger/fonts/DejaVuSansCondensed.ttf").endswith(
        "ledger/static/ledger/fonts/DejaVuSansCondensed.ttf"
    )


@pytest.mark.parametrize(
    "uri",
    [
        "http://example.com/logo.png",
        "https://example.com/font.ttf",
        "//example.com/font.ttf",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        "/etc/passwd",
        "static/../../erp/settings.py",
        "static/ledger/fonts/missing.ttf",
        "static/ledger/fonts/DejaVuSansCondensed.ttf?x=1",
    ],
)
def test_anything_else_is_refused(uri):
    with pytest.raises(ResourceRefused):
        static_only(uri)
