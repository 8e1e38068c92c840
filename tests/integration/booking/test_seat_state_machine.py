"""A Hypothesis state machine over hold / add / drop / extend / release / expire / order / cancel,
run against the domain with the test stack's real Redis and PostgreSQL.

After every step: each seat is in exactly one state and that state is the model's; Redis shows a
seat booked exactly when PostgreSQL has a valid ticket for it; no seat is ever in two valid tickets.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from tortoise.connection import get_connection

from boxoffice import keys
from boxoffice.domain.holds.sweeper import sweep_event
from boxoffice.domain.orders import service as orders
from boxoffice.domain.payments.provider import Card
from boxoffice.errors import BoxOfficeError
from tests.integration.booking.factories import make_event

BUYERS = 3
GOOD = Card("4242424242424242", "12/39", "123")
DECLINED = Card("4000000000000002", "12/39", "123")


async def valid_tickets(event_id: str) -> list[dict]:
    return await get_connection("default").execute_query_dict(
        "SELECT seat_id::text AS seat, count(*) AS n FROM tickets WHERE event_id = $1 AND status = 'valid'"
        " GROUP BY seat_id",
        [event_id],
    )


def machine_for(domain, loop: asyncio.AbstractEventLoop, context: contextvars.Context):
    """The machine runs in a worker thread; its steps run on the test's loop, in the test's context
    (where Tortoise is initialised)."""

    def run(coro):
        done: concurrent.futures.Future = concurrent.futures.Future()

        def start() -> None:
            task = asyncio.ensure_future(coro)
            task.add_done_callback(
                lambda t: done.set_exception(t.exception()) if t.exception() else done.set_result(t.result())
            )

        loop.call_soon_threadsafe(start, context=context)
        return done.result(30)

    class SeatMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.event = run(make_event(rows=[("A", 4, "standard"), ("B", 3, "standard")], max_tickets_per_order=4))
            self.seats = self.event.seat_ids
            self.users = [str(uuid.uuid4()) for _ in range(BUYERS)]
            self.holds: dict[str, tuple[str, set[str]]] = {}  # user -> (hold id, seats)
            self.booked: dict[str, str] = {}  # seat -> user
            self.orders: dict[str, tuple[str, set[str]]] = {}  # order id -> (user, seats)

        def attempt(self, coro):
            try:
                return run(coro), None
            except BoxOfficeError as error:
                return None, error

        def owned(self, user: str) -> int:
            return len(self.holds.get(user, ("", set()))[1]) + sum(1 for u in self.booked.values() if u == user)

        def holder(self, data) -> str:
            """A buyer with a hold, drawn by index (ids are random: drawing them would not replay)."""
            return self.users[data.draw(st.sampled_from([i for i, u in enumerate(self.users) if u in self.holds]))]

        def free(self) -> set[str]:
            taken = set(self.booked) | {s for _, seats in self.holds.values() for s in seats}
            return set(self.seats) - taken

        @rule(buyer=st.integers(0, BUYERS - 1), picks=st.sets(st.integers(0, 6), min_size=1, max_size=3))
        def hold(self, buyer, picks):
            user, wanted = self.users[buyer], {self.seats[i] for i in picks}
            hold, error = self.attempt(
                domain.holds.create(user_id=user, event_id=self.event.id, seat_ids=sorted(wanted))
            )
            should = user not in self.holds and wanted <= self.free() and self.owned(user) + len(wanted) <= 4
            assert (hold is not None) == should, (error, wanted, self.free())
            if hold:
                self.holds[user] = (hold.id, wanted)

        @rule(buyer=st.integers(0, BUYERS - 1), quantity=st.integers(1, 3))
        def hold_best(self, buyer, quantity):
            user = self.users[buyer]
            hold, error = self.attempt(domain.holds.create(user_id=user, event_id=self.event.id, quantity=quantity))
            should = user not in self.holds and len(self.free()) >= quantity and self.owned(user) + quantity <= 4
            assert (hold is not None) == should, (error, quantity, self.free())
            if hold:
                assert set(hold.seat_ids) <= self.free() and len(hold.seat_ids) == quantity
                self.holds[user] = (hold.id, set(hold.seat_ids))

        @precondition(lambda self: self.holds)
        @rule(data=st.data(), pick=st.integers(0, 6))
        def add(self, data, pick):
            user = self.holder(data)
            hold_id, seats = self.holds[user]
            seat = self.seats[pick]
            hold, _ = self.attempt(domain.holds.add_seats(user_id=user, hold_id=hold_id, seat_ids=[seat]))
            should = seat in seats or (seat in self.free() and self.owned(user) + 1 <= 4)
            assert (hold is not None) == should
            if hold:
                self.holds[user] = (hold_id, seats | {seat})

        @precondition(lambda self: self.holds)
        @rule(data=st.data())
        def drop(self, data):
            user = self.holder(data)
            hold_id, seats = self.holds[user]
            seat = data.draw(st.sampled_from([s for s in self.seats if s in seats]))
            run(domain.holds.drop_seat(user_id=user, hold_id=hold_id, seat_id=seat))
            if seats == {seat}:
                del self.holds[user]
            else:
                self.holds[user] = (hold_id, seats - {seat})

        @precondition(lambda self: self.holds)
        @rule(data=st.data())
        def extend(self, data):
            user = self.holder(data)
            self.attempt(domain.holds.extend(user_id=user, hold_id=self.holds[user][0]))

        @precondition(lambda self: self.holds)
        @rule(data=st.data())
        def release(self, data):
            user = self.holder(data)
            run(domain.holds.release(user_id=user, hold_id=self.holds.pop(user)[0]))

        @precondition(lambda self: self.holds)
        @rule(data=st.data())
        def expire(self, data):
            user = self.holder(data)
            hold_id, _ = self.holds.pop(user)
            expires = keys.hold_field(hold_id, "expires")
            run(domain.redis.hset(keys.holds(self.event.id), {expires: 1}))  # its time has come
            run(domain.redis.zadd(keys.hold_expiries(self.event.id), {hold_id: 1}))
            run(sweep_event(redis=domain.redis, scripts=domain.scripts, event_id=self.event.id))

        @precondition(lambda self: self.holds)
        @rule(data=st.data(), declined=st.booleans())
        def order(self, data, declined):
            user = self.holder(data)
            hold_id, seats = self.holds[user]
            body, error = self.attempt(
                orders.place_order(
                    user_id=user, hold_id=hold_id, card=DECLINED if declined else GOOD, deps=domain.checkout
                )
            )
            assert (body is None) == declined, error
            if body:
                del self.holds[user]
                self.booked.update({s: user for s in seats})
                self.orders[body["id"]] = (user, seats)

        @precondition(lambda self: self.orders)
        @rule(data=st.data())
        def cancel(self, data):
            order_id = list(self.orders)[data.draw(st.integers(0, len(self.orders) - 1))]
            user, seats = self.orders.pop(order_id)
            run(orders.cancel_order(user_id=user, order_id=order_id, deps=domain.checkout))
            for seat in seats:
                del self.booked[seat]

        @invariant()
        def every_seat_is_in_exactly_the_models_state(self):
            snapshot = run(domain.holds.snapshot(event_id=self.event.id, user_id=None))
            actual = {s["id"]: s["status"] for s in snapshot["seats"]}
            held = {s for _, seats in self.holds.values() for s in seats}
            assert not held & set(self.booked)
            expected = {s: "booked" if s in self.booked else "held" if s in held else "available" for s in self.seats}
            assert actual == expected

        @invariant()
        def postgres_has_one_valid_ticket_per_booked_seat_and_no_more(self):
            rows = run(valid_tickets(self.event.id))
            assert {r["seat"]: r["n"] for r in rows} == {s: 1 for s in self.booked}

    return SeatMachine


async def test_seat_states_stay_consistent_under_any_sequence_of_buyer_actions(domain):
    loop = asyncio.get_running_loop()
    machine = machine_for(domain, loop, contextvars.copy_context())
    config = settings(max_examples=25, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck))
    await loop.run_in_executor(None, lambda: run_state_machine_as_test(machine, settings=config))
