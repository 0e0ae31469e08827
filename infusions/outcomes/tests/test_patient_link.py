"""The patient's questions link: the 24-hour reminder carries it, the page asks the measures of the
patient's indication and records them once for the visit the token names; a tampered, expired, moved,
cancelled, ended or used link records nothing. A positive item 9 raises the clinicians' alert and shows 988."""

import base64
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.context import clinic_context
from clinic.roles import NURSE
from clinic.tests.factories import IntakeFactory, ScreeningFactory, UserFactory, front_desk
from infusions.booking.services import series_book
from infusions.models import Appointment, OutcomeScore
from infusions.outcomes import course
from infusions.reminders import rendering, sms, tokens
from infusions.tests.helpers import at, bookable_patient, clinic, series_visits
from infusions.tests.reminder_helpers import dispatch_due
from intake.models import SafetyAlert
from intake.questionnaires import PHQ9
from intake.selectors import urgent_count

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)
BOOKED = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
THE_DAY_BEFORE = at(MONDAY - timedelta(days=1), 10, 0)  # when the patient answers, a day before the 09:00 visit
PHQ9_ANSWERS = [1, 2, 1, 2, 1, 1, 1, 0, 0]
CRISIS = "988 Suicide &amp; Crisis Lifeline: call or text 988.</strong> In an emergency call 911."
RECEIVED = "Thank you, your answers were received."
REFUSED = "This link can no longer be used"


