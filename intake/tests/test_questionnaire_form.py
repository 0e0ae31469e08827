"""The reusable questionnaire form: one required choice per item, each with its own error."""

from django.template import Context, Template

from intake.questionnaire_forms import QuestionnaireFields, QuestionnaireForm
from intake.questionnaires import GAD7, PHQ9


def answers_for(questionnaire, values):
    return {f"{questionnaire.code}_{number}": str(value) for number, value in enumerate(values, start=1)}


def test_it_reads_every_item_as_a_whole_number():
    form = QuestionnaireForm(answers_for(GAD7, [0, 1, 2, 3, 0, 1, 2]), questionnaire=GAD7)
    assert form.is_valid(), form.errors
    assert form.items == [0, 1, 2, 3, 0, 1, 2]


def test_it_puts_an_error_on_each_missing_item_and_only_there():
    data = answers_for(PHQ9, [1] * 9)
    del data["phq9_4"], data["phq9_9"]
    form = QuestionnaireForm(data, questionnaire=PHQ9)
    assert not form.is_valid()
    assert sorted(form.errors) == ["phq9_4", "phq9_9"]
    assert form.errors["phq9_9"] == ["Answer this item (every PHQ-9 item is needed for a score)."]
    assert form.items is None


def test_it_refuses_an_answer_that_is_not_an_option():
    form = QuestionnaireForm({**answers_for(GAD7, [1] * 7), "gad7_2": "4"}, questionnaire=GAD7)
    assert not form.is_valid()
    assert list(form.errors) == ["gad7_2"]


def test_a_skippable_questionnaire_is_all_answered_or_marked_not_administered():
    form = QuestionnaireForm({"gad7_not_done": "on"}, questionnaire=GAD7, may_skip=True)
    assert form.is_valid(), form.errors
    assert form.items is None
    form = QuestionnaireForm({}, questionnaire=GAD7, may_skip=True)
    assert not form.is_valid()
    assert form.errors["gad7_not_done"] == ["Answer the GAD-7 items, or tick “not administered”."]
    form = QuestionnaireForm({"gad7_not_done": "on", "gad7_1": "2"}, questionnaire=GAD7, may_skip=True)
    assert not form.is_valid()
    assert "has answers" in form.errors["gad7_not_done"][0]


def test_it_renders_the_title_preamble_and_each_item_in_the_standard_wording():
    form = QuestionnaireForm(questionnaire=PHQ9)
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))
    assert 'data-questionnaire="phq9"' in html and "<legend>PHQ-9</legend>" in html
    assert PHQ9.preamble in html
    assert "9. Thoughts that you would be better off dead, or of hurting yourself in some way" in html
    assert html.count('type="radio"') == 9 * 4
    assert 'name="phq9_9" value="3"' in html and "Nearly every day" in html
    assert "not administered" not in html  # only a skippable questionnaire has the tick


def test_it_fills_itself_in_and_shows_stored_answers_in_words():
    fields = QuestionnaireFields(GAD7, may_skip=True)
    assert fields.initial([0, 1, 2, 3, 0, 0, 0])["gad7_4"] == "3"
    assert fields.initial(None) == {"gad7_not_done": True}
    rows = fields.answer_rows([0, 1, 2, 3, 0, 0, 0])
    assert rows[3] == ("GAD-7 4. Trouble relaxing", "3 – Nearly every day")
    assert fields.answer_rows(None) == [("GAD-7", "not administered")]
    assert fields.field_for("5") == "gad7_5" and fields.field_for("") == "gad7_not_done"
