"""Services trust identity only from the gateway: an internal credential on every proxied request."""

from __future__ import annotations

import hmac
import posixpath
from urllib.parse import unquote

from sanic import Request

from boxoffice.errors import Forbidden, NotFound, Unauthorized
from boxoffice.infra.tokens import Identity

INTERNAL_HEADER = "X-Boxoffice-Internal"
USER_HEADER = "X-User-Id"
ROLES_HEADER = "X-User-Roles"
CSRF_TOKEN_HEADER = "X-Boxoffice-Csrf"  # the page's CSRF token, worked out by the gateway
IDENTITY_HEADERS = (INTERNAL_HEADER, USER_HEADER, ROLES_HEADER, CSRF_TOKEN_HEADER)

# Operators' endpoints: answered on each service's own port, never through nginx (see is_operator_path).
OPERATOR_PATHS = ("/readyz", "/metrics", "/docs")
OPEN_PATHS = ("/healthz", *OPERATOR_PATHS)


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith("/docs/")


def is_operator_path(path: str) -> bool:
    """/metrics, /readyz, /docs and below, however the path is spelled (case, escapes, dot segments,
    doubled or trailing slashes): what the router or an HTTP client could turn into one of them."""
    canonical = posixpath.normpath("/" + unquote(path).lower()).lstrip("/")
    return any(canonical == p[1:] or canonical.startswith(p[1:] + "/") for p in OPERATOR_PATHS)


def read_identity(request: Request, internal_secret: str) -> Identity | None:
    """The caller as the gateway vouched for it; a request without the credential is refused."""
    credential = request.headers.get(INTERNAL_HEADER, "")
    if not hmac.compare_digest(credential.encode(), internal_secret.encode()):
        raise Forbidden("This service only answers requests that come through the gateway")
    user_id = request.headers.get(USER_HEADER)
    if not user_id:
        return None
    roles = tuple(r for r in request.headers.get(ROLES_HEADER, "").split(",") if r)
    return Identity(user_id, roles)


def require_user(request: Request) -> Identity:
    user: Identity | None = request.ctx.user
    if user is None:
        raise Unauthorized("Log in to do this")
    return user


def require_role(request: Request, role: str) -> Identity:
    user = require_user(request)
    if not user.has(role):
        raise Forbidden(f"This needs the {role} role")
    return user


def hide_unless(condition: bool, what: str = "resource") -> None:
    """Object-level authorization: what the caller may not see does not exist for them."""
    if not condition:
        raise NotFound(f"No such {what}")
