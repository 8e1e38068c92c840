"""The waiting room at the gateway: join and place (API, WebSocket, page), admission tokens on hold
writes, and the admitter every gateway runs.

Admission is checked here first: the gateway owns the queue, already knows the verified caller, and
turning unadmitted writes away at the edge is the point of a waiting room (booking never sees the
storm it protects against). Booking checks it again with the same rule (`AdmissionTokens.require`)
on the same canonical ids (paths are canonical before any middleware here runs, and the event id is
parsed with booking's own request schema), so the gateway is not the only lock; the token the
gateway judged, from the header or the `bo_admit_<event id>` cookie, is what booking receives. Only
writes that take seats need admission (a new hold, seats added, an extension); giving seats back,
reading a hold and checkout never do, so a lapsed admission cannot trap a buyer's seats.
"""

from __future__ import annotations

import asyncio
import contextlib
import json as jsonlib
import logging
import re
import time
from collections import OrderedDict
from urllib.parse import urlsplit

import aiohttp
from prometheus_client import Counter, Gauge, Histogram
from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, html, json
from sanic.server.websockets.impl import WebsocketImplProtocol

from boxoffice import keys
from boxoffice.config import Config
from boxoffice.domain.holds.schemas import HoldRequest
from boxoffice.domain.holds.service import hold_event
from boxoffice.domain.ids import canonical_uuid
from boxoffice.domain.queue.admission import ADMISSION_HEADER, AdmissionTokens, admission_cookie, admission_key
from boxoffice.domain.queue.feed import AdmissionFeed
from boxoffice.domain.queue.schemas import Place, WaitingRoom
from boxoffice.domain.queue.scripts import QueueScripts
from boxoffice.domain.queue.service import WaitingRooms
from boxoffice.errors import AdmissionRequired, BoxOfficeError, Forbidden, NotFound, NotOnSale, ServiceUnavailable
from boxoffice.infra.metrics import REGISTRY, STREAM_CONNECTIONS
from boxoffice.infra.redis import RedisClient, RedisErrors
from boxoffice.services.common.identity import INTERNAL_HEADER, require_user
from boxoffice.services.common.pages import add_page_errors, cookie_secure, page_renderer, redirect
from boxoffice.services.common.validation import parse_body

log = logging.getLogger("boxoffice.queue")

ADMIT_EVERY_S = 0.1
ROOM_CACHE_S = 2.0
FORGET_EMPTY_AFTER_S = 30.0
NOT_JOINED_POLL_S = 0.5  # a socket opened before its buyer joined looks again this often
QUEUE_API = re.compile(r"^/api/events/([^/]+)/queue(/ws)?$")
NEW_HOLD = "/api/holds"
SEATS_TO_HOLD = re.compile(r"^/api/holds/([^/]+)/(seats|extend)$")  # seats added, an extension
SEAT_MAP = re.compile(r"^/events/([^/]+)$")

QUEUE_LENGTH = Gauge("boxoffice_queue_length", "Buyers waiting in an event's line", ["event_id"], registry=REGISTRY)
QUEUE_RATE = Gauge("boxoffice_queue_admit_per_minute", "Configured admission rate", ["event_id"], registry=REGISTRY)
QUEUE_ADMISSIONS = Counter(
    "boxoffice_queue_admissions_total", "Buyers admitted by this gateway", ["event_id"], registry=REGISTRY
)
QUEUE_WAIT = Histogram(
    "boxoffice_queue_wait_seconds",
    "From joining (or the sale opening) to admission",
    registry=REGISTRY,
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200),
)
QUEUE_REFUSALS = Counter(
    "boxoffice_queue_refusals_total",
    "Seat-taking writes refused: no admission, or an event id that names no event",
    ["reason"],
    registry=REGISTRY,
)

bp = Blueprint("gateway-queue")
pages_bp = Blueprint("gateway-queue-pages")
add_page_errors(pages_bp, page_renderer)


