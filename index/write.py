"""Turning catalog documents into index entries, and writing them.

:class:`IndexWriter` is a context manager around one Whoosh writer: it
commits when the block ends normally and cancels when it raises, so a failed
batch never leaves half a batch in the index. Each document becomes one
``kind:doc`` entry and one ``kind:page`` entry per page; adding a document
first removes whatever the index held for it, so writing is idempotent.

Each commit writes a segment. Whoosh's default merge policy now and then
merges every segment into one, so the pauses grow with the archive (at
59,500 documents one commit had been merging the whole index for more than
eight minutes when it was stopped). :func:`merge_tiers` merges like-sized
segments only when :data:`MERGE_FACTOR` of them have piled up, and never
rewrites a segment past :data:`MERGE_CAP` entries, so each entry is
rewritten a bounded number of times and no pause grows beyond the largest
tier's merge (measured in a 100,000-document batch on 2 cores: about 50 s
every 5,500 documents, and once, at 55,500 documents, about 6 minutes).
Merged segments' postings are streamed in order (:func:`merge_sorted`), and
a batch's postings are held by term (:class:`TermPool`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import heapq
import math
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from whoosh.codec.whoosh3 import W3FieldWriter
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from archive.errors import IndexDamagedError, StorageError
from archive.models import Document, Page, Reference
from index.schema import keyword_value
from index.terms import AnalysableText, Analysed, AnalysedText, analyser_fingerprint


def expand_reference(ref_id: str) -> tuple[str, ...]:
    """The reference and every level above it: GCIV-49-6 → GCIV, GCIV-49, GCIV-49-6."""
    from archive.treaties.catalogue import expand_id

    return tuple(expand_id(ref_id))


def document_fields(document: Document, pages: Sequence[Page], references: Sequence[Reference]) -> dict[str, Any]:
    """The ``kind:doc`` entry of a document."""
    meta = document.metadata
    instruments, articles = _reference_levels(references)
    fields: dict[str, Any] = {
        "id": document.id,
        "kind": "doc",
        "doc_id": document.id,
        "control": document.control_number,
        "title": document.title,
        "issuer": meta.issuer,
        "body": "\n".join(p.text for p in pages),
        "type": meta.type,
        "date_text": meta.date,
        "year": meta.date[:4],
        "lang": ",".join(meta.languages),
        "place": ",".join(keyword_value(p) for p in meta.places),
        "instrument": ",".join(instruments),
        "article": ",".join(articles),
        "issuer_facet": meta.issuer,
        "source": meta.source,
        "access": meta.access,
        "synthetic": meta.synthetic,
    }
    when = parse_partial_date(meta.date)
    if when is not None:
        fields["date"] = when
    return {k: v for k, v in fields.items() if v not in ("", None)}


def page_fields(document: Document, page: Page, references: Sequence[Reference] = ()) -> dict[str, Any]:
    """The ``kind:page`` entry of one page, with the references on it and their spans."""
    on_page = [r for r in references if r.page == page.number]
    instruments, articles = _reference_levels(on_page)
    fields: dict[str, Any] = {
        "id": f"{document.id}/{page.number}",
        "kind": "page",
        "doc_id": document.id,
        "page": page.number,
        "page_body": page.text,
        "access": document.metadata.access,
        "instrument": ",".join(instruments),
        "article": ",".join(articles),
        "refs": [(r.ref_id, r.start, r.end) for r in on_page],
    }
    return {k: v for k, v in fields.items() if v not in ("", [])}


def _reference_levels(references: Sequence[Reference]) -> tuple[list[str], list[str]]:
    """Instrument ids and article/paragraph ids (every level) of ``references``, in order, once each."""
    instruments: dict[str, None] = {}
    articles: dict[str, None] = {}
    for reference in references:
        levels = expand_reference(reference.ref_id)
        instruments[levels[0]] = None
        articles.update(dict.fromkeys(levels[1:]))
    return list(instruments), list(articles)


def parse_partial_date(value: str) -> dt.datetime | None:
    """``2022-04-23``, ``2022-04`` or ``2022`` as the first moment it can mean."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        return dt.datetime(parts[0], parts[1], parts[2])
    except ValueError:
        return None


