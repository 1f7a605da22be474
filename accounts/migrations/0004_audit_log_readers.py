from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync_roles(apps, schema_editor):
    # As in 0002: the new model's permissions are needed now, not after all migrations.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    from accounts.roles import sync_roles

    sync_roles(apps, skip_missing=True)


class Migration(migrations.Migration):
    """Moderators and admins read the audit log."""

    dependencies = [
        ("accounts", "0003_audit_event"),
        ("cases", "0005_data_version_and_listing_index"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
