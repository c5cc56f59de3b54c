from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from minping.audit import anchors
from minping.audit.actions import verify_chain


class Command(BaseCommand):
    help = (
        "Audit log tools. `minping audit verify` recomputes the hash chain and checks it against its anchors: the "
        "anchor file, any --anchors FILE and any --anchor SEQ:HASH typed from a printed notice. "
        "`minping audit anchor` writes the current head to the anchor file now."
    )

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify", "anchor"])
        parser.add_argument(
            "--anchors",
            dest="files",
            action="append",
            default=[],
            type=Path,
            help="a file of anchors, e.g. a copy kept elsewhere (repeatable)",
        )
        parser.add_argument("--anchor", dest="typed", action="append", default=[], help="SEQ:HASH as printed (repeatable)")

    def handle(self, *args, subcommand, files: list, typed: list, **options):
        if subcommand == "anchor":
            written, head = anchors.write_anchor(), anchors.current()
            if written:
                self.stdout.write(f"Anchor {written} written to {settings.AUDIT_ANCHOR_FILE}.")
            else:
                self.stdout.write(f"The head {head} is already the newest anchor." if head else "The audit log is empty.")
            return
        checked, broken, reason = verify_chain()
        if reason:
            where = f"entry #{broken.seq} ({broken.action} {broken.object_repr})" if broken else "the chain head"
            raise CommandError(f"Audit chain broken at {where}: {reason}. {checked} entries before it are intact.")
        found = anchors.read_file(settings.AUDIT_ANCHOR_FILE)
        for path in files:
            if not path.exists():
                raise CommandError(f"no anchor file {path}")
            found += anchors.read_file(path)
        from_paper = anchors.parse("\n".join(typed), "--anchor")
        if len(from_paper) != len(typed):
            raise CommandError("an --anchor is not SEQ:HASH (a number and 64 hex digits)")
        problems = anchors.check(found + from_paper)
        if problems:
            raise CommandError("Audit chain does not match its anchors:\n  " + "\n  ".join(problems))
        self.stdout.write(f"Audit chain intact: {checked} entries; {len(found) + len(from_paper)} anchors match.")
