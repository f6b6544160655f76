"""Every interface string has an English translation, and the switch works."""

from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = (
    Path(__file__).parent.parent / "hcimv_lc/translations/en/LC_MESSAGES/messages.po"
)


def test_every_message_is_translated_into_english():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)

    untranslated = [
        message.id
        for message in catalogue
        if message.id
        and (
            not message.string
            or (isinstance(message.string, tuple) and not all(message.string))
            or message.fuzzy
        )
    ]

    assert untranslated == []


def test_catalogue_covers_the_strings_in_code_and_templates(tmp_path, monkeypatch):
    from babel.messages.frontend import CommandLineInterface

    template = tmp_path / "messages.pot"
    monkeypatch.chdir(Path(__file__).parent.parent)
    CommandLineInterface().run(
        ["pybabel", "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(template), "."]
    )
    with template.open("rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}
    with CATALOGUE.open("rb") as handle:
        translated = {message.id for message in read_po(handle) if message.id}

    assert extracted - translated == set()


def test_english_profile_shows_english_pages(app, as_persona, world):
    from hcimv_lc.accounts.models import User
    from hcimv_lc.extensions import db

    with app.app_context():
        db.session.get(User, world.person("participant").id).locale = "en"
        db.session.commit()

    page = as_persona("participant").get("/communities").get_data(as_text=True)

    assert "Learning communities" in page
    assert '<html lang="en">' in page
