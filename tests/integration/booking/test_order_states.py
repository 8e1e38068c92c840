"""Money and tickets always agree: an order stopped at any step, or two actors meeting on one order,
ends confirmed with valid tickets and a charge, or failed / cancelled with void tickets and no charge
or a refund. Domain calls against the test stack's PostgreSQL and Redis, with steps stopped or held
at will (the services of the stack run their own reconciler too, but only for orders older than
BOXOFFICE_RECONCILE_AFTER_S: these tests finish their orders themselves)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

import pytest

from boxoffice.domain.orders import repository
from boxoffice.domain.orders import service as orders
from boxoffice.domain.payments.provider import Card, Declined
from boxoffice.errors import EventClosed, PaymentDeclined
from tests.integration.booking.factories import set_event

CARD = Card("4242424242424242", "12/39", "123")


class Crash(Exception):
    """The process dies here (as far as this order is concerned)."""


def stop_after(monkeypatch, owner, name: str, error: BaseException | type[BaseException] = Crash) -> list:
    """Make `owner.name` do its work, then raise `error` (a crash, or a cancelled request); the list
    returned records each stop."""
    real, stops = getattr(owner, name), []

    async def stopped(*args, **kwargs):
        await real(*args, **kwargs)
        stops.append(name)
        raise error

    monkeypatch.setattr(owner, name, stopped)
    return stops


class Gate:
    """Holds one actor at a point until the test lets it go."""

    def __init__(self):
        self.reached, self.opened = asyncio.Event(), asyncio.Event()

    def before(self, real):
        async def held(*args, **kwargs):
            self.reached.set()
            await self.opened.wait()
            return await real(*args, **kwargs)

        return held

    def after(self, real):
        async def held(*args, **kwargs):
            result = await real(*args, **kwargs)
            self.reached.set()
            await self.opened.wait()
            return result

        return held

    async def wait(self) -> None:
        await asyncio.wait_for(self.reached.wait(), 10)


class Provider:
    """The stack's simulated provider, with any of its calls replaced (its ledger is shared)."""

    def __init__(self, real, **calls):
        self._real = real
        self.name = real.name
        for name in ("charge", "void", "lookup", "refund", "refunded"):
            setattr(self, name, calls.get(name) or getattr(real, name))


async def assert_consistent(domain, order_id: str) -> dict:
    """The order is final, and its money, tickets and seats agree; returns the order."""
    order = await repository.get_order(order_id)
    tickets = (await repository.tickets_of([order_id]))[order_id]
    charge = await domain.checkout.provider.lookup(reference=order_id)
    charged = bool(charge and charge.charge_ref)
    refund = await domain.checkout.provider.refunded(reference=order_id)
    snapshot = await domain.holds.snapshot(event_id=str(order["event_id"]), user_id=str(order["user_id"]))
    seats = {s["id"]: s for s in snapshot["seats"]}
    mine_booked = {
        str(t["seat_id"])
        for t in tickets
        if seats[str(t["seat_id"])]["status"] == "booked" and seats[str(t["seat_id"])]["mine"]
    }
    state = (order["status"], {t["status"] for t in tickets}, charged, bool(refund))
    if order["status"] == "confirmed":
        assert state[1:] == ({"valid"}, True, False), state
        assert order["payment_ref"] == charge.charge_ref
        assert mine_booked == {str(t["seat_id"]) for t in tickets}
    elif order["status"] in ("failed", "cancelled"):
        assert state[1] == {"void"}, state
        assert not charged or (
            refund and order["refund_ref"] == refund["refund_ref"] and refund["amount"] == int(order["total"])
        ), state
        assert not mine_booked, state
    else:
        pytest.fail(f"order left {state}")
    return order


async def start_checkout(domain, event, seat: str) -> tuple[str, str, str]:
    """A buyer's hold in checkout and its pending order: (user id, hold id, order id)."""
    user = str(uuid.uuid4())
    hold = await domain.holds.create(user_id=user, event_id=event.id, seat_ids=[seat])
    await domain.holds.begin_checkout(user_id=user, hold_id=hold.id)
    order_id = await repository.create_pending(
        user_id=user, event_id=event.id, hold_id=hold.id, prices={seat: 5000}, currency="EUR", provider="simulated"
    )
    return user, hold.id, order_id


async def confirmed_order(domain, event, seat: str) -> str:
    user = str(uuid.uuid4())
    hold = await domain.holds.create(user_id=user, event_id=event.id, seat_ids=[seat])
    return (await orders.place_order(user_id=user, hold_id=hold.id, card=CARD, deps=domain.checkout))["id"]


