"""Moving records in and out: import from partners' CSV, XLSX and JSON files (validated whole, all or
nothing, idempotent by ref), pseudonymised or age-encrypted exports, the "who did what to whom" flat
table, and the documented column layout both share. The CLI and the web call only these names."""

from redzone.exchange.exporter import FORMATS, ExportReport, export_records, write_template
from redzone.exchange.importer import ImportRejected, ImportReport, import_file
from redzone.exchange.layout import FLAT_COLUMNS, IMPORT_ORDER, LAYOUTS, Column, RecordLayout, render_markdown

__all__ = [
    "FLAT_COLUMNS",
    "FORMATS",
    "IMPORT_ORDER",
    "LAYOUTS",
    "Column",
    "ExportReport",
    "ImportRejected",
    "ImportReport",
    "RecordLayout",
    "export_records",
    "import_file",
    "render_markdown",
    "write_template",
]
