"""The booking tests' concurrency and streaming cases, unchanged, against the Redis Cluster (their
fixtures here give them the cluster stack): 200 buyers and one seat make one hold through nginx and
in the domain, the unguarded script still double-holds (the race has teeth on a cluster too), best
available, the holds API, and seat streams read with blocking XREAD on the cluster."""

from tests.integration.booking.test_best_available import *  # noqa: F401,F403
from tests.integration.booking.test_hold_race import *  # noqa: F401,F403
from tests.integration.booking.test_holds_api import *  # noqa: F401,F403
from tests.integration.booking.test_seat_stream import *  # noqa: F401,F403
