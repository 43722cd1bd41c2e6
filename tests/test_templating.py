"""The page templates' environment and display filters."""

from datetime import UTC, date, datetime

from goaltracker import templating


def test_templates_see_every_global_through_a_plain_dict(app):
    template = app.jinja_env.get_template("base.html")
    assert type(template.globals) is dict
    assert template.globals == app.jinja_env.globals
    assert {"url_for", "csrf_token", "vocabulary", "navigation_items"} <= set(template.globals)


def test_a_template_renders_its_own_globals_beside_the_environments(app):
    template = app.jinja_env.from_string(
        "{{ own }} {{ label({'a': 'Apple'}, 'a') }}", globals={"own": "mine"}
    )
    assert template.render() == "mine Apple"


def test_dates_read_as_people_write_them():
    assert templating.format_date(date(2026, 3, 1)) == "1 March 2026"
    assert templating.format_date(None) == ""
    assert templating.format_datetime(datetime(2026, 3, 1, 9, 5)) == "1 March 2026 at 9:05am"
    # British Summer Time: an hour ahead of UTC, which can change the day.
    assert templating.format_datetime(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == (
        "2 July 2026 at 12:30am"
    )
    assert templating.format_datetime(datetime(2026, 7, 1, 11, 0, tzinfo=UTC)) == (
        "1 July 2026 at midday"
    )
    assert templating.format_datetime(datetime(2026, 12, 1, 0, 0, tzinfo=UTC)) == (
        "1 December 2026 at midnight"
    )
    assert templating.format_datetime(datetime(2026, 12, 1, 17, 0, tzinfo=UTC)) == (
        "1 December 2026 at 5pm"
    )


def test_flashed_messages_show_as_text_in_the_banner_not_as_markup(client, auth, world):
    auth.sign_in(world.parent)
    client.post(f"/children/{world.child.id}/notes", data={"body": "Tuesday <b>went</b> well"})
    page = client.get(f"/children/{world.child.id}").get_data(as_text=True)
    assert '<p class="govuk-notification-banner__heading">Note added.</p>' in page
    assert "&lt;p" not in page
