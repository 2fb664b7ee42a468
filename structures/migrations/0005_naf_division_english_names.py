"""Give the 88 NAF rév. 2 divisions their English names (the NACE Rev. 2 titles).

Databases migrated before the vendored file had them hold divisions with an empty
``name_en``, so English sentences of the relay lookup named them in French. Re-running the
NAF catalogue sync fills them in (and refreshes every other NAF name) without touching ids.
"""

from django.db import migrations

from structures.catalogue import sync_naf


def refresh_naf(apps, schema_editor):
    sync_naf(apps.get_model("structures", "Sector"))


class Migration(migrations.Migration):
    dependencies = [
        ("structures", "0004_apitoken_from_core"),
    ]

    operations = [
        # Backwards keeps the names: an English name is harmless to the older code.
        migrations.RunPython(refresh_naf, migrations.RunPython.noop, elidable=False),
    ]
