"""`minping …` is manage.py with the project's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minping.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["minping", *sys.argv[1:]])


if __name__ == "__main__":
    main()
