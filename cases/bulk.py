"""Creating many objects at once, with the same history a save would write.

`bulk_create` sends no signals, so simple-history writes no record and the data version is not
raised; saving one by one instead costs a history record per save and another per many-to-many
change (about 120 queries for one imported arrest). A `BulkWriter` creates each model's objects
in batches, links many-to-many rows in batches, and then writes one creation record per object
("+", with its author and reason) and that record's many-to-many rows, in batches too.
"""

from collections import defaultdict

from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_field_name

from .text import slug_for

BATCH = 500


class BulkWriter:
    def __init__(self, *, user, reason=""):
        self.user, self.reason = user, reason
        self.created = defaultdict(list)  # model -> objects, in creation order
        self.links = defaultdict(list)  # (model, m2m field) -> through objects

    def create(self, objects):
        """Insert objects of one model (primary keys are set on them: PostgreSQL, SQLite 3.35+)."""
        if objects:
            model = type(objects[0])
            model.objects.bulk_create(objects, batch_size=BATCH)
            self.created[model].extend(objects)
        return objects

    def link(self, model, field_name, pairs):
        """Many-to-many rows for `model.field_name`, from (instance, related instance) pairs;
        returns the through rows, with their primary keys (a through model may carry sources)."""
        field = model._meta.get_field(field_name)
        through = field.remote_field.through
        source, target = get_m2m_field_name(field), field.m2m_reverse_field_name()
        rows = [
            through(**{f"{source}_id": obj.pk, f"{target}_id": related.pk})
            for obj, related in pairs
        ]
        through.objects.bulk_create(rows, batch_size=BATCH)
        self.links[model, field].extend(rows)
        return rows

    def write_history(self):
        """One "+" record per created object, with the many-to-many rows it was created with."""
        for model, objects in self.created.items():
            manager = getattr(model, model._meta.simple_history_manager_attribute, None)
            if manager is None:
                continue
            records = manager.bulk_history_create(
                objects, batch_size=BATCH, default_user=self.user,
                default_change_reason=self.reason,
            )  # fmt: skip
            pk = model._meta.pk.attname
            by_object = {getattr(record, pk): record for record in records}
            for field in manager.model._history_m2m_fields:
                self._write_m2m_history(model, field, by_object)

    def _write_m2m_history(self, model, field, by_object):
        history_model = HistoricalRecords.m2m_models[field]
        through = field.remote_field.through
        names = [f.attname for f in through._meta.fields]
        source = get_m2m_field_name(field)
        rows = [
            history_model(
                history=by_object[getattr(row, f"{source}_id")],
                **{name: getattr(row, name) for name in names},
            )
            for row in self.links[model, field]
            if getattr(row, f"{source}_id") in by_object
        ]
        history_model.objects.bulk_create(rows, batch_size=BATCH)


def unique_slugs(model, texts, max_length=80):
    """A slug per text, unique among `model`'s rows and each other: one query per 500 texts,
    and one more per collision (rare: names are mostly distinct)."""
    bases = [slug_for(text, max_length) or "entry" for text in texts]
    known = set(bases)
    taken = set()
    distinct = sorted(known)
    for start in range(0, len(distinct), BATCH):
        chunk = distinct[start : start + BATCH]
        taken |= set(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))

    def is_taken(slug):
        if slug in taken:
            return True
        if slug in known:
            return False
        return model.objects.filter(slug=slug).exists()

    slugs = []
    for base in bases:
        slug, n = base, 2
        while is_taken(slug):
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs
