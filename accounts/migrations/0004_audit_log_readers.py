from django.db import migrations

from accounts.roles import sync_roles_in_migration


class Migration(migrations.Migration):
    """Moderators and admins read the audit log."""

    dependencies = [
        ("accounts", "0003_audit_event"),
        ("cases", "0005_data_version_and_listing_index"),
    ]

    operations = [migrations.RunPython(sync_roles_in_migration, migrations.RunPython.noop)]
