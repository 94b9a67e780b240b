"""The words of the server's own pages — the login form, the page of a workspace one is not
a member of, the page of a user without a workspace — in English and Persian, and which of
the two a request gets."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from fastapi import Request

from shakhes.server.error_words import wants_persian

if TYPE_CHECKING:
    import jinja2

Lang = Literal["en", "fa"]

WORDS: dict[Lang, dict[str, str]] = {
    "en": {
        "app": "shakhes",
        "login_title": "Log in",
        "email": "E-mail",
        "password": "Password",
        "log_in": "Log in",
        "expired": "The login form has expired or did not come from this site: log in again.",
        "other_lang": "فارسی",
        "not_found_title": "Not found",
        "not_found": "There is no such workspace, or you are not a member of it.",
        "your_workspaces": "Your workspaces",
        "no_workspace": "You ({email}) are not a member of any workspace yet. Ask an admin of a "
        "workspace to add you (Settings → Members), or the server's operator "
        "(shakhes user add EMAIL --role viewer --workspace PATH).",
        "log_out": "Log out",
    },
    "fa": {
        "app": "شاخص",
        "login_title": "ورود",
        "email": "ایمیل",
        "password": "رمز عبور",
        "log_in": "ورود",
        "expired": "فرم ورود کهنه شده یا از این سایت نیامده است: دوباره وارد شوید.",
        "other_lang": "English",
        "not_found_title": "پیدا نشد",
        "not_found": "چنین فضای کاری‌ای نیست، یا شما عضو آن نیستید.",
        "your_workspaces": "فضاهای کاری شما",
        "no_workspace": "شما ({email}) هنوز عضو هیچ فضای کاری‌ای نیستید. از مدیر یک فضای کاری "
        "بخواهید شما را بیفزاید (تنظیمات ← اعضا)، یا از گرداننده‌ی سرور "
        "(shakhes user add EMAIL --role viewer --workspace PATH).",
        "log_out": "خروج",
    },
}


def page_lang(request: Request, asked: str | None = None, user_locale: str | None = None) -> Lang:
    """The language of a server page: ``?lang=`` (or the form's ``lang``) when it names one,
    else the user's own (when someone is logged in), else the browser's ``Accept-Language``."""
    for choice in (asked, request.query_params.get("lang"), user_locale):
        if choice in ("en", "fa"):
            return "fa" if choice == "fa" else "en"
    return "fa" if wants_persian(request.headers.get("accept-language")) else "en"


@cache
def templates() -> jinja2.Environment:
    """The server's own templates (``shakhes/server/templates``)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )


def render(name: str, lang: Lang, **context: Any) -> str:
    """The server page ``name`` in ``lang``."""
    return templates().get_template(name).render(lang=lang, t=WORDS[lang], **context)
