"""One child's goals and ratings as a FHIR R4 Bundle, for health records and for the family.

The child is a `Patient` with only what another system needs to match the record: the service's
reference, the name and the date of birth. Each goal is a `Goal` in the family's own words; each
rating is two `Observation`s, performance and satisfaction, whose `focus` is the goal and whose
`performer` is whose view it is (the child, or a parent or carer as a `RelatedPerson`). Where no
standard code fits, the codes are the service's own, in the `CodeSystem` the bundle carries.

UK Core has no Goal profile yet, so the resources claim no profile.
"""

import uuid
from datetime import datetime

from goaltracker import vocabulary
from goaltracker.models import Child, Goal, Rating

SCALE_LOWEST, SCALE_HIGHEST = 1, 10
MEDIA_TYPE = "application/fhir+json"


def code_system_url(base_url: str) -> str:
    """Return the address that names the service's own codes."""
    return f"{base_url.rstrip('/')}/fhir/CodeSystem/goal-tracker"


def reference_system(base_url: str, area_code: str) -> str:
    """Return the address that names an area's child references."""
    return f"{base_url.rstrip('/')}/fhir/NamingSystem/{area_code}/child-reference"


# The service's own codes: the two scales, whose view, and the areas of life a goal is about.
SCALES: dict[str, tuple[str, str]] = {
    "performance": (
        "Performance",
        "How well the goal is done now, in the rater's view: 1 not at all, 10 very well.",
    ),
    "satisfaction": (
        "Satisfaction",
        "How happy the rater is with how it is done now: 1 not at all, 10 completely.",
    ),
}
# Goal status → (lifecycleStatus, achievementStatus code of the FHIR value set).
STATUSES: dict[str, tuple[str, str]] = {
    "active": ("active", "in-progress"),
    "achieved": ("completed", "achieved"),
    "stopped": ("cancelled", "not-achieved"),
}
ACHIEVEMENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/goal-achievement"


def _uuid(child: Child, *parts) -> str:
    """Return a stable urn:uuid for one resource of the child's bundle."""
    name = "/".join(str(part) for part in (child.area_id, child.id, *parts))
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'goal-tracker:' + name)}"


def code_system(base_url: str) -> dict:
    """Return the CodeSystem of the service's own codes."""
    concepts = [
        {"code": code, "display": display, "definition": definition}
        for code, (display, definition) in SCALES.items()
    ]
    concepts += [
        {"code": code, "display": label, "definition": f"Whose view: {label.lower()}."}
        for code, label in vocabulary.RATER_LABELS.items()
    ]
    concepts += [
        {
            "code": code,
            "display": label,
            "definition": vocabulary.OCCUPATION_AREA_DESCRIPTIONS[code],
        }
        for code, label in vocabulary.OCCUPATION_AREA_LABELS.items()
    ]
    return {
        "resourceType": "CodeSystem",
        "url": code_system_url(base_url),
        "name": "GoalTracker",
        "title": "Goal Tracker codes",
        "status": "active",
        "content": "complete",
        "description": "Codes of Goal Tracker for which no standard code fits: the two 1 to 10 "
        "scales a goal is rated on, whose view a rating is, and the areas of life of a goal.",
        "concept": concepts,
    }


def _coding(base_url: str, code: str, display: str) -> dict:
    return {"coding": [{"system": code_system_url(base_url), "code": code, "display": display}]}


def _patient(child: Child, base_url: str) -> dict:
    patient: dict = {
        "resourceType": "Patient",
        "identifier": [
            {"system": reference_system(base_url, child.area.code), "value": child.reference}
        ],
    }
    name = {key: value for key, value in (("family", child.last_name),) if value}
    if child.first_name:
        name["given"] = [child.first_name]
    if name:
        patient["name"] = [name]
    if child.date_of_birth:
        patient["birthDate"] = child.date_of_birth.isoformat()
    return patient


def _goal(goal: Goal, patient_url: str, base_url: str) -> dict:
    lifecycle, achievement = STATUSES[goal.status]
    resource: dict = {
        "resourceType": "Goal",
        "identifier": [{"system": code_system_url(base_url) + "/goal", "value": str(goal.id)}],
        "lifecycleStatus": lifecycle,
        "achievementStatus": {
            "coding": [{"system": ACHIEVEMENT_SYSTEM, "code": achievement}],
        },
        "category": [
            _coding(
                base_url,
                goal.occupation_area,
                vocabulary.OCCUPATION_AREA_LABELS[goal.occupation_area],
            )
        ],
        # In the family's own words and language, as they set it.
        "description": {"text": goal.text},
        "subject": {"reference": patient_url},
        "startDate": goal.set_on.isoformat(),
        "expressedBy": {"reference": patient_url},
        "target": [
            {
                "measure": {**_coding(base_url, code, display), "text": definition},
                "detailRange": {
                    "low": {"value": SCALE_LOWEST},
                    "high": {"value": SCALE_HIGHEST},
                },
            }
            for code, (display, definition) in SCALES.items()
        ],
    }
    if goal.closed_on:
        resource["statusDate"] = goal.closed_on.isoformat()
    return resource


def _observations(
    rating: Rating, goal_url: str, patient_url: str, performer_url: str, base_url: str
) -> list[dict]:
    return [
        {
            "resourceType": "Observation",
            "status": "final",
            "code": _coding(base_url, code, SCALES[code][0]),
            "subject": {"reference": patient_url},
            "focus": [{"reference": goal_url}],
            "effectiveDateTime": rating.assessed_on.isoformat(),
            "performer": [{"reference": performer_url}],
            "valueInteger": getattr(rating, code),
        }
        for code in SCALES
    ]


def child_bundle(child: Child, base_url: str, now: datetime) -> dict:
    """Return the child's goals and ratings as a FHIR R4 Bundle of type collection."""
    patient_url = _uuid(child, "patient")
    parent_url = _uuid(child, "parent_carer")
    entries = [{"fullUrl": patient_url, "resource": _patient(child, base_url)}]
    rated_by_parent = False
    for goal in child.goals:
        goal_url = _uuid(child, "goal", goal.id)
        entries.append({"fullUrl": goal_url, "resource": _goal(goal, patient_url, base_url)})
        for rating in sorted(goal.ratings, key=lambda rating: (rating.assessed_on, rating.id)):
            by_parent = rating.rater == "parent_carer"
            rated_by_parent |= by_parent
            for number, observation in enumerate(
                _observations(
                    rating,
                    goal_url,
                    patient_url,
                    parent_url if by_parent else patient_url,
                    base_url,
                )
            ):
                entries.append(
                    {"fullUrl": _uuid(child, "rating", rating.id, number), "resource": observation}
                )
    if rated_by_parent:
        related = {
            "resourceType": "RelatedPerson",
            "patient": {"reference": patient_url},
            "relationship": [
                _coding(base_url, "parent_carer", vocabulary.RATER_LABELS["parent_carer"])
            ],
        }
        entries.insert(1, {"fullUrl": parent_url, "resource": related})
    entries.append(
        {"fullUrl": _uuid(child, "codes"), "resource": code_system(base_url)},
    )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.isoformat(timespec="seconds"),
        "entry": entries,
    }
