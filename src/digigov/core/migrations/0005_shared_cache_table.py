"""The shared cache's table: settings.CACHES uses it unless DIGIGOV_CACHE_URL names Redis.

Made whatever the cache in use, so an installation can move from Redis to the
database (or back) without a step of its own.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "digigov_cache"


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_data_tracker_names")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
