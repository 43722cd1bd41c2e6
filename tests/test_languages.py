"""The interface in Welsh (and any language): the switch, the page's language and direction,
dates, and the family's and the child's pages with no missing translation."""

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from goaltracker import create_app, i18n, templating
from tests import factories, test_access
from tests.conftest import TEST_CONFIG
from tests.languages import in_welsh, unmarked_words
from tests.test_child_rating import answer, start

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "goaltracker" / "translations"
# Every template: each word a page shows goes through the catalogue.
TEMPLATES = sorted(
    str(path.relative_to(ROOT / "templates"))
    for path in (ROOT / "templates").rglob("*.*")
    if path.suffix in (".html", ".txt")  # pages and emails
)


def read_catalogue(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def test_the_compiled_catalogue_is_the_po_file():
    po = read_catalogue(CATALOGUES / "cy" / "LC_MESSAGES" / "messages.po")
    with (CATALOGUES / "cy" / "LC_MESSAGES" / "messages.mo").open("rb") as compiled:
        mo = Translations(compiled)
    for message in po:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            assert mo.ungettext(message.id[0], message.id[1], 1) == message.string[1]
        else:
            assert message.string, message.id
            assert mo.ugettext(message.id) == message.string


def test_every_marked_message_has_a_welsh_translation():
    po = read_catalogue(CATALOGUES / "cy" / "LC_MESSAGES" / "messages.po")
    template = read_catalogue(CATALOGUES / "messages.pot")
    held = {
        message.id
        for message in po
        if message.id
        and not message.fuzzy
        and (all(message.string) if isinstance(message.string, tuple) else message.string)
    }
    assert {message.id for message in template if message.id} <= held


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_template_has_words_left_unmarked(app, name):
    source = (ROOT / "templates" / name).read_text()
    source = re.sub(r"{#.*?#}", "", source, flags=re.S)
    assert unmarked_words(app, source) == []


def test_the_check_for_unmarked_words_finds_them(app):
    assert unmarked_words(app, "<p>Hello {{ name }}</p>") == ["Hello"]
    assert unmarked_words(app, '{{ govukButton({"text": "Save it"}) }}') == ["Save", "it"]
    assert unmarked_words(app, '<a href="{{ link }}" class="x">{{ _("Go") }}</a>') == []
    assert unmarked_words(app, '{{ govukButton({"text": _("Save")}) }}') == []
    assert unmarked_words(app, "{% trans %}Hello {{ name }}{% endtrans %}") == []


def test_the_family_and_the_childs_pages_in_welsh_miss_no_translation(client, auth, world, misses):
    factories.make_goal(world.child, text="Reidio fy meic")
    factories.make_rating(world.goal, date(2026, 1, 10), 2, 3, rater="child")
    factories.db.session.commit()
    auth.sign_in(world.parent)
    in_welsh(client)
    pages = [client.get("/family/")]
    pages.append(client.get(f"/children/{world.child.id}/my-rating"))
    start(client, world.child)
    pages.append(client.get(f"/children/{world.child.id}/my-rating/1"))
    pages.append(answer(client, world.child, 1))  # no answers: the errors, in Welsh
    answer(client, world.child, 1, 6, 8)
    answer(client, world.child, 2, skip=True)
    pages.append(client.get(f"/children/{world.child.id}/my-rating/save"))
    saved = client.post(f"/children/{world.child.id}/my-rating/save", data={})
    pages.append(client.get(saved.headers["Location"]))
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200, html[:500]
        assert '<html lang="cy" dir="ltr"' in html
    assert misses == set()
    home, rating_start, first, refused, check, done = (
        page.get_data(as_text=True) for page in pages
    )
    assert "Nodau Amir" in home and "Sgorio nodau Amir" in home
    assert "Sgoriwch eich nodau" in rating_start and "2 nod i’w sgorio." in rating_start
    assert "Pa mor dda ydych chi’n gwneud hyn nawr?" in first
    assert "Dw i ddim yn gallu ei wneud eto" in first
    assert "Dewiswch rif ar gyfer pa mor dda" in refused
    assert "Wedi’i hepgor" in check and "Reidio fy meic" in check  # the goal in its own words
    assert "Mae eich sgoriau wedi’u cadw" in done


def test_the_sharing_page_and_its_decisions_in_welsh_miss_no_translation(
    client, auth, world, misses
):
    auth.sign_in(world.parent)
    in_welsh(client)
    sharing = client.get(f"/family/children/{world.child.id}/sharing")
    html = sharing.get_data(as_text=True)
    assert sharing.status_code == 200
    assert "Pwy sy’n gallu gweld nodau Amir" in html and "Gwasanaethau yn Test Borough" in html
    assert "Ydy, bob amser" in html and "Caniatáu" in html
    allowed = client.post(
        f"/family/children/{world.child.id}/sharing/{world.school.id}",
        data={"decision": "allow"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Mae Northfield School yn gallu gweld nodau Amir nawr." in allowed
    assert "caniataodd i sefydliad weld y cofnod" in allowed  # the history, in Welsh
    assert " am " in allowed and ("yb" in allowed or "yh" in allowed or "canol dydd" in allowed)
    assert misses == set()


def test_a_parents_rating_in_welsh_misses_no_translation(client, auth, world, misses):
    auth.sign_in(world.parent)
    in_welsh(client)
    url = f"/children/{world.child.id}/review"
    form = client.get(url).get_data(as_text=True)
    assert (
        "Sgorio’r nodau" in form and "Barn pwy yw hon?" in form and "Methu ei wneud o gwbl" in form
    )
    today = date.today()
    day = {"assessed_on": [str(today.day), str(today.month), str(today.year)]}
    refused = client.post(url, data={**day, "rater": "parent_carer"}).get_data(as_text=True)
    assert "Sgoriwch o leiaf un nod" in refused
    half = client.post(
        url, data={**day, "rater": "parent_carer", f"performance_{world.goal.id}": "4"}
    ).get_data(as_text=True)
    assert "Dewiswch pa mor hapus ydych chi gyda" in half
    scores = {f"performance_{world.goal.id}": "6", f"satisfaction_{world.goal.id}": "7"}
    saved = client.post(url, data={**day, "rater": "parent_carer", **scores})
    summary = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Sgoriau ar" in summary and "Pob nod" in summary
    again = {**day, "rater": "parent_carer", **{key: "8" for key in scores}}
    warning = client.post(url, data=again).get_data(as_text=True)
    assert "eisoes wedi’u cadw gan chi ar" in warning
    assert misses == set()


def test_the_childs_record_in_welsh_misses_no_translation(client, auth, world, misses):
    factories.make_rating(world.goal, date(2026, 3, 10), 6, 7)
    factories.make_goal(world.child, text="Ride my bike")
    factories.db.session.commit()
    auth.sign_in(world.parent)
    in_welsh(client)
    client.post(f"/children/{world.child.id}/notes", data={"body": "Great week"})
    page = client.get(f"/children/{world.child.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Yr adolygiad nesaf" in html and "Prif angen:" in html and "Nodiadau" in html
    assert "Cyntaf: pa mor dda 3" in html and "wedi gwella gan swm pwysig" in html
    assert "Ride my bike" in html and "Great week" in html
    assert misses == set()


def test_no_template_hides_the_translation_function():
    # `{% set _ = ... %}` would replace _() for the rest of the template.
    for path in (ROOT / "templates").rglob("*.*"):
        assert not re.search(r"{%-?\s*set\s+_\s*=", path.read_text()), path


def test_signing_in_and_error_pages_in_welsh_miss_no_translation(client, auth, world, misses):
    in_welsh(client)
    sign_in = client.get("/sign-in").get_data(as_text=True)
    assert "Mewngofnodi i Goal Tracker" in sign_in and "Cyfrinair" in sign_in
    refused = auth.sign_in(world.parent.email, "not the password").get_data(as_text=True)
    assert "Mae problem" in refused and "Rhowch gyfeiriad e-bost a chyfrinair cywir" in refused
    blank = client.post("/sign-in", data={}).get_data(as_text=True)
    assert "Rhowch eich cyfeiriad e-bost" in blank
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "Heb ddod o hyd i’r dudalen" in missing.get_data(as_text=True)
    auth.sign_in(world.other_parent)
    forbidden = client.get(f"/children/{world.child.id}/my-rating")
    assert forbidden.status_code == 403
    assert "Ni allwch weld y dudalen hon" in forbidden.get_data(as_text=True)
    assert misses == set()


def test_the_switch_remembers_the_choice_and_only_goes_back_to_this_site(client, auth, world):
    auth.sign_in(world.parent)
    english = client.get("/family/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr"' in english
    assert 'lang="cy" hreflang="cy">Cymraeg</a>' in english
    switched = client.get("/language/cy?next=/family/")
    assert switched.status_code == 302 and switched.headers["Location"] == "/family/"
    cookie = switched.headers["Set-Cookie"]
    assert cookie.startswith("language=cy") and "HttpOnly" in cookie and "Max-Age" in cookie
    welsh = client.get("/family/").get_data(as_text=True)
    assert '<html lang="cy"' in welsh and 'aria-current="true" lang="cy">Cymraeg' in welsh
    for unsafe in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x"):
        response = client.get("/language/en", query_string={"next": unsafe})
        assert response.headers["Location"] == "/"
    assert client.get("/language/xx").status_code == 404


def test_words_written_in_a_template_follow_each_pages_language(app):
    # Jinja works out constant expressions once, when it compiles a template: the service's
    # filters must not let it, or the first page's language would stay for every later page.
    template = app.jinja_env.from_string("{{ 'Goal' | t }} {{ None | band_words | t }}")
    for cookie, expected in (("cy", "Nod Heb ei ailasesu eto"), ("en", "Goal Not yet reassessed")):
        with app.app_context(), app.test_request_context(headers={"Cookie": f"language={cookie}"}):
            assert template.render() == expected


def test_dates_are_written_in_the_pages_language(app):
    # Each request has its own app context, where the language is kept.
    with app.app_context(), app.test_request_context(headers={"Cookie": "language=cy"}):
        assert templating.format_date(date(2026, 12, 2)) == "2 Rhagfyr 2026"
    with app.app_context(), app.test_request_context():
        assert templating.format_date(date(2026, 12, 2)) == "2 December 2026"


def test_a_right_to_left_language_turns_the_page(app, client, auth, world):
    # A pseudo-locale: Arabic offered with no catalogue, so the words stay English but the
    # page is laid out right to left.
    app.config["LANGUAGES"] = ("en", "cy", "ar")
    assert i18n.direction("ar") == "rtl" and i18n.direction("cy") == "ltr"
    auth.sign_in(world.parent)
    client.set_cookie("language", "ar")
    page = client.get("/family/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl"' in html
    assert "Amir" in html


# Who opens each page in the crawl below: the first of these the access table lets in.
VISITORS = (
    "parent",
    "key_worker",
    "manager",
    "admin",
    "anonymous",
    "school_practitioner",
    "other_parent",
    "arealess_admin",
)


def first_visitor(endpoint: str) -> str | None:
    expectations = test_access.RULES[endpoint][1]
    allowed = [actor for actor in VISITORS if expectations.get(actor) == 200]
    return allowed[0] if allowed else None


def rules_with(method: str) -> list[str]:
    """Return the endpoints that take `method` and that someone may open (not the API's)."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if method in rule.methods
        and rule.endpoint in test_access.RULES
        and first_visitor(rule.endpoint)
        and not rule.rule.startswith("/api/")
    )


def visit_in_welsh(app, client, auth, world, endpoint: str):
    actor = first_visitor(endpoint)
    if actor != "anonymous":
        auth.sign_in(getattr(world, actor), factories.PASSWORD)
    in_welsh(client)
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    return factories.build_url(rule, world)


@pytest.mark.parametrize("endpoint", rules_with("GET"))
def test_every_page_anyone_can_open_is_whole_in_welsh(app, client, auth, world, misses, endpoint):
    factories.make_rating(world.goal, date(2026, 3, 10), 6, 7)
    factories.db.session.commit()
    url = visit_in_welsh(app, client, auth, world, endpoint)
    response = client.get(url)
    assert response.status_code == 200, url
    if response.mimetype == "text/html":
        assert '<html lang="cy"' in response.get_data(as_text=True)
    assert misses == set(), url


@pytest.mark.parametrize("endpoint", rules_with("POST"))
def test_every_form_sent_empty_answers_in_welsh(app, client, auth, world, misses, endpoint):
    url = visit_in_welsh(app, client, auth, world, endpoint)
    response = client.post(url, data={}, follow_redirects=True)
    assert response.status_code < 500, url
    assert misses == set(), url
