"""Hardened defaults: the deploy check is clean with the environment docs/deploy.md documents; pages carry a
Content-Security-Policy without inline script and the other security headers; pages with personal data are
never cached."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.urls import reverse

from tests.base import BaseTestCase

ROOT = Path(__file__).resolve().parent.parent


def deploy_environment(folder: Path) -> dict:
    """deploy/minping.env, with its secret files and data directory put under `folder`."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)}
    for line in (ROOT / "deploy" / "minping.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _sep, value = line.partition("=")
            env[name] = value.replace("/etc/minping", str(folder)).replace("/var/lib/minping", str(folder / "data"))
    for key in ("secret_key", "pii_key"):
        (folder / key).write_text(os.urandom(32).hex())
    return env


class HardeningTest(BaseTestCase):
    def test_the_deploy_check_is_clean_with_the_documented_environment(self):
        with tempfile.TemporaryDirectory() as folder:
            result = subprocess.run(
                [sys.executable, "-m", "minping", "check", "--deploy", "--fail-level", "WARNING"],
                cwd=ROOT,
                env=deploy_environment(Path(folder)),
                capture_output=True,
                text=True,
            )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_pages_forbid_inline_script_and_carry_the_security_headers(self):
        response = self.client.get(reverse("accounts:login"))
        policy = response["Content-Security-Policy"]
        script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
        self.assertEqual(script.strip(), "script-src 'self'")
        self.assertIn("frame-ancestors 'none'", policy)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertIn("camera=()", response["Permissions-Policy"])

    def test_pages_with_personal_data_are_not_cached(self):
        self.client.force_login(self.organiser_a)
        for url in (
            reverse("org:resident-list"),
            reverse("imports:job-list"),
            reverse("home"),
            reverse("imports:export", args=["residents", "csv"]),
        ):
            with self.subTest(url=url):
                self.assertIn("no-store", self.client.get(url)["Cache-Control"])

    def test_public_pages_keep_their_own_caching(self):
        response = self.client.get(reverse("vote:start"))
        self.assertEqual(response["Cache-Control"], "no-store")  # voter pages set it themselves
