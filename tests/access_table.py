"""The expected answer of every route for every persona.

Each entry is (method, URL template, answers). The template is filled from the test
world (`{open}`, `{closed}`, `{other}`, `{region}`, `{organisation}`, `{membership}`,
and the sprint objects of `World.ids`: `{sprint}`, `{draft}`, `{meeting}`, ...).
Answers list the status per persona, in the order of conftest.PERSONAS:

    anonymous, outsider, participant, facilitator, other_facilitator,
    researcher, other_researcher, admin

302 is the redirect to log in; 303 the redirect after a successful POST or for a
signed-in person on a page for visitors. A new route must be added here, or the
access test fails.
"""

PUBLIC = (200,) * 8
SIGNED_IN = (302, 200, 200, 200, 200, 200, 200, 200)
VISITORS_ONLY = (200, 303, 303, 303, 303, 303, 303, 303)
ADMIN_ONLY = (302, 403, 403, 403, 403, 403, 403, 200)
# A closed community of Twente: its members see it, other people get 404.
CLOSED_VIEW = (302, 404, 200, 200, 404, 200, 404, 200)
CLOSED_MANAGE = (302, 404, 403, 200, 404, 403, 404, 200)
CLOSED_MANAGE_POST = (302, 404, 403, 303, 404, 403, 404, 303)
CREATE_COMMUNITY = (302, 403, 403, 200, 200, 403, 403, 200)
# Objects of the Groningen community: only its own members and the administrator.
OTHER_VIEW = (302, 404, 404, 404, 200, 404, 200, 200)
# A draft sprint of the closed community: only its facilitator and the administrator.
DRAFT_VIEW = (302, 404, 404, 200, 404, 404, 404, 200)
DRAFT_POST = (302, 404, 404, 303, 404, 404, 404, 303)
SIGNED_IN_POST = (302,) + (303,) * 7
MEMBERS_ONLY = (302, 404, 200, 200, 404, 200, 404, 403)
# Log entries of the participant in the closed community, by visibility.
PRIVATE_ENTRY = (302, 404, 200, 404, 404, 404, 404, 404)
FACILITATORS_ENTRY = (302, 404, 200, 200, 404, 404, 404, 404)
COMMUNITY_ENTRY = (302, 404, 200, 200, 404, 200, 404, 200)
AUTHOR_ONLY = (302, 404, 200, 403, 404, 403, 404, 403)
# An empty form keeps the stored values: the author saves them again.
AUTHOR_ONLY_POST = (302, 404, 303, 403, 404, 403, 404, 403)

