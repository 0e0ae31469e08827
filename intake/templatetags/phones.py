"""`{{ patient.phone|phone }}`: a stored E.164 number as staff read it ("(206) 555-0143"); tel: links and
exports keep the E.164 form."""

from django import template

from intake import phones

register = template.Library()


@register.filter
def phone(value) -> str:
    return phones.display(value or "")


@register.filter
def tel(value) -> str:
    """The number as a tel: or sms: link takes it: a leading + and the digits ("(206) 555-0143" -> "2065550143")."""
    value = str(value or "").strip()
    digits = "".join(c for c in value if c.isdigit())
    return f"+{digits}" if value.startswith("+") else digits
