"""Load the reference catalogues (services, NAF rév. 2 sections and divisions, filières).

Every installation needs them: offers point at services, SMEs and offers at sectors.
"""

from django.db import migrations

from structures.catalogue import sync_filieres, sync_naf, sync_services


def load_catalogues(apps, schema_editor):
    Service = apps.get_model("structures", "Service")
    Sector = apps.get_model("structures", "Sector")
    sync_services(Service)
    sync_naf(Sector)
    sync_filieres(Sector)


class Migration(migrations.Migration):
    dependencies = [
        ("structures", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_catalogues, migrations.RunPython.noop, elidable=False),
    ]
