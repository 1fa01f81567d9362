"""The database cache's table (settings.CACHE_TABLE), so that a fresh `frukost migrate` is enough.

The default cache holds allauth's sign-in throttle, shared by every worker (settings.py). The table
is made whatever the cache is configured as today, so that a site that later drops Redis still has
it; Django's own `createcachetable` logic makes it (nothing if it exists).
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "frukost_cache"  # settings.CACHE_TABLE, fixed here as migrations are


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    # createcachetable runs its own transaction.atomic on the connection.
    atomic = False

    dependencies = [("core", "0005_merge_abuse")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table, elidable=False)]
