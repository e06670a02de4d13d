from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('consent', '0003_child_legal_hold'),
        # Its drafts are copied there first; undone, they are copied back after the table returns.
        ('journeys', '0002_move_consent_drafts'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='draft',
            name='draft_once_per_journey',
        ),
        migrations.DeleteModel(
            name='Draft',
        ),
    ]
