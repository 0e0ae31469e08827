"""`clinic.feedback.attempt`, the one way pages show a service's outcome: the service runs as the signed-in
user; a refusal about a field is put next to that field of the page's form (the page re-renders it with 400);
any other refusal is a message; success is a message; anything that is not a refusal is not caught."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from clinic.feedback import attempt
from clinic.refusals import Refused
from clinic.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class WeightForm(forms.Form):
    weight_kg = forms.DecimalField()
    note = forms.CharField(required=False)


@pytest.fixture
def request_():
    request = RequestFactory().post("/", {"weight_kg": "71.5", "note": "typed"})
    request.user = UserFactory()
    request._messages = CookieStorage(request)
    return request


def shown(request) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(request)]


def bound_form(request) -> WeightForm:
    form = WeightForm(request.POST)
    assert form.is_valid()
    return form


def test_the_service_runs_as_the_signed_in_user_and_its_success_is_shown(request_):
    calls = []

    def service(*, weight, by):
        calls.append((weight, by))
        return 3

    done = attempt(request_, service, weight=70, success=lambda n: f"{n} visits booked.")
    assert done and done.result == 3 and done.refused is None
    assert calls == [(70, request_.user)]
    assert shown(request_) == [("success", "3 visits booked.")]


def test_a_refusal_about_a_field_is_put_next_to_it_on_the_form_and_nothing_else_is_said(request_):
    def service(*, by):
        raise Refused(fields={"weight_kg": "Weight differs from the last visit by more than 10 kg."})

    form = bound_form(request_)
    done = attempt(request_, service, form=form, success="Checked in.")
    assert not done and done.bound
    assert form.errors == {"weight_kg": ["Weight differs from the last visit by more than 10 kg."]}
    assert form["weight_kg"].value() == "71.5" and form["note"].value() == "typed"  # nothing typed is lost
    assert shown(request_) == []


def test_a_message_for_a_field_the_form_lacks_is_the_form_s_own_error(request_):
    def service(*, by):
        raise Refused(fields={"phq9": ["Answer every PHQ-9 item."], "weight_kg": ["Too heavy.", "Check the scale."]})

    form = bound_form(request_)
    assert attempt(request_, service, form=form, success="Checked in.").bound
    assert form.non_field_errors() == ["Answer every PHQ-9 item."]
    assert form.errors["weight_kg"] == ["Too heavy.", "Check the scale."]


def test_a_refusal_about_no_field_is_shown_as_a_message_even_with_a_form(request_):
    def service(*, by):
        raise Refused("The record is signed; write an amendment to correct it.")

    form = bound_form(request_)
    done = attempt(request_, service, form=form, success="Checked in.")
    assert not done and not done.bound
    assert done.refused.message == "The record is signed; write an amendment to correct it."
    assert not form.errors
    assert shown(request_) == [("error", "The record is signed; write an amendment to correct it.")]


def test_without_a_form_a_field_refusal_is_a_message_in_the_field_s_words(request_):
    def service(*, by):
        raise Refused(fields={"follow_up": "Write the follow-up: what was done today about the answer."})

    done = attempt(request_, service, success="Resolved.")
    assert not done and not done.bound
    assert shown(request_) == [("error", "Write the follow-up: what was done today about the answer.")]


def test_anything_that_is_not_a_refusal_is_not_caught(request_):
    def service(*, by):
        raise KeyError("a programming error")

    with pytest.raises(KeyError):
        attempt(request_, service, form=bound_form(request_), success="Done.")
    assert shown(request_) == []
