"""Export of a whole result set: CSV, JSON Lines, CSL-JSON, BibTeX and RIS, recorded in custody.

The web app (``/export/FMT``) and the command line (``evidence export``) both
write through here. The caller runs the search and hands over the ids of the
results with their first matching pages; :func:`recorded_batches` reads the
documents back from the catalog, :data:`BATCH` at a time, through the
reader's access levels, and records each batch as an ``exported`` custody
event in the same transaction that read it; :func:`writer` turns the batches
into the text of the file, one piece per batch, so that an export of the whole
archive holds one batch in memory.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import cite
from archive.errors import DocumentNotFoundError, PublicUrlNeededError
from archive.models import Document
from archive.service import articles_by_document, document_as_dict, open_search
from archive.settings import Settings
from archive.store import Archive

BATCH = 200
#: Matching pages listed per document: finding every one would highlight every page of every result.
FIRST_PAGES = 3
#: Export formats: name → (media type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
    **{name: (f"{media}; charset=utf-8", ext) for name, (media, ext) in cite.FORMATS.items()},
}
CSV_COLUMNS = ("control_number", "id", "title", "type", "date", "issuer", "places", "languages", "articles",
               "first_matching_pages", "original_name", "sha256", "permalink", "synthetic", "access")
#: A spreadsheet runs a cell starting with one of these as a formula; such cells get a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters JSON leaves unescaped (it escapes the other controls) that ``str.splitlines()`` and other line readers
#: take for a line's end: a title holding one split its document's record in two.
LINE_BREAKS_IN_STRINGS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}

#: What a search found: each document's id with its first matching pages, in result order.
Found = Sequence[tuple[str, tuple[int, ...]]]
#: The documents of a result set, a batch at a time, each with its first matching pages.
Batches = Iterator[list[tuple[Document, tuple[int, ...]]]]
Permalink = Callable[[Document], str]
#: The document of an id if the reader may see it now; raises :class:`DocumentNotFoundError` otherwise.
Visible = Callable[[str], Document]


def matching(search_index: Any, request: Any) -> Iterator[tuple[str, tuple[int, ...]]]:
    """The id of every document ``request`` (an ``index.SearchRequest``) finds, with its first matching pages, in
    result order: read :data:`BATCH` at a time, on one version of the index (a commit between two batches, an
    ingest running, shifted the ranks, and the file and its custody event listed some documents twice and left
    others out)."""
    whole = dataclasses.replace(request, offset=0, limit=BATCH, facets=(), snippets_per_doc=FIRST_PAGES)
    for results in search_index.search_batches(whole, BATCH):
        for hit in results.hits:
            yield hit.doc_id, tuple(page.page for page in hit.pages)


def recorded_batches(archive: Archive, found: Found, details: dict[str, Any], *, actor: str,
                     visible: Visible, events: list[int] | None = None) -> Batches:
    """The documents of ``found`` the reader may see, :data:`BATCH` at a time, each batch recorded before it is given.

    A batch is read through ``visible``, and its ``exported`` event (``details``, with ``part`` 1, 2…; the later
    parts name the first part's event as ``export``) appended, in one transaction: an access change falls before
    both or after both. So a document hidden since the search (the index can lag the catalog for a moment), or
    while the file is being written, is neither written nor recorded, and the file goes on to its end. The first
    batch is recorded even when it is empty (an export that found nothing); a later one that is empty is skipped.
    The numbers of the events are appended to ``events`` as they are recorded.
    """
    recorded: list[int] = [] if events is None else events  # the events of the parts so far
    for start in range(0, max(len(found), 1), BATCH):
        with archive.transaction() as db:
            batch = _visible(found[start:start + BATCH], visible)
            if not batch and recorded:
                continue
            ids = [document.id for document, _ in batch]
            export = {"export": recorded[0]} if recorded else {}
            recorded.append(archive.append_event(db, "exported", None, {
                **details, "part": len(recorded) + 1, **export, "count": len(ids), "documents": ids},
                actor=actor).seq)
        yield batch


def _visible(found: Found, visible: Visible) -> list[tuple[Document, tuple[int, ...]]]:
    batch = []
    for doc_id, pages in found:
        try:
            batch.append((visible(doc_id), pages))
        except DocumentNotFoundError:
            continue
    return batch


def writer(fmt: str, archive: Archive, permalink: Permalink) -> Callable[[Batches], Iterator[str]]:
    """The writer of format ``fmt``: batches in, the file's text out, a piece per batch."""
    if fmt == "csv":
        return lambda batches: _csv(batches, archive, permalink)
    if fmt == "jsonl":
        return lambda batches: _jsonl(batches, archive, permalink)
    return lambda batches: _citations(batches, fmt, permalink)


def _csv(batches: Batches, archive: Archive, permalink: Permalink) -> Iterator[str]:
    # Excel reads a CSV without a byte order mark in the machine's ANSI code page: Cyrillic and Azerbaijani
    # letters would open as mojibake. With the BOM it reads UTF-8 (and csv readers take "utf-8-sig").
    yield "\ufeff" + _csv_rows([CSV_COLUMNS])
    for batch in batches:
        badges = articles_by_document(archive, [d.id for d, _ in batch])
        rows = []
        for document, pages in batch:
            meta = document.metadata
            row = (document.control_number, document.id, document.title, meta.type, meta.date, meta.issuer,
                   "; ".join(meta.places), "; ".join(meta.languages), "; ".join(badges.get(document.id, ())),
                   " ".join(map(str, pages)), document.original_name, document.sha256, permalink(document),
                   "true" if meta.synthetic else "false", meta.access)
            rows.append([spreadsheet_cell(value) for value in row])
        yield _csv_rows(rows)


def _csv_rows(rows: Any) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def spreadsheet_cell(value: str) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text: one that would run as a formula gets a leading ``'``."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _jsonl(batches: Batches, archive: Archive, permalink: Permalink) -> Iterator[str]:
    for batch in batches:
        lines = []
        for document, pages in batch:
            data: dict[str, Any] = document_as_dict(archive, document)
            data.update(first_matching_pages=list(pages), permalink=permalink(document))
            lines.append(one_record(json.dumps(data, ensure_ascii=False)) + "\n")
        yield "".join(lines)


def one_record(line: str) -> str:
    """A JSON Lines record that every line reader takes for one line (the same JSON value)."""
    return line.translate(str.maketrans(LINE_BREAKS_IN_STRINGS))


def _citations(batches: Batches, fmt: str, permalink: Permalink) -> Iterator[str]:
    """The same text as :func:`archive.cite.write` of all the citations at once, a batch at a time."""
    first = True
    for batch in batches:
        for document, _ in batch:
            yield cite.write_part(cite.citation_for(document, permalink=permalink(document)), fmt, first=first)
            first = False
    yield cite.write_end(fmt, empty=first)


@dataclass(frozen=True)
class Exported:
    """What ``evidence export`` wrote: how many documents, and the custody events that record it."""

    documents: int
    events: tuple[int, ...]


def export_search(settings: Settings, fmt: str, query: str, out: Path | Callable[[str], None], *,
                  selected: Mapping[str, Sequence[str]] | None = None, sort: str = "relevance",
                  access: Sequence[str] = ("public",)) -> Exported:
    """Every document the search finds at the ``access`` levels, written as ``fmt`` to the file ``out`` (or given
    to ``out``, a piece at a time), as the web app's export writes it, and recorded in custody (``exported``,
    actor ``settings.actor``).

    Permalinks are on ``settings.public_url``, which must be set. A file named by ``out`` is written beside
    itself and put in place only once whole: a failed export leaves no half file in its name. As on the web,
    each batch is recorded when it is read, before it is written: the record says what was released to
    the actor, whatever became of the file.
    """
    from index import SearchRequest

    if not settings.public_url:
        raise PublicUrlNeededError()
    levels = tuple(access)
    with Archive(settings, create=False) as archive, open_search(settings, archive) as search_index:
        found = list(matching(search_index, SearchRequest(query=query, selected=dict(selected or {}), sort=sort,
                                                          access=levels)))

        def visible(doc_id: str) -> Document:
            document = archive.get_document(doc_id)
            if document.metadata.access not in levels:  # narrowed since the index was written
                raise DocumentNotFoundError(doc_id)
            return document

        details = {"format": fmt, "query": query, "filters": {k: list(v) for k, v in (selected or {}).items()},
                   "sort": sort, "access": list(levels), "via": "command line"}
        events: list[int] = []
        batches = _Counted(recorded_batches(archive, found, details, actor=settings.actor, visible=visible,
                                                events=events))
        pieces = writer(fmt, archive, lambda document: cite.permalink_on(settings.public_url, document))(batches)
        if isinstance(out, Path):
            _write_whole(out, pieces)
        else:
            for piece in pieces:
                out(piece)
    return Exported(batches.count, tuple(events))


class _Counted:
    """The batches of ``batches`` as they pass, counting their documents (``count``)."""

    def __init__(self, batches: Batches) -> None:
        self._batches, self.count = batches, 0

    def __iter__(self) -> Batches:
        return self

    def __next__(self) -> list[tuple[Document, tuple[int, ...]]]:
        batch = next(self._batches)
        self.count += len(batch)
        return batch


class OutputError(Exception):
    """The export could not be written to ``target`` (a file; None: standard output), for ``error``.

    Told apart from an :class:`OSError` in reading the archive or its index (a damaged index), which is no fault
    of the output and was reported as the output file that "could not be opened".
    """

    def __init__(self, target: Path | None, error: OSError) -> None:
        super().__init__(str(error))
        self.target, self.error = target, error


@contextlib.contextmanager
def writing(target: Path | None) -> Iterator[None]:
    """Raise an :class:`OSError` of the block as an :class:`OutputError` of ``target``."""
    try:
        yield
    except OSError as error:
        raise OutputError(target, error) from error


def _write_whole(path: Path, pieces: Iterator[str]) -> None:
    """Write ``pieces`` to a file beside the one ``path`` names, and put it in its place once whole, with the
    permissions of the file it replaces; the file a link names is replaced, the link kept. A pipe or a device
    (``-o /dev/stdout``) is written to as it comes: there is no file to put in place, and it must not be
    replaced by one."""
    with writing(path):
        in_place = path.exists() and not path.is_file()
        target = path if in_place else Path(os.path.realpath(path))
        mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else None
        partial = target if in_place else _new_file_beside(target)
    try:
        with writing(path):
            file = open(partial, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
            if mode is not None and not in_place:  # a file only its owner may read stays so, and from the start
                os.chmod(file.fileno(), mode)
        try:
            for piece in pieces:
                with writing(path):
                    file.write(piece)
            with writing(path):
                file.close()  # writes what is left: a full disk may show only here
        finally:
            with contextlib.suppress(OSError):  # closed above, or on the way out: a second failure would hide the first
                file.close()
        if not in_place:
            with writing(path):
                os.replace(partial, target)
    except BaseException:
        if not in_place:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        raise


def _new_file_beside(target: Path) -> Path:
    """A new, empty file of a short name of its own in ``target``'s folder (``.export-1a2b3c4d5e6f.part``), created
    with the permissions a new file gets there.

    Short, because ``.NAME.part`` is longer than a name of 250 to 255 bytes that the file system takes; of its own,
    because two exports to one name shared ``.NAME.part`` and each wrote into the other's file.
    """
    while True:
        partial = target.with_name(f".export-{secrets.token_hex(6)}.part")
        try:
            os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return partial
