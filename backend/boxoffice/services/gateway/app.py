"""The gateway: JWT, correlation ids, token-bucket rate limiting, routing to the services."""

from __future__ import annotations

from sanic import Request, Sanic
from sanic.response import HTTPResponse

from boxoffice.config import Config
from boxoffice.domain.queue.admission import ADMISSION_HEADER
from boxoffice.errors import NotFound
from boxoffice.infra.redis import TokenBucket, use_redis
from boxoffice.infra.tokens import TokenIssuer
from boxoffice.services.common.factory import CORRELATION_HEADER, create_base_app
from boxoffice.services.common.identity import (
    CSRF_TOKEN_HEADER,
    INTERNAL_HEADER,
    ROLES_HEADER,
    USER_HEADER,
    is_operator_path,
)
from boxoffice.services.common.pages import use_pages
from boxoffice.services.gateway import csrf, guard, pages, queue, security, websockets
from boxoffice.services.gateway.proxy import Upstreams, forward, forward_headers
from boxoffice.services.gateway.routing import page_service_for, service_for

API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def create_app(config: Config | None = None) -> Sanic:
    config = config or Config.from_env()
    app = create_base_app("gateway", config, trust_gateway=False)
    use_redis(app, config)
    app.ctx.tokens = TokenIssuer(config)
    app.ctx.csrf_key = csrf.signing_key(config)
    app.ctx.upstreams = Upstreams(config)
    _add_lifecycle(app)
    _add_guards(app, config)
    security.use_security_headers(app)
    queue.use_waiting_room(app, config)
    app.add_route(proxy_api, "/api/<path:path>", methods=API_METHODS, name="api")
    app.blueprint(websockets.bp)
    use_pages(app, pages.bp)
    return app


def _add_lifecycle(app: Sanic) -> None:
    @app.before_server_start
    async def open_clients(app: Sanic) -> None:
        await app.ctx.upstreams.open()
        app.ctx.bucket = TokenBucket(app.ctx.redis.client)

    @app.after_server_stop
    async def close_clients(app: Sanic) -> None:
        await app.ctx.upstreams.close()


def _add_guards(app: Sanic, config: Config) -> None:
    @app.on_request(priority=100)  # after the correlation id, before the canonical-path redirect
    async def hide_operator_endpoints(request: Request) -> None:
        """Metrics, readiness and the API docs are for the inside: nginx answers 404 for them, and so do
        we for anything a proxy passed on, however it is spelled (nor is such a path ever proxied)."""
        if guard.from_outside(request) and is_operator_path(request.path):
            raise NotFound(f"No page or API at {request.path}")

    @app.on_request(priority=50)
    async def identify_and_limit(request: Request) -> None:
        request.ctx.user = None
        request.ctx.rate_headers = {}
        api = request.path.startswith("/api/")
        service = service_for(request.path) if api else page_service_for(request.path)
        if not api and service is None:
            return
        request.ctx.user = (guard.authenticate if api else guard.authenticate_page)(request, app.ctx.tokens)
        csrf.guard(request, key=app.ctx.csrf_key, tokens=app.ctx.tokens)
        request.ctx.rate_headers = await guard.limit(request, app.ctx.bucket, config, service)

    @app.on_response(priority=80)
    async def rate_limit_headers(request: Request, response: HTTPResponse) -> None:
        guard.apply_headers(response, getattr(request.ctx, "rate_headers", {}))
        csrf.set_cookie(request, response)


def identity_headers(request: Request, config: Config) -> dict[str, str]:
    """What the services trust: our credential and the verified caller, never the client's own."""
    headers = {
        INTERNAL_HEADER: config.internal_secret,
        CORRELATION_HEADER: request.ctx.correlation_id,
        "X-Real-IP": guard.client_ip(request),
    }
    if request.ctx.user:
        headers[USER_HEADER] = request.ctx.user.user_id
        headers[ROLES_HEADER] = ",".join(request.ctx.user.roles)
    if token := getattr(request.ctx, "admission_token", None):  # booking checks it again
        headers[ADMISSION_HEADER] = token
    if getattr(request.ctx, "csrf_token", ""):
        headers[CSRF_TOKEN_HEADER] = request.ctx.csrf_token
    return headers


async def proxy_api(request: Request, path: str) -> HTTPResponse | None:
    service = service_for(request.path)
    if service is None:
        raise NotFound(f"No API at {request.path}")
    app = request.app
    headers = forward_headers(request, identity_headers(request, app.ctx.config))
    return await forward(request, app.ctx.upstreams, service, headers)
