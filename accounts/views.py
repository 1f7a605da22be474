"""Two-factor sign-in (enrol, type a code, turn it off, new recovery codes) and the audit log.

Who must pass through these pages is decided in accounts/middleware.py. A code is checked against
one device: six digits against the authenticator app (TOTP), anything else against the recovery
codes, so a mistyped code does not slow down the other kind. django-otp refuses a TOTP code used
once already, deletes a recovery code when it is used, and makes each wrong code wait longer.
"""

from base64 import b32encode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode import make as make_qr
from qrcode.image.svg import SvgPathImage

from .forms import CodeForm, DeferredPasswordResetForm
from .models import AuditEvent

RECOVERY_CODES = 10
Kind = AuditEvent.Kind


def _next_url(request):
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _app_device(user, *, confirmed=True):
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


def _device_for_code(user, form, app_device, *, recovery=True):
    """The device that accepts the form's code, or None. A wrong code counts against it."""
    if form.is_app_code:
        device = app_device
    else:
        device = StaticDevice.objects.filter(user=user).first() if recovery else None
    if device is None:
        return None
    return django_otp.verify_token(user, device.persistent_id, form.cleaned_data["code"])


def _sign_in_with(request, device):
    # A new session key once the second factor is proven, as Django does after a password.
    request.session.cycle_key()
    django_otp.login(request, device)


def _new_recovery_codes(user):
    """Replace the user's recovery codes with new ones, returned to be shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes")
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _show_recovery_codes(request, codes, next_url):
    response = render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next_url": next_url}
    )
    add_never_cache_headers(response)  # the codes must not stay in any cache
    return response


def _qr_svg(device):
    """The enrolment QR code as inline SVG markup: no script, style or data: URI for the CSP."""
    return make_qr(device.config_url, image_factory=SvgPathImage).to_string(encoding="unicode")


@login_required
def two_factor(request):
    recovery = StaticDevice.objects.filter(user=request.user).first()
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": _app_device(request.user) is not None,
            "codes_left": recovery.token_set.count() if recovery else 0,
            "form": CodeForm(),
        },
    )


@login_required
def two_factor_setup(request):
    user = request.user
    if _app_device(user) is not None:
        return redirect("accounts:two-factor")
    # One pending device, kept until confirmed, so that reloading the page keeps the QR code.
    device = _app_device(user, confirmed=False) or TOTPDevice.objects.create(
        user=user, name="authenticator app", confirmed=False
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = _device_for_code(user, form, device, recovery=False)
        if confirmed is not None:
            with transaction.atomic():
                confirmed.confirmed = True
                confirmed.save(update_fields=["confirmed"])
                codes = _new_recovery_codes(user)
                AuditEvent.record(Kind.TWO_FACTOR_ENABLED, request=request, user=user)
            _sign_in_with(request, confirmed)
            return _show_recovery_codes(request, codes, _next_url(request))
        form.add_error("code", _("That code was not accepted. Type the code the app shows now."))
    # The same secret as the QR code, for typing into an app by hand.
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": user.needs_two_factor,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


@login_required
def two_factor_verify(request):
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    device = _app_device(user)
    if device is None:
        return redirect_to_login(next_url, reverse("accounts:two-factor-setup"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted = _device_for_code(user, form, device)
        if accepted is None:
            AuditEvent.record(Kind.VERIFY_FAILED, request=request, user=user)
            form.add_error(
                "code",
                _("That code was not accepted. After a wrong code, wait a moment and try again."),
            )
        else:
            _sign_in_with(request, accepted)
            if isinstance(accepted, StaticDevice):
                left = accepted.token_set.count()
                AuditEvent.record(
                    Kind.RECOVERY_CODE_USED, request=request, user=user, detail=f"{left} left"
                )
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(count)d is left. Make new ones in your "
                        "two-factor settings.",
                        "You used a recovery code; %(count)d are left. Make new ones in your "
                        "two-factor settings.",
                        left,
                    )
                    % {"count": left},
                )
            else:
                AuditEvent.record(Kind.VERIFIED, request=request, user=user)
            return redirect(next_url)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@require_POST
@login_required
def two_factor_disable(request):
    user = request.user
    device = _app_device(user)
    if device is None:
        return redirect("accounts:two-factor")
    form = CodeForm(request.POST)
    if form.is_valid() and _device_for_code(user, form, device) is not None:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            AuditEvent.record(Kind.TWO_FACTOR_DISABLED, request=request, user=user)
        messages.success(request, _("Two-factor sign-in is off."))
    else:
        AuditEvent.record(Kind.VERIFY_FAILED, request=request, user=user)
        messages.error(request, _("That code was not accepted; two-factor sign-in is still on."))
    return redirect("accounts:two-factor")


@require_POST
@login_required
def recovery_codes(request):
    user = request.user
    if _app_device(user) is None:
        return redirect("accounts:two-factor")
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        AuditEvent.record(Kind.RECOVERY_CODES_REPLACED, request=request, user=user)
    return _show_recovery_codes(request, codes, reverse("accounts:two-factor"))


@login_required
@permission_required("accounts.view_auditevent", raise_exception=True)
def audit_log(request):
    events = AuditEvent.objects.select_related("actor")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page": page})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the mail sent once the answer has been sent (DeferredPasswordResetForm)."""

    form_class = DeferredPasswordResetForm

    def form_valid(self, form):
        response = super().form_valid(form)
        # Run by the server when the response is closed, after its last byte went out.
        response._resource_closers.append(form.send_deferred)
        return response
