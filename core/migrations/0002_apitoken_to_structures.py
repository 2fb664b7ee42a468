"""The API token model now lives in ``structures`` (see structures/migrations/0004): state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_api_token"),
        ("structures", "0004_apitoken_from_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiToken")],
            database_operations=[],
        ),
    ]
