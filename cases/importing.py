"""The staff workspace's spreadsheet imports, of arrests and of timelines: upload, preview (a
dry run), confirm. One set of views serves both (`KINDS`).

The uploaded file is kept between the preview and the confirmation in a temporary file, not in
the session: a 5 MB file in a database-backed session would be read and decoded on every staff
request for the rest of the session. The session holds only the file's random name and its
SHA-256, so the file cannot be swapped or named by anyone else, and confirming re-checks the file
from scratch (the database may have changed since the preview).
"""

import hashlib
import os
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import imports, timelines

staff_required = permission_required("cases.log_entries", raise_exception=True)
SESSION_KEY = "cases_import"
MAX_AGE = 24 * 60 * 60


def _decisions(post):
    """{row number: decision} from the preview's radio buttons (row-12=new, row-13=skip)."""
    choices = (imports.Row.NEW_PERSON, imports.Row.SAME_PERSON)
    return {
        int(key[4:]): value
        for key, value in post.items()
        if key.startswith("row-") and key[4:].isdigit() and len(key) < 12 and value in choices
    }


# What differs between the two imports: their checks, columns, template and page names.
KINDS = {
    "arrests": {
        "title": gettext_lazy("Import arrests from a spreadsheet"),
        "check": lambda content, user, name, propose: imports.check_file(
            content, user=user, filename=name, propose=propose
        ),
        "apply": lambda content, user, name, post, propose: imports.apply(
            content, user=user, filename=name, decisions=_decisions(post), propose=propose
        ),
        "columns": imports.COLUMN_HELP,
        "required": imports.REQUIRED_COLUMNS,
        "template": imports.template_csv,
        "filename": "arrests-template.csv",
        "page": "cases:import",
        "confirm": "cases:import-confirm",
        "template_url": "cases:import-template",
    },
    "timeline": {
        "title": gettext_lazy("Import timelines from a spreadsheet"),
        "check": lambda content, user, name, propose: timelines.check_file(
            content, user=user, filename=name, propose=propose
        )[0],
        "apply": lambda content, user, name, post, propose: timelines.apply(
            content, user=user, filename=name, propose=propose
        ),
        "columns": timelines.COLUMN_HELP,
        "required": timelines.REQUIRED,
        "template": timelines.template_csv,
        "filename": "timeline-template.csv",
        "page": "cases:import-timeline",
        "confirm": "cases:import-timeline-confirm",
        "template_url": "cases:import-timeline-template",
    },
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV in UTF-8, or XLSX)"),
        help_text=gettext_lazy("At most 5 MB and 10,000 rows."),
    )
    propose = forms.BooleanField(
        label=gettext_lazy("Propose new vocabulary"),
        required=False,
        help_text=gettext_lazy(
            "A court, place of detention, organization, occupation or article the product does "
            "not know, and no known name nearly matches, is added unapproved instead of refusing "
            "the row; a moderator approves it when publishing the entry that uses it."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB: split it."))
        return upload


def _upload_dir():
    """IMPORT_UPLOAD_DIR, readable by this process's user alone: uploaded files name people."""
    directory = Path(settings.IMPORT_UPLOAD_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    return directory


def _expired(path):
    try:
        return time.time() - path.stat().st_mtime > MAX_AGE
    except OSError:
        return True


def _keep(request, content, filename, kind, propose=False):
    directory = _upload_dir()
    for old in directory.glob("*.upload"):
        if _expired(old):
            old.unlink(missing_ok=True)
    _forget(request, kind)
    token = secrets.token_hex(16)
    descriptor = os.open(directory / f"{token}.upload", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    request.session[f"{SESSION_KEY}_{kind}"] = {
        "token": token, "sha256": hashlib.sha256(content).hexdigest(), "filename": filename[:200],
        "propose": bool(propose),
    }  # fmt: skip
    return token


def _kept(request, kind):
    """(content, filename, propose) of this user's uploaded file and whether its dry run
    proposed new vocabulary, or None when it is gone or altered."""
    kept = request.session.get(f"{SESSION_KEY}_{kind}")
    if not kept:
        return None
    try:
        path = _upload_dir() / f"{kept['token']}.upload"
        if _expired(path):
            path.unlink(missing_ok=True)
            return None
        content = path.read_bytes()
    except (OSError, KeyError):
        return None
    if hashlib.sha256(content).hexdigest() != kept.get("sha256"):
        return None
    return content, kept["filename"], bool(kept.get("propose"))


def _forget(request, kind):
    kept = request.session.pop(f"{SESSION_KEY}_{kind}", None)
    if kept and "token" in kept:
        (_upload_dir() / f"{kept['token']}.upload").unlink(missing_ok=True)


def _page(request, kind, form, result):
    spec = KINDS[kind]
    return render(
        request,
        "cases/staff/import.html",
        {"form": form, "result": result, "columns": spec["columns"], "kind": kind,
         "title": spec["title"], "required": ", ".join(spec["required"]),
         "confirm_url": spec["confirm"], "template_url": spec["template_url"]},
    )  # fmt: skip


def _upload(request, kind):
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        propose = form.cleaned_data["propose"]
        result = KINDS[kind]["check"](content, request.user, upload.name, propose)
        if not result.file_errors:
            _keep(request, content, upload.name, kind, propose)
    return _page(request, kind, form, result)


def _confirm(request, kind):
    spec = KINDS[kind]
    kept = _kept(request, kind)
    if kept is None:
        messages.error(request, _("Upload the file again: the checked file is no longer here."))
        return redirect(spec["page"])
    content, filename, propose = kept
    try:
        result = spec["apply"](content, request.user, filename, request.POST, propose)
    except imports.ImportRefused as refused:
        messages.error(request, str(refused))
        return _page(request, kind, UploadForm(), refused.result)
    _forget(request, kind)
    counts = result.summary()
    messages.success(
        request,
        _(
            "Imported: %(create)d new drafts, %(update)d updates, %(same)d rows unchanged, "
            "%(skipped)d skipped. Submit the drafts for review when they are ready."
        )
        % {
            "create": counts[imports.Row.CREATE] + counts[imports.Row.DUPLICATE],
            "update": counts[imports.Row.UPDATE],
            "same": counts[imports.Row.UNCHANGED],
            "skipped": counts[imports.Row.SKIPPED],
        },
    )
    return redirect("cases:workspace")


def _template(kind):
    spec = KINDS[kind]
    response = HttpResponse(spec["template"](), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{spec["filename"]}"'
    return response


@login_required
@staff_required
def import_arrests(request):
    return _upload(request, "arrests")


@require_POST
@login_required
@staff_required
def import_confirm(request):
    return _confirm(request, "arrests")


@login_required
@staff_required
def import_template(request):
    return _template("arrests")


@login_required
@staff_required
def import_timeline(request):
    return _upload(request, "timeline")


@require_POST
@login_required
@staff_required
def import_timeline_confirm(request):
    return _confirm(request, "timeline")


@login_required
@staff_required
def import_timeline_template(request):
    return _template("timeline")
