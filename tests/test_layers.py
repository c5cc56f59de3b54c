"""The order of the apps (ARCHITECTURE.md, Layers) is a contract: import-linter checks it, and an upward import
breaks it."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import TestCase

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache", "--config", str(tree / "pyproject.toml")], cwd=tree,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)  # fmt: skip


class LayersTest(TestCase):
    def test_the_apps_keep_their_layers(self):
        result = lint(ROOT)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("1 kept, 0 broken", result.stdout)

    def test_an_upward_import_breaks_the_contract(self):
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp)
            shutil.copytree(ROOT / "minping", tree / "minping", ignore=shutil.ignore_patterns("__pycache__", "*.ttc"))
            shutil.copy(ROOT / "pyproject.toml", tree)
            (tree / "minping" / "evaluations" / "upward.py").write_text("from minping.results import figures\n")
            result = lint(tree)
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("minping.evaluations.upward -> minping.results.figures", result.stdout)
