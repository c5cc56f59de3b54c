from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minping.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `minping backup` into this site's database and data directory. Refused "
        "into a database that holds data unless --force. Then run `minping audit verify`, `minping ballots "
        "reconcile` and `minping tally verify` on each closed campaign."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", action="store_true", help="replace what the database holds")

    def handle(self, *args, file: Path, force: bool, **options):
        if not file.is_file():
            raise CommandError(f"no backup {file}")
        try:
            manifest = restore(file, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored the backup of {manifest['created_at']} (audit head {manifest['audit_head'] or 'empty'}).")
        for note in manifest["notes"]:
            self.stdout.write(f"Note: {note}")
