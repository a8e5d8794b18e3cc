"""The wire format every list and object endpoint inherits from core/api."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from contacts.models import Contact
from core.api.export import csv_cell, csv_response, xlsx_response
from core.tests.factories import ContactFactory
from core.tests.matrix import BASE, content_of, csv_rows

LIST = f"{BASE}/contacts?kind=customer"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("per_page=0", "per_page", "The per page field must be between 1 and 100."),
        ("per_page=101", "per_page", "The per page field must be between 1 and 100."),
        ("per_page=abc", "per_page", "The per page field must be an integer."),
        ("page=0", "page", "The page field must be at least 1."),
        ("q=a", "q", "The q field must be at least 2 characters."),
        ("q=%20a%20", "q", "The q field must be at least 2 characters."),
        ("format=pdf", "format", None),
        ("updated_since=yesterday", "updated_since", "The updated since field must be an ISO-8601 date-time."),
    ],
)
def test_bad_query_strings_are_422(api, query, field, message):
    response = api.get(f"{LIST}&{query}")
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == [field]
    if message:
        assert body["errors"][field] == [message]
        assert body["message"] == message


def test_pagination_meta_and_defaults(api, business):
    ContactFactory.create_batch(44, business=business)
    body = api.get(LIST).json()
    assert body["meta"] == {"current_page": 1, "last_page": 3, "per_page": 20, "total": 45}
    assert len(body["data"]) == 20
    last = api.get(f"{LIST}&page=3&per_page=20").json()
    assert len(last["data"]) == 5
    past = api.get(f"{LIST}&page=9").json()
    assert past["data"] == [] and past["meta"]["current_page"] == 9 and past["meta"]["total"] == 45


def test_pages_do_not_overlap_and_cover_every_row(api, business):
    ContactFactory.create_batch(25, business=business)
    ids = []
    for page in (1, 2, 3):
        ids += [row["id"] for row in api.get(f"{LIST}&per_page=10&page={page}").json()["data"]]
    assert len(ids) == len(set(ids)) == 26


def test_datetimes_are_iso_8601_in_the_business_time_zone(api, business):
    business.time_zone = "Asia/Kolkata"
    business.save()
    contact = ContactFactory(business=business)
    created = api.get(f"{BASE}/contacts/{contact.pk}").json()["data"]["created_at"]
    assert created.endswith("+05:30")
    assert datetime.datetime.fromisoformat(created) == contact.created_at


def test_csv_times_use_the_business_time_zone_even_though_the_download_streams_later(api, business):
    business.time_zone = "America/New_York"
    business.save()
    contact = ContactFactory(business=business)
    detail = csv_rows(api.get(f"{BASE}/contacts/{contact.pk}?format=csv"))[0]["data_json"]
    assert '-05:00"' in detail or '-04:00"' in detail
    listed = csv_rows(api.get(f"{BASE}/contacts/{contact.pk}/activities?format=csv"))
    assert listed == []


def test_updated_since_filters_by_update_time_in_the_business_zone(api, business):
    old = ContactFactory(business=business)
    Contact.objects.filter(pk=old.pk).update(updated_at=datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC))
    new = ContactFactory(business=business)
    Contact.objects.filter(pk=new.pk).update(updated_at=datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
    ids = {r["id"] for r in api.get(f"{LIST}&updated_since=2026-03-01T00:00:00Z").json()["data"]}
    assert new.pk in ids and old.pk not in ids
    naive = {r["id"] for r in api.get(f"{LIST}&updated_since=2026-06-01T12:00:00").json()["data"]}
    assert new.pk in naive  # UTC business: 12:00 local is the stored instant


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (Decimal("1500.0000"), "1500.0000"),
        (Decimal("5.20000000000000"), "5.2000"),
        (Decimal("28.00000000"), "28.0000"),
        (Decimal("0"), "0.0000"),
        (Decimal("12.5000"), "12.5000"),
        (Decimal("-3.25"), "-3.2500"),
        (7, "7"),
        ({"a": [1, "x"]}, '{"a":[1,"x"]}'),
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+44 7700", "'+44 7700"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
    ],
)
def test_csv_cells(value, cell):
    assert csv_cell(value) == cell


def test_csv_streams_with_bom_header_and_chunks():
    rows = ([i, f"n{i}"] for i in range(1200))
    response = csv_response(["id", "name"], rows, "x.csv")
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) >= 3  # produced as it goes, not built in memory
    text = b"".join(chunks).decode("utf-8")
    assert text.startswith("\ufeffid,name\r\n0,n0\r\n")
    assert text.count("\r\n") == 1201
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


def test_xlsx_keeps_formula_like_text_as_text():
    response = xlsx_response(["id", "name", "amount"], [{"id": 1, "name": "=1+1", "amount": Decimal("2.50")}], "x.xlsx")
    sheet = load_workbook(io.BytesIO(content_of(response))).active
    assert [c.value for c in sheet[1]] == ["id", "name", "amount"]
    name = sheet["B2"]
    assert name.value == "=1+1" and name.data_type == "s"
    assert sheet["C2"].value == 2.5


def test_downloads_are_named_after_the_business(api, business):
    response = api.get(f"{LIST}&format=csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="contacts-{business.pk}-') and disposition.endswith('.csv"')
    response = api.get(f"{LIST}&format=xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"contacts-{business.pk}-" in response["Content-Disposition"]


def test_the_fast_csv_path_writes_exactly_what_the_general_path_writes(business):
    from contacts.api.serializers import ContactListItem
    from core.api.export import cells_of
    from core.api.rows import RowShape

    ContactFactory(business=business, name="=cmd|' /C calc'!A0", mobile="+1 555", credit_limit=Decimal("1500.0000"))
    ContactFactory(business=business, name="Plain", supplier_business_name="-minus", credit_limit=None, email=None)
    ContactFactory(business=business, name="@at", tax_number="", credit_limit=Decimal("0.1250"))
    shape = RowShape(ContactListItem)
    assert shape.columns_only
    queryset = Contact.objects.for_business(business).order_by("id")
    # what the csv module writes: None as an empty cell, numbers with str()
    fast = [["" if cell is None else str(cell) for cell in row] for row in shape.csv_rows(queryset)]
    general = list(cells_of(shape.names, shape.rows(queryset, {"business": business})))
    assert fast == general
    assert fast[1][2] == "'=cmd|' /C calc'!A0"
    assert fast[1][-1] == "1500.0000"
