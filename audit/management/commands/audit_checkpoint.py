"""Sign a checkpoint of the audit trail: run it every few minutes (cron), and see its key."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import checkpoints, verify


class Command(BaseCommand):
    help = (
        "When there are entries no checkpoint covers yet, verify them (incremental: seconds) and sign a "
        "checkpoint of the trail with the key in AUDIT_SIGNING_KEY_FILE, written to the database and to "
        "AUDIT_CHECKPOINT_DIR. Refuses to sign a trail that fails verification (exit 1). "
        "--public-key prints the key's public half; --generate-key PATH makes a new key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--public-key", action="store_true", help="Print the public key and stop.")
        parser.add_argument(
            "--generate-key",
            metavar="PATH",
            help="Write a new Ed25519 signing key to PATH (never over an existing file); print its "
            "public key.",
        )

    def handle(self, *args, **options) -> None:
        if options["generate_key"]:
            path = Path(options["generate_key"])
            try:
                public = checkpoints.generate_key_file(path)
            except FileExistsError:
                raise CommandError(f"{path} exists already: a signing key is never overwritten.") from None
            self.stdout.write(f"Wrote a new signing key to {path} (readable by its owner only).")
            self.show_public(checkpoints.raw_public(public))
            return
        key = checkpoints.signing_key()
        if key is None:
            raise CommandError(
                "No signing key is configured: set AUDIT_SIGNING_KEY_FILE to the path of the key "
                "(make one with --generate-key PATH)."
            )
        if options["public_key"]:
            self.show_public(checkpoints.raw_public(key.public_key()))
            return
        verdict = verify.verify(since_checkpoint=True, sign="new")
        for note in verdict.notes:
            self.stdout.write(note)
        if verdict.problems:
            for problem in verdict.problems:
                self.stdout.write(f"- {problem}")
            raise CommandError(f"No checkpoint signed: {verdict.problems[0]}")
        if verdict.signed:
            self.stdout.write(self.style.SUCCESS(verdict.signed))

    def show_public(self, public: bytes) -> None:
        origin = checkpoints.origin()
        self.stdout.write(f"Verifier key: {checkpoints.verifier_key(origin, public)}")
        self.stdout.write(f"Key id: {checkpoints.key_id(origin, public).hex()}")
