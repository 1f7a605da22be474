"""Two-factor helpers: codes computed from a device's key, as an authenticator app would."""

import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for(device, steps_ahead=0):
    """The six digits the app shows now, or `steps_ahead` 30-second steps later.

    django-otp refuses a code whose step was already used, and accepts the next step too, so a
    second sign-in within the same half-minute uses steps_ahead=1.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


@pytest.fixture
def enrol():
    """enrol(user) -> (app device, recovery codes): two-factor sign-in already set up."""

    def make(user):
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        recovery = StaticDevice.objects.create(user=user, name="recovery codes")
        codes = [f"code{n:04d}" for n in range(10)]
        for code in codes:
            recovery.token_set.create(token=code)
        return device, codes

    return make


@pytest.fixture
def password_client():
    """password_client(user) -> a client signed in with the password alone, by the login form."""

    def make(user):
        client = Client()
        response = client.post(
            "/accounts/login/",
            {"username": user.username, "password": f"{user.username}-pass-2026"},
        )
        assert response.status_code == 302, "the password sign-in failed"
        return client

    return make
