import ipaddress

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff member: researcher, moderator or admin. The public never signs in.

    A custom model from the first migration, so that fields can be added later without the
    painful swap of Django's default user.
    """

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def can_log(self):
        return self.is_active and self.has_perm("cases.log_entries")

    @property
    def can_review(self):
        return self.is_active and self.has_perm("cases.review_entries")

    @property
    def needs_two_factor(self):
        """Every staff role must use a second factor: researchers read contacts and notes too,
        and a password alone is one phishing e-mail away."""
        return (
            self.is_staff
            or self.is_superuser
            or self.has_perm("cases.review_entries")
            or self.has_perm("cases.log_entries")
        )


def _address(request):
    """The client's address as django-axes sees it, or None when there is no valid one."""
    address = get_client_ip_address(request) if request is not None else None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class AuditEvent(models.Model):
    """One sign-in, failed sign-in, sign-out, two-factor change or role change. Staff only.

    Written by accounts/audit.py (auth and m2m signals) and the two-factor views; never edited.
    Holds no password, code or secret: a failed sign-in keeps only the username typed.
    """

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", _("signed in with a password")
        SIGN_IN_FAILED = "sign_in_failed", _("sign-in failed")
        SIGNED_OUT = "signed_out", _("signed out")
        VERIFIED = "verified", _("second factor accepted")
        VERIFY_FAILED = "verify_failed", _("second factor refused")
        RECOVERY_CODE_USED = "recovery_code_used", _("recovery code used")
        TWO_FACTOR_ENABLED = "two_factor_enabled", _("two-factor sign-in turned on")
        TWO_FACTOR_DISABLED = "two_factor_disabled", _("two-factor sign-in turned off")
        RECOVERY_CODES_REPLACED = "recovery_codes_replaced", _("new recovery codes made")
        ROLE_CHANGED = "role_changed", _("roles changed")
        ENTRY_PURGED = "entry_purged", _("entry purged")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=32, choices=Kind)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("account"),
        help_text=_("The account the event is about. Staff only."),
    )
    username = models.CharField(
        _("username"),
        max_length=150,
        blank=True,
        help_text=_("As typed for a failed sign-in, else the account's at the time. Staff only."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Who made the change, when someone else did. Staff only."),
    )
    ip_address = models.GenericIPAddressField(
        _("address"), null=True, blank=True, help_text=_("Staff only.")
    )
    detail = models.CharField(_("detail"), max_length=255, blank=True, help_text=_("Staff only."))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"

    @classmethod
    def record(cls, kind, *, request=None, user=None, username="", actor=None, detail=""):
        """Write one event; the address is read the way django-axes reads it."""
        if user is not None and not username:
            username = user.get_username()
        return cls.objects.create(
            kind=kind,
            user=user,
            username=username[:150],
            actor=actor,
            ip_address=_address(request),
            detail=detail[:255],
        )
