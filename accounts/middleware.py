"""The one place where two-factor sign-in is enforced.

Whoever must use a second factor (`User.needs_two_factor`: every staff role, researchers
included, and anyone who can enter the admin site) or has chosen one reaches the staff workspace
(/staff/, the review queue and every review action included), the admin site and their account
settings only once this session is verified by a code. Until then they are sent to enrol, or to
type a code, and come back to the page they asked for.
"""

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language_from_path
from django_otp.plugins.otp_totp.models import TOTPDevice

GUARDED_PREFIXES = ("/staff/", "/admin/")
# Account settings that an unverified session must not change (a stolen password alone must not
# be enough to change the password or turn the second factor off).
GUARDED_VIEWS = {
    "password_change",
    "password_change_done",
    "accounts:two-factor",
    "accounts:two-factor-disable",
    "accounts:recovery-codes",
}


def has_two_factor(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _guarded(request):
    path = request.path_info
    language = get_language_from_path(path)
    if language:
        path = path.removeprefix(f"/{language}")
    if path.startswith(GUARDED_PREFIXES):
        return True
    match = request.resolver_match
    return match is not None and match.view_name in GUARDED_VIEWS


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _guarded(request):
            # Staff pages show contacts and notes: no browser or proxy may keep a copy.
            patch_cache_control(response, no_store=True, private=True)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The path first: public pages must not read the session (nor gain `Vary: Cookie`).
        if not _guarded(request):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if has_two_factor(user):
            return redirect_to_login(request.get_full_path(), reverse("accounts:two-factor-verify"))
        if user.needs_two_factor:
            return redirect_to_login(request.get_full_path(), reverse("accounts:two-factor-setup"))
        return None
