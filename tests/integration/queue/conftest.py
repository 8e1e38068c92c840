"""The waiting room runs on the two-gateway stack (see tests/integration/multi/stacks.py)."""

from __future__ import annotations

import pytest

from tests.integration.booking.conftest import domain, mint, stack_config  # noqa: F401 (fixtures)
from tests.integration.multi.stacks import multi_stack


@pytest.fixture(scope="session")
def stack():
    return multi_stack()
