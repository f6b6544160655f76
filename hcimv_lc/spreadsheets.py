"""CSV that spreadsheets open safely: numbers stay numbers, text never runs."""

import csv
import io

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return the cell so that no spreadsheet runs it; numbers are ours and stay."""
    if isinstance(value, int | float):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(headers: list, rows: list[list]) -> str:
    """Return headers and rows as CSV, with a BOM so Excel reads it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(header) for header in headers])
    writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
    return "\ufeff" + out.getvalue()
