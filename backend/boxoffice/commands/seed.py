"""Demo data: accounts, venues in several cities with their seat maps, and published events.

`--size small` (30 events, the default), `medium` (2,000) or a number (100000 works). Idempotent: ids
are derived from names and positions (uuid5), rows that exist are skipped, so running it twice, or
growing small -> 100000, inserts only what is missing.

Search: every inserted event gets its outbox row in the same transaction as the event (version 1),
and the relays are woken at the end; they drain the backlog in bulk (about a minute for 100k on a
small machine), so there is one path into Elasticsearch and no second writer to keep consistent.
"""

from __future__ import annotations

import json
import random
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from boxoffice.commands.demo_sales import seed_sales
from boxoffice.config import Config
from boxoffice.db import tortoise_config
from boxoffice.domain.accounts.models import User
from boxoffice.domain.events import repository as events
from boxoffice.domain.events.models import Event, EventCategory, EventStatus, Venue
from boxoffice.domain.outbox import repository as outbox
from boxoffice.domain.search.documents import event_document
from boxoffice.domain.venues import repository as venues
from boxoffice.domain.venues.seatmap import layout
from boxoffice.infra.passwords import Passwords

DEMO_PASSWORD = "boxoffice-demo"
DEMO_USERS = (
    ("organizer@example.com", "Olivia Organizer", "organizer"),
    ("buyer@example.com", "Bob Buyer", "buyer"),
    ("buyer2@example.com", "Bea Buyer", "buyer"),
    ("operator@example.com", "Otto Operator", "operator"),
)
SIZES = {"small": 30, "medium": 2000}
BATCH = 1000
BIG_VENUE_EVENTS = 300  # past this many events, new events go to the small club venues (seat copies stay cheap)
NAMESPACE = uuid.UUID("6c1d3b52-8a0e-4f43-9d6e-0b7c1f0e5a11")


async def seed(config: Config, *, size: str = "small") -> None:
    count = parse_size(size)
    await Tortoise.init(config=tortoise_config(config.database_url))
    try:
        await seed_accounts(config)
        owner = await User.get(email=DEMO_USERS[0][0])
        venue_rows = await seed_venues(str(owner.id))
        added = await seed_events(str(owner.id), venue_rows, count)
        print(f"demo events: {count} wanted, {added} added; the outbox relays index them in the background")
        sold = await seed_sales(DEMO_USERS[2][0])
        print(f"demo sales: {sold} seats sold" if sold else "demo sales: already there")
    finally:
        await Tortoise.close_connections()


def parse_size(size: str) -> int:
    if size in SIZES:
        return SIZES[size]
    if size.isdigit() and int(size) > 0:
        return int(size)
    raise SystemExit(f"--size must be small, medium or a positive number, not {size!r}")


async def seed_accounts(config: Config) -> None:
    passwords = Passwords(time_cost=config.argon2_time_cost, memory_kib=config.argon2_memory_kib)
    for email, name, role in DEMO_USERS:
        if not await User.exists(email=email):
            await User.create(email=email, name=name, roles=[role], password_hash=await passwords.hash(DEMO_PASSWORD))
    print(f"demo accounts: {', '.join(e for e, _, _ in DEMO_USERS)} (password {DEMO_PASSWORD})")


# --- venues ------------------------------------------------------------------------------------


def rows(prefix: str, count: int, seats: int, category: str, *, start: int = 0) -> list[dict]:
    labels = "ABCDEFGHJKLMNOPQRSTUVWXYZ"
    return [{"label": f"{prefix}{labels[start + i]}", "seat_count": seats, "category": category} for i in range(count)]


def arena(name: str, city: str, address: str, tz: str) -> dict:
    sections = [
        {"name": "Floor", "rows": rows("F", 6, 40, "floor")},
        {"name": "Lower Tier", "rows": rows("L", 8, 50, "premium")},
        {"name": "Upper Tier", "rows": rows("U", 10, 60, "standard")},
    ]
    return {"name": name, "city": city, "address": address, "timezone": tz, "sections": sections}


def theatre(name: str, city: str, address: str, tz: str) -> dict:
    sections = [
        {"name": "Stalls", "rows": rows("", 4, 24, "premium") + rows("", 8, 28, "standard", start=4)},
        {"name": "Balcony", "rows": rows("B", 6, 30, "restricted")},
    ]
    return {"name": name, "city": city, "address": address, "timezone": tz, "sections": sections}


def club(name: str, city: str, address: str, tz: str) -> dict:
    sections = [
        {"name": "Room", "rows": rows("", 3, 12, "standard")},
        {"name": "Gallery", "rows": rows("G", 1, 12, "premium")},
    ]
    return {"name": name, "city": city, "address": address, "timezone": tz, "sections": sections}


