"""The screening's one severity vocabulary: what a flag may weigh, and what a screening may conclude.

Pure Python. Every other list of severities or outcomes (the model choices, the clinic's
breastfeeding setting, the templates' badges) is derived from this module, never typed again.
Labels are the words the pages show (lower case, as staff read them in a badge or a table).
"""

URGENT = "urgent"
EXCLUDE = "exclude"
DEFER = "defer"
REVIEW = "review"
NOTE = "note"
CLEAR = "clear"

# Flag display order: the urgent safety track first, then exclude > defer > review > note.
SEVERITIES = (URGENT, EXCLUDE, DEFER, REVIEW, NOTE)
# Outcomes from least to most restrictive; a screening's outcome is the most restrictive that fired.
OUTCOMES = (CLEAR, REVIEW, DEFER, EXCLUDE)
# The severities a clinic may give the BREASTFEEDING flag (its sources disagree, so the clinic decides).
BREASTFEEDING_SEVERITIES = (NOTE, REVIEW, DEFER)

LABELS = {
    URGENT: "urgent",
    EXCLUDE: "exclude",
    DEFER: "defer",
    REVIEW: "review",
    NOTE: "note",
    CLEAR: "clear",
}

SEVERITY_CHOICES = tuple((code, LABELS[code]) for code in SEVERITIES)
OUTCOME_CHOICES = tuple((code, LABELS[code]) for code in OUTCOMES)
BREASTFEEDING_SEVERITY_CHOICES = tuple((code, LABELS[code]) for code in BREASTFEEDING_SEVERITIES)

SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}  # 0 shows first
OUTCOME_RANK = {outcome: rank for rank, outcome in enumerate(OUTCOMES)}  # higher is more restrictive
