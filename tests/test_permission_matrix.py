"""Every URL the resolver knows, against every role and every publication state.

A URL name missing from RULES fails `test_every_url_is_in_the_matrix`, so a new page cannot be
added without saying who may see it.
"""

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse

from cases import models as m

ROLES = ["anonymous", "researcher", "other_researcher", "moderator", "admin"]
STATES = [m.State.DRAFT, m.State.IN_REVIEW, m.State.PUBLISHED, m.State.RETRACTED]
STAFF = {"researcher", "other_researcher", "moderator", "admin"}
REVIEWERS = {"moderator", "admin"}


def public(role, state):
    return 200


def published_only(role, state):
    return 200 if state == m.State.PUBLISHED else 404


def signed_in(role, state):
    return 302 if role == "anonymous" else 200


def reviewers(role, state):
    return {"anonymous": 302, "moderator": 200, "admin": 200}.get(role, 403)


def staff_view(role, state):
    """The staff page of an entry: authors see their own, everyone sees published ones."""
    if role == "anonymous":
        return 302
    if role in REVIEWERS or role == "researcher" or state == m.State.PUBLISHED:
        return 200
    return 404


def staff_internal(role, state):
    """An entry's internal data (its history): its author and reviewers; another researcher
    gets 404 whatever the state, published included."""
    if role == "anonymous":
        return 302
    return 200 if role in REVIEWERS or role == "researcher" else 404


def staff_change(role, state):
    """Logging an event: own drafts, any published entry (held for review); reviewers: all."""
    if role == "anonymous":
        return 302
    if role in REVIEWERS:
        return 200
    if state == m.State.PUBLISHED:
        return 200
    if role == "researcher":
        return 200 if state == m.State.DRAFT else 403
    return 404


def post_only(role, state):
    return 405


def review_view(role, state):
    """A moderator's page about an entry (restoring a version, merging a duplicate into it):
    reviewers only; the page's form answers on the page itself."""
    return {"anonymous": 302, "moderator": 200, "admin": 200}.get(role, 403)


def post_change(role, state):
    """Taking a part off an entry, marking its source confidential: who may change the entry is
    sent back to its page (at once on a draft, held for review when published)."""
    allowed = staff_change(role, state)
    return 302 if allowed == 200 else allowed


def staff_case(role, state):
    """A case's staff page and its correction form: reviewers any case, researchers published
    ones (their change waits) and their own drafts; the matrix's cases are nobody's drafts."""
    if role == "anonymous":
        return 302
    if role in REVIEWERS or state == m.State.PUBLISHED:
        return 200
    return 404


def post_submit(role, state):
    if role == "anonymous":
        return 302
    if role in REVIEWERS:
        return 302
    if role == "researcher":
        return 403 if state in (m.State.IN_REVIEW, m.State.RETRACTED) else 302
    return 403 if state == m.State.PUBLISHED else 404


def post_review(role, state):
    if role == "anonymous":
        return 302
    return 302 if role in REVIEWERS else 403


def post_reapply(role, state):
    """Re-applying a change: its author alone (the shared change is the researcher's)."""
    return {"anonymous": 302, "researcher": 302}.get(role, 404)


def redirects(role, state):
    return 302


def two_factor_setup(role, state):
    """Every staff member here has enrolled already (as every one must), and is sent back."""
    return 302


def post_recovery_codes(role, state):
    """New recovery codes for those with two-factor sign-in (here: every staff member)."""
    return 302 if role == "anonymous" else 200


def post_import_confirm(role, state):
    """Confirming with no checked file in the session sends staff back to the upload page."""
    return 302


