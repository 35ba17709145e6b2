"""Accounts, roles and API tokens: who may see which access levels.

Users have a role: ``reader`` sees public documents, ``investigator`` public
and restricted ones, ``admin`` everything and may ingest through the web and
change access levels (:func:`levels_for`). Passwords are kept only as salted
scrypt hashes that carry their parameters; API tokens only as the SHA-256 of
a random secret that is shown once. Failed logins are counted within
``Settings.login_window`` seconds: ``Settings.login_attempts`` failures for a
name from one address lock that name *from that address* (so nobody can lock
the owner out from elsewhere by failing on purpose); ``NAME_FACTOR`` times as
many from any addresses lock the name everywhere (a spread-out guess at one
password); ``ADDRESS_FACTOR`` times as many from one address, whatever the
names, lock the address. A lock lasts until those failures leave the window,
and applies whether or not an account has the name, so it never tells that
an account exists.

The tables live in the catalog (see :data:`archive.store.MIGRATIONS`); every
function here takes the :class:`~archive.store.Archive` that holds them. Who
is signed in, cookies and forms are the web app's business.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from archive.errors import ArchiveError, IndexDamagedError, StorageError, WriterBusyError, minutes_to_wait
from archive.models import Document
from archive.settings import ACCESS_LEVELS
from archive.store import Archive, utc_now

ROLES: dict[str, tuple[str, ...]] = {
    "reader": ("public",),
    "investigator": ("public", "restricted"),
    "admin": ACCESS_LEVELS,
}
ANONYMOUS_LEVELS: tuple[str, ...] = ("public",)
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 12
#: Different characters a password must use at least.
MIN_DISTINCT = 5
#: scrypt parameters of new hashes (about 16 MiB and some tens of milliseconds per hash).
SCRYPT_N, SCRYPT_R, SCRYPT_P, SALT_BYTES, KEY_BYTES = 2**14, 8, 1, 16, 32
#: Failed logins from one address within the window, as a multiple of the per-name limit.
ADDRESS_FACTOR = 4
#: Failed logins for one name from all addresses within the window, as a multiple of the per-name limit.
NAME_FACTOR = 10
#: ``last_used`` of a token is written at most this often (seconds).
TOKEN_TOUCH = 60


class AccountError(ArchiveError):
    """A request about accounts or tokens that cannot be carried out."""

    status = 400


class UnknownUserError(AccountError):
    status = 404

    def __init__(self, name: str) -> None:
        super().__init__(f"no user {name!r}; list the users with `evidence users list`")
        self.name = name


class UserExistsError(AccountError):
    status = 409

    def __init__(self, name: str) -> None:
        super().__init__(f"a user {name!r} already exists; remove it first with `evidence users remove {name}` "
                         "or choose another name")
        self.name = name


class UnknownTokenError(AccountError):
    status = 404

    def __init__(self, token_id: str) -> None:
        super().__init__(f"no API token {token_id!r}; list the tokens with `evidence tokens list`")
        self.token_id = token_id


class LoginError(AccountError):
    """Wrong name or wrong password: one message for both, so it does not tell which names exist."""

    status = 401

    def __init__(self) -> None:
        super().__init__("name or password is wrong; check both and try again")


class LockedError(AccountError):
    """Too many failed logins for a name (or from an address); ``seconds`` until it may try again."""

    status = 429

    def __init__(self, what: str, seconds: int) -> None:
        super().__init__(f"{what} is locked after too many failed logins; try again in {minutes_to_wait(seconds)}")
        self.what, self.seconds = what, seconds


class TokenError(AccountError):
    status = 401

    def __init__(self) -> None:
        super().__init__("the API token is not valid or was revoked; create one with `evidence tokens create USER` "
                         "and send it as 'Authorization: Bearer TOKEN'")


class NotAllowedError(AccountError):
    status = 403

    def __init__(self, action: str) -> None:
        super().__init__(f"only an admin may {action}; sign in with an admin account")
        self.action = action


class AccessLevelError(AccountError):
    def __init__(self, level: str) -> None:
        super().__init__(f"{level!r} is not an access level: use {', '.join(ACCESS_LEVELS)}")
        self.level = level


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created: str
    disabled: bool = False

    @property
    def levels(self) -> tuple[str, ...]:
        return levels_for(self.role)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Token:
    """An API token as stored: never the secret, only who it is for and when it was used."""

    id: str
    user: str
    label: str
    created: str
    last_used: str | None
    revoked: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "user": self.user, "label": self.label, "created": self.created,
                "last_used": self.last_used, "revoked": self.revoked}


def levels_for(role: str) -> tuple[str, ...]:
    """The access levels a role may see."""
    try:
        return ROLES[role]
    except KeyError:
        raise AccountError(f"unknown role {role!r}: use {', '.join(ROLES)}") from None


# -- passwords --------------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$key`` with a fresh random salt (base64 without padding)."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded``, compared in constant time."""
    try:
        scheme, n, r, p, salt, key = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(key)
        found = _scrypt(password, _unb64(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int = KEY_BYTES) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024,
                          dklen=length)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


