"""Reading an import file into rows of cells (RULES §12).

csv and txt are text, read with the csv module: UTF-8 with or without a byte-order mark (UTF-16 with one, as
spreadsheets save "Unicode text"), else Windows-1252; the delimiter is sniffed among comma, semicolon and tab;
quoted fields and CRLF line ends as the csv module reads them. xls, xlsx and ods are read with python-calamine
(its first visible worksheet), whose cells keep their types (float, date, text) for columns.cell_text to read.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

from contacts.importing.columns import COLUMNS, EXTENSIONS, MAX_KILOBYTES

FILE_FIELD = "contacts_csv"
REQUIRED = "The contacts csv field is required."
WRONG_TYPE = f"The contacts csv field must be a file of type: {', '.join(EXTENSIONS)}."
TOO_LARGE = f"The contacts csv field must not be greater than {MAX_KILOBYTES} kilobytes."
EMPTY = "The contacts csv file is empty."
NO_ROWS = "The contacts csv file holds no contact rows (row 1 is the header and is skipped)."
DELIMITERS = (",", ";", "\t")
SNIFF_CHARACTERS = 64 * 1024
SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (xlsx, ods) and OLE2 (xls)


class FileRejected(Exception):
    """The file itself cannot be imported: 422 on `contacts_csv`."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """The data rows of a file: (row number counted from 1 after the header, raw cells), fully empty rows left out."""

    kind: str  # "text" or "spreadsheet"
    delimiter: str | None
    rows: Iterator[tuple[int, list]]


def extension_of(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def read_table(upload) -> Table:
    """`upload`: a Django File (an upload, or a file opened by the command). Raises FileRejected."""
    if upload is None:
        raise FileRejected(REQUIRED)
    extension = extension_of(upload.name)
    if extension not in EXTENSIONS:
        raise FileRejected(WRONG_TYPE)
    if upload.size is not None and upload.size > MAX_KILOBYTES * 1024:
        raise FileRejected(TOO_LARGE)
    upload.seek(0)
    data = upload.read(MAX_KILOBYTES * 1024 + 1)
    if len(data) > MAX_KILOBYTES * 1024:
        raise FileRejected(TOO_LARGE)
    if not data.strip():
        raise FileRejected(EMPTY)
    if extension in ("csv", "txt"):
        if data.startswith(SPREADSHEET_MAGIC):
            raise FileRejected(
                f"The contacts csv file is a spreadsheet, not {extension} text: upload it with its own extension "
                "(xlsx, xls or ods)."
            )
        delimiter, rows = _text_rows(_decoded(data))
        return Table("text", delimiter, _data_rows(rows))
    return Table("spreadsheet", None, _data_rows(iter(_sheet_rows(data, extension))))


def _decoded(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        text = _decode(data[len(codecs.BOM_UTF8) :], "utf-8")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(data, "utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode(data, "cp1252")
    if "\x00" in text:
        raise FileRejected("The contacts csv file is not a text file (it holds NUL characters).")
    return text


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        names = {"utf-8": "UTF-8", "utf-16": "UTF-16", "cp1252": "UTF-8 or Windows-1252"}
        raise FileRejected(f"The contacts csv file is not {names[encoding]} text.") from None


def _text_rows(text: str) -> tuple[str, Iterator[list]]:
    delimiter = _sniffed_delimiter(text)
    return delimiter, csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _sniffed_delimiter(text: str) -> str:
    """The delimiter that reads the first lines most like the template: the header in 27 columns first, then the
    most lines of 27 columns, then the most lines as wide as a header of several columns, then the widest header."""
    sample = text[:SNIFF_CHARACTERS]
    if len(text) > SNIFF_CHARACTERS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # no partial last line
    best, best_score = DELIMITERS[0], None
    for delimiter in DELIMITERS:
        try:
            lines = [row for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if row][:50]
        except csv.Error:
            continue
        if not lines:
            continue
        width = len(lines[0])
        score = (
            width == len(COLUMNS),
            sum(len(row) == len(COLUMNS) for row in lines),
            sum(len(row) == width for row in lines) if width > 1 else 0,
            width,
        )
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best


def _sheet_rows(data: bytes, extension: str) -> list[list]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [
            index
            for index, meta in enumerate(workbook.sheets_metadata)
            if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
        ]
        if not sheets:
            raise FileRejected("The contacts csv file has no visible worksheet.")
        return workbook.get_sheet_by_index(sheets[0]).to_python(skip_empty_area=False)
    except FileRejected:
        raise
    except BaseException as exc:  # noqa: BLE001 - a malformed file may even make the Rust reader panic
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
            raise
        raise FileRejected(f"The contacts csv file could not be read as a {extension} spreadsheet ({exc}).") from None


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def trimmed(cells: list) -> list:
    """The cells without the empty ones past the last filled cell (a spreadsheet's invisible tail)."""
    end = len(cells)
    while end and _blank(cells[end - 1]):
        end -= 1
    return cells[:end]


def _data_rows(rows: Iterator[list]) -> Iterator[tuple[int, list]]:
    """Checks the header's width, then yields the numbered data rows; raises FileRejected (lazily, at the first
    row) for a header of another width or a file without data rows."""

    def numbered():
        try:
            header = next(rows, None)
            if header is None:
                raise FileRejected(NO_ROWS)
            width = len(trimmed(header))
            if width != len(COLUMNS):
                raise FileRejected(
                    f"Number of columns mismatch: the header row has {width} columns, the template {len(COLUMNS)}."
                )
            seen = False
            for number, cells in enumerate(rows, start=1):
                if all(_blank(cell) for cell in cells):
                    continue
                seen = True
                yield number, cells
        except csv.Error as exc:
            raise FileRejected(f"The contacts csv file is not valid csv ({exc}).") from None
        if not seen:
            raise FileRejected(NO_ROWS)

    return numbered()
