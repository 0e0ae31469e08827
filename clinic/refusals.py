"""The one refusal: a service saying no to a change, in words staff can read as they are.

Every changing service raises `Refused` when a rule does not allow what was asked (nothing was changed), so every
page shows a refusal one way (`clinic.feedback.attempt`). The message names times, values and rules, never a
patient: it may reach logs. A subclass exists only where a caller must tell one refusal from another.
"""

from collections.abc import Iterable, Mapping


class Refused(Exception):
    """A change refused (nothing stored): `message` for staff, `fields` {form field: [messages]}, `code`.

    `fields` is set when the refusal is about what was typed, so the page shows each message next to its field
    (`bind`); `code` is an optional short machine word for a caller that must act on which refusal it was."""

    def __init__(self, message: str = "", *, fields: Mapping[str, str | Iterable[str]] | None = None, code: str = ""):
        self.fields: dict[str, list[str]] = {
            name: [messages] if isinstance(messages, str) else list(messages)
            for name, messages in (fields or {}).items()
        }
        self.code = code
        self.message = message or " ".join(m for messages in self.fields.values() for m in messages)
        super().__init__(self.message)

    @classmethod
    def from_validation(cls, error) -> "Refused":
        """A model's own validation (`full_clean`) as a refusal, each message next to its field."""
        fields = getattr(error, "message_dict", None) or {"__all__": error.messages}
        return cls(fields={("__all__" if name == "__all__" else name): messages for name, messages in fields.items()})

    def bind(self, form) -> None:
        """Put each message next to its field of `form`; a field the form lacks, or a refusal naming no field,
        becomes the form's own (non-field) error."""
        if not self.fields:
            form.add_error(None, self.message)
            return
        for name, messages in self.fields.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
