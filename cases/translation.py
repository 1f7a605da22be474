"""Text kept per language (django-modeltranslation): each falls back to English."""

from modeltranslation.translator import TranslationOptions, register

from . import models


class Options(TranslationOptions):
    # An empty translation is stored as NULL, whether it came from a form or from code, so that
    # "missing in this language" has one meaning (and history shows no ""/NULL flip-flops).
    empty_values = None


@register(models.Occupation)
class OccupationTranslation(Options):
    fields = ["name"]


@register(models.Organization)
class OrganizationTranslation(Options):
    fields = ["name"]


@register(models.Court)
class CourtTranslation(Options):
    fields = ["name"]


@register(models.Facility)
class FacilityTranslation(Options):
    fields = ["name", "location"]


@register(models.LegalCode)
class LegalCodeTranslation(Options):
    fields = ["name"]


@register(models.LegalArticle)
class LegalArticleTranslation(Options):
    fields = ["title"]


@register(models.Detainee)
class DetaineeTranslation(Options):
    fields = ["bio"]


@register(models.Affiliation)
class AffiliationTranslation(Options):
    fields = ["role"]


@register(models.Case)
class CaseTranslation(Options):
    fields = ["name", "investigating_body", "description"]


@register(models.Charge)
class ChargeTranslation(Options):
    fields = ["description"]


@register(models.Event)
class EventTranslation(Options):
    fields = ["description"]


@register(models.ConventionArticle)
class ConventionArticleTranslation(Options):
    fields = ["title"]


@register(models.ExecutionGroup)
class ExecutionGroupTranslation(Options):
    fields = ["name", "former_name", "description"]


@register(models.EchrApplication)
class EchrApplicationTranslation(Options):
    fields = ["title"]


@register(models.CmDecision)
class CmDecisionTranslation(Options):
    fields = ["summary"]
