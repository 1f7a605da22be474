"""The roles of SPEC.md, as Django groups with exactly these permissions.

| | researcher | moderator | admin |
|---|---|---|---|
| see drafts, internal data | own + assigned | all | all |
| create entries, log events | as drafts | yes | yes |
| publish, reject, retract | no | yes | yes |
| manage accounts, vocabularies | no | no | yes |

The researchers' own pages check `cases.log_entries`; review checks `cases.review_entries`; the
admin site is for moderators and admins only (see config/admin.py), and both read the audit log.
Only admins delete (purge) entries: everyone else retracts.
"""

RESEARCHER, MODERATOR, ADMIN = "researcher", "moderator", "admin"

ENTRY_MODELS = ["detainee", "case"]
ENTRY_PART_MODELS = [
    "detaineename", "affiliation", "casedefendant", "charge", "event", "source", "contact",
    "echrapplication", "executiongroup", "cmdecision", "pendingchange",
]  # fmt: skip
VOCABULARY_MODELS = [
    "occupation", "organization", "court", "facility", "legalcode", "legalarticle",
    "conventionarticle",
]  # fmt: skip


def _crud(models, actions):
    return [f"cases.{action}_{model}" for model in models for action in actions]


ROLE_PERMISSIONS = {
    RESEARCHER: ["cases.log_entries"],
    MODERATOR: [
        "cases.log_entries",
        "cases.review_entries",
        *_crud(ENTRY_MODELS, ["view", "add", "change"]),
        *_crud(ENTRY_PART_MODELS, ["view", "add", "change", "delete"]),
        *_crud(VOCABULARY_MODELS, ["view"]),
        "accounts.view_auditevent",
    ],
    ADMIN: [
        "cases.log_entries",
        "cases.review_entries",
        "cases.manage_vocabularies",
        *_crud(ENTRY_MODELS, ["view", "add", "change", "delete"]),
        *_crud(ENTRY_PART_MODELS, ["view", "add", "change", "delete"]),
        *_crud(VOCABULARY_MODELS, ["view", "add", "change", "delete"]),
        *[f"accounts.{a}_user" for a in ("view", "add", "change", "delete")],
        *[f"auth.{a}_group" for a in ("view", "add", "change", "delete")],
        "accounts.view_auditevent",
    ],
}


def sync_roles(apps=None, *, skip_missing=False):
    """Create or update the three groups so they hold exactly ROLE_PERMISSIONS.

    A migration passes skip_missing: an early migration runs before the models of later ones
    exist, and the migration that adds a model syncs the roles again (tests/accounts/test_audit.py
    checks that, once migrated, the groups hold exactly these permissions).
    """
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        permissions = []
        for name in names:
            app_label, codename = name.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None and not skip_missing:
                raise Permission.DoesNotExist(name)
            if permission is not None:
                permissions.append(permission)
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions)


def sync_roles_in_migration(apps, schema_editor):
    """A migration's RunPython: the groups get their permissions now.

    Django creates permissions after all migrations have run; a migration that grants them must
    create them first, for the models as the migration state knows them.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps, skip_missing=True)
