from django import forms
from django.utils.translation import gettext_lazy as _


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
