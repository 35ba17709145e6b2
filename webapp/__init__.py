"""The web front end: a Flask app factory.

``create_app(config)`` builds the app around one archive home. It registers one
blueprint per page family (sign-in, search, documents, articles, exports, the
JSON API, admin pages) and the error pages, sets up sessions and CSRF checks
(:mod:`webapp.security`), and sends a Content-Security-Policy without inline
scripts on every response. The catalog
and the search index are opened once per app and shared by requests (the
index keeps one searcher per thread and refreshes it after commits).
Configuration comes from ``config`` (``ARCHIVE_SETTINGS`` or
``ARCHIVE_HOME``) or else from the environment, through
:class:`archive.settings.Settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from archive.catchup import start_catching_up, tidy_uploads
from archive.cite import human_date
from archive.service import open_search
from archive.settings import ACCESS_LEVELS, Settings
from archive.store import Archive

FACET_LABELS = {
    "type": "Type", "instrument": "Instrument", "article": "Article", "year": "Year", "lang": "Language",
    "place": "Place", "issuer_facet": "Issuer",
}

EXPORT_LABELS = {"csv": "CSV", "jsonl": "JSON Lines", "csl-json": "CSL-JSON", "bibtex": "BibTeX", "ris": "RIS"}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` may set ``ARCHIVE_SETTINGS``, ``ARCHIVE_HOME`` and Flask keys (``SECRET_KEY``,
    ``SESSION_COOKIE_SECURE``, ``MAX_CONTENT_LENGTH`` of uploads…)."""
    app = Flask(__name__)
    from webapp import security

    app.config.from_mapping(MAX_CONTENT_LENGTH=1024 * 1024 * 1024, **security.DEFAULTS)
    app.json.ensure_ascii = False  # UTF-8 text, as ``evidence search --json`` (Flask 2.3 dropped JSON_AS_ASCII)
    if config:
        app.config.update(config)
    settings = app.config.get("ARCHIVE_SETTINGS") or Settings.from_env(home=app.config.get("ARCHIVE_HOME"))
    app.config["ARCHIVE_SETTINGS"] = settings
    archive = Archive(settings)
    app.extensions["archive"] = archive
    app.extensions["search_index"] = open_search(settings, archive)

    from webapp import admin, api, articles, auth, documents, errors, export, search
    from webapp.state import current_user, event_actor

    security.init_app(app, settings.home)
    for module in (auth, search, documents, articles, export, api, admin):
        app.register_blueprint(module.bp)
    errors.register(app)
    app.after_request(_security_headers)
    tidy_uploads(settings)  # upload folders a server killed mid-upload left behind
    start_catching_up(settings)  # uploads a stopped server left queued, documents a killed batch left unindexed
    app.jinja_env.globals.update(facet_labels=FACET_LABELS, export_formats=EXPORT_LABELS, human_date=human_date,
                                 current_user=current_user, access_levels=ACCESS_LEVELS, lang_of=lang_of,
                                 event_actor=event_actor, kept_by_a_new_query=search.kept_by_a_new_query)
    return app


def lang_of(*codes: str) -> str:
    """The first of ``codes`` that names a language (``en``, ``ru``, ``az``), for an HTML ``lang`` attribute, or "".

    The pages say ``lang="en"``; a Russian or Azerbaijani text inside them is marked so that a screen reader
    reads it with the right voice (and the browser hyphenates it right).
    """
    return next((code for code in codes if code in ("en", "ru", "az")), "")


def _security_headers(response: Any) -> Any:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
