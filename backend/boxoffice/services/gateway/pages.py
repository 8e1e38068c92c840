"""Pages of the web UI: every path outside /api goes to the service that renders it."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from boxoffice.errors import NotFound
from boxoffice.services.common.pages import SESSION_COOKIE, add_page_errors, page_renderer
from boxoffice.services.gateway.proxy import forward, forward_headers
from boxoffice.services.gateway.routing import page_service_for

PAGE_METHODS = ["GET", "POST", "HEAD"]

bp = Blueprint("gateway-pages")
add_page_errors(bp, page_renderer)


@bp.route("/", methods=PAGE_METHODS, name="home")
@bp.route("/<path:path>", methods=PAGE_METHODS, name="page")
async def proxy_page(request: Request, path: str = "") -> HTTPResponse | None:
    from boxoffice.services.gateway.app import identity_headers

    service = page_service_for(request.path)
    if service is None:
        raise NotFound("There is no page at this address.")
    app = request.app
    headers = forward_headers(request, identity_headers(request, app.ctx.config))
    response = await forward(request, app.ctx.upstreams, service, headers)
    if response is not None and getattr(request.ctx, "stale_session", False) and "set-cookie" not in response.headers:
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response