# name: (how the state matters, GET rule, POST rule or None)
# "entry": the URL names a detainee in each state; "case": a case in each state; None: no state.
RULES = {
    "cases:home": (None, public, None),
    "cases:detainee-list": (None, public, None),
    "cases:detainee-export": (None, public, None),
    "cases:detainee-detail": ("entry", published_only, None),
    "cases:case-list": (None, public, None),
    "cases:case-detail": ("case", published_only, None),
    "cases:echr-list": (None, public, None),
    "cases:echr-group": (None, public, None),
    "cases:open-data": (None, public, None),
    "cases:stats": (None, public, None),
    "cases:stats-csv": (None, public, None),
    "cases:methodology": (None, public, None),
    "updates-feed": (None, public, None),
    "healthz": (None, public, None),
    "choose-language": (None, redirects, None),
    "api:api-root": (None, public, None),
    "api:schema": (None, public, None),
    "api:docs": (None, public, None),
    "api:detainee-list": (None, public, None),
    "api:detainee-detail": ("entry", published_only, None),
    "api:case-list": (None, public, None),
    "api:case-detail": ("case", published_only, None),
    "api:echr-application-list": (None, public, None),
    "api:echr-application-detail": (None, public, None),
    "api:execution-group-list": (None, public, None),
    "api:execution-group-detail": (None, public, None),
    "login": (None, public, None),
    "logout": (None, post_only, None),
    "password_change": (None, signed_in, None),
    "password_change_done": (None, signed_in, None),
    "password_reset": (None, public, None),
    "password_reset_done": (None, public, None),
    "password_reset_confirm": (None, public, None),
    "password_reset_complete": (None, public, None),
    "accounts:two-factor": (None, signed_in, None),
    "accounts:two-factor-setup": (None, two_factor_setup, None),
    "accounts:two-factor-verify": (None, redirects, None),
    "accounts:two-factor-disable": (None, post_only, redirects),
    "accounts:recovery-codes": (None, post_only, post_recovery_codes),
    "accounts:audit-log": (None, reviewers, None),
    "cases:workspace": (None, signed_in, None),
    "cases:log-arrest": (None, signed_in, None),
    "cases:staff-detainee": ("entry", staff_view, None),
    "cases:staff-history": ("entry", staff_internal, None),
    "cases:add-event": ("entry", staff_change, None),
    "cases:add-charge": ("entry", staff_change, None),
    "cases:correct-event": ("entry", staff_change, None),
    "cases:correct": ("entry", staff_change, None),
    "cases:add-names": ("entry", staff_change, None),
    "cases:add-occupations": ("entry", staff_change, None),
    "cases:add-affiliations": ("entry", staff_change, None),
    "cases:add-sources": ("entry", staff_change, None),
    "cases:add-echr": ("entry", staff_change, None),
    "cases:remove-part": ("entry", post_only, post_change),
    "cases:merge-person": ("entry", review_view, review_view),
    "cases:hide-source": ("entry", post_only, post_change),
    "cases:submit": ("entry", post_only, post_submit),
    "cases:review-entry": ("entry", post_only, post_review),
    "cases:retract": ("entry", post_only, post_review),
    "cases:restore": ("entry", review_view, post_review),
    "cases:merge-case": ("case", post_only, post_review),
    "cases:staff-case": ("case", staff_case, None),
    "cases:correct-case": ("case", staff_case, None),
    "cases:assign": ("entry", post_only, post_review),
    "cases:staff-search": (None, signed_in, None),
    "cases:review-queue": (None, reviewers, None),
    "cases:review-change": (None, reviewers, None),
    "cases:reapply-change": (None, post_only, post_reapply),
    "cases:import": (None, signed_in, None),
    "cases:import-template": (None, signed_in, None),
    "cases:import-confirm": (None, post_only, post_import_confirm),
    "cases:import-timeline": (None, signed_in, None),
    "cases:import-timeline-template": (None, signed_in, None),
    "cases:import-timeline-confirm": (None, post_only, post_import_confirm),
}


