"""The PostgreSQL backend's health check: a connection the server has ended is replaced, a live one is kept,
and telling the two apart sends nothing to the server."""

import time
import unittest

from django.db import connection
from django.test import SimpleTestCase


@unittest.skipUnless(connection.vendor == "postgresql", "the health check is PostgreSQL's")
class HealthCheckTest(SimpleTestCase):
    databases = {"default"}

    def setUp(self):
        self.other = connection.copy()  # a connection of its own, outside the test's
        self.other.ensure_connection()
        self.addCleanup(self.other.close)

    def backend_pid(self) -> int:
        with self.other.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    def last_statement(self, pid: int) -> str:
        """The last statement the backend `pid` ran, as pg_stat_activity shows it."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
            return cursor.fetchone()[0]

    def test_a_live_connection_is_usable_and_nothing_is_sent_to_ask(self):
        pid = self.backend_pid()
        before = self.last_statement(pid)
        self.assertTrue(self.other.is_usable())
        self.assertEqual(self.last_statement(pid), before)

    def test_a_connection_the_server_ended_is_replaced_before_it_is_used(self):
        pid = self.backend_pid()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5
        while self.other.is_usable() and time.monotonic() < deadline:
            time.sleep(0.05)  # the server's goodbye arrives asynchronously
        self.assertFalse(self.other.is_usable())
        # As at the start of a request: the dead connection is closed, the next query opens a new one.
        self.other.health_check_enabled, self.other.health_check_done = True, False
        self.other.close_if_health_check_failed()
        self.assertNotEqual(self.backend_pid(), pid)


@unittest.skipUnless(connection.vendor == "postgresql", "prepared statements are PostgreSQL's")
class PreparedStatementTest(SimpleTestCase):
    databases = {"default"}

    def prepared_after(self, runs: int, other) -> list[str]:
        with other.cursor() as cursor:
            for n in range(runs):
                cursor.execute("SELECT %s::int + 1", [n])
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    def test_a_statement_run_five_times_on_a_connection_is_prepared_for_the_sixth(self):
        other = connection.copy()
        self.addCleanup(other.close)
        self.assertEqual(self.prepared_after(5, other), [])
        self.assertEqual(self.prepared_after(1, other), ["SELECT $1::int + 1"])

    def test_minping_db_prepared_off_prepares_nothing(self):
        from minping.lib.env import database_from_url

        settings = database_from_url(f"postgres://{connection.settings_dict['HOST']}/x", None, prepared=False)
        other = connection.copy()
        other.settings_dict = {**other.settings_dict, "OPTIONS": settings["OPTIONS"]}
        self.addCleanup(other.close)
        self.assertEqual(self.prepared_after(10, other), [])
