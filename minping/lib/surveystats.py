"""The figures of a survey, as plain functions: AAPOR's outcome rates, post-stratification weights, a weighted
proportion with its design effect and interval, and the difference between two modes.

Outcome rates (AAPOR Standard Definitions, 2023), from the final disposition of each sampled case:
I complete, P partial, R refusal, NC non-contact of an eligible person, O other, UH/UO unknown eligibility
(never reached: no answer, busy), NE not eligible (wrong number, not a resident):

    RR1  = I ÷ ((I + P) + (R + NC + O) + U)
    RR3  = I ÷ ((I + P) + (R + NC + O) + e × U),  e = (I + P + R + NC + O) ÷ (I + P + R + NC + O + NE)
    COOP1 = I ÷ ((I + P) + R + O)
    CON1  = ((I + P) + R + O) ÷ ((I + P) + R + O + NC + U)

Post-stratification: a respondent of stratum h weighs w_h = (N_h ÷ N) ÷ (n_h ÷ n), so the weighted sample has
the population's shares (weights average 1). A weighted proportion is Σ w y ÷ Σ w; Kish's design effect of the
weights is deff = n Σ w² ÷ (Σ w)², and its interval is Wilson's on the effective sample n ÷ deff.
Two modes differ by d = p₁ − p₂ with standard error √(p₁(1 − p₁) ÷ n₁ + p₂(1 − p₂) ÷ n₂) (each n its effective
size); the difference is flagged when |d| ÷ se exceeds z (chance alone would explain it 5% of the time).
"""

import math
from dataclasses import dataclass

from minping.lib.stats import Z95

OUTCOME_CLASSES = {
    "complete": "I",
    "partial": "P",
    "refusal": "R",
    "callback": "NC",  # reached, asked to be called again, never completed
    "no_answer": "U",
    "busy": "U",
    "wrong_number": "NE",
    "ineligible": "NE",
}


@dataclass(frozen=True)
class Rates:
    cases: int
    rr1: float | None
    rr3: float | None
    coop1: float | None
    con1: float | None
    e: float | None


def _share(k: float, n: float) -> float | None:
    return k / n if n else None


def outcome_rates(counts: dict) -> Rates:
    """AAPOR rates from {outcome code: cases} (codes of OUTCOME_CLASSES)."""
    c = {key: 0 for key in ("I", "P", "R", "NC", "O", "U", "NE")}
    for outcome, n in counts.items():
        c[OUTCOME_CLASSES[outcome]] += n
    known = c["I"] + c["P"] + c["R"] + c["NC"] + c["O"]
    e = _share(known, known + c["NE"])
    return Rates(
        cases=sum(c.values()),
        rr1=_share(c["I"], known + c["U"]),
        rr3=_share(c["I"], known + (e if e is not None else 1) * c["U"]),
        coop1=_share(c["I"], c["I"] + c["P"] + c["R"] + c["O"]),
        con1=_share(c["I"] + c["P"] + c["R"] + c["O"], known + c["U"]),
        e=e,
    )


def post_strata_weights(population: dict, respondents: dict) -> dict:
    """{stratum: weight} of each respondent so that the sample has the population's shares; a ValueError for a
    stratum of the population without respondents (it cannot be weighted up from nobody)."""
    empty = [h for h, size in population.items() if size and not respondents.get(h)]
    if empty:
        raise ValueError(f"strata without respondents cannot be weighted: {', '.join(map(str, empty))}")
    total, n = sum(population.values()), sum(respondents.get(h, 0) for h in population)
    return {h: (population[h] / total) / (respondents[h] / n) for h in population if population[h]}


@dataclass(frozen=True)
class Estimate:
    value: float | None
    n: int
    deff: float
    n_effective: float
    low: float | None
    high: float | None


def weighted_proportion(values: list[tuple[float, int]], z: float = Z95) -> Estimate:
    """From (weight, 1 or 0) per respondent: the weighted proportion, Kish's deff and a Wilson interval on the
    effective sample."""
    n = len(values)
    total = sum(w for w, _y in values)
    if not n or total <= 0:
        return Estimate(None, n, 1.0, 0.0, None, None)
    p = sum(w * y for w, y in values) / total
    deff = n * sum(w * w for w, _y in values) / (total * total)
    effective = n / deff
    low, high = _wilson(p, effective, z)
    return Estimate(p, n, deff, effective, low, high)


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Difference:
    value: float
    low: float
    high: float
    flagged: bool


def mode_difference(first: Estimate, second: Estimate, z: float = Z95) -> Difference | None:
    """The difference between two modes' proportions, its interval, and whether chance explains it."""
    if first.value is None or second.value is None or not first.n_effective or not second.n_effective:
        return None
    d = first.value - second.value
    se = math.sqrt(first.value * (1 - first.value) / first.n_effective + second.value * (1 - second.value) / second.n_effective)
    if se == 0:
        return Difference(d, d, d, d != 0)
    return Difference(d, d - z * se, d + z * se, abs(d) / se > z)


def from_counts(k: int, n: int, z: float = Z95) -> Estimate:
    """An unweighted proportion as an Estimate (deff 1)."""
    if not n:
        return Estimate(None, 0, 1.0, 0.0, None, None)
    low, high = _wilson(k / n, n, z)
    return Estimate(k / n, n, 1.0, float(n), low, high)


def post_stratified(strata: list[tuple[float, int, int]], z: float = Z95) -> Estimate:
    """The post-stratified proportion from (population share W_h, yes k_h, answers n_h) per stratum: Σ W_h p_h ÷
    Σ W_h over the strata with answers, each respondent weighing (W_h ÷ Σ W) ÷ (n_h ÷ n); Kish's deff of those
    weights, and the interval on the effective sample (as weighted_proportion gives for the same respondents)."""
    answered = [(w, k, n) for w, k, n in strata if n > 0 and w > 0]
    total_w, n = sum(w for w, _k, _n in answered), sum(n for _w, _k, n in answered)
    if not answered or not n:
        return Estimate(None, 0, 1.0, 0.0, None, None)
    p = sum(w * k / m for w, k, m in answered) / total_w
    weights = [(w / total_w) / (m / n) for w, _k, m in answered]
    deff = n * sum(m * u * u for (_w, _k, m), u in zip(answered, weights)) / sum(m * u for (_w, _k, m), u in zip(answered, weights)) ** 2
    effective = n / deff
    low, high = _wilson(p, effective, z)
    return Estimate(p, n, deff, effective, low, high)