# --- a checkout stopped at each step ----------------------------------------------------------------

CHECKOUT_STEPS = {
    "order written": (repository, "create_pending"),
    "charged": ("provider", "charge"),
    "charge recorded": (repository, "record_charge"),
    "seats booked": ("holds", "book"),
}


@pytest.mark.parametrize("how", [Crash, asyncio.CancelledError], ids=["crash", "client gone"])
@pytest.mark.parametrize("step", list(CHECKOUT_STEPS))
async def test_a_checkout_stopped_after_any_step_is_finished_by_the_reconciler_and_a_late_charge_changes_nothing(
    step, how, monkeypatch, event, domain
):
    user, seat = str(uuid.uuid4()), event.rows["A"][list(CHECKOUT_STEPS).index(step)]
    hold = await domain.holds.create(user_id=user, event_id=event.id, seat_ids=[seat])
    owner, name = CHECKOUT_STEPS[step]
    stop_after(monkeypatch, {"provider": domain.checkout.provider, "holds": domain.holds}.get(owner, owner), name, how)
    with pytest.raises(how):
        await orders.place_order(user_id=user, hold_id=hold.id, card=CARD, deps=domain.checkout)
    monkeypatch.undo()
    order_id = str((await repository.live_order_for_hold(user_id=user, hold_id=hold.id))["id"])
    await orders.reconcile(older_than_s=0, deps=domain.checkout)
    order = await assert_consistent(domain, order_id)
    assert order["status"] == ("failed" if step == "order written" else "confirmed")
    try:  # the buyer's own request, arriving late, can no longer charge a given-up order
        await domain.checkout.provider.charge(reference=order_id, amount=5000, currency="EUR", card=CARD)
    except Declined:
        pass
    await assert_consistent(domain, order_id)


# --- a cancellation stopped at each step ------------------------------------------------------------

CANCEL_STEPS = {
    "cancelling written": (repository, "start_cancelling"),
    "refunded": ("provider", "refund"),
    "seats released": ("holds", "cancel_seats"),
}


@pytest.mark.parametrize("how", [Crash, asyncio.CancelledError], ids=["crash", "client gone"])
@pytest.mark.parametrize("step", list(CANCEL_STEPS))
async def test_a_cancellation_stopped_after_any_step_is_finished_by_the_reconciler_refunding_once(
    step, how, monkeypatch, event, domain
):
    seat = event.rows["B"][list(CANCEL_STEPS).index(step)]
    order_id = await confirmed_order(domain, event, seat)
    order = await repository.get_order(order_id)
    owner, name = CANCEL_STEPS[step]
    stop_after(monkeypatch, {"provider": domain.checkout.provider, "holds": domain.holds}.get(owner, owner), name, how)
    with pytest.raises(how):
        await orders.cancel_order(user_id=str(order["user_id"]), order_id=order_id, deps=domain.checkout)
    monkeypatch.undo()
    await orders.reconcile(older_than_s=0, deps=domain.checkout)
    order = await assert_consistent(domain, order_id)
    assert order["status"] == "cancelled"
    snapshot = await domain.holds.snapshot(event_id=event.id, user_id=None)
    assert {s["id"]: s["status"] for s in snapshot["seats"]}[seat] == "available"


async def test_a_buyer_who_hangs_up_mid_cancellation_still_gets_the_whole_cancellation(event, domain):
    seat = event.rows["B"][5]
    order_id = await confirmed_order(domain, event, seat)
    user = str((await repository.get_order(order_id))["user_id"])
    gate = Gate()
    deps = replace(
        domain.checkout,
        provider=Provider(domain.checkout.provider, refund=gate.before(domain.checkout.provider.refund)),
    )
    request = asyncio.ensure_future(orders.cancel_order(user_id=user, order_id=order_id, deps=deps))
    await gate.wait()
    request.cancel()  # what Sanic does to the handler when the client disconnects
    gate.opened.set()
    with pytest.raises(asyncio.CancelledError):
        await request
    for _ in range(50):  # no reconciler: the cancellation itself runs to its end
        if (await repository.get_order(order_id))["status"] == "cancelled":
            break
        await asyncio.sleep(0.05)
    assert (await assert_consistent(domain, order_id))["status"] == "cancelled"


# --- races ----------------------------------------------------------------------------------------


