"""`boxoffice docs api`: the generated parts of docs/API.md, made from the code.

Each service's app is built with its `create_app` (no listener runs, so nothing connects) and its
OpenAPI document is built the way sanic-ext builds it at start-up. From those documents come the
endpoint tables (method, path, service, request body members), from `boxoffice.errors` and the nginx
template the problem types. Only the text between a `<!-- generated:NAME:begin -->` and its
`<!-- generated:NAME:end -->` marker is replaced; everything else in docs/API.md is written by hand.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sanic import Sanic
from sanic_ext.extensions.openapi.builders import SpecificationBuilder

from boxoffice import errors
from boxoffice.config import Config

SERVICES = ("gateway", "events", "booking", "search")
ROOT = Path(__file__).resolve().parents[3]
API_DOC = ROOT / "docs" / "API.md"
NGINX_TEMPLATE = ROOT / "nginx" / "nginx.conf.template"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
OPERATIONS = frozenset({"/healthz", "/readyz", "/metrics"})

# Where docs/API.md explains the routes of each blueprint (an OpenAPI tag), in the order of the page.
SECTIONS: dict[str | None, tuple[str, str]] = {
    "accounts": ("accounts", "#accounts-and-sign-in"),
    "venues": ("venues", "#venues"),
    "events": ("events", "#events"),
    "search_api": ("search", "#search"),
    "seats": ("seats", "#seats-snapshot-and-live-changes"),
    "gateway-ws": ("seats", "#seats-snapshot-and-live-changes"),
    "holds": ("holds", "#holds"),
    "orders": ("orders", "#orders-and-payments"),
    "gateway-queue": ("waiting room", "#waiting-room"),
    "gateway-queue-pages": ("waiting room", "#waiting-room"),
    "outbox": ("operations", "#operations"),
    "events_pages": ("pages", "#web-pages"),
    "booking_pages": ("pages", "#web-pages"),
    "search_pages": ("pages", "#web-pages"),
    None: ("operations", "#operations"),
}
ROUTING = ("routing", "#how-a-request-travels")
ORDER = list(dict.fromkeys(anchor for _, anchor in SECTIONS.values()))


@dataclass(frozen=True, slots=True)
class Endpoint:
    service: str
    method: str
    path: str  # OpenAPI spelling: /api/holds/{hold_id}
    summary: str
    body: tuple[str, ...]  # request body members, optional ones with a trailing "?"
    tag: str | None
    websocket: bool

    @property
    def table(self) -> str:
        if self.path in OPERATIONS:
            return "operations"
        if self.tag == "gateway-pages" or "{path}" in self.path:
            return "routing"
        return "api" if self.path.startswith("/api/") else "pages"


# --- reading the apps ----------------------------------------------------------------------------


def build_app(service: str, config: Config) -> Sanic:
    """The service's app as `boxoffice serve` builds it, with its routes finalised (not served)."""
    app = importlib.import_module(f"boxoffice.services.{service}.app").create_app(config)
    app.router.finalize()
    return app


def openapi_document(app: Sanic) -> dict:
    """The OpenAPI document the app serves at /docs/openapi.json."""
    SpecificationBuilder.reset()
    for listener in app.blueprints["openapi"]._future_listeners:
        if listener.event == "before_server_start":
            listener.listener(app)
    document = SpecificationBuilder().build(app).serialize()
    SpecificationBuilder.reset()
    return document


def route_path(uri: str) -> str:
    """A Sanic route's path in OpenAPI spelling: `/api/holds/<hold_id:str>` -> `/api/holds/{hold_id}`."""
    return re.sub(r"<([a-zA-Z_][a-zA-Z0-9_]*)(:[^>]*)?>", r"{\1}", uri if uri.startswith("/") else f"/{uri}")


def routes(app: Sanic) -> Iterator[tuple[str, str, object, str]]:
    """(method, path, handler, route name) of every route the app serves, but its OpenAPI pages and
    HEAD/OPTIONS."""
    for route in app.router.routes:
        if ".openapi." in route.name:
            continue
        handler = route.handler
        if isinstance(handler, functools.partial):  # a WebSocket: Sanic wraps the handler
            handler = next((a for a in handler.args if callable(a)), handler.func)
        for method in route.methods:
            if method in METHODS:
                yield method, route_path(route.uri), handler, route.name


