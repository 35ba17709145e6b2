"""Sessions and forms: the secret key, cookie flags, and a CSRF token on every form.

The session is Flask's signed cookie. Its key comes from ``SECRET_KEY`` in
the app config, or else from ``secret_key`` in the archive home, created on
first use with mode 0600 so that sessions survive restarts (it is never part
of the source tree). The cookie is ``HttpOnly`` and ``SameSite=Lax``, and
``Secure`` whenever the request came over HTTPS (or always, with
``SESSION_COOKIE_SECURE``). Every POST, PUT, PATCH or DELETE must carry the
session's CSRF token as the ``csrf_token`` form field or the ``X-CSRF-Token``
header, unless it is an API call authenticated by a bearer token (which a
browser never sends on its own). A request body holds at most a form's worth
(:data:`FORM_LIMIT`) unless it is an admin's upload, so that nobody can make
the server read a large body only to refuse it.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import re
import secrets
from pathlib import Path

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import BadRequest

KEY_FILE = "secret_key"
#: Control characters: no HTTP header may carry them, and browsers drop tabs and newlines from URLs.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
#: The most a request body may hold, but for an admin's upload at ``/ingest`` (``MAX_CONTENT_LENGTH``): a form is a
#: few hundred bytes, and anyone could otherwise make the server read and spool a gigabyte before the CSRF check.
FORM_LIMIT = 1024 * 1024
CSRF_HEADER = "X-CSRF-Token"
#: Cookie settings unless the app's config says otherwise (``create_app`` applies them before its config).
DEFAULTS = {
    "SESSION_COOKIE_NAME": "evidence_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=12),
}


class CSRFError(BadRequest):
    """A state-changing request without this session's CSRF token."""

    title = "Form expired"
    description = "this form has expired or did not come from this site: reload the page and send it again"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked ``Secure`` on every request that came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask, home: Path) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(home)
    app.session_interface = SessionInterface()
    app.jinja_env.globals.update(csrf_token=csrf_token, csrf_field=CSRF_FIELD)


def load_secret_key(home: Path) -> str:
    """The key kept in the archive home, created (mode 0600) the first time."""
    path = home / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
        return path.read_text("ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
    return path.read_text("ascii").strip()


def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def limit_body(*, may_upload: bool) -> None:
    """Hold this request's body to :data:`FORM_LIMIT` unless it ``may_upload`` (a larger one is a 413, unread).

    Call it before anything reads the form: the CSRF check does."""
    configured = current_app.config.get("MAX_CONTENT_LENGTH")
    if not may_upload and (configured is None or configured > FORM_LIMIT):
        request.max_content_length = FORM_LIMIT  # never above what the app's config allows


def check_csrf() -> None:
    """Refuse (400) a state-changing request without this session's token; bearer-token API calls pass."""
    if request.method not in UNSAFE_METHODS or request.url_rule is None or g.get("token_id"):
        return  # safe methods; no route (the 404/405 follows); or authenticated by an API token
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    expected = session.get(CSRF_FIELD)
    if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
        raise CSRFError()
