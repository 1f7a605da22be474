from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _


class DeferredPasswordResetForm(PasswordResetForm):
    """Prepares the reset mail but writes and sends it only when asked (`send_deferred`).

    The view asks after its answer has gone out, so the answer takes as long whether or not the
    address belongs to someone: its timing tells nothing about who has an account.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deferred = []

    def save(self, *args, **kwargs):
        # The link in the mail: the site's own address, never the request's Host header.
        if settings.SITE_URL:
            site = urlsplit(settings.SITE_URL)
            kwargs.update(domain_override=site.netloc, use_https=site.scheme == "https")
        return super().save(*args, **kwargs)

    def send_mail(self, *args, **kwargs):
        self.deferred.append((args, kwargs))

    def send_deferred(self):
        for args, kwargs in self.deferred:
            super().send_mail(*args, **kwargs)  # logs, never raises, when the mail server fails
        self.deferred = []


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or (where allowed) a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_code(self):
        # People copy codes with spaces or dashes ("123 456", "abcd-efgh"); neither is part of one.
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
        if not code.isalnum():
            raise forms.ValidationError(_("A code has only letters and digits."))
        return code

    @property
    def is_app_code(self):
        """Six digits come from the app; anything else is tried as a recovery code."""
        code = self.cleaned_data["code"]
        return len(code) == 6 and code.isdigit()