#: Like-sized segments are merged when this many have piled up (sizes in entries: documents and pages).
MERGE_FACTOR = 10
#: A segment with this many entries or more is never merged again (about 60,000 documents).
MERGE_CAP = 300_000


def merge_tiers(writer: Any, segments: Sequence[Any]) -> list[Any]:
    """A Whoosh merge policy: merge a size tier's segments once ``MERGE_FACTOR`` of them are there.

    A segment's tier is the order of magnitude of its live entries (base
    ``MERGE_FACTOR``); segments of ``MERGE_CAP`` entries or more are left as
    they are. Returns the segments kept; the others are read into the
    segment being written (:func:`merge_sorted`).
    """
    tiers: dict[int, list[Any]] = defaultdict(list)
    kept, merged = [], []
    for segment in segments:
        live = segment.doc_count()
        if live >= MERGE_CAP:
            kept.append(segment)
        else:
            tiers[int(math.log(max(live, 1), MERGE_FACTOR))].append(segment)
    for members in tiers.values():
        (kept if len(members) < MERGE_FACTOR else merged).extend(members)
    if merged:
        merge_sorted(writer, merged)
    return kept


def merge_sorted(writer: SegmentWriter, segments: Sequence[Any]) -> None:
    """Read ``segments`` into the segment ``writer`` is about to flush, their postings merged in one pass.

    Whoosh's ``add_reader`` puts every posting of a merged segment through
    the writer's external sort: ``limitmb`` of posting tuples in memory,
    then a run file on disk (about 90 MB each, 130 of them for a merge of
    430,000 entries), and at the flush the runs merged back. But a
    segment's postings already come in (field, term, entry) order, and its
    entries are numbered after everything written before it, so the
    segments' postings and the writer's own (its pool, sorted) merge in one
    pass with a heap, one posting of each in memory. Stored fields, lengths
    and columns are copied as ``add_reader`` copies them; deleted entries
    are dropped. The readers stay open until the segment is written.
    Measured on eight 130 MB segments of a 100,000-document index (189,564
    entries): 301 s and a peak RSS of 166 MB, against 594 s and 217 MB
    through ``add_reader``.
    """
    writer._check_state()
    pool = writer.pool = _MergingPool(writer.pool)  # its cleanup (commit or cancel) closes the readers
    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        pool.readers.append(reader)
        first = writer.docnum
        names = set(writer.schema.names()) | {n for n in reader.indexed_field_names() if n in writer.schema}
        renumbered = writer.write_per_doc(names, reader)  # None when the segment has no deletions
        pool.streams.append(_segment_postings(writer, reader, first, renumbered))
    writer._added = True


def _segment_postings(writer: SegmentWriter, reader: Any, first: int,
                      renumbered: dict[int, int] | None) -> Iterator[tuple[Any, ...]]:
    """A segment's live postings in (field, term, entry) order, numbered as the writer numbered its entries.

    ``renumbered`` maps the live entries when the segment has deletions;
    otherwise entry n becomes ``first + n``. Whoosh's ``iter_postings`` looks
    each term up in the terms table it is walking and makes four Python
    calls per posting; a whoosh3 segment's terms come with their term info
    and its postings a block at a time. Another codec's segment goes
    through Whoosh's own ``iter_postings``.
    """
    from index.sets import posting_block_contents  # numpy: only where segments are merged

    terms = getattr(reader, "_terms", None)
    if not all(hasattr(terms, name) for name in ("items", "_codec", "_postfile")):
        yield from writer._process_posts(reader.iter_postings(), first, renumbered)
        return
    schema = writer.schema
    for (fieldname, btext), info in terms.items():
        if fieldname not in schema:
            continue
        matcher = terms._codec.postings_reader(terms._postfile, info, schema[fieldname].format,
                                               term=(fieldname, btext))
        for ids, weights, values in posting_block_contents(matcher):
            if renumbered is None:
                for docnum, weight, value in zip(ids, weights, values, strict=True):
                    yield fieldname, btext, first + docnum, weight, value
            else:
                for docnum, weight, value in zip(ids, weights, values, strict=True):
                    if (new := renumbered.get(docnum)) is not None:  # deleted entries have no new number
                        yield fieldname, btext, new, weight, value


