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

from shakhes.data_words import FILE_WORDS, ROW_WORDS

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
    "no_kpi": "شاخصی خواسته نشده است.",
    "no_data_range": "هنوز داده‌ای برای این شاخص‌ها نیست، پس دوره‌ای برای محاسبه نیست.",
    "not_a_dimension": "این ستون بُعدی برای شکستن نیست.",
    "date_breakdown": "ستون تاریخ بُعدی برای شکستن نیست: دانه‌بندی زمانی را برگزینید.",
    "breakdown_not_allowed": "این شاخص را نمی‌توان به این بُعد شکست.",
    "breakdown_not_possible": "جدولی که این شاخص می‌خواند این بُعد را ندارد.",
    "non_additive": "این ستون افراد یکتای هر روز را می‌شمارد و جمعش در چند روز یک نفر را "
    "چند بار می‌شمارد: آن را روزانه حساب کنید.",
    "nothing_computable": "هیچ‌یک از این شاخص‌ها را نمی‌توان چنان‌که خواسته شده حساب کرد:",
    "invalid_query": "درخواست محاسبه درست نیست.",
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
    "list_type": "باید فهرست باشد.",
    "dict_type": "باید شیء JSON باشد (نام‌ها و مقدارها).",
    "model_type": "باید شیء JSON باشد (نام‌ها و مقدارها).",
    "model_attributes_type": "باید شیء JSON باشد (نام‌ها و مقدارها).",
    "finite_number": "باید عددی متناهی باشد.",
    "too_short": "کوتاه‌تر از اندازه است.",
    "too_long": "بلندتر از اندازه است.",
    "extra_forbidden": "این فیلد شناخته نیست.",
    "invalid_settings": "این مقدار برای این تنظیم پذیرفته نیست.",
}
"""Persian words of a located problem (a request's invalid field, by pydantic's type). A data
file's problems (a row's, an unknown column's) have theirs in :mod:`shakhes.data_words`, which
the Data page shares."""

