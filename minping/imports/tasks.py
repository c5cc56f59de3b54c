"""The import's background tasks, found here by Celery; they are writes, so they live in `imports.actions`."""

from minping.imports.actions import load_import, validate_import

__all__ = ["load_import", "validate_import"]
