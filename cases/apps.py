from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        self._register_history()
        self._invalidate_public_caches_on_change()

    def _invalidate_public_caches_on_change(self):
        """Any saved or deleted case data raises the data version public caches are keyed by.

        Signals here are infrastructure, not business logic: they catch every write path
        (admin, workspace, import, shell) so that no cached page outlives the data it shows.
        """
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from . import models as m

        skip = {m.DataVersion, m.PendingChange, m.CustodyPeriod}

        def bump(sender, **kwargs):
            if sender not in skip:
                m.DataVersion.bump()

        for model in self.get_models():
            if model in skip or model.__name__.startswith("Historical"):
                continue
            post_save.connect(bump, sender=model, weak=False)
            post_delete.connect(bump, sender=model, weak=False)
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(bump, sender=field.remote_field.through, weak=False)

    def _register_history(self):
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
            m.DetaineeName: ["sources"],
            m.CaseDefendant: ["sources"],
            m.EchrApplication: ["applicants", "violations", "sources"],
            m.ExecutionGroup: ["sources"],
        }
        # Derived facts are recomputed from the timeline, never edited: history would only hold
        # stale copies of them.
        excluded = {
            m.Detainee: [
                f.name for f in m.Detainee._meta.fields if not f.editable and f.name not in {
                    "id", "version", "created_by", "created_at", "saved_at", "updated_at",
                    "published_at", "is_synthetic",
                }
            ],
        }  # fmt: skip
        for model in [
            m.Occupation, m.Organization, m.Court, m.Facility, m.LegalCode, m.LegalArticle,
            m.Source, m.Detainee, m.DetaineeName, m.Affiliation, m.Contact, m.Case,
            m.CaseDefendant, m.Charge, m.Event, m.ConventionArticle, m.ExecutionGroup,
            m.EchrApplication, m.CmDecision,
        ]:  # fmt: skip
            register(
                model,
                app="cases",
                m2m_fields=m2m.get(model, []),
                excluded_fields=excluded.get(model, []),
                custom_model_name=_history_name,
            )


def _history_name(name):
    # The occupations' history kept its name (and table) when the plain many-to-many table
    # became the model DetaineeOccupation, which carries sources.
    return "HistoricalDetainee_occupations" if name == "DetaineeOccupation" else f"Historical{name}"
