"""Creating, finding, joining, leaving and managing communities."""

import re

from sqlalchemy import select

from hcimv_lc.communities.models import Community, Invitation, Membership
from hcimv_lc.extensions import db


def community(app, slug):
    with app.app_context():
        return db.session.scalar(select(Community).where(Community.slug == slug))


def role_of(app, slug, email):
    with app.app_context():
        return db.session.scalar(
            select(Membership.role)
            .join(Community)
            .join(Membership.user)
            .where(Community.slug == slug, Membership.user.has(email=email))
        )


def community_form(world, **fields):
    data = {
        "name": "Warmtepompen Achterhoek",
        "theme": "companies",
        "region": world.region_ids["twente"],
        "organisation": world.organisation_id,
        "description": "We leren **samen** <script>alert(1)</script>",
        "is_open": "y",
    }
    data.update(fields)
    return data


def test_facilitator_creates_a_community_and_leads_it(app, as_persona, world):
    client = as_persona("facilitator")

    response = client.post("/communities/new", data=community_form(world))

    created = community(app, "warmtepompen-achterhoek")
    assert response.status_code == 303
    assert response.headers["Location"] == "/communities/warmtepompen-achterhoek"
    assert created.is_open and created.theme == "companies"
    assert role_of(app, created.slug, "facilitator@example.org") == "facilitator"


def test_community_description_is_rendered_and_sanitised(app, as_persona, world):
    client = as_persona("facilitator")
    client.post("/communities/new", data=community_form(world))

    page = client.get("/communities/warmtepompen-achterhoek").get_data(as_text=True)

    assert "<strong>samen</strong>" in page
    assert "<script>alert(1)</script>" not in page


def test_community_with_the_same_name_gets_its_own_address(app, as_persona, world):
    client = as_persona("facilitator")

    client.post("/communities/new", data=community_form(world, name="Besloten Kring"))

    assert community(app, "besloten-kring-2") is not None


def test_participant_may_not_create_a_community(as_persona, world):
    response = as_persona("participant").post(
        "/communities/new", data=community_form(world)
    )

    assert response.status_code == 403


