"""The fixed words of the domain: codes that are stored, and the plain-English labels people see.

Representation, the same for every enumeration:

- ``NAMES`` is a tuple of the stored codes, in the order they are shown;
- ``NAME_LABELS`` is a ``dict`` from each code to its label, in that same order (dicts keep
  insertion order), so it can be used directly as the choices of a form or the columns of a report;
- rating scales are ``dict[int, str]`` from every value 1 to 10 to its label.

Codes never change once data has been stored; labels may be reworded at any time.
"""

from collections.abc import Mapping
from typing import TypeVar


def N_(text: str) -> str:
    """Mark words for the translation catalogues; they are translated where they are shown."""
    return text


CodeType = TypeVar("CodeType", str, int)

ROLES: tuple[str, ...] = ("family", "practitioner", "manager", "admin")
ROLE_LABELS: dict[str, str] = {
    "family": N_("Family"),
    "practitioner": N_("Practitioner"),
    "manager": N_("Manager"),
    "admin": N_("Administrator"),
}

RELATIONSHIPS: tuple[str, ...] = ("parent_carer", "young_person")
RELATIONSHIP_LABELS: dict[str, str] = {
    "parent_carer": N_("parent or carer"),
    "young_person": N_("the young person"),
}

ORGANISATION_TYPES: tuple[str, ...] = ("education", "health", "social_care", "voluntary", "other")
ORGANISATION_TYPE_LABELS: dict[str, str] = {
    "education": N_("Education"),
    "health": N_("Health"),
    "social_care": N_("Social care"),
    "voluntary": N_("Voluntary sector"),
    "other": N_("Other"),
}

OCCUPATION_AREAS: tuple[str, ...] = ("self_care", "productivity", "leisure")
OCCUPATION_AREA_LABELS: dict[str, str] = {
    "self_care": N_("Looking after myself"),
    "productivity": N_("School, play and work"),
    "leisure": N_("Free time and friends"),
}
OCCUPATION_AREA_DESCRIPTIONS: dict[str, str] = {
    "self_care": N_(
        "Everyday things for yourself: washing, dressing, eating, sleeping, "
        "getting from place to place and getting by when out and about."
    ),
    "productivity": N_(
        "The things you are expected to do or need to do: learning at school or college, "
        "playing, working and helping at home."
    ),
    "leisure": N_(
        "The things you choose to do for fun: quiet hobbies, being active, "
        "and spending time with friends and family."
    ),
}

# The sub-areas are (code, label) pairs grouped by area, because a form shows them under their area.
OCCUPATION_SUB_AREAS: dict[str, tuple[tuple[str, str], ...]] = {
    "self_care": (
        ("personal_care", N_("Personal care")),
        ("getting_around", N_("Getting around")),
        ("community", N_("Managing in the community")),
    ),
    "productivity": (
        ("school_or_work", N_("School, college or work")),
        ("play", N_("Play")),
        ("jobs_at_home", N_("Jobs at home")),
    ),
    "leisure": (
        ("quiet_recreation", N_("Quiet hobbies")),
        ("active_recreation", N_("Being active")),
        ("socialising", N_("Time with other people")),
    ),
}
OCCUPATION_SUB_AREA_LABELS: dict[str, str] = {
    code: sub_area_label
    for sub_areas in OCCUPATION_SUB_AREAS.values()
    for code, sub_area_label in sub_areas
}
OCCUPATION_AREA_OF_SUB_AREA: dict[str, str] = {
    code: area for area, sub_areas in OCCUPATION_SUB_AREAS.items() for code, _ in sub_areas
}

# Starting points for a goal-setting conversation; the goal itself is always in the family's words.
GOAL_PROMPTS: dict[str, tuple[str, ...]] = {
    "self_care": (
        N_("Getting ready in the morning"),
        N_("Sleep"),
        N_("Eating and drinking"),
        N_("Using the toilet"),
        N_("Getting to places"),
        N_("Going to the shops"),
    ),
    "productivity": (
        N_("Getting to school or college"),
        N_("Joining in with lessons"),
        N_("Homework"),
        N_("Playing with toys or games"),
        N_("Helping at home"),
        N_("Getting ready for a job"),
    ),
    "leisure": (
        N_("Reading, drawing or making things"),
        N_("Sport and being active"),
        N_("Clubs and groups"),
        N_("Seeing friends"),
        N_("Going out with family"),
        N_("Using a phone, tablet or computer"),
    ),
}

