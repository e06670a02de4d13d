"""The marker of a synthetic data set: the one model of the development-data app."""

from django.db import models


class SyntheticDataSet(models.Model):
    """Written by ``manage.py generate_volume`` alone, in the transaction that loads its data.

    Its presence says every record in this database is synthetic (made for measuring the
    product at scale), so no one mistakes it for a partnership's records; the generated
    people sign in with addresses at ``volume.invalid``, a domain that cannot exist.
    """

    generated_at = models.DateTimeField()
    seed = models.BigIntegerField()
    options = models.JSONField(help_text="The command's options, as given.")
    counts = models.JSONField(help_text="Rows written per table.")

    class Meta:
        verbose_name = "synthetic data set"

    def __str__(self) -> str:
        return f"Synthetic data set generated {self.generated_at:%d %B %Y %H:%M} (seed {self.seed})"
