from django.contrib import admin
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


class TrackerAdminSite(admin.AdminSite):
    site_header = _("Political prisoner case tracker")
    site_title = _("Case tracker admin")
    index_title = _("Editing and vocabularies")
    # "View site" leads staff back to their workspace, which links here in turn.
    site_url = reverse_lazy("cases:workspace")

    def has_permission(self, request):
        """Moderators and admins only: researchers work through review, never around it."""
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("cases.review_entries")
