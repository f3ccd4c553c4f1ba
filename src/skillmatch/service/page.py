"""The reference course-finder page: static files shipped in the package, served at ``/``.

A worker types their skills the way they would say them and sees what the service recommends
and why. The page is plain HTML, CSS and JavaScript modules under ``static/`` (no build step,
no framework, nothing from a CDN) and calls only the public ``/v1`` endpoints, with relative
paths, exactly as a platform's own front end would; it is the reference client of the API.

Every answer of the page carries a strict Content-Security-Policy: scripts, styles, images and
requests from this origin only, no inline script or style, no plugins, no framing, and Trusted
Types required, so an HTML sink (``innerHTML``) cannot be fed a string: text from the API is
always set as text. The page holds no secret and never asks for or stores an API key; when
the service has one, a platform serves the page behind its own sign-in and its server adds
the key (the page says so when a call answers 401).

``create_app(page=False)`` (``skillmatch serve --no-page``) leaves the routes out.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import Response

from skillmatch.service.errors import ServiceError

__all__ = ["CONTENT_SECURITY_POLICY", "PAGE_HEADERS", "STATIC_TYPES", "page"]

#: The Content-Security-Policy of the page and of its files.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    )
)
#: Headers of every answer of the page routes.
PAGE_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-cache",
}
#: Media types of the files the page is made of, by suffix; no other file is served.
STATIC_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


@cache
def _files() -> dict[str, tuple[bytes, str, str]]:
    """Name -> (content, media type, ETag) of each file under ``static/``, read once."""
    out: dict[str, tuple[bytes, str, str]] = {}
    for entry in files("skillmatch.service").joinpath("static").iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if entry.is_file() and suffix in STATIC_TYPES:
            content = entry.read_bytes()
            etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
            out[entry.name] = (content, STATIC_TYPES[suffix], etag)
    return out


def _serve(request: Request, name: str) -> Response:
    found = _files().get(name)
    if found is None:
        raise ServiceError(404, "not_found", "no such file")
    content, media_type, etag = found
    headers = {**PAGE_HEADERS, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(content=content, media_type=media_type, headers=headers)


page = APIRouter(include_in_schema=False)


@page.api_route("/", methods=["GET", "HEAD"])
async def index(request: Request) -> Response:
    """The course-finder page."""
    return _serve(request, "index.html")


@page.api_route("/static/{name}", methods=["GET", "HEAD"])
async def static(request: Request, name: str) -> Response:
    """A file of the page (script, style sheet, icon)."""
    return _serve(request, name)
