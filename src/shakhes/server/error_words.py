"""The API's error messages in Persian, by the error's stable ``code``.

The API answers an error in the language the request asks for with ``Accept-Language``
(``fa`` or ``en``; English when it names neither): the pages send their own language, so a
Persian page shows Persian errors, while a script that asks for nothing gets English. The
``code``, the status and every other field stay the same in both languages; a Persian message
keeps the names it is about (a KPI's id, a file's line) from the error's ``params`` and
``details``. A code without Persian words here is answered with the Persian words of its
status, followed by the English message (isolated left-to-right) so nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

LTR = "\u2066{}\u2069"
"""An isolated left-to-right run (an id or English text inside Persian)."""

MESSAGES: dict[str, str] = {
    # logging in, roles, tokens
    "unauthenticated": "وارد نشده‌اید یا نشستتان پایان یافته است.",
    "login_failed": "ایمیل یا رمز عبور درست نیست.",
    "forbidden": "نقش شما در این فضای کاری اجازه این کار را نمی‌دهد.",
    "csrf": "نشانه امنیتی (CSRF) این درخواست نیامده یا درست نیست.",
    "read_only_token": "این توکن فقط خواندنی است و نمی‌تواند چیزی را تغییر دهد.",
    "too_many_attempts": "تلاش‌های ناموفق برای ورود زیاد بوده است.",
    "too_many_requests": "درخواست‌ها زیاد بوده است.",
    "weak_password": "این رمز عبور بسیار ساده است.",
    "password_mismatch": "رمز کنونی درست نیست.",
    "bad_email": "این نشانی ایمیل درست نیست.",
    "bad_token_name": "نام توکن درست نیست.",
    "token_exists": "توکنی با این نام دارید.",
    "unknown_token": "چنین توکنی نیست.",
    "user_exists": "کاربری با این ایمیل هست.",
    "unknown_user": "کاربری با این ایمیل نیست.",
    "unknown_role": "چنین نقشی نیست: نقش‌ها بیننده، ویرایشگر و مدیرند.",
    "not_a_member": "این کاربر عضو این فضای کاری نیست.",
    "last_admin": "آخرین مدیر فضای کاری را نمی‌توان برداشت یا نقشش را پایین آورد.",
    # not found, the request itself
    "not_found": "پیدا نشد.",
    "unknown_workspace": "چنین فضای کاری‌ای نیست، یا شما عضو آن نیستید.",
    "unknown_kpi": "چنین شاخصی در این فضای کاری نیست.",
    "unknown_goal": "چنین هدف کلانی در این فضای کاری نیست.",
    "unknown_target": "چنین هدفی در این فضای کاری نیست.",
    "unknown_import": "چنین ورود داده‌ای نیست.",
    "method_not_allowed": "این مسیر این روش (method) را نمی‌پذیرد.",
    "bad_request": "درخواست پذیرفته نشد.",
    "invalid_request": "درخواست درست نیست.",
    "id_mismatch": "شناسه درون درخواست با شناسه نشانی یکی نیست.",
    "bad_option": "این گزینه‌ها با هم نمی‌خوانند.",
    "too_large": "فایل یا درخواست بیش از اندازه بزرگ است.",
    "unsupported_media_type": "این نوع محتوا پذیرفته نیست.",
    # definitions: KPIs, goals, targets, settings
    "invalid_definition": "تعریف درست نیست.",
    "invalid_formula": "فرمول درست نیست.",
    "formula": "فرمول درست نیست.",
    "goal_exists": "هدف کلانی با این شناسه هست.",
    "goal_has_targets": "هنوز هدف‌هایی در خدمت این هدف کلان‌اند.",
    "kpi_not_in_goal": "این شاخص از شاخص‌های این هدف کلان نیست.",
    "target_of_other_kpi": "این هدف از آنِ شاخص دیگری است.",
    "invalid_period": "این دوره درست نیست.",
    "missing_period": "دوره را بدهید: دوره‌ای ثابت یا تکرارشونده.",
    "period_and_range": "یا دوره بدهید یا بازه روزها، نه هر دو.",
    "half_range": "بازه روزها هم آغاز می‌خواهد هم پایان.",
    "empty_range": "این بازه روزی ندارد.",
    "outside_calendar": "این دوره بیرون از تقویمی است که شاخص می‌شناسد.",
    "invalid_scope": "دامنه (فیلتر) درست نیست.",
    "no_value": "مقدار هدف را بدهید: یک مقدار یا بازه کمینه تا بیشینه.",
    "invalid_kind": "نوع شاخص درست نیست.",
    "unknown_calendar": "چنین تقویمی نیست: میلادی یا شمسی.",
    "invalid_settings": "برخی تنظیمات درست نیست.",
    "invalid_setting": "این تنظیم درست نیست.",
    # computing
    "unknown_dimension": "چنین بُعدی نیست.",
    "unknown_grain": "چنین دانه‌بندی زمانی‌ای نیست.",
    "unknown_comparison": "چنین مقایسه‌ای نیست.",
    "bad_compare": "این مقایسه ممکن نیست.",
    "bad_date": "این تاریخ درست نیست.",
    "no_data": "داده‌ای نیست.",
    # data files
    "invalid_data": "این فایل را نمی‌توان وارد کرد.",
    "unknown_source": "چنین منبعی شناخته نیست.",
    "unrecognised_layout": "قالب این فایل شناخته نشد.",
    "unknown_format": "نوع این فایل شناخته نیست.",
    "no_header": "این فایل سطر سرستون ندارد.",
    "missing_columns": "ستون‌هایی که لازم است در فایل نیست.",
    "unknown_columns": "فایل ستون‌هایی دارد که شناخته نیست.",
    "repeated_column": "ستونی در فایل دو بار آمده است.",
    "repeated_keys": "سطرهایی در فایل تکراری‌اند.",
    "no_currency": "واحد پول این فایل معلوم نیست.",
    "mixed_currencies": "این فایل چند واحد پول دارد.",
    "missing_rates": "نرخ تبدیل پول برای برخی روزها نیست.",
    "no_account": "حساب تبلیغاتی این فایل معلوم نیست.",
    "bad_number": "مقداری عدد نیست.",
    "invalid_mapping": "فایل نگاشت (mapping) درست نیست.",
    "load_problems": "فایل مشکل دارد و چیزی وارد نشد.",
    "quarantined": "سطرهایی از فایل کنار گذاشته شد.",
    "reimport_needs_undo": "همین فایل پیش‌تر با گزینه‌های دیگری وارد شده است.",
    "replaced_by_later_import": "ورود داده‌ای تازه‌تر جای آن را گرفته است.",
    "partial_replace_range": "جایگزینی بازه برای فایلی که فقط برخی ستون‌ها را دارد ممکن نیست.",
    "update_rows_gone": "سطرهایی که این فایل به‌روز می‌کند در این میان حذف شده‌اند.",
    # the server
    "busy": "فضای کاری اکنون در حال نوشتن است (مثلاً ورود داده).",
    "unavailable": "سرور اکنون پاسخ نمی‌دهد.",
    "store_outdated": "پایگاه داده سرور به‌روز نیست.",
    "store_newer": "پایگاه داده سرور از نسخه‌ای تازه‌تر است.",
    "internal": "خطایی پیش‌بینی‌نشده در سرور رخ داد.",
}
"""The Persian message of each code (without the error's particulars)."""

NAMED: dict[str, tuple[str, str]] = {
    "unknown_kpi": ("kpi", "شاخص {} در این فضای کاری نیست."),
    "unknown_goal": ("goal", "هدف کلان {} در این فضای کاری نیست."),
    "goal_exists": ("goal", "هدف کلانی با شناسه {} هست."),
    "goal_has_targets": ("goal", "هدف کلان {} برداشته نشد: هنوز این هدف‌ها را دارد:"),
    "unknown_target": ("target", "هدف {} در این فضای کاری نیست."),
    "reimport_needs_undo": ("import_id", "همین فایل پیش‌تر با گزینه‌های دیگری وارد شده است (#{})."),
}
"""For a code whose error names a thing in its ``params``: (the param, the message)."""

LISTED: dict[str, str] = {"goal_has_targets": "targets"}
"""For a code whose error lists things in a ``params`` list: the param, whose items follow the
message (each isolated left-to-right)."""

BY_FIELD: dict[tuple[str, str], tuple[str, str | None]] = {
    ("login_failed", "current_password"): (
        "رمز کنونی درست نیست.",
        "رمز کنونی خود را دوباره بنویسید.",
    ),
}
"""For a code whose error names the field at fault in ``params["field"]``: (message, hint)."""

HINTS: dict[str, str] = {
    "unauthenticated": "دوباره وارد شوید.",
    "forbidden": "از مدیر فضای کاری نقش بالاتری بخواهید.",
    "csrf": "صفحه را دوباره بارگذاری کنید و دوباره بفرستید.",
    "too_many_attempts": "کمی بعد دوباره بکوشید.",
    "weak_password": "رمزی بلندتر و کمتر قابل حدس برگزینید.",
    "last_admin": "نخست کس دیگری را مدیر کنید.",
    "unknown_user": "کاربر باید نخست روی سرور ساخته شود (shakhes user add).",
    "invalid_request": "هر فیلد نادرست کنار خودش نام برده شده است.",
    "invalid_definition": "هر مشکل کنار فیلد خودش نام برده شده است.",
    "invalid_settings": "فیلدهای نام‌برده را درست کنید و دوباره ذخیره کنید.",
    "invalid_formula": "زیرِ جای هر مشکل در فرمول نشانه گذاشته شده است.",
    "formula": "زیرِ جای هر مشکل در فرمول نشانه گذاشته شده است.",
    "goal_exists": "شناسه دیگری برگزینید، یا همان هدف کلان را ویرایش کنید.",
    "goal_has_targets": "نخست آن هدف‌ها را بردارید یا پیوندشان را با این هدف کلان بردارید، "
    "سپس هدف کلان را بردارید.",
    "id_mismatch": "شناسه را نمی‌توان تغییر داد: تازه‌ای بسازید.",
    "invalid_period": "دوره را یک سال، فصل (مانند 1404-Q1)، ماه (مانند 1404-01) یا بازه روزها "
    "(آغاز..پایان) بنویسید؛ سال پیش از ۱۷۰۰ شمسی خوانده می‌شود.",
    "unrecognised_layout": "منبع فایل را برگزینید، یا فایل نگاشت (mapping) بدهید.",
    "unknown_source": "منبع فایل را برگزینید، یا فایل نگاشت (mapping) بدهید.",
    "no_currency": "واحد پول فایل را بدهید.",
    "no_account": "حساب تبلیغاتی فایل را بدهید.",
    "reimport_needs_undo": "نخست آن ورود داده را برگردانید، سپس فایل را دوباره وارد کنید.",
    "busy": "چند ثانیه دیگر دوباره بکوشید.",
    "unavailable": "چند ثانیه دیگر دوباره بکوشید.",
    "internal": "در گزارش سرور ثبت شد؛ لطفاً آن را گزارش دهید.",
}
"""The Persian hint of a code; a code without one keeps no hint (its English hint names
what the Persian message already says, or an option of the English documentation)."""

BY_STATUS = {
    400: "درخواست پذیرفته نشد",
    401: "وارد نشده‌اید",
    403: "اجازه این کار را ندارید",
    404: "پیدا نشد",
    409: "با وضعیت کنونی ناسازگار است",
    422: "درخواست درست نیست",
    429: "درخواست‌ها زیاد بوده است",
}
"""The words of a status, for a code without words of its own."""

DETAILS: dict[str, str] = {
    "missing": "لازم است.",
    "string_too_short": "کوتاه‌تر از اندازه است.",
    "string_too_long": "بلندتر از اندازه است.",
    "string_pattern_mismatch": "شکلش درست نیست.",
    "string_type": "باید متن باشد.",
    "float_parsing": "باید عدد باشد.",
    "float_type": "باید عدد باشد.",
    "int_parsing": "باید عدد درست باشد.",
    "int_type": "باید عدد درست باشد.",
    "bool_parsing": "باید بله یا نه باشد.",
    "literal_error": "این مقدار از مقدارهای پذیرفته نیست.",
    "enum": "این مقدار از مقدارهای پذیرفته نیست.",
    "greater_than": "بیش از اندازه کوچک است.",
    "greater_than_equal": "بیش از اندازه کوچک است.",
    "less_than": "بیش از اندازه بزرگ است.",
    "less_than_equal": "بیش از اندازه بزرگ است.",
    "date_from_datetime_parsing": "باید تاریخ باشد (YYYY-MM-DD).",
    "date_parsing": "باید تاریخ باشد (YYYY-MM-DD).",
    "json_invalid": "JSON درست نیست.",
    "extra_forbidden": "این فیلد شناخته نیست.",
    "invalid_settings": "این مقدار برای این تنظیم پذیرفته نیست.",
    # a row of a data file (its line, column and value stay beside the words)
    "not_a_number": "عدد نیست.",
    "not_a_date": "تاریخ نیست.",
    "not_a_boolean": "بله/نه نیست.",
    "mangled_id": "شناسه خراب شده است (مثلاً عددی که اکسل گرد کرده).",
    "missing_value": "خالی است، ولی لازم است.",
}
"""Persian words of a located problem (a request's invalid field, by pydantic's type)."""

SETTING_DETAILS: dict[str, str] = {
    "name": "نام فضای کاری لازم است.",
    "currency": "سه حرف بزرگ لاتین، مانند USD یا IRR.",
    "locale": "en یا fa.",
    "calendar": "gregorian یا jalali.",
    "week_start": "یکی از روزهای هفته.",
    "fiscal_year_start_month": "عددی از ۱ تا ۱۲.",
    "gross_margin": "بیش از ۰ و حداکثر ۱ (کسری مانند 0.4 برای ۴۰٪).",
}
"""The words of a workspace setting's problem (code ``invalid_settings``), by its field."""


_LATIN_RUN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.\-:/]*[A-Za-z0-9])?")


