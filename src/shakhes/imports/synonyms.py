"""Words files use for the canonical columns, for suggesting a mapping (:mod:`suggest`).

Header names as CRMs, shops and e-mail tools write them in their exports — HubSpot, Pipedrive
(``Deal - Won time``: the ``Deal -`` part is taken off), Salesforce reports, Shopify and
WooCommerce, Mailchimp, and the Persian labels of Iranian CRMs and shop panels — each with a
strength: 3 names the column unmistakably (``Deal Stage``-free ``Won time``), 2 usually does
(``Amount``), 1 may (``Date``, ``Email``). Headers are compared as layouts compare them
(:func:`header_key`: case, punctuation, spacing and Persian spelling aside).

``SIGNS`` are headers that tell a table without filling any of its columns (``Deal Stage``,
``Financial Status``); ``CHANNEL_WORDS`` turn the values of a source column (HubSpot's
``Original Source``, Salesforce's ``Lead Source``, WooCommerce's ``Origin``) into channels.
"""

from __future__ import annotations

from shakhes.imports.sources.base import header_key

_CURRENCY = {
    "currency": 3,
    "currency code": 3,
    "amount currency": 3,
    "deal currency": 3,
    "currency of value": 3,
    "order currency": 3,
    "واحد پول": 3,
    "ارز": 2,
}
_CHANNEL = {
    "channel": 3,
    "source channel": 3,
    "acquisition channel": 3,
    "original source": 3,
    "original traffic source": 3,
    "lead source": 3,
    "origin": 2,
    "source": 2,
    "utm source": 2,
    "referral source": 2,
    "کانال": 3,
    "منبع": 2,
    "منبع سرنخ": 3,
    "کانال جذب": 3,
    "نحوه آشنایی": 2,
}
_CAMPAIGN = {
    "campaign": 3,
    "campaign name": 3,
    "utm campaign": 3,
    "original source drill down 2": 2,
    "کمپین": 3,
    "نام کمپین": 3,
}

