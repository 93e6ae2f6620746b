"""Directory search and the HSDS lists at a region's scale (PostgreSQL only; nothing on SQLite).

- `crossroads_unaccent(text)`: PostgreSQL's `unaccent` is STABLE (it reads its dictionary by name), so it cannot
  be indexed; this IMMUTABLE wrapper names the dictionary with its schema, the usual way to index it.
  `referrals.search.Unaccented` calls it on PostgreSQL.
- Trigram (pg_trgm, GIN) indexes on the accent-folded, upper-cased names and descriptions that search compares
  with `LIKE '%word%'`: a rare word is an index scan, and ANALYZE keeps statistics on these expressions, so
  the planner knows how many rows a word keeps (without them it guesses one row, and picks a plan for one).
- B-tree indexes on the order the lists are shown in (services by name and id), so a page of 20 is read in
  order and the scan stops at 20 instead of sorting every listed service.

Where pg_trgm is not available the trigram indexes are left out; search still works, unindexed.
"""

from django.db import migrations

SERVICE_ORDER = "referrals_service_name_id_speed"
ORGANIZATION_ORDER = "referrals_organization_name_id_speed"
TRIGRAM = [
    ("referrals_service_name_trgm", "referrals_service", "name"),
    ("referrals_service_alternate_name_trgm", "referrals_service", "alternate_name"),
    ("referrals_service_description_trgm", "referrals_service", "description"),
    ("referrals_organization_name_trgm", "referrals_organization", "name"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
        schema = cursor.fetchone()[0]
        cursor.execute(
            "CREATE OR REPLACE FUNCTION crossroads_unaccent(text) RETURNS text "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
            f"AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {SERVICE_ORDER} ON referrals_service (name, id)")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {ORGANIZATION_ORDER} ON referrals_organization (name, id)")
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
        trgm = cursor.fetchone()[0]
        for name, table, column in TRIGRAM:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f"USING gin (upper(crossroads_unaccent({column}::text)) {trgm}.gin_trgm_ops)"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _table, _column in TRIGRAM:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute(f"DROP INDEX IF EXISTS {SERVICE_ORDER}")
        cursor.execute(f"DROP INDEX IF EXISTS {ORGANIZATION_ORDER}")
        cursor.execute("DROP FUNCTION IF EXISTS crossroads_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0009_where_index")]

    operations = [migrations.RunPython(forwards, backwards)]
