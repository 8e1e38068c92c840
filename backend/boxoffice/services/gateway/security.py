"""The headers that have browsers defend our pages: where scripts and styles may come from (the site
only: no inline script, no eval, no inline style), that no other site may frame them, no MIME
sniffing, and no full URL in the Referer sent to other sites. HSTS is nginx's (it knows the scheme)."""

from __future__ import annotations

from sanic import Request, Sanic
from sanic.response import HTTPResponse

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",  # XHR, EventSource and WebSocket to this origin
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def use_security_headers(app: Sanic) -> None:
    @app.on_response(priority=70)
    async def defend(request: Request, response: HTTPResponse) -> None:
        if request.path == "/docs" or request.path.startswith("/docs/"):
            return  # the operators' API browser (own port only) loads its UI from a CDN
        response.headers.update(SECURITY_HEADERS)
