"""Test settings: the project's own, with keys and files in a throwaway directory."""

import os
import tempfile

os.environ.setdefault("MINPING_DATA_DIR", tempfile.mkdtemp(prefix="minping-test-"))
os.environ.setdefault("MINPING_PII_KEY", "test-pii-key")

from minping.settings import *  # noqa: E402, F403
from minping.settings import STATIC_ROOT  # noqa: E402

STATIC_ROOT.mkdir(parents=True, exist_ok=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405 (no collectstatic in tests)