def _isolated(text: str) -> str:
    """``text`` with each Latin word or period (``CSRF``, ``1404-Q1``, ``0.4``) in a
    left-to-right isolate, so Persian around it reads in order."""

    def wrap(found: re.Match[str]) -> str:
        run = found.group()
        return LTR.format(run) if re.search(r"[A-Za-z.\-:/]", run) else run

    return _LATIN_RUN.sub(wrap, text)


def wants_persian(accept_language: str | None) -> bool:
    """Whether ``Accept-Language`` prefers Persian to English (the first of ``fa``/``en`` by
    quality, the header's order breaking ties)."""
    best: tuple[float, int, str] | None = None
    for order, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("fa", "en"):
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or (-quality, order) < (-best[0], best[1])):
            best = (quality, order, primary)
    return best is not None and best[2] == "fa"


def persian(
    status: int,
    code: str,
    message: str,
    hint: str | None,
    details: list[dict[str, Any]] | None,
    params: Mapping[str, Any] | None = None,
) -> tuple[str, str | None, list[dict[str, Any]] | None]:
    """``(message, hint, details)`` of an error in Persian (see the module's docstring)."""
    named = NAMED.get(code)
    by_field = BY_FIELD.get((code, str((params or {}).get("field"))))
    if by_field:
        return _isolated(by_field[0]), by_field[1], _details(details)
    if named and params and params.get(named[0]) is not None:
        text = _isolated(named[1]).format(LTR.format(params[named[0]]))
    elif code in MESSAGES:
        text = _isolated(MESSAGES[code])
    else:
        words = BY_STATUS.get(status, "خطایی در سرور رخ داد" if status >= 500 else "خطا")
        text = f"{words}: {LTR.format(message)}"
    listed = (params or {}).get(LISTED.get(code, ""))
    if isinstance(listed, list) and listed:
        text += " " + "، ".join(LTR.format(item) for item in listed)
    hint = HINTS.get(code)
    return text, _isolated(hint) if hint else None, _details(details)


def _details(details: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Each located problem with Persian words where its code has them; the English message
    of a problem without them is kept (a formula's issue names the formula's own words)."""
    if not details:
        return details
    out = []
    for detail in details:
        code = str(detail.get("code", ""))
        words = DETAILS.get(code)
        if code == "invalid_settings":
            words = SETTING_DETAILS.get(str(detail.get("field", "")), words)
        out.append({**detail, "message": _isolated(words)} if words else detail)
    return out
