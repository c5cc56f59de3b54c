from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minping.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write one archive of the database, the keys and the uploaded files, consistent with each other. It holds "
        "the keys: keep it as carefully as them. `minping restore FILE` puts it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the archive to write (.tar.gz)")

    def handle(self, *args, file: Path, **options):
        try:
            manifest = backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Backup written to {file}: {len(manifest['files'])} files, {manifest['vendor']} database, "
            f"audit head {manifest['audit_head'] or '(empty)'}."
        )
