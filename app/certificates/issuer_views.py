"""The issuer's public pages: its profile (the controller document of its keys), key creation
and the emblem on its certificates by an administrator, and its signed revocation list."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.auth.models import Institution
from app.certificates import emblem, handissue, keys, services
from app.certificates.credential import iso, issuer_id
from app.certificates.forms import EmblemForm
from app.certificates.views import _issuer_or_404, bp
from app.core.errors import DomainError
from app.core.forms import ConfirmForm
from app.core.permissions import public, roles_required
from app.core.storage import storage
from app.extensions import db

# The issuer profile is also the controller document of the institution's keys: the OB 3.0
# context defines Profile, Multikey its keys, and the DID context the controller terms
# (verificationMethod, assertionMethod) that verifiers frame it by.
PROFILE_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://w3id.org/security/multikey/v1",
    "https://www.w3.org/ns/did/v1",
]


@bp.route("/issuers/<slug>")
@public
def issuer(slug: str):
    institution = _issuer_or_404(slug)
    key_list = keys.institution_keys(institution.id)
    wants_json = request.args.get("format") == "json" or (
        request.accept_mimetypes.best_match(
            ["text/html", "application/json", "application/ld+json"]
        )
        in ("application/json", "application/ld+json")
    )
    if wants_json:
        base = issuer_id(services.base_url(), institution.slug)
        methods = [
            {
                "id": f"{base}#{key.public_key_multibase}",
                "type": "Multikey",
                "controller": base,
                "publicKeyMultibase": key.public_key_multibase,
                # Only a compromised key is revoked: a retired one still verifies what it
                # signed, so it stays an assertion method too.
                **({"revoked": iso(key.compromised_at)} if key.compromised_at else {}),
            }
            for key in key_list
        ]
        return jsonify(
            {
                "@context": PROFILE_CONTEXT,
                "id": base,
                "type": ["Profile"],
                "name": institution.name,
                # The profile's own address: the HTML page of this issuer (IssuerProbe of
                # 1EdTech's validator checks that it answers).
                "url": base,
                "address": _address(institution),
                "verificationMethod": methods,
                "assertionMethod": [m["id"] for m in methods if "revoked" not in m],
            }
        )
    return _issuer_page(institution, key_list)


def _address(institution: Institution) -> dict[str, object]:
    """The Open Badges Address of the institution: the country always, the rest when known."""
    address: dict[str, object] = {"type": ["Address"], "addressCountryCode": institution.country}
    for term, value in (
        ("streetAddress", institution.street_address),
        ("postalCode", institution.postal_code),
        ("addressLocality", institution.locality),
    ):
        if value:
            address[term] = value
    return address


def _is_own_admin(institution: Institution) -> bool:
    return bool(
        current_user.is_authenticated
        and current_user.has_role("admin")
        and current_user.institution_id == institution.id
    )


def _issuer_page(institution: Institution, key_list, emblem_form: EmblemForm | None = None):
    is_admin = _is_own_admin(institution)
    return render_template(
        "certificates/issuer.html",
        institution=institution,
        keys=key_list,
        may_create_key=is_admin,
        may_change_emblem=is_admin,
        has_emblem=emblem.emblem_key(institution) is not None,
        emblem_form=emblem_form or EmblemForm(),
        form=ConfirmForm(),
    )


def _own_institution_or_403(slug: str) -> Institution:
    """The institution of the URL, if the administrator is one of its own; otherwise 403."""
    institution = _issuer_or_404(slug)
    if current_user.institution_id != institution.id:
        abort(403)
    return institution


@bp.route("/issuers/<slug>/keys", methods=["POST"])
@roles_required("admin")
def create_key(slug: str):
    """An administrator of the institution creates its signing key (or the next one)."""
    institution = _own_institution_or_403(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        key = keys.generate_key(institution, by_id=current_user.id)
        db.session.flush()
        pending = handissue.issue_pending(institution.id)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The new signing key %(key)s is active.", key=key.public_key_multibase), "success")
        if pending:
            flash(
                ngettext(
                    "%(num)d certificate that waited for the key was issued.",
                    "%(num)d certificates that waited for the key were issued.",
                    len(pending),
                ),
                "success",
            )
    return redirect(url_for("certificates.issuer", slug=slug))


@bp.route("/issuers/<slug>/emblem")
@public
def emblem_image(slug: str):
    """The emblem the institution prints on its certificates (public, as the certificates are)."""
    key = emblem.emblem_key(_issuer_or_404(slug))
    if key is None:
        abort(404)
    return storage().response(key, max_age=300)


@bp.route("/issuers/<slug>/emblem", methods=["POST"])
@roles_required("admin")
def upload_emblem(slug: str):
    """An administrator of the institution sets the emblem on its certificates."""
    institution = _own_institution_or_403(slug)
    form = EmblemForm()
    if form.validate_on_submit():
        try:
            replaced = emblem.set_emblem(institution, form.emblem.data.read(), current_user.id)
        except DomainError as error:
            db.session.rollback()
            form.emblem.errors.append(str(error))
        else:
            db.session.commit()
            emblem.discard(replaced)
            flash(_("The emblem is saved: certificates issued from now on show it."), "success")
            return redirect(url_for("certificates.issuer", slug=slug))
    return _issuer_page(institution, keys.institution_keys(institution.id), form), 400


@bp.route("/issuers/<slug>/emblem/remove", methods=["POST"])
@roles_required("admin")
def remove_emblem(slug: str):
    institution = _own_institution_or_403(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    removed = emblem.remove_emblem(institution)
    if removed is not None:
        db.session.commit()
        emblem.discard(removed)
        flash(_("The emblem is removed: certificates issued from now on have none."), "success")
    return redirect(url_for("certificates.issuer", slug=slug))


@bp.route("/issuers/<slug>/status/revocation")
@public
def status_list(slug: str):
    institution = _issuer_or_404(slug)
    try:
        document = services.status_list_credential(institution)
    except keys.SigningKeyMissing:
        abort(404)  # no key yet: the institution has issued nothing that could be revoked
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
