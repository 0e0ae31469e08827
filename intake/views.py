"""Intake coordinators' and clinicians' pages. Views parse input, call one service, render or redirect.

Every page that shows a patient's clinical record writes a RecordAccess row (who, when, which patient).
Patients belong to the organisation: these pages load them (and their intakes, screenings, alerts) through
`intake.selectors`, whatever location the user works at.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from clinic.context import clinic_context
from clinic.feedback import attempt
from clinic.locations import check_location, current_location_or_none, user_locations
from clinic.roles import require
from intake import screening as rules
from intake import selectors, services
from intake.eligibility import booking_eligibility
from intake.forms import DecisionForm, IntakeForm, answer_rows
from intake.models import Patient, search_text

CLINICAL = ("intake.view_patient", "intake.view_intake", "intake.view_screening")
REVIEW = (*CLINICAL, "intake.view_reviewdecision", "intake.add_reviewdecision")


@require("intake.view_patient", "intake.view_intake")
def home(request):
    """Find a patient by name or date of birth (coordinators' home)."""
    q = search_text(request.GET.get("q", ""))
    patients = Patient.objects.search(q)[:50]
    return render(request, "intake/home.html", {"patients": patients, "q": q})


@require("intake.add_patient", "intake.add_intake")
@require_http_methods(["GET", "POST"])
def intake_new(request):
    today = clinic_context().today()
    form = IntakeForm(request.POST or None, today=today, with_token=True)
    if request.method == "POST" and form.is_valid():
        try:
            screening = services.intake_create(
                answers=form.answers,
                by=request.user,
                today=today,
                submission_token=form.submission_token,
                confirm_implausible=form.confirmed_implausible,
                location=current_location_or_none(request.user),
                **form.consents,
            )
        except services.AlreadySubmitted as earlier:
            form.renew_token()
            url = reverse("intake:screening", args=[earlier.screening.pk])
            form.add_error(
                None,
                format_html(
                    'This form was already saved, with other answers (<a href="{}">see that intake</a>). '
                    "Nothing else was saved: to save these answers as well, save again.",
                    url,
                ),
            )
        except rules.AnswersInvalid as invalid:
            # The form ran the same checks; the service is the last word (every path goes through it).
            form.add_answer_errors(invalid.errors)
        except ValidationError:
            form.add_error(None, "The intake could not be saved: please check the answers.")
        else:
            return redirect("intake:screening", screening_id=screening.pk)
    return render(request, "intake/intake_form.html", {"form": form, "title": "New intake"})


@require("intake.change_patient", "intake.change_intake", *CLINICAL)
@require_http_methods(["GET", "POST"])
def intake_edit(request, intake_id: int):
    intake = selectors.intake_get(intake_id)
    today = clinic_context().today()
    answers = services.full_answers(intake)
    lines = len(answers["medications"]) + 2
    if request.method == "POST":
        form = IntakeForm(request.POST, today=today, medication_lines=lines, submit_label="Save changes")
        if form.is_valid():
            screened_before = selectors.intake_newest_screening_id(intake.pk)
            try:
                screening = services.intake_update(
                    intake=intake,
                    answers=form.answers,
                    by=request.user,
                    today=today,
                    confirm_implausible=form.confirmed_implausible,
                    **form.consents,
                )
            except rules.AnswersInvalid as invalid:
                form.add_answer_errors(invalid.errors)
            except ValidationError:
                form.add_error(None, "The intake could not be saved: please check the answers.")
            else:
                if screening.pk == screened_before:
                    messages.success(request, "Contact details saved; the screening is unchanged.")
                else:
                    messages.success(request, "Intake changed and screened again; the earlier screening is kept.")
                return redirect("intake:screening", screening_id=screening.pk)
    else:
        initial = IntakeForm.initial_from(
            answers, consent_email=intake.patient.consent_email, consent_sms=intake.patient.consent_sms
        )
        form = IntakeForm(initial=initial, today=today, medication_lines=lines, submit_label="Save changes")
    # Every rendering shows the clinical record (a refused POST too), so every rendering is logged.
    services.record_access_log(by=request.user, patient_id=intake.patient_id, view="intake_edit")
    context = {"form": form, "title": "Edit intake", "intake": intake}
    return render(request, "intake/intake_form.html", context)


@require(*CLINICAL)
def screening_result(request, screening_id: int):
    """The outcome of one screening, its flags with reasons, the scores, and whether the patient may be booked."""
    screening = selectors.screening_get(screening_id)
    services.record_access_log(by=request.user, patient_id=screening.patient_id, view="screening")
    context = {
        "screening": screening,
        "patient": screening.patient,
        "eligibility": booking_eligibility(screening.patient),
    }
    return render(request, "intake/screening.html", context)


@require(*CLINICAL)
def patient_detail(request, patient_id: int):
    patient = selectors.patient_get(patient_id)
    services.record_access_log(by=request.user, patient_id=patient.pk, view="patient")
    context = {
        "patient": patient,
        "intakes": selectors.patient_intakes(patient.pk),
        "screenings": selectors.patient_screenings(patient.pk),
    }
    return render(request, "intake/patient.html", context)


@require(*REVIEW)
def queue(request):
    """Flagged cases waiting for a decision: urgent first, then exclude, defer, review, oldest first.

    A page at a time (QUEUE_PAGE_SIZE cases); the urgent count covers the whole queue, every page.
    """
    location = None
    if request.GET.get("location"):
        try:
            location = check_location(request, int(request.GET["location"]))
        except ValueError:
            return HttpResponseBadRequest("Bad location.")
    counts = selectors.review_queue_counts(location=location)
    alerts = selectors.open_alerts()
    if location is None:
        # The navigation's badge asks for it once per request: urgent screenings and open safety alerts.
        request.urgent_count = counts["urgent"] + len(alerts)
    page = selectors.review_queue_page(request.GET.get("page"), counts=counts, location=location)
    context = {
        "cases": page.object_list,
        "page": page,
        "page_links": page.paginator.get_elided_page_range(page.number),
        "total": counts["total"],
        "urgent": counts["urgent"],
        "alerts": alerts,
        "outcome_reviews": selectors.open_outcome_reviews(),
        "location": location,
        "locations": user_locations(request.user),
    }
    return render(request, "intake/queue.html", context)


@require(*REVIEW, "intake.change_safetyalert")
@require_http_methods(["POST"])
def alert_resolve(request, alert_id: int):
    """A prescriber records the same-day follow-up of a safety alert (item 9 outside intake)."""
    alert = selectors.alert_get(alert_id)
    follow_up = request.POST.get("follow_up", "")
    resolved = "Follow-up recorded; the alert is resolved."
    attempt(request, services.safety_alert_resolve, alert=alert, follow_up=follow_up, success=resolved)
    return redirect("intake:queue")


@require(*REVIEW)
@require_http_methods(["GET", "POST"])
def case(request, screening_id: int):
    """A clinician's case page: answers, flags with reasons and sources, scores, history; decide."""
    screening = selectors.screening_get(screening_id)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            request,
            services.review_decide,
            form=form,
            screening=screening,
            decision=form.cleaned_data["decision"],
            rescreen_on=form.cleaned_data["rescreen_on"],
            justification=form.cleaned_data["justification"],
            success="Decision recorded.",
        )
        if done:
            return redirect("intake:queue")
        if not done.bound:  # a refusal about the case itself (decided meanwhile): shown on the case page
            return redirect("intake:case", screening_id=screening.pk)
    # Logged on every rendering: the GET and a POST re-rendered with the form's errors alike.
    services.record_access_log(by=request.user, patient_id=screening.patient_id, view="case")
    history = [s for s in selectors.patient_screenings(screening.patient_id) if s.pk != screening.pk]
    newest = not any(s.pk > screening.pk for s in history)
    context = {
        "screening": screening,
        "patient": screening.patient,
        "answer_rows": answer_rows(screening.answers),
        "history": history,
        "form": form,
        "can_decide": newest and screening.needs_decision and not hasattr(screening, "decision"),
        "newest": newest,
    }
    return render(request, "intake/case.html", context, status=400 if form.errors else 200)