VENUES = [
    arena("Hallenstadion", "Zürich", "Wallisellenstrasse 45", "Europe/Zurich"),
    theatre("Schauspielhaus", "Zürich", "Rämistrasse 34", "Europe/Zurich"),
    arena("Mercedes-Benz Arena", "Berlin", "Mercedes-Platz 1", "Europe/Berlin"),
    theatre("Volksbühne", "Berlin", "Linienstraße 227", "Europe/Berlin"),
    club("SO36", "Berlin", "Oranienstraße 190", "Europe/Berlin"),
    arena("Olympiahalle", "München", "Spiridon-Louis-Ring 21", "Europe/Berlin"),
    club("Ampere", "München", "Zellstraße 4", "Europe/Berlin"),
    theatre("Theatre Royal Drury Lane", "London", "Catherine St", "Europe/London"),
    arena("The O2", "London", "Peninsula Square", "Europe/London"),
    club("The Jazz Cafe", "London", "5 Parkway, Camden", "Europe/London"),
    theatre("Palais Garnier", "Paris", "Place de l'Opéra", "Europe/Paris"),
    club("La Cigale", "Paris", "120 Bd de Rochechouart", "Europe/Paris"),
    arena("Ziggo Dome", "Amsterdam", "De Passage 100", "Europe/Amsterdam"),
    club("Paradiso", "Amsterdam", "Weteringschans 6-8", "Europe/Amsterdam"),
    theatre("Teatro Real", "Madrid", "Plaza de Isabel II", "Europe/Madrid"),
    arena("Lanxess Arena", "Köln", "Willy-Brandt-Platz 3", "Europe/Berlin"),
    club("Gebäude 9", "Köln", "Deutz-Mülheimer Str. 127", "Europe/Berlin"),
    theatre("Wiener Staatsoper", "Wien", "Opernring 2", "Europe/Vienna"),
]


@dataclass(frozen=True, slots=True)
class SeededVenue:
    venue: Venue
    categories: tuple[str, ...]
    small: bool


async def seed_venues(owner_id: str) -> list[SeededVenue]:
    seeded = []
    for spec in VENUES:
        venue_id = uuid.uuid5(NAMESPACE, f"venue:{spec['name']}:{spec['city']}")
        venue = await venues.get(str(venue_id))
        if venue is None:
            seats = list(layout(spec["sections"]))
            async with in_transaction():
                venue = await Venue.create(
                    id=venue_id,
                    owner_id=owner_id,
                    name=spec["name"],
                    city=spec["city"],
                    address=spec["address"],
                    timezone=spec["timezone"],
                    sections=spec["sections"],
                    seat_count=len(seats),
                )
                await venues.insert_seats(str(venue.id), seats)
        categories = tuple(dict.fromkeys(r["category"] for s in spec["sections"] for r in s["rows"]))
        seeded.append(SeededVenue(venue, categories, small=venue.seat_count < 100))
    return seeded


# --- events ------------------------------------------------------------------------------------

PERFORMERS: dict[EventCategory, list[str]] = {
    EventCategory.CONCERT: [
        "Beyoncé",
        "Taylor Swift",
        "Motörhead Tribute Band",
        "Sigur Rós",
        "Björk",
        "Röyksopp",
        "Céline Dion",
        "Mötley Crüe Revival",
        "The Zürich Philharmonic",
        "Rosalía",
        "Daft Punk Live Set",
        "Ólafur Arnalds",
        "Khruangbin",
        "Arctic Monkeys",
        "Billie Eilish",
        "Stromae",
    ],
    EventCategory.THEATRE: [
        "Hamlet",
        "Les Misérables",
        "The Phantom of the Opera",
        "Faust",
        "Cyrano de Bergerac",
        "A Midsummer Night's Dream",
        "Die Dreigroschenoper",
        "Don Giovanni",
    ],
    EventCategory.SPORTS: [
        "FC Zürich vs. Young Boys",
        "Alba Berlin vs. Bayern Basketball",
        "ZSC Lions vs. HC Davos",
        "Ajax vs. PSV",
        "Kölner Haie vs. Eisbären Berlin",
        "Real Madrid Legends",
    ],
    EventCategory.COMEDY: ["Hannah Gadsby", "Dylan Moran", "Florence Foresti", "Hazel Brugger", "Eddie Izzard"],
    EventCategory.FAMILY: ["Disney on Ice", "Cirque du Soleil: Kooza", "The Gruffalo Live", "Paw Patrol Live"],
    EventCategory.FESTIVAL: ["Street Parade Warm-up", "Fête de la Musique Night", "Jazz Weekend", "Electronic Nights"],
    EventCategory.OTHER: ["An Evening with David Attenborough", "TED Live", "Magic of Chess Simultaneous Exhibition"],
}
SHOW_WORDS = ["World Tour", "Live", "in Concert", "Unplugged", "Anniversary Show", "Farewell Tour", "Night", "Special"]
CATEGORY_PRICE = {"floor": 8900, "premium": 12900, "standard": 5900, "restricted": 3500}
CURRENCY = {"London": "GBP", "Zürich": "CHF"}