class _MergingPool:
    """A writer's posting pool whose postings at the flush are its own merged with already sorted streams."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self.streams: list[Iterator[tuple[Any, ...]]] = []
        self.readers: list[Any] = []

    def iter_postings(self) -> Iterator[tuple[Any, ...]]:
        # (field, term, entry, weight, value): no two postings share field, term and entry, so the heap
        # never compares weights or values.
        return heapq.merge(self._pool.iter_postings(), *self.streams)

    def cleanup(self) -> None:
        for reader in self.readers:
            reader.close()
        self._pool.cleanup()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


#: Postings a writer holds in memory before its batch should be committed (:attr:`IndexWriter.full`): about
#: 120 MB. A batch of 500 documents of the synthetic corpus holds about 460,000.
POOLED_POSTINGS = 1_000_000


class TermPool:
    """The postings of the entries a writer adds, held by term until the writer's flush.

    Whoosh's pool keeps one tuple per posting (field, term, entry, weight,
    value) and sorts them all at the flush. Entries are added in increasing
    order, so each term's postings arrive sorted: held by term as arrays of
    machine numbers, only the terms need sorting. Measured on 500 documents
    of the synthetic corpus (460,000 postings): 56 MB held against 93 MB in
    Whoosh's pool. The postings come out in the order Whoosh's pool gives
    them. Nothing is written to disk: the caller bounds a batch by
    :attr:`postings` (:data:`POOLED_POSTINGS`).
    """

    def __init__(self) -> None:
        self._terms: dict[tuple[str, bytes], tuple[array[int], array[float], list[Any]]] = {}
        self._unordered: set[tuple[str, bytes]] = set()  # terms with a posting added out of entry order
        self._postings = 0
        # Whoosh calls the pool's add once per posting: a list's append takes them without a Python call each,
        # and they are put with their terms a document's worth at a time (when :attr:`postings` is read).
        self._incoming: list[tuple[str, bytes, int, float, Any]] = []
        self.add = self._incoming.append

    @property
    def postings(self) -> int:
        """How many postings the pool holds."""
        self._absorb()
        return self._postings

    def _absorb(self) -> None:
        """Put the postings added since the last call with their terms."""
        incoming, terms, unordered = self._incoming, self._terms, self._unordered
        for fieldname, btext, docnum, weight, value in incoming:
            key = (fieldname, btext)
            held = terms.get(key)
            if held is None:
                held = terms[key] = (array("q"), array("d"), [])
            elif docnum <= held[0][-1]:
                unordered.add(key)
            held[0].append(docnum)
            held[1].append(weight)
            held[2].append(value)
        self._postings += len(incoming)
        incoming.clear()

    def iter_postings(self) -> _PooledPostings:
        """Every posting as (field, term, entry, weight, value), in that order (an iterable that can also give
        them a term at a time, to :func:`_add_postings`)."""
        return _PooledPostings(self)

    def by_term(self) -> Iterator[tuple[str, bytes, list[int], list[float], list[Any]]]:
        """Each term's postings, in the order of :meth:`iter_postings`: (field, term, entries, weights, values)."""
        self._absorb()
        for key in sorted(self._terms):
            fieldname, btext = key
            ids, weights, values = self._terms[key]
            if key in self._unordered:
                rows = sorted(zip(ids, weights, values, strict=True), key=lambda row: row[0])
                yield fieldname, btext, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
            else:
                yield fieldname, btext, ids.tolist(), weights.tolist(), values

    def has_negative_entries(self) -> bool:
        """Whether a posting of an entry below 0 was added (Whoosh's flush skips those: spelling words)."""
        self._absorb()
        return any(min(ids) < 0 for ids, _, _ in self._terms.values())

    def cleanup(self) -> None:
        self._incoming.clear()
        self._terms.clear()
        self._unordered.clear()
        self._postings = 0


