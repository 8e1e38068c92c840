"""Booking, rate limiting and the waiting room on a three-primary Redis Cluster: `stack` here is
the cluster stack (see tests/integration/multi/stacks.py)."""

from __future__ import annotations

import pytest

from tests.integration.booking.conftest import domain, event, mint, stack_config  # noqa: F401 (fixtures)
from tests.integration.multi.stacks import cluster_stack


@pytest.fixture(scope="session")
def stack():
    return cluster_stack()
