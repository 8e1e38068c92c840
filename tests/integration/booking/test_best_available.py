"""Best available: adjacent seats in one row, front rows first, never a lone free seat left behind
when a choice without one existed."""

from __future__ import annotations

import random
import uuid

from tests.integration.booking.factories import make_event


def lone_gaps(row_states: list[bool]) -> int:
    """Free seats (True) with no free neighbour in their row."""
    count = 0
    for i, free in enumerate(row_states):
        left = i > 0 and row_states[i - 1]
        right = i + 1 < len(row_states) and row_states[i + 1]
        count += free and not left and not right
    return count


def gap_free_block_exists(row_states: list[bool], q: int) -> bool:
    for a in range(len(row_states) - q + 1):
        if all(row_states[a : a + q]):
            after = row_states[:a] + [False] * q + row_states[a + q :]
            if lone_gaps(after) <= lone_gaps(row_states):
                return True
    return False


async def test_quantity_holds_take_adjacent_seats_in_the_front_row(api, mint, event):
    buyer = mint()
    answer = api.post("/api/holds", user=buyer, json={"event_id": event.id, "quantity": 4})
    assert answer.status_code == 201, answer.text
    a = event.rows["A"]
    positions = sorted(a.index(s) for s in answer.json()["seat_ids"])
    assert positions == list(range(positions[0], positions[0] + 4))


async def test_category_picks_seats_of_that_category_only(api, mint, event):
    answer = api.post("/api/holds", user=mint(), json={"event_id": event.id, "quantity": 2, "category": "vip"})
    assert answer.status_code == 201, answer.text
    assert set(answer.json()["seat_ids"]) <= set(event.rows["C"])


async def test_best_available_never_leaves_a_single_seat_gap_where_a_gap_free_choice_existed(domain):
    rng = random.Random(7)
    for trial in range(25):
        made = await make_event(rows=[("A", 8, "standard"), ("B", 8, "standard")])
        for seat in rng.sample(made.seat_ids, rng.randint(0, 7)):
            await domain.holds.create(user_id=str(uuid.uuid4()), event_id=made.id, seat_ids=[seat])
        snapshot = await domain.holds.snapshot(event_id=made.id, user_id=None)
        free = {s["id"]: s["status"] == "available" for s in snapshot["seats"]}
        rows = {label: [free[s] for s in ids] for label, ids in made.rows.items()}
        q = rng.randint(1, 4)
        possible = any(gap_free_block_exists(states, q) for states in rows.values())
        hold = await domain.holds.create(user_id=str(uuid.uuid4()), event_id=made.id, quantity=q)
        assert len(hold.seat_ids) == q
        taken = set(hold.seat_ids)
        if possible:
            chosen_rows = {label for label, ids in made.rows.items() if taken & set(ids)}
            assert len(chosen_rows) == 1, (trial, rows, q, hold.seat_ids)
            label = chosen_rows.pop()
            after = [free[s] and s not in taken for s in made.rows[label]]
            assert lone_gaps(after) <= lone_gaps(rows[label]), (trial, rows, q, hold.seat_ids)