FORMULA_DETAILS: dict[str, str] = {
    # reading the text
    "double_quotes": "متن را میان `'` بنویسید، مانند `'search'`.",
    "non_latin_name": "نویسه {} در نام‌ها نمی‌آید: نام‌ها حروف انگلیسی، رقم و `_` دارند "
    "(متن دیگر میان `'` می‌آید، مانند `'تهران'`).",
    "unexpected_character": "نویسه {} در فرمول جایی ندارد.",
    "malformed_number": "عدد {} درست نوشته نشده است.",
    "number_too_large": "عدد {} بیش از اندازه بزرگ است.",
    "unterminated_string": "متنی که اینجا با `'` آغاز شده بسته نشده است: `'` پایانی را بیفزایید.",
    "invalid_date": "تاریخ {} درست نیست: آن را به شکل `date 'YYYY-MM-DD'` بنویسید.",
    # its shape
    "empty_formula": "فرمول خالی است.",
    "unclosed_parenthesis": "پرانتزی باز مانده است: اینجا `)` لازم است.",
    "unmatched_parenthesis": "این `)` پرانتز بازی ندارد.",
    "too_complex": "فرمول بیش از اندازه تودرتو یا پیچیده است.",
    "expected_operator": "پیش از {} یک عملگر (`+` `-` `*` `/`) لازم است.",
    "expected_value": "اینجا یک مقدار لازم است: عدد، شناسه شاخص، پارامتری مانند `$gross_margin` "
    "یا تابعی مانند `sum(orders.revenue)`.",
    "expected_parameter": "درست پس از `$` نام یک پارامتر لازم است، مانند `$gross_margin`.",
    "unexpected_keyword": "واژه {} اینجا جایی ندارد.",
    "column_needs_aggregate": "ستون {} باید درون یک تابع تجمیعی بیاید، مانند "
    "`sum(orders.revenue)`.",
    "unknown_function": "تابع {} شناخته نیست.",
    "expected_table": "اینجا نام یک جدول لازم است، مانند `sum(orders.revenue)`.",
    "expected_column": "اینجا نام یک ستون لازم است.",
    "keyword_as_column": "{} واژه‌ای از زبان فرمول است، نه نام ستون.",
    "unexpected_word": "اینجا `.` یا `where` یا `)` لازم است.",
    "where_outside_aggregate": "`where` درون یک تابع تجمیعی می‌آید، مانند "
    "`sum(orders.revenue where channel = 'search')`.",
    # filters (where …, a target's scope)
    "expected_and_or": "اینجا `and` یا `or` یا پایان شرط لازم است.",
    "double_equals": "برای مقایسه `=` بنویسید، نه `==`.",
    "expected_comparison": "اینجا یک مقایسه لازم است: `= != < <= > >= in` یا `is null`.",
    "expected_in": "پس از `not` اینجا `in` لازم است.",
    "expected_null": "پس از `is` اینجا `null` لازم است (`is null` یا `is not null`).",
    "expected_list": "پس از `in` فهرستی در پرانتز لازم است، مانند "
    "`channel in ('search', 'social')`.",
    "unclosed_list": "اینجا `,` یا `)` لازم است تا فهرست بسته شود.",
    "expected_date": "پس از `date` تاریخی میان `'` لازم است، مانند `date '2024-01-31'`.",
    "expected_number": "پس از `-` یک عدد لازم است.",
    "null_in_list": "`null` درون `in (…)` با هیچ مقداری برابر نمی‌شود: `is null` را جدا بنویسید.",
    "use_is_null": "برای آزمودن مقدار خالی `is null` یا `is not null` بنویسید.",
    "null_compare": "`null` را نمی‌توان با این عملگر مقایسه کرد.",
    "unknown_channel": "{} از کانال‌های شناخته نیست.",
    "text_needs_quotes": "این ستون متنی است: مقدار را میان `'` بنویسید.",
    "number_in_quotes": "این ستون عددی است: عدد را بی `'` بنویسید.",
    "value_not_a_number": "{} عدد نیست، ولی این ستون عددی است.",
    "date_needs_date": "این ستون تاریخ است: با تاریخی مانند `date '2024-01-31'` مقایسه‌اش کنید.",
    "boolean_compare": "این ستون درست/نادرست است: با `=` یا `!=` و `true` یا `false` "
    "مقایسه‌اش کنید.",
    "table_not_read": "{} از جدول‌هایی نیست که این شاخص می‌خواند.",
    # the data model and the workspace
    "unknown_table": "جدول {} شناخته نیست.",
    "unknown_column": "ستون {} در این جدول نیست.",
    "needs_column": "این تابع یک ستون می‌خواهد، مانند `sum(orders.revenue)`.",
    "not_a_number_column": "ستون {} عددی نیست، ولی این تابع ستون عددی می‌خواهد.",
    "approx_sum_additive": "`approx_sum` فقط برای ستون‌هایی است که روزهایشان جمع‌شدنی نیست؛ "
    "این یکی جمع می‌شود: `sum` بنویسید.",
    "customers_only": "این تابع فقط روی جدول `customers` کار می‌کند.",
    "filter_other_table": "فیلتر یک تابع تجمیعی فقط ستون‌های جدول خودش را می‌شناسد، نه {}.",
    "unknown_parameter": "پارامتر {} شناخته نیست.",
    "unknown_kpi": "شاخص {} در این فضای کاری نیست.",
    "table_not_kpi": "{} جدول است، نه شاخص: تابعی مانند `count(orders)` به کار ببرید.",
    "self_reference": "این شاخص به خودش ارجاع می‌دهد.",
    "kpi_cycle": "ارجاع شاخص‌ها به یکدیگر دور می‌زند.",
}
"""Persian words of a problem in a formula or a filter (an issue with a ``formula``), by its
code; ``{}`` is the text under the caret (a name, a number), and a run in backquotes is the
formula language's own (``sum(orders.revenue)``): each is isolated left-to-right."""

