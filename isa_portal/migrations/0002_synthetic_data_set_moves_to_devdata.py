"""The synthetic data set's marker leaves the product's schema for the development-data app.

``devdata`` (which deployments do not install) has its own ``SyntheticDataSet`` from its
migration 0001, which copies a marker found here before this drops the table: a ``migrate``
plans ``devdata`` before ``isa_portal``. Where ``devdata`` is not installed, the table (always
empty there: the generator fills only an empty database) is simply dropped.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("isa_portal", "0001_synthetic_data_set"),
    ]

    operations = [
        migrations.DeleteModel(name="SyntheticDataSet"),
    ]
