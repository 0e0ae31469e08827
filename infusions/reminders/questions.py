"""The patient's questions before a visit, from the 24-hour reminder: public on purpose, guarded by a signed token.

The token (`tokens.questions_token`, its own salt) names the visit and its start and expires after 15 days.
The page asks the outcome questionnaires of the patient's indication (PHQ-9 always, DOMAIN §8) and nothing
else: no name, no date, no clinical detail, only the name the clinic signs with, since whoever holds a
forwarded link must not learn whose visit it is. The answers are recorded once per visit
(`course.score_from_link`); a positive PHQ-9 item 9 raises the clinicians' safety alert and shows the 988
box on the thank-you page at once.

A link is refused (nothing recorded) when it is tampered with (404), expired, for a visit that has moved,
is no longer scheduled or has ended, or was answered already (410).
"""

import logging

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.core import signing
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from clinic.context import clinic_context
from infusions import course
from infusions.models import Appointment
from infusions.reminders.tokens import read_questions_token
from intake.models import Screening
from intake.questionnaire_forms import QuestionnaireFields
from intake.questionnaires import PHQ9, QUESTIONNAIRES, measures_for

logger = logging.getLogger(__name__)


class QuestionsForm(forms.Form):
    """The questionnaires of `measures`, one fieldset each, every item required. After `is_valid()`,
    `answers` holds {measure: [item values]}."""

    def __init__(self, *args, measures: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaires = [QuestionnaireFields(QUESTIONNAIRES[code]) for code in measures]
        for questionnaire in self.questionnaires:
            self.fields.update(questionnaire.fields())
        self.answers: dict[str, list[int]] = {}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            *(questionnaire.layout() for questionnaire in self.questionnaires), Submit("send", "Send my answers")
        )

    def clean(self):
        data = super().clean()
        answers = {q.questionnaire.code: q.clean(self) for q in self.questionnaires}
        self.answers = {code: items for code, items in answers.items() if items is not None}
        return data


def measures_of(patient_id: int) -> tuple[str, ...]:
    """The measures for the indication of the patient's newest screening; the PHQ-9 alone when unknown."""
    screening = (
        Screening.objects.filter(patient_id=patient_id).select_related("intake").order_by("-screened_at").first()
    )
    try:
        return measures_for(screening.intake.indication) if screening is not None else (PHQ9.code,)
    except ValueError:  # an indication without a measure list still gets the PHQ-9 (item 9 is always asked)
        return (PHQ9.code,)


def _refused(request, *, status: int, reason: str = "", received: bool = False):
    context = {"received": received, "reason": reason}
    return render(request, "infusions/questions_refused.html", context, status=status)


def _open_visit(token: str):
    """(the visit, None) when the link may still be answered, else (None, the refusal's status and reason)."""
    try:
        appointment_id, start = read_questions_token(token)
    except signing.SignatureExpired:
        return None, (410, "expired")
    except signing.BadSignature:
        return None, (404, "")
    appointment = Appointment.objects.select_related("chair__location").filter(pk=appointment_id).first()
    if appointment is None or appointment.start != start:
        return None, (410, "changed")
    if course.link_answers(appointment):
        return None, (410, "received")
    if appointment.status != Appointment.Status.SCHEDULED or timezone.now() >= appointment.end:
        return None, (410, "changed" if appointment.status != Appointment.Status.SCHEDULED else "ended")
    return appointment, None


@never_cache
def patient_questions(request, token):
    appointment, refusal = _open_visit(token)
    if refusal is not None:
        status, reason = refusal
        return _refused(request, status=status, reason=reason, received=reason == "received")
    measures = measures_of(appointment.patient_id)
    clinic_name = appointment.chair.location.signed_name(clinic_context().clinic)
    form = QuestionsForm(request.POST if request.method == "POST" else None, measures=measures)
    if request.method == "POST" and form.is_valid():
        try:
            course.score_from_link(appointment=appointment, answers=form.answers)
        except course.CourseRefused as refused:
            if not refused.errors:  # answered a moment ago, in another tab
                return _refused(request, status=410, reason="received", received=True)
            for measure, message in refused.errors.items():
                form.add_error(None, message or measure)
        else:
            item9 = form.answers[PHQ9.code][PHQ9.suicide_item_index]
            return render(request, "infusions/questions_done.html", {"clinic_name": clinic_name, "urgent": item9 > 0})
    status = 400 if request.method == "POST" else 200
    return render(request, "infusions/questions.html", {"form": form, "clinic_name": clinic_name}, status=status)
