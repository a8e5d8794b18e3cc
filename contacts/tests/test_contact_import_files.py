"""Reading import files (RULES §12): every file kind built here for real, encodings and delimiters, typed spreadsheet
cells read as their column means, and the files that cannot be imported (422 on `contacts_csv`)."""

import datetime
from decimal import Decimal

import pytest

from contacts.models import Contact
from contacts.tests.helpers import footprint
from contacts.tests.import_files import (
    BUILDERS,
    csv_bytes,
    import_rows,
    ods_bytes,
    post_import,
    row,
    supplier,
    xls_bytes,
    xlsx_bytes,
)
from core.tests.openapi import assert_matches_schema

ROWS = [
    row(first_name="Ada", last_name="Lovelace", email="ada@example.com", opening_balance="12.5"),
    supplier(first_name="Zoë", supplier_business_name='Café Ünïcode; "quoted", Ltd', city="Zürich"),
]


def imported(business):
    return list(Contact.objects.for_business(business).filter(is_default=False).order_by("id"))


def file_errors(response) -> list[str]:
    assert response.status_code == 422, (response.status_code, response.json())
    assert_matches_schema(response)
    errors = response.json()["errors"]
    assert list(errors) == ["contacts_csv"]
    return errors["contacts_csv"]


@pytest.mark.parametrize("kind", ["csv", "txt", "xlsx", "xls", "ods"])
def test_every_file_kind_imports_the_same_contacts(api, business, kind):
    response = import_rows(api, ROWS, kind)

    assert response.status_code == 201, response.json()
    ada, zoe = imported(business)
    assert (ada.name, ada.email, ada.type) == ("Ada Lovelace", "ada@example.com", "customer")
    assert (zoe.name, zoe.supplier_business_name, zoe.city) == ("Zoë", 'Café Ünïcode; "quoted", Ltd', "Zürich")
    assert (zoe.pay_term_number, zoe.pay_term_type) == (30, "days")


@pytest.mark.parametrize(
    "options",
    [
        {"delimiter": ";", "bom": True},
        {"delimiter": ";"},
        {"delimiter": "\t"},
        {"delimiter": ",", "bom": True, "line_end": "\n"},
        {"delimiter": ",", "line_end": "\r"},
        {"delimiter": ";", "encoding": "cp1252"},
        {"delimiter": "\t", "encoding": "utf-16"},
    ],
    ids=["semicolon-bom", "semicolon", "tab", "lf-bom", "cr", "cp1252", "utf16-tab"],
)
def test_text_files_in_any_delimiter_encoding_and_line_end(api, business, options):
    response = post_import(api, csv_bytes(ROWS, **options), "contacts.csv")

    assert response.status_code == 201, response.json()
    assert [c.name for c in imported(business)] == ["Ada Lovelace", "Zoë"]
    assert imported(business)[1].supplier_business_name == 'Café Ünïcode; "quoted", Ltd'


def test_quoted_fields_keep_delimiters_quotes_and_line_breaks(api, business):
    cells = row(address_line_1="1 Mill Lane,\r\nUnit 2", custom_field1='say "hi"; bye')
    assert post_import(api, csv_bytes([cells], delimiter=";"), "c.txt").status_code == 201

    contact = imported(business)[0]
    assert contact.address_line_1 == "1 Mill Lane,\r\nUnit 2"
    assert contact.custom_field1 == 'say "hi"; bye'


def test_cells_are_trimmed_and_fully_empty_rows_ignored_without_renumbering(api, business):
    rows = [row(first_name="  Ada  ", mobile=" 0700 "), [""] * 27, ["  "] * 27, row(first_name="Bob", email="bad")]

    response = import_rows(api, rows)

    assert response.json()["errors"] == {"rows.4.email": ["Invalid email id in row no. 4"]}
    rows[-1] = row(first_name="Bob")
    assert import_rows(api, rows).status_code == 201
    assert [(c.first_name, c.mobile) for c in imported(business)] == [("Ada", "0700"), ("Bob", "0700000001")]


