"""Text kept per language (django-modeltranslation): each falls back to English."""

from modeltranslation.translator import TranslationOptions, register

from . import models


@register(models.Occupation)
class OccupationTranslation(TranslationOptions):
    fields = ["name"]


@register(models.Organization)
class OrganizationTranslation(TranslationOptions):
    fields = ["name"]


@register(models.Court)
class CourtTranslation(TranslationOptions):
    fields = ["name"]


@register(models.Facility)
class FacilityTranslation(TranslationOptions):
    fields = ["name", "location"]


@register(models.LegalCode)
class LegalCodeTranslation(TranslationOptions):
    fields = ["name"]


@register(models.LegalArticle)
class LegalArticleTranslation(TranslationOptions):
    fields = ["title"]


@register(models.Detainee)
class DetaineeTranslation(TranslationOptions):
    fields = ["bio"]


@register(models.Affiliation)
class AffiliationTranslation(TranslationOptions):
    fields = ["role"]


@register(models.Case)
class CaseTranslation(TranslationOptions):
    fields = ["name", "investigating_body", "description"]


@register(models.Charge)
class ChargeTranslation(TranslationOptions):
    fields = ["description"]


@register(models.Event)
class EventTranslation(TranslationOptions):
    fields = ["description"]


@register(models.ConventionArticle)
class ConventionArticleTranslation(TranslationOptions):
    fields = ["title"]


@register(models.ExecutionGroup)
class ExecutionGroupTranslation(TranslationOptions):
    fields = ["name", "former_name", "description"]


@register(models.EchrApplication)
class EchrApplicationTranslation(TranslationOptions):
    fields = ["title"]


@register(models.CmDecision)
class CmDecisionTranslation(TranslationOptions):
    fields = ["summary"]
