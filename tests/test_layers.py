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
    return subprocess.run(
        [str(LINT), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


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

    def test_no_two_apps_share_a_layer_both_ways(self):
        """No `:` in the contract: apps of one layer never import each other, so none forms a cycle."""
        import tomllib

        layers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]["layers"]
        self.assertEqual([layer for layer in layers if ":" in layer], [])

    def test_nothing_happens_out_of_sight(self):
        """No signal receivers in the package: a cross-app effect is a registry or a hook an action calls."""
        found = [
            str(path.relative_to(ROOT))
            for path in (ROOT / "minping").rglob("*.py")
            if any(word in path.read_text() for word in ("post_save", "pre_save", "@receiver", "post_delete"))
        ]
        self.assertEqual(found, [])

    def test_pages_refuse_one_way(self):
        """The pages of commitments, grid and field work say a refusal through lib/feedback (`attempting`,
        `attempt`), never a hand-written handler of their own."""
        import re

        handwritten = re.compile(r"except \(?(ValidationError|PermissionDenied)[^:]*as exc:\n\s+(refused|messages\.error)\(")
        found = [
            str(path.relative_to(ROOT))
            for app in ("commitments", "grid", "fieldwork")
            for path in (ROOT / "minping" / app).rglob("*.py")
            if handwritten.search(path.read_text())
        ]
        self.assertEqual(found, [])

    def test_models_are_written_only_by_actions(self):
        """Every model write (save, delete, create, update and their bulk forms) is in an `actions` module or
        package, or a migration. The demo's seeders, which make up a district as fixtures, are the one other
        writer."""
        found = [
            f"{path.relative_to(ROOT)}:{line} .{method}()"
            for path in (ROOT / "minping").rglob("*.py")
            if not _may_write(path.relative_to(ROOT / "minping").parts)
            for line, method in model_writes(path.read_text())
        ]
        self.assertEqual(found, [])

    def test_the_write_finder_finds_writes(self):
        source = """
def f(campaign, state, workbook):
    Tally.objects.filter(campaign=campaign).delete()
    Reminder.objects.create(month=1)
    campaign.codes.filter(status="issued").update(status="voided")
    state.save()
    row.update(a=1)
    workbook.save(out)
"""
        self.assertEqual([method for _line, method in model_writes(source)], ["delete", "create", "update", "save"])


QUERY_WRITES = {"create", "bulk_create", "bulk_update", "update", "delete", "get_or_create", "update_or_create"}
QUERYSETS = {"objects", "filter", "exclude", "all", "select_for_update", "order_by"}
NOT_MODELS = {"workbook", "canvas", "document", "font", "cache", "form"}  # files and forms whose save is not a row's


def _may_write(parts: tuple) -> bool:
    return parts[0] == "demo" or any(part == "migrations" or part.removesuffix(".py") == "actions" for part in parts)


def _chain(node) -> list[str]:
    """The names along an expression like `Model.objects.filter(...).select_for_update()`, outermost first."""
    import ast

    names = []
    while not isinstance(node, ast.Name):
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call | ast.Subscript):
            node = node.func if isinstance(node, ast.Call) else node.value
        else:
            return names
    return [*names, node.id]


def model_writes(source: str):
    """(line, method) of each call in `source` that writes a model's rows: a queryset's write, or an
    instance's save or delete."""
    import ast

    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, node.func.value
        names = _chain(receiver)
        on_query = bool(QUERYSETS & set(names))
        if method in QUERY_WRITES and on_query:
            yield node.lineno, method
        elif (
            method in ("save", "delete") and not on_query and isinstance(receiver, ast.Name | ast.Attribute) and names[0] not in NOT_MODELS
        ):
            yield node.lineno, method
