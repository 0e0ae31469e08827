"""Standard rating questionnaires as data: wording, scoring, severity bands, response and remission.

Pure (no Django), so intake, the check-in and a patient's link ask one definition of each (through
`intake.questionnaire_forms`) and `infusions.outcomes.rules` reads the scores by the same bands and criteria.
PHQ-9, GAD-7, PCL-5 and a 0-10 pain rating; `measures_for(indication)` says which a patient is asked.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Option:
    """One answer a patient may pick for an item, and the points it scores."""

    value: int
    label: str


@dataclass(frozen=True, slots=True)
class Band:
    """Totals up to and including `upper` (from the previous band's upper + 1) fall in this band."""

    upper: int
    code: str  # stored with the score (e.g. "moderately_severe")
    label: str  # shown to staff (e.g. "moderately severe")


@dataclass(frozen=True, slots=True)
class Score:
    total: int
    band: str  # a Band.code

    def as_dict(self) -> dict:
        return {"total": self.total, "band": self.band}


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """A questionnaire as printed and as scored. Checked when defined: a bad definition fails at import.

    Response is either a relative fall (`response_fraction`, e.g. 1/2 for "at least 50% below
    baseline") or an absolute one (`response_points`, e.g. 10 points on the PCL-5): exactly one.
    """

    code: str  # field prefix and storage key, e.g. "phq9"
    title: str  # e.g. "PHQ-9"
    preamble: str
    items: tuple[str, ...]
    options: tuple[Option, ...]  # the same answer options for every item, lowest value first
    bands: tuple[Band, ...]  # ascending; the last ends at the highest possible total
    remission_below: int | None = None  # a total below this is remission; None: not defined
    response_fraction: Fraction | None = None
    response_points: int | None = None
    suicide_item_index: int | None = None  # 0-based index of an item asking about self-harm
    # The option values as a set, computed once: validation asks it for every answer of every intake.
    values: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        values = [option.value for option in self.options]
        object.__setattr__(self, "values", frozenset(values))
        if not self.items or not self.options:
            raise ValueError(f"{self.code}: needs items and answer options")
        if values != sorted(set(values)) or values[0] < 0:
            raise ValueError(f"{self.code}: option values must be distinct, ascending and not negative")
        uppers = [b.upper for b in self.bands]
        if not self.bands or uppers != sorted(set(uppers)) or uppers[-1] != self.max_total or uppers[0] < 0:
            raise ValueError(f"{self.code}: bands must ascend and end at the highest total ({self.max_total})")
        if (self.response_fraction is None) == (self.response_points is None):
            raise ValueError(f"{self.code}: define a response as a fraction or as points, not both or neither")
        if self.response_fraction is not None and not 0 < self.response_fraction <= 1:
            raise ValueError(f"{self.code}: the response fraction must be above 0 and at most 1")
        if self.response_points is not None and not 0 < self.response_points <= self.max_total:
            raise ValueError(f"{self.code}: the response points must be within the scale")
        if self.suicide_item_index is not None and not 0 <= self.suicide_item_index < len(self.items):
            raise ValueError(f"{self.code}: the suicide item must be one of the items")

    @property
    def min_value(self) -> int:
        return self.options[0].value

    @property
    def max_value(self) -> int:
        """The most one item can score."""
        return self.options[-1].value

    @property
    def max_total(self) -> int:
        return self.max_value * len(self.items)

    def option_label(self, value: int) -> str:
        return next(option.label for option in self.options if option.value == value)

    def band_label(self, code: str) -> str:
        return next(b.label for b in self.bands if b.code == code)


def _is_int(value: object) -> bool:
    return type(value) is int  # excludes bool (a subclass of int) and floats


def _check_total(questionnaire: Questionnaire, total: object) -> None:
    if not _is_int(total) or total < 0:
        raise ValueError("total must be a whole number of 0 or more")
    if total > questionnaire.max_total:
        raise ValueError(f"total must be at most {questionnaire.max_total}")


def band(questionnaire: Questionnaire, total: int) -> Band:
    """The severity band a total falls in. Raises ValueError for a total the scale cannot have."""
    _check_total(questionnaire, total)
    return next(b for b in questionnaire.bands if total <= b.upper)


def score(questionnaire: Questionnaire, items: Sequence[int] | None) -> Score | None:
    """The total and its band; None when the questionnaire was not administered (`items` None)."""
    if items is None:
        return None
    if len(items) != len(questionnaire.items):
        raise ValueError(f"{questionnaire.title} has {len(questionnaire.items)} items, got {len(items)} answers")
    if any(not _is_int(item) or item not in questionnaire.values for item in items):
        raise ValueError(f"each {questionnaire.title} answer must be one of {sorted(questionnaire.values)}")
    total = sum(items)
    return Score(total, band(questionnaire, total).code)


def responded(questionnaire: Questionnaire, baseline_total: int, current_total: int) -> bool:
    """True when the total fell from baseline by the questionnaire's response criterion.

    PHQ-9 and GAD-7: a fall of at least 50% (Blanchfield, Understanding the Mechanism of Ketamine
    Infusion Therapy). A baseline of 0 has nothing to fall from: never a response.
    """
    for total in (baseline_total, current_total):
        _check_total(questionnaire, total)
    fall = baseline_total - current_total
    if questionnaire.response_points is not None:
        return fall >= questionnaire.response_points
    fraction = questionnaire.response_fraction
    # Whole numbers only, so "exactly half" is never lost to floating point.
    return baseline_total > 0 and fall * fraction.denominator >= fraction.numerator * baseline_total


def in_remission(questionnaire: Questionnaire, total: int) -> bool:
    """True when the total is below the questionnaire's remission cutoff (PHQ-9 and GAD-7: below 5)."""
    _check_total(questionnaire, total)
    if questionnaire.remission_below is None:
        raise ValueError(f"{questionnaire.title} defines no remission cutoff")
    return total < questionnaire.remission_below


# --- PHQ-9 and GAD-7 (standard wording, public domain) -------------------------------------

FREQUENCY = (
    Option(0, "Not at all"),
    Option(1, "Several days"),
    Option(2, "More than half the days"),
    Option(3, "Nearly every day"),
)

PHQ9 = Questionnaire(
    code="phq9",
    title="PHQ-9",
    preamble="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — being"
        " so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead, or of hurting yourself in some way",
    ),
    options=FREQUENCY,
    bands=(
        Band(4, "minimal", "minimal"),
        Band(9, "mild", "mild"),
        Band(14, "moderate", "moderate"),
        Band(19, "moderately_severe", "moderately severe"),
        Band(27, "severe", "severe"),
    ),
    remission_below=5,
    response_fraction=Fraction(1, 2),
    # Item 9 as printed: screening's SUICIDE_RISK rule reads it (positive from 1: urgent, same-day follow-up).
    suicide_item_index=8,
)

