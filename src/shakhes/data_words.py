"""The Persian words of a data file's problems, by their code: one source for the Data page's
quarantine viewer and dry-run report (:mod:`shakhes.web.data`) and for the API's Persian error
details (:mod:`shakhes.server.error_words`, a refused strict load's rows, a strict import's
unknown columns).

A plain module of dicts, importing nothing: the command line may import it without the server
or the pages."""

from __future__ import annotations

ROW_WORDS: dict[str, str] = {
    # A cell that does not read as its kind (the value parsers).
    "not_a_number": "عدد نیست",
    "not_a_date": "تاریخ نیست",
    "not_a_boolean": "بله/نه نیست",
    "mangled_id": "شناسه خراب شده است (مثلاً عددی که اکسل گرد کرده)",
    "unreadable_text": "متن خوانا نیست",
    # The data model's rules.
    "missing_value": "خالی است، ولی لازم است",
    "not_whole_number": "عدد درست نیست",
    "too_large_for_column": "عددی بزرگ‌تر از گنجایش این ستون است",
    "below_minimum": "کمتر از کمینه مجاز است",
    "wrong_format": "شکلش درست نیست",
    "above_limit": "بیش از ستونی است که نباید از آن بیشتر باشد",
    "unknown_value": "مقدار شناخته نیست",
    # The file's or the layout's checks.
    "extra_cells": "سطر بیش از سرستون‌ها خانه دارد (ویرگولی بی‌نقل‌قول در یک مقدار؟)",
    "not_canonical": "به قالب استاندارد نوشته نشده است",
    "not_daily": "سطر روزانه نیست (بازه‌ی گزارش بیش از یک روز است)",
    "mixed_results": "«نتیجه»ها کنشی جز کنش بقیه‌ی فایل را می‌شمارند؛ هر هدف را در فایلی "
    "جدا خروجی بگیرید",
    "unknown_key": "در داده‌ها نیست: این فایل تنها سطرهای موجود را به‌روز می‌کند",
    "repeated_key": "با سطرهای دیگری از فایل هم‌کلید است که نمی‌شود با هم جمعشان کرد؛ "
    "آن‌ها را یک سطر کنید و دوباره وارد کنید",
}
"""A rejected row's problem by its code (:attr:`shakhes.errors.Issue.code`), without a closing
full stop: every code the import path gives a row (its line, column and value are shown beside
the words)."""

FILE_WORDS: dict[str, str] = {
    "unknown_column": "این ستون شناخته نیست",
}
"""A problem of a data file that is not one row's (a strict import's unknown column, named in
the problem's ``column``), by its code."""
