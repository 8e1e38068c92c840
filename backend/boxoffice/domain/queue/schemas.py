"""What the waiting room works with: an event's settings and a buyer's place."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

DEFAULT_ADMIT_PER_MINUTE = 100
DEFAULT_ADMISSION_MINUTES = 10
KEEP_AFTER_END_MS = 86_400_000  # queue keys outlive the event by a day, then Redis drops them


def ms_of(value: str | None) -> int:
    """RFC 3339 -> epoch ms (0 for none: on sale since forever)."""
    if not value:
        return 0
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)


def rfc3339_ms(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def waiting_room_on(settings: dict | None) -> bool:
    """Whether an event's `waiting_room` settings turn the room on (then seat-taking writes need an
    admission: the gateway reads them from the events service, booking from its catalog)."""
    return bool(isinstance(settings, dict) and settings.get("enabled"))


@dataclass(frozen=True, slots=True)
class WaitingRoom:
    """One event's waiting-room settings, as the events service stores them."""

    event_id: str
    admit_per_minute: int
    admission_minutes: int
    on_sale_ms: int
    ends_ms: int
    owner_id: str = ""

    @classmethod
    def of_event(cls, event: dict) -> WaitingRoom | None:
        """The room of a published event whose organizer enabled one, else None."""
        settings = event.get("waiting_room")
        if not waiting_room_on(settings) or event.get("status") != "published":
            return None
        return cls(
            event_id=event["id"],
            admit_per_minute=int(settings.get("admit_per_minute") or DEFAULT_ADMIT_PER_MINUTE),
            admission_minutes=int(settings.get("admission_minutes") or DEFAULT_ADMISSION_MINUTES),
            on_sale_ms=ms_of(event.get("on_sale_at")),
            ends_ms=ms_of(event.get("ends_at")),
            owner_id=str(event.get("owner_id") or ""),
        )

    @property
    def admission_ms(self) -> int:
        return self.admission_minutes * 60_000

    def keep_ms(self, now_ms: int) -> int:
        return max(self.ends_ms - now_ms, 0) + KEEP_AFTER_END_MS

    def seconds_for(self, buyers: float) -> int:
        """How long admitting `buyers` takes at this room's rate."""
        return math.ceil(buyers * 60 / self.admit_per_minute)


@dataclass(frozen=True, slots=True)
class Place:
    """A buyer's place: `position` is its number in line (1 = first, never changed), `ahead` how many
    still wait before it; both None while early (the shuffle has not happened)."""

    status: str  # early | waiting | admitted | expired
    position: int | None
    ahead: int | None
    estimated_wait_s: int
    admission_token: str | None = None
    admission_expires_ms: int | None = None

    def public(self) -> dict:
        body = {
            "status": self.status,
            "position": self.position,
            "ahead": self.ahead,
            "estimated_wait_s": self.estimated_wait_s,
        }
        if self.admission_token:
            body["admission_token"] = self.admission_token
            body["admission_expires_at"] = rfc3339_ms(self.admission_expires_ms or 0)
        return body
