"""Sources on each other name and each occupation of a person. The occupations' plain
many-to-many table becomes the model DetaineeOccupation, in place (same table, same rows)."""

import django.db.models.deletion
import simple_history.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_updated_at_is_the_last_public_change")]

    operations = [
        migrations.AddField(
            model_name="detaineename",
            name="sources",
            field=models.ManyToManyField(
                blank=True,
                help_text="Public unless confidential: where this spelling is written.",
                related_name="+",
                to="cases.source",
                verbose_name="sources",
            ),
        ),
        migrations.AlterField(
            model_name="historicaldetainee_occupations",
            name="detainee",
            field=models.ForeignKey(
                blank=True, db_constraint=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="cases.detainee", verbose_name="detainee",
            ),
        ),  # fmt: skip
        migrations.AlterField(
            model_name="historicaldetainee_occupations",
            name="occupation",
            field=models.ForeignKey(
                blank=True, db_constraint=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="cases.occupation", verbose_name="occupation",
            ),
        ),  # fmt: skip
        migrations.SeparateDatabaseAndState(
            # The table exists: only Django's picture of it changes.
            state_operations=[
                migrations.CreateModel(
                    name="DetaineeOccupation",
                    fields=[
                        ("id", models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        )),
                        ("detainee", models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name="occupation_rows", to="cases.detainee",
                            verbose_name="detainee",
                        )),
                        ("occupation", models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE, related_name="+",
                            to="cases.occupation", verbose_name="occupation",
                        )),
                    ],
                    options={
                        "verbose_name": "occupation of a person",
                        "verbose_name_plural": "occupations of people",
                        "db_table": "cases_detainee_occupations",
                        "ordering": ["detainee", "occupation__name"],
                        "unique_together": {("detainee", "occupation")},
                    },
                ),  # fmt: skip
                migrations.AlterField(
                    model_name="detainee",
                    name="occupations",
                    field=models.ManyToManyField(
                        blank=True, related_name="detainees", through="cases.DetaineeOccupation",
                        to="cases.occupation", verbose_name="occupations",
                    ),
                ),  # fmt: skip
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="detaineeoccupation",
            name="sources",
            field=models.ManyToManyField(
                blank=True,
                help_text="Public unless confidential: where this occupation is given.",
                related_name="+",
                to="cases.source",
                verbose_name="sources",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalDetaineeName_sources",
            fields=[
                ("id", models.BigIntegerField(
                    auto_created=True, blank=True, db_index=True, verbose_name="ID"
                )),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                ("detaineename", models.ForeignKey(
                    blank=True, db_constraint=False, db_tablespace="", null=True,
                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                    to="cases.detaineename",
                )),
                ("history", models.ForeignKey(
                    db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                    to="cases.historicaldetaineename",
                )),
                ("source", models.ForeignKey(
                    blank=True, db_constraint=False, db_tablespace="", null=True,
                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                    to="cases.source",
                )),
            ],
            options={"verbose_name": "HistoricalDetaineeName_sources"},
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),  # fmt: skip
    ]
