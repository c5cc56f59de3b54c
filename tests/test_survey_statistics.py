"""Sample sizes, allocation, the seeded stratified draw, AAPOR rates, post-stratification weights and the
difference between modes, against hand-worked examples and statsmodels."""

import math
import random
from unittest import TestCase

from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from minping.lib import sampling, surveystats


class SampleSize(TestCase):
    def test_the_classic_385_and_the_finite_population_correction(self):
        self.assertEqual(sampling.sample_size(0.05), 385)  # 1.96² × 0.25 ÷ 0.05² = 384.15
        # 384.15 ÷ (1 + 383.15 ÷ 2000) = 322.39
        self.assertEqual(sampling.sample_size(0.05, population=2000), 323)
        # 2.5758² × 0.25 ÷ 0.03² = 1843.03, and ÷ (1 + 1842.03 ÷ 10⁶) = 1839.64
        self.assertEqual(sampling.sample_size(0.03, confidence=0.99, population=10**6), 1840)
        self.assertAlmostEqual(sampling.margin_of(385), 0.0499, places=4)

    def test_bad_margins_are_refused(self):
        for margin in (0, 1, -0.1):
            with self.assertRaises(ValueError):
                sampling.sample_size(margin)


class Allocation(TestCase):
    def test_proportional_by_largest_remainder(self):
        self.assertEqual(sampling.allocate(100, {"A": 500, "B": 300, "C": 200}), {"A": 50, "B": 30, "C": 20})
        # 3.5, 2.1, 1.4 → 3, 2, 1 and the largest remainder (A's .5) takes the seventh
        self.assertEqual(sampling.allocate(7, {"A": 500, "B": 300, "C": 200}), {"A": 4, "B": 2, "C": 1})

    def test_equal_with_a_small_stratum_giving_way(self):
        self.assertEqual(sampling.allocate(30, {"A": 500, "B": 3, "C": 200}, "equal"), {"A": 14, "B": 3, "C": 13})

    def test_a_sample_larger_than_the_frame_is_refused(self):
        with self.assertRaisesRegex(ValueError, "larger than the frame"):
            sampling.allocate(11, {"A": 5, "B": 5})


class Draw(TestCase):
    frame = [(f"S{i % 7}", i) for i in range(7000)]

    def test_the_same_seed_draws_the_same_sample_in_any_order(self):
        quotas = {f"S{h}": 20 for h in range(7)}
        first = sampling.draw(self.frame, quotas, "seed-2026", replacements=5)
        shuffled = self.frame[:]
        random.Random(3).shuffle(shuffled)
        self.assertEqual(sampling.draw(shuffled, quotas, "seed-2026", replacements=5), first)
        self.assertNotEqual(sampling.draw(self.frame, quotas, "another", replacements=5), first)
        for stratum, units in first.items():
            self.assertEqual(len(units), 25)
            self.assertTrue(all(u % 7 == int(stratum[1:]) for u in units))
            keys = [sampling.unit_key("seed-2026", u) for u in units]
            self.assertEqual(keys, sorted(keys))  # the sample, then its replacements in order

    def test_the_integer_key_is_postgresqls_hashint8extended(self):
        # SELECT hashint8extended(1, 0), hashint8extended(12345, 987654321), hashint8extended(-7, -123456789012345)
        self.assertEqual(sampling.int_key(0, 1), -3670598878359251130)
        self.assertEqual(sampling.int_key(987654321, 12345), 3441493701370896809)
        self.assertEqual(sampling.int_key(-123456789012345, -7), -6602055600663572745)

    def test_every_unit_is_about_equally_likely_with_either_key(self):
        for key, seeds in ((sampling.unit_key, [f"s{trial}" for trial in range(400)]), (sampling.int_key, list(range(1, 401)))):
            counts = [0] * 100
            for seed in seeds:
                for unit in sampling.draw(((0, u) for u in range(100)), {0: 10}, seed, key=key)[0]:
                    counts[unit] += 1
            # each unit is drawn with probability 0.1: 40 of 400 expected; a chi-square of 99 degrees of freedom
            chi2 = sum((c - 40) ** 2 / 40 for c in counts)
            self.assertLess(chi2, 160, key.__name__)  # p < 0.0001 beyond this


