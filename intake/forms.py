"""The intake questionnaire and the clinician's decision form.

The questionnaire builds the intake answers document (the JSON `screen_intake` reads) and checks
it with the SAME `screening.validate_answers` the command uses; each error is put next to its
field. PHQ-9 and GAD-7 are asked through the shared questionnaire component
(`intake.questionnaire_forms`).
"""

import re
import secrets

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms

from intake import screening as rules
from intake.models import SEARCH_DATE_HELP, SEARCH_MAX_LENGTH, Decision, search_text
from intake.questionnaire_forms import QuestionnaireFields
from intake.questionnaires import GAD7, PHQ9
from intake.vocabulary import BOOL_FIELDS, ENUM_FIELDS
from intake.wording import FIELD_HELP, MEDICATIONS_HELP

MEDICATION_LINES = 8
YES_NO = (("yes", "Yes"), ("no", "No"))
# The questionnaires an intake asks, in order; each may be marked "not administered".
INTAKE_QUESTIONNAIRES = tuple(QuestionnaireFields(q, may_skip=True) for q in (PHQ9, GAD7))


def _enum(name: str, label: str, widget=forms.RadioSelect) -> forms.ChoiceField:
    choices = ENUM_FIELDS[name]
    if widget is forms.Select:
        choices = (("", "Choose…"), *choices)  # no silent default: the coordinator picks one
    return forms.ChoiceField(label=label, choices=choices, widget=widget, help_text=FIELD_HELP.get(name, ""))


def _yes_no(name: str, label: str) -> forms.ChoiceField:
    # An explicit yes/no, not a checkbox: an unticked box cannot tell "no" from "not asked".
    return forms.ChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect, help_text=FIELD_HELP.get(name, ""))


_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def new_submission_token() -> str:
    """A fresh one-time token for a new-intake form (see `Intake.submission_token`)."""
    return secrets.token_urlsafe(32)