#: Hashed once so that a login with an unknown name costs as much as one with a wrong password.
_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


def check_password_strength(password: str, name: str = "") -> None:
    """Refuse passwords that are short once spaces at the ends are left out, that repeat a few
    characters (``aaaaaaaaaaaa``, twelve spaces), or that hold the user's own name."""
    if len(password.strip()) < MIN_PASSWORD:
        raise AccountError(f"the password is too short: use at least {MIN_PASSWORD} characters besides spaces "
                           "at its ends (a few unrelated words are easy to remember)")
    if len(set(password)) < MIN_DISTINCT:
        raise AccountError(f"the password repeats too few characters: use at least {MIN_DISTINCT} different ones "
                           "(a few unrelated words are easy to remember)")
    if name and name.casefold() in password.casefold():
        raise AccountError("the password holds the user name: choose one that does not")


def session_key(user_hash: str, generation: int = 0) -> str:
    """A fingerprint of a password hash and of the user's session generation: a session holding an old
    one ends when the password changes or the user signs out (:func:`end_sessions`)."""
    return hashlib.sha256(f"session:{generation}:".encode("ascii") + user_hash.encode("ascii")).hexdigest()[:32]


def end_sessions(archive: Archive, user: User) -> None:
    """End every session of ``user`` (signing out): the cookie is only signed, so a copy of it would
    otherwise keep working until it expires."""
    with archive.transaction() as db:
        db.execute("UPDATE users SET sessions = sessions + 1 WHERE id = ?", (user.id,))


# -- users ------------------------------------------------------------------------------------------

def add_user(archive: Archive, name: str, role: str, password: str) -> User:
    """Create a user, or bring back a removed one under a new password and role."""
    if not NAME.match(name):
        raise AccountError(f"{name!r} cannot be a user name: use up to 64 letters, digits, '.', '_', '@' or '-'")
    levels_for(role)
    check_password_strength(password, name)
    row = archive.db.execute("SELECT disabled FROM users WHERE name = ?", (name,)).fetchone()
    if row is not None and not row["disabled"]:
        raise UserExistsError(name)
    with archive.transaction() as db:
        db.execute(
            "INSERT INTO users (name, role, password_hash, created) VALUES (?, ?, ?, ?) ON CONFLICT(name) "
            "DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, disabled = 0",
            (name, role, hash_password(password), utc_now()),
        )
    return get_user(archive, name)


def remove_user(archive: Archive, name: str) -> User:
    """Disable a user and revoke its tokens; its sessions end at their next request."""
    user = get_user(archive, name)
    with archive.transaction() as db:
        db.execute("UPDATE users SET disabled = 1, password_hash = ? WHERE id = ?", ("!", user.id))
        db.execute("UPDATE api_tokens SET revoked = ? WHERE user_id = ? AND revoked IS NULL", (utc_now(), user.id))
    return get_user(archive, name, include_disabled=True)


def get_user(archive: Archive, name: str, *, include_disabled: bool = False) -> User:
    row = archive.db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    if row is None or (row["disabled"] and not include_disabled):
        raise UnknownUserError(name)
    return _user(row)


def list_users(archive: Archive) -> list[User]:
    return [_user(row) for row in archive.db.execute("SELECT * FROM users ORDER BY name")]