HEADERS: dict[str, dict[str, dict[str, int]]] = {
    "leads": {
        "lead_id": {
            "lead id": 3,
            "contact id": 3,
            "associated contact ids": 3,
            "associated contact id": 3,
            "person id": 3,
            "record id": 2,
            "deal id": 2,
            "opportunity id": 2,
            "id": 1,
            "شناسه سرنخ": 3,
            "کد سرنخ": 3,
            "شناسه مخاطب": 3,
            "شناسه": 1,
            "کد": 1,
        },
        "created_date": {
            "create date": 3,
            "created date": 3,
            "date created": 3,
            "deal created": 3,
            "lead created": 3,
            "became a lead date": 3,
            "created": 2,
            "created on": 2,
            "created at": 2,
            "date": 1,
            "تاریخ ایجاد": 3,
            "تاریخ ثبت": 2,
            "تاریخ ورود": 2,
            "تاریخ": 1,
        },
        "channel": _CHANNEL,
        "campaign": _CAMPAIGN,
        "qualified_date": {
            "qualified date": 3,
            "date qualified": 3,
            "became a sales qualified lead date": 3,
            "sql date": 3,
            "تاریخ واجد شرایط شدن": 3,
        },
        "won_date": {
            "won time": 3,
            "won date": 3,
            "date won": 3,
            "became a customer date": 3,
            "converted date": 3,
            "close date": 2,
            "closed date": 2,
            "deal closed on": 2,
            "تاریخ موفقیت": 3,
            "تاریخ برد": 3,
            "تاریخ بسته شدن": 2,
        },
        "value": {
            "deal value": 3,
            "amount": 2,
            "value": 2,
            "opportunity amount": 3,
            "deal amount": 3,
            "مبلغ معامله": 3,
            "ارزش معامله": 3,
            "مبلغ": 2,
            "ارزش": 2,
        },
        "currency": _CURRENCY,
    },
    "orders": {
        "order_id": {
            "order id": 3,
            "order number": 3,
            "order no": 3,
            "order": 2,
            "order name": 3,
            "invoice number": 2,
            "transaction id": 2,
            "شماره سفارش": 3,
            "شناسه سفارش": 3,
            "کد سفارش": 3,
            "شماره فاکتور": 2,
        },
        "order_date": {
            "order date": 3,
            "purchase date": 3,
            "date created": 2,
            "created at": 2,
            "date": 1,
            "تاریخ سفارش": 3,
            "تاریخ ثبت سفارش": 3,
            "تاریخ خرید": 3,
            "تاریخ": 1,
        },
        "customer_id": {
            "customer id": 3,
            "customer user id": 3,
            "customer email": 3,
            "billing email": 3,
            "buyer email": 3,
            "customer": 2,
            "email": 1,
            "e mail": 1,
            "phone": 1,
            "شناسه مشتری": 3,
            "کد مشتری": 3,
            "موبایل": 1,
            "شماره موبایل": 1,
            "تلفن همراه": 1,
            "ایمیل": 1,
        },
        "channel": _CHANNEL,
        "campaign": _CAMPAIGN,
        "revenue": {
            "order total": 3,
            "subtotal": 3,
            "revenue": 3,
            "net sales": 3,
            "grand total": 2,
            "total": 2,
            "order amount": 3,
            "amount": 1,
            "مبلغ کل": 3,
            "جمع کل": 3,
            "مبلغ سفارش": 3,
            "مبلغ نهایی": 2,
            "مبلغ": 1,
        },
        "currency": _CURRENCY,
        "is_new_customer": {
            "customer type": 3,
            "new customer": 3,
            "is new customer": 3,
            "first order": 2,
            "نوع مشتری": 3,
            "مشتری جدید": 3,
        },
    },
    "customers": {
        "customer_id": {
            "customer id": 3,
            "customer number": 3,
            "user id": 2,
            "email": 2,
            "username": 1,
            "id": 1,
            "شناسه مشتری": 3,
            "کد مشتری": 3,
            "ایمیل": 1,
            "موبایل": 1,
        },
        "acquired_date": {
            "date registered": 3,
            "registration date": 3,
            "signup date": 3,
            "sign up date": 3,
            "customer since": 3,
            "first order date": 3,
            "subscription start": 3,
            "start date": 2,
            "created at": 1,
            "تاریخ عضویت": 3,
            "تاریخ ثبت نام": 3,
        },
        "churned_date": {
            "churned at": 3,
            "churn date": 3,
            "cancelled at": 3,
            "canceled at": 3,
            "cancellation date": 3,
            "subscription end": 3,
            "end date": 2,
            "تاریخ لغو": 3,
            "تاریخ لغو اشتراک": 3,
            "تاریخ ریزش": 3,
        },
        "channel": _CHANNEL,
        "campaign": _CAMPAIGN,
        "plan": {
            "plan": 3,
            "subscription plan": 3,
            "pricing plan": 3,
            "tier": 2,
            "segment": 2,
            "customer group": 2,
            "membership": 2,
            "پلن": 3,
            "طرح": 2,
            "اشتراک": 2,
        },
        "monthly_value": {
            "mrr": 3,
            "monthly value": 3,
            "monthly revenue": 3,
            "monthly fee": 3,
            "monthly price": 3,
            "ارزش ماهانه": 3,
            "مبلغ ماهانه": 3,
        },
        "currency": _CURRENCY,
    },
    "email_campaigns": {
        "date": {"send date": 3, "sent date": 3, "date sent": 3, "date": 1},
        "campaign": {"campaign": 2, "campaign name": 3, "title": 2, "subject": 1},
        "sent": {"total recipients": 3, "emails sent": 3, "sent": 2, "recipients": 2},
        "delivered": {"successful deliveries": 3, "delivered": 3},
        "opens": {"unique opens": 3, "opens": 2},
        "clicks": {"unique clicks": 3, "clicks": 1},
        "unsubscribes": {"unsubscribes": 3, "unsubscribed": 3},
        "bounces": {"total bounces": 3, "bounces": 3, "bounced": 2},
    },
}
"""Table → canonical column → header (as :func:`header_key` writes it) → strength."""

SIGNS: dict[str, frozenset[str]] = {
    "leads": frozenset(
        {
            "deal stage",
            "stage",
            "pipeline",
            "lead status",
            "lifecycle stage",
            "deal name",
            "deal title",
            "opportunity name",
            "probability",
            "deal owner",
            "contact owner",
            "lead owner",
            "lost reason",
            "first name",
            "last name",
            "job title",
            "rating",
            "company",
            "company name",
            "expected close date",
            "مرحله",
            "مرحله معامله",
            "عنوان معامله",
            "نام شرکت",
            "احتمال",
            "دلیل شکست",
            "وضعیت سرنخ",
            "مسئول",
        }
    ),
    "orders": frozenset(
        {
            "order status",
            "financial status",
            "fulfillment status",
            "payment method",
            "shipping",
            "shipping method",
            "taxes",
            "tax",
            "discount",
            "discount code",
            "coupon",
            "quantity",
            "items",
            "sku",
            "product",
            "lineitem name",
            "وضعیت سفارش",
            "روش پرداخت",
            "هزینه ارسال",
            "تخفیف",
            "کد تخفیف",
            "تعداد",
            "محصول",
            "شیوه ارسال",
        }
    ),
    "customers": frozenset(
        {
            "total spent",
            "total spend",
            "total orders",
            "orders count",
            "orders",
            "aov",
            "last active",
            "last order",
            "accepts marketing",
            "accepts email marketing",
            "country region",
            "تعداد سفارش",
            "مجموع خرید",
            "آخرین خرید",
        }
    ),
    "email_campaigns": frozenset(
        {
            "open rate",
            "click rate",
            "list",
            "audience",
            "abuse complaints",
            "soft bounces",
            "hard bounces",
            "times forwarded",
            "send weekday",
        }
    ),
    "web_traffic": frozenset(
        {"engagement rate", "bounce rate", "average engagement time", "landing page"}
    ),
    "ad_performance": frozenset(
        {"ctr", "cpc", "avg cpc", "cpm", "frequency", "cost per result", "ad set name"}
    ),
}
"""Table → headers that point to it without filling one of its columns."""

