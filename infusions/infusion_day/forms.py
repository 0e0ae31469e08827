"""The infusion day's forms: they parse and show each error next to its field; `infusion_day.services` decides."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils.html import format_html

from infusions.infusion_day import chairside, dosing
from infusions.infusion_day.services import AdverseEventValues, CheckInValues, ReadingValues
from intake.phones import PhoneInvalid, to_e164
from intake.questionnaire_forms import QuestionnaireFields
from intake.questionnaires import PHQ9, QUESTIONNAIRES
from intake.screening import UNSAFE_TEXT, WEIGHT_KG_MAX, WEIGHT_KG_MIN, has_unsafe_characters


def refuse_control_characters(value: str) -> None:
    """Text with control characters or lone surrogates is refused next to its field (newlines allowed)."""
    if value and has_unsafe_characters(value, multiline=True):
        raise forms.ValidationError(UNSAFE_TEXT)


def _pairs(values):
    return [tuple(v) if isinstance(v, tuple | list) else (v, str(v).replace("_", " ").capitalize()) for v in values]


def _text(**kwargs):
    return forms.CharField(validators=[refuse_control_characters], **kwargs)


class PhoneField(forms.CharField):
    """A phone number for texts: cleaned to E.164 ("+12065550143", `intake.phones`), or refused next to the
    field; blank stays "". The page shows back what was typed when refused."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        refuse_control_characters(value)
        try:
            return to_e164(value)
        except PhoneInvalid as exc:
            raise forms.ValidationError(exc.message, code="invalid_phone") from None


class WeightField(forms.DecimalField):
    """Today's weight in kg: "82.5" or, as many scales and hands write it, "82,5". A text box (a number box
    drops a decimal comma in most browsers), with the decimal keypad on a tablet."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str) and value.count(",") == 1 and "." not in value:
            value = value.replace(",", ".")
        return super().to_python(value)


def _escort_phone():
    return PhoneField(label="…and phone", max_length=40, required=False)


class CheckInForm(forms.Form):
    """Today's values and the pre-infusion questionnaires: PHQ-9 always (item 9 is the safety question)."""

    weight_kg = WeightField(
        label="Weight today (kg)",
        min_value=Decimal(WEIGHT_KG_MIN),
        max_value=Decimal(WEIGHT_KG_MAX),
        max_digits=4,
        decimal_places=1,
    )
    # Shown below the weight once it is unusual (the intake's plausible range); the service refuses without it.
    weight_confirmed = forms.BooleanField(label="I have checked this weight", required=False)
    systolic = forms.IntegerField(label="Resting BP systolic (mmHg)", min_value=60, max_value=280)
    diastolic = forms.IntegerField(label="Resting BP diastolic (mmHg)", min_value=30, max_value=180)
    heart_rate = forms.IntegerField(label="Heart rate (/min)", min_value=25, max_value=220)
    spo2 = forms.IntegerField(label="SpO2 (%)", min_value=50, max_value=100)
    fasting_kept = forms.BooleanField(
        label="Fasting kept (no solid food 6 h, clear liquids until 2 h before)", required=False
    )
    escort_name = _text(label="Responsible adult taking the patient home: name", max_length=120, required=False)
    escort_phone = _escort_phone()
    escort_sms_consent = forms.BooleanField(
        label="The patient agrees that this person gets a 'ready for pickup' text", required=False
    )
    intoxicated = forms.BooleanField(label="Appears acutely intoxicated (alcohol or drugs)", required=False)
    pregnancy_possible = forms.BooleanField(
        label="Pregnancy possible or confirmed since the last visit", required=False
    )
    medication_changes = _text(
        label="Medication changes since the last visit", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, measures=("phq9", "gad7"), **kwargs):
        """`measures`: PHQ-9 (always, required: item 9 is the safety question), then the measure that fits the
        patient's indication (`intake.questionnaires.measures_for`), which may be marked not administered."""
        super().__init__(*args, **kwargs)
        self.phq9 = QuestionnaireFields(PHQ9)
        self.others = [QuestionnaireFields(QUESTIONNAIRES[m], may_skip=True) for m in measures if m != "phq9"]
        self.fields.update(self.phq9.fields())
        for other in self.others:
            self.fields.update(other.fields())
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Today's values",
                Field("weight_kg"),
                *(self._confirm_layout() if self._asks_confirmation() else []),
                Field("systolic"),
                Field("diastolic"),
                Field("heart_rate"),
                Field("spo2"),
            ),
            Fieldset(
                "Safety",
                "fasting_kept",
                "escort_name",
                "escort_phone",
                "escort_sms_consent",
                "intoxicated",
                "pregnancy_possible",
                "medication_changes",
            ),
            self.phq9.layout(),
            *(other.layout() for other in self.others),
            Submit("check_in", "Check in"),
        )

    def _asks_confirmation(self) -> bool:
        """Bound with an unusual weight, or with the box ticked already."""
        if not self.is_bound:
            return False
        if self.data.get(self.add_prefix("weight_confirmed")):
            return True
        try:
            weight = dosing.weight_kg(self.data.get(self.add_prefix("weight_kg"), ""))
        except ValueError:
            return False
        return bool(dosing.weight_problem(weight)) and not dosing.weight_problem(weight, confirmed=True)

    def _confirm_layout(self):
        return [
            Div(
                HTML(
                    '<p class="mb-1" data-testid="weight-unusual">This weight is unusual: weigh again or check it '
                    "with the patient; if it is right, confirm and check in again.</p>"
                ),
                "weight_confirmed",
                css_class="alert alert-warning",
            )
        ]

    def clean(self):
        data = super().clean()
        weight = data.get("weight_kg")
        if weight is not None:
            problem = dosing.weight_problem(weight, confirmed=data.get("weight_confirmed", False))
            if problem:
                self.add_error("weight_kg", problem)
        self.answers = {"phq9": self.phq9.clean(self)}
        for other in self.others:
            items = other.clean(self)
            if items is not None:
                self.answers[other.questionnaire.code] = items
        if data.get("escort_sms_consent") and not data.get("escort_phone"):
            self.add_error("escort_phone", "Give the phone number the text goes to.")
        return data

    def values(self) -> CheckInValues:
        data = self.cleaned_data
        return CheckInValues(
            weight_kg=data["weight_kg"],
            systolic=data["systolic"],
            diastolic=data["diastolic"],
            heart_rate=data["heart_rate"],
            spo2=data["spo2"],
            fasting_kept=data["fasting_kept"],
            escort_name=data["escort_name"],
            escort_phone=data["escort_phone"],
            escort_sms_consent=data["escort_sms_consent"],
            intoxicated=data["intoxicated"],
            pregnancy_possible=data["pregnancy_possible"],
            medication_changes=data["medication_changes"],
            questionnaires=self.answers,
            weight_confirmed=data["weight_confirmed"],
        )


