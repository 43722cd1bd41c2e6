"""Alex sets up the area: outcomes framework, organisations and settings."""

import pytest
from sqlalchemy import select

from goaltracker import areas
from goaltracker.extensions import db
from goaltracker.models import Organisation, StrategicOutcome
from goaltracker.reports import kept
from tests import factories


def codes_in_order(area) -> list[str]:
    """Return the area's outcome codes in order."""
    return db.session.scalars(
        select(StrategicOutcome.code)
        .where(StrategicOutcome.area_id == area.id)
        .order_by(StrategicOutcome.position)
    ).all()


def test_admin_adds_edits_orders_and_retires_outcomes(client, auth, world):
    auth.sign_in(world.admin)
    response = client.post(
        "/admin/outcomes/new",
        data={"code": "INCLUDED", "title": "Be included", "description": "Friends and clubs"},
    )
    assert response.status_code == 302
    assert codes_in_order(world.area) == ["HEALTHY", "INCLUDED"]
    included = db.session.scalar(
        select(StrategicOutcome).where(StrategicOutcome.code == "INCLUDED")
    )
    client.post(f"/admin/outcomes/{included.id}/up")
    assert codes_in_order(world.area) == ["INCLUDED", "HEALTHY"]
    client.post(
        f"/admin/outcomes/{included.id}/edit",
        data={"code": "CHANGED", "title": "Be part of things", "description": "Clubs"},
    )
    db.session.refresh(included)
    assert (included.code, included.title) == ("INCLUDED", "Be part of things")
    client.post(f"/admin/outcomes/{included.id}/retire")
    db.session.refresh(included)
    assert included.retired_at is not None


def test_retired_outcome_keeps_its_goals_but_is_not_offered(client, auth, world):
    with kept.tracking(db.session, [world.child.id]):
        world.goal.outcomes = [world.outcome]
    areas.set_retired(world.outcome, True)
    db.session.commit()
    auth.sign_in(world.key_worker)
    page = client.get(f"/children/{world.child.id}/goals/new").get_data(as_text=True)
    assert "Be healthy" not in page
    db.session.refresh(world.goal)
    assert [outcome.code for outcome in world.goal.outcomes] == ["HEALTHY"]


def test_outcome_codes_are_checked(client, auth, world):
    auth.sign_in(world.manager)
    for code, message in [("lower", "capital letters"), ("HEALTHY", "already has an outcome")]:
        response = client.post("/admin/outcomes/new", data={"code": code, "title": "T"})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)


def test_outcomes_of_another_area_cannot_be_changed(client, auth, world):
    auth.sign_in(world.other_area_admin)
    assert client.post(f"/admin/outcomes/{world.outcome.id}/retire").status_code == 404


def test_admin_adds_an_organisation_once(client, auth, world):
    auth.sign_in(world.admin)
    data = {"name": "Sunrise Youth Project", "type": "voluntary"}
    assert client.post("/admin/organisations/new", data=data).status_code == 302
    again = client.post("/admin/organisations/new", data=data)
    assert "already has an organisation" in again.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(Organisation.type).where(Organisation.name == "Sunrise Youth Project")
        )
        == "voluntary"
    )


def test_admin_changes_settings_and_bad_values_come_back(client, auth, world):
    auth.sign_in(world.admin)
    data = {
        "review_interval_days": "56",
        "suppression_threshold": "10",
        "max_active_goals": "3",
        "important_change": "1.5",
        "retention_basis": "age_25",
        "retention_years": "6",
    }
    assert client.post("/admin/settings", data=data).status_code == 302
    db.session.refresh(world.area)
    assert (world.area.review_interval_days, world.area.important_change) == (56, 1.5)
    bad = client.post("/admin/settings", data={**data, "suppression_threshold": "zero"})
    assert bad.status_code == 200
    assert 'class="govuk-error-summary"' in bad.get_data(as_text=True)
    assert "zero" in bad.get_data(as_text=True)
    db.session.refresh(world.area)
    assert world.area.suppression_threshold == 10


def test_manager_cannot_change_settings(client, auth, world):
    auth.sign_in(world.manager)
    assert client.get("/admin/settings").status_code == 403
    factories.db.session.rollback()


@pytest.mark.parametrize(
    ("change", "says_tonight"),
    [({"important_change": "1.5"}, True), ({"review_interval_days": "56"}, True), ({}, False)],
)
def test_the_admin_is_told_when_past_figures_are_worked_out_again(
    client, auth, world, change, says_tonight
):
    auth.sign_in(world.admin)
    data = {
        "review_interval_days": str(world.area.review_interval_days),
        "suppression_threshold": "7",
        "max_active_goals": str(world.area.max_active_goals),
        "retention_basis": world.area.retention_basis,
        "retention_years": str(world.area.retention_years),
        "important_change": str(world.area.important_change),
        **change,
    }
    page = client.post("/admin/settings", data=data, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Settings saved." in text
    assert ("worked out again tonight" in text) is says_tonight


@pytest.mark.parametrize("code", ["HEALTHY\n", "HEALTHY\r\n", " HEALTHY", "HEAL THY", "healthy"])
def test_outcome_codes_are_whole_codes_only(world, code):
    with pytest.raises(areas.AreaError):
        areas.add_outcome(world.area, code, "Be healthy")
    with pytest.raises(areas.AreaError):
        areas.create_area(code, "Area")


def test_the_outcome_form_refuses_a_code_with_a_trailing_new_line(client, auth, world):
    auth.sign_in(world.admin)
    response = client.post(
        "/admin/outcomes/new", data={"code": "SAFE\n", "title": "Be safe", "description": ""}
    )
    assert "Use 1 to 32 capital letters" in response.get_data(as_text=True)


@pytest.mark.parametrize("threshold", ["4", "51", "0", "-5"])
def test_a_threshold_outside_5_to_50_is_refused(client, auth, world, threshold):
    auth.sign_in(world.admin)
    response = client.post(
        "/admin/settings",
        data={
            "review_interval_days": "84",
            "suppression_threshold": threshold,
            "max_active_goals": "5",
            "important_change": "2",
            "retention_basis": "age_25",
            "retention_years": "6",
        },
    )
    assert "The threshold must be a whole number from 5 to 50" in response.get_data(as_text=True)
    db.session.refresh(world.area)
    assert world.area.suppression_threshold == 5


def test_every_settings_change_is_audited_with_before_and_after(client, auth, world):
    from goaltracker.models import AuditEvent

    auth.sign_in(world.admin)
    client.post(
        "/admin/settings",
        data={
            "review_interval_days": "84",
            "suppression_threshold": "10",
            "max_active_goals": "5",
            "important_change": "2",
            "retention_basis": "last_activity",
            "retention_years": "3",
        },
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "area_settings_changed")
    )
    assert event.user_id == world.admin.id
    assert event.detail == {
        "before": {"suppression_threshold": 5, "retention_basis": "age_25", "retention_years": 6},
        "after": {
            "suppression_threshold": 10,
            "retention_basis": "last_activity",
            "retention_years": 3,
        },
    }


@pytest.mark.parametrize("threshold", ["4", "51"])
def test_the_command_line_refuses_a_threshold_outside_5_to_50(runner, threshold):
    result = runner.invoke(
        args=["create-area", "--code", "X", "--name", "X", "--suppression-threshold", threshold]
    )
    assert result.exit_code != 0
    assert "5<=x<=50" in result.output or "5 and 50" in result.output
