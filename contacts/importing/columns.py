"""The contact import layout (RULES §12): 27 columns in a fixed order, row 1 a header.

Each column names the Add-contact field it fills and how a spreadsheet cell becomes that field's text: a number a
spreadsheet stores as a float (`1.0`, `99999.0`) is read as what the column means (the type marker `1`, the code
or phone `99999`), a date cell as `Y-m-d`. The template, the reader, the row checks and the error keys all read
this one list.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

#: contact type markers of column 1
TYPE_MARKERS = {"1": "customer", "2": "supplier", "3": "both"}
MAX_KILOBYTES = 15360
EXTENSIONS = ("csv", "txt", "xls", "xlsx", "ods")


@dataclass(frozen=True)
class Column:
    field: str  # the Add-contact field (the error key), or "type" for the marker
    label: str  # the template's header
    kind: str  # marker | text | code | integer | period | money | date
    note: str  # the template's note on the header cell
    example: tuple[str, str] = ("", "")


COLUMNS: tuple[Column, ...] = (
    Column(
        "type",
        "Contact type (Required)",
        "marker",
        "Required. 1 = customer, 2 = supplier, 3 = both (customer and supplier).",
        ("1", "2"),
    ),
    Column("prefix", "Prefix", "text", "Optional, up to 50 characters: Mr, Ms, Dr…", ("Ms", "")),
    Column("first_name", "First Name (Required)", "text", "Required.", ("Ada", "Charles")),
    Column("middle_name", "Middle name", "text", "Optional.", ("", "")),
    Column(
        "last_name",
        "Last Name",
        "text",
        "Optional. The contact's name is prefix, first, middle and last name joined with spaces.",
        ("Lovelace", "Babbage"),
    ),
    Column("supplier_business_name", "Business Name", "text", "Optional, up to 255 characters.", ("", "Engines Ltd")),
    Column(
        "contact_id",
        "Contact ID (Leave blank to auto generate Contact ID)",
        "code",
        "Optional. Must not be used by another contact of the business, nor twice in the file. "
        "Blank: generated as CO0001, CO0002…",
        ("", ""),
    ),
    Column("tax_number", "Tax number", "code", "Optional.", ("", "GB123456789")),
    Column(
        "opening_balance",
        "Opening Balance",
        "money",
        "Optional number ≥ 0, at most 4 decimal places, a dot as decimal separator. Non-zero: what the customer "
        "(or both) owed us, or what we owed the supplier, when the account was opened.",
        ("150.50", "1200"),
    ),
    Column(
        "pay_term_number",
        "Pay term (Required if contact type is supplier or both)",
        "integer",
        "A whole number from 0 to 10000. Required for suppliers and both.",
        ("", "30"),
    ),
    Column(
        "pay_term_type",
        "Pay term period (days/months) (Required if contact type is supplier or both)",
        "period",
        "days or months (any case). Required for suppliers and both.",
        ("", "days"),
    ),
    Column(
        "credit_limit",
        "Credit Limit",
        "money",
        "Customers and both only (ignored on supplier rows). Blank: no limit; 0: no credit.",
        ("1000", ""),
    ),
    Column("email", "Email", "text", "Optional; checked when present.", ("ada@example.com", "orders@engines.example")),
    Column(
        "mobile", "Mobile (Required)", "code", "Required. Kept as typed (text).", ("+44 20 7946 0001", "02079460002")
    ),
    Column("alternate_number", "Alternate contact number", "code", "Optional.", ("", "")),
    Column("landline", "Landline", "code", "Optional.", ("", "020 7946 0003")),
    Column("city", "City", "text", "Optional.", ("London", "Manchester")),
    Column("state", "State", "text", "Optional.", ("England", "England")),
    Column("country", "Country", "text", "Optional.", ("United Kingdom", "United Kingdom")),
    Column("address_line_1", "Address line 1", "text", "Optional.", ("12 St James's Square", "1 Mill Lane")),
    Column("address_line_2", "Address line 2", "text", "Optional.", ("", "")),
    Column("zip_code", "Zip Code", "code", "Optional.", ("SW1Y 4JH", "M1 1AA")),
    Column(
        "dob",
        "Date of birth (Format Y-m-d)",
        "date",
        "Optional: a date cell, or text as Y-m-d (1985-12-10).",
        ("1985-12-10", ""),
    ),
    Column("custom_field1", "Custom Field 1", "text", "Optional free text.", ("", "")),
    Column("custom_field2", "Custom Field 2", "text", "Optional free text.", ("", "")),
    Column("custom_field3", "Custom Field 3", "text", "Optional free text.", ("", "")),
    Column("custom_field4", "Custom Field 4", "text", "Optional free text.", ("", "")),
)
assert len(COLUMNS) == 27
BY_FIELD = {column.field: column for column in COLUMNS}
#: columns a spreadsheet must keep as text (leading zeros, long numbers)
TEXT_FORMAT_KINDS = ("code",)


def _float_text(value: float, kind: str) -> str:
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    # What a spreadsheet shows: 15 significant digits, so 0.1 + 0.2 is read as 0.3, not 0.30000000000000004.
    text = format(value, ".15g")
    return format(Decimal(text), "f") if kind == "money" else text


def cell_text(value, kind: str) -> str:
    """A cell as the text the column means ("" when empty)."""
    if isinstance(value, str):
        text = value.strip()
        return text.lower() if kind == "period" else text
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("1" if value else "0") if kind in ("marker", "integer") else ("TRUE" if value else "FALSE")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value, kind)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


def header_labels() -> list[str]:
    return [column.label for column in COLUMNS]
