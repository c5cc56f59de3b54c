import time
from unittest import mock

from django.test import override_settings
from django.urls import reverse

from tests.base import BaseTestCase


@override_settings(LOGIN_FAILURE_LIMIT=3)
class LoginTest(BaseTestCase):
    def setUp(self):
        from django.core.cache import cache

        cache.clear()

    def login(self, password, username="org_a", address="10.0.0.1"):
        return self.client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address)

    def test_a_correct_password_logs_in(self):
        self.assertRedirects(self.login("x"), reverse("home"))

    def test_every_request_reads_the_user_afresh(self):
        from minping.accounts.models import User

        self.login("x")
        User.objects.filter(username="org_a").update(role=User.Role.GRID_WORKER)
        self.assertEqual(self.client.get(reverse("home")).wsgi_request.user.role, User.Role.GRID_WORKER)
        User.objects.filter(username="org_a").update(is_active=False)
        self.assertFalse(self.client.get(reverse("home")).wsgi_request.user.is_authenticated)

    def test_the_session_and_its_user_are_read_in_one_statement(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from minping.accounts.models import Session

        self.login("x")
        self.assertEqual(Session.objects.get().user.username, "org_a")
        with CaptureQueriesContext(connection) as queries:
            self.assertTrue(self.client.get(reverse("accounts:login")).wsgi_request.user.is_authenticated)
        self.assertEqual([q["sql"] for q in queries.captured_queries if "accounts_user" in q["sql"]], [queries.captured_queries[0]["sql"]])
        self.assertIn("accounts_session", queries.captured_queries[0]["sql"])

    def test_a_changed_password_ends_the_other_sessions(self):
        from minping.accounts.models import Session, User

        self.login("x")
        user = User.objects.get(username="org_a")
        user.set_password("y")
        user.save()
        self.assertFalse(self.client.get(reverse("home")).wsgi_request.user.is_authenticated)
        self.assertFalse(Session.objects.filter(user=user).exists())

    def test_logging_out_deletes_the_session(self):
        from minping.accounts.models import Session

        self.login("x")
        self.client.post(reverse("accounts:logout"))
        self.assertFalse(Session.objects.exists())
        self.assertFalse(self.client.get(reverse("home")).wsgi_request.user.is_authenticated)

    def test_expired_sessions_are_cleared_every_night(self):
        import datetime as dt

        from django.utils import timezone

        from minping.accounts.jobs import clear_expired_sessions
        from minping.accounts.models import Session

        self.login("x")
        Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now() - dt.timedelta(seconds=1))
        self.assertEqual(clear_expired_sessions(), {"cleared": 1})
        self.assertTrue(self.client.get(reverse("home")).wsgi_request.user.is_authenticated)

    def test_failures_past_the_allowance_make_the_next_try_wait_even_with_the_right_password(self):
        for _ in range(3):
            self.assertEqual(self.login("wrong").status_code, 200)
        self.login("wrong")  # the first failure past the allowance: a second's wait
        response = self.login("x")
        self.assertContains(response, "登录失败次数过多，请在 1 秒后再试")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_wait_doubles_with_each_further_failure(self):
        from minping.accounts import ratelimit

        waits = []
        for _ in range(7):
            ratelimit.record_failure("org_a", "10.0.0.1")
            waits.append(ratelimit.wait_seconds("org_a", "10.0.0.1"))
        self.assertEqual(waits, [0, 0, 0, 1, 2, 4, 8])

    def test_a_flood_of_wrong_passwords_from_elsewhere_costs_the_real_user_a_short_wait_at_most(self):
        from minping.accounts import ratelimit

        for n in range(200):
            ratelimit.record_failure("org_a", f"10.9.{n // 250}.{n % 250}")
        self.assertLessEqual(ratelimit.wait_seconds("org_a", "10.0.0.1"), ratelimit.ACCOUNT_MAX_DELAY)
        with mock.patch("time.time", return_value=time.time() + ratelimit.ACCOUNT_MAX_DELAY + 1):
            self.assertRedirects(self.login("x"), reverse("home"))

    def test_a_wait_on_one_account_leaves_colleagues_on_the_same_address_alone(self):
        for _ in range(5):
            self.login("wrong")
        self.assertRedirects(self.login("x", username="office_a"), reverse("home"))

    def test_many_failures_from_one_address_slow_that_address(self):
        for n in range(32):
            self.login("wrong", username=f"guess{n}")
        self.assertEqual(self.login("x", username="office_a").status_code, 200)
        self.assertRedirects(self.login("x", username="office_a", address="10.0.0.2"), reverse("home"))

    def test_the_admin_login_is_throttled_too(self):
        for _ in range(4):
            self.client.post("/admin/login/", {"username": "admin", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
        response = self.client.post("/admin/login/", {"username": "admin", "password": "x"}, REMOTE_ADDR="10.0.0.1")
        self.assertContains(response, "登录失败次数过多")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_login_page_is_chinese_by_default_even_for_an_english_browser(self):
        response = self.client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US")
        self.assertContains(response, 'lang="zh-hans"')
        self.assertContains(response, "登录")

    def test_english_can_be_chosen(self):
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        self.assertContains(self.client.get(reverse("accounts:login")), "Log in")
