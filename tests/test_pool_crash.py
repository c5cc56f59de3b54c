"""No ballot is lost or stored twice when the process casting them is killed at any moment, in the middle of a cast
or of a move out of the shuffle pool (PostgreSQL, a separate process killed with SIGKILL)."""

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

from django.db import connection
from django.test import TransactionTestCase

from minping.evaluations import codes as code_rules
from minping.evaluations.ballots import verify_ballot_box
from minping.evaluations.models import Ballot, Campaign, Code, PooledBallot
from minping.results.actions import close_campaign
from tests.evaluating import campaign_people, full_answers, make_campaign
from tests.test_worker import database_url

ROOT = Path(__file__).resolve().parent.parent
VOTERS = 1500
KILLS = 8

CASTER = """
import json, os, sys
import django
django.setup()
from minping.evaluations.actions import casting
from minping.evaluations.actions.casting import CastError
answers = json.loads(open(sys.argv[2]).read())
print("casting", flush=True)
for code in open(sys.argv[1]).read().split():
    try:
        casting.cast_ballot(campaign=casting.campaign_for_code(code), code=code, answers=answers)
    except CastError:
        pass
"""


@unittest.skipUnless(connection.vendor == "postgresql", "a second process on the same database")
class KilledCasterTest(TransactionTestCase):
    def setUp(self):
        campaign_people(self)
        self.campaign, _group, pairs = make_campaign(self, channels=("qr",), codes=VOTERS)
        folder = Path(tempfile.mkdtemp(prefix="minping-crash-"))
        self.codes, self.answers = folder / "codes", folder / "answers.json"
        self.tokens = [token for token, _short in pairs]
        self.answers.write_text(json.dumps(full_answers(self.campaign)))
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PYTHONPATH": str(ROOT),
            "MINPING_DATA_DIR": str(folder / "data"),
        }

    def caster(self) -> subprocess.Popen:
        """A casting process given the codes not used yet, so that it casts from the start (however slow the
        machine, a kill then comes while it casts)."""
        issued = set(Code.objects.filter(campaign=self.campaign, status="issued").values_list("token_digest", flat=True))
        self.codes.write_text("\n".join(t for t in self.tokens if code_rules.lookup_digests(t)[1] in issued))
        return subprocess.Popen(
            [sys.executable, "-c", CASTER, str(self.codes), str(self.answers)], env=self.env, cwd=ROOT, stdout=subprocess.PIPE, text=True
        )

    def test_killing_the_caster_at_random_moments_loses_no_ballot(self):
        chance = random.Random()
        progress = []
        for _kill in range(KILLS):
            process = self.caster()
            self.assertEqual(process.stdout.readline().strip(), "casting")
            time.sleep(chance.uniform(0.02, 0.25))
            process.send_signal(signal.SIGKILL)
            process.wait()
            process.stdout.close()
            progress.append(self.campaign.codes.filter(status="used").count())
        self.assertGreater(len(set(progress)), KILLS // 2, progress)  # most kills came while ballots were being cast
        finished = self.caster()
        self.assertEqual(finished.wait(timeout=300), 0)
        finished.stdout.close()
        used = self.campaign.codes.filter(status="used").count()
        self.assertEqual(used, VOTERS)
        self.assertEqual(Ballot.objects.count() + PooledBallot.objects.count(), VOTERS)
        campaign = close_campaign(actor=self.organiser_a, campaign=Campaign.objects.get(pk=self.campaign.pk))
        self.assertEqual((Ballot.objects.count(), PooledBallot.objects.count()), (VOTERS, 0))
        self.assertEqual(verify_ballot_box(campaign), [])
