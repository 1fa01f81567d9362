"""The privacy sentence of the forms, from the organisation's retention settings (frukost.privacy.notice)."""

from django import template

from frukost.privacy import notice

register = template.Library()


@register.simple_tag
def retention_sentence(organisation) -> str:
    return notice.retention_sentence(organisation)
