"""Every route × every kind of person → allowed or refused, generated from the app's URL map.

A new route without an entry in RULES fails the suite, so no page can ship without a rule.
"""

import pytest
from sqlalchemy import select

from goaltracker import policy
from goaltracker.extensions import db
from goaltracker.models import Child
from tests import factories

ACTORS = (
    "anonymous",
    "parent",  # linked to the child
    "other_parent",  # linked to another child
    "key_worker",
    "colleague",  # same organisation as the key worker
    "school_practitioner",  # another organisation, no consent
    "other_area_practitioner",
    "manager",
    "admin",
    "other_area_admin",
    "arealess_admin",  # an administrator who looks after no area
)
PRACTITIONERS = {"key_worker", "colleague", "school_practitioner", "other_area_practitioner"}
CHILD_TEAM = {"parent", "key_worker", "colleague"}
SIGNED_IN = set(ACTORS) - {"anonymous"}
ADMINS = {"admin", "other_area_admin"}
SIGN_IN = "sign-in"  # expected: redirected to the sign-in page


def only(allowed: set[str], ok: int = 200) -> dict[str, object]:
    """Allowed actors get `ok`; anonymous people are sent to sign in; everyone else gets 403."""
    return {
        actor: SIGN_IN if actor == "anonymous" else (ok if actor in allowed else 403)
        for actor in ACTORS
    }


def everyone(status: int = 200) -> dict[str, object]:
    """Every actor gets the same status."""
    return dict.fromkeys(ACTORS, status)


def public_but_signed_in_redirects() -> dict[str, object]:
    """Anonymous people see the page; signed-in people go to their home page."""
    return {actor: 200 if actor == "anonymous" else 302 for actor in ACTORS}


