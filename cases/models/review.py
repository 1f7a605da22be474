"""Review: changes to published entries waiting for a moderator."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .people import Detainee
from .proceedings import Case

# --- Review -----------------------------------------------------------------------------------


class PendingChange(models.Model):
    """A proposed change to a published entry, kept apart until a moderator approves it.

    `data` holds the proposed values as structured data (fields, and rows to add, change or
    remove); `base_version` is the entry's version it was made against, so that an approval
    over a newer version is refused rather than silently overwriting it. Its author's further
    edits gather in it while it waits (`revision` counts them, so that a moderator approves only
    what they read). A change to a draft is applied at once and kept as APPLIED: with the
    approved ones, the entry's readable history (`applied_version` is the version it made).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        CHANGES_REQUESTED = "changes_requested", _("changes requested")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")
        APPLIED = "applied", _("applied to a draft")

    detainee = models.ForeignKey(
        Detainee, null=True, blank=True, on_delete=models.CASCADE, related_name="pending_changes"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="pending_changes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pending_changes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    base_version = models.PositiveIntegerField()
    summary = models.CharField(_("summary"), max_length=255, help_text=_("Staff only."))
    data = models.JSONField(_("proposed values"), default=dict, help_text=_("Staff only."))
    state = models.CharField(max_length=20, choices=State, default=State.PENDING, db_index=True)
    revision = models.PositiveIntegerField(default=1)
    applied_version = models.PositiveIntegerField(null=True, blank=True)
    # Its readable lines as they read just before it was applied, per language: the history
    # shows what was approved, not what the rows say now.
    described = models.JSONField(default=dict, blank=True, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(
        _("review comment"), blank=True, help_text=_("Staff only. Shown to the author.")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(detainee__isnull=False, case__isnull=True)
                | Q(detainee__isnull=True, case__isnull=False),
                name="pendingchange_one_entry",
            ),
        ]

    def __str__(self):
        return self.summary

    @cached_property
    def entry(self):
        return self.detainee or self.case
