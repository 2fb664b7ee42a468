"""The API token model moves from ``core`` (which keeps no models) to ``structures``.

State only: the table keeps its name (``core_apitoken``, ``core_apitoken_scope``), so existing
tokens stay valid. The content type follows the model, and with it the permissions already
granted on tokens.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    manager = ContentType.objects.using(schema_editor.connection.alias)
    if not manager.filter(app_label=target, model="apitoken").exists():
        manager.filter(app_label=source, model="apitoken").update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="core", target="structures")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="structures", target="core")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_api_token"),
        ("structures", "0003_relay_index"),
        ("territories", "0002_point_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(help_text="À quoi sert le jeton, ex. « SIG de l'AD Occitanie ».", max_length=200, verbose_name="nom")),
                        ("key_hash", models.CharField(editable=False, max_length=64, unique=True, verbose_name="empreinte de la clé")),
                        ("prefix", models.CharField(editable=False, help_text="Pour reconnaître un jeton sans stocker sa clé.", max_length=8, verbose_name="début de la clé")),
                        ("is_active", models.BooleanField(default=True, verbose_name="actif")),
                        ("expires_at", models.DateTimeField(blank=True, null=True, verbose_name="expire le")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                        ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="dernière utilisation")),
                        ("scope", models.ManyToManyField(blank=True, help_text="Territoires (région, département, EPCI, commune) auxquels le jeton donne accès. Vide : toute la France, réservé aux administrateurs du registre.", related_name="+", to="territories.territory", verbose_name="périmètre")),
                        ("user", models.ForeignKey(help_text="Le jeton agit avec les droits de cet utilisateur, limités à son périmètre.", on_delete=django.db.models.deletion.CASCADE, related_name="api_tokens", to=settings.AUTH_USER_MODEL, verbose_name="utilisateur")),
                    ],
                    options={
                        "verbose_name": "jeton d'API",
                        "verbose_name_plural": "jetons d'API",
                        "ordering": ["-created_at", "pk"],
                        "db_table": "core_apitoken",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
