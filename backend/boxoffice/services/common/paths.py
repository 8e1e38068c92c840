"""One canonical spelling of every path, judged the same by nginx, the gateway and the services.

A path is canonical when it has no empty segment (`//`), no `.` or `..` segment, no trailing slash
(except `/` itself), no percent-escape of an unreserved character (RFC 3986 section 2.3: letters,
digits, `-._~`) and upper-case hex in every other escape. nginx rewrites each request to this form
before it picks a location, and forwards that form, never the client's spelling; every Sanic app
redirects (308, method and body kept) any other spelling to it before it judges anything, so the
gateway can never check one path while a service serves another (`/api/holds/` is `/api/holds`).
"""

from __future__ import annotations

import re
import string

from sanic import Request, Sanic
from sanic.response import HTTPResponse, redirect

UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def _unescape_unreserved(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in UNRESERVED else f"%{match.group(1).upper()}"


def canonical_path(path: str) -> str:
    """`path` in its canonical spelling (see the module docstring)."""
    segments: list[str] = []
    for segment in _ESCAPE.sub(_unescape_unreserved, path).split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    return "/" + "/".join(segments)


def use_canonical_paths(app: Sanic) -> None:
    @app.on_request(priority=99)
    async def only_canonical_paths(request: Request) -> HTTPResponse | None:
        canonical = canonical_path(request.path)
        if canonical == request.path:
            return None
        query = f"?{request.query_string}" if request.query_string else ""
        return redirect(canonical + query, status=308)
