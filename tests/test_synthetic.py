"""Tests of the synthetic corpus generator (archive.synthetic and scripts/make_corpus.py).

Checks that output is deterministic, that every document says it is synthetic
(sidecar, PDF info, text of every page), that the mix of languages and types
is there, and that the labels in the sidecars agree with what was written.
Each test generates at most 50 documents; the 200-document checks run in
memory without PDFs.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
from collections import Counter
from pathlib import Path

import pypdf
import pytest
from pypdf.errors import FileNotDecryptedError, PdfReadError

from archive import synthetic
from archive.synthetic import MARKERS, PLACES, SyntheticDocument, generate_document, iter_documents

ROOT = Path(__file__).resolve().parents[1]
SEED = 11
CORPUS_DOCS = 40


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    synthetic.write_corpus(out, CORPUS_DOCS, SEED, with_bad=True)
    return out


@pytest.fixture(scope="module")
def memory_docs() -> list[SyntheticDocument]:
    return list(iter_documents(200, SEED, text_only=True))


def _documents(corpus: Path) -> list[Path]:
    return [p for p in sorted(corpus.glob("[0-9]*/*")) if not p.name.endswith(".meta.json")]


def _sidecar(path: Path) -> dict:
    return json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".meta.json").read_text(encoding="utf-8"))


def _pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


# -- determinism -------------------------------------------------------------


def test_same_arguments_give_byte_identical_files(corpus: Path, tmp_path: Path) -> None:
    synthetic.write_corpus(tmp_path, CORPUS_DOCS, SEED, with_bad=True)
    first, second = _files(corpus), _files(tmp_path)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_document_i_does_not_depend_on_corpus_size() -> None:
    small = list(iter_documents(5, 3))
    large = list(iter_documents(20, 3))
    assert small == large[:5]
    assert list(iter_documents(3, 3, start=2)) == large[2:5]
    with synthetic.PdfRenderer() as renderer:
        rendered = [synthetic.render_document(doc, renderer) for doc in large[:5]]
        assert rendered == [synthetic.render_document(doc, renderer) for doc in small]


def test_different_seeds_give_different_documents() -> None:
    assert [d.pages for d in iter_documents(5, 1)] != [d.pages for d in iter_documents(5, 2)]


def test_format_share_changes_only_the_format() -> None:
    as_pdf = generate_document(7, SEED, pdf_share=1.0)
    as_text = generate_document(7, SEED, pdf_share=0.0)
    assert as_pdf.format == "pdf" and as_text.format in synthetic.TEXT_FORMATS
    assert as_pdf.pages == as_text.pages and as_pdf.refs == as_text.refs


# -- every document says it is synthetic ---------------------------------------


def test_every_file_has_a_synthetic_sidecar(corpus: Path) -> None:
    files = [p for p in corpus.rglob("*") if p.is_file() and not p.name.endswith(".meta.json")]
    assert len(files) == CORPUS_DOCS + len(synthetic.BAD_KINDS)
    for path in files:
        metadata = _sidecar(path)
        assert metadata["synthetic"] is True, path


def test_sidecar_names_follow_the_layout(corpus: Path) -> None:
    for path in _documents(corpus):
        assert path.parent.name == "000"
        assert re.fullmatch(r"[a-z_]+-\d{6}\.(pdf|txt|md|html)", path.name), path.name
        metadata = _sidecar(path)
        assert path.name.startswith(metadata["type"] + "-")
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", metadata["date"])
        assert metadata["language"] in ("en", "ru", "az")
        assert metadata["access"] in ("public", "restricted", "confidential")


def test_text_documents_open_with_the_marker_in_their_language(corpus: Path) -> None:
    checked = 0
    for path in _documents(corpus):
        if path.suffix == ".pdf":
            continue
        text = path.read_text(encoding="utf-8")
        marker = MARKERS[_sidecar(path)["language"]]
        if path.suffix == ".html":
            assert f'<p class="synthetic-marker">{marker}</p>' in text
        else:
            assert text.startswith(marker), path
        checked += 1
    assert checked >= 5


def test_every_pdf_page_carries_the_marker_and_the_stated_page_count(corpus: Path) -> None:
    pdfs = [p for p in _documents(corpus) if p.suffix == ".pdf"]
    assert len(pdfs) >= 10
    for path in pdfs:
        metadata = _sidecar(path)
        reader = pypdf.PdfReader(path)
        assert len(reader.pages) == metadata["synthetic_pages"]
        assert "SYNTHETIC" in reader.metadata.subject and "SYNTHETIC" in reader.metadata.keywords
        for page in reader.pages:
            assert _normalise(page.extract_text()).startswith(MARKERS[metadata["language"]]), path


def test_pdfs_hold_the_same_text_as_the_document_pages() -> None:
    doc = next(d for d in iter_documents(30, SEED, pdf_share=1.0) if d.language == "az" and len(d.pages) > 1)
    with synthetic.PdfRenderer() as renderer:
        pages = _pdf_text(renderer.render(doc))
    assert [_normalise(p) for p in pages] == [_normalise(p) for p in doc.pages]


def test_some_pdfs_are_long() -> None:
    counts = [len(d.pages) for d in iter_documents(50, 5)]
    assert min(counts) == 1 and max(counts) >= 8


# -- the mix -----------------------------------------------------------------------


def test_languages_and_types_are_mixed(memory_docs: list[SyntheticDocument]) -> None:
    languages = Counter(d.language for d in memory_docs)
    types = Counter(d.type for d in memory_docs)
    assert set(languages) == {"en", "ru", "az"}
    assert 0.45 < languages["en"] / len(memory_docs) < 0.75
    assert languages["ru"] > languages["az"] > 10
    assert set(types) == set(synthetic.DOCUMENT_TYPES)
    assert types.most_common(2)[0][0] in ("report", "testimony")


def test_formats_are_mixed() -> None:
    formats = Counter(d.format for d in iter_documents(200, SEED))
    assert set(formats) == {"pdf", "txt", "md", "html"}
    assert 0.45 < formats["pdf"] / 200 < 0.75
    assert "pdf" not in {d.format for d in iter_documents(50, SEED, text_only=True)}


def test_vocabulary_is_large_and_skewed(memory_docs: list[SyntheticDocument]) -> None:
    words = Counter(w.lower() for d in memory_docs for w in re.findall(r"[^\W\d_]+", d.text))
    assert len(words) > 2000
    frequencies = sorted(words.values(), reverse=True)
    assert frequencies[0] > 50 * frequencies[len(frequencies) // 2]


def test_access_depends_on_type(memory_docs: list[SyntheticDocument]) -> None:
    testimony = Counter(d.access for d in memory_docs if d.type == "testimony")
    others = Counter(d.access for d in memory_docs if d.type != "testimony")
    assert testimony.most_common(1)[0][0] == "restricted"
    assert others.most_common(1)[0][0] == "public"


def test_dates_span_the_years(memory_docs: list[SyntheticDocument]) -> None:
    years = [int(d.date[:4]) for d in memory_docs]
    assert min(years) < 2005 and max(years) >= 2024
    assert all(synthetic.FIRST_YEAR <= year <= synthetic.LAST_YEAR for year in years)
    assert {len(d.date) for d in memory_docs} == {4, 7, 10}


# -- labels agree with the text -------------------------------------------------


def test_reference_labels_are_written_in_the_text(memory_docs: list[SyntheticDocument]) -> None:
    with_refs = 0
    for doc in memory_docs:
        for mention in doc.mentions:
            assert mention.text in doc.text, (doc.name, mention.text)
        assert set(doc.refs) == {ref for mention in doc.mentions for ref in mention.refs}
        assert 0 <= len(doc.mentions) <= 6
        with_refs += bool(doc.refs)
    assert 0.4 * len(memory_docs) < with_refs < 0.9 * len(memory_docs)


def test_reference_labels_survive_into_pdfs(corpus: Path) -> None:
    checked = 0
    for path in _documents(corpus):
        if path.suffix != ".pdf":
            continue
        text = _normalise(" ".join(_pdf_text(path.read_bytes())))
        for mention in _sidecar(path)["synthetic_mentions"]:
            assert _normalise(mention["text"]) in text, (path.name, mention["text"])
            checked += 1
    assert checked >= 5


def test_references_name_existing_articles(memory_docs: list[SyntheticDocument]) -> None:
    pattern = re.compile(r"(GCIV|API|APII|APMBC|CCM)-(\d+)(-\d+)?(-[a-c])?|GC-COMMON-3|CCW-APII-1996|CCW-PIII|"
                         r"GCIV|API|APII|APMBC|CCM")
    refs = {ref for doc in memory_docs for ref in doc.refs}
    assert {"GCIV-147", "GC-COMMON-3", "APMBC"} & refs
    for ref in refs:
        match = pattern.fullmatch(ref)
        assert match, ref
        if match.group(2):
            assert 1 <= int(match.group(2)) <= synthetic.ARTICLE_COUNTS[match.group(1)], ref


def test_references_exist_in_the_treaty_catalogue(memory_docs: list[SyntheticDocument]) -> None:
    if importlib.util.find_spec("archive.treaties.catalogue") is None:
        pytest.skip("no treaty catalogue in this checkout")
    from archive.treaties.catalogue import load_catalogue, split_id

    catalogue = load_catalogue()
    refs = {ref for doc in memory_docs for ref in doc.refs}
    assert [ref for ref in refs if not catalogue.exists(*split_id(ref))] == []


def test_reference_forms_are_varied(memory_docs: list[SyntheticDocument]) -> None:
    texts = {m.text for d in memory_docs for m in d.mentions}
    expected = ("Article ", "Art. ", "статьи ", "ст. ", "maddəsi", "Ottawa", "Оттавской", "common Article 3")
    assert [form for form in expected if not any(form in text for text in texts)] == []
    assert any(len(m.refs) > 1 for d in memory_docs for m in d.mentions)


def test_hard_negatives_are_written_and_unlabelled(memory_docs: list[SyntheticDocument]) -> None:
    negatives = [(doc, negative) for doc in memory_docs for negative in doc.negatives]
    assert len(negatives) > 50
    for doc, negative in negatives:
        assert negative in doc.text
    instrument_words = re.compile(r"Convention|Geneva|Ottawa|Конвенц|Женевск|Оттавск|Konvensiya|Cenevrə|Protocol I")
    plain = [doc for doc in memory_docs if not doc.mentions and not doc.negatives]
    assert plain and [doc.name for doc in plain if instrument_words.search(doc.text)] == []


def test_place_labels_are_canonical_and_written(memory_docs: list[SyntheticDocument]) -> None:
    for doc in memory_docs:
        assert doc.places
        for place in doc.places:
            spellings = synthetic.CAPITAL if place == "Baku" else PLACES[place]
            assert place == spellings[0]
            assert any(spelling in doc.text for spelling in spellings), (doc.name, place)


def test_date_labels_are_written(memory_docs: list[SyntheticDocument]) -> None:
    for doc in memory_docs:
        for mention in doc.dates:
            assert mention.text in doc.text
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", mention.iso)
    texts = " ".join(m.text for d in memory_docs for m in d.dates)
    for form in (r"\d{1,2} (April|May|June) \d{4}", r"(April|May|June) \d{1,2}, \d{4}", r"\d{2}\.\d{2}\.\d{4}",
                 r"\d{4}-\d{2}-\d{2}", r"\d{1,2} [а-я]+ \d{4} г\.", r"\d{1,2} [a-z]+ \d{4}-c[iıuü] il"):
        assert re.search(form, texts), form


def test_datelines_name_a_place_and_the_document_date(memory_docs: list[SyntheticDocument]) -> None:
    dated = [d for d in memory_docs if len(d.date) == 10]
    for doc in dated:
        assert doc.date in {m.iso for m in doc.dates}, doc.name
        assert re.search(r"^[^\W\d][\w\- ]*, .*\d{4}", doc.text, re.M)


def test_every_character_is_in_the_pdf_font(memory_docs: list[SyntheticDocument]) -> None:
    assert set("".join(d.text for d in memory_docs)) - synthetic.PDF_CHARSET - {"\n"} == set()


def test_sidecars_pass_the_archive_metadata_check(corpus: Path) -> None:
    if importlib.util.find_spec("archive.metadata") is None:
        pytest.skip("no archive.metadata in this checkout")
    from archive.metadata import read_sidecar

    for path in _documents(corpus):
        metadata = read_sidecar(path)
        assert metadata["synthetic"] is True and metadata["title"]


# -- deliberately bad files --------------------------------------------------------


def _bad(corpus: Path, kind: str) -> Path:
    (path,) = (p for p in (corpus / "bad").glob(f"bad-{kind}-000.*") if not p.name.endswith(".meta.json"))
    assert _sidecar(path)["synthetic_expected"] == f"failed:{kind}"
    return path


def test_truncated_pdf_does_not_open(corpus: Path) -> None:
    path = _bad(corpus, "truncated")
    assert path.read_bytes().startswith(b"%PDF")
    with pytest.raises(PdfReadError):
        pypdf.PdfReader(path)


def test_encrypted_pdf_needs_a_password(corpus: Path) -> None:
    reader = pypdf.PdfReader(_bad(corpus, "encrypted"))
    assert reader.is_encrypted
    with pytest.raises(FileNotDecryptedError):
        reader.pages[0].extract_text()


def test_mislabelled_pdf_is_text(corpus: Path) -> None:
    path = _bad(corpus, "mislabelled")
    assert path.suffix == ".pdf"
    assert path.read_text(encoding="utf-8").startswith("SYNTHETIC")
    with pytest.raises(PdfReadError):
        pypdf.PdfReader(path)


def test_empty_and_binary_files(corpus: Path) -> None:
    assert _bad(corpus, "empty").stat().st_size == 0
    binary = _bad(corpus, "binary").read_bytes()
    assert b"\x00" in binary
    with pytest.raises(UnicodeDecodeError):
        binary.decode("utf-8")


# -- text renderings, fonts and the command line ------------------------------------


def test_plain_text_separates_pages_with_form_feeds() -> None:
    doc = next(d for d in iter_documents(30, SEED) if len(d.pages) > 2)
    assert synthetic.render_plain_text(doc).count("\f") == len(doc.pages) - 1
    assert synthetic.render_markdown(doc).count("\n---\n") == len(doc.pages) - 1
    assert synthetic.render_html(doc).count("<section") == len(doc.pages)


@pytest.mark.parametrize(
    ("number", "expected"),
    [(147, "147-ci"), (49, "49-cu"), (6, "6-cı"), (3, "3-cü"), (40, "40-cı"), (100, "100-cü"), (2022, "2022-ci"),
     (1996, "1996-cı"), (2000, "2000-ci"), (30, "30-cu")],
)
def test_azerbaijani_ordinals(number: int, expected: str) -> None:
    assert synthetic.az_ordinal(number) == expected


def test_missing_fonts_name_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(synthetic.FontNotFoundError, match="fonts-dejavu-core"):
        synthetic.PdfRenderer(tmp_path)


def _cli():
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "scripts" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_text_only_writes_no_pdfs_and_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert _cli().main(["--docs", "25", "--seed", "4", "--text-only", str(tmp_path)]) == 0
    summary = capsys.readouterr().out
    assert re.search(r"25 documents, 50 files, \d+ pages, [\d,]+ bytes in [\d.]+ s", summary)
    assert not list(tmp_path.rglob("*.pdf"))
    assert len(list(tmp_path.rglob("*.meta.json"))) == 25


def test_cli_reports_missing_fonts(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert _cli().main(["--docs", "1", "--font-dir", str(tmp_path), str(tmp_path / "out")]) == 1
    assert "fonts-dejavu-core" in capsys.readouterr().err


@pytest.mark.slow
def test_worker_processes_write_the_same_files(tmp_path: Path) -> None:
    synthetic.write_corpus(tmp_path / "one", 12, SEED, pdf_share=0.5)
    synthetic.write_corpus(tmp_path / "two", 12, SEED, pdf_share=0.5, jobs=2)
    assert _files(tmp_path / "one") == _files(tmp_path / "two")


def test_no_generated_person_is_a_well_known_living_person() -> None:
    import datetime as dt
    from random import Random

    from archive.synthetic import _REAL_PEOPLE, _Composer

    real = {"az": _REAL_PEOPLE,
            "en": {"Ilham Aliyev", "Leyla Aliyeva", "Kamran Aliyev", "Ramil Safarov", "Elchin Guliyev"}}
    for language, people in real.items():
        composer = _Composer(Random(7), language, dt.date(2022, 4, 23), ["Shusha"])
        names = {composer.person() for _ in range(20_000)}
        assert len(names) > 300  # first names and surnames still mix freely
        assert not names & people
