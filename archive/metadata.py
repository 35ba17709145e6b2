"""Metadata that comes with a file: sidecars and batch manifests.

A sidecar ``NAME.meta.json`` sits next to ``NAME.pdf`` (``NAME.pdf.meta.json``
is accepted too). A manifest is a CSV file with a ``path`` column and
metadata columns, given to ``evidence ingest --manifest``. Both are read into
plain dicts of validated fields (:data:`FIELDS`); a value the archive cannot
accept raises :class:`~archive.errors.MetadataError`, so a file is never
stored under metadata nobody meant. Working out metadata from the text is
left to :mod:`archive.analyse`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from archive.errors import MetadataError
from archive.settings import ACCESS_LEVELS, DOCUMENT_TYPES

#: Sidecar and manifest fields the archive understands.
FIELDS = ("title", "type", "date", "issuer", "source", "language", "places", "access", "synthetic")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def sidecar_path(path: Path) -> Path | None:
    """The sidecar of ``path``, if one exists."""
    for candidate in (path.with_name(path.name + ".meta.json"), path.with_suffix(".meta.json")):
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # e.g. a name already near the 255-byte limit has no room for ".meta.json"
            continue
    return None


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(".meta.json")


def read_sidecar(path: Path) -> dict[str, Any]:
    """The validated metadata of ``path``'s sidecar, or ``{}`` when it has none."""
    sidecar = sidecar_path(path)
    if sidecar is None:
        return {}
    try:
        raw = json.loads(sidecar.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MetadataError(sidecar, f"cannot read the sidecar: {error}") from error
    if not isinstance(raw, dict):
        raise MetadataError(sidecar, "a sidecar must hold one JSON object")
    return validate(raw, sidecar)


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """Metadata per file from a CSV manifest, keyed by resolved path (symbolic links followed).

    Two rows for the same file are refused: which one was meant cannot be
    told, and one may set a stricter access level than the other.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "path" not in reader.fieldnames:
                raise MetadataError(path, _no_path_column(reader.fieldnames or []))
            entries: dict[str, dict[str, Any]] = {}
            lines: dict[str, int] = {}
            for line, row in enumerate(reader, start=2):
                for target, values in _manifest_row(path, line, row).items():
                    if target in lines:
                        raise MetadataError(path, f"lines {lines[target]} and {line} are both for {target}; "
                                                  "keep one row per file")
                    entries[target], lines[target] = values, line
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise MetadataError(path, f"cannot read the manifest: {error}") from error
    return entries


def _no_path_column(header: list[str]) -> str:
    """Why a manifest's header has no ``path`` column, and what to do about it."""
    for separator, named in ((";", "';'"), ("\t", "tabs")):
        if len(header) == 1 and separator in header[0]:
            return (f"its columns are separated by {named}, not commas: save it as CSV with commas "
                    "(in a spreadsheet: comma-separated values)")
    for column in header:
        if column.strip().casefold() == "path":
            return f"a manifest needs a 'path' column: its header has {column!r}; write it 'path'"
    return "a manifest needs a 'path' column (the file's path, relative to the manifest)"


def _manifest_row(manifest: Path, line: int, row: Mapping[str | None, Any]) -> dict[str, dict[str, Any]]:
    raw_path = (row.get("path") or "").strip()
    if not raw_path:
        raise MetadataError(manifest, f"line {line}: the path is empty")
    if row.get(None):  # csv.DictReader's key for values beyond the header's columns
        raise MetadataError(manifest, f"line {line}: more values than the header has columns "
                                      f"({', '.join(repr(v) for v in row[None])} left over): put a value "
                                      "holding a comma in double quotes")
    target = Path(raw_path)
    if not target.is_absolute():
        target = manifest.parent / target
    values: dict[str, Any] = {}
    for key, value in row.items():
        if key in (None, "path") or value is None or value.strip() == "":
            continue
        values[key.strip()] = _split_list(value) if key.strip() == "places" else value.strip()
    return {str(target.resolve()): validate(values, f"{manifest}, line {line}")}


def _split_list(value: str) -> list[str]:
    return [item.strip() for item in re.split(r"[;|]", value) if item.strip()]


def validate(raw: Mapping[str, Any], origin: Path | str) -> dict[str, Any]:
    """Check and normalise known fields; keep unknown fields as they are, under ``extra``."""
    clean: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in FIELDS:
            _refuse_field_in_other_letters(key, origin)
            extra[key] = value
        elif value not in (None, "", []):
            clean[key] = _validate_field(key, value, origin)
    if extra:
        clean["extra"] = extra
    return clean


def _refuse_field_in_other_letters(key: str, origin: Path | str) -> None:
    """Refuse a key that is a known field but for letter case or spaces (``Access``, ``"access "``).

    Kept as extra metadata, it would leave the field it was meant for to its
    default: a confidential statement stored public.
    """
    meant = key.strip().casefold()
    if meant in FIELDS:
        raise MetadataError(origin, f"{key!r} is not a field the archive reads: write it {meant!r} "
                                    "(field names are lower case, without spaces)")


def _validate_field(key: str, value: Any, origin: Path | str) -> Any:
    if key == "type":
        if value not in DOCUMENT_TYPES:
            raise MetadataError(origin, f"type {value!r} is not one of: {', '.join(DOCUMENT_TYPES)}")
        return value
    if key == "access":
        if value not in ACCESS_LEVELS:
            raise MetadataError(origin, f"access {value!r} is not one of: {', '.join(ACCESS_LEVELS)}")
        return value
    if key == "date":
        return _validate_date(str(value), origin)
    if key == "language":
        codes = [value] if isinstance(value, str) else value
        if not isinstance(codes, list) or not all(isinstance(c, str) and LANGUAGE_CODE.match(c) for c in codes):
            raise MetadataError(origin, f"language {value!r} must be a code such as 'en', 'ru' or 'az'")
        return list(codes)
    if key == "places":
        places = _split_list(value) if isinstance(value, str) else value  # "Aghdam; Fuzuli", as in a manifest
        if not isinstance(places, list) or not all(isinstance(p, str) for p in places):
            raise MetadataError(origin, "places must be a list of names")
        return [p.strip() for p in places if p.strip()]
    if key == "synthetic":
        return _validate_flag(key, value, origin)
    if not isinstance(value, str):
        raise MetadataError(origin, f"{key} must be text, not {type(value).__name__}")
    return value.strip()


def _validate_flag(key: str, value: Any, origin: Path | str) -> bool:
    """``true`` or ``false`` (also ``yes``/``no``, ``1``/``0``); anything else is refused, not taken for false."""
    written = value.strip().lower() if isinstance(value, str) else value
    if written in (True, 1, "true", "yes", "1"):
        return True
    if written in (False, 0, "false", "no", "0"):
        return False
    raise MetadataError(origin, f"{key} {value!r} must be true or false")


def _validate_date(value: str, origin: Path | str) -> str:
    value = value.strip()
    if not PARTIAL_DATE.match(value):
        raise MetadataError(origin, f"date {value!r} must be YYYY-MM-DD, YYYY-MM or YYYY")
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        raise MetadataError(origin, f"date {value!r} is not a calendar date") from None
    return value
