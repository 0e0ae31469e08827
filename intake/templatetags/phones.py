"""`{{ patient.phone|phone }}`: a stored E.164 number as staff read it ("(206) 555-0143"); tel: links and
exports keep the E.164 form."""

from django import template

from intake import phones

register = template.Library()


@register.filter
def phone(value) -> str:
    return phones.display(value or "")
