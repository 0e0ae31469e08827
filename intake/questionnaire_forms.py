"""Any `Questionnaire` as form fields: one choice per item, each with its own error, in its own fieldset.

Intake, the check-in and a patient's link share it, so a questionnaire is worded, checked and laid out the same
wherever it is asked. `QuestionnaireFields` adds one questionnaire's fields (`<code>_1`, ... and, when it may be
skipped, `<code>_not_done`) to any form; `QuestionnaireForm` is one questionnaire on a form of its own.
"""

from collections.abc import Sequence

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, LayoutObject, Submit
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.template.loader import render_to_string

from intake.questionnaires import Questionnaire

NOT_DONE_HELP = "Tick when the questionnaire was not administered at this intake; otherwise answer every item."


class QuestionnaireFields:
    """One questionnaire's fields on a form, and how its answers are read, checked and shown.

    With `may_skip`, a "not administered" tick stands for the whole questionnaire: either it is
    ticked and no item is answered, or every item is answered (a partial set has no score).
    """

    def __init__(self, questionnaire: Questionnaire, *, may_skip: bool = False):
        self.questionnaire = questionnaire
        self.may_skip = may_skip
        self.item_names = [f"{questionnaire.code}_{number}" for number in range(1, len(questionnaire.items) + 1)]
        self.not_done_name = f"{questionnaire.code}_not_done"
        self.missing_item = f"Answer this item (every {questionnaire.title} item is needed for a score)."

    def fields(self) -> dict[str, forms.Field]:
        questionnaire = self.questionnaire
        fields: dict[str, forms.Field] = {}
        if self.may_skip:
            fields[self.not_done_name] = forms.BooleanField(
                label=f"{questionnaire.title} not administered", required=False, help_text=NOT_DONE_HELP
            )
        choices = [(str(option.value), option.label) for option in questionnaire.options]
        for number, (name, wording) in enumerate(zip(self.item_names, questionnaire.items, strict=True), start=1):
            fields[name] = forms.ChoiceField(
                label=f"{number}. {wording}",
                choices=choices,
                widget=forms.RadioSelect,
                # Skippable: "required" depends on the tick, so clean() says which item is missing.
                required=not self.may_skip,
                error_messages={"required": self.missing_item},
            )
        return fields

    def layout(self) -> "QuestionnaireFieldset":
        return QuestionnaireFieldset(self)

    def clean(self, form: forms.Form) -> list[int] | None:
        """The answers as whole numbers, or None (not administered, or errors added to `form`)."""
        data = form.cleaned_data
        title = self.questionnaire.title
        answered = [name for name in self.item_names if data.get(name) not in (None, "")]
        if self.may_skip and data.get(self.not_done_name):
            if answered:
                form.add_error(self.not_done_name, f"{title} is marked not administered but has answers: clear one.")
            return None
        if self.may_skip and not answered:
            form.add_error(self.not_done_name, f"Answer the {title} items, or tick “not administered”.")
            return None
        missing = [name for name in self.item_names if name not in answered]
        for name in missing:
            if not form.has_error(name):
                form.add_error(name, self.missing_item)
        return None if missing else [int(data[name]) for name in self.item_names]

    def field_for(self, item: str) -> str:
        """The field for a validation error on this questionnaire: item "9" or the whole set ("")."""
        if item:
            return f"{self.questionnaire.code}_{item}"
        return self.not_done_name if self.may_skip else self.item_names[0]

    def initial(self, items: Sequence[int] | None) -> dict:
        """Initial form values from stored answers (None: not administered)."""
        if items is None:
            return {self.not_done_name: True} if self.may_skip else {}
        return {name: str(value) for name, value in zip(self.item_names, items, strict=True)}

    def answer_rows(self, items: Sequence[int] | None) -> list[tuple[str, str]]:
        """(question, answer) rows in the questionnaire's words, for a clinician reading stored answers."""
        questionnaire = self.questionnaire
        if items is None:
            return [(questionnaire.title, "not administered")]
        return [
            (f"{questionnaire.title} {number}. {wording}", f"{value} – {questionnaire.option_label(value)}")
            for number, (wording, value) in enumerate(zip(questionnaire.items, items, strict=True), start=1)
        ]


class QuestionnaireFieldset(LayoutObject):
    """Crispy layout object: the questionnaire's title, preamble, "not administered" tick and items."""

    template = "intake/_questionnaire.html"

    def __init__(self, questionnaire_fields: QuestionnaireFields):
        self.questionnaire = questionnaire_fields.questionnaire
        self.fields = [
            *([questionnaire_fields.not_done_name] if questionnaire_fields.may_skip else []),
            *(InlineRadios(name) for name in questionnaire_fields.item_names),
        ]

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return render_to_string(self.template, {"questionnaire": self.questionnaire, "fields": fields})


class QuestionnaireForm(forms.Form):
    """One questionnaire on its own (check-in, a patient's link). After `is_valid()`, `items` holds the answers."""

    def __init__(self, *args, questionnaire: Questionnaire, may_skip: bool = False, submit_label="Save", **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire_fields = QuestionnaireFields(questionnaire, may_skip=may_skip)
        self.fields.update(self.questionnaire_fields.fields())
        self.items: list[int] | None = None
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(self.questionnaire_fields.layout(), Submit("save", submit_label))

    def clean(self):
        data = super().clean()
        self.items = self.questionnaire_fields.clean(self)
        return data