def test_a_trailing_delimiter_or_empty_trailing_spreadsheet_cells_are_not_extra_columns(api, business):
    text = csv_bytes([row()]).replace(b"\r\n", b",\r\n")  # every line one empty field longer
    assert post_import(api, text, "c.csv").status_code == 201
    assert import_rows(api, [[*row(first_name="Sheet"), "", ""]], "xlsx").status_code == 201
    assert [c.first_name for c in imported(business)] == ["Ada", "Sheet"]


FLOAT_ROW = row(
    type=3.0,
    first_name="Float",
    contact_id=1001.0,
    tax_number=99999.0,
    opening_balance=1234.56,
    pay_term_number=30.0,
    pay_term_type="days",
    credit_limit=0.1 + 0.2,
    mobile=447712345678.0,
    landline=2079460000,
    zip_code=10115.0,
    dob=datetime.date(1985, 12, 10),
)


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_float_cells_are_read_as_what_the_column_means(api, business, kind):
    response = import_rows(api, [FLOAT_ROW], kind)

    assert response.status_code == 201, response.json()
    contact = imported(business)[0]
    assert contact.type == "both"
    assert contact.contact_id == "1001"
    assert contact.tax_number == "99999"
    assert contact.mobile == "447712345678"
    assert contact.landline == "2079460000"
    assert contact.zip_code == "10115"
    assert contact.pay_term_number == 30
    # what the spreadsheet shows (15 significant digits): 0.1 + 0.2 is 0.3, not 0.30000000000000004
    assert contact.credit_limit == Decimal("0.3000")
    assert contact.dob == datetime.date(1985, 12, 10)
    assert contact.transactions.get().final_total == Decimal("1234.5600")


def test_a_date_and_time_cell_in_the_date_column(api, business):
    response = import_rows(api, [row(dob=datetime.datetime(1985, 12, 10, 0, 0))], "xlsx")

    assert response.status_code == 201, response.json()
    assert imported(business)[0].dob == datetime.date(1985, 12, 10)


def test_a_non_whole_float_in_an_integer_column_is_an_error(api, business):
    response = import_rows(api, [supplier(pay_term_number=2.5), row(type=1.5)], "xlsx")

    assert response.json()["errors"] == {
        "rows.1.pay_term_number": ["Pay term: A valid integer is required in row no. 1"],
        "rows.2.type": ["Invalid contact type 1.5 in row no. 2"],
    }


def test_the_first_visible_sheet_is_read(api, business):
    from openpyxl import Workbook, load_workbook

    book = load_workbook(__import__("io").BytesIO(xlsx_bytes([row(first_name="Visible")])))
    hidden = book.create_sheet("Hidden", 0)
    hidden.sheet_state = "hidden"
    hidden.append(["junk"])
    out = __import__("io").BytesIO()
    book.save(out)
    assert isinstance(book, Workbook)

    assert post_import(api, out.getvalue(), "c.xlsx").status_code == 201
    assert [c.first_name for c in imported(business)] == ["Visible"]


# --- files that cannot be imported ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["contacts.pdf", "contacts", "contacts.json", "contacts.xlsm"])
def test_other_file_types_are_refused(api, business, name):
    assert file_errors(post_import(api, csv_bytes([row()]), name)) == [
        "The contacts csv field must be a file of type: csv, txt, xls, xlsx, ods."
    ]


def test_the_extension_is_case_insensitive(api, business):
    assert post_import(api, xlsx_bytes([row()]), "CONTACTS.XLSX").status_code == 201


def test_a_file_over_15360_kilobytes_is_refused(api, business):
    header = csv_bytes([row()])
    padding = b"#" * (15360 * 1024 + 1 - len(header))

    assert file_errors(post_import(api, header + padding, "big.csv")) == [
        "The contacts csv field must not be greater than 15360 kilobytes."
    ]


