"""What the booking pages draw: the seat map, the buyer's basket, sales per category, QR codes.

Plain functions over the snapshot and order dicts, so the drawing rules have unit tests.
"""

from __future__ import annotations

from collections import Counter

import segno

from boxoffice.services.common.pages import PALETTE, money

SEAT_W, SEAT_H = 24, 22
PAD = 36
STATUS_WORDS = {"available": "available", "held": "held by another buyer", "booked": "sold", "mine": "in your basket"}


def seat_status(seat: dict) -> str:
    """available | held | booked | mine (a seat I hold; a seat I bought shows as sold)."""
    if seat.get("mine") and seat["status"] == "held":
        return "mine"
    return seat["status"]


def accessible_name(seat: dict, currency: str, status: str) -> str:
    return (
        f"{seat['section']}, row {seat['row']}, seat {seat['number']}, "
        f"{money(seat['price'], currency)}, {STATUS_WORDS[status]}"
    )


def seat_map(snapshot: dict) -> dict:
    """Seats with their colour class and accessible name, category legend, section and row labels."""
    seats, currency = snapshot["seats"], snapshot.get("currency", "EUR")
    categories = sorted({s["category"] for s in seats})
    index = {name: i for i, name in enumerate(categories)}
    prices = {s["category"]: s["price"] for s in seats}
    drawn = []
    for seat in seats:
        status = seat_status(seat)
        drawn.append(
            {
                "id": seat["id"],
                "x": seat["x"] + PAD,
                "y": seat["y"] + PAD,
                "c": index[seat["category"]] % len(PALETTE),
                "status": status,
                "label": accessible_name(seat, currency, status),
            }
        )
    width = max((s["x"] for s in drawn), default=0) + SEAT_W + PAD
    height = max((s["y"] for s in drawn), default=0) + SEAT_H + PAD
    return {
        "seats": drawn,
        "width": width,
        "height": height,
        "currency": currency,
        "legend": [
            {"name": name, "price": prices[name], "colour": PALETTE[i % len(PALETTE)], "c": i % len(PALETTE)}
            for i, name in enumerate(categories)
        ],
        "sections": _section_labels(seats),
        "rows": _row_labels(seats),
        "counts": Counter(seat_status(s) for s in seats),
    }


def _section_labels(seats: list[dict]) -> list[dict]:
    spans: dict[str, list[int]] = {}
    for seat in seats:
        x0, x1, y0 = spans.setdefault(seat["section"], [seat["x"], seat["x"], seat["y"]])
        spans[seat["section"]] = [min(x0, seat["x"]), max(x1, seat["x"]), min(y0, seat["y"])]
    return [
        {"name": name, "x": (x0 + x1 + SEAT_W) // 2 + PAD, "y": y0 + PAD - 9} for name, (x0, x1, y0) in spans.items()
    ]


def _row_labels(seats: list[dict]) -> list[dict]:
    first: dict[tuple[str, str], dict] = {}
    for seat in seats:
        key = (seat["section"], seat["row"])
        if key not in first or seat["x"] < first[key]["x"]:
            first[key] = seat
    return [{"label": row, "x": s["x"] + PAD - 8, "y": s["y"] + PAD + SEAT_H // 2 + 3} for (_, row), s in first.items()]


def basket(hold: dict | None, snapshot: dict) -> dict | None:
    """The buyer's held seats with prices and the total, or None without a hold."""
    if hold is None:
        return None
    by_id = {s["id"]: s for s in snapshot["seats"]}
    seats = [by_id[i] for i in hold["seat_ids"] if i in by_id]
    return {
        "id": hold["id"],
        "expires_at": hold["expires_at"],
        "seats": seats,
        "total": sum(s["price"] for s in seats),
        "currency": snapshot.get("currency", "EUR"),
    }


def sales(snapshot: dict) -> dict:
    """Sold / held / free seats per category (a seat held by anyone counts as held)."""
    rows: dict[str, Counter] = {}
    for seat in snapshot["seats"]:
        rows.setdefault(seat["category"], Counter())[seat["status"]] += 1
    table = [
        {
            "category": name,
            "sold": c["booked"],
            "held": c["held"],
            "free": c["available"],
            "total": sum(c.values()),
            "revenue": c["booked"] * _price(snapshot, name),
        }
        for name, c in sorted(rows.items())
    ]
    total = {key: sum(row[key] for row in table) for key in ("sold", "held", "free", "total", "revenue")}
    return {"rows": table, "total": total, "currency": snapshot.get("currency", "EUR")}


def _price(snapshot: dict, category: str) -> int:
    return next((s["price"] for s in snapshot["seats"] if s["category"] == category), 0)


def qr_svg(code: str) -> str:
    """A ticket's code as an inline SVG QR code (no XML declaration, scalable)."""
    return segno.make(code, error="m").svg_inline(scale=4, border=2, dark="#0f172a", omitsize=True)
