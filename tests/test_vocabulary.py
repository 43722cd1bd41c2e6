"""Tests that the domain's codes and labels are complete and consistent."""

import pytest

from goaltracker import vocabulary

CODES_AND_LABELS = [
    pytest.param(vocabulary.ROLES, vocabulary.ROLE_LABELS, id="roles"),
    pytest.param(
        vocabulary.ORGANISATION_TYPES, vocabulary.ORGANISATION_TYPE_LABELS, id="organisation types"
    ),
    pytest.param(
        vocabulary.OCCUPATION_AREAS, vocabulary.OCCUPATION_AREA_LABELS, id="occupation areas"
    ),
    pytest.param(
        vocabulary.OCCUPATION_AREAS,
        vocabulary.OCCUPATION_AREA_DESCRIPTIONS,
        id="occupation area descriptions",
    ),
    pytest.param(vocabulary.PRIMARY_NEEDS, vocabulary.PRIMARY_NEED_LABELS, id="primary needs"),
    pytest.param(vocabulary.RATERS, vocabulary.RATER_LABELS, id="raters"),
    pytest.param(vocabulary.GOAL_STATUSES, vocabulary.GOAL_STATUS_LABELS, id="goal statuses"),
    pytest.param(
        (*vocabulary.AGE_BANDS, vocabulary.OTHER_AGE_BAND),
        vocabulary.AGE_BAND_LABELS,
        id="age bands",
    ),
]

SCALES = [
    pytest.param(vocabulary.PERFORMANCE_SCALE, id="performance"),
    pytest.param(vocabulary.SATISFACTION_SCALE, id="satisfaction"),
    pytest.param(vocabulary.IMPORTANCE_SCALE, id="importance"),
]


@pytest.mark.parametrize(("codes", "labels"), CODES_AND_LABELS)
def test_every_code_has_a_label_in_the_same_order(
    codes: tuple[str, ...], labels: dict[str, str]
) -> None:
    """Each enumeration labels exactly its codes, in display order, with non-blank text."""
    assert tuple(labels) == codes
    assert all(text.strip() for text in labels.values())


@pytest.mark.parametrize(("codes", "labels"), CODES_AND_LABELS)
def test_labels_are_distinct(codes: tuple[str, ...], labels: dict[str, str]) -> None:
    """No two codes of one enumeration look the same to a reader."""
    assert len(set(labels.values())) == len(codes)


def test_domain_codes_are_as_specified() -> None:
    """The stored codes match the domain rules exactly, since data and imports depend on them."""
    assert vocabulary.ROLES == ("family", "practitioner", "manager", "admin")
    assert vocabulary.ORGANISATION_TYPES == (
        "education",
        "health",
        "social_care",
        "voluntary",
        "other",
    )
    assert vocabulary.OCCUPATION_AREAS == ("self_care", "productivity", "leisure")
    assert vocabulary.RATERS == ("child", "parent_carer")
    assert vocabulary.GOAL_STATUSES == ("active", "achieved", "stopped")
    assert vocabulary.AGE_BANDS == ("0-4", "5-10", "11-15", "16-19", "20-25")
    assert vocabulary.OTHER_AGE_BAND == "other"


def test_primary_needs_are_exactly_the_sen2_codes() -> None:
    """Primary needs are the 13 SEN2 codes, in the order the return lists them."""
    sen2_codes = "SPLD MLD SLD PMLD SEMH SLCN HI VI MSI PD ASD OTH NSA".split()
    assert list(vocabulary.PRIMARY_NEEDS) == sen2_codes
    assert len(vocabulary.PRIMARY_NEEDS) == 13
    assert vocabulary.PRIMARY_NEED_LABELS["ASD"] == "Autism"


def test_organisation_type_labels_use_plain_words() -> None:
    """The two organisation types whose codes are not words get readable labels."""
    assert vocabulary.ORGANISATION_TYPE_LABELS["social_care"] == "Social care"
    assert vocabulary.ORGANISATION_TYPE_LABELS["voluntary"] == "Voluntary sector"


def test_every_occupation_area_has_three_sub_areas_and_prompts() -> None:
    """Each area has its three sub-areas and some prompts for the goal-setting conversation."""
    assert tuple(vocabulary.OCCUPATION_SUB_AREAS) == vocabulary.OCCUPATION_AREAS
    assert tuple(vocabulary.GOAL_PROMPTS) == vocabulary.OCCUPATION_AREAS
    for area in vocabulary.OCCUPATION_AREAS:
        assert len(vocabulary.OCCUPATION_SUB_AREAS[area]) == 3
        assert vocabulary.GOAL_PROMPTS[area]
        assert all(prompt.strip() for prompt in vocabulary.GOAL_PROMPTS[area])


def test_sub_area_codes_are_unique_and_map_back_to_their_area() -> None:
    """A sub-area code identifies its area, so a goal can store the sub-area alone."""
    expected = {
        "personal_care": "self_care",
        "getting_around": "self_care",
        "community": "self_care",
        "school_or_work": "productivity",
        "play": "productivity",
        "jobs_at_home": "productivity",
        "quiet_recreation": "leisure",
        "active_recreation": "leisure",
        "socialising": "leisure",
    }
    assert vocabulary.OCCUPATION_AREA_OF_SUB_AREA == expected
    assert list(vocabulary.OCCUPATION_SUB_AREA_LABELS) == list(expected)
    assert "Sleep" in vocabulary.GOAL_PROMPTS["self_care"]


@pytest.mark.parametrize("scale", SCALES)
def test_scales_label_every_value_from_1_to_10(scale: dict[int, str]) -> None:
    """Every value a rater can choose has a label, and the two ends have words."""
    assert list(scale) == list(range(1, 11))
    assert list(scale) == list(vocabulary.SCALE_VALUES)
    assert all(text.strip() for text in scale.values())
    assert not scale[1].isdigit()
    assert not scale[10].isdigit()


def test_scale_end_labels() -> None:
    """The ends of each scale read as the domain describes them."""
    assert vocabulary.PERFORMANCE_SCALE[1] == "Cannot do it at all"
    assert vocabulary.PERFORMANCE_SCALE[10] == "Does it really well"
    assert vocabulary.SATISFACTION_SCALE[1] == "Not happy at all"
    assert vocabulary.SATISFACTION_SCALE[10] == "Really happy"
    assert vocabulary.IMPORTANCE_SCALE[1] == "Not important at all"
    assert vocabulary.IMPORTANCE_SCALE[10] == "Really important"
    assert vocabulary.PERFORMANCE_SCALE[2] == "2"


def test_label_finds_the_label_for_a_code() -> None:
    """label() looks codes up in any of the mappings, text or number keyed."""
    assert vocabulary.label(vocabulary.RATER_LABELS, "parent_carer") == "A parent or carer"
    assert vocabulary.label(vocabulary.SATISFACTION_SCALE, 10) == "Really happy"


def test_label_falls_back_to_the_code_when_unknown() -> None:
    """An unknown code is shown as itself rather than breaking the page."""
    assert vocabulary.label(vocabulary.ROLE_LABELS, "retired_role") == "retired_role"
    assert vocabulary.label(vocabulary.PERFORMANCE_SCALE, 11) == "11"


def test_choices_are_code_label_pairs_in_order() -> None:
    """choices() gives form select fields their options in display order."""
    assert vocabulary.choices(vocabulary.RATER_LABELS) == [
        ("child", "The child or young person"),
        ("parent_carer", "A parent or carer"),
    ]
