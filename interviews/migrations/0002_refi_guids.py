# REFI-QDA exchange: keep the GUIDs that sources, codes, codings and notes had
# in an imported file, so that a re-export carries them (services/refi.py).
# Null for everything made in this app; exports derive stable GUIDs for those.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="code",
            name="guid",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="coding",
            name="guid",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="memo",
            name="guid",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="transcript",
            name="guid",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
    ]