GAD7 = Questionnaire(
    code="gad7",
    title="GAD-7",
    preamble="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=(
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ),
    options=FREQUENCY,
    bands=(
        Band(4, "minimal", "minimal"),
        Band(9, "mild", "mild"),
        Band(14, "moderate", "moderate"),
        Band(21, "severe", "severe"),
    ),
    remission_below=5,
    response_fraction=Fraction(1, 2),
)

# --- PCL-5 (PTSD Checklist for DSM-5; VA National Center for PTSD, public domain) ----------

# Weathers, Litz, Keane, Palmieri, Marx & Schnurr (2013), the standard past-month version as the VA
# National Center for PTSD publishes it (ptsd.va.gov), items worded exactly as printed.
PCL5 = Questionnaire(
    code="pcl5",
    title="PCL-5",
    preamble=(
        "Below is a list of problems that people sometimes have in response to a very stressful experience."
        " Please read each problem carefully and then circle one of the numbers to the right to indicate how"
        " much you have been bothered by that problem in the past month."
    ),
    items=(
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "Repeated, disturbing dreams of the stressful experience?",
        "Suddenly feeling or acting as if the stressful experience were actually happening again (as if you"
        " were actually back there reliving it)?",
        "Feeling very upset when something reminded you of the stressful experience?",
        "Having strong physical reactions when something reminded you of the stressful experience (for example,"
        " heart pounding, trouble breathing, sweating)?",
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "Avoiding external reminders of the stressful experience (for example, people, places, conversations,"
        " activities, objects, or situations)?",
        "Trouble remembering important parts of the stressful experience?",
        "Having strong negative beliefs about yourself, other people, or the world (for example, having thoughts"
        " such as: I am bad, there is something seriously wrong with me, no one can be trusted, the world is"
        " completely dangerous)?",
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "Loss of interest in activities that you used to enjoy?",
        "Feeling distant or cut off from other people?",
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving"
        " feelings for people close to you)?",
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "Taking too many risks or doing things that could cause you harm?",
        "Being “superalert” or watchful or on guard?",
        "Feeling jumpy or easily startled?",
        "Having difficulty concentrating?",
        "Trouble falling or staying asleep?",
    ),
    options=(
        Option(0, "Not at all"),
        Option(1, "A little bit"),
        Option(2, "Moderately"),
        Option(3, "Quite a bit"),
        Option(4, "Extremely"),
    ),
    # The VA National Center for PTSD suggests a cut-point of 31-33 for probable PTSD; the clinic takes
    # the lowest, 31, so a borderline total is looked at rather than missed.
    bands=(
        Band(30, "below_threshold", "below threshold"),
        Band(80, "probable_ptsd", "probable PTSD"),
    ),
    # No remission cutoff: the PCL-5 defines none (the cut-point screens for probable PTSD, it does not
    # mark remission), so `in_remission` refuses to answer for it.
    # A 10-point drop is a clinically meaningful change (VA National Center for PTSD).
    response_points=10,
)

