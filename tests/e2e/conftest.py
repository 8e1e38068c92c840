"""Browser fixtures: Debian's Chromium driven by Playwright (no `playwright install`), pages that
collect console errors, and published events made through the API."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support import Api, User

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"


@dataclass
class Event:
    id: str
    title: str
    seat_ids: list[str]


@pytest.fixture(scope="session")
def base_url(stack) -> str:
    return f"http://127.0.0.1:{stack.ports.http}"


@pytest.fixture(scope="session")
def browser(stack):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, base_url):
    """open_page(user=None) -> a page in its own browser context (its own cookies), logged in as `user`;
    every console error and uncaught exception is kept in `page.errors`."""
    contexts = []

    def open_one(user: User | None = None, width: int = 1280):
        context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
        contexts.append(context)
        if user is not None:
            context.add_cookies(
                [{"name": "bo_session", "value": user.token, "url": base_url, "httpOnly": True, "sameSite": "Lax"}]
            )
        page = context.new_page()
        page.errors = []
        page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
        page.on("pageerror", lambda error: page.errors.append(f"uncaught: {error}"))
        page.set_default_timeout(10_000)
        return page

    yield open_one
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # a full-page shot of a scrolled page draws the sticky header mid-page
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def accessibility_violations(page) -> list[str]:
    """axe-core's findings on the page as it is now (its default rules: WCAG 2.1 A and AA and its best
    practices, such as heading order and named table headers), one line per rule and element."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate(
        "axe.run(document).then(r => r.violations.map(v => [v.id, v.impact,"
        " v.nodes.map(n => n.target.join(' ') + ' -- ' + (n.any.concat(n.all)[0] || {}).message)]))"
    )
    return [f"{rule} ({impact}): {target}" for rule, impact, targets in found for target in targets]


def assert_no_console_errors(*pages) -> None:
    for page in pages:
        assert page.errors == [], f"{page.url} logged: {page.errors}"


@pytest.fixture
def published_event(api: Api):
    """published_event(rows=..., prices=..., organizer=...) -> an event on sale now (made through the API)."""

    def make(
        rows: tuple[tuple[str, int, str], ...] = (("A", 12, "Standard"), ("B", 12, "Standard"), ("C", 8, "Premium")),
        prices: dict[str, int] | None = None,
        title: str | None = None,
        organizer: User | None = None,
    ) -> Event:
        organizer = organizer or api.new_user("organizer")
        prices = prices or {"Standard": 4500, "Premium": 8900}
        layout = [
            {"name": "Stalls", "rows": [{"label": label, "seat_count": n, "category": c} for label, n, c in rows]}
        ]
        venue = api.post(
            "/api/venues",
            user=organizer,
            json={
                "name": "Test Hall",
                "city": "Leipzig",
                "address": "Markt 1",
                "timezone": "Europe/Berlin",
                "sections": layout,
            },
        )
        assert venue.status_code == 201, venue.text
        starts = datetime.now(UTC) + timedelta(days=30)
        title = title or f"Evening {uuid.uuid4().hex[:6]}"
        created = api.post(
            "/api/events",
            user=organizer,
            json={
                "title": title,
                "description": "A test evening.",
                "category": "concert",
                "performer": "The Testers",
                "venue_id": venue.json()["id"],
                "starts_at": starts.isoformat(),
                "currency": "EUR",
                "ends_at": (starts + timedelta(hours=3)).isoformat(),
                "max_tickets_per_order": 8,
                "price_categories": [{"category": c, "price": p} for c, p in prices.items()],
            },
        )
        assert created.status_code == 201, created.text
        event_id = created.json()["id"]
        assert api.post(f"/api/events/{event_id}/publish", user=organizer).status_code == 200
        seats = api.get(f"/api/events/{event_id}/seats").json()["seats"]
        return Event(event_id, title, [s["id"] for s in seats])

    return make


def lapse_hold_soon(stack, event_id: str, hold_id: str, in_ms: int = 1500) -> None:
    """Move a hold's expiry to `in_ms` from now (instead of waiting out its ten minutes); the
    booking service's sweeper then expires it as it would any lapsed hold."""
    import asyncio
    import time
    from concurrent.futures import ThreadPoolExecutor

    import coredis

    from boxoffice import keys

    async def move() -> None:
        client = coredis.Redis.from_url(stack.redis_url, decode_responses=True)
        async with client:
            at = int(time.time() * 1000) + in_ms
            await client.hset(keys.holds(event_id), {keys.hold_field(hold_id, "expires"): str(at)})
            await client.zadd(keys.hold_expiries(event_id), {hold_id: at})
            await client.zadd(keys.HOLD_EXPIRIES, {event_id: at})

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's event loop
        pool.submit(asyncio.run, move()).result()