def user_for_session(archive: Archive, user_id: Any, key: Any) -> User | None:
    """The active user a session names, if its key still matches the user's password hash."""
    if not isinstance(user_id, int) or not isinstance(key, str):
        return None
    row = archive.db.execute("SELECT * FROM users WHERE id = ? AND disabled = 0", (user_id,)).fetchone()
    if row is None or not hmac.compare_digest(session_key(row["password_hash"], row["sessions"]), key):
        return None
    return _user(row)


def session_key_of(archive: Archive, user: User) -> str:
    """The key a new session of ``user`` holds (see :func:`session_key`)."""
    row = archive.db.execute("SELECT password_hash, sessions FROM users WHERE id = ?", (user.id,)).fetchone()
    return session_key(row["password_hash"], row["sessions"])


def _user(row: sqlite3.Row) -> User:
    return User(id=row["id"], name=row["name"], role=row["role"], created=row["created"],
                disabled=bool(row["disabled"]))


# -- logins -----------------------------------------------------------------------------------------

def authenticate(archive: Archive, name: str, password: str, *, address: str = "",
                 now: float | None = None) -> User:
    """The user with this name and password; a :class:`LoginError` or :class:`LockedError` otherwise."""
    now = time.time() if now is None else now
    check_not_locked(archive, name, address, now)
    row = archive.db.execute("SELECT * FROM users WHERE name = ? AND disabled = 0", (name,)).fetchone()
    if not verify_password(password, row["password_hash"] if row else _dummy_hash()) or row is None:
        record_failure(archive, name, address, now)
        raise LoginError()
    with archive.transaction() as db:
        db.execute("DELETE FROM login_failures WHERE name = ?", (name,))
    return _user(row)


def check_not_locked(archive: Archive, name: str, address: str, now: float) -> None:
    """Raise :class:`LockedError` while ``name`` may not sign in from ``address`` (see the module docstring)."""
    limit, since = archive.settings.login_attempts, now - archive.settings.login_window
    checks = (
        ("name = ? AND address = ?", (name, address), limit, f"the account {name!r} from this address"),
        ("name = ?", (name,), limit * NAME_FACTOR, f"the account {name!r}"),
        ("address = ?", (address,), limit * ADDRESS_FACTOR, "signing in from this address"),
    )
    for where, params, allowed, what in checks:
        if where == "address = ?" and not address:
            continue
        rows = archive.db.execute(
            f"SELECT at FROM login_failures WHERE {where} AND at > ? ORDER BY at DESC LIMIT ?",
            (*params, since, allowed),
        ).fetchall()
        if len(rows) >= allowed:
            raise LockedError(what, int(rows[-1][0] + archive.settings.login_window - now) + 1)


def record_failure(archive: Archive, name: str, address: str, now: float) -> None:
    """Count one failed login (the locks are read from these counts)."""
    with archive.transaction() as db:
        db.execute("DELETE FROM login_failures WHERE at <= ?", (now - archive.settings.login_window,))
        db.execute("INSERT INTO login_failures (name, address, at) VALUES (?, ?, ?)", (name, address, now))


# -- API tokens -------------------------------------------------------------------------------------

def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(archive: Archive, user_name: str, label: str = "") -> tuple[Token, str]:
    """A new token for ``user_name``: its record and its secret, which is never stored nor shown again."""
    user = get_user(archive, user_name)
    secret = secrets.token_urlsafe(32)
    token_id = secrets.token_hex(4)
    with archive.transaction() as db:
        db.execute("INSERT INTO api_tokens (id, user_id, digest, label, created) VALUES (?, ?, ?, ?, ?)",
                   (token_id, user.id, token_digest(secret), label, utc_now()))
    return get_token(archive, token_id), secret


def revoke_token(archive: Archive, token_id: str) -> Token:
    token = get_token(archive, token_id)
    if token.revoked is None:
        with archive.transaction() as db:
            db.execute("UPDATE api_tokens SET revoked = ? WHERE id = ?", (utc_now(), token.id))
    return get_token(archive, token.id)


def get_token(archive: Archive, token_id: str) -> Token:
    row = archive.db.execute(_TOKENS + " WHERE t.id = ?", (token_id,)).fetchone()
    if row is None:
        raise UnknownTokenError(token_id)
    return _token(row)