@pytest.fixture
def traveller():
    with time_machine.travel(BOOKED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def series(traveller):
    """A six-visit series from 09:00 on MONDAY (Robin Example), booked on BOOKED; the clock stays there."""
    chair, _ = clinic()
    return series_book(
        patient=bookable_patient(first_name="Robin", last_name="Example"),
        visits=series_visits(MONDAY, chair),
        by=front_desk(),
    )


@pytest.fixture
def visit(series):
    return series.appointments.get(sequence=1)


def link(appointment) -> str:
    return reverse("infusions:patient_questions", args=[tokens.questions_token(appointment)])


def answers(phq9=PHQ9_ANSWERS, gad7=None) -> dict:
    data = {f"phq9_{n}": str(value) for n, value in enumerate(phq9, start=1)}
    if gad7 is not None:
        data |= {f"gad7_{n}": str(value) for n, value in enumerate(gad7, start=1)}
    return data


def nothing_recorded(*appointments) -> bool:
    return not OutcomeScore.objects.filter(appointment__in=appointments).exists()


# --- The token ----------------------------------------------------------------------------------------


def test_the_token_names_the_visit_and_its_start_and_nothing_else(visit):
    token = tokens.questions_token(visit)
    assert tokens.read_questions_token(token) == (visit.pk, visit.start)
    payload = json.loads(base64.urlsafe_b64decode(token.split(":")[0] + "=="))
    assert set(payload) == {"a", "s"}
    assert "Robin" not in token and "Example" not in token
    assert re.fullmatch(r"https?://[^/]+" + re.escape(link(visit)), tokens.questions_url(visit))


def test_a_confirm_token_does_not_open_the_questions_nor_the_other_way_round(client, visit, traveller):
    traveller.move_to(THE_DAY_BEFORE)
    confirm = tokens.confirm_token(visit)
    assert client.get(reverse("infusions:patient_questions", args=[confirm])).status_code == 404
    questions = tokens.questions_token(visit)
    assert client.post(reverse("infusions:reminder_confirm", args=[questions])).status_code == 404


# --- The page -------------------------------------------------------------------------------------------


def test_the_page_asks_the_phq9_and_says_nothing_about_whose_visit_it_is(client, visit, traveller):
    traveller.move_to(THE_DAY_BEFORE)
    response = client.get(link(visit))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-questionnaire="phq9"' in html and 'data-questionnaire="gad7"' not in html
    assert PHQ9.items[8] in html
    for secret in ("Robin", "Example", "December", "2026", "9:00", "Chair", "navbar", "Sign in", "depression"):
        assert secret not in html, secret
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert nothing_recorded(visit)


def test_the_page_asks_the_measures_of_the_newest_screenings_indication(client, visit, traveller):
    traveller.move_to(THE_DAY_BEFORE)  # a newer screening than the one the series was booked on
    intake = IntakeFactory(patient=visit.patient, answers={"indication": "anxiety"}, indication="anxiety")
    ScreeningFactory(intake=intake, outcome="clear")
    html = client.get(link(visit)).content.decode()
    assert 'data-questionnaire="phq9"' in html and 'data-questionnaire="gad7"' in html
    refused = client.post(link(visit), answers())
    assert refused.status_code == 400  # the GAD-7 is asked too
    assert nothing_recorded(visit)
    done = client.post(link(visit), answers(gad7=[1, 1, 1, 1, 0, 0, 0]))
    assert done.status_code == 200
    assert course.link_answers(visit) == {"phq9": PHQ9_ANSWERS, "gad7": [1, 1, 1, 1, 0, 0, 0]}


def test_answers_are_recorded_once_for_the_visit_then_the_link_says_they_were_received(client, visit, traveller):
    traveller.move_to(THE_DAY_BEFORE)
    done = client.post(link(visit), answers())
    assert done.status_code == 200
    assert RECEIVED in done.content.decode()
    assert 'data-testid="crisis-box"' not in done.content.decode()
    row = OutcomeScore.objects.get(appointment=visit)
    assert (row.measure, row.items, row.total, row.source) == ("phq9", PHQ9_ANSWERS, 9, "patient_link")
    assert row.patient_id == visit.patient_id
    for method in (client.get, client.post):
        again = method(link(visit), answers(phq9=[3] * 9))
        assert again.status_code == 410
        assert RECEIVED in again.content.decode()
    assert OutcomeScore.objects.filter(appointment=visit).count() == 1
    assert course.link_answers(visit) == {"phq9": PHQ9_ANSWERS}


def test_a_missing_answer_is_marked_next_to_its_question_and_the_others_are_kept(client, visit, traveller):
    traveller.move_to(THE_DAY_BEFORE)
    data = answers()
    del data["phq9_4"]
    response = client.post(link(visit), data)
    assert response.status_code == 400
    html = response.content.decode()
    item4 = re.search(r'id="div_id_phq9_4".*?(?=id="div_id_phq9_5")', html, re.S).group(0)
    assert "Answer this item" in item4
    assert html.count("Answer this item") == 1
    assert re.search(r'name="phq9_2" value="2"[^>]*checked', html)
    assert nothing_recorded(visit)


def test_a_positive_item_9_raises_the_clinicians_alert_and_shows_988_at_once(client, visit, traveller):
    traveller.move_to(THE_DAY_BEFORE)
    before = urgent_count()
    response = client.post(link(visit), answers(phq9=[2, 2, 2, 2, 1, 2, 1, 1, 1]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="crisis-box"' in html and CRISIS in html
    assert RECEIVED in html
    assert urgent_count() == before + 1
    alert = SafetyAlert.objects.get(patient=visit.patient)
    assert alert.source == SafetyAlert.Source.PATIENT_LINK and alert.is_open


def test_the_form_is_protected_against_cross_site_posts(visit, traveller):
    traveller.move_to(THE_DAY_BEFORE)
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(link(visit), answers()).status_code == 403
    assert nothing_recorded(visit)
    page = browser.get(link(visit))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert browser.post(link(visit), {**answers(), "csrfmiddlewaretoken": token}).status_code == 200


# --- Refusals: nothing recorded ---------------------------------------------------------------------------


def test_a_tampered_link_is_refused(client, visit, traveller):
    traveller.move_to(THE_DAY_BEFORE)
    token = tokens.questions_token(visit)
    for position in (0, len(token) // 2, len(token) - 1):
        changed = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]
        path = reverse("infusions:patient_questions", args=[changed])
        for method in (client.get, client.post):
            response = method(path, answers())
            assert response.status_code == 404, position
            assert REFUSED in response.content.decode()
    assert nothing_recorded(visit)


def test_a_token_for_one_visit_never_records_for_another(client, series, traveller):
    first, second = series.appointments.get(sequence=1), series.appointments.get(sequence=2)
    traveller.move_to(THE_DAY_BEFORE)
    assert client.post(link(first), answers()).status_code == 200
    assert course.link_answers(first) == {"phq9": PHQ9_ANSWERS}
    assert nothing_recorded(second)
    # The second visit's own link is still open: the id inside the token decides.
    assert client.get(link(second)).status_code == 200
    # The second visit's payload under the first visit's signature is refused.
    first_token, second_token = tokens.questions_token(first), tokens.questions_token(second)
    forged = second_token.split(":")[0] + first_token[first_token.index(":") :]
    response = client.post(reverse("infusions:patient_questions", args=[forged]), answers())
    assert response.status_code == 404
    assert nothing_recorded(second)


def test_an_expired_link_is_refused(client, visit):
    # The visit moved three weeks on; its link, made on the booking day, is past 15 days before the visit.
    later = timedelta(days=21)
    Appointment.objects.filter(pk=visit.pk).update(start=visit.start + later, end=visit.end + later)
    visit.refresh_from_db()
    path = link(visit)
    with time_machine.travel(BOOKED + tokens.QUESTIONS_MAX_AGE + timedelta(minutes=1), tick=False):
        response = client.post(path, answers())
    assert response.status_code == 410
    assert "The link has expired." in response.content.decode()
    assert nothing_recorded(visit)


def test_a_link_for_a_visit_that_has_moved_is_refused(client, visit, traveller):
    path = link(visit)
    Appointment.objects.filter(pk=visit.pk).update(
        start=visit.start + timedelta(hours=2), end=visit.end + timedelta(hours=2)
    )
    traveller.move_to(THE_DAY_BEFORE)
    for method in (client.get, client.post):
        response = method(path, answers())
        assert response.status_code == 410
        assert REFUSED in response.content.decode()
    assert nothing_recorded(visit)


def test_a_link_for_a_cancelled_visit_is_refused(client, visit, traveller):
    path = link(visit)
    Appointment.objects.filter(pk=visit.pk).update(status=Appointment.Status.CANCELLED)
    traveller.move_to(THE_DAY_BEFORE)
    response = client.post(path, answers())
    assert response.status_code == 410
    assert REFUSED in response.content.decode()
    assert nothing_recorded(visit)


def test_a_link_for_a_visit_that_has_ended_is_refused(client, visit, traveller):
    path = link(visit)
    traveller.move_to(visit.end)
    response = client.post(path, answers())
    assert response.status_code == 410
    assert REFUSED in response.content.decode()
    assert nothing_recorded(visit)
    traveller.move_to(visit.end - timedelta(minutes=1))  # still open a minute before the end
    assert client.get(path).status_code == 200


# --- The reminder carries the link: the 24-hour one only ----------------------------------------------------


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


def test_the_24_hour_email_carries_the_link_and_the_72_hour_one_does_not(visit, traveller, sms_outbox):
    traveller.move_to(visit.start - timedelta(hours=72))
    dispatch_due()
    assert mail.outbox and all(
        "answer a few questions" not in m.body and "/infusions/q/" not in m.body for m in mail.outbox
    )
    mail.outbox.clear()
    traveller.move_to(visit.start - timedelta(hours=24))
    dispatch_due()
    (message,) = [m for m in mail.outbox if "/infusions/q/" in m.body]
    sent = re.search(
        r"Before your visit, please answer a few questions:\n(http\S+/infusions/q/([^/\s]+)/)\n", message.body
    )
    assert sent and tokens.read_questions_token(sent.group(2)) == (visit.pk, visit.start)
    for word in ("PHQ", "depress", "mood", "score", "ketamine"):
        assert word not in message.body


def test_the_24_hour_sms_carries_the_link_and_the_72_hour_one_does_not(visit):
    organisation = clinic_context().clinic
    url = tokens.questions_url(visit)
    day_before = rendering.render(visit, organisation, offset_hours=24)
    assert f"Before your visit, please answer a few questions: {url}" in day_before.sms
    assert url in day_before.body
    assert url not in day_before.subject
    for offset in (72, None):
        text = rendering.render(visit, organisation, offset_hours=offset)
        assert "/infusions/q/" not in text.sms and "/infusions/q/" not in text.body


def test_the_24_hour_sms_sent_by_dispatch_carries_the_link(visit, traveller, sms_outbox):
    traveller.move_to(visit.start - timedelta(hours=24))
    dispatch_due()
    assert any(tokens.questions_url(visit) in m["body"] for m in sms_outbox)


# --- The check-in confirms what the patient answered ---------------------------------------------------


def test_the_check_in_form_is_prefilled_with_the_links_answers(client, visit, traveller):
    traveller.move_to(THE_DAY_BEFORE)
    # A depression patient: the check-in asks PHQ-9 (GAD-7 only for anxiety), prefilled from the link.
    course.score_from_link(appointment=visit, answers={"phq9": PHQ9_ANSWERS})
    traveller.move_to(at(MONDAY, 9, 0))
    client.force_login(UserFactory(role=NURSE))
    html = client.get(reverse("infusions:record", args=[visit.pk])).content.decode()
    assert 'data-testid="prefilled"' in html
    for measure, items in (("phq9", PHQ9_ANSWERS),):
        for number, value in enumerate(items, start=1):
            checked = re.findall(rf'<input[^>]*name="checkin-{measure}_{number}"[^>]*>', html)
            assert checked, (measure, number)
            chosen = [tag for tag in checked if re.search(r"\bchecked\b", tag)]
            assert len(chosen) == 1 and f'value="{value}"' in chosen[0], (measure, number, chosen)


def test_without_link_answers_the_check_in_asks_afresh(client, visit, traveller):
    traveller.move_to(at(MONDAY, 9, 0))
    client.force_login(UserFactory(role=NURSE))
    html = client.get(reverse("infusions:record", args=[visit.pk])).content.decode()
    assert re.findall(r'<input[^>]*name="checkin-phq9_1"[^>]*>', html)
    assert not re.search(r'<input[^>]*name="checkin-phq9_\d"[^>]*\bchecked\b', html)
