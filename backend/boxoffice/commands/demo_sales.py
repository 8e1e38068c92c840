"""Demo sales: some seats of the first demo events already sold, so the seat maps, the organizer's
sales view and search availability show a box office in business from the first minute."""

from __future__ import annotations

import random

from tortoise.transactions import in_transaction

from boxoffice.domain.accounts.models import User
from boxoffice.domain.events import service as events
from boxoffice.domain.events.models import Event, EventSeat, EventStatus
from boxoffice.domain.orders import repository as orders
from boxoffice.domain.orders.models import Order
from boxoffice.domain.outbox import repository as outbox

SOLD_SHARE = 0.2
EVENTS_WITH_SALES = 6
SEATS_PER_ORDER = 4


async def seed_sales(buyer_email: str) -> int:
    """Sell about a fifth of the seats of the first demo events to the demo buyer; idempotent."""
    buyer = await User.get(email=buyer_email)
    sold = 0
    published = Event.filter(status=EventStatus.PUBLISHED).order_by("starts_at").limit(EVENTS_WITH_SALES)
    for event in await published:
        if await Order.exists(event_id=event.id):
            continue
        sold += await sell_some(event, str(buyer.id))
    if sold:
        await outbox.notify()
    return sold


async def sell_some(event: Event, buyer_id: str) -> int:
    prices = {p["category"]: int(p["price"]) for p in event.price_categories}
    seats = await EventSeat.filter(event_id=event.id).order_by("id").values("id", "category")
    rng = random.Random(str(event.id))
    chosen = sorted(rng.sample(seats, int(len(seats) * SOLD_SHARE)), key=lambda s: s["id"])
    for start in range(0, len(chosen), SEATS_PER_ORDER):
        group = chosen[start : start + SEATS_PER_ORDER]
        order_id = await orders.create_pending(
            user_id=buyer_id,
            event_id=str(event.id),
            hold_id="demo-sale",
            currency=event.currency,
            prices={str(s["id"]): prices[s["category"]] for s in group},
            provider="simulated",
        )
        await orders.confirm(order_id=order_id)
    async with in_transaction():
        await events.refresh_search_document(event_id=str(event.id))
    return len(chosen)