# Skill claims: the claimant, the facilitators of its community and administrators.
CLAIM_VIEW = (302, 404, 200, 200, 404, 404, 404, 200)
CLAIM_OWNER_POST = (302, 404, 303, 403, 404, 404, 404, 403)
MEMBERS_OF_ANY = (302, 403, 200, 200, 200, 200, 200, 403)
FACILITATORS = (302, 403, 403, 200, 200, 403, 403, 403)
# Research exports of the closed community: its researcher and administrators.
RESEARCH_EXPORT = (302, 404, 403, 403, 404, 200, 404, 200)
# Numbers of the closed community: its facilitators and researchers, and admins.
CLOSED_STUDY = (302, 404, 403, 200, 404, 200, 404, 200)
# Company visits: members of any community record them, and administrators; the
# regional view of their numbers is for researchers, facilitators and admins.
VISIT_RECORD = (302, 403, 200, 200, 200, 200, 200, 200)
REGIONAL_VIEW = (302, 403, 403, 200, 200, 200, 200, 200)
ROUTES: dict[str, list[tuple[str, str, tuple[int, ...]]]] = {
    "static": [("GET", "/static/css/app.css", PUBLIC)],
    "core.home": [("GET", "/", PUBLIC)],
    "core.healthz": [("GET", "/healthz", PUBLIC)],
    "accounts.login": [
        ("GET", "/login", VISITORS_ONLY),
        ("POST", "/login", VISITORS_ONLY),
    ],
    "accounts.logout": [("POST", "/logout", (302,) + (303,) * 7)],
    "accounts.register": [
        ("GET", "/register", VISITORS_ONLY),
        ("POST", "/register", VISITORS_ONLY),
    ],
    "accounts.forgot_password": [
        ("GET", "/password/forgot", PUBLIC),
        ("POST", "/password/forgot", PUBLIC),
    ],
    "accounts.reset_password": [
        ("GET", "/password/reset/not-a-token", (410,) * 8),
        ("POST", "/password/reset/not-a-token", (410,) * 8),
    ],
    "accounts.profile": [
        ("GET", "/account", SIGNED_IN),
        ("POST", "/account", SIGNED_IN),
    ],
    "accounts.change_password": [
        ("GET", "/account/password", SIGNED_IN),
        ("POST", "/account/password", SIGNED_IN),
    ],
    "accounts.personal_data_download": [("GET", "/account/data.json", SIGNED_IN)],
    # An empty form, or the last facilitator or administrator: the page comes back.
    "accounts.delete_account": [
        ("GET", "/account/delete", SIGNED_IN),
        ("POST", "/account/delete", SIGNED_IN),
    ],
    "accounts.choose_language": [("POST", "/language", (303,) * 8)],
    "communities.index": [("GET", "/communities", PUBLIC)],
    "communities.create": [
        ("GET", "/communities/new", CREATE_COMMUNITY),
        ("POST", "/communities/new", CREATE_COMMUNITY),
    ],
    "communities.detail": [
        ("GET", "/communities/{open}", PUBLIC),
        ("GET", "/communities/{closed}", CLOSED_VIEW),
        ("GET", "/communities/{other}", (302, 404, 404, 404, 200, 404, 200, 200)),
        ("GET", "/communities/does-not-exist", (404,) * 8),
    ],
    "communities.edit": [
        ("GET", "/communities/{closed}/edit", CLOSED_MANAGE),
        ("POST", "/communities/{closed}/edit", CLOSED_MANAGE),
    ],
    "communities.join": [
        ("POST", "/communities/{open}/join", (302,) + (303,) * 7),
        (
            "POST",
            "/communities/{closed}/join",
            (302, 404, 403, 403, 404, 403, 404, 403),
        ),
    ],
    "communities.leave": [
        (
            "POST",
            "/communities/{closed}/leave",
            (302, 404, 303, 303, 404, 303, 404, 403),
        ),
    ],
    "communities.members": [
        ("GET", "/communities/{closed}/members", CLOSED_MANAGE),
        ("POST", "/communities/{closed}/members", CLOSED_MANAGE),
    ],
    "communities.change_role": [
        ("POST", "/communities/{closed}/members/{membership}/role", CLOSED_MANAGE_POST),
    ],
    "communities.remove_member": [
        (
            "POST",
            "/communities/{closed}/members/{membership}/remove",
            CLOSED_MANAGE_POST,
        ),
    ],
    "communities.revoke_invitation": [
        (
            "POST",
            "/communities/{closed}/invitations/{invitation}/revoke",
            CLOSED_MANAGE_POST,
        ),
        (
            "POST",
            "/communities/{closed}/invitations/999999/revoke",
            (302, 404, 403, 404, 404, 403, 404, 404),
        ),
    ],
    "communities.invitation": [
        ("GET", "/invitations/not-a-token", (302,) + (404,) * 7),
        ("POST", "/invitations/not-a-token", (302,) + (404,) * 7),
    ],
    "organisations.regions": [("GET", "/admin/regions", ADMIN_ONLY)],
    "organisations.edit_region": [
        ("GET", "/admin/regions/new", ADMIN_ONLY),
        ("POST", "/admin/regions/new", ADMIN_ONLY),
        ("GET", "/admin/regions/{region}", ADMIN_ONLY),
        # An empty form keeps the stored values: saving them again is allowed.
        ("POST", "/admin/regions/{region}", (302, 403, 403, 403, 403, 403, 403, 303)),
    ],
    "organisations.organisations": [("GET", "/admin/organisations", ADMIN_ONLY)],
    "organisations.edit_organisation": [
        ("GET", "/admin/organisations/new", ADMIN_ONLY),
        ("POST", "/admin/organisations/new", ADMIN_ONLY),
        ("GET", "/admin/organisations/{organisation}", ADMIN_ONLY),
        ("POST", "/admin/organisations/{organisation}", ADMIN_ONLY),
    ],
    "sprints.plan": [
        ("GET", "/communities/{closed}/sprints/new", CLOSED_MANAGE),
        ("POST", "/communities/{closed}/sprints/new", CLOSED_MANAGE),
    ],
    "sprints.detail": [
        ("GET", "/sprints/{sprint}", CLOSED_VIEW),
        ("GET", "/sprints/{draft}", DRAFT_VIEW),
        ("GET", "/sprints/{other_sprint}", OTHER_VIEW),
        ("GET", "/sprints/999999", (404,) * 8),
    ],
    "sprints.edit": [
        ("GET", "/sprints/{sprint}/edit", CLOSED_MANAGE),
        ("POST", "/sprints/{sprint}/edit", CLOSED_MANAGE),
        ("GET", "/sprints/{draft}/edit", DRAFT_VIEW),
    ],
    "sprints.activate": [("POST", "/sprints/{draft}/activate", DRAFT_POST)],
    "sprints.close": [
        ("GET", "/sprints/{sprint}/close", CLOSED_MANAGE),
        ("POST", "/sprints/{sprint}/close", CLOSED_MANAGE),
    ],
    "sprints.copy": [
        ("GET", "/sprints/{sprint}/copy", CLOSED_MANAGE),
        ("POST", "/sprints/{sprint}/copy", CLOSED_MANAGE),
        (
            "GET",
            "/sprints/{other_sprint}/copy",
            (302, 404, 404, 404, 200, 404, 403, 200),
        ),
    ],
    "sprints.add_meeting": [
        ("GET", "/sprints/{sprint}/meetings/new", CLOSED_MANAGE),
        ("POST", "/sprints/{sprint}/meetings/new", CLOSED_MANAGE),
    ],
    "sprints.series": [
        ("GET", "/sprints/{sprint}/meetings/series", CLOSED_MANAGE),
        ("POST", "/sprints/{sprint}/meetings/series", CLOSED_MANAGE),
    ],
    "sprints.edit_meeting": [
        ("GET", "/meetings/{meeting}/edit", CLOSED_MANAGE),
        ("POST", "/meetings/{meeting}/edit", CLOSED_MANAGE),
        ("GET", "/meetings/999999/edit", (404,) * 8),
    ],
    "sprints.cancel_meeting": [
        ("POST", "/meetings/{meeting}/cancel", CLOSED_MANAGE_POST)
    ],
    "sprints.replace_sprint_feed": [
        ("POST", "/sprints/{sprint}/calendar-link", CLOSED_MANAGE_POST),
    ],
    "sprints.my_calendar": [("GET", "/calendar", SIGNED_IN)],
    "sprints.replace_personal_feed": [("POST", "/calendar/link", SIGNED_IN_POST)],
    "sprints.sprint_feed": [
        ("GET", "/calendar/sprints/{sprint_token}.ics", PUBLIC),
        ("GET", "/calendar/sprints/wrong-token.ics", (404,) * 8),
    ],
    "sprints.personal_feed": [
        ("GET", "/calendar/people/{person_token}.ics", PUBLIC),
        ("GET", "/calendar/people/wrong-token.ics", (404,) * 8),
    ],
    "sprints.lesson": [
        ("GET", "/lessons/{lesson}", SIGNED_IN),
        ("GET", "/lessons/999999", (404,) * 8),
    ],
    "challenges.backlog": [
        ("GET", "/communities/{closed}/challenges", CLOSED_VIEW),
        ("GET", "/communities/{other}/challenges", OTHER_VIEW),
    ],
    "challenges.create": [
        ("GET", "/communities/{closed}/challenges/new", CLOSED_MANAGE),
        ("POST", "/communities/{closed}/challenges/new", CLOSED_MANAGE),
    ],
    "challenges.detail": [
        ("GET", "/challenges/{challenge}", CLOSED_VIEW),
        ("GET", "/challenges/{backlog}", CLOSED_VIEW),
        ("GET", "/challenges/{other_challenge}", OTHER_VIEW),
    ],
    "challenges.edit": [
        ("GET", "/challenges/{challenge}/edit", CLOSED_MANAGE),
        ("POST", "/challenges/{challenge}/edit", CLOSED_MANAGE),
    ],
    # An empty move names no column: 400 for those who may move the card.
    "challenges.move": [
        (
            "POST",
            "/challenges/{challenge}/move",
            (302, 404, 400, 400, 404, 403, 404, 400),
        ),
    ],
    "challenges.schedule": [
        ("POST", "/challenges/{backlog}/schedule", CLOSED_MANAGE_POST),
    ],
    "logbook.create": [
        ("GET", "/log/new", (302, 403, 200, 200, 200, 200, 200, 403)),
        ("POST", "/log/new", (302, 403, 200, 200, 200, 200, 200, 403)),
    ],
    "logbook.my_log": [("GET", "/log", SIGNED_IN)],
    "logbook.entry": [
        ("GET", "/entries/{private_entry}", PRIVATE_ENTRY),
        ("GET", "/entries/{facilitators_entry}", FACILITATORS_ENTRY),
        ("GET", "/entries/{community_entry}", COMMUNITY_ENTRY),
        ("GET", "/entries/999999", (404,) * 8),
    ],
    "logbook.comment": [
        ("POST", "/entries/{private_entry}/comments", PRIVATE_ENTRY),
        ("POST", "/entries/{facilitators_entry}/comments", FACILITATORS_ENTRY),
        (
            "POST",
            "/entries/{community_entry}/comments",
            (302, 404, 200, 200, 404, 200, 404, 403),
        ),
    ],
    "logbook.edit": [
        ("GET", "/entries/{community_entry}/edit", AUTHOR_ONLY),
        ("POST", "/entries/{community_entry}/edit", AUTHOR_ONLY_POST),
        ("GET", "/entries/{private_entry}/edit", PRIVATE_ENTRY),
    ],
    "logbook.delete": [
        ("GET", "/entries/{community_entry}/delete", AUTHOR_ONLY),
        (
            "POST",
            "/entries/{private_entry}/delete",
            (302, 404, 303, 404, 404, 404, 404, 404),
        ),
    ],
    "logbook.community_log": [("GET", "/communities/{closed}/log", MEMBERS_ONLY)],
    "logbook.participation": [
        ("GET", "/sprints/{sprint}/participation", CLOSED_MANAGE)
    ],
    "logbook.remind": [("POST", "/sprints/{sprint}/remind", CLOSED_MANAGE_POST)],
    "logbook.prompts": [
        ("GET", "/sprints/{sprint}/prompts", CLOSED_MANAGE),
        ("POST", "/sprints/{sprint}/prompts", CLOSED_MANAGE),
    ],
    "discussion.index": [
        ("GET", "/communities/{closed}/discussion", CLOSED_VIEW),
        ("GET", "/communities/{other}/discussion", OTHER_VIEW),
    ],
    "discussion.start": [
        ("GET", "/communities/{closed}/discussion/new", MEMBERS_ONLY),
        ("POST", "/communities/{closed}/discussion/new", MEMBERS_ONLY),
    ],
    "discussion.thread": [
        ("GET", "/threads/{thread}", CLOSED_VIEW),
        ("POST", "/threads/{thread}", MEMBERS_ONLY),
    ],
    "discussion.pin": [("POST", "/threads/{thread}/pin", CLOSED_MANAGE_POST)],
    "notifications.index": [("GET", "/notifications", SIGNED_IN)],
    "notifications.open_one": [
        (
            "POST",
            "/notifications/{notification}/open",
            (302, 404, 303, 404, 404, 404, 404, 404),
        ),
    ],
    "notifications.read_all": [("POST", "/notifications/read", SIGNED_IN_POST)],
    "toolbox.index": [("GET", "/toolbox", PUBLIC)],
    "toolbox.create": [
        ("GET", "/tools/new", (302, 403, 403, 200, 200, 200, 200, 200)),
        ("POST", "/tools/new", (302, 403, 403, 200, 200, 200, 200, 200)),
    ],
    "toolbox.detail": [
        ("GET", "/tools/{tool}", PUBLIC),
        ("GET", "/tools/{draft_tool}", (302, 404, 404, 404, 404, 200, 404, 200)),
        ("GET", "/tools/no-such-tool", (404,) * 8),
    ],
    "toolbox.edit": [
        ("GET", "/tools/{tool}/edit", (302, 403, 403, 403, 403, 200, 403, 200)),
        ("POST", "/tools/{tool}/edit", (302, 403, 403, 403, 403, 200, 403, 200)),
    ],
    "toolbox.history": [
        ("GET", "/tools/{tool}/history", PUBLIC),
        (
            "GET",
            "/tools/{draft_tool}/history",
            (302, 404, 404, 404, 404, 200, 404, 200),
        ),
    ],
    "toolbox.record_application": [
        (
            "GET",
            "/tools/{tool}/applications/new",
            (302, 403, 403, 200, 200, 200, 200, 200),
        ),
        (
            "POST",
            "/tools/{tool}/applications/new",
            (302, 403, 403, 200, 200, 200, 200, 200),
        ),
        (
            "GET",
            "/tools/{draft_tool}/applications/new",
            (302, 404, 404, 404, 404, 200, 404, 200),
        ),
    ],
    "toolbox.application": [
        ("GET", "/applications/{application}", SIGNED_IN),
        ("GET", "/applications/999999", (404,) * 8),
    ],
    "toolbox.compare": [("GET", "/toolbox/compare", PUBLIC)],
    "dashboards.sprint": [
        ("GET", "/sprints/{sprint}/dashboard", CLOSED_STUDY),
        ("GET", "/sprints/{sprint}/dashboard?table=active", CLOSED_STUDY),
        ("GET", "/sprints/{draft}/dashboard", DRAFT_VIEW),
        ("GET", "/sprints/{other_sprint}/dashboard", OTHER_VIEW),
    ],
    "dashboards.community": [
        ("GET", "/communities/{closed}/dashboard", CLOSED_STUDY),
        ("GET", "/communities/{other}/dashboard", OTHER_VIEW),
    ],
    "dashboards.regions": [
        ("GET", "/dashboards/regions", (302, 403, 403, 403, 403, 200, 200, 200)),
        (
            "GET",
            "/dashboards/regions?table=regions",
            (302, 403, 403, 403, 403, 200, 200, 200),
        ),
    ],
    "skills.catalogue": [("GET", "/skills", PUBLIC)],
    "skills.import_esco": [
        ("GET", "/skills/import", ADMIN_ONLY),
        ("POST", "/skills/import", ADMIN_ONLY),
    ],
    "skills.new_claim": [
        ("GET", "/claims/new", MEMBERS_OF_ANY),
        ("POST", "/claims/new", MEMBERS_OF_ANY),
    ],
    "skills.claim": [
        ("GET", "/claims/{claim}", CLAIM_VIEW),
        ("GET", "/claims/{other_claim}", OTHER_VIEW),
        ("GET", "/claims/999999", (404,) * 8),
    ],
    "skills.add_evidence": [
        # The owner's empty form is refused beside its fields.
        ("POST", "/claims/{claim}/evidence", (302, 404, 400, 403, 404, 404, 404, 403)),
    ],
    "skills.remove_file": [
        ("POST", "/claims/{claim}/files/{claim_file}/delete", CLAIM_OWNER_POST),
        (
            "POST",
            "/claims/{claim}/files/999999/delete",
            (302, 404, 404, 403) + (404,) * 3 + (403,),
        ),
    ],
    "skills.remove_link": [
        ("POST", "/claims/{claim}/links/{claim_link}/delete", CLAIM_OWNER_POST),
    ],
    "skills.unlink_entry": [
        (
            "POST",
            "/claims/{claim}/entries/{facilitators_entry}/delete",
            CLAIM_OWNER_POST,
        ),
    ],
    "skills.download_file": [
        ("GET", "/claims/{claim}/files/{claim_file}", CLAIM_VIEW),
        ("GET", "/claims/{claim}/files/999999", (302,) + (404,) * 7),
    ],
    "skills.resubmit": [
        # Nothing was asked yet: the owner hears that the claim already waits.
        ("POST", "/claims/{claim}/resubmit", (302, 404, 400, 403, 404, 404, 404, 403)),
    ],
    "skills.withdraw": [("POST", "/claims/{claim}/withdraw", CLAIM_OWNER_POST)],
    "skills.review": [
        # The facilitator's empty form is refused beside its fields.
        ("POST", "/claims/{claim}/review", (302, 404, 403, 400, 404, 404, 404, 403)),
        (
            "POST",
            "/claims/{other_claim}/review",
            (302, 404, 404, 404, 400, 404, 403, 403),
        ),
    ],
    "skills.review_queue": [("GET", "/claims/review", FACILITATORS)],
    "skills.passport": [("GET", "/passport", SIGNED_IN)],
    "skills.passport_json": [("GET", "/passport.json", SIGNED_IN)],
    "skills.shares": [
        ("GET", "/passport/shares", SIGNED_IN),
        ("POST", "/passport/shares", (302,) + (400,) * 7),
    ],
    "skills.revoke_share": [
        (
            "POST",
            "/passport/shares/{share_link}/revoke",
            (302, 404, 303, 404, 404, 404, 404, 404),
        ),
    ],
    "skills.shared": [
        ("GET", "/s/{share_token}", PUBLIC),
        ("GET", "/s/{expired_token}", (410,) * 8),
        ("GET", "/s/no-such-token", (404,) * 8),
    ],
    "skills.matching": [
        ("GET", "/passport/matching", SIGNED_IN),
        ("POST", "/passport/matching", SIGNED_IN_POST),
    ],
    "skills.challenge_suggestions": [
        ("GET", "/challenges/{challenge}/suggestions", CLOSED_MANAGE),
        (
            "GET",
            "/challenges/{other_challenge}/suggestions",
            (302, 404, 404, 404, 200, 404, 403, 200),
        ),
    ],
    "badges.issue": [
        # The claim already has its badge: the owner is told so on the claim.
        ("POST", "/claims/{validated_claim}/badge", CLAIM_OWNER_POST),
        ("POST", "/claims/{claim}/badge", (302, 404, 403, 403, 404, 404, 404, 403)),
    ],
    "badges.verify": [
        ("GET", "/badges/{credential}", PUBLIC),
        ("GET", "/badges/00000000-0000-4000-8000-000000000000", (404,) * 8),
    ],
    "badges.credential_json": [("GET", "/badges/{credential}/credential.json", PUBLIC)],
    "badges.credential_jwt": [("GET", "/badges/{credential}/credential.jwt", PUBLIC)],
    "badges.verification_json": [("GET", "/badges/{credential}/verify.json", PUBLIC)],
    "badges.revoke": [
        (
            "POST",
            "/badges/{credential}/revoke",
            (302, 403, 303, 303, 403, 403, 403, 303),
        ),
    ],
    "badges.keys_document": [("GET", "/badges/keys.json", PUBLIC)],
    "badges.revocations": [("GET", "/badges/revocations.json", PUBLIC)],
    "badges.issuer": [
        ("GET", "/badges/issuers/community-besloten-kring", PUBLIC),
        # A closed community that issued nothing stays unknown.
        ("GET", "/badges/issuers/community-noorden", (404,) * 8),
        ("GET", "/badges/issuers/nonsense", (404,) * 8),
    ],
    "badges.achievement": [
        ("GET", "/badges/achievements/{skill}", PUBLIC),
        ("GET", "/badges/achievements/no-such-skill", (404,) * 8),
    ],
    "regional.new_visit": [
        ("GET", "/regional/visits/new", VISIT_RECORD),
        # An empty form is refused beside its fields.
        ("POST", "/regional/visits/new", VISIT_RECORD),
    ],
    "regional.visits": [("GET", "/regional/visits", VISIT_RECORD)],
    # The visit of the participant: they and administrators see it.
    "regional.visit": [
        ("GET", "/regional/visits/{visit}", (302, 404, 200, 404, 404, 404, 404, 200)),
        ("GET", "/regional/visits/999999", (404,) * 8),
    ],
    "regional.index": [
        ("GET", "/regional", REGIONAL_VIEW),
        ("GET", "/regional?region=999999&start=1800-01", REGIONAL_VIEW),
    ],
    "regional.download": [
        ("GET", "/regional.csv?table=overview", REGIONAL_VIEW),
        ("GET", "/regional.csv?table=now&region={region}", REGIONAL_VIEW),
        ("GET", "/regional.csv?table=nonsense", (302, 403, 403) + (404,) * 5),
    ],
    "instruments.define": [
        ("GET", "/tools/{tool}/instrument", (302, 403, 403, 403, 403, 200, 403, 200)),
        ("POST", "/tools/{tool}/instrument", (302, 403, 403, 403, 403, 200, 403, 200)),
    ],
    "instruments.sprint_moments": [
        ("GET", "/sprints/{sprint}/instruments", CLOSED_VIEW),
        ("POST", "/sprints/{sprint}/instruments", CLOSED_MANAGE),
    ],
    "instruments.close": [
        ("POST", "/administrations/{administration}/close", CLOSED_MANAGE_POST),
    ],
    "instruments.respond": [
        (
            "GET",
            "/administrations/{administration}",
            (302, 404, 200, 200, 404, 200, 404, 403),
        ),
        (
            "POST",
            "/administrations/{administration}",
            (302, 404, 200, 200, 404, 200, 404, 403),
        ),
    ],
    "instruments.results": [
        (
            "GET",
            "/administrations/{administration}/results",
            (302, 404, 403, 200, 404, 200, 404, 200),
        ),
        ("GET", "/administrations/999999/results", (404,) * 8),
    ],
    "research.consent": [
        ("GET", "/account/research", SIGNED_IN),
        # An empty form names no community: refused beside the form.
        ("POST", "/account/research", (302,) + (400,) * 7),
    ],
    # Researchers of the community and administrators, never its facilitators.
    "research.export": [
        ("GET", "/communities/{closed}/research/export", RESEARCH_EXPORT),
        (
            "GET",
            "/communities/{open}/research/export",
            (302, 403, 403, 403, 403, 200, 403, 200),
        ),
        ("GET", "/communities/does-not-exist/research/export", (404,) * 8),
        # An empty form is refused beside its fields.
        (
            "POST",
            "/communities/{closed}/research/export",
            (302, 404, 403, 403, 404, 400, 404, 400),
        ),
    ],
}
