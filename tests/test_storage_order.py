"""Storage order is not cast order: ballots cast in a known order come back from the database in orders that
bear no relation to it, however they are read (no ORDER BY, SQLite's rowid, PostgreSQL's ctid and xmin)."""

import json
import statistics

from django.db import connection

from minping.evaluations.actions import casting
from minping.results.actions import close_campaign
from tests.base import BaseTestCase
from tests.evaluating import full_answers, make_campaign

BALLOTS = 10
TRIALS = 24

READS = {
    "sqlite": {
        "no order": "SELECT answers FROM evaluations_ballot WHERE campaign_id = %s",
        "rowid": "SELECT answers FROM evaluations_ballot WHERE campaign_id = %s ORDER BY rowid",
    },
    "postgresql": {
        "no order": "SELECT answers::text FROM evaluations_ballot WHERE campaign_id = %s",
        "ctid": "SELECT answers::text FROM evaluations_ballot WHERE campaign_id = %s ORDER BY ctid",
        "xmin": "SELECT answers::text FROM evaluations_ballot WHERE campaign_id = %s ORDER BY xmin::text::bigint, ctid",
    },
}


def rank_correlation(order: list[int]) -> float:
    """Spearman's rho between positions 0..n-1 and the cast numbers found there (no ties)."""
    n = len(order)
    return 1 - 6 * sum((position - cast) ** 2 for position, cast in enumerate(order)) / (n * (n * n - 1))


class StorageOrderTest(BaseTestCase):
    def cast_in_known_order(self) -> int:
        campaign, _group, pairs = make_campaign(self, codes=BALLOTS)
        for number, (token, _short) in enumerate(pairs):
            casting.cast_ballot(campaign=campaign, code=token, channel="qr", answers=full_answers(campaign, suggestion=f"第{number:02d}票"))
        close_campaign(actor=self.organiser_a, campaign=campaign)
        return campaign.pk

    def read(self, sql: str, campaign: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [campaign])
            answers = [json.loads(row[0]) for row in cursor.fetchall()]
        return [int(a["g"]["suggestion"][1:3]) for a in answers]

    def test_no_order_the_database_returns_follows_the_cast_order(self):
        campaigns = [self.cast_in_known_order() for _trial in range(TRIALS)]
        for name, sql in READS[connection.vendor].items():
            orders = [self.read(sql, campaign) for campaign in campaigns]
            with self.subTest(read=name):
                self.assertTrue(all(sorted(order) == list(range(BALLOTS)) for order in orders))
                rhos = [rank_correlation(order) for order in orders]
                # Independent orders give rho with mean 0 and standard deviation 1/3 per trial, so the mean of
                # 24 trials lies within ±0.3 but for one chance in about 40,000; cast order gives exactly 1.
                self.assertLess(abs(statistics.mean(rhos)), 0.3, rhos)
                firsts = {order.index(0) for order in orders}
                self.assertGreater(len(firsts), 3, "the first ballot cast keeps coming back in the same place")