def summary_of(handler: object, route_name: str) -> str:
    """The first sentence of the handler's docstring, else its route's name ("create_hold": "Create hold").

    Not the OpenAPI summary: sanic-ext keeps one operation per handler, so two routes of one handler
    (`/` and `/search`) would share whichever summary was built last."""
    doc = (inspect.getdoc(handler) if handler is not None else None) or ""
    sentence = re.split(r"(?<=[.;:])\s", " ".join(doc.split()), maxsplit=1)[0].rstrip(".;:")
    if sentence and len(sentence) <= 100:
        return sentence
    return route_name.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def body_members(operation: dict) -> tuple[str, ...]:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    required = set(schema.get("required", ()))
    return tuple(name if name in required else f"{name}?" for name in schema.get("properties", {}))


def endpoints_of(service: str, app: Sanic) -> list[Endpoint]:
    document = openapi_document(app)
    handlers = {(method, path): (handler, name) for method, path, handler, name in routes(app)}
    websockets = {route_path(r.uri) for r in app.router.routes if r.extra.websocket}
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            method = method.upper()
            if method not in METHODS:
                continue
            tags = operation.get("tags") or [None]
            handler, name = handlers.get((method, path), (None, operation.get("operationId", "")))
            found.append(
                Endpoint(
                    service,
                    method,
                    path,
                    summary_of(handler, name),
                    body_members(operation),
                    tags[0],
                    path in websockets,
                )
            )
    return found


@functools.cache
def service_endpoints() -> dict[str, tuple[Endpoint, ...]]:
    """Every service's endpoints, from its OpenAPI document (built once per process)."""
    return {service: tuple(endpoints_of(service, app)) for service, app in _apps().items()}


@functools.cache
def service_routes() -> dict[str, frozenset[tuple[str, str]]]:
    """Every service's (method, path) pairs straight from its router: what the endpoint tables must list."""
    return {service: frozenset((m, p) for m, p, _, _ in routes(app)) for service, app in _apps().items()}


@functools.cache
def _apps() -> dict[str, Sanic]:
    config = Config()
    apps = {service: build_app(service, config) for service in SERVICES}
    for app in apps.values():  # so a later create_app of the same service is not refused
        Sanic.unregister_app(app)
    return apps


# --- the endpoint tables -------------------------------------------------------------------------

TABLES = (
    ("api", "### The API (through nginx)"),
    ("pages", "### Web pages (through nginx)"),
    ("routing", "### The gateway's own routing"),
    ("operations", "### Operations (each service's own port)"),
)
HEADER = "| method | path | service | body | what | see |\n| --- | --- | --- | --- | --- | --- |"


def endpoint_tables(endpoints: dict[str, tuple[Endpoint, ...]]) -> str:
    rows: dict[tuple[str, str, str], list[Endpoint]] = {}
    for found in endpoints.values():
        for endpoint in found:
            rows.setdefault((endpoint.table, endpoint.method, endpoint.path), []).append(endpoint)
    parts = []
    for table, heading in TABLES:
        lines = [heading, "", HEADER]
        chosen = [group for (name, _, _), group in rows.items() if name == table]
        for group in sorted(chosen, key=_row_order):
            lines.append(_row(group))
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _row_order(group: list[Endpoint]) -> tuple:
    first = group[0]
    anchor = SECTIONS.get(first.tag, ("", ""))[1]
    return ORDER.index(anchor) if anchor in ORDER else len(ORDER), first.path, METHODS.index(first.method)


def _row(group: list[Endpoint]) -> str:
    first = next((e for e in group if e.service != "gateway"), group[0])
    services = ", ".join(e.service for e in sorted(group, key=lambda e: SERVICES.index(e.service)))
    body = ", ".join(f"`{member}`" for member in first.body)
    what = ("WebSocket: " if first.websocket else "") + first.summary.replace("|", "\\|")
    name, anchor = ROUTING if first.table == "routing" else SECTIONS.get(first.tag, ("", ""))
    see = f"[{name}]({anchor})" if anchor else ""  # a new blueprint: add its section to SECTIONS
    return f"| {first.method} | `{first.path}` | {services} | {body} | {what} | {see} |"


