"""GET /contacts/import/template: the 27-column template, and that a filled template imports (round trip)."""

import csv
import io

from openpyxl import load_workbook

from contacts.importing.columns import COLUMNS
from contacts.models import Contact
from contacts.tests.import_files import TEMPLATE, post_import
from core.tests.matrix import assert_unauthorized
from core.tests.openapi import assert_matches_schema

LABELS = [column.label for column in COLUMNS]


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content))


def test_the_xlsx_template_has_the_header_a_note_per_column_and_two_example_rows(api):
    response = api.get(TEMPLATE)

    assert_matches_schema(response)
    assert response["Content-Disposition"] == 'attachment; filename="contacts-import-template.xlsx"'
    sheet = workbook(response).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == LABELS
    assert len(rows) == 3
    for index, column in enumerate(COLUMNS, start=1):
        note = sheet.cell(row=1, column=index).comment
        assert note is not None and column.note in note.text, column.field
    assert [r[0] for r in rows[1:]] == ["1", "2"]
    assert rows[1][COLUMNS.index(next(c for c in COLUMNS if c.field == "first_name"))] == "Ada"


def test_code_and_phone_columns_are_formatted_as_text(api):
    sheet = workbook(api.get(f"{TEMPLATE}?format=xlsx")).active
    text_fields = {"contact_id", "tax_number", "mobile", "alternate_number", "landline", "zip_code"}
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        is_text = sheet.column_dimensions[letter].number_format == "@"
        assert is_text == (column.field in text_fields), column.field
        if is_text:
            assert sheet.cell(row=2, column=index).number_format == "@"
    lists = {str(rule.sqref): rule.formula1 for rule in sheet.data_validations.dataValidation}
    assert lists == {"A2:A10001": '"1,2,3"', "K2:K10001": '"days,months"'}


def test_the_csv_template(api):
    response = api.get(f"{TEMPLATE}?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="contacts-import-template.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == LABELS and len(rows) == 3 and all(len(r) == 27 for r in rows)


def test_an_unknown_format_is_422(api):
    response = api.get(f"{TEMPLATE}?format=pdf")
    assert response.status_code == 422
    assert "format" in response.json()["errors"]


def test_the_template_needs_a_create_right(actors):
    assert_unauthorized(actors.client("customer.view").get(TEMPLATE))
    assert actors.client("supplier.create").get(TEMPLATE).status_code == 200


def test_both_templates_import_as_they_are(api, business):
    for fmt in ("xlsx", "csv"):
        response = post_import(api, api.get(f"{TEMPLATE}?format={fmt}").content, f"template.{fmt}")
        assert response.status_code == 201, (fmt, response.json())
        assert response.json()["data"]["imported"] == 2


def test_a_filled_template_round_trips(api, business):
    """Rows typed into the downloaded template (with openpyxl, as a spreadsheet would store them, numbers as
    numbers) import, and the text-formatted columns keep what was typed."""
    book = workbook(api.get(TEMPLATE))
    sheet = book.active
    sheet.delete_rows(2, 2)  # the examples out
    values = {c.field: "" for c in COLUMNS}
    sheet.append(
        [
            {**values, "type": 2, "first_name": "Filled", "pay_term_number": 45, "pay_term_type": "Months"}.get(c.field)
            or None
            for c in COLUMNS
        ]
    )
    for index, column in enumerate(COLUMNS, start=1):
        if column.field == "mobile":
            cell = sheet.cell(row=2, column=index, value="00441234")
            cell.number_format = "@"
        if column.field == "opening_balance":
            sheet.cell(row=2, column=index, value=99.99)
    out = io.BytesIO()
    book.save(out)

    response = post_import(api, out.getvalue(), "filled.xlsx")

    assert response.status_code == 201, response.json()
    contact = Contact.objects.get(business=business, first_name="Filled")
    assert (contact.type, contact.mobile, contact.pay_term_number, contact.pay_term_type) == (
        "supplier",
        "00441234",
        45,
        "months",
    )
    assert str(contact.transactions.get().final_total) == "99.9900"
