"""Settings: declared once, overridable from the environment, documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.errors import ConfigurationError
from archive.settings import SETTINGS, Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_environment_overrides_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env({"ARCHIVE_HOME": str(tmp_path), "ARCHIVE_CONTROL_PREFIX": "KRB",
                                  "ARCHIVE_DAYFIRST": "no", "ARCHIVE_WORKERS": "3"})
    assert (settings.home, settings.control_prefix, settings.dayfirst, settings.workers) == (tmp_path, "KRB", False, 3)


def test_explicit_overrides_beat_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env({"ARCHIVE_HOME": "/elsewhere"}, home=tmp_path)
    assert settings.home == tmp_path


@pytest.mark.parametrize("name, value", [("ARCHIVE_WORKERS", "many"), ("ARCHIVE_DAYFIRST", "perhaps"),
                                         ("ARCHIVE_DEFAULT_ACCESS", "secret"), ("ARCHIVE_CONTROL_PREFIX", "a b")])
def test_bad_values_say_what_is_expected(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match="expected"):
        Settings.from_env({name: value})


def test_every_setting_is_declared_and_documented() -> None:
    declared = [name for name, _, _ in SETTINGS]
    assert declared == [f for f in Settings.__dataclass_fields__]
    readme = README.read_text(encoding="utf-8")
    for name in declared:
        assert f"ARCHIVE_{name.upper()}" in readme, f"README.md does not document ARCHIVE_{name.upper()}"


@pytest.mark.parametrize("name, value", [("ARCHIVE_INDEX_BATCH", "0"), ("ARCHIVE_INDEX_BATCH", "-5"),
                                         ("ARCHIVE_LOGIN_ATTEMPTS", "0"), ("ARCHIVE_LOGIN_ATTEMPTS", "-1"),
                                         ("ARCHIVE_LOGIN_WINDOW", "0")])
def test_counts_below_one_are_refused(name: str, value: str) -> None:
    """ARCHIVE_INDEX_BATCH=0 made `evidence reindex` put an empty index in place of the old one and then fail;
    ARCHIVE_LOGIN_ATTEMPTS=0 made every sign-in an IndexError."""
    with pytest.raises(ConfigurationError, match="expected a whole number from 1"):
        Settings.from_env({name: value})


def test_a_negative_export_limit_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="export_limit"):
        Settings(export_limit=-1)
    with pytest.raises(ConfigurationError, match="export_window"):
        Settings(export_window=0)


@pytest.mark.parametrize("name, value", [("ARCHIVE_FILE_TIMEOUT", "nan"), ("ARCHIVE_FILE_TIMEOUT", "inf"),
                                         ("ARCHIVE_FILE_TIMEOUT", "1e400"), ("ARCHIVE_FILE_TIMEOUT", "9e12"),
                                         ("ARCHIVE_INDEX_BATCH", "99999999999999999999999"),
                                         ("ARCHIVE_LOGIN_ATTEMPTS", "10000000000000000000"),
                                         ("ARCHIVE_LOGIN_WINDOW", "99999999999999999999999"),
                                         ("ARCHIVE_EXPORT_LIMIT", "99999999999999999999999"),
                                         ("ARCHIVE_EXPORT_WINDOW", "99999999999999999999999")])
def test_numbers_that_are_not_finite_or_too_large_are_refused(name: str, value: str) -> None:
    """ARCHIVE_FILE_TIMEOUT=nan failed every file of a batch as `timeout`, inf or 9e12 stopped it with an
    OverflowError traceback; a huge ARCHIVE_INDEX_BATCH did the same to `evidence reindex`, a huge
    ARCHIVE_LOGIN_ATTEMPTS to every sign-in (SQLite's integers are 64 bits)."""
    with pytest.raises(ConfigurationError, match="expected .*1,000,000,000"):
        Settings.from_env({name: value})


def test_the_largest_numbers_allowed_work() -> None:
    settings = Settings.from_env({"ARCHIVE_FILE_TIMEOUT": "1e9", "ARCHIVE_INDEX_BATCH": "1000000000"})
    assert (settings.file_timeout, settings.index_batch) == (1e9, 10**9)


@pytest.mark.parametrize("name, value, expected", [
    ("ARCHIVE_WORKERS", "1e3", "a whole number"), ("ARCHIVE_WORKERS", "-1", "0 (one per core)"),
    ("ARCHIVE_FILE_TIMEOUT", "two minutes", "a number"), ("ARCHIVE_FILE_TIMEOUT", "nan", "a positive number"),
    ("ARCHIVE_EXPORT_LIMIT", "1.5", "a whole number"), ("ARCHIVE_DEFAULT_ACCESS", " public", "public or"),
    ("ARCHIVE_ACCESS_BY_TYPE", "testimony", "type=level"), ("ARCHIVE_DAYFIRST", " ", "true or false")])
def test_a_bad_value_in_the_environment_is_named_by_its_variable(name: str, value: str, expected: str) -> None:
    """The message named `workers` or `file_timeout`, which is not what the operator set, and said `a int`."""
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env({name: value})
    message = str(raised.value)
    assert message.startswith(f"setting {name}={value!r} is not valid: expected ") and expected in message
    assert "a int" not in message and "a float" not in message


def test_a_bad_value_given_in_code_keeps_the_settings_name() -> None:
    with pytest.raises(ConfigurationError, match="setting workers=-1 "):
        Settings.from_env({}, workers=-1)


@pytest.mark.parametrize(("content", "problem"), [
    (None, "cannot be read"), ("{not json", "is not UTF-8 JSON"), ('{"places": 3}', "expected a list of places"),
    ('[{"kind": "town"}]', 'each place needs a "name" string'),
])
def test_a_gazetteer_that_cannot_be_used_is_refused_like_any_bad_setting(tmp_path: Path, content: str | None,
                                                                         problem: str) -> None:
    """Read only when a batch started or the index opened: ``ingest`` and ``search`` stopped without naming the
    setting, and ``show`` or ``verify`` ran as if it were fine."""
    path = tmp_path / "places.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError, match="ARCHIVE_GAZETTEER") as raised:
        Settings.from_env({"ARCHIVE_GAZETTEER": str(path)})
    assert problem in str(raised.value)
    good = tmp_path / "good.json"
    good.write_text('[{"name": "Kestrelon", "kind": "village"}]', encoding="utf-8")
    assert Settings.from_env({"ARCHIVE_GAZETTEER": str(good)}).gazetteer == str(good)
