"""The patient search finds a patient however a name, a date of birth or a phone number is typed:
"Okonkwo, Maya", "Maya Okonkwo", 09/02/1991 (MM/DD/YYYY: 2 September 1991), 1991-09-02, (206) 555-0143."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.tests.factories import front_desk
from intake.forms import PatientSearchForm
from intake.models import Patient, search_date
from intake.services import intake_create
from intake.tests.helpers import answers

pytestmark = pytest.mark.django_db

MAYA = {"first_name": "Maya", "last_name": "Okonkwo", "date_of_birth": "1991-09-02", "phone": "(206) 555-0143"}

FINDS_MAYA = [
    "Okonkwo, Maya",
    "Maya Okonkwo",
    "okonkwo",
    "OKONKWO,MAYA",
    "  Okonkwo ,  Maya ",
    "206 555 0143",
    "2065550143",
    "+12065550143",
    "(206) 555-0143",
    "09/02/1991",
    "9/2/1991",
    "1991-09-02",
]
FINDS_NOBODY = [
    "13/45/1991",  # not a date: searched as text
    "02/30/1991",
    "1991-13-01",
    "02/09/1991",  # 9 February: the US order
    "09/02/91",  # a two-digit year is ambiguous: searched as text
    "Okonkwo, Robin",
    "555-0143",  # no area code: searched as text
    "206 555 0144",
]


@pytest.fixture
def maya(coordinator):
    intake_create(answers=answers(), by=coordinator)  # Robin Okafor, born 1985-03-14: never found below
    screening = intake_create(answers=answers(patient=MAYA), by=coordinator)
    return Patient.objects.get(pk=screening.patient_id)


@pytest.mark.parametrize("q", FINDS_MAYA)
def test_it_finds_the_patient_in_one_query(maya, q):
    with CaptureQueriesContext(connection) as captured:
        found = list(Patient.objects.search(q))
    assert found == [maya]
    assert len(captured) == 1


@pytest.mark.parametrize("q", FINDS_NOBODY)
def test_what_does_not_name_her_finds_nobody_and_never_errors(maya, q):
    assert list(Patient.objects.search(q)) == []


def test_search_dates_read_us_order_and_iso():
    assert search_date("09/02/1991") == search_date("1991-09-02") == search_date("9/2/1991")
    assert search_date("09/02/1991").month == 9
    assert search_date("13/45/1991") is None
    assert search_date("Okonkwo") is None


@pytest.mark.parametrize("q", ["Okonkwo, Maya", "09/02/1991", "206 555 0143"])
def test_the_coordinators_search_page_finds_her(client, coordinator, maya, q):
    client.force_login(coordinator)
    response = client.get(reverse("intake:home"), {"q": q})
    assert response.status_code == 200
    assert "Okonkwo, Maya" in response.content.decode()


@pytest.mark.parametrize("q", ["Maya Okonkwo", "1991-09-02", "2065550143"])
def test_the_front_desks_booking_search_finds_her(client, maya, q):
    client.force_login(front_desk())
    response = client.get(reverse("infusions:book"), {"q": q})
    assert response.status_code == 200
    assert "Okonkwo, Maya" in response.content.decode()


@pytest.mark.parametrize("q", ["13/45/1991", "1991-02-30"])
def test_an_impossible_date_is_a_page_without_results(client, coordinator, maya, q):
    client.force_login(coordinator)
    response = client.get(reverse("intake:home"), {"q": q})
    assert response.status_code == 200
    assert "Okonkwo" not in response.content.decode()


def test_the_search_form_says_the_formats_it_accepts():
    form = PatientSearchForm()
    help_text = str(form["q"].help_text)
    assert "MM/DD/YYYY or YYYY-MM-DD" in help_text
    assert "Okonkwo, Maya" in help_text and "phone" in help_text
    assert 'aria-describedby="id_q_helptext"' in str(form["q"])


def test_the_search_form_cleans_what_is_typed():
    assert PatientSearchForm({"q": " Okonkwo,\x00 Maya "}).query() == "Okonkwo, Maya"
    assert len(PatientSearchForm({"q": "x" * 500}).query()) == 100
    assert PatientSearchForm({}).query() == ""
