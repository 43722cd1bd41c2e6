"""Helpers for tests of the interface's languages: catch words a page asked for in a language
whose catalogue does not hold them, and words a template shows without marking them."""

import re

import flask_babel


class Recording:
    """A catalogue that notes every message it does not hold."""

    def __init__(self, inner, misses: set):
        self.inner, self.misses = inner, misses

    def ugettext(self, message):
        if message and message not in self.inner._catalog:
            self.misses.add(message)
        return self.inner.ugettext(message)

    gettext = ugettext

    def ungettext(self, singular, plural, number):
        if (singular, 0) not in self.inner._catalog:
            self.misses.add(singular)
        return self.inner.ungettext(singular, plural, number)

    ngettext = ungettext

    def __getattr__(self, name):
        return getattr(self.inner, name)


def record_misses(monkeypatch) -> set[str]:
    """Every message a page asked for in Welsh that the catalogue does not hold."""
    found: set[str] = set()
    original = flask_babel.Domain.get_translations

    def recording(domain):
        translations = original(domain)
        if str(flask_babel.get_locale()) == "cy":
            return Recording(translations, found)
        return translations

    monkeypatch.setattr(flask_babel.Domain, "get_translations", recording)
    return found


def in_welsh(client):
    client.set_cookie("language", "cy")


MACRO_WORDS = {"text", "titleText", "summaryText", "iconFallbackText", "navigationLabel", "html"}


def unmarked_words(app, source: str) -> list[str]:
    """Return the words of a template that reach the page without going through _(): text
    outside tags and {% trans %} blocks, and words given to a macro as its text."""
    tokens = list(app.jinja_env.lexer.tokenize(source))
    pieces: list[str] = []
    found: list[str] = []
    in_trans = False
    for index, token in enumerate(tokens):
        if token.type == "name" and token.value in ("trans", "pluralize"):
            in_trans = True
        elif token.type == "name" and token.value == "endtrans":
            in_trans = False
        elif token.type == "data":
            pieces.append("" if in_trans else token.value)
        elif token.type in ("variable_begin", "block_begin"):
            pieces.append(" ")
        elif token.type == "string" and token.value in MACRO_WORDS:
            # "text": "Words" rather than "text": _("Words")
            colon, words = tokens[index + 1 : index + 3]
            if colon.type == "colon" and words.type == "string":
                found += re.findall(r"[A-Za-z][A-Za-z']+", words.value)
    text = re.sub(r"<[^>]*>", " ", "".join(pieces))
    words = re.findall(r"[A-Za-z][A-Za-z']+", text) + found
    # Names of formats such as PDF and FHIR are the same in every language.
    return [word for word in words if not word.isupper()]


def welsh_page(response, status: int = 200) -> str:
    """Return a response's text, checking its status and, for a page, that it is in Welsh."""
    html = response.get_data(as_text=True)
    assert response.status_code == status, html[:500]
    if response.mimetype == "text/html":
        assert '<html lang="cy"' in html
    return html
