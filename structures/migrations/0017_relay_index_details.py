from django.db import migrations, models

# The values of ``details`` (structures.relay.index.pack_details), written for the rows already
# there in one portable UPDATE: the same SQL on SQLite and PostgreSQL.
PLACE = ("structure_id", "territory_id", "point_is_approximate", "region_id", "sort_key")
CONDITIONS = (
    "min_employees",
    "max_employees",
    "min_age_years",
    "members_only",
    "application_required",
    "sector_codes",
    "market_codes",
    "planned_codes",
    "naf_include",
    "naf_exclude",
)
BOOLEANS = {"point_is_approximate", "members_only", "application_required"}
TEXTS = {"sort_key", "sector_codes", "market_codes", "planned_codes", "naf_include", "naf_exclude"}


def _as_text(qn, name: str) -> str:
    if name in BOOLEANS:
        return f"(CASE WHEN {qn(name)} THEN '1' ELSE '' END)"
    if name in TEXTS:
        return qn(name)
    return f"COALESCE(CAST({qn(name)} AS TEXT), '')"


def fill_details(apps, schema_editor):
    entry = apps.get_model("structures", "RelayIndexEntry")
    qn = schema_editor.connection.ops.quote_name
    separator = " || %s || "
    place = separator.join(_as_text(qn, name) for name in PLACE)
    conditions = separator.join(_as_text(qn, name) for name in CONDITIONS)
    any_condition = " OR ".join(
        f"{qn(name)} IS NOT NULL"
        if name not in BOOLEANS and name not in TEXTS
        else (qn(name) if name in BOOLEANS else f"{qn(name)} <> ''")
        for name in CONDITIONS
    )
    sql = (
        f"UPDATE {qn(entry._meta.db_table)} SET {qn('details')} = {place} || "
        f"(CASE WHEN {any_condition} THEN %s || {conditions} ELSE '' END)"
    )
    params = ["\x1f"] * (len(PLACE) - 1 + 1 + len(CONDITIONS) - 1)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql, params)


class Migration(migrations.Migration):
    dependencies = [
        ("structures", "0016_poles_offer_intensity"),
    ]

    operations = [
        migrations.AddField(
            model_name="relayindexentry",
            name="details",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(fill_details, migrations.RunPython.noop),
    ]
