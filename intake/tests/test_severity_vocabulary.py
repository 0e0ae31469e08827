"""Severities and outcomes are listed once (clinic.severity); every other list is derived from it."""

from clinic import severity
from clinic.models import Clinic
from intake.models import Flag, Outcome, Screening, Severity
from intake.screening import RULES, outcome_of
from intake.templatetags.intake_extras import outcome_badge


def test_the_model_choices_are_the_vocabulary():
    assert Outcome.values == list(severity.OUTCOMES)
    assert Severity.values == list(severity.SEVERITIES)
    assert Outcome.CLEAR == "clear" and Severity.URGENT == "urgent"
    assert Outcome.EXCLUDE.label == severity.LABELS[severity.EXCLUDE]
    assert Screening._meta.get_field("outcome").choices == list(severity.OUTCOME_CHOICES)
    assert Flag._meta.get_field("severity").choices == list(severity.SEVERITY_CHOICES)


def test_the_clinic_setting_offers_the_breastfeeding_severities():
    choices = Clinic._meta.get_field("breastfeeding_severity").choices
    assert [code for code, _ in choices] == list(severity.BREASTFEEDING_SEVERITIES)
    assert set(severity.BREASTFEEDING_SEVERITIES) <= set(severity.SEVERITIES)


def test_every_rule_and_outcome_speaks_the_vocabulary():
    assert {rule.severity for rule in RULES} <= set(severity.SEVERITIES)
    assert set(severity.LABELS) == {*severity.SEVERITIES, *severity.OUTCOMES}
    for outcome in severity.OUTCOMES:
        assert outcome_badge(outcome)  # every outcome has a badge


def test_the_most_restrictive_severity_decides_the_outcome():
    assert outcome_of([]) == (severity.CLEAR, False)
    assert outcome_of([severity.NOTE, severity.REVIEW, severity.DEFER]) == (severity.DEFER, False)
    assert outcome_of([severity.EXCLUDE, severity.DEFER]) == (severity.EXCLUDE, False)
    assert outcome_of([severity.URGENT, severity.NOTE]) == (severity.REVIEW, True)
    assert outcome_of([severity.URGENT, severity.EXCLUDE]) == (severity.EXCLUDE, True)
