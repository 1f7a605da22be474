"""`updated_at` becomes what the public page says it is: the last publication or approved change.
The old automatic timestamp (any save, a staff note included) is kept as `saved_at`."""

from django.db import migrations, models
from django.db.models import F


def copy_last_saves(apps, schema_editor):
    # The best we know for entries published before: their last save.
    for name in ["Case", "Detainee"]:
        model = apps.get_model("cases", name)
        model.objects.filter(published_at__isnull=False).update(updated_at=F("saved_at"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_vocabulary_aliases")]

    operations = [
        *[
            migrations.RenameField(model_name=model, old_name="updated_at", new_name="saved_at")
            for model in ["case", "detainee", "historicalcase", "historicaldetainee"]
        ],
        *[
            migrations.AlterField(
                model_name=model,
                name="saved_at",
                field=models.DateTimeField(
                    auto_now=True,
                    help_text="Staff only. Any save, a staff note or an assignment included.",
                    verbose_name="last saved",
                ),
            )
            for model in ["case", "detainee"]
        ],
        *[
            migrations.AlterField(
                model_name=model,
                name="saved_at",
                field=models.DateTimeField(
                    blank=True,
                    editable=False,
                    help_text="Staff only. Any save, a staff note or an assignment included.",
                    verbose_name="last saved",
                ),
            )
            for model in ["historicalcase", "historicaldetainee"]
        ],
        *[
            migrations.AddField(
                model_name=model,
                name="updated_at",
                field=models.DateTimeField(
                    blank=True,
                    editable=False,
                    null=True,
                    help_text=(
                        "Public: shown as the page's last update: its publication or its last "
                        "approved change."
                    ),
                    verbose_name="last updated",
                ),
            )
            for model in ["case", "detainee", "historicalcase", "historicaldetainee"]
        ],
        migrations.RunPython(copy_last_saves, migrations.RunPython.noop),
    ]
