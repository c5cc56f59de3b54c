"""The client's address behind trusted proxies only, and throttles that key on it."""

from django.test import SimpleTestCase, override_settings

from minping.lib.clientaddr import client_address, parse_networks
from tests.base import BaseTestCase

NGINX = parse_networks(["127.0.0.1", "10.1.0.0/16"])


class ClientAddressTest(SimpleTestCase):
    def test_a_trusted_proxy_names_the_client(self):
        self.assertEqual(client_address("127.0.0.1", "203.0.113.9", NGINX), "203.0.113.9")

    def test_the_rightmost_untrusted_hop_is_the_client_whatever_the_client_wrote_before_it(self):
        self.assertEqual(client_address("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.2.3", NGINX), "203.0.113.9")

    def test_a_forged_header_from_an_untrusted_address_is_ignored(self):
        self.assertEqual(client_address("198.51.100.7", "127.0.0.1, 1.2.3.4", NGINX), "198.51.100.7")

    def test_no_trusted_proxies_means_the_header_is_never_read(self):
        self.assertEqual(client_address("127.0.0.1", "203.0.113.9", []), "127.0.0.1")

    def test_garbage_stops_the_walk_at_the_last_trusted_hop(self):
        self.assertEqual(client_address("127.0.0.1", "203.0.113.9, not-an-ip", NGINX), "127.0.0.1")
        self.assertEqual(client_address("127.0.0.1", "", NGINX), "127.0.0.1")

    def test_ipv6_clients_are_read(self):
        self.assertEqual(client_address("127.0.0.1", "2001:db8::1", NGINX), "2001:db8::1")

    def test_a_bad_network_in_the_setting_is_named(self):
        with self.assertRaisesMessage(ValueError, "'10.0.0.300'"):
            parse_networks(["10.0.0.300"])


@override_settings(TRUSTED_PROXIES=NGINX)
class ThrottlesBehindAProxyTest(BaseTestCase):
    def setUp(self):
        from django.core.cache import cache

        cache.clear()

    def test_one_client_guessing_codes_does_not_shut_out_another_behind_the_same_proxy(self):
        from django.test import RequestFactory

        from minping.evaluations.voting import GUESS_LIMIT, count_guess, is_guessing

        factory = RequestFactory()
        flood = factory.post("/v/", REMOTE_ADDR="203.0.113.9")
        for _ in range(GUESS_LIMIT):
            count_guess(flood)
        self.assertTrue(is_guessing(flood))
        self.assertFalse(is_guessing(factory.post("/v/", REMOTE_ADDR="203.0.113.10")))

    def test_logins_behind_the_proxy_are_throttled_per_client(self):
        from django.urls import reverse

        for _ in range(6):
            self.client.post(
                reverse("accounts:login"),
                {"username": "org_a", "password": "wrong"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR="203.0.113.9",
            )
        blocked = self.client.post(
            reverse("accounts:login"), {"username": "org_a", "password": "x"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9"
        )
        self.assertContains(blocked, "登录失败次数过多")
        elsewhere = self.client.post(
            reverse("accounts:login"), {"username": "org_a", "password": "x"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20"
        )
        self.assertRedirects(elsewhere, reverse("home"))
