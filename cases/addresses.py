"""How staff name an entry in a form or a file: its public page address in any language, its
staff address, or its bare slug. One parser for the import's entry column, the timeline import,
and the merge forms."""

import re
from urllib.parse import urlparse

# /detainees/<slug>/, /az/cases/<slug>/ …; and the staff page, /staff/detainees/<pk>/.
PUBLIC_PATH_RE = re.compile(r"^(?:/[a-z]{2})?/(detainees|cases)/([-\w]+)/?$")
STAFF_PATH_RE = re.compile(r"^(?:/[a-z]{2})?/staff/(detainees|cases)/(\d+)/?")


def _path(text):
    text = text.strip()
    return urlparse(text).path if "/" in text else ""


def slug_in(text, section):
    """The slug a public address (or a bare slug) names in `section` ("detainees" or "cases"),
    or None."""
    path = _path(text) or f"/{section}/{text.strip()}/"
    match = PUBLIC_PATH_RE.match(path)
    return match.group(2) if match and match.group(1) == section else None


def pk_in(text, section):
    """The id a staff address names in `section`, or None."""
    match = STAFF_PATH_RE.match(_path(text))
    return int(match.group(2)) if match and match.group(1) == section else None


def is_address(text):
    return "/" in text
