"""The load benchmark's arithmetic (bench/load.py): nearest-rank percentiles and rates."""

from __future__ import annotations

import pytest

from bench.load import percentile, summary


@pytest.mark.parametrize(
    ("samples", "p", "expected"),
    [
        ([5.0], 50, 5.0),
        ([5.0], 99, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.0),
        ([1.0, 2.0, 3.0, 4.0], 75, 3.0),
        ([1.0, 2.0, 3.0, 4.0], 76, 4.0),
        ([float(i) for i in range(1, 101)], 95, 95.0),
        ([float(i) for i in range(1, 101)], 99, 99.0),
        ([float(i) for i in range(1, 101)], 100, 100.0),
        ([3.0, 1.0, 2.0], 1, 1.0),  # unsorted input
    ],
)
def test_percentile_nearest_rank(samples: list[float], p: float, expected: float) -> None:
    assert percentile(samples, p) == expected


def test_summary_counts_rate_and_percentiles() -> None:
    got = summary([float(i) for i in range(1, 201)], seconds=4.0)
    assert got == {"requests": 200, "p50_ms": 100.5, "p95_ms": 190.0, "p99_ms": 198.0, "rps": 50.0}
    assert summary([], seconds=4.0)["requests"] == 0
