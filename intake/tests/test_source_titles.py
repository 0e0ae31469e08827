from intake.screening import RULES, SOURCE_DOCUMENTS
from intake.templatetags.intake_extras import source_titles


def test_it_names_the_numbered_documents():
    assert source_titles("000, 001; esketamine label") == (
        f"000 ({SOURCE_DOCUMENTS['000']}), 001 ({SOURCE_DOCUMENTS['001']}); esketamine label"
    )


def test_every_number_a_rule_cites_has_a_title():
    import re

    cited = {n for rule in RULES for n in re.findall(r"\b00\d\b", rule.source)}
    assert cited and cited <= set(SOURCE_DOCUMENTS)
