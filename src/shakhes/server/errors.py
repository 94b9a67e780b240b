"""The one JSON error shape of the API, and the one place errors become HTTP answers.

Every error — a :class:`~shakhes.errors.ShakhesError` from the core, an HTTP error (401, 403,
404 for an unknown route, 405), a request that fails validation (422) or a bug (500) — is
answered with::

    {"error": {"code": "unknown_kpi", "message": "…", "hint": "…" | null, "details": [...] | null}}

``details`` lists the located problems (a formula's issues with their position, a request's
invalid fields). A ShakhesError's status comes from its code (:func:`status_for`). The
message, hint and details' words are Persian when the request's ``Accept-Language`` prefers
Persian (:mod:`shakhes.server.error_words`); the code never changes.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from shakhes.errors import BusyError, ShakhesError

log = logging.getLogger("shakhes.server")

NOT_FOUND_CODES = frozenset(
    {
        "unknown_kpi",
        "unknown_goal",
        "unknown_target",
        "unknown_import",
        "unknown_token",
        "unknown_user",
        "unknown_workspace",
        "not_a_member",
    }
)
STATUS_BY_CODE = {
    "login_failed": 401,
    "unauthenticated": 401,
    "forbidden": 403,
    "csrf": 403,
    "read_only_token": 403,
    "too_many_attempts": 429,
    "user_exists": 409,
    "token_exists": 409,
    "goal_exists": 409,
    "goal_has_targets": 409,
    "last_admin": 409,
    "store_outdated": 503,
    "store_newer": 503,
    "busy": 503,
}
CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal",
    503: "unavailable",
}


class ErrorBody(BaseModel):
    code: str
    message: str
    hint: str | None = None
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """The shape of every error the API answers."""

    error: ErrorBody


class ApiError(Exception):
    """An HTTP error raised by the web layer itself (not the core): 401, 403, 404."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        hint: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODE_BY_STATUS.get(status, "error")
        self.hint = hint
        self.headers = headers


def status_for(error: ShakhesError) -> int:
    """The HTTP status of a core error: not found, conflict, busy, else 400 (bad input)."""
    if error.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[error.code]
    if error.code in NOT_FOUND_CODES:
        return 404
    if error.issues:
        return 422
    return 400


def error_json(
    status: int,
    code: str,
    message: str,
    *,
    hint: str | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    request: Request | None = None,
    params: dict[str, Any] | None = None,
) -> JSONResponse:
    """The error answer; in Persian when ``request`` asks for it (``Accept-Language``)."""
    error = error_body(
        status, code, message, hint=hint, details=details, request=request, params=params
    )
    body = ErrorResponse(error=ErrorBody(**error))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _persian(request: Request) -> bool:
    from shakhes.server.error_words import wants_persian

    return wants_persian(request.headers.get("accept-language"))


def error_body(
    status: int,
    code: str,
    message: str,
    *,
    hint: str | None = None,
    details: list[dict[str, Any]] | None = None,
    request: Request | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``{code, message, hint, details}`` of an error, its words in the language ``request``
    asks for (English without one)."""
    if request is not None and _persian(request):
        from shakhes.server.error_words import persian

        message, hint, details = persian(status, code, message, hint, details, params)
    return {"code": code, "message": message, "hint": hint, "details": details}


def shakhes_error_body(error: ShakhesError, request: Request | None) -> dict[str, Any]:
    """A core error as the one shape's body (the upload answers one per refused file)."""
    details = [issue.to_dict() for issue in error.issues] or None
    return error_body(
        status_for(error),
        error.code,
        error.message,
        hint=error.hint,
        details=details,
        request=request,
        params=error.params,
    )


def _shakhes(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ShakhesError)
    headers = None
    if isinstance(exc, BusyError) or exc.code == "busy":
        headers = {"Retry-After": "5"}
    retry = exc.params.get("retry_after")
    if isinstance(retry, int):
        headers = {"Retry-After": str(retry)}
    body = ErrorResponse(error=ErrorBody(**shakhes_error_body(exc, request)))
    return JSONResponse(body.model_dump(), status_code=status_for(exc), headers=headers)


def _api(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_json(
        exc.status, exc.code, exc.message, hint=exc.hint, headers=exc.headers, request=request
    )


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = CODE_BY_STATUS.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    headers = dict(exc.headers) if exc.headers else None
    return error_json(exc.status_code, code, message, headers=headers, request=request)


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {
            "code": str(e.get("type", "invalid")),
            "message": str(e.get("msg", "")),
            "location": [str(part) for part in e.get("loc", ())],
        }
        for e in exc.errors()
    ]
    where = ", ".join(".".join(d["location"]) for d in details[:3])
    return error_json(
        422,
        "invalid_request",
        f"the request is not valid: {where}" if where else "the request is not valid",
        hint="See details for each field at fault, and /docs for what the route takes.",
        details=details,
        request=request,
    )


def _internal(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return error_json(
        500,
        "internal",
        "an unexpected error happened on the server",
        hint="It is logged on the server; please report it.",
        request=request,
    )


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` in the one shape."""
    app.add_exception_handler(ShakhesError, _shakhes)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _internal)
