"""The resting BP limits are written once: the organisation's settings, the chair-side defaults and the
screening's flags all take them from clinic.blood_pressure."""

from clinic.blood_pressure import PRESCRIBER_DECIDES, STABILISE_FIRST
from clinic.models import Clinic
from infusions.infusion_day.chairside import Thresholds
from intake.screening import RULES


def test_it_gives_the_organisation_settings_the_sources_limits():
    fields = {field.name: field.default for field in Clinic._meta.get_fields() if hasattr(field, "default")}
    assert (fields["bp_no_start_systolic"], fields["bp_no_start_diastolic"]) == (180, 100)
    assert (fields["bp_decision_systolic"], fields["bp_decision_diastolic"]) == (140, 90)
    assert (STABILISE_FIRST.systolic, STABILISE_FIRST.diastolic) == (180, 100)
    assert (PRESCRIBER_DECIDES.systolic, PRESCRIBER_DECIDES.diastolic) == (140, 90)


def test_it_gives_the_chairside_defaults_the_same_limits():
    defaults = Thresholds()
    assert (defaults.no_start_systolic, defaults.no_start_diastolic) == (
        STABILISE_FIRST.systolic,
        STABILISE_FIRST.diastolic,
    )
    assert (defaults.decision_systolic, defaults.decision_diastolic) == (
        PRESCRIBER_DECIDES.systolic,
        PRESCRIBER_DECIDES.diastolic,
    )


def test_it_names_the_limits_in_the_screening_reasons():
    reasons = {rule.code: rule.reason for rule in RULES}
    assert "above 180/100" in reasons["HYPERTENSION_UNCONTROLLED"]
    assert "above 140/90" in reasons["BP_ELEVATED"]


def test_a_limit_is_exceeded_only_strictly_above():
    assert not STABILISE_FIRST.exceeded_by(180, 100)
    assert STABILISE_FIRST.exceeded_by(181, 60)
    assert STABILISE_FIRST.exceeded_by(120, 101)