class RoomDirectory:
    """Events' waiting-room settings, read from the events service and trusted for a moment."""

    MAX = 5000

    def __init__(self, app: Sanic, config: Config):
        self.app, self.config = app, config
        self._known: OrderedDict[str, tuple[float, dict | None]] = OrderedDict()
        self._reading: dict[str, asyncio.Future] = {}

    async def event(self, event_id: str) -> dict | None:
        """The published event (None: no such public event, or not even an id). One read per event at a
        time however many requests ask (a storm of holds must not become a storm on the events
        service); while it is being re-read, callers get the copy they had."""
        try:
            event_id = canonical_uuid(event_id)
        except ValueError:
            return None
        known = self._known.get(event_id)
        if known and time.monotonic() - known[0] < ROOM_CACHE_S:
            return known[1]
        reading = self._reading.get(event_id)
        if reading is None:
            reading = self._reading[event_id] = asyncio.ensure_future(self._read(event_id, known))
            reading.add_done_callback(lambda _: self._reading.pop(event_id, None))
        if known:
            return known[1]
        return await asyncio.shield(reading)

    async def _read(self, event_id: str, known: tuple[float, dict | None] | None) -> dict | None:
        try:
            event = await self._fetch(event_id)
        except (TimeoutError, aiohttp.ClientError, ServiceUnavailable) as exc:
            if known:
                return known[1]
            raise ServiceUnavailable(
                "The waiting room cannot reach the events service",
                private={"error": str(exc)},
                headers={"Retry-After": "2"},
            ) from exc
        self._known[event_id] = (time.monotonic(), event)
        self._known.move_to_end(event_id)
        while len(self._known) > self.MAX:
            self._known.popitem(last=False)
        return event

    async def room(self, event_id: str) -> WaitingRoom | None:
        event = await self.event(event_id)
        return WaitingRoom.of_event(event) if event else None

    async def require(self, event_id: str) -> WaitingRoom:
        room = await self.room(event_id)
        if room is None:
            raise NotFound("This event has no waiting room")
        return room

    async def _fetch(self, event_id: str) -> dict | None:
        upstreams = self.app.ctx.upstreams
        headers = {INTERNAL_HEADER: self.config.internal_secret, "Accept": "application/json"}
        timeout = aiohttp.ClientTimeout(total=5, connect=2)
        for base in upstreams.candidates("events"):
            try:
                async with upstreams.session.get(
                    f"{base}/api/events/{event_id}", headers=headers, timeout=timeout
                ) as answer:
                    if answer.status in (404, 422):
                        return None
                    if answer.status != 200:
                        raise ServiceUnavailable(f"events answered {answer.status}")
                    return await answer.json()
            except aiohttp.ClientConnectorError:
                continue
        raise ServiceUnavailable("no events instance answered")


# --- the API ---------------------------------------------------------------------------------------


@bp.post("/api/events/<event_id>/queue")
async def join_queue(request: Request, event_id: str) -> HTTPResponse:
    place, created = await _join(request, request.ctx.room)
    return json(place.public(), status=201 if created else 200)


@bp.get("/api/events/<event_id>/queue")
async def queue_place(request: Request, event_id: str) -> HTTPResponse:
    return json((await _place(request, request.ctx.room)).public())


@bp.websocket("/api/events/<event_id>/queue/ws")
async def queue_ws(request: Request, ws: WebsocketImplProtocol, event_id: str) -> None:
    """Pushes the caller's place whenever it changes, the admission (or expiry) last, then closes.
    Opened before the caller joined, it says nothing until the join, then pushes the place."""
    room: WaitingRoom = request.ctx.room
    rooms: WaitingRooms = request.app.ctx.waiting_rooms
    user_id = require_user(request).user_id
    STREAM_CONNECTIONS.labels("queue_ws").inc()
    try:
        with request.app.ctx.admission_feed.watch(room.event_id, user_id) as woken:
            last = None
            while True:
                place = await _place_if_joined(rooms, room, user_id)
                body = place.public() if place else None
                if body is not None and body != last:
                    await ws.send(jsonlib.dumps(body))
                    last = body
                if place and place.status in ("admitted", "expired"):
                    break
                woken.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(woken.wait(), refresh_s(place, room) if place else NOT_JOINED_POLL_S)
        await ws.close(code=1000, reason=place.status)
    finally:
        STREAM_CONNECTIONS.labels("queue_ws").dec()


async def _place_if_joined(rooms: WaitingRooms, room: WaitingRoom, user_id: str) -> Place | None:
    try:
        return await rooms.place(room=room, user_id=user_id)
    except NotFound:
        return None


def refresh_s(place: Place, room: WaitingRoom) -> float:
    """How soon a waiting buyer hears again: every second near the front, less often far back
    (an admission itself is pushed at once through the admissions stream)."""
    if place.status == "early":
        until_sale = max(0.2, room.on_sale_ms / 1000 - time.time())
        return min(until_sale, 10.0)
    return min(10.0, max(1.0, place.estimated_wait_s / 30))


async def _join(request: Request, room: WaitingRoom) -> tuple[Place, bool]:
    user_id = require_user(request).user_id
    rooms: WaitingRooms = request.app.ctx.waiting_rooms
    place, created = await rooms.join(room=room, user_id=user_id, now_ms=int(time.time() * 1000))
    await rooms.redis.sadd(keys.QUEUE_EVENTS, [room.event_id])
    request.app.ctx.admission_feed.wake(room.event_id, [user_id])  # a socket of this gateway waiting for the join
    return place, created


