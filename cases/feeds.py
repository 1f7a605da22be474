"""/feeds/updates.atom: the newest and latest-updated published detainees and cases."""

from django.contrib.syndication.views import Feed
from django.db.models import Count, Prefetch, Q
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Case, Detainee, Event, State, format_partial_date

ENTRIES = 50


class UpdatesFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Political prisoner case tracker: updates")
    subtitle = gettext_lazy("Detainees and cases, newest and latest updated first.")
    link = reverse_lazy("cases:detainee-list")

    def items(self):
        """The 50 latest updated of both kinds: three queries, whatever the number of entries."""
        events = Event.objects.order_by("date", "pk")
        detainees = (
            Detainee.objects.published()
            .prefetch_related(Prefetch("events", queryset=events, to_attr="timeline"))
            .order_by("-updated_at", "pk")[:ENTRIES]
        )
        cases = (
            Case.objects.published()
            .annotate(
                defendant_count=Count(
                    "memberships", filter=Q(memberships__detainee__state=State.PUBLISHED)
                )
            )
            .order_by("-updated_at", "pk")[:ENTRIES]
        )
        entries = [*detainees, *cases]
        entries.sort(key=lambda entry: entry.updated_at, reverse=True)
        return entries[:ENTRIES]

    def item_title(self, item):
        return item.name

    def item_description(self, item):
        if isinstance(item, Case):
            return _("Case with %(count)d published defendant(s).") % {
                "count": item.defendant_count
            }
        summary = item.get_status_display()
        if item.status_since:
            summary = _("%(status)s since %(date)s") % {
                "status": summary,
                "date": format_partial_date(item.status_since, item.status_since_precision),
            }
        if item.timeline:
            last = item.timeline[-1]
            summary = _("%(summary)s. Last event: %(event)s, %(date)s.") % {
                "summary": summary,
                "event": last.get_kind_display(),
                "date": last.date_display,
            }
        return summary

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.published_at or item.created_at

    def item_categories(self, item):
        return [_("case") if isinstance(item, Case) else _("detainee")]
