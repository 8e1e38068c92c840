"""The pieces every boxoffice Sanic app shares: logging, problems, correlation ids, identity,
metrics, health and readiness, OpenAPI docs."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json, raw
from sanic_ext import Extend

from boxoffice.config import Config
from boxoffice.infra.logging import correlation_id, log_config
from boxoffice.infra.metrics import REGISTRY, REQUEST_LATENCY
from boxoffice.services.common.identity import CSRF_TOKEN_HEADER, is_open, read_identity
from boxoffice.services.common.paths import use_canonical_paths
from boxoffice.services.common.problems import ProblemErrorHandler, problem

ReadyCheck = Callable[[], Awaitable[bool]]
CORRELATION_HEADER = "X-Correlation-Id"
access_log = logging.getLogger("boxoffice.access")
_SANE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def create_base_app(service: str, config: Config, *, trust_gateway: bool = True) -> Sanic:
    """A Sanic app with everything but the routes; `trust_gateway` False only for the gateway."""
    app = Sanic(
        f"boxoffice-{service}", log_config=log_config(service, config.log_level), error_handler=ProblemErrorHandler()
    )
    app.config.update(
        REQUEST_MAX_SIZE=1_000_000,
        FALLBACK_ERROR_FORMAT="json",
        KEEP_ALIVE_TIMEOUT=75,
        OAS_UI_DEFAULT="swagger",
        OAS_TITLE=f"boxoffice {service}",
        CORS=False,
        HEALTH=False,
        NOISY_EXCEPTIONS=False,
    )
    Extend(app)
    app.ctx.config = config
    app.ctx.service = service
    app.ctx.ready_checks = {}
    app.ext.dependency(config)
    _add_correlation(app)
    use_canonical_paths(app)
    _add_metrics(app, service)
    if trust_gateway:
        _add_identity(app, config)
    _add_health(app)
    return app


def add_ready_check(app: Sanic, name: str, check: ReadyCheck) -> None:
    app.ctx.ready_checks[name] = check


def new_correlation_id(candidate: str | None) -> str:
    return candidate if candidate and _SANE_ID.match(candidate) else uuid.uuid4().hex


def _add_correlation(app: Sanic) -> None:
    @app.on_request(priority=100)
    async def take_correlation_id(request: Request) -> None:
        request.ctx.correlation_id = new_correlation_id(request.headers.get(CORRELATION_HEADER))
        request.ctx.started = time.perf_counter()
        correlation_id.set(request.ctx.correlation_id)

    @app.on_response(priority=100)
    async def give_correlation_id(request: Request, response: HTTPResponse) -> None:
        cid = getattr(request.ctx, "correlation_id", None) or new_correlation_id(None)
        response.headers[CORRELATION_HEADER] = cid


def _add_metrics(app: Sanic, service: str) -> None:
    @app.on_response(priority=90)
    async def record(request: Request, response: HTTPResponse) -> None:
        started = getattr(request.ctx, "started", None)
        if started is None or request.path == "/metrics":
            return
        elapsed = time.perf_counter() - started
        route = request.route.path if request.route else "unmatched"
        REQUEST_LATENCY.labels(service, route, request.method, response.status).observe(elapsed)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status,
            extra={
                "status": response.status,
                "duration_ms": round(elapsed * 1000, 2),
                "method": request.method,
                "path": request.path,
            },
        )


def _add_identity(app: Sanic, config: Config) -> None:
    @app.on_request(priority=50)
    async def trust_only_the_gateway(request: Request) -> None:
        request.ctx.user = None
        request.ctx.csrf_token = ""
        if not is_open(request.path):
            request.ctx.user = read_identity(request, config.internal_secret)
            request.ctx.csrf_token = request.headers.get(CSRF_TOKEN_HEADER, "")  # for the page's forms


def _add_health(app: Sanic) -> None:
    @app.get("/healthz", name="healthz")
    async def healthz(request: Request) -> HTTPResponse:
        return json({"status": "ok", "service": app.ctx.service})

    @app.get("/readyz", name="readyz")
    async def readyz(request: Request) -> HTTPResponse:
        results = {name: await _safe(check) for name, check in app.ctx.ready_checks.items()}
        if all(results.values()):
            return json({"status": "ready", "checks": results})
        down = ", ".join(name for name, ok in results.items() if not ok)
        return problem(
            503,
            "Service unavailable",
            f"Dependencies not answering: {down}",
            type_slug="service-unavailable",
            extra={"checks": results},
        )

    @app.get("/metrics", name="metrics")
    async def metrics(request: Request) -> HTTPResponse:
        return raw(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


async def _safe(check: ReadyCheck) -> bool:
    try:
        return bool(await check())
    except Exception:  # a readiness probe reports, it never raises
        return False
