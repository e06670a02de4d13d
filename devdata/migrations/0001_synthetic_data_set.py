"""The synthetic data set's marker, moved here from ``isa_portal`` (its migration 0002 drops the old table).

A database generated before the move (such as ``isa_volume``) keeps its marker: the row is
copied across when the old table is still there, which it is when this app is installed as
the database is migrated (``migrate`` runs this before ``isa_portal.0002``). Where the old
table went first, there is nothing to copy: see "A synthetic partnership at scale" in the README.
"""

from django.db import migrations, models

FIELDS = ("generated_at", "seed", "options", "counts")


def _copy(apps, source: tuple[str, str], target: tuple[str, str]) -> None:
    try:
        old, new = apps.get_model(*source), apps.get_model(*target)
    except LookupError:  # the other table is gone already: nothing to keep
        return
    for row in old.objects.order_by("pk").values(*FIELDS):
        new.objects.create(**row)


def keep_the_marker(apps, schema_editor) -> None:
    _copy(apps, ("isa_portal", "SyntheticDataSet"), ("devdata", "SyntheticDataSet"))


def give_the_marker_back(apps, schema_editor) -> None:
    _copy(apps, ("devdata", "SyntheticDataSet"), ("isa_portal", "SyntheticDataSet"))


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("isa_portal", "0001_synthetic_data_set"),
    ]

    operations = [
        migrations.CreateModel(
            name="SyntheticDataSet",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("generated_at", models.DateTimeField()),
                ("seed", models.BigIntegerField()),
                ("options", models.JSONField(help_text="The command's options, as given.")),
                ("counts", models.JSONField(help_text="Rows written per table.")),
            ],
            options={
                "verbose_name": "synthetic data set",
            },
        ),
        migrations.RunPython(keep_the_marker, give_the_marker_back),
    ]
