"""Vocabulary an import proposes, and its approval with the entries that use it."""

from django.db import transaction
from django.db.models import Q

from ..models import (
    Affiliation,
    Charge,
    Court,
    Event,
    Facility,
    LegalArticle,
    Occupation,
    Organization,
    unique_slug,
)

# --- Vocabulary an import proposes ------------------------------------------------------------

PROPOSED_REASON = "proposed by an import"


@transaction.atomic
def propose_terms(*, author, proposals):
    """Write the vocabulary an import proposes (`imports.Proposals`), unapproved, by `author`:
    terms by name (a slug made from it), articles in their code (their missing ancestors too,
    unapproved). Returns the rows written."""
    written = []
    for (model, _key), name in proposals.terms.items():
        slug_length = model._meta.get_field("slug").max_length - 6  # room for "-2"
        term = model(
            name=name[: model._meta.get_field("name").max_length],
            slug=unique_slug(model, name, max_length=slug_length),
            approved=False, proposed_by=author,
        )  # fmt: skip
        term.full_clean()
        written.append(term)
    for code, number in proposals.articles:
        article = LegalArticle(code=code, number=number, approved=False, proposed_by=author)
        article.full_clean(exclude=["sort_key"])
        written.append(article)
    for row in written:
        row._history_user = author
        row._change_reason = PROPOSED_REASON
        row.save()
    return written


def terms_of(detainee):
    """The vocabulary an entry's facts use: {model: queryset}, for `approve_terms_of` and the
    review page."""
    events = Event.objects.filter(detainee=detainee)
    charged = Charge.objects.filter(defendant__detainee=detainee)
    articles = LegalArticle.objects.filter(
        Q(pk__in=charged.values("article")) | Q(pk__in=charged.values("requalified_from"))
    )
    ancestors = set()
    for article in articles.filter(approved=False):
        ancestors |= {a.pk for a in article.ancestors()}
    return {
        Occupation: Occupation.objects.filter(pk__in=detainee.occupations.values("pk")),
        Organization: Organization.objects.filter(
            pk__in=Affiliation.objects.filter(detainee=detainee).values("organization")
        ),
        Court: Court.objects.filter(pk__in=events.values("court")),
        Facility: Facility.objects.filter(pk__in=events.values("facility")),
        LegalArticle: LegalArticle.objects.filter(Q(pk__in=articles) | Q(pk__in=ancestors)),
    }


def proposed_terms_of(detainee):
    """The unapproved vocabulary an entry uses, as (model, term) pairs."""
    return [
        (model, term)
        for model, rows in terms_of(detainee).items()
        for term in rows.filter(approved=False)
    ]


def approve_terms_of(detainee, moderator):
    """Approve the proposed vocabulary an entry uses: its publication (or an approved change)
    is the moderator's approval of it, with the rows."""
    for _model, term in proposed_terms_of(detainee):
        term.approved = True
        term._history_user = moderator
        term._change_reason = f"approved with {detainee.name} by {moderator}"[:100]
        term.save()