class _PooledPostings:
    """A :class:`TermPool`'s postings: iterated, one (field, term, entry, weight, value) at a time, as Whoosh's
    pool gives them; :func:`_add_postings` takes them a term at a time instead."""

    def __init__(self, pool: TermPool) -> None:
        self.pool = pool

    def __iter__(self) -> Iterator[tuple[str, bytes, int, float, Any]]:
        for fieldname, btext, ids, weights, values in self.pool.by_term():
            for docnum, weight, value in zip(ids, weights, values, strict=True):
                yield fieldname, btext, docnum, weight, value


def _hold_postings_by_term(writer: SegmentWriter) -> None:
    """Give ``writer`` a :class:`TermPool` (not the bulk writer, whose processes keep their own pools), whose
    postings its flush writes a block at a time (:func:`_add_postings`)."""
    if type(writer) is SegmentWriter:
        writer.pool = TermPool()
        if type(writer.fieldwriter) is W3FieldWriter:
            writer.fieldwriter.add_postings = functools.partial(_add_postings, writer.fieldwriter)


def _add_postings(fieldwriter: W3FieldWriter, schema: Any, lengths: Any, items: Iterable[Any]) -> None:
    """``fieldwriter.add_postings``: what Whoosh's writes, with a :class:`TermPool`'s postings put into each
    posting block a block at a time instead of one call per posting (a third of a flush's time went there).

    The blocks, their statistics and the term table are Whoosh's own code's (``W3PostingsWriter``); only the
    buffering of its ``add_posting`` is done here, for up to a block's worth of postings at once. Postings of
    another pool (a merge's), or with Whoosh's spelling entries, go through Whoosh's ``add_postings``.
    """
    if not isinstance(items, _PooledPostings) or items.pool.has_negative_entries():
        W3FieldWriter.add_postings(fieldwriter, schema, lengths, items)
        return
    lastfn = None
    for fieldname, btext, ids, weights, values in items.pool.by_term():
        if fieldname != lastfn:
            if lastfn is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            lastfn = fieldname
            field_lengths = _field_lengths(lengths, fieldname)
        fieldwriter.start_term(btext)
        _buffer_postings(fieldwriter._postwriter, ids, weights, values, field_lengths)
        fieldwriter.finish_term()
    if lastfn is not None:
        fieldwriter.finish_field()


def _field_lengths(lengths: Any, fieldname: str) -> Any:
    """A function from a list of entries to their lengths in ``fieldname``, as Whoosh's ``add_postings`` asks
    for each posting's length (0 where the segment keeps no lengths)."""
    if not lengths:
        return lambda ids: [0] * len(ids)
    if isinstance(lengths, _FlushLengths):
        column = lengths._lengths.get(fieldname)
        if column is None:
            return lambda ids: [0] * len(ids)
        return lambda ids: [column[docnum] or None for docnum in ids]
    return lambda ids: [lengths.doc_field_length(docnum, fieldname) for docnum in ids]


def _buffer_postings(writer: Any, ids: list[int], weights: list[float], values: list[Any],
                     lengths_of: Any) -> None:
    """What ``W3PostingsWriter.add_posting`` does for each posting of one term, a block's worth at a time: the
    block is written when it is full and another posting comes, the buffers hold the entries, weights and
    non-empty values, and the block keeps its largest weight and its shortest and longest (non-zero) length."""
    limit = writer._blocklimit
    for start in range(0, len(ids), limit):
        if len(writer._ids) >= limit:
            writer._write_block()
        end = start + limit
        chunk, weight_chunk = ids[start:end], weights[start:end]
        writer._ids.fromlist(chunk)
        writer._weights.fromlist(weight_chunk)
        heaviest = max(weight_chunk)
        if heaviest > writer._maxweight:
            writer._maxweight = heaviest
        writer._values.extend(value for value in values[start:end] if value)
        measured = [length for length in lengths_of(chunk) if length]
        if measured:
            shortest, longest = min(measured), max(measured)
            if writer._minlength is None or shortest < writer._minlength:
                writer._minlength = shortest
            if longest > writer._maxlength:
                writer._maxlength = longest


