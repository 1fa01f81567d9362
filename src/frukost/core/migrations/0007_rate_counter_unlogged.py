"""On PostgreSQL the rate counters' table is UNLOGGED: its writes go to no WAL, and a commit
that wrote only counters does not wait for a WAL flush (issue 10, fifth pass).

Every public form's POST upserts its counters in a statement of its own, autocommitted: on a
logged table a durable commit each, about 0.1 ms of the server's CPU and a wait for the disk. A
crash truncates an unlogged table, and standbys do not receive it: every counter starts again
from zero, which lets a client that was being refused try again once more, and nothing else.
Registrations, the outbox and the personal links stay logged. SQLite has no such thing.

ALTER TABLE … SET UNLOGGED rewrites the table under an exclusive lock: the counters are small
(the worker deletes expired ones), so it takes milliseconds.
"""

from django.db import migrations

TABLE = "core_ratecounter"


def _alter(persistence: str):
    def alter(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(TABLE)} SET {persistence}")

    return alter


class Migration(migrations.Migration):
    dependencies = [("core", "0006_cache_table")]

    operations = [migrations.RunPython(_alter("UNLOGGED"), _alter("LOGGED"), elidable=False)]