async def test_the_reconciler_giving_up_first_makes_a_late_charge_fail_instead_of_charging_a_failed_order(
    event, domain
):
    user, hold_id, order_id = await start_checkout(domain, event, event.rows["C"][0])
    gate = Gate()  # the buyer's retry is about to charge ...
    retry_deps = replace(
        domain.checkout,
        provider=Provider(domain.checkout.provider, charge=gate.before(domain.checkout.provider.charge)),
    )
    retry = asyncio.ensure_future(orders.place_order(user_id=user, hold_id=hold_id, card=CARD, deps=retry_deps))
    await gate.wait()
    await orders.reconcile(older_than_s=0, deps=domain.checkout)  # ... when the reconciler gives the order up
    gate.opened.set()
    with pytest.raises(PaymentDeclined):
        await retry
    assert (await assert_consistent(domain, order_id))["status"] == "failed"


async def test_the_reconciler_meeting_a_retry_that_has_charged_confirms_with_it(event, domain):
    user, hold_id, order_id = await start_checkout(domain, event, event.rows["C"][1])
    gate = Gate()  # the retry has charged the card ...
    retry_deps = replace(
        domain.checkout, provider=Provider(domain.checkout.provider, charge=gate.after(domain.checkout.provider.charge))
    )
    retry = asyncio.ensure_future(orders.place_order(user_id=user, hold_id=hold_id, card=CARD, deps=retry_deps))
    await gate.wait()
    await orders.reconcile(older_than_s=0, deps=domain.checkout)  # ... when the reconciler looks at the order
    gate.opened.set()
    assert (await retry)["status"] == "confirmed"
    assert (await assert_consistent(domain, order_id))["status"] == "confirmed"


async def test_a_retry_confirming_while_the_reconciler_fails_the_order_ends_consistent(event, domain):
    user, hold_id, order_id = await start_checkout(domain, event, event.rows["C"][2])
    gate = Gate()  # the reconciler has decided the order was never paid, and is about to write so ...
    reconciler_deps = replace(
        domain.checkout, provider=Provider(domain.checkout.provider, void=gate.after(domain.checkout.provider.void))
    )
    reconciler = asyncio.ensure_future(orders.reconcile(older_than_s=0, deps=reconciler_deps))
    await gate.wait()
    try:  # ... while the buyer's retry pays and confirms
        await orders.place_order(user_id=user, hold_id=hold_id, card=CARD, deps=domain.checkout)
    except PaymentDeclined:
        pass
    gate.opened.set()
    await reconciler
    await assert_consistent(domain, order_id)


async def test_a_failing_write_that_arrives_after_the_confirmation_changes_nothing(event, domain):
    order_id = await confirmed_order(domain, event, event.rows["C"][3])
    assert not await repository.fail(order_id=order_id, reason="abandoned")  # a stale reconciler's write
    assert (await assert_consistent(domain, order_id))["status"] == "confirmed"


async def test_no_order_is_written_for_a_cancelled_event_even_when_redis_still_lets_the_checkout_through(event, domain):
    user = str(uuid.uuid4())
    seat = event.rows["C"][4]
    hold = await domain.holds.create(user_id=user, event_id=event.id, seat_ids=[seat])
    await set_event(event.id, status="cancelled")  # committed; its job has not closed Redis yet
    with pytest.raises(EventClosed):
        await repository.create_pending(
            user_id=user, event_id=event.id, hold_id=hold.id, prices={seat: 5000}, currency="EUR", provider="simulated"
        )
    assert await repository.live_order_for_hold(user_id=user, hold_id=hold.id) is None


@pytest.mark.parametrize("first", ["event cancellation", "checkout"])
async def test_an_event_cancellation_meeting_a_checkout_between_charge_and_confirm_refunds_it_once(
    first, event, domain
):
    user, hold_id, order_id = await start_checkout(domain, event, event.rows["C"][5])
    gate = Gate()  # the checkout has charged the card and is about to book and confirm ...
    checkout_deps = replace(
        domain.checkout, provider=Provider(domain.checkout.provider, charge=gate.after(domain.checkout.provider.charge))
    )
    checkout = asyncio.ensure_future(orders.place_order(user_id=user, hold_id=hold_id, card=CARD, deps=checkout_deps))
    await gate.wait()
    await set_event(event.id, status="cancelled")  # ... when the organizer cancels
    if first == "checkout":
        gate.opened.set()
        with pytest.raises(EventClosed) as closed:
            await checkout
        await orders.settle_cancelled_event(event_id=event.id, deps=domain.checkout)
    else:
        await orders.settle_cancelled_event(event_id=event.id, deps=domain.checkout)
        gate.opened.set()
        with pytest.raises(EventClosed) as closed:
            await checkout
    assert closed.value.extra == {"refunded": True}
    assert (await assert_consistent(domain, order_id))["status"] == "cancelled"
