"""State changes for intake, screening and review. Views, forms and commands call these.

Every function is keyword-only, runs in one transaction and checks the current state first; the
acting user is always `by`, who must hold the permissions of the page that calls the function
(`@acts`, checked before anything is read; PermissionDenied otherwise). Patients belong to the
organisation, so no location is checked here. Errors carry ids and field names only, never patient
data (they may reach logs).
"""

import logging
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from clinic.context import ClinicContext, clinic_context
from clinic.locations import check_works_at
from clinic.refusals import Refused
from clinic.roles import acts
from intake import screening as rules
from intake.models import (
    Decision,
    Flag,
    Intake,
    Outcome,
    Patient,
    RecordAccess,
    ReviewDecision,
    SafetyAlert,
    Screening,
)

logger = logging.getLogger(__name__)

# What the pages that call each service require (intake.views; a test keeps them equal).
CLINICAL = ("intake.view_patient", "intake.view_intake", "intake.view_screening")
ADD_INTAKE = ("intake.add_patient", "intake.add_intake")
CHANGE_INTAKE = ("intake.change_patient", "intake.change_intake", *CLINICAL)
REVIEW = (*CLINICAL, "intake.view_reviewdecision", "intake.add_reviewdecision")
RESOLVE_ALERT = (*REVIEW, "intake.change_safetyalert")
# A staff user raises an alert only at a visit's check-in (infusions.infusion_day.services.KEEP).
CHECK_IN = ("infusions.view_infusionrecord", "infusions.view_appointment", "infusions.keep_infusion_record")


class ImplausibleValues(rules.AnswersInvalid):
    """Allowed but implausible values (`screening.implausible_values`) not confirmed as checked.

    An `AnswersInvalid`, so every caller that reports field errors reports these too; nothing is stored.
    """


def _check_plausible(validated: rules.Answers, *, today: date, confirmed: bool) -> None:
    if confirmed:
        return
    found = rules.implausible_values(validated, today=today)
    if found:
        raise ImplausibleValues({path: f"{message} Confirm it was checked." for path, message in found.items()})


class AlreadySubmitted(Refused):
    """This form's token was already used for an intake with other answers (e.g. the form was
    submitted, then changed and submitted again). `screening` is what the first submission made: the page
    links to it."""

    def __init__(self, screening: Screening):
        super().__init__(f"submission token already used for intake {screening.intake_id}")
        self.screening = screening


def patient_answers(patient: Patient) -> dict:
    """The answers' `patient` part (identity and contact) from a stored patient."""
    data = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "weight_kg": float(patient.weight_kg),
    }
    if patient.phone:
        data["phone"] = patient.phone
    if patient.email:
        data["email"] = patient.email
    return data


def full_answers(intake: Intake) -> dict:
    """The whole intake answers document for an intake (patient part from the patient row)."""
    return {"patient": patient_answers(intake.patient), **intake.answers}


def _split(answers: rules.Answers) -> tuple[dict, dict]:
    data = answers.as_dict()
    return data.pop("patient"), data


def _patient_fields(patient_part: Mapping) -> dict:
    return {
        "first_name": patient_part["first_name"],
        "last_name": patient_part["last_name"],
        "date_of_birth": date.fromisoformat(patient_part["date_of_birth"]),
        "weight_kg": Decimal(str(patient_part["weight_kg"])).quantize(Decimal("0.1")),
        "phone": patient_part.get("phone") or "",
        "email": patient_part.get("email") or "",
    }


@acts(*ADD_INTAKE)
@transaction.atomic
def intake_create(
    *,
    answers: Mapping,
    by: AbstractBaseUser,
    consent_email: bool = False,
    consent_sms: bool = False,
    today: date | None = None,
    submission_token: str | None = None,
    confirm_implausible: bool = False,
    location=None,
) -> Screening:
    """Validate an intake answers document, create the patient and the intake, and screen it.

    `location` is where the coordinator works now (the queue can be filtered by it).

    `by` is the coordinator taking the intake. Raises `screening.AnswersInvalid` (nothing stored)
    or `ValidationError` (e.g. consent to SMS without a phone number).

    `submission_token` (the form's one-time token) makes a repeated submission harmless: the same
    token with the same answers returns the first submission's screening and creates nothing; with
    other answers it raises `AlreadySubmitted` (nothing stored, so nothing typed is silently
    dropped). Two submissions racing each other meet at the token's unique constraint.

    Allowed but implausible values (a systolic of 260, born 1920) raise `ImplausibleValues` unless
    `confirm_implausible` says the coordinator checked them.
    """
    if location is not None:
        check_works_at(by, location.pk)  # an intake says where it was taken: only where the coordinator works
    ctx = clinic_context()
    today = today or ctx.today()
    validated = rules.validate_answers(answers, today=today)
    _check_plausible(validated, today=today, confirmed=confirm_implausible)
    patient_part, rest = _split(validated)
    if submission_token is not None:
        earlier = _submitted(submission_token, patient_part, rest, consent_email, consent_sms)
        if earlier is not None:
            return earlier
    patient = Patient(
        **_patient_fields(patient_part), consent_email=consent_email, consent_sms=consent_sms, created_by=by
    )
    patient.full_clean()
    intake = Intake(
        patient=patient,
        answers=rest,
        indication=rest["indication"],
        taken_by=by,
        location=location,
        submission_token=submission_token,
    )
    intake.full_clean(exclude=["patient"], validate_unique=False)
    try:
        with transaction.atomic():
            patient.save()
            intake.patient = patient
            intake.save()
    except IntegrityError:
        # Another request with this token committed first (the unique constraint waited for it).
        earlier = (
            None
            if submission_token is None
            else _submitted(submission_token, patient_part, rest, consent_email, consent_sms)
        )
        if earlier is None:
            raise
        return earlier
    screening = _screen(intake=intake, validated=validated, today=today, by=by, ctx=ctx)
    logger.info("intake created: patient=%s intake=%s screening=%s", patient.pk, intake.pk, screening.pk)
    return screening