ROW = re.compile(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \| ([a-z, ]+) \|", re.MULTILINE)


def documented_routes(text: str) -> dict[str, set[tuple[str, str]]]:
    """(method, path) per service as the endpoint tables of `text` list them."""
    block = generated_block(text, "endpoints")
    listed: dict[str, set[tuple[str, str]]] = {service: set() for service in SERVICES}
    for method, path, services in ROW.findall(block):
        for service in services.split(", "):
            listed.setdefault(service.strip(), set()).add((method, path))
    return listed


def missing_routes(text: str, served: dict[str, frozenset[tuple[str, str]]]) -> list[str]:
    """Routes some service serves that the endpoint tables of `text` do not list."""
    listed = documented_routes(text)
    return sorted(
        f"{service} {method} {path}"
        for service, pairs in served.items()
        for method, path in pairs - listed.get(service, set())
    )


def unserved_routes(text: str, served: dict[str, frozenset[tuple[str, str]]]) -> list[str]:
    """Routes the endpoint tables of `text` list that no service serves (any more)."""
    return sorted(
        f"{service} {method} {path}"
        for service, pairs in documented_routes(text).items()
        for method, path in pairs - served.get(service, frozenset())
    )


# --- the problem types ---------------------------------------------------------------------------

NGINX_PROBLEM = re.compile(r'"type":"https://boxoffice\.dev/problems/([a-z-]+)","title":"([^"]+)","status":(\d+)')


def problem_types() -> list[tuple[str, int, str, str]]:
    """(type slug, status, title, who answers it) of every problem the system answers with."""
    found: dict[str, tuple[str, int, str, str]] = {}
    for cls in _subclasses(errors.BoxOfficeError):
        if cls.type_slug != "about:blank" and cls.type_slug not in found:
            found[cls.type_slug] = (cls.type_slug, cls.status, cls.title, "services")
    for slug, title, status in NGINX_PROBLEM.findall(NGINX_TEMPLATE.read_text()):
        if slug in found:
            found[slug] = (*found[slug][:3], "services, nginx")
        else:
            found[slug] = (slug, int(status), title, "nginx")
    return sorted(found.values(), key=lambda p: (p[1], p[0]))


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        if sub.__module__ == errors.__name__:
            yield sub
        yield from _subclasses(sub)


def problem_table(problems: list[tuple[str, int, str, str]]) -> str:
    lines = [
        "| type (after `https://boxoffice.dev/problems/`) | status | title | answered by |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| `{slug}` | {status} | {title} | {who} |" for slug, status, title, who in problems]
    return "\n".join(lines)


# --- the file ------------------------------------------------------------------------------------


class MarkerMissing(ValueError):
    """docs/API.md lacks a generated block's begin or end marker."""


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- generated:{name}:begin (boxoffice docs api) -->", f"<!-- generated:{name}:end -->"


def generated_block(text: str, name: str) -> str:
    begin, end = _markers(name)
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise MarkerMissing(f"docs/API.md needs the markers {begin} ... {end}")
    return text[start + len(begin) : stop]


def with_block(text: str, name: str, content: str) -> str:
    begin, end = _markers(name)
    old = generated_block(text, name)
    return text.replace(f"{begin}{old}{end}", f"{begin}\n{content}\n{end}", 1)


def rendered(text: str) -> str:
    """`text` (docs/API.md) with its generated blocks made afresh from the code."""
    text = with_block(text, "endpoints", endpoint_tables(service_endpoints()))
    return with_block(text, "problems", problem_table(problem_types()))


def api(*, check: bool = False, path: Path = API_DOC) -> bool:
    """Regenerate `path` (or with `check`, only say whether it is current); True when it was current."""
    text = path.read_text()
    fresh = rendered(text)
    if fresh == text:
        return True
    if not check:
        path.write_text(fresh)
    return False
