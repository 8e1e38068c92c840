"""Seat maps: the seats of a venue layout, labelled `<row>-<number>`, with positions for drawing.

Sections are stacked top to bottom (the stage is above the first section); each row is centred on
the widest row of the venue, so a drawing in seat units needs no further layout.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

SEAT_PITCH = 30  # x distance between neighbouring seats
ROW_PITCH = 32  # y distance between rows of a section
SECTION_GAP = 48  # extra y space between sections
MARGIN = 20


@dataclass(frozen=True, slots=True)
class Seat:
    label: str
    section: str
    row: str
    number: int
    category: str
    x: int
    y: int

    def as_dict(self) -> dict:
        return asdict(self)


def seat_label(row: str, number: int) -> str:
    return f"{row}-{number}"


def layout(sections: Iterable[dict]) -> Iterator[Seat]:
    """Every seat of `sections` ([{name, rows: [{label, seat_count, category}]}]), in drawing order."""
    sections = list(sections)
    widest = max((row["seat_count"] for s in sections for row in s["rows"]), default=0)
    y = MARGIN
    for section in sections:
        for row in section["rows"]:
            offset = MARGIN + (widest - row["seat_count"]) * SEAT_PITCH // 2
            for number in range(1, row["seat_count"] + 1):
                yield Seat(
                    seat_label(row["label"], number),
                    section["name"],
                    row["label"],
                    number,
                    row["category"],
                    offset + (number - 1) * SEAT_PITCH,
                    y,
                )
            y += ROW_PITCH
        y += SECTION_GAP


def seat_total(sections: Iterable[dict]) -> int:
    return sum(row["seat_count"] for s in sections for row in s["rows"])


def categories(sections: Iterable[dict]) -> set[str]:
    return {row["category"] for s in sections for row in s["rows"]}
