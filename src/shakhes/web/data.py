"""The Data page, ``/w/{workspace}/data``: upload files, see each one's detected source, first
lines and dry-run report, import them; the import log with undo; the quarantine viewer with
its CSV export and retry.

The page renders the import log and the quarantined rows (``?import=`` filters them to one
import) from the service layer, the same calls the REST API's ``GET …/imports`` and
``GET …/quarantine`` make. Everything that changes data goes through the REST API from
``/static/data.js`` with ``fetch`` and the ``X-CSRF-Token`` header: ``POST …/imports`` (with
``dry_run`` first), ``POST …/imports/{id}/undo`` and ``POST …/imports/{id}/retry``. The upload,
undo and retry controls are shown to editors and admins only (the API refuses a viewer anyway).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from shakhes.data_words import ROW_WORDS
from shakhes.web.caller import PageCaller
from shakhes.web.look import Look
from shakhes.workspace import Workspace

LOG_LIMIT = 50
"""Imports the log shows (newest first)."""
QUARANTINE_LIMIT = 500
"""Quarantined rows the viewer shows; the CSV export has them all."""

REASON_WORDS: dict[str, dict[str, str]] = {"en": {}, "fa": ROW_WORDS}
"""A quarantined row's reason by its code (:attr:`shakhes.errors.Issue.code`), in Persian: the
words of :data:`shakhes.data_words.ROW_WORDS`, which the API's Persian errors use too (its
column and value are shown beside it). English shows the
reason as the import wrote it, and so does Persian for a row kept before rows kept their code
(:data:`shakhes.imports.records.NO_CODE`)."""


def reason_text(code: str, message: str, lang: str) -> str:
    """A quarantined row's reason in ``lang``: by its code, else as the import wrote it."""
    return REASON_WORDS[lang].get(code, message)


WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Data",
        "upload": "Upload files",
        "drop": "Drop export files here, or choose them",
        "choose": "Choose files",
        "drop_hint": "CSV, TSV, Excel, JSON lines or Parquet exports of Google Ads, Meta, "
        "LinkedIn, TikTok, Yektanet, GA4, Shopify, WooCommerce, or shakhes' own tables.",
        "first_lines": "First lines of the file",
        "no_preview": "No preview for this kind of file.",
        "checking": "Checking…",
        "bytes": "B",
        "source": "Detected source",
        "table": "Table",
        "rows_read": "Rows read",
        "accepted": "Rows imported",
        "would_accept": "Rows to import",
        "quarantined": "Rows quarantined",
        "replaced": "Rows replaced",
        "summary_rows": "Total rows skipped",
        "dates": "Dates",
        "accounts": "Accounts",
        "reasons": "Why rows are quarantined",
        "warnings": "Warnings",
        "import": "Import",
        "importing": "Importing…",
        "imported": "Imported",
        "dry_run": "Dry run: nothing is imported yet.",
        "refused": "Refused",
        "log": "Import log",
        "no_imports": "Nothing has been imported yet.",
        "id": "#",
        "file": "File",
        "when": "When",
        "by": "By",
        "period": "Period",
        "undo": "Undo",
        "undone": "undone",
        "confirm_undo": "Undo import #{id}? Its rows are removed and what it replaced is restored.",
        "read": "Read",
        "imported_rows": "Imported",
        "quarantined_rows": "Quarantined",
        "quarantine": "Quarantined rows",
        "no_quarantine": "No quarantined rows.",
        "all_imports": "All imports",
        "filter": "Show",
        "line": "Line",
        "column": "Column",
        "value": "Value",
        "reason": "Reason",
        "export_csv": "Export as CSV",
        "retry": "Retry",
        "retry_help": "Import the quarantined rows again, with a currency or account that "
        "fixes them.",
        "currency": "Currency",
        "account": "Account",
        "options": "Options: source, currency, account, mapping",
        "options_help": "Only when a file needs them: its currency when it does not say "
        "(Yektanet, a GA4 report), the account its rows belong to, a mapping file (YAML) "
        "for a layout shakhes does not know (`shakhes import FILE --suggest-mapping` "
        "writes a first one). Changing one checks the files again.",
        "source_pick": "Source",
        "auto": "detect",
        "mapping": "Mapping file",
        "replace_range": "Replace the rows of this source and account in the file's "
        "dates that the file lacks",
        "resolved": "Rows resolved",
        "viewer_note": "You can read the log and the quarantine; importing, undoing and "
        "retrying need the editor role.",
        "more_rows": "Only the first {n} rows are shown; the CSV has them all.",
        "failed": "The request failed",
    },
    "fa": {
        "title": "داده‌ها",
        "upload": "بارگذاری فایل‌ها",
        "drop": "فایل‌های خروجی را این‌جا رها کنید یا انتخاب کنید",
        "choose": "انتخاب فایل‌ها",
        "drop_hint": "خروجی‌های CSV، TSV، اکسل، JSON lines یا Parquet از گوگل ادز، متا، "
        "لینکدین، تیک‌تاک، یکتانت، GA4، شاپیفای، ووکامرس یا جدول‌های خود شاخص.",
        "first_lines": "نخستین سطرهای فایل",
        "no_preview": "برای این نوع فایل پیش‌نمایشی نیست.",
        "checking": "در حال بررسی…",
        "bytes": "بایت",
        "source": "منبع شناخته‌شده",
        "table": "جدول",
        "rows_read": "سطرهای خوانده‌شده",
        "accepted": "سطرهای واردشده",
        "would_accept": "سطرهایی که وارد می‌شوند",
        "quarantined": "سطرهای قرنطینه‌شده",
        "replaced": "سطرهای جایگزین‌شده",
        "summary_rows": "سطرهای جمع که نادیده ماندند",
        "dates": "تاریخ‌ها",
        "accounts": "حساب‌ها",
        "reasons": "چرا سطرها قرنطینه شدند",
        "warnings": "هشدارها",
        "import": "وارد کردن",
        "importing": "در حال وارد کردن…",
        "imported": "وارد شد",
        "dry_run": "اجرای آزمایشی: هنوز چیزی وارد نشده است.",
        "refused": "پذیرفته نشد",
        "log": "گزارش ورودها",
        "no_imports": "هنوز چیزی وارد نشده است.",
        "id": "#",
        "file": "فایل",
        "when": "زمان",
        "by": "توسط",
        "period": "بازه",
        "undo": "بازگردانی",
        "undone": "بازگردانده شد",
        "confirm_undo": "ورود #{id} بازگردانده شود؟ سطرهایش حذف و آنچه جایگزین کرده بود "
        "بازگردانده می‌شود.",
        "read": "خوانده",
        "imported_rows": "وارد‌شده",
        "quarantined_rows": "قرنطینه",
        "quarantine": "سطرهای قرنطینه‌شده",
        "no_quarantine": "سطر قرنطینه‌شده‌ای نیست.",
        "all_imports": "همه‌ی ورودها",
        "filter": "نمایش",
        "line": "سطر",
        "column": "ستون",
        "value": "مقدار",
        "reason": "دلیل",
        "export_csv": "خروجی CSV",
        "retry": "تلاش دوباره",
        "retry_help": "سطرهای قرنطینه‌شده را با ارز یا حسابی که درستشان می‌کند دوباره وارد کنید.",
        "currency": "ارز",
        "account": "حساب",
        "options": "گزینه‌ها: منبع، ارز، حساب، نگاشت",
        "options_help": "تنها وقتی فایلی به آن‌ها نیاز دارد: ارز مبلغ‌هایش وقتی فایل "
        "نمی‌گوید (یکتانت، گزارش GA4)، حسابی که سطرهایش از آن است، فایل نگاشت (YAML) برای "
        "ساختاری که شاخص نمی‌شناسد (`shakhes import FILE --suggest-mapping` نخستینش را "
        "می‌نویسد). با تغییر هر یک، فایل‌ها دوباره بررسی می‌شوند.",
        "source_pick": "منبع",
        "auto": "تشخیص خودکار",
        "mapping": "فایل نگاشت",
        "replace_range": "سطرهای این منبع و حساب در تاریخ‌های فایل را که در فایل نیستند جایگزین کن",
        "resolved": "سطرهای درست‌شده",
        "viewer_note": "شما گزارش ورودها و قرنطینه را می‌بینید؛ وارد کردن، بازگردانی و "
        "تلاش دوباره نقش ویرایشگر می‌خواهد.",
        "more_rows": "تنها {n} سطر نخست نشان داده شده است؛ فایل CSV همه را دارد.",
        "failed": "درخواست انجام نشد",
    },
}
"""The Data page's words (its own, beside the pages' words of :mod:`shakhes.web.look`)."""


