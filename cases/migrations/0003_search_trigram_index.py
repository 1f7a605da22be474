"""A trigram index on the folded name column, on PostgreSQL only.

It serves the listing's substring match on `search_text` (LIKE '%word%') and the "did you mean"
suggestions. SQLite, the embedded default, has no such index and needs none at its scale.
"""

from django.db import migrations

INDEX = "cases_detainee_search_text_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_detainee USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_derived_facts_out_of_history")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
