"""Properties of the results statistics, checked against independent computations (scipy for intervals)."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from minping.lib import stats
from minping.lib.suppression import MIN_CELL, hidden_cells
from minping.results.tally import count_ballots

SATISFACTION = [
    {"key": "satisfied", "score": 100},
    {"key": "fairly", "score": 80},
    {"key": "dissatisfied", "score": 0},
    {"key": "unknown", "score": None},
]
DEFINITION = {
    "subject_questions": [
        {"key": "q1", "type": "scale", "options": SATISFACTION},
        {"key": "q2", "type": "score", "min": 0, "max": 100},
        {"key": "q3", "type": "multi", "options": SATISFACTION[:3]},
    ],
    "general_questions": [{"key": "g", "type": "text"}],
}


@given(st.integers(min_value=1, max_value=5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_scipy(kn):
    k, n = kn
    expected = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = stats.wilson(k, n)
    assert abs(low - expected.low) < 1e-6 and abs(high - expected.high) < 1e-6
    assert low <= k / n <= high


@given(st.dictionaries(st.sampled_from(["satisfied", "fairly", "dissatisfied", "unknown"]), st.integers(0, 3000), min_size=1))
def test_a_satisfaction_interval_stays_on_the_scale_and_holds_its_mean(counts):
    """满意度 (0 to 100) with any mix of answers, 不了解 counted as 0: the interval never leaves the scale."""
    n = sum(counts.values())
    mean = stats.weighted_score(counts, {o["key"]: o["score"] for o in SATISFACTION}, n)
    if n >= 2:
        assert 0 <= mean.low <= mean.value + 1e-9 and mean.value - 1e-9 <= mean.high <= 100, mean


@given(st.lists(st.integers(0, 100), min_size=2, max_size=200))
def test_a_score_means_interval_stays_between_min_and_max(scores):
    mean = stats.mean_of_scores(sum(scores), sum(s * s for s in scores), len(scores), 0, 100)
    assert 0 <= mean.low <= mean.value + 1e-9 and mean.value - 1e-9 <= mean.high <= 100, mean


def test_the_worked_example_of_scoring_md():
    """19 满意 and 1 基本满意: 99.0, whose normal interval (97.04–100.96) would end above 100."""
    mean = stats.weighted_score({"satisfied": 19, "fairly": 1}, {o["key"]: o["score"] for o in SATISFACTION}, 20)
    assert (round(mean.value, 2), round(mean.low, 2), round(mean.high, 2)) == (99.0, 94.51, 99.82)
    every = stats.weighted_score({"satisfied": 20}, {o["key"]: o["score"] for o in SATISFACTION}, 20)
    assert (round(every.low, 2), every.high) == (83.89, 100.0)  # Wilson's interval for 20 out of 20


@given(st.lists(st.one_of(st.none(), st.integers(0, 100)), max_size=30))
def test_competition_ranks_match_counting_the_better_ones(values):
    ranks = stats.competition_ranks(values)
    for value, rank in zip(values, ranks, strict=True):
        if value is None:
            assert rank is None
        else:
            assert rank == 1 + sum(1 for other in values if other is not None and other > value)


@given(st.lists(st.tuples(st.floats(0.01, 1), st.floats(0, 100)), min_size=1, max_size=6), st.floats(0.1, 10))
def test_combined_figure_is_a_weighted_mean_independent_of_weight_scale(parts, scale):
    combined = stats.combine(parts)
    rescaled = stats.combine([(w * scale, v) for w, v in parts])
    assert min(v for _, v in parts) - 1e-9 <= combined <= max(v for _, v in parts) + 1e-9
    assert abs(combined - rescaled) < 1e-6
    # Weights that sum to 1 give Σ w·v, as documented.
    total = sum(w for w, _ in parts)
    assert abs(stats.combine([(w / total, v) for w, v in parts]) - sum(w / total * v for w, v in parts)) < 1e-6


@given(st.dictionaries(st.integers(1, 6), st.integers(0, 40), min_size=1, max_size=6))
def test_suppression_never_leaves_a_small_cell_derivable(cells):
    hidden, total_hidden = hidden_cells(cells)
    assert {c for c, n in cells.items() if 0 < n < MIN_CELL} <= hidden
    # What a reader sees: the shown cells, "<5" for hidden ones, and the total unless withheld. Every hidden
    # cell must have at least two values consistent with all of it.
    total = None if total_hidden else sum(cells.values())
    shown_sum = sum(n for c, n in cells.items() if c not in hidden)
    order = sorted(hidden)
    for column in order:
        values = set()
        for combo in itertools.product(range(1, MIN_CELL), repeat=len(order)):
            if total is None or shown_sum + sum(combo) == total:
                values.add(combo[order.index(column)])
        assert len(values) >= 2, (cells, column, values)


section = st.one_of(
    st.just({"unknown": True}),
    st.just({"void": "多选"}),
    st.fixed_dictionaries(
        {
            "q1": st.sampled_from(["satisfied", "fairly", "dissatisfied", "unknown"]),
            "q2": st.integers(0, 100),
            "q3": st.lists(st.sampled_from(["satisfied", "fairly", "dissatisfied"]), unique=True, max_size=3),
        }
    ),
)
ballot = st.tuples(
    st.sampled_from([1, 2]),
    st.sampled_from(["qr", "paper"]),
    st.fixed_dictionaries(
        {"s": st.fixed_dictionaries({"10": section, "11": section}), "g": st.fixed_dictionaries({"g": st.text(max_size=5)})}
    ),
    st.sampled_from(["", "", "", "空白票"]),
)


@settings(max_examples=60)
@given(st.lists(ballot, max_size=40))
def test_counts_add_up(ballots):
    counts = count_ballots(DEFINITION, ballots).n
    for group in (1, 2):
        for channel in ("qr", "paper"):
            mine = [b for b in ballots if b[0] == group and b[1] == channel]
            assert counts[(None, group, channel, "", "ballots")] == len(mine)
            counted = [b for b in mine if not b[3]]
            assert counts[(None, group, channel, "", "void_ballots")] == len(mine) - len(counted)
            for subject in (10, 11):
                valid = counts[(subject, group, channel, "", "valid")]
                sections = counts[(subject, group, channel, "", "unknown")] + counts[(subject, group, channel, "", "void")]
                assert valid + sections == len(counted)  # every counted ballot has one section per subject
                q1 = sum(counts[(subject, group, channel, "q1", o["key"])] for o in SATISFACTION)
                assert q1 == valid == counts[(subject, group, channel, "q2", "")] == counts[(subject, group, channel, "q3", "")]
                expected_total = sum(b[2]["s"][str(subject)]["q2"] for b in counted if "q2" in b[2]["s"][str(subject)])
                assert count_ballots(DEFINITION, ballots).total[(subject, group, channel, "q2", "")] == expected_total