# Codes from the Department for Education's SEN2 return, so reports line up with national data.
PRIMARY_NEEDS: tuple[str, ...] = (
    "SPLD",
    "MLD",
    "SLD",
    "PMLD",
    "SEMH",
    "SLCN",
    "HI",
    "VI",
    "MSI",
    "PD",
    "ASD",
    "OTH",
    "NSA",
)
PRIMARY_NEED_LABELS: dict[str, str] = {
    "SPLD": N_("Specific learning difficulty"),
    "MLD": N_("Moderate learning difficulty"),
    "SLD": N_("Severe learning difficulty"),
    "PMLD": N_("Profound and multiple learning difficulty"),
    "SEMH": N_("Social, emotional and mental health"),
    "SLCN": N_("Speech, language and communication needs"),
    "HI": N_("Hearing impairment"),
    "VI": N_("Vision impairment"),
    "MSI": N_("Multi-sensory impairment"),
    "PD": N_("Physical disability"),
    "ASD": N_("Autism"),
    "OTH": N_("Other difficulty or disability"),
    "NSA": N_("SEN support but no specialist assessment of type of need"),
}

RATERS: tuple[str, ...] = ("child", "parent_carer")
RATER_LABELS: dict[str, str] = {
    "child": N_("The child or young person"),
    "parent_carer": N_("A parent or carer"),
}
# Whose view, as the title of a chart.
RATER_VIEW_TITLES: dict[str, str] = {
    "child": N_("The child's own view"),
    "parent_carer": N_("A parent's or carer's view"),
}
# Whose view a rating gives, inside a sentence.
RATER_VIEW_WORDS: dict[str, str] = {
    "child": N_("the child's own view"),
    "parent_carer": N_("a parent's or carer's view"),
}

GOAL_STATUSES: tuple[str, ...] = ("active", "achieved", "stopped")
GOAL_STATUS_LABELS: dict[str, str] = {
    "active": N_("Working on it"),
    "achieved": N_("Achieved"),
    "stopped": N_("Stopped"),
}

AGE_BANDS: tuple[str, ...] = ("0-4", "5-10", "11-15", "16-19", "20-25")
# Records outlive the 0 to 25 age range, so reports need somewhere to put everyone else.
OTHER_AGE_BAND = "other"
AGE_BAND_LABELS: dict[str, str] = {
    "0-4": N_("0 to 4 years"),
    "5-10": N_("5 to 10 years"),
    "11-15": N_("11 to 15 years"),
    "16-19": N_("16 to 19 years"),
    "20-25": N_("20 to 25 years"),
    OTHER_AGE_BAND: N_("Other ages"),
}

# The longest a goal's words may be, and what people are told when they are longer.
GOAL_TEXT_LONGEST = 500
GOAL_TEXT_TOO_LONG = f"The goal must be {GOAL_TEXT_LONGEST} characters or fewer"

SCALE_MINIMUM = 1
SCALE_MAXIMUM = 10
SCALE_VALUES: tuple[int, ...] = tuple(range(SCALE_MINIMUM, SCALE_MAXIMUM + 1))


def _scale(lowest: str, middle: str, highest: str) -> dict[int, str]:
    """Build a 1 to 10 scale with words at both ends and at 5, and bare numbers elsewhere."""
    # Words only at the anchors, so raters pick a number rather than argue over adjectives.
    words = {SCALE_MINIMUM: lowest, 5: middle, SCALE_MAXIMUM: highest}
    return {value: words.get(value, str(value)) for value in SCALE_VALUES}


PERFORMANCE_SCALE: dict[int, str] = _scale(
    N_("Cannot do it at all"), N_("Can do some of it"), N_("Does it really well")
)
SATISFACTION_SCALE: dict[int, str] = _scale(
    N_("Not happy at all"), N_("Partly happy"), N_("Really happy")
)
# The words at each end of the two scales when a child rates their own goal.
CHILD_SCALE_WORDS: dict[str, tuple[str, str]] = {
    "performance": (N_("I can't do it yet"), N_("I can do it really well")),
    "satisfaction": (N_("Not happy at all"), N_("Really happy")),
}
IMPORTANCE_SCALE: dict[int, str] = _scale(
    N_("Not important at all"), N_("Quite important"), N_("Really important")
)


def label(mapping: Mapping[CodeType, str], code: CodeType) -> str:
    """Return the label for a code, or the code itself as text when the mapping does not know it."""
    # Falling back to the code keeps old or imported values readable instead of breaking a page.
    return mapping.get(code, str(code))


def choices(mapping: Mapping[CodeType, str]) -> list[tuple[CodeType, str]]:
    """Return (code, label) pairs in display order, as form select fields expect."""
    return list(mapping.items())
