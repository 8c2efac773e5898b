"""The disclosure app's tables, under the app label ``disclosure``.

Until this migration the app was ``disclosure_web``; Django cannot rename an app label, so this first migration
of the renamed app declares the models (state) and then adopts what is in the database:

- a database that had ``disclosure_web`` (tables ``disclosure_web_unitbudget`` and
  ``disclosure_web_historicalunitbudget``): the tables are renamed to ``disclosure_*`` with their rows, the
  content types move to the ``disclosure`` label (so permissions and history keep pointing at them), and the
  old app's ``django_migrations`` rows are removed;
- a new database: the tables are created.

Table renames keep rows, ids, indexes and constraints on SQLite and PostgreSQL alike (ALTER TABLE … RENAME TO).
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

OLD_LABEL = "disclosure_web"
NEW_LABEL = "disclosure"
MODELS = ("unitbudget", "historicalunitbudget")


def adopt_or_create(apps, schema_editor):
    connection = schema_editor.connection
    existing = set(connection.introspection.table_names())
    for name in MODELS:
        model = apps.get_model(NEW_LABEL, name)
        old_table = f"{OLD_LABEL}_{name}"
        if old_table in existing:
            schema_editor.alter_db_table(model, old_table, model._meta.db_table)
        else:
            schema_editor.create_model(model)
    content_type = apps.get_model("contenttypes", "ContentType")
    db = connection.alias
    for name in MODELS:
        old = content_type.objects.using(db).filter(app_label=OLD_LABEL, model=name)
        if content_type.objects.using(db).filter(app_label=NEW_LABEL, model=name).exists():
            old.delete()
        else:
            old.update(app_label=NEW_LABEL)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", [OLD_LABEL])


def drop(apps, schema_editor):
    for name in reversed(MODELS):
        schema_editor.delete_model(apps.get_model(NEW_LABEL, name))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('regions', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalUnitBudget',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('year', models.PositiveIntegerField(verbose_name='预算年度')),
                        ('budget_yaml', models.TextField(verbose_name='预算数据（YAML）')),
                        ('total', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='支出合计（万元）')),
                        ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='更新时间')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='regions.budgetunit', verbose_name='预算单位')),
                    ],
                    options={
                        'verbose_name': 'historical 单位预算',
                        'verbose_name_plural': 'historical 单位预算',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='UnitBudget',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveIntegerField(verbose_name='预算年度')),
                        ('budget_yaml', models.TextField(verbose_name='预算数据（YAML）')),
                        ('total', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='支出合计（万元）')),
                        ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='budgets', to='regions.budgetunit', verbose_name='预算单位')),
                    ],
                    options={
                        'verbose_name': '单位预算',
                        'verbose_name_plural': '单位预算',
                        'ordering': ['-year', 'unit__code'],
                        'constraints': [models.UniqueConstraint(fields=('unit', 'year'), name='unit_budget_unique_year')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(adopt_or_create, drop),
    ]