@contextlib.contextmanager
def _write_errors(where: str) -> Iterator[None]:
    """An ``OSError`` of writing the index in ``where`` as the archive's: a file of the index that is gone (the
    index is damaged: rebuild it) as :class:`IndexDamagedError`, anything else as :class:`StorageError` (a full
    disk, a failing one). A file gone had been told to check the disk."""
    with StorageError.raised_for(where):
        try:
            yield
        except FileNotFoundError as error:
            folder = Path(where)
            if error.filename and folder.is_dir() and Path(error.filename).parent == folder:
                raise IndexDamagedError(where, error) from error
            raise


class IndexWriter:
    """One batch of index writes; commits on success (merging by ``merge``, a Whoosh policy), cancels on error."""

    def __init__(self, writer: SegmentWriter, merge: Any = None, where: str = "the search index") -> None:
        self._writer = writer
        self._merge = merge
        self._where = where  # named when the index cannot be written (a full disk)
        self.added = 0
        self.analysed = 0  # documents whose terms came ready from a worker
        body = writer.schema["body"]
        self._fingerprint = analyser_fingerprint(body.analyzer) if isinstance(body, AnalysableText) else None
        if isinstance(writer, SegmentWriter):
            writer.per_document_reader = functools.partial(_lengths_in_memory, writer)
        _hold_postings_by_term(writer)
        # Whoosh's writer keeps itself alive through a reference cycle: its per-document writer creates the
        # temporary folder the writer has just created, and the FileExistsError Whoosh catches (and keeps in a
        # local) holds the frames of both constructors, and with them both writers. Everything the writer
        # holds (a merged segment's terms table: tens of MB) would wait for a full garbage collection, which in
        # a long ingest comes seldom. Collecting the young generations now, while the cycle is young, frees it.
        gc.collect(1)

    @property
    def full(self) -> bool:
        """Whether the postings held for the flush have reached :data:`POOLED_POSTINGS`: time to commit.

        Never for a writer with Whoosh's own pool (it spills to disk at ``limitmb``).
        """
        return getattr(self._writer.pool, "postings", 0) >= POOLED_POSTINGS

    def add(self, document: Document, pages: Sequence[Page], references: Sequence[Reference], *,
            replace: bool = True, analysed: AnalysedText | None = None) -> None:
        """Index a document and its pages; ``replace`` first removes what the index held for it.

        ``analysed`` (from :func:`index.terms.analyse_pages` on the same page
        texts) saves analysing the texts here; terms made with another
        analyzer, or for other texts, are ignored.
        """
        if analysed is not None and not analysed.fits(self._fingerprint or "", [p.text for p in pages]):
            analysed = None
        with _write_errors(self._where):
            if replace:
                self._writer.delete_by_term("doc_id", document.id)
            fields = document_fields(document, pages, references)
            if analysed is not None and "body" in fields:
                fields["body"] = Analysed(analysed.body)
            self._writer.add_document(**fields)
            for number, page in enumerate(pages):
                fields = page_fields(document, page, references)
                if analysed is not None and "page_body" in fields:
                    fields["page_body"] = Analysed(analysed.pages[number])
                self._writer.add_document(**fields)
        self.added += 1
        self.analysed += analysed is not None

    def delete(self, doc_id: str) -> None:
        with _write_errors(self._where):
            self._writer.delete_by_term("doc_id", doc_id)

    def commit(self) -> None:
        """Write what was added as a segment (merging by the writer's policy) and release the index."""
        try:
            with _write_errors(self._where):
                self._writer.commit(**({"mergetype": self._merge} if self._merge else {}))
        except BaseException:
            self._abandon()
            raise
        finally:
            self._release()

    def cancel(self) -> None:
        """Drop what was added since the writer opened and release the index."""
        try:
            self._writer.cancel()
        except OSError:  # closing the segment's files failed (a full disk): none of it is kept either way
            self._abandon()
        finally:
            self._release()

    def _abandon(self) -> None:
        """After a commit or cancel that failed half-way: release the index's lock, remove what it wrote.

        Otherwise a long-running process (the web app) could not write the
        index again until restarted, and the half-written segment (no table of
        contents names it) would hold on to the space of a full disk until the
        next commit. The index is as it was before this writer opened.
        """
        writer = self._writer
        if getattr(writer, "is_closed", True):
            return
        with contextlib.suppress(Exception):
            writer.pool.cleanup()
        with contextlib.suppress(Exception):  # a commit that failed before it closed the segment's files
            writer._close_segment()
        segment = getattr(writer, "newsegment", None)
        if segment is not None and not _toc_written(writer):  # once its TOC is on disk the commit took effect
            with contextlib.suppress(Exception):
                for name in segment.list_files(writer.storage):
                    writer.storage.delete_file(name)
        with contextlib.suppress(Exception):
            writer._finish()

    def _release(self) -> None:
        """Drop the hooks that refer back to the Whoosh writer, so that dropping this frees it at once."""
        self._writer.__dict__.pop("per_document_reader", None)
        fieldwriter = getattr(self._writer, "fieldwriter", None)
        if fieldwriter is not None:
            fieldwriter.__dict__.pop("add_postings", None)

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.commit()
        else:
            self.cancel()