# endpoint → (method, expectations per actor)
RULES: dict[str, tuple[str, dict[str, object]]] = {
    "main.index": ("GET", public_but_signed_in_redirects()),
    # The API: its description is public; cookies sign no one in (tokens: tests/test_api.py).
    "api.description": ("GET", everyone()),
    "api.outcomes": ("GET", everyone(401)),
    "api.report": ("GET", everyone(401)),
    "api.trend": ("GET", everyone(401)),
    "api.child_goals": ("GET", everyone(401)),
    "main.healthz": ("GET", everyone()),
    "main.accessibility": ("GET", everyone()),
    "main.privacy": ("GET", everyone()),
    "main.language": ("GET", everyone(404)),  # "ALL" is not a language
    "auth.sign_in": ("GET", public_but_signed_in_redirects()),
    "auth.sign_out": ("POST", everyone(302)),
    "auth.accept_invitation": ("GET", everyone(404)),
    "auth.two_factor": ("GET", everyone(302)),  # back to sign-in without a password first
    "auth.two_factor_setup": ("GET", everyone(302)),
    "family.home": ("GET", only({"parent", "other_parent"})),
    "practitioner.home": ("GET", only(PRACTITIONERS)),
    "practitioner.add_child": ("GET", only(PRACTITIONERS)),
    "practitioner.invite_family": ("GET", only({"key_worker", "colleague"})),
    "practitioner.invitation_sent": ("GET", only({"key_worker", "colleague"}, ok=302)),
    "children.show": ("GET", only(CHILD_TEAM)),
    "children.goal": ("GET", only(CHILD_TEAM)),
    "children.new_goal": ("GET", only(CHILD_TEAM)),
    "children.summary": ("GET", only(CHILD_TEAM)),
    "children.edit_details": ("GET", only({"key_worker", "colleague", "admin"})),
    # The URL's user is the colleague, not of the family: not found for those allowed.
    "children.remove_family_member": ("GET", only({"key_worker", "colleague", "admin"}, ok=404)),
    "family.invite": ("GET", only({"parent"})),
    "family.invitation_sent": ("GET", only({"parent"}, ok=302)),
    "family.answer_key_worker": ("POST", only({"parent"}, ok=404)),  # no such request
    "family.handover": ("GET", only(set())),  # the world's child is under 16, with no young person
    "children.summary_pdf": ("GET", only(CHILD_TEAM)),
    "children.goals_fhir": ("GET", only(CHILD_TEAM)),
    "practitioner.reminders": ("POST", only(PRACTITIONERS, ok=302)),
    "practitioner.ask_consent": ("POST", only({"key_worker", "colleague"}, ok=302)),
    "family.sharing": ("GET", only({"parent"})),
    "family.decide": ("POST", only({"parent"}, ok=400)),  # allowed; an empty form is refused
    "admin.children": ("GET", only({"admin", "other_area_admin", "manager"})),
    "admin.key_worker": ("GET", only({"admin", "manager"})),
    "admin.audit_trail": ("GET", only({"admin", "other_area_admin"})),
    "admin.erase": ("GET", only({"admin"})),
    "admin.outcomes": ("GET", only({"admin", "manager"}, ok=200) | {"other_area_admin": 200}),
    "admin.new_outcome": ("GET", only({"admin", "manager"}) | {"other_area_admin": 200}),
    "admin.edit_outcome": ("GET", only({"admin", "manager"}) | {"other_area_admin": 404}),
    "admin.change_outcome": (
        "POST",
        only({"admin", "manager"}, ok=302) | {"other_area_admin": 404},
    ),
    "admin.new_organisation": ("GET", only({"admin", "other_area_admin"})),
    "admin.settings": ("GET", only({"admin", "other_area_admin"})),
    "admin.api_keys": ("GET", only({"admin", "other_area_admin"})),
    # No such key in anyone's area.
    "admin.revoke_api_key": ("POST", only({"admin", "other_area_admin"}, ok=404)),
    "admin.import_file": ("GET", only({"admin", "other_area_admin"})),
    "admin.confirm_import": ("POST", only({"admin", "other_area_admin"}, ok=302)),
    "admin.import_done": ("GET", only({"admin", "other_area_admin"}, ok=302)),
    "family.download": ("GET", only({"parent"})),
    "family.everything": ("GET", only({"parent"})),
    "children.edit_goal": ("GET", only(CHILD_TEAM)),
    "children.goal_status": ("GET", only(CHILD_TEAM)),
    "children.new_review": ("GET", only(CHILD_TEAM)),
    "children.show_review": ("GET", only(CHILD_TEAM)),
    "children.child_rating_start": ("GET", only(CHILD_TEAM)),
    "children.set_goals": ("GET", only(CHILD_TEAM)),
    "children.write_goals": ("GET", only(CHILD_TEAM)),
    # With nothing written yet, the later steps go back to the task list.
    "children.choose_goals": ("GET", only(CHILD_TEAM, ok=302)),
    "children.goal_outcomes": ("GET", only(CHILD_TEAM, ok=302)),
    "children.check_goals": ("GET", only(CHILD_TEAM, ok=302)),
    "children.discard_goals": ("POST", only(CHILD_TEAM, ok=302)),
    "children.remove_goal_idea": ("POST", only(CHILD_TEAM, ok=302)),
    # With no rating in progress, back to the start; no child's rating that day: not found.
    "children.child_rating_goal": ("GET", only(CHILD_TEAM, ok=302)),
    "children.child_rating_save": ("GET", only(CHILD_TEAM, ok=302)),
    "children.child_rating_done": ("GET", only(CHILD_TEAM, ok=404)),
    "children.add_note": ("POST", only(CHILD_TEAM)),
    "manager.home": ("GET", only({"manager", "admin", "other_area_admin"})),
    "manager.trend": ("GET", only({"manager", "admin", "other_area_admin"})),
    "manager.export": ("GET", only({"manager", "admin", "other_area_admin"})),
    "admin.home": ("GET", only({"admin", "other_area_admin"})),
    "auth.forgotten_password": ("GET", everyone()),
    "auth.reset_password": ("GET", everyone(404)),
    "account.home": ("GET", only(SIGNED_IN)),
    "account.keep_alive": ("GET", only(SIGNED_IN, ok=204)),
    "account.change_password": ("GET", only(SIGNED_IN)),
    "account.end_session": ("POST", only(SIGNED_IN, ok=302)),
    "account.end_other_sessions": ("POST", only(SIGNED_IN, ok=302)),
    "account.two_factor": ("GET", only(SIGNED_IN)),
    "account.recovery_codes": ("GET", only(SIGNED_IN, ok=404)),  # none without an app
    "account.recovery_codes_shown": ("GET", only(SIGNED_IN, ok=302)),
    "staff.index": ("GET", only(ADMINS)),
    "staff.invite": ("GET", only(ADMINS)),
    "staff.invitation_sent": ("GET", only(ADMINS, ok=302)),
    # The staff member is the colleague, of the first area: its admin only.
    "staff.show": ("GET", only({"admin"})),
    "staff.change_role": ("POST", only({"admin"})),  # allowed; an empty form comes back
    "staff.deactivate": ("GET", only({"admin"})),
    "staff.reactivate": ("POST", only({"admin"}, ok=302)),
    "staff.reset_two_factor": ("POST", only({"admin"}, ok=302)),
    "staff.password_sign_in": ("POST", only({"admin"}, ok=302)),
    "staff.reassign": ("GET", only({"admin"})),
    "admin.retention": ("GET", only(ADMINS) | {"other_area_admin": 200}),
    "admin.public_page": ("GET", only(ADMINS) | {"other_area_admin": 200}),
    "admin.public_page_preview": ("GET", only(ADMINS)),
    # Not published: not found, for everyone, whether or not the area exists.
    "public.outcomes": ("GET", everyone(404)),
    "public.outcomes_csv": ("GET", everyone(404)),
    "public.outcomes_json": ("GET", everyone(404)),
    "public.outcomes_metadata": ("GET", everyone(404)),
    # Not configured in the access tests: single sign-on does not exist.
    "auth.single_sign_on": ("GET", everyone(404)),
    "auth.single_sign_on_callback": ("GET", everyone(404)),
}
# The service's administrator, who looks after no one area and so sees every area's people and
# records (policy.in_area): the area's own set-up pages need an area and answer 404; the rest
# answer as they do for the area's own administrator. Anything not named here is refused (403).
AREALESS_ADMIN: dict[str, int] = {
    "admin.audit_trail": 200,
    "admin.change_outcome": 404,
    "admin.children": 404,
    "admin.confirm_import": 404,
    "admin.edit_outcome": 404,
    "admin.erase": 200,
    "admin.home": 200,
    "admin.import_done": 302,
    "admin.import_file": 404,
    "admin.key_worker": 200,
    "admin.new_organisation": 404,
    "admin.new_outcome": 404,
    "admin.outcomes": 404,
    "admin.public_page": 404,
    "admin.public_page_preview": 404,
    "admin.retention": 404,
    "admin.settings": 404,
    "admin.api_keys": 404,
    "admin.revoke_api_key": 404,
    "children.edit_details": 200,
    "children.remove_family_member": 404,
    "staff.change_role": 200,
    "staff.deactivate": 200,
    "staff.index": 200,
    "staff.invitation_sent": 404,
    "staff.invite": 404,
    "staff.password_sign_in": 302,
    "staff.reactivate": 302,
    "staff.reassign": 200,
    "staff.reset_two_factor": 302,
    "staff.show": 200,
}
for _endpoint, _status in AREALESS_ADMIN.items():
    RULES[_endpoint][1]["arealess_admin"] = _status


