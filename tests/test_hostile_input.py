"""Random and malicious values posted to every form: a 4xx or the form again, never a 500.

Whatever is posted, nothing comes back as live script: stored text is always escaped.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories

SCRIPT = "<script>alert(1)</script>"
MALICIOUS = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "'; DROP TABLE rating; --",
    "{{ 7 * 7 }}",
    "%s%s%s%n",
    "../../etc/passwd",
    '=HYPERLINK("http://evil.example")',
    "\u202e\u0000",
    "-1",
    "0",
    "11",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2026-02-30",
    "",
    " ",
    "x" * 100_000,
    "\r\n\t\x0b\x0c",
    "😀" * 300,
]
FIELDS = [
    "text",
    "occupation_area",
    "importance",
    "outcomes",
    "set_on",
    "version",
    "status",
    "closed_on",
    "body",
    "rater",
    "assessed_on",
    "note",
    "replace_same_day",
    "first_name",
    "last_name",
    "reference",
    "date_of_birth",
    "primary_need",
    "ehcp",
    "name",
    "email",
    "relationship_to_child",
    "organisation_id",
    "key_worker_id",
    "decision",
    "email_reminders",
    "password",
    "confirm",
    "reason",
    "add_another",
    "sub_area",
    "performance",
    "satisfaction",
    "skip",
    "chosen",
    "outcomes_1",
]
VALUE = st.one_of(st.sampled_from(MALICIOUS), st.text(max_size=300), st.integers().map(str))
FORM = st.dictionaries(
    keys=st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=20)),
    values=st.one_of(VALUE, st.lists(VALUE, max_size=4)),
    max_size=12,
)


# How hard each fuzzing test tries: 25 forms, no deadline, fixtures shared between examples.
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def post_endpoints(app, world):
    """Return the URL of every route that accepts POST, filled with the world's ids."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint != "auth.sign_out":
            urls.append(factories.build_url(rule, world))
    return sorted(urls)


def add_goal_fields(form: dict, world) -> dict:
    """Add the rating form's per-goal fields too, so the review form is exercised."""
    form = dict(form)
    if "text" in form:
        form[f"performance_{world.goal.id}"] = form["text"]
        form[f"satisfaction_{world.goal.id}"] = form.get("importance", "5")
    return form


@pytest.mark.parametrize("actor", ["key_worker", "parent", "admin"])
@FUZZ
@given(form=FORM)
def test_no_form_fails_or_echoes_script_whatever_is_posted(app, client, auth, world, actor, form):
    auth.sign_in(getattr(world, actor), factories.PASSWORD)
    for url in post_endpoints(app, world):
        response = client.post(url, data=add_goal_fields(form, world))
        assert response.status_code < 500, (url, form)
        assert SCRIPT not in response.get_data(as_text=True), url


def test_stored_script_is_shown_as_text(client, auth, world):
    auth.sign_in(world.parent)
    client.post(f"/children/{world.child.id}/notes", data={"body": SCRIPT})
    page = client.get(f"/children/{world.child.id}").get_data(as_text=True)
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("character", ["\x00", "\x0b", "\x1f", "\x7f", "\x85"])
def test_control_characters_are_refused_with_the_text_kept(client, auth, world, character):
    auth.sign_in(world.parent)
    response = client.post(
        f"/children/{world.child.id}/notes", data={"body": f"managed buttons{character} today"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Remove the invisible control characters" in html
    assert "managed buttons" in html  # what was typed comes back
    assert "managed buttons" not in client.get(f"/children/{world.child.id}").get_data(as_text=True)


def test_tabs_and_new_lines_are_kept(client, auth, world):
    auth.sign_in(world.parent)
    client.post(f"/children/{world.child.id}/notes", data={"body": "line one\r\nline\ttwo"})
    assert "line one" in client.get(f"/children/{world.child.id}").get_data(as_text=True)


def test_a_query_string_with_a_nul_is_refused(client, auth, world):
    auth.sign_in(world.manager)
    assert client.get("/manager/", query_string={"by": "a\x00"}).status_code == 400


@pytest.mark.parametrize("actor", ["key_worker", "parent", "admin", "anonymous"])
def test_every_form_refuses_a_missing_csrf_token(app, client, auth, world, actor):
    if actor != "anonymous":
        auth.sign_in(getattr(world, actor), factories.PASSWORD)
    app.config["WTF_CSRF_ENABLED"] = True
    for url in post_endpoints(app, world):
        response = client.post(url, data={"text": "hello", "body": "hello"})
        assert response.status_code in (302, 400, 403, 404, 410), url
        if response.status_code == 302:  # only sign-in redirects for anonymous visitors
            assert "/sign-in" in response.headers["Location"], url


@FUZZ
@given(form=FORM)
def test_the_steps_of_a_childs_rating_and_of_goal_setting_take_any_junk(client, auth, world, form):
    """With a rating and a draft under way, junk at every step is refused, never a 500."""
    auth.sign_in(world.parent, factories.PASSWORD)
    child = world.child
    today = ["1", "6", "2026"]
    client.post(f"/children/{child.id}/my-rating", data={"assessed_on": today})
    client.post(
        f"/children/{child.id}/set-goals/write",
        data={"sub_area": "play", "text": "Play football", "importance": "7"},
    )
    client.post(f"/children/{child.id}/set-goals/choose", data={"chosen": ["1"]})
    for step in ("my-rating/1", "my-rating/save", "set-goals/write", "set-goals/choose"):
        response = client.post(f"/children/{child.id}/{step}", data=form)
        assert response.status_code < 500, (step, form)
        assert SCRIPT not in response.get_data(as_text=True), step
    for step in ("set-goals/outcomes", "set-goals/check"):
        response = client.post(f"/children/{child.id}/{step}", data=form)
        assert response.status_code < 500, (step, form)


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_a_blank_checkbox_value_ticks_nothing(app, blank):
    """Optional clears the check of the choices when the first value is blank: a blank value
    must never reach the code as a choice (the goal-setting page once failed on int(''))."""
    from werkzeug.datastructures import MultiDict
    from wtforms.validators import Optional

    from goaltracker.forms import CheckboxesField, Form

    class Ticks(Form):
        chosen = CheckboxesField(
            "Which?", choices=[("1", "One"), ("2", "Two")], validators=[Optional()]
        )

    with app.test_request_context():
        form = Ticks(MultiDict([("chosen", blank), ("chosen", "2")]), meta={"csrf": False})
        assert form.validate() and form.chosen.data == ["2"]
        form = Ticks(MultiDict([("chosen", blank)]), meta={"csrf": False})
        assert form.validate() and form.chosen.data == []
