"""Configuration, read in one place.

:class:`Settings` holds every knob the archive has. Each one is declared once
in :data:`SETTINGS` as ``(name, default, help)``, can be overridden by an
``ARCHIVE_<NAME>`` environment variable, and is passed explicitly from there
on (``ingest(paths, settings)``, ``create_app({"ARCHIVE_HOME": ...})``).
Nothing else in the project reads the environment.
"""

from __future__ import annotations

import getpass
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.errors import ConfigurationError

ACCESS_LEVELS = ("public", "restricted", "confidential")
DOCUMENT_TYPES = (
    "appeal",
    "mine_map_submission",
    "testimony",
    "report",
    "treaty",
    "correspondence",
    "other",
)

#: Every setting: (name, default, help). README.md documents each; a test checks it.
SETTINGS: tuple[tuple[str, Any, str], ...] = (
    ("home", "archive-home", "Directory holding all archive state (catalog, originals, index)."),
    ("control_prefix", "EVA", "Prefix of control numbers, as in EVA-000001."),
    ("actor", "", "Name recorded as the actor of custody events (default: the OS user)."),
    ("dayfirst", True, "Read ambiguous numeric dates such as 03/04/2022 day first."),
    ("workers", 0, "Extraction worker processes for ingest (0: one per CPU core)."),
    ("file_timeout", 120.0, "Seconds one file may take to extract before it is failed."),
    ("default_access", "public", "Access level of a document whose metadata names none."),
    ("access_by_type", "testimony=restricted",
     "Access level by document type when metadata names none, as type=level pairs separated by commas."),
    ("gazetteer", "", "A JSON file of places (and spellings) merged into the built-in gazetteer at ingest."),
    ("index_batch", 500,
     "Documents written to the search index between commits (fewer when they hold a million postings)."),
    ("login_attempts", 5, "Failed logins allowed per account within login_window seconds before it is locked."),
    ("login_window", 900, "Seconds over which failed logins are counted, and how long a lock lasts."),
    ("audit_views", True, "Record views of restricted and confidential documents as custody events."),
    ("export_limit", 30, "Exports one visitor (a user, or an address when not signed in) may make within "
                         "export_window seconds; each is recorded in the custody ledger. 0: no limit."),
    ("export_window", 600, "Seconds over which a visitor's exports are counted."),
    ("public_url", "", "Scheme and host the archive is reached at (https://evidence.example.org), for permalinks "
                       "and citations; empty: those of each request."),
)


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "unknown"


#: At most this many extraction processes per core: more only queue for the cores and each holds its own memory.
WORKERS_PER_CORE = 8


#: No count or number of seconds is larger: beyond it SQLite's 64-bit integers and the OS's timeouts overflow
#: (a huge ARCHIVE_INDEX_BATCH or ARCHIVE_FILE_TIMEOUT was a traceback).
MAX_NUMBER = 1_000_000_000


