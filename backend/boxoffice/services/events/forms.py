"""The organizer's HTML forms turned into API bodies: the venue builder and the event form.

People think in sections of N rows of M seats, prices in whole currency units and local times at
the venue; the API wants rows with unique labels, minor units and RFC 3339 instants.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

_SECTION_KEY = re.compile(r"^sections-(\d+)-(\w+)$")
MINOR_DIGITS = {"JPY": 0, "KRW": 0, "ISK": 0, "BHD": 3, "KWD": 3}
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY", "CAD", "AUD")
TIMEZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Athens",
    "Europe/Helsinki",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Australia/Sydney",
    "UTC",
)
DEFAULT_SECTIONS = [
    {"name": "Stalls", "rows": 8, "seats": 20, "category": "Standard"},
    {"name": "Balcony", "rows": 4, "seats": 16, "category": "Premium"},
]


def row_label(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet-style, unique across the venue."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(65 + rest) + label
    return label


def builder_sections(form: dict[str, list[str]]) -> list[dict]:
    """The section cards of the builder, in order (removed cards leave gaps in the indexes)."""
    cards: dict[int, dict] = {}
    for key, values in form.items():
        match = _SECTION_KEY.match(key)
        if match:
            cards.setdefault(int(match.group(1)), {})[match.group(2)] = (values[0] if values else "").strip()
    return [cards[i] for i in sorted(cards)]


def to_count(value: str, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def layout_sections(cards: list[dict]) -> list[dict]:
    """Cards (name, rows, seats, category) as API sections, row labels lettered across the venue."""
    sections, next_row = [], 0
    for card in cards:
        rows = []
        for _ in range(max(0, min(to_count(card.get("rows")), 200))):
            rows.append(
                {
                    "label": row_label(next_row),
                    "seat_count": to_count(card.get("seats")),
                    "category": card.get("category", ""),
                }
            )
            next_row += 1
        sections.append({"name": card.get("name", ""), "rows": rows})
    return sections


def cards_of(sections: list[dict]) -> list[dict]:
    """API sections back to builder cards (uniform rows assumed)."""
    return [
        {
            "name": s["name"],
            "rows": len(s["rows"]),
            "seats": s["rows"][0]["seat_count"] if s["rows"] else 0,
            "category": s["rows"][0]["category"] if s["rows"] else "",
        }
        for s in sections
    ]


def card_field(api_field: str) -> str:
    """An API error field (sections.1.rows.0.seat_count) as the builder's input name (sections-1-seats)."""
    parts = api_field.split(".")
    if len(parts) >= 2 and parts[0] == "sections" and parts[1].isdigit():
        leaf = {"seat_count": "seats", "category": "category", "name": "name", "label": "rows", "rows": "rows"}
        return f"sections-{parts[1]}-{leaf.get(parts[-1], 'rows')}"
    return api_field


def to_minor(amount: str, currency: str) -> int | str:
    """'45' or '45.50' in `currency` as minor units; what cannot be read is passed on to fail validation."""
    try:
        value = Decimal(amount.replace(",", ".").strip())
    except (InvalidOperation, AttributeError):
        return amount
    return int((value * 10 ** MINOR_DIGITS.get(currency, 2)).to_integral_value())


def from_minor(amount: int, currency: str) -> str:
    digits = MINOR_DIGITS.get(currency, 2)
    return f"{amount / 10**digits:.{digits}f}"


def local_instant(value: str, timezone: str) -> str | None:
    """A datetime-local input ('2026-12-01T20:00') at the venue, as RFC 3339 with its offset."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.isoformat()


def local_input(value: str | None, timezone: str) -> str:
    """An RFC 3339 instant as a datetime-local input value at the venue."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(ZoneInfo(timezone))
    return moment.strftime("%Y-%m-%dT%H:%M")
