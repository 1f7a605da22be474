"""Writers of the audit log: sign-ins, failed sign-ins, sign-outs and role changes.

Connected in AccountsConfig.ready(). The two-factor events are written by accounts/views.py,
where they happen. Role changes are group changes, made in the admin, the shell or a command.
"""

from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from simple_history.models import HistoricalRecords

from .models import AuditEvent, User


def signed_in(sender, request, user, **kwargs):
    AuditEvent.record(AuditEvent.Kind.SIGNED_IN, request=request, user=user)


def typed_username(request, credentials=None):
    """The username a sign-in attempt typed, cut to the longest a username can be.

    Also django-axes' AXES_USERNAME_CALLABLE: Django's sign-in forms pass a username of any
    length to authenticate(), and axes would fail to store one over 255 characters.
    """
    if credentials is not None:
        username = credentials.get(User.USERNAME_FIELD)
    else:
        username = getattr(request, "POST", {}).get(User.USERNAME_FIELD)
    return str(username or "")[: User._meta.get_field(User.USERNAME_FIELD).max_length]


def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password; only the username typed is kept.
    username = typed_username(request, credentials)
    AuditEvent.record(AuditEvent.Kind.SIGN_IN_FAILED, request=request, username=username)


def signed_out(sender, request, user, **kwargs):
    if user is not None:
        AuditEvent.record(AuditEvent.Kind.SIGNED_OUT, request=request, user=user)


def _current_request():
    """The request being served, if any: django-simple-history's middleware keeps it for us."""
    return getattr(HistoricalRecords.context, "request", None)


def groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """One event per account whose groups changed: "+moderator, -researcher"."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    sign = "-" if action in ("post_remove", "pre_clear") else "+"
    if reverse:  # group.user_set.add(...): one group, several accounts
        if action == "pre_clear":
            pk_set = set(instance.user_set.values_list("pk", flat=True))
        changes = [(user, [instance.name]) for user in User.objects.filter(pk__in=pk_set or [])]
    else:  # user.groups.add(...): one account, several groups
        groups = (
            instance.groups.all()
            if action == "pre_clear"
            else Group.objects.filter(pk__in=pk_set or [])
        )
        changes = [(instance, sorted(g.name for g in groups))]
    request = _current_request()
    actor = getattr(request, "user", None)
    actor = actor if actor is not None and actor.is_authenticated else None
    for user, names in changes:
        if names:
            AuditEvent.record(
                AuditEvent.Kind.ROLE_CHANGED,
                request=request,
                user=user,
                actor=actor,
                detail=", ".join(f"{sign}{name}" for name in names),
            )


def connect():
    user_logged_in.connect(signed_in, dispatch_uid="audit-signed-in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="audit-sign-in-failed")
    user_logged_out.connect(signed_out, dispatch_uid="audit-signed-out")
    m2m_changed.connect(groups_changed, sender=User.groups.through, dispatch_uid="audit-groups")