def test_community_form_keeps_input_and_explains_a_missing_name(app, as_persona, world):
    response = as_persona("admin").post(
        "/communities/new",
        data=community_form(world, name="", description="Mijn tekst"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vul dit veld in." in page
    assert "Mijn tekst" in page


def test_list_filters_by_theme_region_and_name(app, client, world):
    with app.app_context():
        item = db.session.scalar(select(Community).where(Community.slug == world.open))
        item.theme = "individuals"
        db.session.commit()

    by_theme = client.get("/communities?theme=individuals").get_data(as_text=True)
    by_name = client.get("/communities?q=oost").get_data(as_text=True)
    by_region = client.get(f"/communities?region={world.region_ids['groningen']}")

    assert "Installateurs Oost" in by_theme
    assert "Installateurs Oost" in by_name
    assert "Installateurs Oost" not in by_region.get_data(as_text=True)
    assert "Geen leergemeenschap gevonden" in by_region.get_data(as_text=True)


def test_list_hides_closed_communities_from_outsiders(as_persona):
    outsider = as_persona("outsider").get("/communities").get_data(as_text=True)
    member = as_persona("participant").get("/communities").get_data(as_text=True)

    assert "Besloten Kring" not in outsider
    assert "Netwerk Noorden" not in outsider
    assert "Besloten Kring" in member


def test_list_search_treats_wildcards_as_text(client, world):
    page = client.get("/communities?q=%25").get_data(as_text=True)

    assert "Installateurs Oost" not in page


def test_htmx_filter_gets_only_the_list_fragment(client, world):
    response = client.get("/communities?q=oost", headers={"HX-Request": "true"})

    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<section id="community-list"')
    assert "<html" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_outsider_joins_an_open_community(app, as_persona, world):
    response = as_persona("outsider").post(f"/communities/{world.open}/join")

    assert response.status_code == 303
    assert role_of(app, world.open, "outsider@example.org") == "participant"


def test_join_through_htmx_swaps_the_membership_box(app, as_persona, world):
    response = as_persona("outsider").post(
        f"/communities/{world.open}/join", headers={"HX-Request": "true"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="membership"')
    assert "Leergemeenschap verlaten" in page


def test_joining_twice_keeps_one_membership(app, as_persona, world):
    client = as_persona("outsider")

    client.post(f"/communities/{world.open}/join")
    client.post(f"/communities/{world.open}/join")

    with app.app_context():
        query = select(Membership).where(
            Membership.user.has(email="outsider@example.org")
        )
        memberships = db.session.scalars(query).all()
    assert len(memberships) == 1


def test_member_leaves_a_community(app, as_persona, world):
    response = as_persona("participant").post(f"/communities/{world.open}/leave")

    assert response.status_code == 303
    assert role_of(app, world.open, "participant@example.org") is None


def test_last_facilitator_cannot_leave(app, as_persona, world):
    client = as_persona("facilitator")

    client.post(f"/communities/{world.open}/leave")
    page = client.get(f"/communities/{world.open}").get_data(as_text=True)

    assert role_of(app, world.open, "facilitator@example.org") == "facilitator"
    assert "minstens één facilitator" in page


def test_facilitator_changes_a_role(app, as_persona, world):
    membership = world.membership_ids[("closed", "participant")]

    response = as_persona("facilitator").post(
        f"/communities/{world.closed}/members/{membership}/role",
        data={"role": "researcher"},
    )

    assert response.status_code == 303
    assert role_of(app, world.closed, "participant@example.org") == "researcher"


def test_the_last_facilitator_cannot_be_demoted(app, as_persona, world):
    membership = world.membership_ids[("closed", "facilitator")]

    as_persona("admin").post(
        f"/communities/{world.closed}/members/{membership}/role",
        data={"role": "participant"},
    )

    assert role_of(app, world.closed, "facilitator@example.org") == "facilitator"


def test_a_second_facilitator_lets_the_first_step_down(app, as_persona, world):
    client = as_persona("facilitator")
    researcher = world.membership_ids[("closed", "researcher")]
    me = world.membership_ids[("closed", "facilitator")]

    client.post(
        f"/communities/{world.closed}/members/{researcher}/role",
        data={"role": "facilitator"},
    )
    client.post(
        f"/communities/{world.closed}/members/{me}/role", data={"role": "participant"}
    )

    assert role_of(app, world.closed, "facilitator@example.org") == "participant"


def test_facilitator_removes_a_member(app, as_persona, world):
    membership = world.membership_ids[("closed", "participant")]

    as_persona("facilitator").post(
        f"/communities/{world.closed}/members/{membership}/remove"
    )

    assert role_of(app, world.closed, "participant@example.org") is None


def test_membership_of_another_community_is_not_found(as_persona, world):
    membership = world.membership_ids[("other", "other_researcher")]

    response = as_persona("facilitator").post(
        f"/communities/{world.closed}/members/{membership}/remove"
    )

    assert response.status_code == 404


def invitation_link(mail) -> str:
    return re.search(r"https?://\S+/invitations/\S+", mail[-1].get_content()).group(0)


def test_invitation_brings_someone_into_a_closed_community(
    app, as_persona, world, mail
):
    as_persona("facilitator").post(
        f"/communities/{world.closed}/members",
        data={"email": "Outsider@example.org", "role": "observer"},
    )
    link = invitation_link(mail)

    invitee = as_persona("outsider")
    page = invitee.get(link)
    response = invitee.post(link)

    assert mail[-1]["To"] == "outsider@example.org"
    assert page.status_code == 200
    assert response.status_code == 303
    assert role_of(app, world.closed, "outsider@example.org") == "observer"
    assert invitee.get(link).status_code == 410


def test_invitation_for_another_address_is_refused(app, as_persona, world, mail):
    as_persona("facilitator").post(
        f"/communities/{world.closed}/members",
        data={"email": "someone@example.org", "role": "participant"},
    )

    response = as_persona("outsider").post(invitation_link(mail))

    assert "ander e-mailadres" in response.get_data(as_text=True)
    assert role_of(app, world.closed, "outsider@example.org") is None


def test_expired_invitation_answers_410(app, as_persona, world, mail):
    as_persona("facilitator").post(
        f"/communities/{world.closed}/members",
        data={"email": "outsider@example.org", "role": "participant"},
    )
    with app.app_context():
        from datetime import timedelta

        from hcimv_lc.database import utcnow

        invitation = db.session.scalar(
            select(Invitation).where(Invitation.email == "outsider@example.org")
        )
        invitation.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()

    response = as_persona("outsider").get(invitation_link(mail))

    assert response.status_code == 410


def test_members_see_names_and_visitors_see_counts(as_persona, client, world):
    member = (
        as_persona("participant")
        .get(f"/communities/{world.open}")
        .get_data(as_text=True)
    )
    visitor = client.get(f"/communities/{world.open}").get_data(as_text=True)

    assert "Rosa Onderzoek" in member
    assert "Rosa Onderzoek" not in visitor
    assert "Onderzoekers: 1" in visitor


def test_facilitator_edits_the_community(app, as_persona, world):
    response = as_persona("facilitator").post(
        f"/communities/{world.closed}/edit",
        data=community_form(world, name="Besloten Kring Twente", is_open=""),
    )

    edited = community(app, world.closed)
    assert response.status_code == 303
    assert edited.name == "Besloten Kring Twente"
    assert edited.is_open is False


def test_facilitator_revokes_an_invitation(app, as_persona, world, mail):
    client = as_persona("facilitator")
    client.post(
        f"/communities/{world.closed}/members",
        data={"email": "outsider@example.org", "role": "participant"},
    )
    with app.app_context():
        invitation = db.session.scalar(
            select(Invitation).where(Invitation.email == "outsider@example.org")
        )

    client.post(f"/communities/{world.closed}/invitations/{invitation.id}/revoke")

    assert as_persona("outsider").get(invitation_link(mail)).status_code == 410


def test_a_new_invitation_replaces_the_earlier_one(app, as_persona, world, mail):
    client = as_persona("facilitator")
    form = {"email": "outsider@example.org", "role": "participant"}
    client.post(f"/communities/{world.closed}/members", data=form)
    first = invitation_link(mail)

    client.post(f"/communities/{world.closed}/members", data=form)

    invitee = as_persona("outsider")
    assert invitee.get(first).status_code == 410
    assert invitee.get(invitation_link(mail)).status_code == 200


def test_inviting_a_member_is_refused_beside_the_field(as_persona, world, mail):
    response = as_persona("facilitator").post(
        f"/communities/{world.closed}/members",
        data={"email": "participant@example.org", "role": "facilitator"},
    )

    assert "al lid" in response.get_data(as_text=True)
    assert mail == []


def test_leaving_a_closed_community_through_htmx_reloads_the_page(as_persona, world):
    response = as_persona("participant").post(
        f"/communities/{world.closed}/leave", headers={"HX-Request": "true"}
    )

    assert response.headers["HX-Redirect"] == "/communities"


def test_invited_account_holder_gets_a_notification(app, as_persona, world, mail):
    as_persona("facilitator").post(
        f"/communities/{world.closed}/members",
        data={"email": "outsider@example.org", "role": "participant"},
    )

    page = as_persona("outsider").get("/notifications").get_data(as_text=True)

    assert "Uitnodiging voor Besloten Kring" in page


def test_community_sets_the_default_visibility_of_new_entries(app, as_persona, world):
    client = as_persona("facilitator")
    client.post(
        f"/communities/{world.closed}/edit",
        data=community_form(
            world, name="Besloten Kring", default_visibility="community"
        ),
    )

    as_persona("participant").post(
        "/log/new",
        data={
            "what": "Gedeeld",
            "quick_minutes": "30",
            "community": community(app, world.closed).id,
        },
    )

    from hcimv_lc.logbook.models import LogEntry

    with app.app_context():
        entry = db.session.scalar(select(LogEntry).where(LogEntry.what == "Gedeeld"))
        assert entry.visibility == "community"