# --- Pain: a 0-10 numeric rating scale --------------------------------------------------------

PAIN = Questionnaire(
    code="pain",
    title="Pain rating",
    preamble="",  # the single item is the whole question
    items=(
        "Please rate your pain by choosing the number that best describes your pain on average in the last 24 hours.",
    ),
    options=(
        Option(0, "0 – no pain"),
        *(Option(value, str(value)) for value in range(1, 10)),
        Option(10, "10 – pain as bad as you can imagine"),
    ),
    # The usual reading of a 0-10 rating: 0 none, 1-3 mild, 4-6 moderate, 7-10 severe.
    bands=(
        Band(0, "none", "none"),
        Band(3, "mild", "mild"),
        Band(6, "moderate", "moderate"),
        Band(10, "severe", "severe"),
    ),
    # A 30% reduction is a moderately important improvement (IMMPACT: Dworkin et al., J Pain 2008).
    # No remission cutoff is defined for a pain rating.
    response_fraction=Fraction(3, 10),
)

# Every questionnaire by code, in the order forms and result pages show them.
QUESTIONNAIRES: dict[str, Questionnaire] = {q.code: q for q in (PHQ9, GAD7, PCL5, PAIN)}

# The questionnaires the intake asks (and its screening stores); the others are asked at check-ins and by links.
INTAKE_MEASURES = ("phq9", "gad7")

# The measures asked besides the PHQ-9 for each intake indication (intake.vocabulary.INDICATION_CHOICES;
# DOMAIN §8): GAD-7 for anxiety, PCL-5 for PTSD, the pain rating for the pain indications. An indication
# not listed here is followed by the PHQ-9 alone.
MEASURE_FOR_INDICATION: dict[str, str | None] = {
    "depression": None,
    "anxiety": "gad7",
    "ptsd": "pcl5",
    "ocd": None,
    "bipolar_depression": None,
    "suicidal_ideation": None,
    "chronic_pain": "pain",
    "fibromyalgia": "pain",
    "migraine": "pain",
    "substance_use_disorder": None,
}


def measures_for(indication: str) -> tuple[str, ...]:
    """The measure codes to ask a patient with this indication: the PHQ-9 always, first (item 9 is always
    asked, DOMAIN §8), then the indication's own measure if it has one. Raises ValueError for an unknown
    indication, so a new indication cannot silently go without its measure."""
    if indication not in MEASURE_FOR_INDICATION:
        raise ValueError(f"unknown indication: {indication!r}")
    extra = MEASURE_FOR_INDICATION[indication]
    return (PHQ9.code,) if extra is None else (PHQ9.code, extra)