class OutcomeRates(TestCase):
    def test_aapor_rates_of_a_hand_worked_example(self):
        counts = {
            "complete": 40,
            "partial": 5,
            "refusal": 20,
            "callback": 5,
            "no_answer": 15,
            "busy": 5,
            "wrong_number": 6,
            "ineligible": 4,
        }
        rates = surveystats.outcome_rates(counts)
        self.assertAlmostEqual(rates.rr1, 40 / 90)
        self.assertAlmostEqual(rates.e, 70 / 80)
        self.assertAlmostEqual(rates.rr3, 40 / (70 + 0.875 * 20))
        self.assertAlmostEqual(rates.coop1, 40 / 65)
        self.assertAlmostEqual(rates.con1, 65 / 90)
        self.assertEqual(rates.cases, 100)


class Weighting(TestCase):
    def test_post_stratification_matches_the_population_and_statsmodels(self):
        weights = surveystats.post_strata_weights({"A": 600, "B": 400}, {"A": 30, "B": 70})
        self.assertAlmostEqual(weights["A"], 2.0)
        self.assertAlmostEqual(weights["B"], 0.4 / 0.7)
        answers = [(weights["A"], 1)] * 15 + [(weights["A"], 0)] * 15 + [(weights["B"], 1)] * 63 + [(weights["B"], 0)] * 7
        estimate = surveystats.weighted_proportion(answers)
        self.assertAlmostEqual(estimate.value, 0.66)  # 0.6 × 0.5 + 0.4 × 0.9
        self.assertAlmostEqual(estimate.value, DescrStatsW([y for _w, y in answers], weights=[w for w, _y in answers]).mean)
        self.assertAlmostEqual(estimate.deff, 100 * (30 * 4 + 70 * (0.4 / 0.7) ** 2) / 100**2)
        self.assertAlmostEqual(estimate.n_effective, 100 / estimate.deff)

    def test_unit_weights_give_statsmodels_wilson_interval(self):
        estimate = surveystats.weighted_proportion([(1.0, 1)] * 37 + [(1.0, 0)] * 63)
        low, high = proportion_confint(37, 100, method="wilson")
        self.assertEqual(estimate.deff, 1.0)
        self.assertAlmostEqual(estimate.low, low)
        self.assertAlmostEqual(estimate.high, high)

    def test_a_stratum_without_respondents_cannot_be_weighted(self):
        with self.assertRaisesRegex(ValueError, "strata without respondents"):
            surveystats.post_strata_weights({"A": 600, "B": 400}, {"A": 30})


class Modes(TestCase):
    def test_a_difference_larger_than_chance_is_flagged(self):
        phone = surveystats.weighted_proportion([(1.0, 1)] * 70 + [(1.0, 0)] * 30)
        site = surveystats.weighted_proportion([(1.0, 1)] * 90 + [(1.0, 0)] * 10)
        online = surveystats.weighted_proportion([(1.0, 1)] * 75 + [(1.0, 0)] * 25)
        d = surveystats.mode_difference(phone, site)
        se = math.sqrt(0.7 * 0.3 / 100 + 0.9 * 0.1 / 100)
        self.assertAlmostEqual(d.value, -0.2)
        self.assertAlmostEqual(d.low, -0.2 - 1.959963984540054 * se)
        self.assertTrue(d.flagged)
        self.assertFalse(surveystats.mode_difference(phone, online).flagged)


class PostStratified(TestCase):
    def test_strata_counts_give_what_the_respondents_weights_give(self):
        strata = [(0.6, 15, 30), (0.4, 63, 70)]
        from_strata = surveystats.post_stratified(strata)
        weights = surveystats.post_strata_weights({"A": 600, "B": 400}, {"A": 30, "B": 70})
        answers = [(weights["A"], 1)] * 15 + [(weights["A"], 0)] * 15 + [(weights["B"], 1)] * 63 + [(weights["B"], 0)] * 7
        respondents = surveystats.weighted_proportion(answers)
        for field in ("value", "deff", "n_effective", "low", "high"):
            self.assertAlmostEqual(getattr(from_strata, field), getattr(respondents, field))

    def test_a_stratum_without_answers_is_left_out_and_the_rest_reweighted(self):
        estimate = surveystats.post_stratified([(0.5, 8, 10), (0.3, 0, 0), (0.2, 5, 10)])
        self.assertAlmostEqual(estimate.value, (0.5 * 0.8 + 0.2 * 0.5) / 0.7)
        self.assertEqual(estimate.n, 20)
