"""Two instances of every service behind nginx: `stack` here is that stack."""

from __future__ import annotations

import pytest

from tests.integration.booking.conftest import domain, mint, stack_config  # noqa: F401 (fixtures)
from tests.integration.multi.stacks import multi_stack


@pytest.fixture(scope="session")
def stack():
    return multi_stack()