SPEC_DETAILS: dict[str, str] = {
    "unknown_kpi": "شاخص {0} در این فضای کاری نیست.",
    "unknown_goal": "هدف کلان {0} در این فضای کاری نیست.",
    "unknown_dimension": "{0} بُعد هیچ جدولی نیست.",
    "not_leading": "{0} شاخصی پسرو است: فقط شاخص پیشرو شاخص‌های دیگر را پیش می‌برد.",
    "not_lagging": "{0} شاخصی پیشرو است: شاخص پیشرو شاخص‌های پسرو را پیش می‌برد.",
    "kpi_not_in_goal": "هدف کلان {0} شاخص {1} را ندارد: نخست آن را به شاخص‌های هدف کلان بیفزایید.",
}
"""Persian words of a problem of a definition (a goal's or a target's field), by its code;
``{0}``, ``{1}`` are the names the English message quotes, in order."""

LEAD_DETAILS: dict[str, str] = {
    "invalid_definition": "این فیلد درست نیست",
    "invalid_period": "این دوره درست نیست",
    "invalid_scope": "دامنه (فیلتر) درست نیست",
    "invalid_setting": "این تنظیم پذیرفته نیست",
    "invalid_mapping": "فایل نگاشت (mapping) درست نیست",
    "invalid_formula": "فرمول درست نیست",
}
"""Persian lead words of a problem whose code covers many English messages (a YAML file's,
pydantic's): the English message follows them, isolated left-to-right, so nothing is lost."""

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


def _words(template: str) -> str:
    """``template`` for a Persian reader: each run in backquotes (the formula language's own
    words) one left-to-right isolate, each Latin word or number outside them another."""
    parts = template.split("`")
    return "".join(
        LTR.format(part) if index % 2 else _isolated(part) for index, part in enumerate(parts)
    )


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


def issue_words(detail: Mapping[str, Any]) -> str | None:
    """The Persian words of one located problem (an :class:`~shakhes.errors.Issue` as JSON
    data), None when its code has none: a problem in a formula names the text under its
    caret, one of a definition the names its English message quotes."""
    code = str(detail.get("code", ""))
    message = str(detail.get("message", ""))
    formula, position = detail.get("formula"), detail.get("position")
    kpi = detail.get("kpi")
    # One KPI's own error, in an error about several (``nothing_computable``): the KPI first.
    about = f"{LTR.format(kpi)}: " if isinstance(kpi, str) and formula is None else ""
    if code in LEAD_DETAILS:
        if message == "is missing":
            return DETAILS["missing"]
        return f"{about}{_isolated(LEAD_DETAILS[code])}: {LTR.format(message)}"
    if isinstance(formula, str) and code in FORMULA_DETAILS:
        start = position if isinstance(position, int) else 0
        under = formula[start : start + int(detail.get("length") or 1)].strip()
        return _words(FORMULA_DETAILS[code]).replace("{}", LTR.format(under))
    if code in SPEC_DETAILS:
        names = [LTR.format(name) for name in re.findall(r"'([^']*)'", message)]
        try:
            return _words(SPEC_DETAILS[code]).format(*names)
        except IndexError:
            return None
    if code in ROW_WORDS or code in FILE_WORDS:  # a data file's row or column
        return _isolated(ROW_WORDS.get(code) or FILE_WORDS[code]) + "."
    words = DETAILS.get(code)
    if code == "invalid_settings":
        words = SETTING_DETAILS.get(str(detail.get("field", "")), words)
    if words is None and about and code in MESSAGES:
        return about + _isolated(MESSAGES[code])
    return _isolated(words) if words else None


def did_you_mean(suggestion: str) -> str:
    """A "did you mean" in Persian."""
    return f" — منظورتان {LTR.format(suggestion)} بود؟"


def _details(details: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Each located problem with Persian words where its code has them; the English message
    of a problem without them is kept."""
    if not details:
        return details
    out = []
    for detail in details:
        words = issue_words(detail)
        out.append({**detail, "message": words} if words else detail)
    return out
