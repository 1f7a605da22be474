from django import template

from ..models import Precision, format_partial_date

register = template.Library()


@register.filter
def partial_date(value, precision=Precision.DAY):
    """{{ event.date|partial_date:event.date_precision }} -> 29 April 2024, April 2024 or 2024."""
    return format_partial_date(value, precision or Precision.DAY)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
