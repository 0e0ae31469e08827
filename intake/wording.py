"""What the intake pages say beside the questions: help texts and the crisis line.

The help texts' clinical wording follows Lighthouse Infusions, Ketamine Infusion Therapy:
Information for Providers (source 000 in `intake.screening.SOURCE_DOCUMENTS`), so the coordinator
asks each question the way the screening rule that reads it means it.
"""

CRISIS_LINE_TEXT = (
    "If you are thinking about suicide or hurting yourself, call or text 988 (Suicide & Crisis"
    " Lifeline) now. In an emergency call 911."
)


PSYCHOSIS_HELP = (
    "Transient: a psychotic episode caused by an acute medical condition, substance use or a"
    " medication, which has resolved; such patients may still be eligible. Primary: a history of"
    " psychosis or schizophrenia (a psychotic disorder); ketamine is strongly contraindicated."
)
MANIA_HELP = (
    "Mild hypomanic episodes or bipolar II: likely eligible, depending on the overall history."
    " Bipolar I, a history of severe manic episodes, or mania now: strongly contraindicated."
)
SEIZURE_HELP = (
    "Provoked: a past seizure caused by a medication reaction, an acute medical condition or"
    " another transient factor; such patients are likely still candidates. Disorder: a known"
    " seizure disorder (e.g. epilepsy); a strong contraindication."
)
CEREBROVASCULAR_HELP = "Ischaemic or haemorrhagic stroke, brain bleed, cerebral aneurysm, or intracranial hypertension."
HYPERTENSION_HELP = (
    "Controlled: managed effectively with medication. Uncontrolled: blood pressure must be stabilised before treatment."
)
CARDIAC_HELP = "Severe: a high-risk condition such as a recent heart attack or advanced heart failure."
LIVER_HELP = "Severe: severe liver dysfunction such as advanced cirrhosis or acute liver failure."
KIDNEY_HELP = "Severe kidney disease needs careful evaluation; it is not an automatic exclusion."
UNSTABLE_MEDICAL_HELP = "For example a severe infection, uncontrolled diabetes, or another unstable illness."
BLADDER_HELP = "Any pre-existing bladder condition or sensitivity."
SUBSTANCE_USE_HELP = (
    "History or moderate: a past substance use problem or addiction, or moderate recreational"
    " use. Current heavy: heavy substance use now."
)
PREGNANCY_HELP = "Patients who are pregnant or planning a pregnancy should wait to begin treatment."
MEDICATIONS_HELP = 'One medication per line, name first; dose and form may follow (e.g. "Zoloft 50 mg").'
FIELD_HELP = {
    "psychosis_history": PSYCHOSIS_HELP,
    "mania_history": MANIA_HELP,
    "seizure_history": SEIZURE_HELP,
    "cerebrovascular_history": CEREBROVASCULAR_HELP,
    "hypertension": HYPERTENSION_HELP,
    "cardiac": CARDIAC_HELP,
    "liver": LIVER_HELP,
    "kidney": KIDNEY_HELP,
    "unstable_medical_condition": UNSTABLE_MEDICAL_HELP,
    "bladder_condition": BLADDER_HELP,
    "substance_use": SUBSTANCE_USE_HELP,
    "pregnancy": PREGNANCY_HELP,
    "medications": MEDICATIONS_HELP,
}
