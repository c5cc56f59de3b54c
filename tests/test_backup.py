"""`minping backup` and `minping restore`: a district's database, keys and files restored into a fresh database
pass `audit verify`, `ballots verify` and `tally verify`; a restore into a database that holds data is refused
unless forced; an altered archive is refused."""

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase

from tests.test_evidence import PDF

ROOT = Path(__file__).resolve().parent.parent


class BackupRestoreTest(TransactionTestCase):
    def setUp(self):
        from minping.evaluations.actions import casting
        from minping.evidence.actions import store_evidence
        from minping.results.actions import close_campaign
        from tests.evaluating import campaign_people, full_answers, make_campaign

        campaign_people(self)
        campaign, _group, pairs = make_campaign(self, codes=4)
        for token, _short in pairs:
            casting.cast_ballot(campaign=campaign, code=token, answers=full_answers(campaign))
        self.campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        self.evidence = store_evidence(
            actor=self.organiser_a, upload=SimpleUploadedFile("a.pdf", PDF), region=self.community_a, purpose="t"
        )
        self.folder = Path(tempfile.mkdtemp(prefix="minping-backup-test-"))
        self.archive = self.folder / "backup.tar.gz"
        call_command("backup", str(self.archive), verbosity=0)

    def target(self) -> str:
        """A fresh, empty database of this test run's kind; its URL."""
        if connection.vendor == "sqlite":
            return f"sqlite:///{self.folder / 'restored.sqlite3'}"
        db, name = connection.settings_dict, f"{connection.settings_dict['NAME']}_restored"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        self.addCleanup(self.drop, name)
        return f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{db['HOST']}:{db['PORT']}/{name}"

    def drop(self, name):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')

    def minping(self, url: str, *args) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "minping.settings",
            "PYTHONPATH": str(ROOT),
            "MINPING_DATA_DIR": str(self.folder / "restored-data"),
        }
        env.pop("CELERY_BROKER_URL", None)
        return subprocess.run([sys.executable, "-m", "minping", *args], cwd=ROOT, env=env, capture_output=True, text=True)

    def test_a_restore_into_a_fresh_database_passes_every_verification(self):
        self.assertEqual(os.stat(self.archive).st_mode & 0o777, 0o600)
        url = self.target()
        restored = self.minping(url, "restore", str(self.archive))
        self.assertEqual(restored.returncode, 0, restored.stderr)
        for command in (
            ["audit", "verify"],
            ["ballots", "verify", str(self.campaign.pk)],
            ["tally", "verify", str(self.campaign.pk)],
            ["ballots", "reconcile"],
        ):
            with self.subTest(command=command):
                result = self.minping(url, *command)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        relative = self.evidence.path.relative_to(self.evidence.path.parents[3])
        self.assertEqual((self.folder / "restored-data" / "media" / relative).read_bytes(), PDF)
        again = self.minping(url, "restore", str(self.archive))
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("already holds data", again.stderr)
        self.assertEqual(self.minping(url, "restore", "--force", str(self.archive)).returncode, 0)

    def test_an_altered_archive_is_refused(self):
        altered = self.folder / "altered.tar.gz"
        work = self.folder / "unpacked"
        with tarfile.open(self.archive) as archive:
            archive.extractall(work, filter="data")
        (work / "keys" / "pii_key").write_text("another key")
        with tarfile.open(altered, "w:gz") as archive:
            for item in work.iterdir():
                archive.add(item, arcname=item.name)
        with self.assertRaisesMessage(CommandError, "keys/pii_key is missing or altered"):
            call_command("restore", str(altered))