def test_every_route_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints - RULES.keys() == set(), "add these routes to RULES in test_access.py"
    assert RULES.keys() - endpoints == set(), "these RULES name routes that no longer exist"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_route_access(app, client, auth, world, endpoint, actor):
    method, expectations = RULES[endpoint]
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    if actor != "anonymous":
        auth.sign_in(getattr(world, actor), factories.PASSWORD)
    response = client.open(factories.build_url(rule, world), method=method)
    expected = expectations[actor]
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("endpoint", ["children.show", "children.goal"])
def test_family_cannot_reach_another_childs_record_by_changing_the_url(
    client, auth, world, endpoint
):
    auth.sign_in(world.parent)
    urls = {
        "children.show": f"/children/{world.other_child.id}",
        "children.goal": f"/children/{world.other_child.id}/goals/{world.other_goal.id}",
    }
    assert client.get(urls[endpoint]).status_code == 403


def test_goal_of_another_child_under_own_child_is_not_found(client, auth, world):
    auth.sign_in(world.parent)
    response = client.get(f"/children/{world.child.id}/goals/{world.other_goal.id}")
    assert response.status_code == 404


def test_practitioner_of_another_organisation_needs_consent(client, auth, world):
    auth.sign_in(world.school_practitioner)
    assert client.get(f"/children/{world.child.id}").status_code == 403
    consent = factories.grant_consent(world.child, world.school)
    factories.db.session.commit()
    assert client.get(f"/children/{world.child.id}").status_code == 200
    consent.granted = False
    factories.db.session.commit()
    assert client.get(f"/children/{world.child.id}").status_code == 403


def test_the_set_rule_for_practitioners_agrees_with_the_rule_for_one_child(world):
    factories.grant_consent(world.other_child, world.school)
    children = db.session.scalars(select(Child)).all()
    for practitioner in (
        world.key_worker,
        world.colleague,
        world.school_practitioner,
        world.other_area_practitioner,
    ):
        visible = set(db.session.scalars(policy.children_practitioner_can_see(practitioner)))
        assert visible == {
            child.id for child in children if policy.can_see_child(practitioner, child)
        }
        assert visible or practitioner is world.other_area_practitioner