def _submitted(token: str, patient_part: Mapping, rest: dict, consent_email: bool, consent_sms: bool):
    """The first screening made with this form token, or None; AlreadySubmitted if the answers differ."""
    intake = Intake.objects.select_related("patient").filter(submission_token=token).first()
    if intake is None:
        return None
    first = Screening.objects.filter(intake=intake).order_by("id").first()
    patient = intake.patient
    same = (
        intake.answers == rest
        and all(getattr(patient, name) == value for name, value in _patient_fields(patient_part).items())
        and (patient.consent_email, patient.consent_sms) == (consent_email, consent_sms)
    )
    if not same:
        raise AlreadySubmitted(first)
    logger.info("intake submitted again, first kept: intake=%s screening=%s", intake.pk, first.pk)
    return first


@acts(*CHANGE_INTAKE)
@transaction.atomic
def intake_update(
    *,
    intake: Intake,
    answers: Mapping,
    by: AbstractBaseUser,
    consent_email: bool,
    consent_sms: bool,
    today: date | None = None,
    confirm_implausible: bool = False,
) -> Screening:
    """Change an intake (and its patient's details); screen it again only if a screened answer changed.

    The screened answers are the clinical answers and the date of birth (age is a rule); name,
    contact, consents and weight are not screened, so changing only those keeps the current
    screening and the clinician's decision on it (returned as it is). Earlier screenings stay as
    they were: each keeps the answers it ran on. Implausible values need `confirm_implausible`, as
    for `intake_create`.
    """
    ctx = clinic_context()
    today = today or ctx.today()
    validated = rules.validate_answers(answers, today=today)
    _check_plausible(validated, today=today, confirmed=confirm_implausible)
    patient_part, rest = _split(validated)
    patient = Patient.objects.select_for_update().get(pk=intake.patient_id)
    current = Screening.objects.filter(intake=intake).order_by("-id").first()
    screened_inputs_changed = (
        current is None
        or rest != current.answers
        or patient.date_of_birth != date.fromisoformat(patient_part["date_of_birth"])
    )
    for name, value in _patient_fields(patient_part).items():
        setattr(patient, name, value)
    patient.consent_email = consent_email
    patient.consent_sms = consent_sms
    patient.full_clean()
    patient.save()
    intake.patient = patient
    intake.answers = rest
    intake.indication = rest["indication"]
    intake.full_clean()
    intake.save(update_fields=["answers", "indication", "updated_at"])
    if not screened_inputs_changed:
        logger.info("intake details updated, screening kept: intake=%s screening=%s", intake.pk, current.pk)
        return current
    screening = _screen(intake=intake, validated=validated, today=today, by=by, ctx=ctx)
    logger.info("intake updated: intake=%s screening=%s", intake.pk, screening.pk)
    return screening


@acts(*CHANGE_INTAKE)
@transaction.atomic
def screening_run(*, intake: Intake, by: AbstractBaseUser, today: date | None = None) -> Screening:
    """Screen a stored intake again (e.g. after the rules or the clinic setting changed): what editing the intake
    does, so by whoever may edit it (no system caller re-screens; one would pass the user it acts for)."""
    ctx = clinic_context()
    today = today or ctx.today()
    validated = rules.validate_answers(full_answers(intake), today=today)
    return _screen(intake=intake, validated=validated, today=today, by=by, ctx=ctx)


def _screen(*, intake: Intake, validated: rules.Answers, today: date, by, ctx: ClinicContext) -> Screening:
    severity = ctx.clinic.breastfeeding_severity
    result = rules.screen(validated, today=today, breastfeeding_severity=severity)
    scores = result.as_dict()["scores"]
    screening = Screening.objects.create(
        intake=intake,
        patient_id=intake.patient_id,
        outcome=result.outcome,
        urgent=result.urgent,
        scores=scores,
        phq9_total=result.phq9.total if result.phq9 else None,
        gad7_total=result.gad7.total if result.gad7 else None,
        ruleset=result.ruleset,
        answers=intake.answers,
        breastfeeding_severity=severity,
        screened_by=by,
    )
    Flag.objects.bulk_create(
        Flag(
            screening=screening,
            position=position,
            code=flag.code,
            severity=flag.severity,
            reason=flag.reason,
            source=flag.source,
            details="\n".join(flag.details),
        )
        for position, flag in enumerate(result.flags)
    )
    return screening


