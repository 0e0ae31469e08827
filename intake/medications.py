"""Medication names the screening recognises, grouped by interaction class.

Pure Python, no Django. Every name of the clinic's interaction table (one class per INTERACTION_<CLASS> rule in
`intake.screening`, which names each class's source), plus unambiguous generic and brand names of the same class.
Matching errs towards "unrecognised": an unknown entry is shown to a clinician, the safe side of a wrong guess.
"""

import re

# Class code -> names, comma-separated (a name may have several words, e.g. "MS Contin"). Class order
# is the order of the interaction table and the order in which INTERACTION_<CLASS> flags are listed.
_NAMES: dict[str, str] = {
    "BENZODIAZEPINE": (
        "alprazolam, Xanax, diazepam, Valium, lorazepam, Ativan, clonazepam, Klonopin, temazepam, Restoril, "
        "chlordiazepoxide, Librium, oxazepam, triazolam, Halcion, midazolam, clobazam, Onfi"
    ),
    "OPIOID": (
        "oxycodone, OxyContin, Roxicodone, Percocet, hydrocodone, Vicodin, Norco, morphine, MS Contin, "
        "fentanyl, Duragesic, tramadol, Ultram, methadone, buprenorphine, Suboxone, Subutex, Zubsolv, "
        "hydromorphone, Dilaudid, codeine, tapentadol, Nucynta, oxymorphone, meperidine, Demerol"
    ),
    "BARBITURATE": "phenobarbital, butalbital, Fioricet, Fiorinal, secobarbital, Seconal, pentobarbital",
    # Serotonergic antidepressants only (SSRIs, SNRIs, vortioxetine, vilazodone, mirtazapine, trazodone,
    # tricyclics): the flag's reason is a serotonergic interaction. Bupropion (Wellbutrin) is a
    # noradrenaline-dopamine reuptake inhibitor, not serotonergic, so it is not listed: an entry naming
    # it is shown as unrecognised and a clinician looks at it (it also lowers the seizure threshold).
    "ANTIDEPRESSANT": (
        "fluoxetine, Prozac, sertraline, Zoloft, escitalopram, Lexapro, citalopram, Celexa, paroxetine, "
        "Paxil, fluvoxamine, Luvox, duloxetine, Cymbalta, venlafaxine, Effexor, desvenlafaxine, Pristiq, "
        "levomilnacipran, Fetzima, vortioxetine, Trintellix, vilazodone, Viibryd, mirtazapine, Remeron, "
        "trazodone, amitriptyline, nortriptyline, Pamelor, imipramine, Tofranil, "
        "clomipramine, Anafranil, desipramine, Norpramin, doxepin"
    ),
    "MAOI": (
        "phenelzine, Nardil, tranylcypromine, Parnate, selegiline, Emsam, Eldepryl, Zelapar, isocarboxazid, "
        "Marplan, rasagiline, Azilect"
    ),
    "STIMULANT": (
        "amphetamine, Adderall, dextroamphetamine, Dexedrine, lisdexamfetamine, Vyvanse, methylphenidate, "
        "Ritalin, Concerta, dexmethylphenidate, Focalin, modafinil, Provigil, armodafinil, Nuvigil"
    ),
    "ANTIHYPERTENSIVE": (
        "metoprolol, Lopressor, Toprol, amlodipine, Norvasc, lisinopril, Zestril, Prinivil, losartan, Cozaar, "
        "valsartan, Diovan, olmesartan, Benicar, irbesartan, Avapro, enalapril, Vasotec, ramipril, Altace, "
        "benazepril, Lotensin, hydrochlorothiazide, HCTZ, chlorthalidone, atenolol, Tenormin, carvedilol, "
        "Coreg, propranolol, Inderal, nifedipine, Procardia, diltiazem, Cardizem, verapamil, clonidine, "
        "Catapres, hydralazine"
    ),
    "LAMOTRIGINE": "lamotrigine, Lamictal",
}
MEDICATION_CLASSES: dict[str, tuple[str, ...]] = {
    medication_class: tuple(name.strip() for name in names.split(",")) for medication_class, names in _NAMES.items()
}

# Letters (any script) or digits; a switch between them is a boundary ("Zoloft50mg").
_TOKEN_RE = re.compile(r"[^\W\d_]+|\d+")


def tokens(text: str) -> tuple[str, ...]:
    """Normalised tokens of a medication entry (casefolded letter runs and digit runs)."""
    return tuple(_TOKEN_RE.findall(text.casefold()))


def _build_index() -> dict[tuple[str, ...], str]:
    index: dict[tuple[str, ...], str] = {}
    for medication_class, names in MEDICATION_CLASSES.items():
        for name in names:
            key = tokens(name)
            if not key or index.get(key, medication_class) != medication_class:
                raise ValueError(f"medication name {name!r} is empty or in two classes")
            index[key] = medication_class
    return index


_INDEX = _build_index()
_MAX_NAME_TOKENS = max(len(key) for key in _INDEX)


def match_medication(entry: str) -> str | None:
    """The interaction class of a medication entry, or None when its leading name is unknown.

    Only the *leading* name counts: the entry is casefolded and split into tokens (runs of letters, runs of
    digits; anything else separates), and its first one, two or three tokens are looked up, longest first. So
    "Zoloft 50 mg", "XANAX XR 1mg", "sertraline hydrochloride 100mg tablet", "Toprol-XL" and "MS Contin 15mg"
    are recognised, while a name that merely contains a known one ("Xanaxolol") or names it later
    ("50 mg sertraline") is not.
    """
    entry_tokens = tokens(entry)
    for length in range(min(_MAX_NAME_TOKENS, len(entry_tokens)), 0, -1):
        medication_class = _INDEX.get(entry_tokens[:length])
        if medication_class is not None:
            return medication_class
    return None
