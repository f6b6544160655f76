"""The expected answer of every route for every persona.

Each entry is (method, URL template, answers). The template is filled from the test
world (`{open}`, `{closed}`, `{other}`, `{region}`, `{organisation}`, `{membership}`).
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
}
