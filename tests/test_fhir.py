"""A child's goals as FHIR: checked against a maintained FHIR model library, for the family, the
child's team and an API key of an organisation the record is shared with."""

import json
from datetime import date

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.relatedperson import RelatedPerson
from sqlalchemy import select

from goaltracker import fhir, goals
from goaltracker.api import tokens
from goaltracker.extensions import db
from goaltracker.models import AuditEvent, utcnow
from tests import factories

BASE = "https://goal-tracker.example"


@pytest.fixture
def rated_child(world):
    """The world's child with an achieved goal rated by the child and a parent, and a stopped
    one in Welsh."""
    child = world.child
    goal = factories.make_goal(
        child, text="Mynd i'r siop ar fy mhen fy hun", set_on=date(2026, 1, 5)
    )
    factories.make_rating(goal, date(2026, 1, 5), 2, 3, rater="child")
    factories.make_rating(goal, date(2026, 4, 1), 7, 8, rater="parent_carer")
    goals.change_status(goal, "achieved", on=date(2026, 4, 1), changed_by=world.key_worker)
    stopped = factories.make_goal(child, text="Swim a length", set_on=date(2026, 2, 1))
    goals.change_status(stopped, "stopped", on=date(2026, 3, 1), changed_by=world.key_worker)
    db.session.commit()
    return child


def parsed(bundle: dict) -> list:
    """Validate the bundle and each resource with the FHIR models; return the resources."""
    Bundle.model_validate(bundle)
    models = {
        "Patient": Patient,
        "Goal": Goal,
        "Observation": Observation,
        "RelatedPerson": RelatedPerson,
        "CodeSystem": CodeSystem,
    }
    return [
        models[entry["resource"]["resourceType"]].model_validate(entry["resource"])
        for entry in bundle["entry"]
    ]


def test_the_bundle_is_valid_fhir_with_every_goal_and_rating(rated_child):
    bundle = fhir.child_bundle(rated_child, BASE, utcnow())
    resources = parsed(bundle)
    kinds = [resource.__resource_type__ for resource in resources]
    goal_count = len(rated_child.goals)
    rating_count = sum(len(goal.ratings) for goal in rated_child.goals)
    assert kinds.count("Goal") == goal_count
    assert kinds.count("Observation") == 2 * rating_count
    assert kinds.count("Patient") == kinds.count("RelatedPerson") == kinds.count("CodeSystem") == 1
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    # Stable: the same record gives the same addresses.
    assert urls == [
        entry["fullUrl"] for entry in fhir.child_bundle(rated_child, BASE, utcnow())["entry"]
    ]


def test_the_patient_carries_only_what_is_needed(rated_child):
    patient = fhir.child_bundle(rated_child, BASE, utcnow())["entry"][0]["resource"]
    assert set(patient) <= {"resourceType", "identifier", "name", "birthDate"}
    assert patient["identifier"][0]["value"] == rated_child.reference


def test_goals_are_in_the_familys_words_with_their_status_and_scales(rated_child):
    bundle = fhir.child_bundle(rated_child, BASE, utcnow())
    by_text = {
        entry["resource"]["description"]["text"]: entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Goal"
    }
    welsh = by_text["Mynd i'r siop ar fy mhen fy hun"]
    assert welsh["lifecycleStatus"] == "completed"
    assert welsh["achievementStatus"]["coding"][0]["code"] == "achieved"
    assert welsh["startDate"] == "2026-01-05" and welsh["statusDate"] == "2026-04-01"
    assert "addresses" not in welsh
    assert [target["measure"]["coding"][0]["code"] for target in welsh["target"]] == [
        "performance",
        "satisfaction",
    ]
    assert {
        (t["detailRange"]["low"]["value"], t["detailRange"]["high"]["value"])
        for t in welsh["target"]
    } == {(1, 10)}
    stopped = by_text["Swim a length"]
    assert (stopped["lifecycleStatus"], stopped["achievementStatus"]["coding"][0]["code"]) == (
        "cancelled",
        "not-achieved",
    )


def test_each_rating_is_two_observations_focused_on_its_goal_by_whose_view(rated_child):
    bundle = fhir.child_bundle(rated_child, BASE, utcnow())
    full_urls = {entry["resource"]["resourceType"]: entry["fullUrl"] for entry in bundle["entry"]}
    goal_url = next(
        entry["fullUrl"]
        for entry in bundle["entry"]
        if entry["resource"].get("description", {}).get("text", "").startswith("Mynd")
    )
    observations = [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Observation"
        and entry["resource"]["focus"][0]["reference"] == goal_url
    ]
    seen = {
        (
            o["effectiveDateTime"],
            o["code"]["coding"][0]["code"],
            o["valueInteger"],
            o["performer"][0]["reference"],
        )
        for o in observations
    }
    assert seen == {
        ("2026-01-05", "performance", 2, full_urls["Patient"]),
        ("2026-01-05", "satisfaction", 3, full_urls["Patient"]),
        ("2026-04-01", "performance", 7, full_urls["RelatedPerson"]),
        ("2026-04-01", "satisfaction", 8, full_urls["RelatedPerson"]),
    }
    codes = {concept["code"] for concept in fhir.code_system(BASE)["concept"]}
    for observation in observations:
        assert observation["code"]["coding"][0]["system"] == fhir.code_system_url(BASE)
        assert observation["code"]["coding"][0]["code"] in codes


def test_the_family_and_the_team_download_it_and_it_is_audited(client, auth, world, rated_child):
    for person in (world.parent, world.key_worker):
        auth.sign_in(person)
        response = client.get(f"/children/{rated_child.id}/goals.fhir.json")
        assert response.status_code == 200 and response.mimetype == fhir.MEDIA_TYPE
        assert "attachment" in response.headers["Content-Disposition"]
        parsed(json.loads(response.data))
        auth.sign_out()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "record_downloaded")
    ).all()
    assert {(event.user_id, event.detail["format"]) for event in events} == {
        (world.parent.id, "fhir"),
        (world.key_worker.id, "fhir"),
    }


def _records_key(world, organisation) -> str:
    return factories.issue_api_key(
        world, [tokens.RECORDS_READ], organisation=organisation, name="Community health record"
    )[1]


def test_an_api_key_reads_only_children_shared_with_its_organisation(client, world, rated_child):
    health = {"Authorization": f"Bearer {_records_key(world, world.health)}"}
    school = {"Authorization": f"Bearer {_records_key(world, world.school)}"}
    url = f"/api/v1/children/{rated_child.reference}/goals"
    response = client.get(url, headers=health)
    assert response.status_code == 200 and response.mimetype == fhir.MEDIA_TYPE
    parsed(response.get_json())
    assert client.get(url, headers=school).status_code == 404
    factories.grant_consent(rated_child, world.school)
    db.session.commit()
    assert client.get(url, headers=school).status_code == 200
    other = f"/api/v1/children/{world.other_child.reference}/goals"
    assert client.get(other, headers=health).status_code == 200  # the same key worker's
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "record_downloaded", AuditEvent.child_id == rated_child.id
        )
    ).first()
    assert event.detail["format"] == "fhir" and event.user_id is None