class GateForm(forms.Form):
    gate = forms.ChoiceField(choices=[("BP_NEEDS_DECISION", "BP decision"), ("ITEM9_FOLLOW_UP", "Item 9 follow-up")])
    note = _text(label="Decision", widget=forms.Textarea(attrs={"rows": 2}))


class RecheckForm(forms.Form):
    fasting_kept = forms.BooleanField(label="Fasting kept (re-checked)", required=False)
    escort_name = _text(label="Responsible adult taking the patient home: name", max_length=120, required=False)
    escort_phone = _escort_phone()


class DeferForm(forms.Form):
    reason = _text(label="Why the visit cannot go ahead today", max_length=250)


class DoseOrderForm(forms.Form):
    mg_per_kg = forms.DecimalField(label="Dose (mg/kg)", min_value=Decimal("0.05"), max_digits=4, decimal_places=2)
    vial_mg_per_ml = forms.TypedChoiceField(
        label="Vial", coerce=int, choices=[(s, f"{s} mg/mL") for s in dosing.VIAL_STRENGTHS_MG_PER_ML]
    )
    bag_ml = forms.IntegerField(label="Bag (mL saline)", min_value=50, max_value=1000, initial=100)


def _optional_int(label, lo, hi):
    return forms.IntegerField(label=label, min_value=lo, max_value=hi, required=False)


class ReadingForm(forms.Form):
    systolic = _optional_int("Systolic", 40, 300)
    diastolic = _optional_int("Diastolic", 20, 200)
    heart_rate = _optional_int("Heart rate", 20, 250)
    spo2 = _optional_int("SpO2 (%)", 50, 100)
    moaas = forms.TypedChoiceField(
        label="MOAA/S",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *((score, f"{score}: {wording}") for score, wording in chairside.MOAAS)],
    )
    dissociation = forms.ChoiceField(
        label="Dissociation", required=False, choices=[("", "—"), *_pairs(chairside.DISSOCIATION)]
    )
    action_note = _text(label="Action taken (needed for a value out of range)", required=False, max_length=500)

    def values(self) -> ReadingValues:
        return ReadingValues(**{name: self.cleaned_data[name] for name in self.fields})


class AdverseEventForm(forms.Form):
    kind = forms.ChoiceField(label="Event", choices=_pairs(chairside.ADVERSE_EVENTS))
    description = _text(label="Description (for 'other')", required=False, max_length=250)
    severity = forms.ChoiceField(choices=_pairs(chairside.AE_SEVERITY))
    action = forms.ChoiceField(choices=_pairs(chairside.AE_ACTIONS))
    medication = _text(label="Medication given", required=False, max_length=120)
    medication_dose = _text(label="Its dose", required=False, max_length=60)
    route = forms.ChoiceField(required=False, choices=[("", "—"), *_pairs(chairside.ROUTES)])
    outcome = forms.ChoiceField(choices=_pairs(chairside.AE_OUTCOMES))

    def values(self) -> AdverseEventValues:
        return AdverseEventValues(**{name: self.cleaned_data[name] for name in self.fields})


class EndInfusionForm(forms.Form):
    dose_given_mg = forms.DecimalField(label="Dose given (mg)", min_value=Decimal("0"), decimal_places=1)
    end_note = _text(
        label="Note: needed when less than ordered was given, or more than the time at the ordered rate gives",
        required=False,
        max_length=250,
    )


class DischargeForm(forms.Form):
    """The discharge checklist; "written instructions given" links to the printable after-care instructions
    (`aftercare_url`), the page handed to the patient."""

    checklist = forms.MultipleChoiceField(
        label="Discharge checklist",
        choices=_pairs(chairside.DISCHARGE_CHECKLIST),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, aftercare_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if aftercare_url:
            self.fields["checklist"].choices = [
                (
                    code,
                    format_html(
                        '{} (<a href="{}" target="_blank" rel="noopener" data-testid="aftercare-link">'
                        "the printable after-care instructions</a>)",
                        label,
                        aftercare_url,
                    )
                    if code == "INSTRUCTIONS_GIVEN"
                    else label,
                )
                for code, label in _pairs(chairside.DISCHARGE_CHECKLIST)
            ]


class DischargeDecisionForm(forms.Form):
    note = _text(
        label="The prescriber's discharge decision: what was weighed and decided",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class AmendmentForm(forms.Form):
    text = _text(label="Correction", widget=forms.Textarea(attrs={"rows": 2}))
    reason = _text(label="Reason", max_length=250)
