"""What only PostgreSQL gets: triggers and functions that migrations install (SQLite is for local
runs and has neither)."""

from django.db import migrations


def postgresql_only(forward: str, backward: str) -> migrations.RunPython:
    """A migration step that runs ``forward`` (``backward`` when unapplied) on PostgreSQL only.

    The SQL is given whole, as the migration had it, so a later change to the code cannot alter
    what an old migration did.
    """

    def run(sql: str):
        def execute(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return execute

    return migrations.RunPython(run(forward), run(backward))