class IntakeForm(forms.Form):
    # Identity and contact
    first_name = forms.CharField(max_length=rules.NAME_MAX_LENGTH)
    last_name = forms.CharField(max_length=rules.NAME_MAX_LENGTH)
    date_of_birth = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    weight_kg = forms.DecimalField(
        label="Weight (kg)", max_digits=4, decimal_places=1, help_text="Used for the dose (mg/kg); 30 to 300 kg."
    )
    phone = forms.CharField(
        required=False,
        max_length=rules.PHONE_MAX_LENGTH,
        help_text="With its area code, e.g. (206) 555-0143; a number abroad with its country code: +44 20 7946 0958.",
    )
    email = forms.CharField(label="E-mail", required=False, max_length=rules.EMAIL_MAX_LENGTH)
    consent_email = forms.BooleanField(label="Consents to e-mail reminders", required=False)
    consent_sms = forms.BooleanField(label="Consents to SMS reminders", required=False)
    # Shown (above Save) once a value is allowed but implausible; the service refuses without it.
    confirm_implausible = forms.BooleanField(label="I have checked these values", required=False)

    # Indication and treatment history
    indication = _enum("indication", "Indication", widget=forms.Select)
    failed_antidepressant_trials = forms.IntegerField(
        label="Failed antidepressant trials",
        min_value=0,
        help_text="Antidepressants tried at an adequate dose and duration that did not help (0 if none).",
    )

    # Psychiatric
    psychosis_history = _enum("psychosis_history", "History of psychosis")
    mania_history = _enum("mania_history", "History of mania")

    # Neurological and cardiovascular
    seizure_history = _enum("seizure_history", "Seizures")
    cerebrovascular_history = _yes_no(
        "cerebrovascular_history", "Stroke, brain bleed, aneurysm or intracranial hypertension"
    )
    hypertension = _enum("hypertension", "High blood pressure (hypertension)")
    bp_systolic = forms.IntegerField(
        label="Resting blood pressure: systolic (mmHg)",
        required=False,
        help_text="Leave both readings blank if no resting reading was taken at this intake.",
    )
    bp_diastolic = forms.IntegerField(label="Resting blood pressure: diastolic (mmHg)", required=False)
    cardiac = _enum("cardiac", "Heart disease")

    # Other medical
    liver = _enum("liver", "Liver disease")
    kidney = _enum("kidney", "Kidney disease")
    hyperthyroidism = _enum("hyperthyroidism", "Hyperthyroidism")
    unstable_medical_condition = _yes_no("unstable_medical_condition", "Unstable medical condition")
    bladder_condition = _yes_no("bladder_condition", "Bladder condition")
    ketamine_allergy = _yes_no("ketamine_allergy", "Allergy to ketamine")

    # Substances, pregnancy, breastfeeding
    substance_use = _enum("substance_use", "Substance use")
    pregnancy = _enum("pregnancy", "Pregnancy")
    breastfeeding = _yes_no("breastfeeding", "Breastfeeding")
    breastfeeding.help_text = "Sources disagree; the clinic's setting decides how breastfeeding is screened."

    def __init__(
        self,
        *args,
        today,
        medication_lines: int = MEDICATION_LINES,
        submit_label="Save and screen",
        with_token: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.today = today
        self.with_token = with_token
        if with_token:
            self.fields["submission_token"] = forms.CharField(widget=forms.HiddenInput, required=False)
            if not self.is_bound:
                self.initial.setdefault("submission_token", new_submission_token())
        self.medication_lines = max(MEDICATION_LINES, medication_lines)
        for number in range(1, self.medication_lines + 1):
            self.fields[f"medication_{number}"] = forms.CharField(
                label=f"Medication {number}", required=False, max_length=rules.MEDICATION_MAX_LENGTH
            )
        for questionnaire in INTAKE_QUESTIONNAIRES:
            self.fields.update(questionnaire.fields())
        self.answers: dict | None = None
        self.submit_label = submit_label
        self.implausible: dict[str, str] = {}  # field name -> warning, once cleaned
        self.helper = self._helper(submit_label)

    # --- layout -------------------------------------------------------------------------

    def _helper(self, submit_label: str) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        medication_fields = [f"medication_{n}" for n in range(1, self.medication_lines + 1)]
        helper.layout = Layout(
            Fieldset(
                "Identity and contact",
                Div(Div("first_name", css_class="col-md-4"), Div("last_name", css_class="col-md-4"), css_class="row"),
                Div(
                    Div("date_of_birth", css_class="col-md-4"),
                    Div("weight_kg", css_class="col-md-4"),
                    css_class="row",
                ),
                Div(Div("phone", css_class="col-md-4"), Div("email", css_class="col-md-4"), css_class="row"),
                "consent_email",
                "consent_sms",
            ),
            Fieldset("Indication and treatment history", "indication", "failed_antidepressant_trials"),
            Fieldset("Psychiatric", "psychosis_history", "mania_history"),
            Fieldset(
                "Neurological and cardiovascular",
                "seizure_history",
                InlineRadios("cerebrovascular_history"),
                "hypertension",
                Div(
                    Div("bp_systolic", css_class="col-md-4"),
                    Div("bp_diastolic", css_class="col-md-4"),
                    css_class="row",
                ),
                "cardiac",
            ),
            Fieldset(
                "Other medical",
                InlineRadios("liver"),
                InlineRadios("kidney"),
                InlineRadios("hyperthyroidism"),
                InlineRadios("unstable_medical_condition"),
                InlineRadios("bladder_condition"),
                InlineRadios("ketamine_allergy"),
            ),
            Fieldset(
                "Substances, pregnancy and breastfeeding",
                "substance_use",
                InlineRadios("pregnancy"),
                InlineRadios("breastfeeding"),
            ),
            Fieldset(
                "Medications",
                HTML(f'<p class="form-text">{MEDICATIONS_HELP} Blank lines are ignored.</p>'),
                Div(*[Div(name, css_class="col-md-6") for name in medication_fields], css_class="row"),
            ),
            *(questionnaire.layout() for questionnaire in INTAKE_QUESTIONNAIRES),
            *(["submission_token"] if self.with_token else []),
            *(self._confirm_layout() if self._asks_confirmation() else []),
            Submit("save", submit_label),
        )
        return helper

    def _asks_confirmation(self) -> bool:
        return bool(getattr(self, "implausible", None)) or bool(self.is_bound and self.data.get("confirm_implausible"))

    def _confirm_layout(self):
        return [
            Div(
                HTML(
                    '<p class="mb-1" data-testid="implausible">Some values are unusual (marked above). '
                    "Check them with the patient; if they are right, confirm and save again.</p>"
                ),
                "confirm_implausible",
                css_class="alert alert-warning",
            )
        ]

    # --- from stored answers (editing) -------------------------------------------------

    @staticmethod
    def initial_from(answers: dict, *, consent_email: bool, consent_sms: bool) -> dict:
        patient = answers["patient"]
        initial = {
            "first_name": patient["first_name"],
            "last_name": patient["last_name"],
            "date_of_birth": patient["date_of_birth"],
            "weight_kg": patient["weight_kg"],
            "phone": patient.get("phone", ""),
            "email": patient.get("email", ""),
            "consent_email": consent_email,
            "consent_sms": consent_sms,
            "failed_antidepressant_trials": answers["failed_antidepressant_trials"],
        }
        for name in ENUM_FIELDS:
            initial[name] = answers[name]
        for name in BOOL_FIELDS:
            initial[name] = "yes" if answers[name] else "no"
        bp = answers["blood_pressure"]
        if bp:
            initial["bp_systolic"], initial["bp_diastolic"] = bp["systolic"], bp["diastolic"]
        for number, entry in enumerate(answers["medications"], start=1):
            initial[f"medication_{number}"] = entry
        for questionnaire in INTAKE_QUESTIONNAIRES:
            initial.update(questionnaire.initial(answers[questionnaire.questionnaire.code]))
        return initial

    # --- to the answers document ------------------------------------------------------

    def clean(self):
        data = self.cleaned_data
        if self.with_token and not _TOKEN_RE.fullmatch(data.get("submission_token") or ""):
            # Not a token this server issued (an old page, a hand-made POST): nothing is saved; the
            # form comes back with everything typed and a fresh token, ready to save again.
            self.add_error(None, "This form had expired. Nothing was saved: check the answers and save again.")
            self.renew_token()
        answers, field_of = self._answers(data)
        if data.get("consent_email") and not (data.get("email") or "").strip():
            self.add_error("consent_email", "Consent to e-mail reminders needs an e-mail address.")
        if data.get("consent_sms") and not (data.get("phone") or "").strip():
            self.add_error("consent_sms", "Consent to SMS reminders needs a phone number.")
        systolic, diastolic = data.get("bp_systolic"), data.get("bp_diastolic")
        if (systolic is None) != (diastolic is None) and not self.has_error("bp_systolic"):
            missing = "bp_diastolic" if diastolic is None else "bp_systolic"
            if not self.has_error(missing):
                self.add_error(missing, "Enter both readings, or leave both blank if none was taken.")
        try:
            validated = rules.validate_answers(answers, today=self.today)
        except rules.AnswersInvalid as exc:
            self.add_answer_errors(exc.errors, field_of)
        else:
            self._check_plausible(validated, field_of)
        if not self.errors:
            self.answers = answers
        return data

    def add_answer_errors(self, errors: dict, field_of=None) -> None:
        """Each of `AnswersInvalid.errors` next to its field (or above the form)."""
        field_of = field_of or self._answers(self.cleaned_data)[1]
        for path, message in errors.items():
            field = field_of(path)
            if field is None:
                self.add_error(None, message)
            elif not self.has_error(field):
                self.add_error(field, message)

    def _check_plausible(self, validated: rules.Answers, field_of) -> None:
        found = rules.implausible_values(validated, today=self.today)
        self.implausible = {field_of(path) or "__all__": message for path, message in found.items()}
        if found:
            self.helper = self._helper(self.submit_label)  # now with the confirmation box
        if found and not self.cleaned_data.get("confirm_implausible"):
            for field, message in self.implausible.items():
                self.add_error(None if field == "__all__" else field, message)
            self.add_error("confirm_implausible", "Check the values marked above, then tick this box to save them.")

    def _answers(self, data: dict):
        """The answers document from the fields that parsed, and a map from its paths to fields.

        Fields that failed their own checks are left out, so validation reports them as missing
        and the error already shown is kept.
        """
        patient: dict = {}
        for name in ("first_name", "last_name"):
            if name in data:
                patient[name] = data[name]
        if data.get("date_of_birth"):
            patient["date_of_birth"] = data["date_of_birth"].isoformat()
        if data.get("weight_kg") is not None:
            patient["weight_kg"] = float(data["weight_kg"])
        for name in ("phone", "email"):
            if (data.get(name) or "").strip():
                patient[name] = data[name].strip()
        answers: dict = {"patient": patient}
        for name in ENUM_FIELDS:
            if data.get(name):
                answers[name] = data[name]
        for name in BOOL_FIELDS:
            if data.get(name) in ("yes", "no"):
                answers[name] = data[name] == "yes"
        if data.get("failed_antidepressant_trials") is not None:
            answers["failed_antidepressant_trials"] = data["failed_antidepressant_trials"]
        systolic, diastolic = data.get("bp_systolic"), data.get("bp_diastolic")
        if systolic is None and diastolic is None:
            answers["blood_pressure"] = None
        elif systolic is not None and diastolic is not None:
            answers["blood_pressure"] = {"systolic": systolic, "diastolic": diastolic}
        else:
            answers["blood_pressure"] = None  # the half-filled reading is reported in clean()
        medication_lines = []  # entry number (1-based) -> form line number
        medications = []
        for number in range(1, self.medication_lines + 1):
            entry = (data.get(f"medication_{number}") or "").strip()
            if entry:
                medications.append(entry)
                medication_lines.append(number)
        answers["medications"] = medications
        questionnaires = {q.questionnaire.code: q for q in INTAKE_QUESTIONNAIRES}
        for code, questionnaire in questionnaires.items():
            answers[code] = questionnaire.clean(self)  # None when not administered or incomplete (reported)

        def field_of(path: str) -> str | None:
            head, _, tail = path.partition(".")
            if head == "patient":
                return tail if tail in self.fields else None
            if head == "blood_pressure":
                return "bp_diastolic" if tail == "diastolic" else "bp_systolic"
            if head == "medications":
                if tail.isdigit() and int(tail) <= len(medication_lines):
                    return f"medication_{medication_lines[int(tail) - 1]}"
                return "medication_1"
            if head in questionnaires:
                return questionnaires[head].field_for(tail)
            return head if head in self.fields else None

        return answers, field_of

    def renew_token(self) -> None:
        """Give the re-rendered form a fresh token (the one it carried must not be used again)."""
        self.data = self.data.copy()
        self.data["submission_token"] = new_submission_token()

    @property
    def submission_token(self) -> str | None:
        return self.cleaned_data.get("submission_token") if self.with_token else None

    @property
    def confirmed_implausible(self) -> bool:
        return bool(self.cleaned_data.get("confirm_implausible"))

    @property
    def consents(self) -> dict:
        return {
            "consent_email": bool(self.cleaned_data.get("consent_email")),
            "consent_sms": bool(self.cleaned_data.get("consent_sms")),
        }


SEARCH_LABEL = "Name or date of birth, or phone"
SEARCH_HELP = (
    f"A name (Okonkwo, Maya or Maya Okonkwo), a date of birth as {SEARCH_DATE_HELP} "
    "(09/02/1991 is 2 September 1991), or a phone number with its area code."
)


class _SearchField(forms.CharField):
    def to_python(self, value):
        # Cut and cleaned like every search (`search_text`) before the field's checks: never refused, a
        # NUL or a long paste still searches.
        return search_text(super().to_python(value))


class PatientSearchForm(forms.Form):
    """The patient search box, saying what it accepts (`Patient.objects.search`): the coordinators' and
    the front desk's booking search."""

    q = _SearchField(
        label=SEARCH_LABEL,
        help_text=SEARCH_HELP,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control", "maxlength": SEARCH_MAX_LENGTH}),
    )

    def query(self) -> str:
        """The cleaned search text ("" when there is none)."""
        return self.cleaned_data["q"] if self.is_valid() else ""


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    rescreen_on = forms.DateField(
        label="Re-screen on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Needed for a deferral: the date from which the patient may be screened again.",
    )
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required when approving a case the screening excludes.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Rendered by templates/intake/_decision_form.html with Bootstrap's classes, not crispy.
        self.fields["decision"].widget.attrs["class"] = "form-check-input"
        for name in ("rescreen_on", "justification"):
            self.fields[name].widget.attrs["class"] = "form-control"


def answer_rows(answers: dict) -> list[tuple[str, str]]:
    """Stored answers as (question, answer) rows in the questionnaire's words and order (the case page)."""
    fields = IntakeForm.base_fields
    questionnaires = {q.questionnaire.code: q for q in INTAKE_QUESTIONNAIRES}
    rows = []
    for name in rules.ANSWER_KEYS:
        if name == "patient":
            continue  # identity and contact are shown apart from the clinical answers
        if name == "blood_pressure":
            bp = answers.get(name)
            rows.append(("Resting blood pressure", f"{bp['systolic']}/{bp['diastolic']} mmHg" if bp else "not taken"))
        elif name == "medications":
            rows.append(("Medications", "; ".join(answers.get(name) or []) or "none"))
        elif name in questionnaires:
            rows.extend(questionnaires[name].answer_rows(answers.get(name)))
        else:
            rows.append(_row(fields, name, answers))
    return rows


def _row(fields: dict, name: str, answers: dict) -> tuple[str, str]:
    field = fields[name]
    value = answers.get(name)
    if isinstance(value, bool):
        return str(field.label), "Yes" if value else "No"
    choices = dict(getattr(field, "choices", ()))
    return str(field.label), str(choices.get(value, value))
