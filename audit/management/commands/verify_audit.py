"""Verify the audit trail: its hash chain, Merkle tree, signed checkpoints and sealed records."""

import logging
import os
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import verify

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Check that the audit trail has not been altered: recompute every entry's hash and its link "
        "to the one before, re-read every sealed record against its seal, and name each thing found "
        "(entry edited, entry removed or moved, record rewritten). Prints progress, then the verdict "
        "and the head hash; when the trail holds, sign a checkpoint of it (AUDIT_SIGNING_KEY_FILE). Checks "
        "the trail against every signed checkpoint in the database and AUDIT_CHECKPOINT_DIR (chain "
        "recomputed, tail cut, checkpoint edited or signed by another key). Exits 1 when something was "
        "found, 2 when the check could not finish."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since-checkpoint",
            action="store_true",
            help="Incremental: check every checkpoint's head still holds, then re-hash only the entries "
            "after the newest checkpoint (seconds). The nightly run leaves this off.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(4, os.cpu_count() or 1),
            help="Processes that re-hash the entries in parallel (default: the cores, at most 4).",
        )
        parser.add_argument(
            "--known-head",
            metavar="HASH",
            help="A head hash printed by an earlier run: fail if it is no longer in the chain "
            "(entries removed from the end, or the chain recomputed).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Print the verdict only.")
        parser.add_argument(
            "--no-sign",
            action="store_true",
            help="Check only: sign no checkpoint even when the trail holds (for a restored copy, "
            "scripts/backup-restore-check, whose checkpoints must not join the live ones).",
        )

    def handle(self, *args, **options) -> None:
        progress = None if options["no_progress"] else self._progress()
        try:
            verdict = verify.verify(
                since_checkpoint=options["since_checkpoint"],
                workers=max(1, options["workers"]),
                progress=progress,
                known_head=options.get("known_head"),
                sign="never" if options["no_sign"] else "always",
            )
        except Exception as error:  # the verdict is never a traceback
            logger.debug("verify_audit could not finish", exc_info=True)
            raise CommandError(
                f"The audit trail could not be verified: {type(error).__name__}: {error}. Nothing has been "
                "found wrong, and nothing shown to be right: run it again, and if it fails the same way, "
                "keep this message for whoever supports the system.",
                returncode=2,
            ) from None
        self.report(verdict)

    def _progress(self):
        last = {"at": 0.0, "what": ""}
        began = time.monotonic()

        def show(what: str, done: int, total: int) -> None:
            now = time.monotonic()
            if what == last["what"] and now - last["at"] < 5 and done < total:
                return
            last.update(at=now, what=what)
            elapsed = now - began
            share = f" ({done * 100 // total}%)" if total else ""
            rate = f", {done / elapsed:,.0f} a second" if elapsed > 1 else ""
            self.stderr.write(f"Checked {done:,} of {total:,} {what}{share} in {elapsed:,.0f} s{rate}")

        return show

    def report(self, verdict: verify.Verdict) -> None:
        for note in verdict.notes:
            self.stdout.write(note)
        if verdict.signed:
            self.stdout.write(verdict.signed)
        count = verdict.checkpoints_checked
        checked = f" against {count:,} signed checkpoints" if count else ""
        sealed = (
            f", {verdict.sealed_records:,} sealed records" if verdict.sealed_records is not None else ""
        )
        if verdict.intact:
            self.stdout.write(
                self.style.SUCCESS(
                    f"The audit trail is intact: {verdict.entries} entries{sealed}{checked} "
                    f"({verdict.mode} verification, {verdict.seconds:.1f} s)."
                )
            )
            self.stdout.write(f"Head hash: {verdict.head}")
            self.stdout.write(f"Merkle root: {verdict.root.hex()} ({verdict.entries} entries)")
            parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in verdict.timings.items())
            self.stdout.write(f"Time: {parts}.")
            return
        problems = verdict.problems
        self.stdout.write(f"Checked {verdict.entries} entries{sealed}. Found {len(problems)}:")
        for problem in problems[:50]:
            self.stdout.write(f"- {problem}")
        if len(problems) > 50:
            self.stdout.write(f"... and {len(problems) - 50} more.")
        first = problems[0]
        if first.kind in verify.CHAIN_KINDS:
            headline = "The audit trail's hash chain is broken"
        elif first.kind == verify.RECORD_REWRITTEN:
            headline = "A sealed record has been rewritten"
        else:
            headline = "The audit trail has been tampered with"
        raise CommandError(f"{headline}: {first.kind.lower()}: {first.message}")
