"""Checking every row of an import file before anything is written (RULES §12).

A row is turned into the body Add contact would receive and checked by the same serializer (ContactWrite), so an
import never stores what `POST /contacts` would refuse; the rules of the reference's importer come first, with its
messages (`Invalid email id in row no. 3`). Every error of every row is collected, keyed `rows.<N>.<field>`; rows
whose type the user may not create are collected apart (403).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from rest_framework import serializers

from contacts.api.permissions import sides_of
from contacts.api.serializers import ContactWrite
from contacts.importing.columns import BY_FIELD, COLUMNS, TYPE_MARKERS, cell_text
from contacts.importing.reading import Table, trimmed
from contacts.services import codes_taken, display_name
from core.api.compiled import CompiledFirst, neutral

SUPPLIER_SIDE = ("supplier", "both")
COLUMN_INDEX = {column.field: index for index, column in enumerate(COLUMNS)} | {"columns": -1, "name": 2}
TYPES = ("customer", "supplier", "both")
#: per column: its field, its kind, whether a text cell is simply stripped (columns.cell_text: all but `period`)
CELL_KINDS = tuple((c.field, c.kind, cell_text(" A ", c.kind) == "A") for c in COLUMNS)


class ImportRowSerializer(CompiledFirst, ContactWrite):
    """ContactWrite itself (its fields, checks and messages), run over the fields a row fills: an empty cell is a
    field not sent, as in a JSON body that leaves it out. Required fields are always run.

    A row is first run by the serializer's compiled fields (core.api.compiled: the same fields without DRF's
    per-field machinery), which vouch only for plainly valid rows; any other row is run by the serializer itself,
    which reports its errors."""

    @neutral
    def to_internal_value(self, data):
        self._sent = data
        return super().to_internal_value(data)

    @property
    def _writable_fields(self):
        for name, each in self.fields.items():
            if not each.read_only and (name in self._sent or each.required):
                yield each


def may_create(user, contact_type: str) -> bool:
    """The import's right per row: `<side>.create` for every side of the type (both: customer and supplier)."""
    if user.is_superuser and user.business_id is None:
        return True  # a platform superuser in the back office
    return all(user.has_erp_perm(f"{side}.create") for side in sides_of(contact_type))


def _short(field_name: str) -> str:
    column = BY_FIELD.get(field_name)
    return column.label.split(" (")[0] if column else field_name.replace("_", " ").capitalize()


@dataclass
class CheckedRows:
    rows: list[dict] = field(default_factory=list)  # validated Add-contact data, opening_balance included
    numbers: list[int] = field(default_factory=list)  # each row's number in the file
    errors: dict[tuple[int, int, str], list[str]] = field(default_factory=dict)
    forbidden: dict[tuple[int, int, str], list[str]] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    opening_by_type: dict[str, Decimal] = field(default_factory=lambda: {t: Decimal("0.0000") for t in TYPES})
    opening_balances: int = 0

    def add(self, target: dict, number: int, field_name: str, message: str) -> None:
        target.setdefault((number, COLUMN_INDEX.get(field_name, 99), field_name), []).append(message)

    @staticmethod
    def keyed(errors: dict) -> dict[str, list[str]]:
        return {f"rows.{n}.{name}": messages for (n, _, name), messages in sorted(errors.items())}


class RowChecker:
    def __init__(self, *, business, user):
        self.business, self.user = business, user
        self.serializer = ImportRowSerializer(context={"business": business})
        self.allowed = {t: may_create(user, t) for t in TYPES}
        self.codes: dict[str, int] = {}  # typed contact_id -> first row holding it

    def check(self, table: Table, progress: Callable[[int], None] | None = None) -> CheckedRows:
        out = CheckedRows()
        for number, cells in table.rows:
            self._row(out, number, cells, table.kind)
            if progress is not None:
                progress(1)
        self._codes_in_business(out)
        return out

    def _row(self, out: CheckedRows, number: int, cells: list, kind: str) -> None:
        faults = []

        def error(name, message):
            faults.append(name)
            out.add(out.errors, number, name, message)

        if len(cells) > len(COLUMNS) and not trimmed(cells[len(COLUMNS) :]):
            cells = cells[: len(COLUMNS)]  # empty cells past the last column: a trailing delimiter, a sheet's tail
        if len(cells) > len(COLUMNS) or (len(cells) < len(COLUMNS) and kind == "text"):
            error("columns", "Number of columns mismatch")
            return
        texts = {
            name: v.strip() if type(v) is str and as_is else cell_text(v, kind)  # most cells: text, as it is
            for (name, kind, as_is), v in zip(CELL_KINDS, cells, strict=False)
        }
        failed = set()
        if "\x00" in "".join(texts.values()):
            failed = {name for name, text in texts.items() if "\x00" in text}
        for name in failed:
            error(name, f"{_short(name)} contains a NUL character in row no. {number}")

        marker, contact_type = texts.pop("type", ""), None
        if not marker:
            error("type", f"Contact type is required in row no. {number}")
        elif marker not in TYPE_MARKERS:
            error("type", f"Invalid contact type {marker} in row no. {number}")
        else:
            contact_type = TYPE_MARKERS[marker]
            if not self.allowed[contact_type]:
                needs = " and ".join(f"{side}.create" for side in sides_of(contact_type))
                message = f"Creating {contact_type} contacts needs {needs} (row no. {number})"
                out.add(out.forbidden, number, "type", message)
        if not texts.get("first_name"):
            error("first_name", f"First name is required in row no. {number}")
        if not texts.get("mobile"):
            error("mobile", f"Mobile number is required in row no. {number}")
        if contact_type in SUPPLIER_SIDE:
            if not texts.get("pay_term_number"):
                error("pay_term_number", f"Pay term is required in row no. {number}")
            if not texts.get("pay_term_type"):
                error("pay_term_type", f"Pay term period is required in row no. {number}")
        if contact_type == "supplier":
            texts.pop("credit_limit", None)  # customers and both only, as the reference's importer
        code = texts.get("contact_id")
        if code and "contact_id" not in failed:
            if code in self.codes:
                error("contact_id", f"Contact ID already exists in row no. {number}")
                failed.add("contact_id")
            else:
                self.codes[code] = number

        body = {name: text for name, text in texts.items() if text and name not in failed}
        if contact_type:
            body["type"] = contact_type
        if body.get("first_name"):
            body["name"] = display_name(*(texts.get(p) for p in ("prefix", "first_name", "middle_name", "last_name")))
        required = {"type": contact_type, "name": body.get("first_name")}
        try:
            data = self.serializer.run_validation(body)
        except serializers.ValidationError as exc:
            for name, messages in exc.detail.items():
                if name in required and not required[name]:
                    continue  # already said, in the reference's words
                for message in messages if isinstance(messages, list) else [messages]:
                    if name == "email":
                        error(name, f"Invalid email id in row no. {number}")
                    else:
                        error(name, f"{_short(name)}: {str(message).rstrip('.')} in row no. {number}")
            return
        if faults or contact_type is None:
            return
        out.rows.append(data)
        out.numbers.append(number)
        out.by_type[contact_type] += 1
        if data.get("opening_balance"):
            out.opening_balances += 1
            out.opening_by_type[contact_type] += data["opening_balance"]

    def _codes_in_business(self, out: CheckedRows) -> None:
        for code in sorted(codes_taken(self.business, self.codes)):
            number = self.codes[code]
            out.add(out.errors, number, "contact_id", f"Contact ID already exists in row no. {number}")
