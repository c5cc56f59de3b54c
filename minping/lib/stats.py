"""The statistics of results, as plain functions of counts. Every figure carries its numerator, denominator
and a 95% interval, so a page can say how many ballots stand behind it and how sure it is."""

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Rate:
    k: int  # answers counted in the numerator
    n: int  # the denominator
    low: float
    high: float

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None


def percent_text(value: float | None) -> str:
    """A share from 0 to 1 as people read it: "66.7%", or "—" when there is none."""
    return "—" if value is None else f"{value * 100:.1f}%"


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for k successes in n trials; (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if k == 0 else max(0.0, centre - half)  # exact at the ends, where rounding would leave 1e-17
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def rate(k: int, n: int) -> Rate:
    if not 0 <= k <= n:
        raise ValueError(f"a rate needs 0 <= k <= n, got {k}/{n}")
    return Rate(k, n, *wilson(k, n))


@dataclass(frozen=True)
class Mean:
    value: float | None
    n: int
    low: float | None
    high: float | None


def weighted_score(counts: dict[str, int], scores: dict[str, float | None], n: int) -> Mean:
    """满意度: Σ votes × option score ÷ n. Options without a score (不了解) add nothing to the sum; whether they
    are in n is the campaign's denominator policy. The interval stays on the scale from 0 (where the unscored
    count) to the highest option score; see `bounded_interval`."""
    if n == 0:
        return Mean(None, 0, None, None)
    total = sum(count * (scores.get(option) or 0) for option, count in counts.items())
    squares = sum(count * (scores.get(option) or 0) ** 2 for option, count in counts.items())
    values = [score or 0 for score in scores.values()]
    return _with_interval(total / n, squares, n, min(0, *values), max(0, *values))


def mean_of_scores(total: float, squares: float | None, n: int, low: float = 0, high: float = 100) -> Mean:
    """The mean of scores given on a scale from `low` to `high` (a score question's min and max)."""
    if n == 0:
        return Mean(None, 0, None, None)
    if squares is None:
        return Mean(total / n, n, None, None)
    return _with_interval(total / n, squares, n, low, high)


def _with_interval(mean: float, squares: float, n: int, low: float, high: float) -> Mean:
    if n < 2:
        return Mean(mean, n, None, None)
    variance = max(0.0, (squares - n * mean * mean) / (n - 1))
    return Mean(mean, n, *bounded_interval(mean, variance, n, low, high))


def bounded_interval(mean: float, variance: float, n: int, low: float, high: float, z: float = Z95) -> tuple[float, float]:
    """A 95% interval for the mean of n answers on a bounded scale [low, high] that never leaves the scale.

    On the scale mapped to [0, 1] (mean p, sample variance s²), the answers are as spread as answers with that
    mean can be when each is 0 or 1, with variance p(1 − p); less spread answers weigh more, like more of them.
    So the interval is the Wilson interval of p with the effective number n ÷ φ, where φ = s² ÷ p(1 − p) (at most
    1): Wilson's for a rate when every answer is at an end, narrower as the answers agree. At p = 0 or 1 (every
    answer at one end) φ is 1. When every answer is the same value inside the scale there is no spread to go
    by, and the interval is that value, as the normal interval would give. SCORING.md has a worked example."""
    span = high - low
    if span <= 0:
        return mean, mean
    p = min(max((mean - low) / span, 0.0), 1.0)
    spread = p * (1 - p)
    phi = 1.0 if spread <= 0 else min(1.0, variance / (span * span) / spread)
    if phi <= 0:
        return mean, mean
    effective = n / phi
    denominator = 1 + z * z / effective
    centre = (p + z * z / (2 * effective)) / denominator
    half = z * math.sqrt(p * (1 - p) / effective + z * z / (4 * effective * effective)) / denominator
    lo = 0.0 if p == 0 else max(0.0, centre - half)
    hi = 1.0 if p == 1 else min(1.0, centre + half)
    return low + lo * span, low + hi * span


def combine(parts: list[tuple[float, float]]) -> float | None:
    """Σ weight × value ÷ Σ weight over the parts given as (weight, value): the groups' combined figure,
    re-weighted over the groups that have a reportable figure. None when no weight remains."""
    weight = sum(w for w, _ in parts)
    if weight <= 0:
        return None
    return sum(w * v for w, v in parts) / weight


def competition_ranks(values: list[float | None], *, descending: bool = True) -> list[int | None]:
    """Standard competition ranking ("1224"): tied values share a rank and the next rank skips. None stays
    unranked."""
    ranked = sorted((v for v in values if v is not None), reverse=descending)
    first = {}
    for position, value in enumerate(ranked, start=1):
        first.setdefault(value, position)
    return [None if v is None else first[v] for v in values]
