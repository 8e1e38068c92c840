"""Forwarding to the services over pooled HTTP connections, streaming event streams through."""

from __future__ import annotations

import itertools
import logging

import aiohttp
from sanic import Request
from sanic.response import HTTPResponse, raw

from boxoffice.config import Config
from boxoffice.domain.queue.admission import ADMISSION_HEADER
from boxoffice.errors import BadGateway, GatewayTimeout
from boxoffice.infra.metrics import UPSTREAM_ERRORS
from boxoffice.services.common.identity import IDENTITY_HEADERS

log = logging.getLogger("boxoffice.gateway")

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
# Never passed on from a client: the gateway alone speaks for the caller (and passes on the admission
# token it judged, whichever way the client sent it).
CLIENT_STRIPPED = (
    HOP_BY_HOP
    | {h.lower() for h in IDENTITY_HEADERS}
    | {"authorization", "x-forwarded-for", "x-real-ip", ADMISSION_HEADER.lower()}
)


class Upstreams:
    """Round-robin over each service's instances; a refused connection tries the next instance."""

    def __init__(self, config: Config):
        self.urls = {"events": config.events_urls, "booking": config.booking_urls, "search": config.search_urls}
        self._cycles = {name: itertools.cycle(urls) for name, urls in self.urls.items()}
        self.timeout = aiohttp.ClientTimeout(total=config.upstream_timeout_s, connect=2)
        self.stream_timeout = aiohttp.ClientTimeout(total=None, connect=2, sock_read=None)
        self.session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=60, ttl_dns_cache=None)
        self.session = aiohttp.ClientSession(
            connector=connector, auto_decompress=False, skip_auto_headers=("User-Agent", "Accept-Encoding")
        )

    async def close(self) -> None:
        if self.session:
            await self.session.close()

    def candidates(self, service: str) -> list[str]:
        first = next(self._cycles[service])
        urls = self.urls[service]
        start = urls.index(first)
        return list(urls[start:] + urls[:start])


def forward_headers(request: Request, identity_headers: dict[str, str]) -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items() if k.lower() not in CLIENT_STRIPPED}
    headers.update(identity_headers)
    return headers


def response_headers(upstream: aiohttp.ClientResponse) -> dict[str, str]:
    return {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}


async def forward(request: Request, upstreams: Upstreams, service: str, headers: dict[str, str]) -> HTTPResponse | None:
    """Send the request to one instance of `service`; an event stream is relayed as it arrives."""
    streaming = request.path.endswith("/stream")
    timeout = upstreams.stream_timeout if streaming else upstreams.timeout
    target = request.path + (f"?{request.query_string}" if request.query_string else "")
    last_error: Exception | None = None
    for base in upstreams.candidates(service):
        try:
            async with upstreams.session.request(
                request.method,
                base + target,
                headers=headers,
                data=request.body or None,
                timeout=timeout,
                allow_redirects=False,
            ) as upstream:
                if upstream.content_type == "text/event-stream":
                    await _relay_stream(request, upstream)
                    return None
                return raw(
                    await upstream.read(),
                    status=upstream.status,
                    headers=response_headers(upstream),
                    content_type=upstream.headers.get("Content-Type"),
                )
        except aiohttp.ClientConnectorError as exc:  # never reached the instance: safe to try another
            last_error = exc
            UPSTREAM_ERRORS.labels(service, "connect").inc()
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            UPSTREAM_ERRORS.labels(service, "timeout").inc()
            raise GatewayTimeout(f"The {service} service did not answer in time") from exc
        except aiohttp.ClientError as exc:
            UPSTREAM_ERRORS.labels(service, "protocol").inc()
            raise BadGateway(f"The {service} service failed to answer", private={"error": str(exc)}) from exc
    raise BadGateway(f"The {service} service is unavailable", private={"error": str(last_error)})


async def _relay_stream(request: Request, upstream: aiohttp.ClientResponse) -> None:
    headers = response_headers(upstream)
    headers["X-Accel-Buffering"] = "no"
    response = await request.respond(
        status=upstream.status, headers=headers, content_type=upstream.headers.get("Content-Type")
    )
    async for chunk in upstream.content.iter_any():
        await response.send(chunk)
    await response.eof()
