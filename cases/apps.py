from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        # Registered here rather than with HistoricalRecords() on the models: declared on a
        # translated model, history loses the per-language columns (see STACK.md).
        from simple_history import register

        from . import models as m

        m2m = {
            m.Detainee: ["occupations", "sources"],
            m.Case: ["sources"],
            m.Event: ["sources"],
            m.Charge: ["sources"],
            m.Affiliation: ["sources"],
            m.CaseDefendant: ["sources"],
            m.EchrApplication: ["applicants", "violations", "sources"],
            m.ExecutionGroup: ["sources"],
        }
        for model in [
            m.Occupation, m.Organization, m.Court, m.Facility, m.LegalCode, m.LegalArticle,
            m.Source, m.Detainee, m.DetaineeName, m.Affiliation, m.Contact, m.Case,
            m.CaseDefendant, m.Charge, m.Event, m.ConventionArticle, m.ExecutionGroup,
            m.EchrApplication, m.CmDecision,
        ]:  # fmt: skip
            register(model, app="cases", m2m_fields=m2m.get(model, []))
