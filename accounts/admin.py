from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEvent, User

# django-otp's own device pages show each person's secret key; nobody here needs them. A lost
# phone is handled with the action on the user list below, which the audit log records.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    actions = ["turn_off_two_factor"]

    @admin.action(
        description=_("Turn off two-factor sign-in (a lost phone)"), permissions=["change"]
    )
    def turn_off_two_factor(self, request, queryset):
        with transaction.atomic():
            for user in queryset:
                TOTPDevice.objects.filter(user=user).delete()
                StaticDevice.objects.filter(user=user).delete()
                AuditEvent.record(
                    AuditEvent.Kind.TWO_FACTOR_DISABLED,
                    request=request,
                    user=user,
                    actor=request.user,
                )
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in turned off for %(count)d account: it must enrol again.",
                "Two-factor sign-in turned off for %(count)d accounts: they must enrol again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the application and never edited by anyone."""

    list_display = ["created_at", "kind", "username", "actor", "ip_address", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "detail"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
