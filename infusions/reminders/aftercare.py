"""The written after-care instructions a patient gets at discharge: the same fixed words on the printable page
handed over at the chair (infusion_day's after-care page, linked from the discharge checklist) and in the
message sent once by e-mail and SMS as the patient consented (a patient notice of kind "aftercare", written in
the discharge's transaction: `infusions.reminders.notices`).

Both say the minimum necessary, because a message can be read by whoever shares the patient's phone or inbox:
the first name, the visit's date, the place and its phone, the fixed instructions below and the numbers to call.
Never a reading, a dose, a medicine, a score or why the patient came.
"""

from dataclasses import dataclass

# DOMAIN §7: no driving until the next day after sleep; the escort takes the patient home.
INSTRUCTIONS = (
    "No driving, cycling or operating machinery until the next day, after a night's sleep.",
    "Go home with the adult who collects you, and rest for the rest of the day.",
    "No alcohol, and no important decisions, until the next day.",
)
CRISIS_LINE = "If you need support now, call or text 988, day or night."
EMERGENCY = "In an emergency, call 911."


@dataclass(frozen=True)
class WhoToCall:
    """The place the patient was seen and its phone: the one number for questions after the visit."""

    place: str
    phone: str

    @property
    def questions(self) -> str:
        return f"Questions or concerns: call {self.place} on {self.phone}." if self.phone else ""


def who_to_call(location, organisation) -> WhoToCall:
    return WhoToCall(place=location.signed_name(organisation), phone=location.phone)


def body_lines(location, organisation) -> list[str]:
    """The instructions and who to call, one line each, as the e-mail and the page say them."""
    calls = who_to_call(location, organisation)
    return [*INSTRUCTIONS, *([calls.questions] if calls.questions else []), CRISIS_LINE, EMERGENCY]
