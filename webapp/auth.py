"""Signing in and out, and who the visitor of each request is.

Before every request the visitor is found: under ``/api/``, and on the
original and download links the API's documents give, an
``Authorization: Bearer TOKEN`` header names a token's user (a bad token is a
401, never a silent fall back to anonymous); otherwise the signed session
names a user, who must still exist, be active and have the password the
session was made with. Then the CSRF check of :mod:`webapp.security` runs.
``/login`` answers wrong names and wrong passwords alike and says when an
account is locked; ``/logout`` is a POST.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from archive.accounts import (
    AccountError,
    NotAllowedError,
    TokenError,
    User,
    authenticate,
    end_sessions,
    session_key_of,
    user_for_session,
    user_for_token,
)
from webapp.security import CONTROL_CHARACTERS, CSRF_FIELD, check_csrf, limit_body
from webapp.state import archive, current_user

bp = Blueprint("auth", __name__)
#: Pages outside ``/api/`` that take an API token: the ``original`` and ``download`` links of the API's documents,
#: which a script holding a token follows (as anonymous, a restricted original was "not found").
TOKEN_ENDPOINTS = frozenset({"documents.original", "documents.download"})


def takes_token() -> bool:
    """Whether this request may be made with an API token: under ``/api/``, or a link the API gives to an original."""
    return request.path.startswith("/api/") or request.endpoint in TOKEN_ENDPOINTS


@bp.before_app_request
def load_visitor() -> None:
    g.user, g.token_id = None, None
    header = request.headers.get("Authorization", "")
    if header and takes_token():
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise TokenError()
        g.user, token = user_for_token(archive(), secret.strip())
        g.token_id = token.id
    else:
        g.user = user_for_session(archive(), session.get("uid"), session.get("key"))
        if g.user is None and "uid" in session:
            session.pop("uid", None)
            session.pop("key", None)
    limit_body(may_upload=request.endpoint == "admin.ingest_files" and g.user is not None and g.user.is_admin)
    check_csrf()


@bp.after_app_request
def private_when_signed_in(response: Response) -> Response:
    """Pages shown to a signed-in user are nobody else's: no shared cache may keep them."""
    if g.get("user") is not None:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def require_admin(action: str) -> User:
    """The signed-in admin; a 403 for anyone else (call it after the document is found, so 404s come first)."""
    user = current_user()
    if user is None or not user.is_admin:
        raise NotAllowedError(action)
    return user


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, else the search page."""
    # Browsers drop tabs and newlines from a URL (and Werkzeug does when it writes Location), so
    # "/\t/evil.example" would become "//evil.example": refuse control characters outright.
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not CONTROL_CHARACTERS.search(target)):
        return target
    return url_for("search.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""), name="", message=None)
    name = request.form.get("name", "").strip()
    try:
        user = authenticate(archive(), name, request.form.get("password", ""), address=request.remote_addr or "")
    except AccountError as error:
        return render_template("login.html", next=request.form.get("next", ""), name=name,
                               message=str(error)), error.status
    session.clear()
    session.update(uid=user.id, key=session_key_of(archive(), user))
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Response:
    user = current_user()
    if user is not None:
        end_sessions(archive(), user)  # a copy of the cookie must not outlive the sign-out
    session.clear()
    return redirect(url_for("search.index"))
