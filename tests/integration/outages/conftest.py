"""Outages of the real stores: PostgreSQL, Redis and Elasticsearch of a stack of their own are stopped
(or frozen) under the running services and started again; `stack` here is that stack (see
tests/integration/multi/stacks.py). Every test gives the stores back in `finally`."""

from __future__ import annotations

import pytest

from tests.integration.booking.conftest import domain, mint, stack_config  # noqa: F401 (fixtures)
from tests.integration.events.conftest import Organizer
from tests.integration.multi.stacks import outage_stack


@pytest.fixture(scope="session")
def stack():
    return outage_stack()


@pytest.fixture
def org(api) -> Organizer:
    return Organizer(api, api.new_user("organizer"))
