"""The early line is a fair shuffle: over many runs, every early joiner is equally likely to end up
in every place, whatever order they joined in (a chi-square test of joiner x place counts). The same
test rejects a line ordered by join time, so it can fail."""

from __future__ import annotations

import math
import uuid

from boxoffice.domain.queue.scripts import QueueScripts
from boxoffice.domain.queue.service import random_score

JOINERS, RUNS = 5, 400
SIGNIFICANCE = 0.001


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for X ~ chi-square(df): 1 - the regularized lower incomplete gamma (series)."""
    a, z = df / 2, x / 2
    term = total = 1 / a
    for n in range(1, 2000):
        term *= z / (a + n)
        total += term
        if term < total * 1e-15:
            break
    lower = math.exp(-z + a * math.log(z) - math.lgamma(a)) * total if z > 0 else 0.0
    return max(0.0, 1.0 - lower)


def independence_p(counts: list[list[int]]) -> float:
    """p-value of 'every joiner is equally likely in every place' for a JOINERS x JOINERS table of counts.

    Each run is one permutation (every place taken once), not JOINERS independent draws, so Pearson's
    contingency statistic (divisor RUNS / JOINERS) overstates the spread by JOINERS / (JOINERS - 1) and
    fails a fair shuffle far more often than SIGNIFICANCE. A permutation matrix's cells have the
    covariance H (x) H / (J - 1) (H the centring matrix), whose nonzero eigenvalues are all 1 / (J - 1):
    summed over the runs, the squared deviations divided by RUNS / (J - 1) follow chi-square((J - 1)^2)."""
    expected = RUNS / JOINERS
    statistic = sum((c - expected) ** 2 for row in counts for c in row) * (JOINERS - 1) / RUNS
    return chi2_sf(statistic, (JOINERS - 1) ** 2)


async def place_counts(redis, score_of) -> list[list[int]]:
    """counts[j][p]: runs in which the j-th joiner got place p, joining in the order 0, 1, 2, ..."""
    scripts = QueueScripts(redis)
    counts = [[0] * JOINERS for _ in range(JOINERS)]
    on_sale = int((await redis.time()).timestamp() + 3600) * 1000
    for _ in range(RUNS):
        event_id = str(uuid.uuid4())
        for j in range(JOINERS):
            await scripts.join(event_id, f"j{j}", on_sale_ms=on_sale, score=score_of(j), keep_ms=60_000)
        for j in range(JOINERS):
            counts[j][(await scripts.place(event_id, f"j{j}")).ahead] += 1
    return counts


def test_the_chi_square_tail_matches_known_quantiles():
    assert abs(chi2_sf(52.62, 25) - 0.001) < 0.0002
    assert abs(chi2_sf(26.30, 16) - 0.05) < 0.002


async def test_early_joiners_end_up_in_a_uniformly_random_order(redis):
    counts = await place_counts(redis, lambda j: random_score())
    assert all(sum(row) == RUNS for row in counts)
    assert independence_p(counts) > SIGNIFICANCE, counts


async def test_a_line_in_join_order_fails_the_same_fairness_test(redis):
    counts = await place_counts(redis, lambda j: repr(j / JOINERS))
    assert independence_p(counts) < SIGNIFICANCE, counts
