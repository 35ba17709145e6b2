"""Terms analysed in ingest workers: the same index as the writer's own analysis, on real Whoosh indexes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT
from whoosh.formats import Positions

from archive.ingest import ingest, process_file
from archive.models import Document, Metadata, Page, Reference
from archive.settings import Settings
from archive.store import Archive
from index import open_index, rebuild
from index.analysis import gazetteer_snapshot, places_fingerprint
from index.schema import SCHEMA_VERSION, build_schema
from index.search import VERSION_FILE, _storage
from index.terms import AnalysableText, Analysed, _encoded, analyse_pages, analyser_fingerprint
from index.write import document_fields, page_fields

SCHEMA = build_schema()

#: Words of every kind the analyzer treats differently: English, Russian (and Russian names), Azerbaijani,
#: place names in their spellings, hyphenated and dotted words, numbers, apostrophes, underscores.
WORDS = [
    "mines", "Landmines", "laid", "near", "the", "school", "shelling", "Article", "147", "49(6)", "GCIV",
    "мины", "Минные", "поля", "Агдам", "Шуша", "Ağdam", "Şuşa", "minalar", "məktəb", "yaxınlığında",
    "Shusha", "Aghdam", "Füzuli", "Fuzuli", "Physicians-for-Human-Rights", "U.N.", "o'clock", "don’t",
    "snake_case", "2022-04-23", "№5", "Č", "ǅ", "ﬁre",
]
SEPARATORS = [" ", "  ", "\n", ", ", ". ", " - ", "\t", " (", ") ", "’", "-", ""]

texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=40).map(
    lambda parts: "".join(word + separator for word, separator in parts)
)


def whoosh_terms(fieldname: str, text: str) -> list[tuple[Any, ...]]:
    """What the schema's own field gives for ``text``: the writer's analysis."""
    return sorted(SCHEMA[fieldname].index(text))


@settings(max_examples=150, deadline=None)
@given(st.lists(texts, max_size=5))
def test_worker_terms_are_the_fields_own_terms_for_pages_and_body(pages: list[str]) -> None:
    analysed = analyse_pages(pages)
    assert len(analysed.pages) == len(pages)
    for text, items in zip(pages, analysed.pages, strict=True):
        assert sorted(items) == whoosh_terms("page_body", text)
    assert sorted(analysed.body) == whoosh_terms("body", "\n".join(pages))


@given(st.lists(st.integers(0, 2**31 - 1), unique=True, max_size=30).map(sorted))
def test_positions_are_encoded_as_whoosh_encodes_them(positions: list[int]) -> None:
    for where in (positions, positions[:1], positions[-1:]):
        if where:
            assert _encoded(where) == Positions().encode(where)
            assert _encoded(where) is not _encoded(where)  # shared objects would be pickled as references


def test_terms_made_for_other_texts_or_another_analyzer_do_not_fit() -> None:
    analysed = analyse_pages(["Mines near Shusha.", "Мины."])
    own = analyser_fingerprint(SCHEMA["body"].analyzer)
    assert analysed.fits(own, ["Mines near Shusha.", "Мины."])
    assert not analysed.fits(own, ["Mines near Shusha.", "Мины!!"])  # another text
    assert not analysed.fits(own, ["Mines near Shusha."])  # a page fewer
    assert not analysed.fits(analyser_fingerprint(build_schema(places=())["body"].analyzer),
                             ["Mines near Shusha.", "Мины."])  # an analyzer without the gazetteer


def test_the_text_field_takes_analysed_values_and_still_analyses_strings() -> None:
    field = SCHEMA["body"]
    assert isinstance(field, AnalysableText)
    items = ((b"mine", 2, 2.0, b"x"),)
    assert list(field.index(Analysed(items))) == list(items)
    assert [item[0] for item in field.index("mines")] == [b"mine"]


# -- the index written from worker terms is the index written from text ------------------------------------


def _document(n: int) -> Document:
    return Document(
        id=f"{n:016x}", sha256=f"{n:064x}", control_number=f"EVA-{n:06d}", original_name=f"d{n}.txt",
        media_type="text/plain", size=1, page_count=2, ingested_at="2026-01-01",
        metadata=Metadata(title=f"Statement {n}", type="testimony", date="2022-04-23", languages=("en", "ru")),
    )


DOCUMENT_PAGES = [
    ["Mines were laid near the school in Aghdam.", "Мины у школы в Агдаме; Article 147 GCIV."],
    ["", "Şuşa yaxınlığında minalar. Mines, mines and more mines."],
    ["Shelling. Обстрел.", "", "A third page: landmines near Füzuli."],
]


def index_contents(directory: Path) -> dict[str, Any]:
    """Everything an index holds, by entry id: stored fields, field lengths, every posting, term statistics."""
    contents: dict[str, Any] = {}
    with open_index(directory, create=False) as search_index, search_index._ix.reader() as reader:
        ids = {n: fields["id"] for n, fields in reader.iter_docs()}
        contents["stored"] = sorted((ids[n], sorted(fields.items())) for n, fields in reader.iter_docs())
        contents["lengths"] = sorted(
            (ids[n], name, reader.doc_field_length(n, name))
            for n in ids for name in ("body", "page_body", "title", "issuer")
        )
        postings = []
        statistics = []
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            while matcher.is_active():
                postings.append((fieldname, text, ids[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            info = reader.term_info(fieldname, text)
            statistics.append((fieldname, text, info.weight(), info.doc_frequency(), info.min_length(),
                               info.max_length(), info.max_weight()))
        contents["postings"] = sorted(postings)
        contents["statistics"] = statistics
    return contents


def _write(directory: Path, *, with_terms: bool) -> Any:
    with open_index(directory) as search_index, search_index.writer() as writer:
        for n, pages in enumerate(DOCUMENT_PAGES, 1):
            analysed = analyse_pages(pages) if with_terms else None
            writer.add(_document(n), [Page(i, t) for i, t in enumerate(pages, 1)],
                       [Reference("GCIV-147", 2, 26, 40, "Article 147 GCIV")] if n == 1 else [], analysed=analysed)
        return writer


def test_an_index_written_from_worker_terms_is_the_index_written_from_text(tmp_path: Path) -> None:
    from_text = _write(tmp_path / "text", with_terms=False)
    from_terms = _write(tmp_path / "terms", with_terms=True)
    assert (from_text.analysed, from_terms.analysed) == (0, len(DOCUMENT_PAGES))
    text_contents = index_contents(tmp_path / "text")
    assert text_contents["postings"]  # the comparison below compares something
    assert index_contents(tmp_path / "terms") == text_contents


def test_terms_that_do_not_fit_are_ignored_and_the_text_analysed(tmp_path: Path) -> None:
    reference = _write(tmp_path / "text", with_terms=False)
    wrong = analyse_pages(["Something else entirely on one page."])
    with open_index(tmp_path / "ix") as search_index, search_index.writer() as writer:
        for n, pages in enumerate(DOCUMENT_PAGES, 1):
            writer.add(_document(n), [Page(i, t) for i, t in enumerate(pages, 1)],
                       [Reference("GCIV-147", 2, 26, 40, "Article 147 GCIV")] if n == 1 else [], analysed=wrong)
    assert (reference.analysed, writer.analysed) == (0, 0)
    assert index_contents(tmp_path / "ix") == index_contents(tmp_path / "text")


def test_an_index_with_plain_text_fields_takes_no_worker_terms_and_stays_correct(tmp_path: Path) -> None:
    """An index made before the fields took analysed terms: its writer analyses the text itself."""
    _write(tmp_path / "text", with_terms=False)
    schema = build_schema()
    for name in ("body", "page_body"):
        schema.remove(name)
        schema.add(name, TEXT(analyzer=SCHEMA[name].analyzer, phrase=True))
    directory = tmp_path / "old"
    directory.mkdir()
    _storage(directory).create_index(schema)
    stamp = {"schema_version": SCHEMA_VERSION, "places": places_fingerprint(gazetteer_snapshot())}
    (directory / VERSION_FILE).write_text(json.dumps(stamp), encoding="utf-8")
    writer = _write(directory, with_terms=True)
    assert writer.analysed == 0
    assert index_contents(directory)["postings"] == index_contents(tmp_path / "text")["postings"]


def test_flushed_posting_blocks_keep_whooshs_own_length_statistics(tmp_path: Path) -> None:
    """The flush reads field lengths from memory; each term's shortest and longest entry must be Whoosh's."""
    _write(tmp_path / "ours", with_terms=False)
    with open_index(tmp_path / "plain") as search_index:
        plain = search_index._ix.writer()  # Whoosh's own writer, reading lengths from the column files
        for n, pages in enumerate(DOCUMENT_PAGES, 1):
            document = _document(n)
            page_objects = [Page(i, t) for i, t in enumerate(pages, 1)]
            references = [Reference("GCIV-147", 2, 26, 40, "Article 147 GCIV")] if n == 1 else []
            plain.add_document(**document_fields(document, page_objects, references))
            for page in page_objects:
                plain.add_document(**page_fields(document, page, references))
        plain.commit()
    ours = index_contents(tmp_path / "ours")["statistics"]
    assert any(row[4] for row in ours)  # some term has a nonzero shortest length to compare
    assert ours == index_contents(tmp_path / "plain")["statistics"]


# -- through the ingest pipeline --------------------------------------------------------------------------


def test_workers_send_terms_that_fit_the_archive_index(settings: Settings, sample_folder: Path) -> None:
    result = process_file(str(sample_folder / "report.pdf"), _worker_options(settings))
    with open_index(settings.index_dir) as search_index:
        fingerprint = analyser_fingerprint(search_index._schema["body"].analyzer)
    assert result.terms is not None and result.terms.fits(fingerprint, [p.text for p in result.pages])


def test_an_ingested_index_equals_the_index_rebuilt_from_the_catalog(settings: Settings, sample_folder: Path,
                                                                      tmp_path: Path) -> None:
    report = ingest([sample_folder], settings)
    assert report.ingested == 2
    ingested = index_contents(settings.index_dir)
    with Archive(settings) as archive:
        assert rebuild(archive) == 2
    assert index_contents(settings.index_dir) == ingested


def _worker_options(settings: Settings) -> Any:
    from archive.ingest import WorkerOptions

    return WorkerOptions(dayfirst=settings.dayfirst, default_access=settings.default_access,
                         access_by_type=settings.access_defaults, gazetteer=settings.gazetteer,
                         file_timeout=settings.file_timeout)


def test_ingest_indexes_from_the_workers_terms(settings: Settings, sample_folder: Path, monkeypatch) -> None:
    from index.write import IndexWriter

    used = []
    original = IndexWriter.add

    def add(self: IndexWriter, *args: Any, **kwargs: Any) -> None:
        before = self.analysed
        original(self, *args, **kwargs)
        used.append(self.analysed - before)

    monkeypatch.setattr(IndexWriter, "add", add)
    assert ingest([sample_folder], settings).ingested == 2
    assert used == [1, 1]


def test_a_worker_analysing_pages_loads_neither_the_search_machinery_nor_numpy() -> None:
    """Workers import index.terms; the search layer and numpy would cost each worker about 20 MB."""
    import subprocess
    import sys

    code = ("import sys, archive.ingest, index.terms; index.terms.analyse_pages(['Mines near Shusha.']); "
            "print(sorted(m for m in ('numpy', 'index.search', 'index.sets', 'whoosh.searching') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert loaded.stdout.strip() == "[]"


def test_a_workers_word_cache_stays_within_its_size() -> None:
    from index.analysis import MultilingualAnalyzer

    analyzer = MultilingualAnalyzer(gazetteer_snapshot(), cache_size=5)
    words = [f"word{n}" for n in range(23)]
    analysed = analyse_pages([" ".join(words)], analyzer=analyzer)
    assert len(analyzer._cache) <= 5
    assert sorted(analysed.pages[0]) == whoosh_terms("page_body", " ".join(words))