def keep_lengths_in_memory(per_document: Any, schema: Any) -> Any:
    """Load ``per_document``'s field-length columns (a byte per entry and field) into memory; returns it.

    Whoosh reads a length through the column file, a seek and a read each
    time, and BM25 asks for one per posting it scores.
    """
    from whoosh.codec.whoosh3 import _lenfield

    for name, codes in _length_codes(per_document, schema):
        per_document._readers[_lenfield(name)] = codes
    return per_document


def _length_codes(per_document: Any, schema: Any) -> Iterator[tuple[str, Any]]:
    """Each scorable field that has lengths, with its column loaded: one length code (a byte) per entry.

    Nothing for a reader of another codec (it reads lengths its own way).
    """
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    if not hasattr(per_document, "_cached_reader"):
        return
    for name, field_type in schema.items():
        if field_type.scorable:
            column = per_document._cached_reader(_lenfield(name), LENGTHS_COLUMN)
            if column is not None and hasattr(column, "load"):
                yield name, column.load()


def _lengths_in_memory(writer: SegmentWriter) -> Any:
    """``writer.per_document_reader`` for its flush: the new segment's lengths read once, not once per posting."""
    per_document = SegmentWriter.per_document_reader(writer)
    if not hasattr(per_document, "_cached_reader"):
        return per_document  # another codec: it reads lengths its own way
    return _FlushLengths(per_document, writer.schema)


class _FlushLengths:
    """A segment's per-document reader whose ``doc_field_length`` answers from memory.

    A flush asks it for every posting's field length (to keep each posting
    block's shortest and longest). Whoosh's own reader seeks and reads the
    column file each time, and for a field without lengths (an ``ID``, a
    ``KEYWORD``) asks the file system whether the column exists, once per
    posting. The answers are Whoosh's: the length the stored byte stands
    for, ``None`` for a zero byte, ``default`` for a field without lengths.
    """

    def __init__(self, per_document: Any, schema: Any) -> None:
        from whoosh.util.numeric import byte_to_length

        self._inner = per_document
        # Lengths as machine integers, eight bytes each: a merge's flush covers up to MERGE_CAP entries per field,
        # where a list of Python ints (a pointer and a 28-byte object each) would take four times as much.
        self._lengths: dict[str, array[int]] = {
            name: array("l", map(byte_to_length, codes)) for name, codes in _length_codes(per_document, schema)
        }

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self._lengths.get(fieldname)
        return default if lengths is None else lengths[docnum] or None  # a zero byte: None, as Whoosh answers

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _toc_written(writer: SegmentWriter) -> bool:
    """Whether ``writer``'s commit got as far as renaming its table of contents into place: the index then names
    its new segment (and no longer the segments merged into it), and deleting that segment would break the index.
    Only the cleaning up after it (old files, the temporary folder) was cut short, by Ctrl-C or SIGTERM say."""
    from whoosh.index import TOC

    try:
        return bool(writer.storage.file_exists(TOC._filename(writer.indexname, writer.generation)))
    except Exception:  # noqa: BLE001 - when in doubt, keep the files: an unused segment only takes space
        return True
