from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/two-factor/", views.two_factor, name="two-factor"),
    path("accounts/two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("accounts/two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("accounts/two-factor/disable/", views.two_factor_disable, name="two-factor-disable"),
    path("accounts/two-factor/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    # In the staff workspace (and so behind its two-factor gate): moderators and admins.
    path("staff/audit/", views.audit_log, name="audit-log"),
]
