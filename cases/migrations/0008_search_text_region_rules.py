"""Recompute every person's search text with the region's name-matching rules (cases/text.py):
the keys changed (h, x, q, k and g are one letter; y is i; surname roots are indexed)."""

from django.db import migrations


def refold(apps, schema_editor):
    from cases.text import search_text

    Detainee = apps.get_model("cases", "Detainee")
    DetaineeName = apps.get_model("cases", "DetaineeName")
    others = {}
    for detainee_id, name in DetaineeName.objects.values_list("detainee_id", "name").iterator():
        others.setdefault(detainee_id, []).append(name)
    batch = []
    for detainee in Detainee.objects.only("pk", "name").iterator(chunk_size=2000):
        detainee.search_text = search_text([detainee.name, *others.get(detainee.pk, [])])
        batch.append(detainee)
        if len(batch) == 2000:
            Detainee.objects.bulk_update(batch, ["search_text"])
            batch = []
    Detainee.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_article_numbers_with_hyphens"),
    ]

    operations = [
        migrations.RunPython(refold, migrations.RunPython.noop),
    ]
