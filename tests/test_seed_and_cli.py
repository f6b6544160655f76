"""The demo data and the account commands."""

import json

from sqlalchemy import func, select

from hcimv_lc.accounts.models import User
from hcimv_lc.communities.models import Community, Membership
from hcimv_lc.extensions import db
from hcimv_lc.organisations.models import Organisation, Region
from hcimv_lc.seed import SEED_DIR
from tests.conftest import login

DEMO_ACCOUNTS = [
    "admin@example.org",
    "facilitator@example.org",
    "participant@example.org",
    "researcher@example.org",
    "facilitator2@example.org",
]


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Region, Organisation, Community, User, Membership)
        }


def role(app, email, slug):
    with app.app_context():
        return db.session.scalar(
            select(Membership.role)
            .join(Community)
            .where(Community.slug == slug, Membership.user.has(email=email))
        )


def test_seed_loads_the_source_document_and_is_idempotent(app):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed"])
    after_first = counts(app)
    second = runner.invoke(args=["seed"])

    communities = json.loads((SEED_DIR / "communities.json").read_text())
    assert first.exit_code == 0 and second.exit_code == 0
    assert counts(app) == after_first
    assert after_first["Community"] == len(communities) == 5
    assert {item["theme"] for item in communities} == {
        "individuals",
        "companies",
        "networks",
        "digitalisation",
    }
    with app.app_context():
        lectorates = db.session.scalar(
            select(func.count()).where(Organisation.kind == "lectorate")
        )
    assert lectorates == 5


def test_demo_accounts_have_their_stated_access(app, client):
    app.test_cli_runner().invoke(args=["seed"])

    assert role(app, "facilitator@example.org", "installateurs-oost") == "facilitator"
    assert role(app, "participant@example.org", "installateurs-oost") == "participant"
    assert role(app, "researcher@example.org", "installateurs-oost") == "researcher"
    assert role(app, "facilitator2@example.org", "installateurs-oost") is None
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
        assert admin.is_admin
    for email in DEMO_ACCOUNTS:
        assert login(app.test_client(), email, "learning-together").status_code == 303


def test_seed_without_demo_accounts_creates_no_account(app):
    result = app.test_cli_runner().invoke(args=["seed", "--no-demo-accounts"])

    assert result.exit_code == 0
    assert counts(app)["User"] == 0
    assert counts(app)["Community"] == 5


def test_seed_if_empty_leaves_a_filled_database_alone(app, world):
    before = counts(app)

    result = app.test_cli_runner().invoke(args=["seed", "--if-empty"])

    assert "nothing loaded" in result.output
    assert counts(app) == before


def test_production_seed_creates_demo_accounts_only_when_asked(app):
    app.config["SEED_DEMO_ACCOUNTS"] = False
    try:
        app.test_cli_runner().invoke(args=["seed"])
        without = counts(app)["User"]
        app.test_cli_runner().invoke(args=["seed", "--demo-accounts"])
    finally:
        app.config["SEED_DEMO_ACCOUNTS"] = True

    assert without == 0
    assert counts(app)["User"] >= len(DEMO_ACCOUNTS)


def test_users_create_makes_an_administrator(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Boss@Example.org", "--admin", "--name", "Baas"],
        input="een sterk wachtwoord\neen sterk wachtwoord\n",
    )

    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
        assert user.is_admin and user.name == "Baas"


def test_users_create_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "boss@example.org", "--name", "Baas"],
        input="password12\npassword12\n",
    )

    assert result.exit_code != 0
    assert counts(app)["User"] == 0


def test_users_disable_logs_the_person_out(app, client, make_user):
    make_user("piet@example.org")
    login(client, "piet@example.org")

    result = app.test_cli_runner().invoke(args=["users", "disable", "piet@example.org"])

    assert result.exit_code == 0
    assert client.get("/account").status_code == 302


def test_users_disable_names_an_unknown_account(app):
    result = app.test_cli_runner().invoke(args=["users", "disable", "x@example.org"])

    assert result.exit_code != 0
    assert "No account" in result.output


def test_seed_never_gives_rights_to_an_account_someone_registered(app, make_user):
    make_user("admin@example.org", "Iemand Anders")

    app.test_cli_runner().invoke(args=["seed", "--demo-accounts"])

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "admin@example.org"))
        assert not user.is_admin


def test_demo_data_holds_an_active_sprint_with_meetings_and_challenges(app, client):
    from hcimv_lc.challenges.models import Challenge
    from hcimv_lc.sprints.models import Meeting, Sprint

    app.test_cli_runner().invoke(args=["seed"])
    app.test_cli_runner().invoke(args=["seed"])

    with app.app_context():
        sprints = db.session.scalars(select(Sprint)).all()
        (sprint,) = sprints
        meetings = db.session.scalar(
            select(func.count()).select_from(Meeting).filter_by(sprint_id=sprint.id)
        )
        on_board = db.session.scalars(
            select(Challenge).filter_by(sprint_id=sprint.id)
        ).all()
        assert sprint.status == "active"
        assert sprint.community.slug == "installateurs-oost"
        assert {challenge.status for challenge in on_board} == {
            "open",
            "in_progress",
            "done",
        }
        assert all(challenge.team for challenge in on_board)
    assert meetings == sprint.weeks
    assert client.get(f"/sprints/{sprint.id}").status_code == 200