@dataclass(frozen=True)
class LogRow:
    """One import of the log, as the page writes it."""

    import_id: int
    file: str
    source: str
    table: str
    rows_read: str
    accepted: str
    quarantined: str
    quarantined_count: int
    start: str
    end: str
    day: str
    time: str
    actor: str
    undone: bool


@dataclass(frozen=True)
class QuarantineRow:
    import_id: int
    file: str
    line: str
    column: str
    value: str
    reason: str
    """In the page's language (:func:`reason_text`)."""
    code: str


def page(ws: Workspace, look: Look, import_id: int | None) -> dict[str, Any]:
    """The Data page's log and quarantined rows (of ``import_id``, or of every import)."""
    from shakhes.service import imports

    log = [
        LogRow(
            import_id=r.import_id,
            file=Path(r.file_name).name,
            source=r.source,
            table=r.table_name,
            rows_read=look.plain(r.rows_read),
            accepted=look.plain(r.accepted),
            quarantined=look.plain(r.quarantined),
            quarantined_count=r.quarantined,
            start=look.day(r.date_from) if r.date_from else "",
            end=look.day(r.date_to) if r.date_to else "",
            day=look.day(r.imported_at.date()),
            time=look.digits(r.imported_at.strftime("%H:%M")),
            actor=r.actor,
            undone=r.undone_at is not None,
        )
        for r in imports.imports(ws, LOG_LIMIT)
    ]
    found = imports.quarantined(ws, import_id)
    rows = [
        QuarantineRow(
            import_id=q.import_id,
            file=Path(q.file_name).name,
            line=look.plain(q.issue.line) if q.issue.line is not None else "",
            column=q.issue.column or "",
            value="" if q.issue.value is None else str(q.issue.value),
            reason=reason_text(q.issue.code, q.issue.message, look.lang),
            code=q.issue.code,
        )
        for q in found[:QUARANTINE_LIMIT]
    ]
    return {
        "log": log,
        "quarantine": rows,
        "quarantine_total": len(found),
        "import_id": import_id,
        "retryable": sorted({q.import_id for q in found}),
    }


def source_names() -> list[str]:
    """The sources an upload may name instead of letting shakhes detect it (as
    ``shakhes import --source`` takes them)."""
    from shakhes.imports.sources import REGISTRY

    return sorted({name.split(":")[0] for name in REGISTRY})


def routes(out: APIRouter, caller: Callable[..., PageCaller | Awaitable[PageCaller]]) -> None:
    """Add the Data page to the pages' router ``out``."""
    from shakhes.web.pages import _render as render
    from shakhes.web.pages import look_for

    @out.get("/w/{workspace}/data", response_class=HTMLResponse, name="web_data")
    def data_page(
        request: Request,
        who: PageCaller = Depends(caller),
        lang: str | None = None,
        import_id: int | None = Query(default=None, alias="import"),
    ) -> HTMLResponse:
        look = look_for(who, lang)

        def build() -> dict[str, Any]:
            return {
                "data": page(who.workspace, look, import_id),
                "dw": WORDS[look.lang],
                "reason_words": REASON_WORDS[look.lang],
                "can_edit": who.role in ("editor", "admin"),
                "sources": source_names(),
            }

        return render(request, who, look, "data.html.j2", build, "data")
