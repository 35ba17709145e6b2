"""Accounts on a real catalog: password hashes, lock-out, API tokens, access changes, and their CLI commands."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import accounts
from archive.accounts import (
    AccountError,
    LockedError,
    LoginError,
    TokenError,
    UnknownUserError,
    UserExistsError,
    add_user,
    authenticate,
    create_token,
    hash_password,
    levels_for,
    list_tokens,
    remove_user,
    revoke_token,
    user_for_token,
    verify_password,
)
from archive.cli import main
from archive.ingest import ingest
from archive.settings import Settings
from archive.store import Archive
from archive.verify import verify
from index import SearchRequest, open_index

PASSWORD = "correct horse battery staple"


def run(home: Path, *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["--home", str(home), *args], input=stdin, catch_exceptions=False)


@pytest.fixture
def archive(settings: Settings):
    with Archive(replace(settings, login_attempts=3, login_window=600)) as opened:
        yield opened


# -- passwords --------------------------------------------------------------------------------------

def test_password_hash_is_salted_scrypt_with_its_parameters() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second  # a fresh salt each time
    scheme, n, r, p, salt, key = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1") and PASSWORD not in first
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
    assert not verify_password(PASSWORD + "!", first)


@pytest.mark.parametrize("encoded", ["", "plain", "scrypt$1$2$3$%%%$%%%", "bcrypt$x$y$z$a$b", "scrypt$16384$8$1$AAAA"])
def test_malformed_hashes_never_verify(encoded: str) -> None:
    assert not verify_password(PASSWORD, encoded)


def test_users_are_stored_without_their_password(archive: Archive) -> None:
    user = add_user(archive, "ayla", "investigator", PASSWORD)
    assert (user.name, user.role, user.levels) == ("ayla", "investigator", ("public", "restricted"))
    stored = archive.db.execute("SELECT password_hash FROM users WHERE name = 'ayla'").fetchone()[0]
    assert stored.startswith("scrypt$") and PASSWORD not in stored


@pytest.mark.parametrize(("name", "role", "password", "message"), [
    ("bad name", "reader", PASSWORD, "cannot be a user name"),
    ("ayla", "owner", PASSWORD, "unknown role 'owner'"),
    ("ayla", "reader", "short", "at least 12 characters"),
    ("ayla", "reader", " " * 12, "at least 12 characters"),
    ("ayla", "reader", "  eleven chr  ", "at least 12 characters"),
    ("ayla", "reader", "a" * 12, "too few characters"),
    ("ayla", "reader", "abababababab", "too few characters"),
    ("ayla", "reader", "Ayla-1990-spring", "holds the user name"),
])
def test_bad_accounts_are_refused_with_what_to_do(archive: Archive, name: str, role: str, password: str,
                                                  message: str) -> None:
    with pytest.raises(AccountError, match=message):
        add_user(archive, name, role, password)


def test_a_name_is_taken_once(archive: Archive) -> None:
    add_user(archive, "ayla", "reader", PASSWORD)
    with pytest.raises(UserExistsError, match="evidence users remove ayla"):
        add_user(archive, "ayla", "admin", PASSWORD)


@pytest.mark.parametrize(("role", "levels"), [
    ("reader", ("public",)), ("investigator", ("public", "restricted")),
    ("admin", ("public", "restricted", "confidential")),
])
def test_levels_for_each_role(role: str, levels: tuple[str, ...]) -> None:
    assert levels_for(role) == levels


# -- logins and lock-out ----------------------------------------------------------------------------

def test_login_with_the_right_password(archive: Archive) -> None:
    add_user(archive, "ayla", "reader", PASSWORD)
    assert authenticate(archive, "ayla", PASSWORD, now=1000.0).name == "ayla"


def test_unknown_name_and_wrong_password_get_the_same_answer(archive: Archive) -> None:
    add_user(archive, "ayla", "reader", PASSWORD)
    with pytest.raises(LoginError) as wrong:
        authenticate(archive, "ayla", "not the password", now=1000.0)
    with pytest.raises(LoginError) as unknown:
        authenticate(archive, "nobody", PASSWORD, now=1000.0)
    assert str(wrong.value) == str(unknown.value) == "name or password is wrong; check both and try again"


def test_an_account_locks_after_the_limit_and_opens_after_the_window(archive: Archive) -> None:
    add_user(archive, "ayla", "reader", PASSWORD)
    for second in range(3):
        with pytest.raises(LoginError):
            authenticate(archive, "ayla", "guess", now=1000.0 + second)
    with pytest.raises(LockedError, match=r"'ayla' from this address is locked .* try again in 10 minutes"):
        authenticate(archive, "ayla", PASSWORD, now=1003.0)  # even the right password
    assert authenticate(archive, "ayla", PASSWORD, now=1002.0 + 601).name == "ayla"


def test_failures_outside_the_window_do_not_count(archive: Archive) -> None:
    add_user(archive, "ayla", "reader", PASSWORD)
    for start in (1000.0, 2000.0, 3000.0):
        for second in range(2):
            with pytest.raises(LoginError):
                authenticate(archive, "ayla", "guess", now=start + second)
    assert authenticate(archive, "ayla", PASSWORD, now=3003.0).name == "ayla"


def test_a_success_clears_the_count(archive: Archive) -> None:
    add_user(archive, "ayla", "reader", PASSWORD)
    for start in (1000.0, 1100.0):
        for second in range(2):
            with pytest.raises(LoginError):
                authenticate(archive, "ayla", "guess", now=start + second)
        authenticate(archive, "ayla", PASSWORD, now=start + 5)


def test_failing_on_purpose_does_not_lock_the_owner_out_from_elsewhere(archive: Archive) -> None:
    add_user(archive, "admin1", "admin", PASSWORD)
    for second in range(10):  # an attacker keeps the name locked from their address
        with pytest.raises((LoginError, LockedError)):
            authenticate(archive, "admin1", "guess", address="203.0.113.9", now=1000.0 + second)
    with pytest.raises(LockedError, match="from this address"):
        authenticate(archive, "admin1", PASSWORD, address="203.0.113.9", now=1011.0)
    assert authenticate(archive, "admin1", PASSWORD, address="198.51.100.7", now=1011.0).name == "admin1"


def test_guesses_spread_over_many_addresses_lock_the_name_everywhere(archive: Archive) -> None:
    from archive.accounts import NAME_FACTOR

    add_user(archive, "admin1", "admin", PASSWORD)
    limit = archive.settings.login_attempts * NAME_FACTOR
    for n in range(limit):  # two guesses from each address, under every address's own limit
        with pytest.raises(LoginError):
            authenticate(archive, "admin1", "guess", address=f"10.0.{n // 2}.1", now=1000.0 + n)
    with pytest.raises(LockedError, match="'admin1' is locked"):
        authenticate(archive, "admin1", PASSWORD, address="198.51.100.7", now=1000.0 + limit)


def test_unknown_names_lock_too_so_a_lock_tells_nothing(archive: Archive) -> None:
    for second in range(3):
        with pytest.raises(LoginError):
            authenticate(archive, "ghost", "guess", now=1000.0 + second)
    with pytest.raises(LockedError, match="'ghost' from this address is locked"):
        authenticate(archive, "ghost", "guess", now=1004.0)


def test_one_address_trying_many_names_is_stopped(archive: Archive) -> None:
    limit = archive.settings.login_attempts * accounts.ADDRESS_FACTOR
    for number in range(limit):
        with pytest.raises(LoginError):
            authenticate(archive, f"name{number}", "guess", address="10.0.0.9", now=1000.0 + number)
    with pytest.raises(LockedError, match="signing in from this address is locked"):
        authenticate(archive, "someone-else", "guess", address="10.0.0.9", now=1000.0 + limit)
    with pytest.raises(LoginError):
        authenticate(archive, "someone-else", "guess", address="10.0.0.10", now=1000.0 + limit)


def test_locking_each_name_does_not_reset_the_address_count(archive: Archive) -> None:
    """Spraying a few guesses at many names from one address: every name it locks still counts against it."""
    per_name, limit = archive.settings.login_attempts, archive.settings.login_attempts * accounts.ADDRESS_FACTOR
    tried = 0
    with pytest.raises(LockedError, match="signing in from this address is locked"):
        for number in range(limit):
            for _ in range(per_name):
                with pytest.raises(LoginError):
                    authenticate(archive, f"name{number}", "guess", address="10.0.0.9", now=1000.0 + tried)
                tried += 1
    assert tried == limit
    # the names it locked open again once the window has passed
    add_user(archive, "name0", "reader", PASSWORD)
    assert authenticate(archive, "name0", PASSWORD, address="10.0.0.10",
                        now=1000.0 + tried + archive.settings.login_window).name == "name0"


def test_removed_users_cannot_sign_in(archive: Archive) -> None:
    add_user(archive, "ayla", "reader", PASSWORD)
    remove_user(archive, "ayla")
    with pytest.raises(LoginError):
        authenticate(archive, "ayla", PASSWORD, now=1000.0)
    with pytest.raises(UnknownUserError, match="evidence users list"):
        remove_user(archive, "ayla")
    assert add_user(archive, "ayla", "admin", PASSWORD + "2").role == "admin"  # brought back


# -- API tokens -------------------------------------------------------------------------------------

def test_tokens_are_stored_as_sha256_only_and_find_their_user(archive: Archive) -> None:
    add_user(archive, "ayla", "investigator", PASSWORD)
    token, secret = create_token(archive, "ayla", "court script")
    assert len(secret) >= 43 and len(token.id) == 8 and token.label == "court script"
    stored = archive.db.execute("SELECT * FROM api_tokens").fetchone()
    assert secret not in json.dumps(dict(stored)) and stored["digest"] == accounts.token_digest(secret)
    user, used = user_for_token(archive, secret)
    assert user.name == "ayla" and used.id == token.id and used.last_used is not None


def test_revoked_tokens_and_tokens_of_removed_users_stop_working(archive: Archive) -> None:
    add_user(archive, "ayla", "reader", PASSWORD)
    first, first_secret = create_token(archive, "ayla")
    _, second_secret = create_token(archive, "ayla")
    assert revoke_token(archive, first.id).revoked
    with pytest.raises(TokenError, match="evidence tokens create"):
        user_for_token(archive, first_secret)
    user_for_token(archive, second_secret)
    remove_user(archive, "ayla")
    with pytest.raises(TokenError):
        user_for_token(archive, second_secret)
    assert all(t.revoked for t in list_tokens(archive))
    with pytest.raises(TokenError):
        user_for_token(archive, "made-up")


# -- access changes ---------------------------------------------------------------------------------

def test_access_change_is_one_custody_event_and_reaches_the_index(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text("A note naming Quillabrand near the minefield.", encoding="utf-8")
    ingest([folder], settings)
    with Archive(settings) as archive, open_index(settings.index_dir) as index:
        doc = next(archive.iter_documents())
        assert index.search(SearchRequest(query="Quillabrand")).total == 1
        changed = accounts.change_access(archive, index, doc.id, "confidential", actor="chief")
        event = archive.events(doc.id)[-1]
        assert changed.document.metadata.access == "confidential"
        assert (changed.before, changed.changed, changed.indexed) == ("public", True, True)
        assert (event.action, event.actor, event.details) == ("access-changed", "chief",
                                                               {"from": "public", "to": "confidential"})
        assert index.search(SearchRequest(query="Quillabrand")).total == 0
        assert index.search(SearchRequest(query="Quillabrand", access=("confidential",))).total == 1
        again = accounts.change_access(archive, index, doc.id, "confidential", actor="chief")
        assert (again.before, again.changed) == ("confidential", False)
        assert len(archive.events(doc.id)) == 3  # received, ingested, one change: the same level again is no event
        assert archive.unindexed_ids() == [] and verify(archive).ok
        with pytest.raises(AccountError, match="not an access level"):
            accounts.change_access(archive, index, doc.id, "secret", actor="chief")


# -- the CLI ----------------------------------------------------------------------------------------

def test_cli_users_add_list_remove(tmp_path: Path) -> None:
    home = tmp_path / "home"
    added = run(home, "users", "add", "ayla", "--role", "investigator", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.exit_code == 0 and "added ayla (investigator)" in added.output
    prompted = run(home, "users", "add", "bora", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    listed = json.loads(run(home, "users", "list", "--json").output)
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [("ayla", "investigator", False),
                                                                       ("bora", "admin", False)]
    assert "scrypt" not in run(home, "users", "list").output
    assert run(home, "users", "remove", "ayla").exit_code == 0
    assert "(removed)" in run(home, "users", "list").output
    again = run(home, "users", "add", "bora", "--role", "reader", "--password-stdin", stdin=PASSWORD + "\n")
    assert again.exit_code == 1 and "already exists" in again.output
    short = run(home, "users", "add", "cem", "--role", "reader", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    assert run(home, "users", "add", "cem", "--role", "owner", "--password-stdin", stdin=PASSWORD).exit_code == 2


def test_cli_tokens_create_list_revoke(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run(home, "users", "add", "ayla", "--role", "reader", "--password-stdin", stdin=PASSWORD + "\n")
    created = CliRunner().invoke(main, ["--home", str(home), "tokens", "create", "ayla", "--label", "script"])
    secret = created.stdout.strip()
    assert created.exit_code == 0 and len(secret) >= 43 and "not shown again" in created.stderr
    listed = json.loads(run(home, "tokens", "list", "--json").output)
    assert [(t["user"], t["label"], t["revoked"]) for t in listed] == [("ayla", "script", None)]
    assert secret not in run(home, "tokens", "list").output
    assert run(home, "tokens", "revoke", listed[0]["id"]).exit_code == 0
    assert json.loads(run(home, "tokens", "list", "--json").output)[0]["revoked"]
    missing = run(home, "tokens", "revoke", "nope")
    assert missing.exit_code == 1 and "evidence tokens list" in missing.output
    assert run(home, "tokens", "create", "nobody").exit_code == 1


def test_cli_access_changes_the_level_records_it_and_reindexes(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text("A note naming Quillabrand near the minefield.", encoding="utf-8")
    ingest([folder], settings)
    with Archive(settings) as archive:
        doc = next(archive.iter_documents())
    changed = run(settings.home, "access", doc.control_number, "restricted")
    assert changed.exit_code == 0 and f"{doc.control_number}: public → restricted" in changed.output
    assert json.loads(run(settings.home, "search", "Quillabrand", "--json").output)["total"] == 0
    with Archive(settings) as archive:
        event = archive.events(doc.id)[-1]
    assert event.action == "access-changed" and event.details == {"from": "public", "to": "restricted"}
    assert "already restricted" in run(settings.home, "access", doc.id, "restricted").output
    assert run(settings.home, "access", doc.id, "secret").exit_code == 2
    assert "no document" in run(settings.home, "access", "EVA-999999", "public").output