def test_a_file_of_exactly_15360_kilobytes_is_read(api, business):
    content = csv_bytes([row()])
    line = b" " * 1022 + b"\r\n"  # blank lines, ignored
    content += line * ((15360 * 1024 - len(content)) // len(line))
    content += b" " * (15360 * 1024 - len(content))
    assert len(content) == 15360 * 1024

    assert post_import(api, content, "edge.csv").status_code == 201


@pytest.mark.parametrize("content", [b"", b"   \r\n  \n"], ids=["empty", "blank"])
def test_an_empty_file_is_refused(api, business, content):
    assert file_errors(post_import(api, content, "c.csv")) == ["The contacts csv file is empty."]


def test_a_header_without_rows_is_refused(api, business):
    message = "The contacts csv file holds no contact rows (row 1 is the header and is skipped)."
    assert file_errors(post_import(api, csv_bytes([]), "c.csv")) == [message]
    assert file_errors(post_import(api, csv_bytes([[""] * 27]), "c.csv")) == [message]
    assert file_errors(post_import(api, xlsx_bytes([]), "c.xlsx")) == [message]


def test_a_header_of_another_width_is_refused(api, business):
    narrow = csv_bytes([["x"] * 10, row()], header=False)

    assert file_errors(post_import(api, narrow, "c.csv")) == [
        "Number of columns mismatch: the header row has 10 columns, the template 27."
    ]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x00\x01\x02binary", "c.csv", "The contacts csv file is not a text file (it holds NUL characters)."),
        (b"\xef\xbb\xbf\xff\xfe bad", "c.csv", "The contacts csv file is not UTF-8 text."),
        (b"\x81\x8d\x8f\x90\x9d", "c.txt", "The contacts csv file is not UTF-8 or Windows-1252 text."),
    ],
    ids=["nul", "bad-utf8-after-bom", "not-cp1252"],
)
def test_unreadable_text_is_refused(api, business, content, name, message):
    assert file_errors(post_import(api, content, name)) == [message]


def test_a_spreadsheet_named_csv_is_refused_with_the_reason(api, business):
    assert file_errors(post_import(api, xlsx_bytes([row()]), "c.csv")) == [
        "The contacts csv file is a spreadsheet, not csv text: upload it with its own extension (xlsx, xls or ods)."
    ]


@pytest.mark.parametrize("name", ["c.xlsx", "c.xls", "c.ods"])
def test_text_or_garbage_named_as_a_spreadsheet_is_refused(api, business, name):
    for content in (csv_bytes([row()]), b"PK\x03\x04 not really a zip"):
        (message,) = file_errors(post_import(api, content, name))
        assert message.startswith(f"The contacts csv file could not be read as a {name[2:]} spreadsheet (")


def test_a_spreadsheet_of_another_kind_than_its_extension_is_still_read(api, business):
    assert post_import(api, xls_bytes([row()]), "really-xls.xlsx").status_code == 201
    assert post_import(api, ods_bytes([row(first_name="Odd")]), "really-ods.xls").status_code == 201


def test_a_field_beyond_the_csv_size_limit_is_refused(api, business):
    cells = row(custom_field1="x" * 200_000)
    (message,) = file_errors(post_import(api, csv_bytes([cells]), "c.csv"))
    assert message.startswith("The contacts csv file is not valid csv (")


def test_a_nul_character_in_a_spreadsheet_cell_is_a_row_error(api, business):
    before = footprint(business)
    response = import_rows(api, [row(city="Lon\x00don")], "xls")

    assert response.json()["errors"] == {"rows.1.city": ["City contains a NUL character in row no. 1"]}
    assert footprint(business) == before


def test_builders_make_real_files():
    """Each fixture is the real format (magic bytes), not text with another name."""
    assert BUILDERS["xlsx"]([row()]).startswith(b"PK\x03\x04")
    assert BUILDERS["ods"]([row()]).startswith(b"PK\x03\x04")
    assert b"opendocument.spreadsheet" in BUILDERS["ods"]([row()])[:200]
    assert BUILDERS["xls"]([row()]).startswith(b"\xd0\xcf\x11\xe0")