def event_id(i: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"event:{i}")


def pick_venue(rng: random.Random, i: int, seeded: list[SeededVenue]) -> SeededVenue:
    pool = seeded if i < BIG_VENUE_EVENTS else [v for v in seeded if v.small]
    return rng.choice(pool)


def make_event(i: int, seeded: list[SeededVenue], owner_id: str, today: datetime) -> tuple[Event, Venue]:
    """The i-th demo event: the same every run (its random choices are seeded with i)."""
    rng = random.Random(i)
    category = rng.choice(list(PERFORMERS))
    performer = rng.choice(PERFORMERS[category])
    spot = pick_venue(rng, i, seeded)
    starts = today + timedelta(days=rng.randint(3, 270), hours=rng.choice((18, 19, 20)), minutes=rng.choice((0, 30)))
    title = (
        performer
        if category in (EventCategory.THEATRE, EventCategory.SPORTS)
        else f"{performer} {rng.choice(SHOW_WORDS)}"
    )
    factor = rng.uniform(0.7, 1.6)
    prices = [{"category": c, "price": int(CATEGORY_PRICE[c] * factor) // 100 * 100 + 90} for c in spot.categories]
    event = Event(
        id=event_id(i),
        owner_id=owner_id,
        venue_id=spot.venue.id,
        title=title,
        description=f"{performer} at {spot.venue.name}, {spot.venue.city}. {category.value.title()} night.",
        category=category,
        performer=performer,
        starts_at=starts,
        ends_at=starts + timedelta(hours=rng.choice((2, 3, 4))),
        on_sale_at=None,
        currency=CURRENCY.get(spot.venue.city, "EUR"),
        price_categories=prices,
        status=EventStatus.PUBLISHED,
        seat_count=spot.venue.seat_count,
        published_at=today,
    )
    return event, spot.venue


async def seed_events(owner_id: str, seeded: list[SeededVenue], count: int) -> int:
    """Insert the missing ones of the first `count` demo events, BATCH at a time, each batch one transaction."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    bar, added = Progress(count, "events"), 0
    for start in range(0, count, BATCH):
        made = [make_event(i, seeded, owner_id, today) for i in range(start, min(count, start + BATCH))]
        added += await insert_batch(owner_id, made)
        bar.update(start + len(made))
    bar.done()
    if added:
        await outbox.notify()
    return added


async def insert_batch(owner_id: str, made: list[tuple[Event, Venue]]) -> int:
    columns = {
        "id": [e.id for e, _ in made],
        "venue_id": [v.id for _, v in made],
        "title": [e.title for e, _ in made],
        "description": [e.description for e, _ in made],
        "category": [e.category.value for e, _ in made],
        "performer": [e.performer for e, _ in made],
        "starts_at": [e.starts_at for e, _ in made],
        "ends_at": [e.ends_at for e, _ in made],
        "currency": [e.currency for e, _ in made],
        "prices": [json.dumps(e.price_categories) for e, _ in made],
        "status": [e.status.value for e, _ in made],
        "seat_count": [e.seat_count for e, _ in made],
        "published_at": [e.published_at for e, _ in made],
    }
    async with in_transaction() as conn:
        inserted = {event for event, _ in await events.insert_many(owner_id, columns)}
        rows = [
            (str(e.id), "event.upserted", 1, json.dumps(event_document(e, v, sold=0)))
            for e, v in made
            if str(e.id) in inserted
        ]
        if rows:
            await outbox.add_many(conn, rows)
    return len(inserted)


class Progress:
    """A progress bar on stderr, redrawn in place with `\\r` (no dependency for one line of text)."""

    def __init__(self, total: int, what: str, width: int = 30):
        self.total, self.what, self.width = total, what, width
        self.started = time.monotonic()
        self.live = sys.stderr.isatty()

    def update(self, done: int) -> None:
        filled = int(self.width * done / max(1, self.total))
        rate = done / max(1e-9, time.monotonic() - self.started)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} {self.what} ({rate:,.0f}/s)"
        if self.live:
            sys.stderr.write("\r" + line)
        elif done == self.total or done % (BATCH * 10) == 0:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def done(self) -> None:
        if self.live:
            sys.stderr.write("\n")
        sys.stderr.flush()
