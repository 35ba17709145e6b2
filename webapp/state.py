"""Access to the app's shared catalog and index from inside a request, through the visitor's access levels.

Every view reaches documents through :func:`visible_document` (or filters SQL
with :func:`visible_levels`), so a document outside the visitor's levels is a
404 everywhere, never a 403: its existence does not leak. The visitor is the
user :mod:`webapp.auth` signed in for this request (by session, or by API
token under ``/api/``); anonymous visitors see public documents only. Views
of restricted and confidential documents, and originals sent to signed-in
users, are recorded here as custody events.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from flask import current_app, g, request, url_for

from archive.accounts import ANONYMOUS_LEVELS, User
from archive.errors import DocumentNotFoundError
from archive.models import CustodyEvent, Document
from archive.store import Archive
from index import SearchIndex

#: Custody actions that say who looked at what: shown to admins only.
AUDIT_ACTIONS = frozenset({"viewed", "downloaded"})


def archive() -> Archive:
    return current_app.extensions["archive"]


def search_index() -> SearchIndex:
    return current_app.extensions["search_index"]


def current_user() -> User | None:
    """The signed-in user of this request, if any."""
    return g.get("user")


def visible_levels() -> tuple[str, ...]:
    """Access levels the current visitor may see (anonymous visitors: public only)."""
    user = current_user()
    return user.levels if user else ANONYMOUS_LEVELS


def visible_document(key: str) -> Document:
    """The document with this id (or control number), if the visitor may see it; else a 404."""
    document = archive().get_document(key)
    if document.metadata.access not in visible_levels():
        raise DocumentNotFoundError(key)  # 404, not 403: existence does not leak
    return document


def visible_events(document: Document) -> list[CustodyEvent]:
    """The document's custody timeline; audit events (who viewed or downloaded it) only for admins."""
    events = archive().events(document.id)
    user = current_user()
    if user is not None and user.is_admin:
        return events
    return [event for event in events if event.action not in AUDIT_ACTIONS]


#: Who acted, as anonymous visitors and readers see a custody event: the archive's staff are not named to them
#: (a name is half of a password guess, and investigators' names may be sensitive).
STAFF = "archive staff"


def event_actor(event: CustodyEvent) -> str:
    """The event's actor for those who may see more than public documents; :data:`STAFF` for everyone else."""
    return event.actor if visible_levels() != ANONYMOUS_LEVELS else STAFF


def event_details(event: CustodyEvent) -> dict[str, Any]:
    """An event's details as this visitor may read them: the folder a file was ingested from
    (a path on the archive's server, which may name people or cases) only for those who may
    see more than public documents; everyone else gets the file name."""
    path = event.details.get("path")
    if not isinstance(path, str) or visible_levels() != ANONYMOUS_LEVELS:
        return event.details
    return {**event.details, "path": PurePath(path).name}


#: The actor of the custody events an anonymous visitor's requests make (downloads, exports). No user can have this
#: name (user names have no spaces), and it is not ``ARCHIVE_ACTOR``: the archive's own staff did not act.
ANONYMOUS_ACTOR = "anonymous visitor"


def actor() -> str:
    """The name custody events record for this request: the signed-in user, else :data:`ANONYMOUS_ACTOR`."""
    user = current_user()
    return user.name if user else ANONYMOUS_ACTOR


def via_token() -> dict[str, Any]:
    """A custody event's ``token`` detail: the id of the API token the request came with, if it came with one."""
    token = g.get("token_id")
    return {"token": token} if token else {}


def record_view(document: Document, what: str) -> None:
    """Record a signed-in user's view of a restricted or confidential document (``Settings.audit_views``)."""
    user = current_user()
    if user is None or document.metadata.access == "public" or not archive().settings.audit_views or is_head():
        return
    archive().record_event("viewed", document.id, {"what": what, "access": document.metadata.access, **via_token()},
                           actor=user.name)


def record_download(document: Document, *, inline: bool) -> None:
    """Record an original sent to a signed-in user; anonymous downloads (not inline views) as before."""
    if (inline and current_user() is None) or is_head():
        return
    details = {"file": document.original_name, "sha256": document.sha256, "media_type": document.media_type}
    if inline:
        details["inline"] = True
    archive().record_event("downloaded", document.id, {**details, **via_token()}, actor=actor())


def is_head() -> bool:
    """Whether this is a HEAD request: its answer carries no body, so nothing was viewed or downloaded (download
    managers send one before the GET, which would have been recorded twice)."""
    return request.method == "HEAD"


def permalink(document: Document, page: int | None = None) -> str:
    """The stable address of a document or one of its pages: built on the id, which comes from the SHA-256."""
    if page:
        return external_url("documents.page", doc_id=document.id, number=page)
    return external_url("documents.show", doc_id=document.id)


def external_url(endpoint: str, **values: Any) -> str:
    """The full address of ``endpoint``: on ``Settings.public_url`` when it is set, so that a permalink in a brief
    names the archive's public address, not the one a proxy reached it by (or a forged ``Host``)."""
    origin = archive().settings.public_url.rstrip("/")
    if not origin:
        return url_for(endpoint, _external=True, **values)
    return origin + url_for(endpoint, **values)
