"""The audit hash chain (core.chain): a chain_hash column, and occurred_at set by the writer.

SQLite rebuilds a table to alter it, which drops its triggers: the append-only triggers of
migration 0002 are created again afterwards (PostgreSQL keeps them).
"""

import importlib

import django.utils.timezone
from django.db import migrations, models

_append_only = importlib.import_module("yanglao.core.migrations.0002_audit_append_only")


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in _append_only.SQLITE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_key_rotation_progress'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='chain_hash',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='链式哈希'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='occurred_at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='时间'),
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
    ]
