"""The waiting room runs on the two-gateway stack (see tests/integration/multi/stacks.py)."""

from __future__ import annotations

import pytest

from tests.integration.booking.conftest import domain, mint, stack_config  # noqa: F401 (fixtures)
from tests.integration.multi.stacks import multi_stack


@pytest.fixture(scope="session")
def stack():
    return multi_stack()


@pytest.fixture(scope="session")
def api(stack):
    """The API of this directory's stack (the root `api` is bound to the default stack)."""
    from tests.support import Api

    client = Api(f"http://127.0.0.1:{stack.ports.http}")
    yield client
    client.close()
