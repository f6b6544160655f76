"""Administrators manage regions and organisations."""

from sqlalchemy import select

from hcimv_lc.extensions import db
from hcimv_lc.organisations.models import Organisation, Region


def test_admin_adds_a_region(app, as_persona, world):
    response = as_persona("admin").post(
        "/admin/regions/new", data={"name": "Achterhoek"}
    )

    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.name == "Achterhoek"))
    assert response.status_code == 303
    assert region.slug == "achterhoek"


def test_region_names_are_unique(app, as_persona, world):
    response = as_persona("admin").post("/admin/regions/new", data={"name": "Twente"})

    assert "Er is al een regio met deze naam" in response.get_data(as_text=True)


def test_admin_adds_an_organisation_in_a_region(app, as_persona, world):
    response = as_persona("admin").post(
        "/admin/organisations/new",
        data={
            "name": "Lectoraat Employability Transition",
            "kind": "lectorate",
            "region": world.region_ids["twente"],
            "parent": world.organisation_id,
            "website": "https://www.saxion.nl",
        },
    )

    with app.app_context():
        lectorate = db.session.scalar(
            select(Organisation).where(Organisation.kind == "lectorate")
        )
        assert (lectorate.parent.name, lectorate.region.name) == ("Saxion", "Twente")
    assert response.status_code == 303


def test_organisation_refuses_a_javascript_link(app, as_persona, world):
    response = as_persona("admin").post(
        "/admin/organisations/new",
        data={
            "name": "Foute Link BV",
            "kind": "sme",
            "region": world.region_ids["twente"],
            "parent": 0,
            "website": "javascript://alert(1)",
        },
    )

    assert "beginnend met https://" in response.get_data(as_text=True)


def test_organisation_cannot_become_its_own_parent(app, as_persona, world):
    response = as_persona("admin").post(
        f"/admin/organisations/{world.organisation_id}",
        data={
            "name": "Saxion",
            "kind": "university",
            "region": world.region_ids["twente"],
            "parent": world.organisation_id,
        },
    )

    with app.app_context():
        saxion = db.session.get(Organisation, world.organisation_id)
        assert saxion.parent_id is None
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_organisation_list_is_paginated(app, as_persona, world):
    with app.app_context():
        for number in range(60):
            db.session.add(
                Organisation(
                    slug=f"mkb-{number}",
                    name=f"Mkb {number:02d}",
                    kind="sme",
                    region_id=world.region_ids["twente"],
                )
            )
        db.session.commit()
    client = as_persona("admin")

    first = client.get("/admin/organisations").get_data(as_text=True)
    second = client.get("/admin/organisations?page=2").get_data(as_text=True)

    assert "Pagina 1 van 2" in first
    assert "Saxion" in second


def test_organisation_cannot_fall_under_its_own_child(app, as_persona, world):
    client = as_persona("admin")
    form = {"kind": "lectorate", "region": world.region_ids["twente"], "website": ""}
    client.post(
        "/admin/organisations/new",
        data={**form, "name": "Lectoraat X", "parent": world.organisation_id},
    )
    with app.app_context():
        child = db.session.scalar(
            select(Organisation).where(Organisation.name == "Lectoraat X")
        )

    response = client.post(
        f"/admin/organisations/{world.organisation_id}",
        data={**form, "name": "Saxion", "kind": "university", "parent": child.id},
    )

    assert "onder zichzelf" in response.get_data(as_text=True)
