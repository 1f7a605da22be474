"""Read a rendered HTML form back into POST data, the way a browser would submit it untouched."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = form_id is None
        self.data = {}
        self._select = None
        self._select_multiple = False
        self._option_value = None
        self._textarea = None

    def _add(self, name, value, multiple=False):
        if multiple:
            self.data.setdefault(name, []).append(value)
        else:
            self.data[name] = value

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.form_id is not None and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"), multiple=kind == "checkbox")
                return
            self._add(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self._select_multiple = "multiple" in attrs
            if self._select_multiple:
                self.data.setdefault(name, [])
            else:
                self.data.setdefault(name, "")
        elif tag == "option" and self._select:
            self._option_value = attrs.get("value", "")
            if "selected" in attrs:
                self._add(self._select, self._option_value, multiple=self._select_multiple)
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.form_id is not None:
            self.inside = False

    def handle_data(self, data):
        if self._textarea:
            # Django starts a textarea's content with a newline that browsers drop.
            self.data[self._textarea] += (
                data.removeprefix("\n") if not self.data[self._textarea] else data
            )


def form_data(html, form_id=None):
    """The fields of the form `form_id` (or of every form) in `html`, as POST data."""
    parser = _FormParser(form_id)
    parser.feed(html)
    return parser.data
