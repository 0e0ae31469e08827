"""The intake's answer vocabulary: every multiple-choice question's allowed values and their labels.

Pure Python. Validation (`intake.screening`), the intake form, the case page and booking (the
protocol per indication) all read these; nothing else lists them. Values are what is stored in
the answers JSON; labels are what staff see.
"""

INDICATION_CHOICES = (
    ("depression", "Depression"),
    ("anxiety", "Anxiety"),
    ("ptsd", "PTSD"),
    ("ocd", "OCD"),
    ("bipolar_depression", "Bipolar depression"),
    ("suicidal_ideation", "Suicidal ideation"),
    ("chronic_pain", "Chronic pain"),
    ("fibromyalgia", "Fibromyalgia"),
    ("migraine", "Migraine"),
    ("substance_use_disorder", "Substance use disorder"),
)
PSYCHOSIS_CHOICES = (
    ("none", "None"),
    ("transient", "Transient (substance-, medication- or acute-illness-induced)"),
    ("primary", "Primary (schizophrenia, psychotic disorder)"),
)
MANIA_CHOICES = (
    ("none", "None"),
    ("hypomanic", "Mild hypomanic episodes or bipolar II"),
    ("bipolar_i_or_severe", "Bipolar I or severe manic episodes"),
    ("current", "Currently manic"),
)
SEIZURE_CHOICES = (
    ("none", "None"),
    ("provoked", "Provoked seizure (medication reaction, acute illness)"),
    ("disorder", "Seizure disorder"),
)
HYPERTENSION_CHOICES = (
    ("none", "None"),
    ("controlled", "Controlled"),
    ("uncontrolled", "Uncontrolled"),
)
SEVERITY_CONDITION_CHOICES = (
    ("none", "None"),
    ("mild_moderate", "Mild or moderate"),
    ("severe", "Severe"),
)
CARDIAC_CHOICES = SEVERITY_CONDITION_CHOICES
LIVER_CHOICES = SEVERITY_CONDITION_CHOICES
KIDNEY_CHOICES = SEVERITY_CONDITION_CHOICES
HYPERTHYROIDISM_CHOICES = (
    ("none", "None"),
    ("treated", "Treated"),
    ("untreated", "Untreated"),
)
SUBSTANCE_USE_CHOICES = (
    ("none", "None"),
    ("history_or_moderate", "History of substance use, or moderate recreational use"),
    ("current_heavy", "Current heavy use"),
)
PREGNANCY_CHOICES = (
    ("no", "No"),
    ("pregnant", "Pregnant"),
    ("planning", "Planning a pregnancy"),
)

ENUM_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "indication": INDICATION_CHOICES,
    "psychosis_history": PSYCHOSIS_CHOICES,
    "mania_history": MANIA_CHOICES,
    "seizure_history": SEIZURE_CHOICES,
    "hypertension": HYPERTENSION_CHOICES,
    "cardiac": CARDIAC_CHOICES,
    "liver": LIVER_CHOICES,
    "kidney": KIDNEY_CHOICES,
    "hyperthyroidism": HYPERTHYROIDISM_CHOICES,
    "substance_use": SUBSTANCE_USE_CHOICES,
    "pregnancy": PREGNANCY_CHOICES,
}
BOOL_FIELDS = (
    "cerebrovascular_history",
    "unstable_medical_condition",
    "bladder_condition",
    "ketamine_allergy",
    "breastfeeding",
)