def max_workers() -> int:
    """The most extraction processes a batch may start on this machine."""
    return WORKERS_PER_CORE * (os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    """The archive's configuration; build it with :meth:`from_env`."""

    home: Path = field(default_factory=lambda: Path("archive-home").resolve())
    control_prefix: str = "EVA"
    actor: str = field(default_factory=_default_actor)
    dayfirst: bool = True
    workers: int = 0
    file_timeout: float = 120.0
    default_access: str = "public"
    access_by_type: str = "testimony=restricted"
    gazetteer: str = ""
    index_batch: int = 500
    login_attempts: int = 5
    login_window: int = 900
    audit_views: bool = True
    export_limit: int = 30
    export_window: int = 600
    public_url: str = ""

    def __post_init__(self) -> None:
        if self.default_access not in ACCESS_LEVELS:
            raise ConfigurationError("default_access", self.default_access, " or ".join(ACCESS_LEVELS))
        if not self.control_prefix or not self.control_prefix.replace("-", "").isalnum():
            raise ConfigurationError("control_prefix", self.control_prefix, "letters and digits")
        if not 0 <= self.workers <= max_workers():
            raise ConfigurationError("workers", self.workers, f"0 (one per core) to {max_workers()} "
                                                              f"({WORKERS_PER_CORE} per core on this machine)")
        if not (math.isfinite(self.file_timeout) and 0 < self.file_timeout <= MAX_NUMBER):  # nan failed every file
            raise ConfigurationError("file_timeout", self.file_timeout,
                                     f"a positive number of seconds up to {MAX_NUMBER:,}")
        for name in ("index_batch", "login_attempts", "login_window", "export_window"):  # 0 emptied the index,
            if not 1 <= getattr(self, name) <= MAX_NUMBER:                             # locked every sign-in
                raise ConfigurationError(name, getattr(self, name), f"a whole number from 1 to {MAX_NUMBER:,}")
        if not 0 <= self.export_limit <= MAX_NUMBER:
            raise ConfigurationError("export_limit", self.export_limit, f"0 (no limit) to {MAX_NUMBER:,}")
        if self.public_url and not _is_origin(self.public_url):
            raise ConfigurationError("public_url", self.public_url,
                                     "a scheme and host only, such as https://evidence.example.org")
        self.access_defaults  # noqa: B018 - validates access_by_type
        if self.gazetteer:
            _check_gazetteer(self.gazetteer)

    @property
    def access_defaults(self) -> dict[str, str]:
        """``access_by_type`` as a mapping, e.g. ``{"testimony": "restricted"}``."""
        defaults: dict[str, str] = {}
        for pair in filter(None, (p.strip() for p in self.access_by_type.split(","))):
            kind, _, level = pair.partition("=")
            if kind.strip() not in DOCUMENT_TYPES or level.strip() not in ACCESS_LEVELS:
                raise ConfigurationError("access_by_type", self.access_by_type,
                                         "type=level pairs such as testimony=restricted")
            defaults[kind.strip()] = level.strip()
        return defaults

    @property
    def worker_count(self) -> int:
        """The number of extraction processes to start."""
        return self.workers or max(1, os.cpu_count() or 1)

    @property
    def catalog_path(self) -> Path:
        return self.home / "catalog.sqlite3"

    @property
    def objects_dir(self) -> Path:
        return self.home / "objects"

    @property
    def index_dir(self) -> Path:
        return self.home / "whoosh"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``ARCHIVE_*`` variables, then explicit ``overrides`` (``None`` ignored)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        raws: dict[str, str] = {}  # what the environment says, to name a bad value as the operator wrote it
        for spec in fields(cls):
            raw = environ.get(f"ARCHIVE_{spec.name.upper()}")
            if raw is not None and raw != "":
                raws[spec.name] = raw
                values[spec.name] = _coerce(spec.name, raw)
        given = {k: v for k, v in overrides.items() if v is not None}
        values.update(given)
        if "home" in values:
            values["home"] = Path(values["home"]).expanduser().resolve()
        try:
            return cls(**values)
        except ConfigurationError as error:
            if error.name in raws and error.name not in given:
                raise ConfigurationError(f"ARCHIVE_{error.name.upper()}", raws[error.name], error.expected) from None
            raise

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _check_gazetteer(path: str) -> None:
    """Refuse a gazetteer file that cannot be used, as every other bad setting is refused: before anything runs.

    Read when a batch started or the index opened, it stopped ``ingest`` and ``search`` with a message that did
    not name the setting, while ``show`` and ``verify`` ran as if it were fine.
    """
    from archive.analyse.places import GazetteerError, read_places

    try:
        read_places(Path(path))
    except GazetteerError as error:
        raise ConfigurationError("gazetteer", path, f"a JSON file of places that can be read ({error.problem})") \
            from None


def _is_origin(url: str) -> bool:
    """Whether ``url`` is an origin: http or https, a host, and nothing after it but an optional ``/``."""
    parts = urlsplit(url)
    return (parts.scheme in ("http", "https") and bool(parts.hostname) and parts.path in ("", "/")
            and not parts.query and not parts.fragment and not parts.username and not parts.password
            and not any(c.isspace() for c in url))


def _coerce(name: str, raw: str) -> Any:
    """The value of ``ARCHIVE_<NAME>=raw`` in the type of the setting's default; an error names the variable."""
    default = next(d for n, d, _ in SETTINGS if n == name)
    variable = f"ARCHIVE_{name.upper()}"
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigurationError(variable, raw, "true or false")
    try:
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        kind = "a whole number" if isinstance(default, int) else "a number (of seconds)"
        raise ConfigurationError(variable, raw, kind) from None
    return raw
