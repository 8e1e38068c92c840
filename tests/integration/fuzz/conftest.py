"""Schemathesis runs on the outage stack: no rate limits there (see tests/integration/multi/stacks.py)."""

from __future__ import annotations

import pytest

from tests.integration.multi.stacks import outage_stack


@pytest.fixture(scope="session")
def stack():
    return outage_stack()
