"""The patient's own question pages: public on purpose, guarded by a signed token, each answered once.

`patient_questions` is the 24-hour reminder's link before a visit; `patient_checkin` the maintenance check-in's,
with no visit behind it. Each asks the measures of the patient's indication and nothing else, and shows no name
and no date: whoever holds a forwarded link must not learn whose visit it is. What each refuses: docs/outcomes.md.
"""

import logging

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.core import signing
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from clinic.context import clinic_context
from clinic.refusals import Refused
from infusions.models import Appointment, InfusionSeries, OutcomeInvitation, OutcomeScore
from infusions.outcomes import course
from infusions.reminders.tokens import read_checkin_token, read_questions_token
from intake.models import SafetyAlert, Screening
from intake.questionnaire_forms import QuestionnaireFields
from intake.questionnaires import PHQ9, QUESTIONNAIRES, measures_for, score
from intake.services import safety_alert_from_patient

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


class LinkClosed(Refused):
    """The link can no longer be answered (nothing was recorded): the refusal page's status, and its reason as
    `code` ("received", "expired"; none for a link that names nothing). The page tells it from a refusal of
    the answers, which it shows on the form."""

    def __init__(self, status: int, reason: str = ""):
        super().__init__(reason, code=reason)
        self.status = status


def _refused(request, *, status: int, reason: str = "", received: bool = False):
    context = {"received": received, "reason": reason}
    return render(request, "infusions/outcomes/questions_refused.html", context, status=status)


def _refusal_page(request, refusal: LinkClosed):
    return _refused(request, status=refusal.status, reason=refusal.code, received=refusal.code == "received")


def _ask(request, *, patient_id: int, clinic_name: str, record, heading: str = ""):
    """The page of questions for one patient: shown on GET, recorded by `record(answers)` on a valid POST.

    `record` raises LinkClosed when the link closed meanwhile, or Refused with the answers' errors to show."""
    measures = measures_of(patient_id)
    form = QuestionsForm(request.POST if request.method == "POST" else None, measures=measures)
    if request.method == "POST" and form.is_valid():
        try:
            record(form.answers)
        except LinkClosed as closed:
            return _refusal_page(request, closed)
        except Refused as refused:
            refused.bind(form)  # by measure: the form's own errors (its fields are the items)
        else:
            item9 = form.answers[PHQ9.code][PHQ9.suicide_item_index]
            return render(
                request, "infusions/outcomes/questions_done.html", {"clinic_name": clinic_name, "urgent": item9 > 0}
            )
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "clinic_name": clinic_name, "heading": heading}
    return render(request, "infusions/outcomes/questions.html", context, status=status)


# --- The questions before a visit (the 24-hour reminder's link) ----------------------------------------------


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

    def record(answers):
        try:
            course.score_from_link(appointment=appointment, answers=answers)
        except Refused as refused:
            if not refused.fields:  # answered a moment ago, in another tab
                raise LinkClosed(410, "received") from None
            raise

    clinic_name = appointment.chair.location.signed_name(clinic_context().clinic)
    return _ask(request, patient_id=appointment.patient_id, clinic_name=clinic_name, record=record)


# --- The maintenance check-in (an OutcomeInvitation's link) ---------------------------------------------------


def patient_location(patient_id: int):
    """Where the patient was seen last: the location of their latest visit not cancelled (else of their latest
    series); None for a patient never booked. Its name signs the check-in, its quiet hours hold its SMS."""
    visit = (
        Appointment.objects.filter(patient_id=patient_id)
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("chair__location")
        .order_by("-start")
        .first()
    )
    if visit is not None:
        return visit.chair.location
    series = InfusionSeries.objects.filter(patient_id=patient_id).select_related("location").first()
    return series.location if series is not None else None


def _invitation_refusal(invitation: OutcomeInvitation | None, now) -> LinkClosed | None:
    if invitation is None:
        return LinkClosed(404)
    if invitation.used_at is not None:
        return LinkClosed(410, "received")
    if invitation.lapsed_at is not None or invitation.expires_at <= now:
        return LinkClosed(410, "expired")
    return None


def _open_invitation(token: str) -> OutcomeInvitation:
    """The invitation the link names while it may still be answered; raises LinkClosed."""
    try:
        invitation_id, nonce = read_checkin_token(token)
    except signing.SignatureExpired:
        raise LinkClosed(410, "expired") from None
    except signing.BadSignature:
        raise LinkClosed(404) from None
    invitation = OutcomeInvitation.objects.filter(pk=invitation_id, nonce=nonce).first()
    refusal = _invitation_refusal(invitation, timezone.now())
    if refusal is not None:
        raise refusal
    return invitation


def checkin_record(*, invitation: OutcomeInvitation, answers: dict[str, list[int]]) -> list[OutcomeScore]:
    """The patient's answers by their check-in link: scores without a visit, and the invitation used, at once.

    Single use is the conditional update `used_at IS NULL` (exactly one row, or LinkClosed and nothing stored). A
    positive PHQ-9 item 9 raises the clinicians' safety alert; the outcome rules run once it has committed
    (a loss of response in maintenance opens the booster review)."""
    with transaction.atomic():
        now = timezone.now()
        claimed = OutcomeInvitation.objects.filter(
            pk=invitation.pk,
            nonce=invitation.nonce,
            used_at__isnull=True,
            lapsed_at__isnull=True,
            expires_at__gt=now,
        ).update(used_at=now)
        if claimed != 1:
            raise _invitation_refusal(OutcomeInvitation.objects.filter(pk=invitation.pk).first(), now) or LinkClosed(
                410, "received"
            )
        rows = []
        for measure, items in answers.items():
            result = score(QUESTIONNAIRES[measure], items)
            if result is None:  # rolls the claim back: the link stays open
                raise Refused(fields={measure: f"Answer every {QUESTIONNAIRES[measure].title} item."})
            row = OutcomeScore(
                patient_id=invitation.patient_id,
                appointment=None,
                measure=measure,
                items=list(items),
                total=result.total,
                source=OutcomeScore.Source.PATIENT_LINK,
                taken_at=now,
            )
            row.save()
            rows.append(row)
        phq9 = answers.get(PHQ9.code)
        if phq9 and int(phq9[PHQ9.suicide_item_index]) > 0:
            safety_alert_from_patient(
                patient=invitation.patient,
                source=SafetyAlert.Source.PATIENT_LINK,
                detail=f"PHQ-9 item 9 answered {int(phq9[PHQ9.suicide_item_index])} of 3 by the patient's "
                "maintenance check-in link.",
            )
        patient_id = invitation.patient_id
        transaction.on_commit(lambda: course.rules_apply(patient_id=patient_id))
    logger.info("invitation %s: the patient answered by their check-in link", invitation.pk)
    return rows


@never_cache
def patient_checkin(request, token):
    try:
        invitation = _open_invitation(token)
    except LinkClosed as closed:
        return _refusal_page(request, closed)
    location = patient_location(invitation.patient_id)
    organisation = clinic_context().clinic
    clinic_name = location.signed_name(organisation) if location is not None else organisation.name
    return _ask(
        request,
        patient_id=invitation.patient_id,
        clinic_name=clinic_name,
        record=lambda answers: checkin_record(invitation=invitation, answers=answers),
        heading="Please answer a few questions for your care team",
    )
