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

    def test_repeated_failures_block_the_account_even_with_the_right_password(self):
        for _ in range(3):
            self.assertEqual(self.login("wrong").status_code, 200)
        response = self.login("x")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "15")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_block_on_one_account_leaves_colleagues_on_the_same_address_alone(self):
        for _ in range(3):
            self.login("wrong")
        self.assertRedirects(self.login("x", username="office_a"), reverse("home"))

    def test_many_failures_from_one_address_block_that_address(self):
        for n in range(30):
            self.login("wrong", username=f"guess{n}")
        self.assertEqual(self.login("x", username="office_a").status_code, 200)
        self.assertRedirects(self.login("x", username="office_a", address="10.0.0.2"), reverse("home"))

    def test_the_login_page_is_chinese_by_default_even_for_an_english_browser(self):
        response = self.client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US")
        self.assertContains(response, 'lang="zh-hans"')
        self.assertContains(response, "登录")

    def test_english_can_be_chosen(self):
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        self.assertContains(self.client.get(reverse("accounts:login")), "Log in")
