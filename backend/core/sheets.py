"""Spreadsheets in and out: CSV as Excel and WPS on Chinese Windows write and read it, and XLSX.

Reading takes bytes from a person's computer, so it trusts nothing: the format is sniffed
from the bytes (an XLSX file is a zip, ``PK``), the text encoding is tried in the order
such files come (UTF-8 with or without a BOM, then GB18030, which Excel on Chinese Windows
writes), and whatever cannot be read is refused with words, never an exception from a
parser. Writing gives Excel what it needs to open a file right the first time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import msgspec
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from backend.core.errors import Invalid, TooLarge, Unsupported
from backend.core.i18n import N_

NOT_A_SHEET = N_("This file is not a CSV or XLSX spreadsheet. In Excel or WPS, save it as .xlsx or as CSV.")
MAX_COLUMNS = 64  # read no further right: a real header has a handful of columns
MAX_UNZIPPED = 100 * 2**20  # an XLSX file that unpacks to more than this is a zip bomb, not a list of people
CSV_DELIMITERS = (",", "\t", ";")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"  # Litestar adds "; charset=utf-8"
# Text Excel would run as a formula when the file is opened (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Value = str | int | Decimal | dt.date | dt.datetime | None


class Table(msgspec.Struct, frozen=True):
    """A sheet's header and its non-blank rows, each with its number as the spreadsheet shows it."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


class Column(msgspec.Struct, frozen=True):
    header: str
    number_format: str = ""  # in XLSX, e.g. "0.00"


def column_letter(index: int) -> str:
    """The letter a spreadsheet shows above a column (0 → A)."""
    return str(get_column_letter(index + 1))


# ---------------------------------------------------------------------------------------------
# Reading


def read_table(data: bytes, *, max_rows: int) -> Table:
    """The first (or active) sheet of an XLSX file, or a CSV file, as text cells.

    The header is the first non-blank row; blank rows are skipped but keep their numbers
    counted, so that row numbers are the ones the person sees. More than ``max_rows`` data
    rows: TooLarge. Unreadable bytes: Unsupported. No header or no rows: Invalid.
    """
    if not data.strip():
        raise Invalid(N_("The file is empty."), fields={"file": "empty"})
    rows = _xlsx_rows(data) if data.startswith(b"PK") else _csv_rows(data)
    filled = ((number, cells) for number, cells in enumerate(rows, start=1) if any(cells))
    header = next(filled, None)
    if header is None:
        raise Invalid(N_("The file is empty."), fields={"file": "empty"})
    found: list[tuple[int, list[str]]] = []
    for number, cells in filled:
        if len(found) == max_rows:
            raise TooLarge(
                N_("A file may hold at most {max_rows} rows. Split it into several files."), max_rows=max_rows
            )
        found.append((number, cells))
    if not found:
        raise Invalid(N_("The file has a header row but no rows under it."), fields={"file": "no_rows"})
    return Table(header=header[1], rows=found)


def _trimmed(cells: Sequence[str]) -> list[str]:
    """The cells without surrounding spaces and without the empty ones at the end of the row."""
    values = [cell.strip() for cell in cells[:MAX_COLUMNS]]
    while values and not values[-1]:
        values.pop()
    return values


def _decoded(data: bytes) -> str:
    unicode_text = data.startswith((b"\xff\xfe", b"\xfe\xff"))  # what Excel saves as "Unicode text"
    encodings: tuple[str, ...] = ("utf-16",) if unicode_text else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # no text file has NUL in it: these bytes are something else
            return text
    raise Unsupported(NOT_A_SHEET)


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decoded(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count)  # a tie keeps the comma
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield _trimmed(cells)
    except csv.Error as error:
        raise Unsupported(NOT_A_SHEET) from error


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise Unsupported(NOT_A_SHEET) from error
    # zipfile stops at the declared size when it unpacks, so the declared sizes bound the work.
    if unpacked > MAX_UNZIPPED:
        raise TooLarge(N_("The spreadsheet is too large once unpacked."))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed into a number cell: 13800138000.0
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    _check_zip(data)
    try:
        # openpyxl warns about harmless things in files other programs wrote (styles,
        # extensions it does not know); those warnings say nothing to the person.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a zip that is not a workbook
        raise Unsupported(NOT_A_SHEET) from error
    try:
        sheet = book.active or book.worksheets[0]
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield _trimmed([_cell_text(value) for value in values])
    except Exception as error:  # a broken sheet inside a sound zip
        raise Unsupported(NOT_A_SHEET) from error
    finally:
        book.close()


# ---------------------------------------------------------------------------------------------
# Writing


def _csv_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(value)


def csv_bytes(columns: Sequence[Column], rows: Iterable[Sequence[Value]]) -> bytes:
    """UTF-8 with a BOM (without it Excel on Chinese Windows reads GBK), CRLF, quoted as Excel does."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in columns])
    writer.writerows([_csv_text(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[Value]]) -> list[float]:
    """Wide enough for the header and the first rows, Chinese characters counting double."""
    widths = [_display_width(column.header) for column in columns]
    for row in rows[:2000]:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], _display_width(_csv_text(value)))
    return [min(max(width + 2, 8), 50) for width in widths]


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Value, column: Column) -> Cell:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # text stays text: "=…" is never run as a formula
        return cell
    number: Any = value  # openpyxl writes Decimal and date too; its stubs say fewer types
    cell = WriteOnlyCell(sheet, number)
    if column.number_format:
        cell.number_format = column.number_format
    elif isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def xlsx_bytes(title: str, columns: Sequence[Column], rows: Sequence[Sequence[Value]]) -> bytes:
    """One sheet, written in openpyxl's write-only mode: bold frozen header, columns sized to fit.

    Times must be naive (Excel has no time zones): give them in the reader's local time.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(_widths(columns, rows)):
        sheet.column_dimensions[column_letter(index)].width = width
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column.header)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value, column) for value, column in zip(row, columns, strict=True)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
