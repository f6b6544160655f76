"""Communities: the list, a community's page, membership and invitations."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hcimv_lc.communities import service
from hcimv_lc.communities.forms import (
    ROLE_LABELS,
    ROLE_PLURALS,
    THEME_LABELS,
    CommunityFilterForm,
    CommunityForm,
    ConfirmForm,
    InvitationForm,
    RoleForm,
)
from hcimv_lc.communities.models import Community, Invitation, Membership
from hcimv_lc.extensions import db, htmx
from hcimv_lc.forms import show_rule_error, valid_or
from hcimv_lc.organisations.service import organisation_choices, region_choices
from hcimv_lc.policy import authorize, role_in
from hcimv_lc.sprints.forms import STATUS_LABELS as SPRINT_STATUS_LABELS
from hcimv_lc.sprints.service import sprints_by_status
from hcimv_lc.web import found, page_number, redirect_to, render_page

bp = Blueprint("communities", __name__)

PER_PAGE = 20


def load_community(slug: str) -> Community:
    """Return the community of the URL, answering 404 for one that does not exist."""
    return found(service.community_by_slug(slug))


def community_fields(form: CommunityForm) -> dict:
    return {
        "name": form.name.data,
        "theme": form.theme.data,
        "region_id": form.region.data,
        "organisation_id": form.organisation.data,
        "description": form.description.data,
        "is_open": form.is_open.data,
        "default_visibility": form.default_visibility.data,
    }


def fill_choices(form: CommunityForm) -> None:
    form.region.choices = region_choices()
    form.organisation.choices = [(0, _("Geen"))] + organisation_choices()


@bp.get("/communities")
def index():
    form = CommunityFilterForm(request.args)
    form.region.choices = [(0, _("Alle regio's"))] + region_choices()
    form.validate()
    # A filter with a bad value is left out; the others still apply.
    filters = {
        "q": valid_or(form.q, ""),
        "theme": valid_or(form.theme, ""),
        "region_id": valid_or(form.region, 0),
    }

    query = service.search_communities(current_user, **filters)
    pagination = db.paginate(
        query, page=page_number(), per_page=PER_PAGE, error_out=False
    )
    return render_page(
        "communities/index.html",
        "communities/_list.html",
        form=form,
        pagination=pagination,
        theme_labels=THEME_LABELS,
    )


@bp.route("/communities/new", methods=["GET", "POST"])
def create():
    authorize("community.create")

    form = CommunityForm()
    fill_choices(form)
    if form.validate_on_submit():
        community = service.create_community(current_user, **community_fields(form))
        db.session.commit()
        flash(_("Leergemeenschap aangemaakt."), "success")
        return redirect(url_for("communities.detail", slug=community.slug), 303)

    return render_page("communities/form.html", form=form, community=None)


@bp.get("/communities/<slug:slug>")
def detail(slug: str):
    community = load_community(slug)
    authorize("community.view", community)

    members = service.people_by_role(community)
    return render_page(
        "communities/detail.html",
        community=community,
        members=members,
        member_total=sum(len(group) for group in members.values()),
        sprints=sprints_by_status(community, current_user),
        sprint_status_labels=SPRINT_STATUS_LABELS,
        **membership_context(community),
    )


def membership_context(community: Community) -> dict:
    return {
        "my_role": role_in(current_user, community),
        "theme_labels": THEME_LABELS,
        "role_labels": ROLE_LABELS,
        "role_plurals": ROLE_PLURALS,
        "confirm_form": ConfirmForm(),
    }


@bp.route("/communities/<slug:slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    community = load_community(slug)
    authorize("community.edit", community)

    form = CommunityForm(obj=community)
    fill_choices(form)
    if request.method == "GET":
        form.region.data = community.region_id
        form.organisation.data = community.organisation_id or 0

    if form.validate_on_submit():
        service.update_community(community, **community_fields(form))
        db.session.commit()
        flash(_("Leergemeenschap opgeslagen."), "success")
        return redirect(url_for("communities.detail", slug=community.slug), 303)

    return render_page("communities/form.html", form=form, community=community)


def membership_response(community: Community):
    """Answer a join or leave: the membership box for htmx, else the community page."""
    if htmx:
        return render_page(
            "communities/_membership.html",
            community=community,
            member_total=service.member_count(community),
            **membership_context(community),
        )
    return redirect(url_for("communities.detail", slug=community.slug), 303)


@bp.post("/communities/<slug:slug>/join")
def join(slug: str):
    community = load_community(slug)
    authorize("community.join", community)

    service.join(community, current_user)
    db.session.commit()
    flash(_("Je bent lid van %(name)s.", name=community.name), "success")
    return membership_response(community)


@bp.post("/communities/<slug:slug>/leave")
def leave(slug: str):
    community = load_community(slug)
    authorize("community.leave", community)

    try:
        service.leave(community, current_user)
    except service.CommunityError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Je bent geen lid meer van %(name)s.", name=community.name), "info")

    if not community.is_open and role_in(current_user, community) is None:
        return redirect_to(url_for("communities.index"))
    return membership_response(community)


def load_membership(community: Community, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.community_id != community.id:
        abort(404)
    return membership


@bp.post("/communities/<slug:slug>/members/<int:membership_id>/role")
def change_role(slug: str, membership_id: int):
    community = load_community(slug)
    authorize("community.manage_members", community)
    membership = load_membership(community, membership_id)

    form = RoleForm()
    if form.validate_on_submit():
        try:
            service.change_role(membership, form.role.data)
        except service.CommunityError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                _("Rol van %(name)s gewijzigd.", name=membership.user.name), "success"
            )
    else:
        flash(_("Kies een van de rollen."), "error")

    return redirect(url_for("communities.members", slug=community.slug), 303)


@bp.post("/communities/<slug:slug>/members/<int:membership_id>/remove")
def remove_member(slug: str, membership_id: int):
    community = load_community(slug)
    authorize("community.manage_members", community)
    membership = load_membership(community, membership_id)

    name = membership.user.name
    try:
        service.remove_member(membership)
    except service.CommunityError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("%(name)s is uit de leergemeenschap gehaald.", name=name), "info")

    return redirect(url_for("communities.members", slug=community.slug), 303)


@bp.route("/communities/<slug:slug>/members", methods=["GET", "POST"])
def members(slug: str):
    community = load_community(slug)
    authorize("community.manage_members", community)

    form = InvitationForm()
    if form.validate_on_submit():
        try:
            service.invite(community, form.email.data, form.role.data, current_user)
        except service.CommunityError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            flash(
                _("Uitnodiging verstuurd naar %(email)s.", email=form.email.data),
                "success",
            )
            return redirect(url_for("communities.members", slug=community.slug), 303)

    return render_page(
        "communities/members.html",
        community=community,
        form=form,
        members=service.members_by_role(community),
        invitations=service.pending_invitations(community),
        role_form=RoleForm(),
        **membership_context(community),
    )


@bp.post("/communities/<slug:slug>/invitations/<int:invitation_id>/revoke")
def revoke_invitation(slug: str, invitation_id: int):
    community = load_community(slug)
    authorize("community.invite", community)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.community_id != community.id:
        abort(404)

    service.revoke_invitation(invitation)
    db.session.commit()
    flash(_("Uitnodiging voor %(email)s ingetrokken.", email=invitation.email), "info")
    return redirect(url_for("communities.members", slug=community.slug), 303)


@bp.route("/invitations/<token:token>", methods=["GET", "POST"])
def invitation(token: str):
    authorize("account.use")
    invitation = service.invitation_by_token(token)
    if invitation is None:
        abort(404)

    if not service.invitation_usable(invitation):
        return render_page("communities/invitation_gone.html"), 410

    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            service.accept_invitation(invitation, current_user)
        except service.CommunityError as problem:
            error = str(problem)
        else:
            db.session.commit()
            flash(_("Welkom in %(name)s!", name=invitation.community.name), "success")
            return redirect(
                url_for("communities.detail", slug=invitation.community.slug), 303
            )

    return render_page(
        "communities/invitation.html",
        invitation=invitation,
        form=form,
        error=error,
        role_labels=ROLE_LABELS,
    )