PREFIXES = ("deal ", "lead ", "person ", "organization ", "opportunity ", "contact ")
"""Entity prefixes of CRM exports (Pipedrive's ``Deal - Value``), taken off to find the column
(and a sign of the leads table)."""

_WORDS: dict[str, tuple[str, ...]] = {
    "search": (
        "paid search",
        "google ads",
        "adwords",
        "ppc",
        "cpc",
        "sem",
        "bing ads",
        "microsoft ads",
        "تبلیغات گوگل",
        "گوگل ادز",
        "جستجوی پولی",
    ),
    "social": (
        "paid social",
        "social ads",
        "facebook ads",
        "instagram ads",
        "meta ads",
        "linkedin ads",
        "tiktok ads",
        "instagram",
        "facebook",
        "linkedin",
        "tiktok",
        "اینستاگرام",
        "تبلیغات اینستاگرام",
    ),
    "display": ("display", "banner", "gdn", "yektanet", "یکتانت", "تبلیغات بنری", "نمایشی"),
    "video": ("youtube", "aparat", "video", "آپارات"),
    "email": ("email", "email marketing", "newsletter", "mailchimp", "ایمیل", "خبرنامه"),
    "affiliate": ("affiliate", "affiliates", "همکاری در فروش"),
    "referral": (
        "referral",
        "referrals",
        "ai referrals",
        "partner referral",
        "employee referral",
        "external referral",
        "word of mouth",
        "referral *",
        "معرفی",
        "ارجاع",
        "معرفی دوستان",
    ),
    "organic_search": (
        "organic search",
        "seo",
        "organic *",
        "جستجوی ارگانیک",
        "جستجو در گوگل",
    ),
    "organic_social": ("social media", "organic social", "telegram", "تلگرام", "شبکه اجتماعی"),
    "direct": ("direct", "direct traffic", "(direct)", "typed", "مستقیم"),
    "other": (
        "other",
        "others",
        "offline sources",
        "offline",
        "other campaigns",
        "phone inquiry",
        "trade show",
        "purchased list",
        "web admin",
        "unknown",
        "تماس تلفنی",
        "نمایشگاه",
        "سایر",
    ),
}
CHANNEL_WORDS: dict[str, str] = {
    header_key(word): channel for channel, words in _WORDS.items() for word in words
}
"""A source value (as :func:`header_key` writes it; ``*`` matches any text) → its channel."""

CURRENCY_WORDS: dict[str, str] = {
    header_key(k): v
    for k, v in {
        "تومان": "IRT",
        "toman": "IRT",
        "ریال": "IRR",
        "rial": "IRR",
        "$": "USD",
        "€": "EUR",
        "دلار": "USD",
        "یورو": "EUR",
    }.items()
}
"""Currency words of headers (``Amount (تومان)``) and cells → ISO codes (IRT for toman)."""

NEW_WORDS: dict[str, str] = {
    header_key(k): v
    for k, v in {
        "new": "true",
        "first": "true",
        "returning": "false",
        "repeat": "false",
        "جدید": "true",
        "قدیمی": "false",
        "بازگشتی": "false",
    }.items()
}
"""Values of a customer-type column (WooCommerce's ``new``/``returning``) → is_new_customer."""

WON_WORDS = frozenset(
    header_key(w) for w in ("closed won", "closedwon", "won", "موفق", "برنده", "بسته شده - موفق")
)
"""Deal stages or statuses that mean the deal was won."""

CANCELLED_WORDS = frozenset(
    header_key(w)
    for w in (
        "cancelled",
        "canceled",
        "failed",
        "voided",
        "pending payment",
        "wc-cancelled",
        "wc-failed",
        "لغو شده",
        "لغو شد",
        "ناموفق",
        "در انتظار پرداخت",
    )
)
"""Order statuses that are not sales (skipped, as the shop layouts skip them)."""

REFERENCES = frozenset({"associated contact ids", "associated contact id", "contact id"})
"""Key headers that name *another* record (a deal's contact): such a file is about other
records and only completes the rows it names."""

PERSONAL = ("mail", "phone", "mobile", "موبایل", "تلفن", "ایمیل")
"""Words of headers whose values identify a person (stored hashed)."""