@acts(*REVIEW)
def review_decide(
    *,
    screening: Screening,
    by: AbstractBaseUser,
    decision: str,
    rescreen_on: date | None = None,
    justification: str = "",
    today: date | None = None,
) -> ReviewDecision:
    """Record the decision of the clinician `by` on a flagged screening.

    Refused (`clinic.refusals.Refused`) when the screening is clear, already decided, or no longer the
    patient's newest; when an exclude case is approved without a justification; when a deferral
    has no re-screen date in the future. A second decision racing this one is refused too.
    """
    today = today or clinic_context().today()
    justification = (justification or "").strip()
    if rules.has_unsafe_characters(justification, multiline=True):
        raise Refused(fields={"justification": rules.UNSAFE_TEXT})
    if decision not in Decision.values:
        raise Refused(fields={"decision": "Choose approve, decline or defer."})
    if decision == Decision.DEFER:
        if rescreen_on is None:
            raise Refused(fields={"rescreen_on": "A deferral needs the date on which to re-screen."})
        if rescreen_on <= today:
            raise Refused(fields={"rescreen_on": "The re-screen date must be in the future."})
    else:
        rescreen_on = None
    try:
        with transaction.atomic():
            # Lock the screening so two clinicians deciding at once queue up here (PostgreSQL);
            # the OneToOne constraint is the last word on every database.
            current = Screening.objects.select_for_update().get(pk=screening.pk)
            if current.outcome == Outcome.CLEAR:
                raise Refused("A clear screening needs no decision.")
            if ReviewDecision.objects.filter(screening=current).exists():
                raise Refused("This case has already been decided by another clinician.")
            if Screening.objects.filter(patient_id=current.patient_id, id__gt=current.id).exists():
                raise Refused("A newer screening of this patient exists: decide on that one.")
            if current.approval_needs_justification and decision == Decision.APPROVE and not justification:
                raise Refused(
                    fields={"justification": "Approving a case the screening excludes needs a written justification."}
                )
            made = ReviewDecision(
                screening=current,
                decision=decision,
                rescreen_on=rescreen_on,
                justification=justification,
                decided_by=by,
            )
            made.full_clean(validate_unique=False, validate_constraints=False)
            made.save()
    except IntegrityError as exc:
        logger.info("review decision refused (already decided): screening=%s", screening.pk)
        raise Refused("This case has already been decided by another clinician.") from exc
    logger.info("review decided: screening=%s decision=%s by user=%s", screening.pk, decision, by.pk)
    return made


@acts()  # no permission: whoever opened a record is logged, never refused (only an active signed-in user)
def record_access_log(*, by: AbstractBaseUser, patient_id: int, view: str) -> RecordAccess:
    """Note that `by` opened this patient's clinical record (append-only access log)."""
    return RecordAccess.objects.create(user=by, patient_id=patient_id, view=view)


# --- Urgent items outside a screening --------------------------------------------------------------


@acts(*CHECK_IN)
def safety_alert_raise(*, patient: Patient, source: str, detail: str, by: AbstractBaseUser) -> SafetyAlert:
    """An urgent item for clinicians (a positive PHQ-9 item 9 outside intake), raised by the staff user `by` (at
    a check-in): counted with urgent screenings.

    Called inside the caller's transaction, so an alert exists exactly when what raised it was saved.
    """
    return _raise_alert(patient=patient, source=source, detail=detail, by=by)


def safety_alert_from_patient(*, patient: Patient, source: str, detail: str) -> SafetyAlert:
    """`safety_alert_raise` for the patient's own answers by their signed link: no staff user acts, so none is
    checked (the link's token is the patient's; raising an alert must never be refused)."""
    return _raise_alert(patient=patient, source=source, detail=detail, by=None)


def _raise_alert(*, patient: Patient, source: str, detail: str, by) -> SafetyAlert:
    alert = SafetyAlert(patient=patient, source=source, detail=detail[:200], raised_by=by)
    alert._history_user = by
    alert.save()
    logger.info("safety alert %s raised", alert.pk)  # never with the patient: the alert itself is clinical
    return alert


@acts(*RESOLVE_ALERT)
def safety_alert_resolve(*, alert: SafetyAlert, by: AbstractBaseUser, follow_up: str) -> SafetyAlert:
    """A prescriber records the same-day follow-up; the alert leaves the urgent count."""
    follow_up = follow_up.strip()
    if not follow_up:
        raise Refused(fields={"follow_up": "Write the follow-up: what was done today about the answer."})
    with transaction.atomic():
        alert = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
        if not alert.is_open:
            raise Refused("This alert was already resolved.")
        alert.resolved_at = clinic_context().now()
        alert.resolved_by = by
        alert.follow_up = follow_up
        alert._history_user = by
        alert.save(update_fields=["resolved_at", "resolved_by", "follow_up"])
    logger.info("safety alert %s resolved by user %s", alert.pk, by.pk)
    return alert
