"""Error answers of the HTTP service: one JSON shape, fields named, nothing internal leaked.

This is the first service module to import the web framework, so a missing ``fastapi``
surfaces here as :class:`~skillmatch.errors.MissingDependencyError` with the install command.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from skillmatch.errors import MissingDependencyError, UnknownIdError
from skillmatch.service.models import ErrorBody, ErrorDetail, ErrorResponse

try:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise MissingDependencyError(
        'the HTTP service needs FastAPI and uvicorn: pip install "skillmatch[service]"'
    ) from exc

__all__ = ["ServiceError", "error_responses", "install_error_handlers"]

_MAX_DETAILS = 20
_MAX_TEXT = 300
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    500: "internal_error",
}
_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing or wrong API key",
    403: "Admin endpoints are disabled (no API key configured)",
    404: "Unknown program id",
    409: "Conflict",
    413: "Request body too large",
    415: "The request body is not JSON",
    422: "Invalid request: the error names the field(s)",
    500: "Reload failed; the previous model keeps serving",
}


class ServiceError(Exception):
    """An error answer: HTTP status, stable code, message and the offending field."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the error body for ``statuses``."""
    return {s: {"model": ErrorResponse, "description": _DESCRIPTIONS[s]} for s in statuses}


def _answer(status: int, body: ErrorBody, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        ErrorResponse(error=body).model_dump(mode="json"), status_code=status, headers=headers
    )


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def _field(loc: Sequence[Any]) -> str:
    parts = list(loc[1:]) if len(loc) > 1 and loc[0] in ("body", "path", "query") else list(loc)
    return _clip(".".join(str(p) for p in parts))


def _details(errors: Sequence[Any]) -> list[ErrorDetail]:
    return [
        ErrorDetail(
            field="body" if e.get("type") == "json_invalid" else _field(e["loc"]),
            message=_clip(str(e.get("msg", ""))),
            type=_clip(str(e.get("type", ""))),
        )
        for e in errors[:_MAX_DETAILS]
    ]


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = _details(exc.errors())
    if not details:
        details = [ErrorDetail(field="body", message="invalid request", type="invalid")]
    first = details[0]
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return _answer(
        422,
        ErrorBody(
            code="validation_error",
            field=first.field,
            details=details,
            message=f"{first.field}: {first.message}{more}",
        ),
    )


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return _answer(exc.status, ErrorBody(code=exc.code, message=exc.message, field=exc.field))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return _answer(exc.status_code, ErrorBody(code=code, message=_clip(message)), exc.headers)


async def _unknown_id(request: Request, exc: Exception) -> JSONResponse:
    return _answer(404, ErrorBody(code="unknown_id", message=_clip(str(exc))))


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the server log (uvicorn logs the re-raised exception), never here.
    return _answer(500, ErrorBody(code="internal_error", message="internal server error"))


def install_error_handlers(app: FastAPI) -> None:
    """Route every error of ``app`` to the one JSON error shape."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(UnknownIdError, _unknown_id)
    app.add_exception_handler(Exception, _internal_error)