def _url_names(patterns=None, namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_is_in_the_matrix():
    names = set(_url_names())
    missing = {n for n in names if not n.startswith("admin:")} - set(RULES)
    assert not missing, f"URLs with no rule in the permission matrix: {sorted(missing)}"
    assert not set(RULES) - names, "rules for URLs that no longer exist"


@pytest.fixture
def cast(researcher, other_researcher, moderator, tracker_admin):
    return {
        "anonymous": None,
        "researcher": researcher,
        "other_researcher": other_researcher,
        "moderator": moderator,
        "admin": tracker_admin,
    }


@pytest.fixture
def shared(db, cast):
    """Objects every stateless URL can point at."""
    published = m.Detainee.objects.create(name="Testname Shared", state=m.State.PUBLISHED)
    group = m.ExecutionGroup.objects.create(slug="fictional-group", name="Fictional group")
    m.EchrApplication.objects.create(number="1234/20", title="Fictional v. X", group=group)
    change = m.PendingChange.objects.create(
        detainee=published, author=cast["researcher"], base_version=published.version,
        summary="A fictional change", data={"add_events": []},
    )  # fmt: skip
    return {"group": group, "change": change}


MATRIX_SOURCE = "https://news.example.org/fictional-matrix-source"


def _entry(state, author):
    person = m.Detainee.objects.create(
        name=f"Testname Matrix {state}", state=state, created_by=author
    )
    person.sources.add(m.Source.objects.get_or_create(url=MATRIX_SOURCE)[0])
    # An individual proceeding: a case of any kind for the public pages, and one a moderator
    # may merge.
    case = m.Case.objects.create(
        name=f"Fictional matrix case {state}", state=state, individual=True
    )
    return person, case


def _kwargs(name, shared, person, case):
    if name.endswith("detainee-detail"):
        return {"slug": person.slug}
    if name.endswith("case-detail"):
        return {"slug": case.slug}
    if name == "cases:echr-group" or name == "api:execution-group-detail":
        return {"slug": shared["group"].slug}
    if name == "api:echr-application-detail":
        return {"number": "1234/20"}
    if name == "cases:stats-csv":
        return {"chart": "held"}
    if name in ("cases:review-change", "cases:reapply-change"):
        return {"pk": shared["change"].pk}
    if name in ("cases:merge-case", "cases:staff-case", "cases:correct-case"):
        return {"pk": case.pk}
    if name == "cases:restore":
        return {"pk": person.pk, "history_id": person.history.earliest().history_id}
    if name == "cases:correct-event":
        event = m.Event.objects.create(detainee=person, kind="detention", date="2024-04-29")
        return {"pk": person.pk, "event_pk": event.pk}
    if name == "cases:hide-source":
        return {"pk": person.pk, "source_pk": m.Source.objects.get(url=MATRIX_SOURCE).pk}
    if name == "password_reset_confirm":
        return {"uidb64": "MQ", "token": "not-a-token"}
    if name.startswith("cases:") and RULES[name][0] == "entry":
        return {"pk": person.pk}
    return {}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(RULES))
def test_permission_matrix(client_for, cast, shared, name):
    kind, get_rule, post_rule = RULES[name]
    states = STATES if kind else [m.State.PUBLISHED]
    wrong = []
    for role in ROLES:
        client = client_for(cast[role])
        for state in states:
            person, case = _entry(state, cast["researcher"])
            url = reverse(name, kwargs=_kwargs(name, shared, person, case))
            status = client.get(url).status_code
            if status != get_rule(role, state):
                wrong.append(f"GET {url} as {role}, {state}: {status}, not {get_rule(role, state)}")
            if post_rule is not None:
                status = client.post(url, {"action": "none"}).status_code
                if status != post_rule(role, state):
                    wrong.append(
                        f"POST {url} as {role}, {state}: {status}, not {post_rule(role, state)}"
                    )
            person.delete()
            case.delete()
    assert not wrong, "\n".join(wrong)


# Entries and their parts change through the workspace's services only (security issue #13).
SHOWN_ONLY_IN_THE_ADMIN = {m.Detainee, m.Case, m.Source, m.CaseDefendant, m.PendingChange}


@pytest.mark.django_db
def test_admin_site_matrix(client_for, cast, shared):
    """The admin: moderators and admins only, each model as far as the role's permissions go."""
    wrong = []
    for role in ROLES:
        user = cast[role]
        client = client_for(user)
        urls = [(reverse("admin:index"), "view", None)]
        for model in admin.site._registry:
            info = (model._meta.app_label, model._meta.model_name)
            urls.append((reverse("admin:{}_{}_changelist".format(*info)), "view", model))
            urls.append((reverse("admin:{}_{}_add".format(*info)), "add", model))
        for url, action, model in urls:
            status = client.get(url).status_code
            if user is None or not user.has_perm("cases.review_entries"):
                expected = 302  # to the sign-in page
            elif model is None:
                expected = 200
            else:
                perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
                can = user.has_perm(perm) or (
                    action == "view"
                    and user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
                )
                expected = 200 if can else 403
                if action == "add" and model in SHOWN_ONLY_IN_THE_ADMIN:
                    expected = 403  # made in the workspace, through review, never here
            if status != expected:
                wrong.append(f"GET {url} as {role}: {status}, not {expected}")
    assert not wrong, "\n".join(wrong)
