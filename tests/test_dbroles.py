"""On PostgreSQL the site connects as a role that cannot change or remove ballots, counts or audit entries, nor
TRUNCATE, ALTER or disable the triggers of those tables; with it the site still casts, closes and writes the log."""

import psycopg
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase, skipUnlessDBFeature

from tests.evaluating import ballots_cast

ROLE = "minping_site_test"
FORBIDDEN = [
    "UPDATE evaluations_ballot SET channel = 'paper'",
    "DELETE FROM evaluations_ballot",
    "TRUNCATE evaluations_ballot",
    "ALTER TABLE evaluations_ballot DISABLE TRIGGER ALL",
    "UPDATE results_tally SET n = n + 1",
    "DELETE FROM results_tally",
    "TRUNCATE results_tally CASCADE",
    "UPDATE results_textanswer SET text = ''",
    "DELETE FROM results_textanswer",
    "UPDATE audit_auditevent SET action = 'x'",
    "DELETE FROM audit_auditevent",
    "TRUNCATE audit_auditevent",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "DROP TABLE audit_auditevent",
    "UPDATE assessment_run SET inputs = '{}'",
    "DELETE FROM assessment_run",
    "SET session_replication_role = replica",
]


@skipUnlessDBFeature("has_select_for_update")  # PostgreSQL
class SiteRoleTest(TransactionTestCase):
    def setUp(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")
            cursor.execute(f"CREATE ROLE {ROLE} LOGIN")
        self.addCleanup(self.drop_role)
        call_command("dbroles", ROLE, verbosity=0)

    def drop_role(self):
        self.as_owner()
        with connection.cursor() as cursor:
            cursor.execute(f"REASSIGN OWNED BY {ROLE} TO CURRENT_USER")
            cursor.execute(f"DROP OWNED BY {ROLE}")
            cursor.execute(f"DROP ROLE {ROLE}")

    def as_site(self):
        connection.close()
        self.owner = connection.settings_dict["USER"]
        connection.settings_dict["USER"] = ROLE

    def as_owner(self):
        if connection.settings_dict["USER"] == ROLE:
            connection.close()
            connection.settings_dict["USER"] = self.owner

    def site_connection(self):
        params = connection.get_connection_params()
        params["user"] = ROLE
        params.pop("password", None)
        params.pop("cursor_factory", None)
        params.pop("prepare_threshold", None)
        return psycopg.connect(**params, autocommit=True)

    def cast_as_site(self, count=3):
        """A campaign of the site's making with `count` ballots cast by the site's role. Three are fewer than the
        shuffle pool's floor, so they wait in the pool until close."""
        from minping.evaluations.actions import casting
        from tests.evaluating import campaign_people, full_answers, make_campaign

        campaign_people(self)
        self.as_site()
        try:
            campaign, _group, pairs = make_campaign(self, codes=count)
            for token, _short in pairs:
                casting.cast_ballot(campaign=campaign, code=token, answers=full_answers(campaign))
        finally:
            self.as_owner()
        return campaign

    def run_a_scheme_as_site(self):
        """The site's role makes, runs and calibrates a composite assessment (its results go in by COPY)."""
        from minping.assessment import actions
        from minping.org.models import Post

        Post.objects.create(cadre=self.cadre_a, region=self.community_a, title="社区书记", category="secretary", started_on="2024-01-01")
        self.as_site()
        try:
            scheme = actions.create_scheme(actor=self.organiser_a, region=self.district_a, template="secretary_year", year=2026)
            scheme.definition["components"][1]["weight"], scheme.definition["components"][0]["weight"] = 0, 0.8
            scheme = actions.save_definition(actor=self.organiser_a, scheme=scheme, definition=scheme.definition)
            run = actions.run_scheme(actor=self.organiser_a, scheme=scheme)
            actions.override(actor=self.organiser_a, result=run.results.get(), grade="称职", reason="审定")
        finally:
            self.as_owner()

    def close_as_site(self, campaign):
        from minping.results.actions import close_campaign

        self.as_site()
        try:
            close_campaign(actor=self.organiser_a, campaign=campaign)
        finally:
            self.as_owner()

    def test_the_site_casts_closes_and_audits_but_cannot_touch_what_is_written(self):
        campaign = self.cast_as_site()
        self.close_as_site(campaign)
        self.run_a_scheme_as_site()
        self.assertEqual(len(ballots_cast(campaign=campaign)), 3)

        with self.site_connection() as site:
            for statement in FORBIDDEN:
                with self.subTest(statement=statement):
                    with self.assertRaises(psycopg.errors.InsufficientPrivilege):
                        site.execute(statement)
            self.assertEqual(site.execute("SELECT count(*) FROM evaluations_ballot").fetchone()[0], 3)

    def test_the_site_settles_the_pool_through_the_database_function(self):
        from minping.evaluations.models import PooledBallot

        campaign = self.cast_as_site(count=12)  # the tenth cast moves all but five
        self.assertEqual((campaign.ballots.count(), PooledBallot.objects.filter(campaign=campaign).count()), (5, 7))

    def test_the_site_cannot_rewrite_or_remove_a_pooled_ballot_only_move_it_unchanged(self):
        from minping.evaluations.ballots import verify_ballot_box
        from minping.evaluations.models import PooledBallot

        campaign = self.cast_as_site()
        pooled = {b.pk: (b.answers, b.digest) for b in PooledBallot.objects.filter(campaign=campaign)}
        self.assertEqual(len(pooled), 3)
        with self.site_connection() as site:
            for statement in [
                "UPDATE evaluations_pooledballot SET answers = '{}'::jsonb",
                "DELETE FROM evaluations_pooledballot",
                "TRUNCATE evaluations_pooledballot",
                "INSERT INTO evaluations_ballot SELECT * FROM evaluations_pooledballot",
                "ALTER TABLE evaluations_pooledballot DISABLE TRIGGER ALL",
            ]:
                with self.subTest(statement=statement), self.assertRaises(psycopg.errors.InsufficientPrivilege):
                    site.execute(statement)
            self.assertEqual(site.execute("SELECT count(*) FROM evaluations_pooledballot").fetchone()[0], 3)
        self.close_as_site(campaign)  # the move, through the owner's function
        moved = {b.pk: (b.answers, b.digest) for b in campaign.ballots.all()}
        self.assertEqual(moved, pooled)
        self.assertEqual(verify_ballot_box(campaign), [])