def list_tokens(archive: Archive) -> list[Token]:
    return [_token(row) for row in archive.db.execute(_TOKENS + " ORDER BY t.created")]


def user_for_token(archive: Archive, secret: str) -> tuple[User, Token]:
    """The active user an API token belongs to; :class:`TokenError` for an unknown or revoked one."""
    row = archive.db.execute(
        "SELECT t.id AS token_id, t.last_used, u.* FROM api_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.digest = ? AND t.revoked IS NULL AND u.disabled = 0",
        (token_digest(secret),),
    ).fetchone()
    if row is None:
        raise TokenError()
    _touch(archive, row["token_id"], row["last_used"])
    return _user(row), get_token(archive, row["token_id"])


def _touch(archive: Archive, token_id: str, last_used: str | None) -> None:
    now = dt.datetime.now(dt.UTC)
    if last_used and (now - dt.datetime.fromisoformat(last_used)).total_seconds() < TOKEN_TOUCH:
        return
    try:
        with archive.transaction() as db:
            db.execute("UPDATE api_tokens SET last_used = ? WHERE id = ?",
                       (now.isoformat(timespec="seconds"), token_id))
    except StorageError:
        # A full disk: searching and reading go on (README), and when a token was last used is not worth
        # refusing a search for. The next use after the space is freed records it.
        return


_TOKENS = ("SELECT t.id, u.name AS user, t.label, t.created, t.last_used, t.revoked "
           "FROM api_tokens t JOIN users u ON u.id = t.user_id")


def _token(row: sqlite3.Row) -> Token:
    return Token(id=row["id"], user=row["user"], label=row["label"], created=row["created"],
                 last_used=row["last_used"], revoked=row["revoked"])


# -- access levels ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AccessChange:
    """What :func:`change_access` did: the document as it is now, and whether the index follows already."""

    document: Document
    before: str  # the level it had
    indexed: bool  # False: a batch holds the writer lock and re-indexes the document as it goes
    withheld: bool = False  # left out of every search until then (its access was narrowed)
    damaged: str = ""  # why the index could not follow: it is damaged (and a reindex will hold the new level)

    @property
    def changed(self) -> bool:
        return self.before != self.document.metadata.access

    @property
    def pending(self) -> str:
        """What to tell the user when the index has not followed yet; ``""`` when it has."""
        if self.indexed:
            return ""
        if self.damaged:
            return f"the change is recorded and in force, but the index cannot follow: {self.damaged}"
        meanwhile = "leave it out" if self.withheld else f"find it as {self.before}"
        return (f"a batch (or a reindex) is writing to the archive and re-indexes it as it goes; searches {meanwhile} "
                "until then")


def change_access(archive: Archive, search_index: Any, key: str, level: str, *, actor: str) -> AccessChange:
    """Set a document's access level, record who changed it, and re-index it so searches follow.

    The catalog changes first, with its custody event, and that is in force
    for searches at once: a document whose access was narrowed is left out of
    every search until the index holds its new level (see
    :meth:`Archive.set_access`). Then the index follows, under the archive's
    writer lock, waited for a few seconds. When a batch holds the lock, the
    batch re-indexes the document within seconds (:class:`archive.ingest.IndexFeed`),
    and ``indexed`` is ``False``. If indexing fails the catalog keeps the
    document marked changed; the next ingest, access change or ``evidence
    reindex`` re-indexes it.
    """
    from archive.ingest import apply_access_changes  # the index machinery, loaded where it is fed

    if level not in ACCESS_LEVELS:
        raise AccessLevelError(level)
    document, event = archive.set_access(key, level, actor=actor)
    before = event.details["from"] if event else level
    if event is None and document.id not in archive.access_changed_ids():
        return AccessChange(document, before, indexed=True)  # the level it had, and the index holds it already
    try:
        search_index.check_readable()  # a damaged index failed the write as a full disk would
        with archive.writer_lock():
            apply_access_changes(archive, search_index)
    except WriterBusyError:
        return AccessChange(document, before, indexed=False, withheld=document.id in archive.withheld_ids())
    except IndexDamagedError as error:
        return AccessChange(document, before, indexed=False, withheld=document.id in archive.withheld_ids(),
                            damaged=str(error))
    return AccessChange(document, before, indexed=True)