async def _place(request: Request, room: WaitingRoom) -> Place:
    rooms: WaitingRooms = request.app.ctx.waiting_rooms
    place = await rooms.place(room=room, user_id=require_user(request).user_id)
    if place.status in ("early", "waiting"):  # keeps the admitters aware of this line
        await rooms.redis.sadd(keys.QUEUE_EVENTS, [room.event_id])
    return place


# --- the page --------------------------------------------------------------------------------------


@pages_bp.get("/events/<event_id>/queue")
async def queue_page(request: Request, event_id: str) -> HTTPResponse:
    """The buyer's place, live; an admitted buyer is sent on to the seat map with the admission."""
    event, room = await _page_room(request, event_id)
    if room is None:
        return redirect(request, f"/events/{event_id}")
    try:
        place = await _place(request, room)
    except NotFound:
        place = None
    if place is not None and place.status == "admitted":
        response = redirect(request, f"/events/{room.event_id}")
        response.add_cookie(
            admission_cookie(room.event_id),
            place.admission_token,
            path="/",
            httponly=True,
            samesite="Lax",
            max_age=max(1, (place.admission_expires_ms or 0) // 1000 - int(time.time())),
            secure=cookie_secure(request),
        )
        return response
    return _render_queue_page(
        request,
        event=event,
        room=room,
        place=place.public() if place else None,
        on_sale_later=room.on_sale_ms > time.time() * 1000,
    )


def _render_queue_page(request: Request, **values) -> HTTPResponse:
    """The page (its join form carries the CSRF token the gateway's guard worked out)."""
    pages = page_renderer(request)
    context = {**pages.context(request), **values}
    return html(
        pages.env.get_template("pages/queue.html").render(**context),
        headers={"Vary": "Cookie", "Cache-Control": "private, no-cache"},
    )


@pages_bp.post("/events/<event_id>/queue")
async def queue_page_join(request: Request, event_id: str) -> HTTPResponse:
    _, room = await _page_room(request, event_id)
    if room is None:
        return redirect(request, f"/events/{event_id}")
    await _join(request, room)
    return redirect(request, f"/events/{room.event_id}/queue")


async def _page_room(request: Request, event_id: str) -> tuple[dict, WaitingRoom | None]:
    require_user(request)
    event = await request.app.ctx.rooms.event(event_id)
    if event is None:
        raise NotFound("There is no such event.")
    return event, WaitingRoom.of_event(event)


# --- admission on hold writes and at the seat map -------------------------------------------------


async def guard_queue(request: Request) -> HTTPResponse | None:
    """Runs after the caller is known: queue routes need a room; seat-taking writes an admission."""
    path = request.path
    if (match := QUEUE_API.match(path)) and request.method != "OPTIONS":
        require_user(request)
        if match.group(2):
            _same_origin(request)
        request.ctx.room = await request.app.ctx.rooms.require(match.group(1))
        return None
    if request.method == "POST" and request.ctx.user is not None:
        write = _seat_taking_write(request)
        if write:
            await _check_admission(request, *write)
        return None
    if request.method == "GET" and (match := SEAT_MAP.match(path)):
        return await _seat_map_gate(request, match.group(1))
    return None


def _same_origin(request: Request) -> None:
    """A browser's WebSocket from another site carries no SameSite=Lax cookie, but refuse it anyway:
    the stream hands out admission tokens."""
    origin = request.headers.get("Origin")
    host = urlsplit(f"//{request.headers.get('Host', '')}").hostname  # nginx passes $host: no port
    if origin and not request.headers.get("Authorization") and urlsplit(origin).hostname != host:
        raise Forbidden("WebSockets of the waiting room are for this site's pages only")


def _seat_taking_write(request: Request) -> tuple[str, BoxOfficeError] | None:
    """The canonical event id a seat-taking write is for, read exactly as booking will read it (its
    request schema, its hold ids: a body or hold id booking would refuse is refused here alike), and
    the refusal for an event id that names no event on sale."""
    if request.path == NEW_HOLD:
        return parse_body(request, HoldRequest).event_id, NotOnSale("No event on sale has this id")
    match = SEATS_TO_HOLD.match(request.path)
    return (hold_event(match.group(1)), NotFound("No such hold")) if match else None


async def _check_admission(request: Request, event_id: str, unknown: BoxOfficeError) -> None:
    """An event id that names no public event (none at all, or a draft) is refused here, never waved
    on; the events service being unreachable is a 503 (RoomDirectory). The token judged here is the
    one booking receives."""
    event = await request.app.ctx.rooms.event(event_id)
    if event is None:
        QUEUE_REFUSALS.labels("unknown_event").inc()
        raise unknown
    token = request.headers.get(ADMISSION_HEADER) or request.cookies.get(admission_cookie(event_id))
    request.ctx.admission_token = token
    try:
        request.app.ctx.admission_tokens.require(
            token,
            user_id=request.ctx.user.user_id,
            event_id=event_id,
            waiting_room=WaitingRoom.of_event(event) is not None,
        )
    except AdmissionRequired:
        QUEUE_REFUSALS.labels("no_admission").inc()
        raise


async def _seat_map_gate(request: Request, event_id: str) -> HTTPResponse | None:
    """A buyer without an admission goes to the queue page first (the organizer never queues)."""
    if request.headers.get("HX-Request") == "true":
        return None
    try:
        room = await request.app.ctx.rooms.room(event_id)
    except ServiceUnavailable:
        return None  # the seat map page says what is wrong
    user = request.ctx.user
    if room is None or (user is not None and user.user_id == room.owner_id):
        return None
    if user is not None:
        token = request.cookies.get(admission_cookie(room.event_id))
        with contextlib.suppress(Exception):
            request.app.ctx.admission_tokens.check(token, user_id=user.user_id, event_id=room.event_id)
            return None
    return redirect(request, f"/events/{room.event_id}/queue")


# --- the admitter ----------------------------------------------------------------------------------


class Admitter:
    """Every gateway runs one: every ADMIT_EVERY_S it lets each busy line admit whoever's turn came."""

    def __init__(self, app: Sanic):
        self.app = app
        self._empty_since: dict[str, float] = {}

    async def run(self) -> None:
        while True:
            try:
                await self.round()
            except asyncio.CancelledError:
                raise
            except RedisErrors as exc:
                log.warning("admitter: Redis unreachable", extra={"error": str(exc)})
            except Exception:
                log.exception("admitter round failed")
            await asyncio.sleep(ADMIT_EVERY_S)

    async def round(self) -> None:
        rooms: WaitingRooms = self.app.ctx.waiting_rooms
        for event_id in await rooms.redis.smembers(keys.QUEUE_EVENTS):
            event_id = event_id if isinstance(event_id, str) else event_id.decode()
            try:
                room = await self.app.ctx.rooms.room(event_id)
            except ServiceUnavailable:
                continue
            if room is None:
                await self._forget(event_id)
                continue
            admitted = await rooms.admit(room=room)
            self._observe(room, admitted)
            if admitted.line_length == 0 and not admitted.buyers:
                if time.monotonic() - self._empty_since.setdefault(event_id, time.monotonic()) > FORGET_EMPTY_AFTER_S:
                    await self._forget(event_id)
            else:
                self._empty_since.pop(event_id, None)

    def _observe(self, room: WaitingRoom, admitted) -> None:
        QUEUE_LENGTH.labels(room.event_id).set(admitted.line_length)
        QUEUE_RATE.labels(room.event_id).set(room.admit_per_minute)
        if admitted.buyers:
            QUEUE_ADMISSIONS.labels(room.event_id).inc(len(admitted.buyers))
            for _, joined_ms in admitted.buyers:
                QUEUE_WAIT.observe(max(0, admitted.now_ms - joined_ms) / 1000)

    async def _forget(self, event_id: str) -> None:
        await self.app.ctx.waiting_rooms.redis.srem(keys.QUEUE_EVENTS, [event_id])
        self._empty_since.pop(event_id, None)
        for gauge in (QUEUE_LENGTH, QUEUE_RATE):
            with contextlib.suppress(KeyError):
                gauge.remove(event_id)


# --- wiring ----------------------------------------------------------------------------------------


def use_waiting_room(app: Sanic, config: Config) -> None:
    """Routes, the admission guard and the admitter of the gateway's waiting room."""
    app.ctx.rooms = RoomDirectory(app, config)
    app.ctx.admission_tokens = AdmissionTokens(admission_key(config.internal_secret))
    app.ctx.queue_redis = RedisClient(config.redis_url, max_connections=64, stream_timeout=30.0)
    app.blueprint(bp)
    app.blueprint(pages_bp)
    app.register_middleware(guard_queue, "request", priority=40)

    @app.before_server_start
    async def open_queue(app: Sanic) -> None:
        await app.ctx.queue_redis.start()
        redis = app.ctx.redis.client
        app.ctx.waiting_rooms = WaitingRooms(redis=redis, scripts=QueueScripts(redis), tokens=app.ctx.admission_tokens)
        app.ctx.admission_feed = AdmissionFeed(app.ctx.queue_redis.client)

    @app.after_server_start
    async def start_admitter(app: Sanic) -> None:
        app.ctx.admitter = asyncio.create_task(Admitter(app).run(), name="queue-admitter")

    @app.before_server_stop
    async def stop_admitter(app: Sanic) -> None:
        app.ctx.admitter.cancel()
        await asyncio.gather(app.ctx.admitter, return_exceptions=True)
        await app.ctx.admission_feed.close()

    @app.after_server_stop
    async def close_queue(app: Sanic) -> None:
        await app.ctx.queue_redis.stop()
