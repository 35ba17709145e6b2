"""Ingest of every format and metadata source: encodings, HTML, manifests, PDF information."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from archive.errors import MetadataError
from archive.ingest import ingest
from archive.settings import Settings
from archive.store import Archive
from tests.conftest import write_pdf, write_sidecar

RUSSIAN = "Обращение о минной опасности\nВ Агдаме и Физули мины убили мирных жителей.\nБаку, 14 апреля 2022 г.\n"


def _only_document(settings: Settings):
    with Archive(settings) as archive:
        documents = list(archive.iter_documents())
        assert len(documents) == 1
        return documents[0], archive.pages(documents[0].id)


def _ingest_one_text(settings: Settings, folder: Path, name: str, text: str):
    """Ingest one text file written in UTF-8 into ``folder``: the document and its pages."""
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    ingest([folder], settings)
    return _only_document(settings)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1251", "koi8-r"])
def test_russian_text_in_any_common_encoding_reads_the_same(settings: Settings, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "in" / "appeal.txt"
    path.parent.mkdir()
    path.write_bytes(RUSSIAN.encode(encoding))
    assert ingest([path.parent], settings).ingested == 1
    document, pages = _only_document(settings)
    assert pages[0].text.replace("\r\n", "\n") == RUSSIAN
    assert document.metadata.languages == ("ru",)
    assert document.metadata.date == "2022-04-14" and document.metadata.date_source == "dateline"
    assert {"Aghdam", "Fuzuli"} <= set(document.metadata.places)


def test_html_keeps_visible_text_only(settings: Settings, tmp_path: Path) -> None:
    document, pages = _ingest_one_text(
        settings, tmp_path / "in", "page.html",
        "<html><head><title>Mine action update</title><style>p{color:red}</style>"
        "<script>var secret = 'landmines';</script></head>"
        "<body><h1>Update</h1><p>Clearance in Tartar &amp; Barda continues.</p></body></html>",
    )
    assert document.title == "Mine action update"
    assert "Clearance in Tartar & Barda continues." in pages[0].text
    assert "secret" not in pages[0].text and "color" not in pages[0].text
    assert pages[0].method == "html"


def test_html_keeps_the_lines_of_preformatted_text(settings: Settings, tmp_path: Path) -> None:
    # a mailing-list archive's page: the message is plain text inside <pre>
    document, pages = _ingest_one_text(
        settings, tmp_path / "in", "message.html",
        "<html><head><title>[mine-action] Appeal</title></head><body><h1>[mine-action] Appeal</h1>"
        "<pre>\nAppeal to the ICRC\n\nMines were laid in the fields of Aghdam.\n\nShusha, 23 April 2022\n</pre>"
        "</body></html>",
    )
    assert pages[0].text.splitlines() == [
        "[mine-action] Appeal", "Appeal to the ICRC", "Mines were laid in the fields of Aghdam.",
        "Shusha, 23 April 2022",
    ]
    assert document.metadata.date == "2022-04-23" and document.metadata.date_source == "dateline"


def test_html_soft_hyphens_do_not_split_words(settings: Settings, tmp_path: Path) -> None:
    # a page typeset for narrow screens: "&shy;" marks where a word may break and is shown only there
    document, pages = _ingest_one_text(
        settings, tmp_path / "in", "news.html",
        "<p>Mines laid in Shu&shy;sha on 23 Ap&shy;ril 2022 breach Article 147 of the Fourth Geneva "
        "Conven&#173;tion.</p>",
    )
    assert pages[0].text == "Mines laid in Shusha on 23 April 2022 breach Article 147 of the Fourth Geneva Convention."
    assert document.metadata.places == ("Shusha",)
    with Archive(settings) as archive:
        assert [reference.ref_id for reference in archive.references(document.id)] == ["GCIV-147"]


HTML_HEAD = ('<html><head><title>Clearance update</title><meta name="author" content="ANAMA">'
             '<meta property="article:published_time" content="2022-04-23T10:00:00+04:00"></head>')


def test_html_meta_tags_give_the_issuer_and_the_date(settings: Settings, tmp_path: Path) -> None:
    document, _ = _ingest_one_text(settings, tmp_path / "in", "news.html",
                                   HTML_HEAD + "<body><p>Mines were cleared near Aghdam.</p></body></html>")
    assert document.metadata.issuer == "ANAMA"
    assert (document.metadata.date, document.metadata.date_source) == ("2022-04-23", "html-meta")


def test_an_html_dateline_wins_over_its_meta_date(settings: Settings, tmp_path: Path) -> None:
    document, _ = _ingest_one_text(settings, tmp_path / "in", "news.html",
                                   HTML_HEAD + "<body><p>Mines were cleared.</p><p>Baku, 20 April 2022</p></body>")
    assert (document.metadata.date, document.metadata.date_source) == ("2022-04-20", "dateline")


@pytest.mark.parametrize(("markdown", "title", "date"), [
    ("# Appeal on the landmine problem\n\nWe call on the **world community**.\n\n*Shusha, 23 April 2022*\n",
     "Appeal on the landmine problem", "2022-04-23"),
    ("## **Müraciət**\n\nMətn.\n\n__Bakı, 23 aprel 2022-ci il__\n", "Müraciət", "2022-04-23"),
])
def test_markdown_marks_do_not_hide_the_title_and_the_dateline(settings: Settings, tmp_path: Path, markdown: str,
                                                                title: str, date: str) -> None:
    document, pages = _ingest_one_text(settings, tmp_path / "in", "appeal.md", markdown)
    assert pages[0].text == markdown  # the file's text is kept as written
    assert (document.title, document.metadata.date, document.metadata.date_source) == (title, date, "dateline")


def test_manifest_supplies_metadata_and_a_sidecar_wins(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("First statement on mines.", encoding="utf-8")
    (folder / "b.txt").write_text("Second statement on mines.", encoding="utf-8")
    write_sidecar(folder / "b.txt", title="From the sidecar")
    manifest = tmp_path / "batch.csv"
    manifest.write_text(
        "path,title,type,date,places,access\n"
        "in/a.txt,Statement A,testimony,2021-05,Shusha;Lachin,restricted\n"
        "in/b.txt,Statement B,testimony,2021,,\n",
        encoding="utf-8",
    )
    ingest([folder], settings, manifest=manifest)
    with Archive(settings) as archive:
        by_name = {d.original_name: d.metadata for d in archive.iter_documents()}
    assert by_name["a.txt"].title == "Statement A" and by_name["a.txt"].type == "testimony"
    assert by_name["a.txt"].date == "2021-05" and by_name["a.txt"].places[:2] == ("Shusha", "Lachin")
    assert by_name["a.txt"].access == "restricted"
    assert by_name["b.txt"].title == "From the sidecar" and by_name["b.txt"].date == "2021"


def test_manifest_with_a_bad_value_names_its_line(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    manifest = tmp_path / "batch.csv"
    manifest.write_text("path,date\na.txt,23/04/2022\n", encoding="utf-8")
    with pytest.raises(MetadataError, match="line 2: date '23/04/2022' must be YYYY-MM-DD"):
        ingest([tmp_path / "a.txt"], settings, manifest=manifest)


def test_pdf_without_metadata_or_dateline_takes_its_creation_date(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_pdf(folder / "scan.pdf", ["Mine clearance notes without a date line."],
              title="Clearance notes", author="Field team", created=dt.datetime(2019, 7, 3, 10, 0, tzinfo=dt.UTC))
    ingest([folder], settings)
    document, _ = _only_document(settings)
    assert (document.metadata.date, document.metadata.date_source) == ("2019-07-03", "pdf-info")
    assert document.title == "Clearance notes" and document.metadata.issuer == "Field team"


@pytest.mark.parametrize("placeholder", [
    "Microsoft Word - Document1", "Microsoft Word - appeal_final_v2.docx", "Untitled", "untitled-3", "Document1",
    "appeal_final.doc", "C:\\Users\\user\\Desktop\\appeal.docx", "Презентация PowerPoint", "Документ1", "Sənəd1",
])
def test_a_pdf_title_left_by_the_writing_program_gives_way_to_the_heading(settings: Settings, tmp_path: Path,
                                                                           placeholder: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_pdf(folder / "appeal.pdf", ["Appeal on the landmine problem\nWe ask for the mine maps."], title=placeholder)
    ingest([folder], settings)
    document, _ = _only_document(settings)
    assert document.title == "Appeal on the landmine problem"


@pytest.mark.parametrize("placeholder", ["Windows User", "User", "admin", "Administrator", "Пользователь",
                                         "Пользователь Windows", "İstifadəçi", "Unknown", "Owner"])
def test_a_pdf_author_left_by_the_writing_program_is_no_issuer(settings: Settings, tmp_path: Path,
                                                               placeholder: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_pdf(folder / "appeal.pdf", ["Appeal on the landmine problem"], author=placeholder)
    ingest([folder], settings)
    document, _ = _only_document(settings)
    assert document.metadata.issuer == ""


def test_pdf_ligatures_are_read_as_their_letters(settings: Settings, tmp_path: Path) -> None:
    # typesetting programs draw "fi", "fl", "ffi" as one glyph, and the text layer can carry it as one character
    folder = tmp_path / "in"
    folder.mkdir()
    write_pdf(folder / "report.pdf", ["The armed conﬂict reached the ﬁelds and the oﬃce. "
                                      "Article 51 of the ﬁrst Additional Protocol was breached."])
    ingest([folder], settings)
    document, pages = _only_document(settings)
    assert pages[0].text.startswith("The armed conflict reached the fields and the office.")
    with Archive(settings) as archive:
        assert [reference.ref_id for reference in archive.references(document.id)] == ["API-51"]


def test_dates_mentioned_in_the_text_are_kept(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "r.txt").write_text("After November 10, 2020, and until 23.04.2022, 208 people were hurt.",
                                  encoding="utf-8")
    ingest([folder], settings)
    with Archive(settings) as archive:
        values = [row["value"] for row in archive.db.execute("SELECT value FROM dates ORDER BY start")]
    assert values == ["2020-11-10", "2022-04-23"]


def test_default_access_applies_when_metadata_names_none(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", actor="t", workers=1, default_access="restricted")
    (tmp_path / "a.txt").write_text("Testimony.", encoding="utf-8")
    ingest([tmp_path / "a.txt"], settings)
    document, _ = _only_document(settings)
    assert document.metadata.access == "restricted"


def test_testimony_defaults_to_restricted_unless_metadata_says_otherwise(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, meta in {"a.txt": {"type": "testimony"}, "b.txt": {"type": "testimony", "access": "public"},
                       "c.txt": {"type": "report"}}.items():
        (folder / name).write_text(f"Statement {name}.", encoding="utf-8")
        write_sidecar(folder / name, **meta)
    ingest([folder], settings)
    with Archive(settings) as archive:
        levels = {d.original_name: d.metadata.access for d in archive.iter_documents()}
    assert levels == {"a.txt": "restricted", "b.txt": "public", "c.txt": "public"}


def test_access_by_type_is_configurable_and_checked(tmp_path: Path) -> None:
    from archive.errors import ConfigurationError

    settings = Settings.from_env({"ARCHIVE_ACCESS_BY_TYPE": "testimony=confidential, report=restricted"})
    assert settings.access_defaults == {"testimony": "confidential", "report": "restricted"}
    with pytest.raises(ConfigurationError, match="type=level"):
        Settings.from_env({"ARCHIVE_ACCESS_BY_TYPE": "memo=secret"})


def test_a_users_gazetteer_adds_places_and_spellings(tmp_path: Path) -> None:
    import json

    extra = tmp_path / "places.json"
    extra.write_text(json.dumps({"places": [
        {"name": "Horadiz", "kind": "town", "variants": {"en": ["Horadiz"], "az": ["Horadiz"], "ru": ["Горадиз"]}},
        {"name": "Shusha", "variants": {"en": ["Shushy"]}},
    ]}, ensure_ascii=False), encoding="utf-8")
    settings = Settings(home=tmp_path / "home", actor="t", workers=1, gazetteer=str(extra))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Mines were found near Горадиза and in Shushy.", encoding="utf-8")
    ingest([tmp_path / "in"], settings)
    document, _ = _only_document(settings)
    assert set(document.metadata.places) >= {"Horadiz", "Shusha"}


@pytest.mark.parametrize(("rows", "problem"), [
    ("a.txt,confidential\n./a.txt,public\n", "lines 2 and 3 are both for"),  # which access was meant?
    ("A.txt,confidential\n", "paths are case-sensitive"),  # meant for a.txt, surely
])
def test_manifest_rows_that_cannot_be_told_apart_are_refused(settings: Settings, tmp_path: Path, rows: str,
                                                             problem: str) -> None:
    (tmp_path / "a.txt").write_text("A memo about landmines.", encoding="utf-8")
    manifest = tmp_path / "batch.csv"
    manifest.write_text("path,access\n" + rows, encoding="utf-8")
    with pytest.raises(MetadataError, match=problem):
        ingest([tmp_path], settings, manifest=manifest)
    assert not settings.catalog_path.exists()  # refused before the archive is opened


def test_manifest_rows_naming_no_file_of_the_batch_are_reported(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "b.txt").write_text("A memo about Aghdam.", encoding="utf-8")
    (folder / "elsewhere.txt").write_text("Not in this batch.", encoding="utf-8")
    manifest = folder / "batch.csv"
    manifest.write_text("path,type\nsub/b.txt,report\nelsewhere.txt,appeal\nmissing.txt,appeal\n", encoding="utf-8")
    report = ingest([folder / "sub"], settings, manifest=manifest)
    assert report.ingested == 1
    assert report.manifest_unmatched == [str((folder / "elsewhere.txt").resolve()),
                                         str((folder / "missing.txt").resolve())]
    with Archive(settings) as archive:
        assert next(archive.iter_documents()).metadata.type == "report"


def _pdf_with_a_damaged_and_a_blank_page(target: Path) -> None:
    """Three text pages with the second's content stream broken (not zlib), then a blank page."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject

    write_pdf(target, ["Page one about landmines near Aghdam.", "Second page text.", "Third page."])
    writer = PdfWriter(clone_from=PdfReader(target))
    broken = StreamObject()
    broken.set_data(b"x\x9c\x00 not deflate data")
    broken[NameObject("/Filter")] = NameObject("/FlateDecode")
    writer.pages[1][NameObject("/Contents")] = writer._add_object(broken)
    writer.add_blank_page()
    with open(target, "wb") as handle:
        writer.write(handle)


def test_pages_without_text_are_noted_in_the_outcome(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    _pdf_with_a_damaged_and_a_blank_page(folder / "damaged.pdf")
    write_pdf(folder / "fine.pdf", ["A clean page about Tartar."])
    report = ingest([folder], settings)
    assert (report.ingested, report.without_text, report.failed) == (2, 1, 0)
    assert "2 ingested (5 pages, 1 with pages without text)" in report.summary()
    with Archive(settings) as archive:
        notes = {Path(r["path"]).name: r["detail"] for r in archive.outcomes(report.run_id)}
    assert notes["fine.pdf"] == ""
    assert notes["damaged.pdf"].startswith("no text on pages 2, 4 of 4 (scanned, blank or damaged: not searchable)")
    assert "page 2: pypdf: " in notes["damaged.pdf"] and "page 4" not in notes["damaged.pdf"].split(";", 1)[1]


@pytest.mark.parametrize("key", ["Access", "ACCESS", " access", "access "])
def test_a_sidecar_key_that_is_a_known_field_in_other_letters_fails_its_file(settings: Settings, tmp_path: Path,
                                                                              key: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    testimony = folder / "statement.txt"
    testimony.write_text("A witness statement about mines near Aghdam.", encoding="utf-8")
    write_sidecar(testimony, **{key: "confidential", "type": "report"})
    report = ingest([folder], settings)
    assert (report.ingested, report.failed) == (0, 1)  # never stored at the default level, public
    with Archive(settings) as archive:
        (failed,) = archive.outcomes(report.run_id)
    assert failed["reason"] == "metadata" and "'access'" in failed["detail"]


@pytest.mark.parametrize(("manifest", "problem"), [
    # a known field in other letters: the field took its default (a confidential statement went in public)
    ("path,Title,Access\na.txt,Statement,confidential\n", "line 2: .*'Title'.*'title'"),
    # an unquoted comma in the title: its second half, "Shusha", was dropped and the title stored cut short
    ("path,access,title\na.txt,restricted,Appeal of the residents, Shusha\n", "line 2: .*' Shusha'.*double quotes"),
])
def test_a_manifest_that_would_lose_a_value_is_refused(settings: Settings, tmp_path: Path, manifest: str,
                                                       problem: str) -> None:
    refused_manifest(settings, tmp_path, manifest, problem)


@pytest.mark.parametrize(("value", "synthetic"), [
    (True, True), ("true", True), ("Yes", True), (1, True), (False, False), ("false", False), ("no", False),
    ("0", False), ("ja", None), ("generated", None), ("y", None), (2, None), ({"by": "script"}, None),
])
def test_synthetic_is_true_or_false_and_anything_else_fails_its_file(settings: Settings, tmp_path: Path,
                                                                      value: object, synthetic: bool | None) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "memo.txt").write_text("A generated memo about mines near Aghdam.", encoding="utf-8")
    write_sidecar(folder / "memo.txt", synthetic=value)
    report = ingest([folder], settings)
    if synthetic is None:  # never stored as evidence when it may have been meant as generated
        assert (report.ingested, report.failures) == (0, {"metadata": 1})
    else:
        document, _ = _only_document(settings)
        assert document.metadata.synthetic is synthetic


@pytest.mark.parametrize(("header", "problem"), [
    ("path;title;access", "separated by ';'.*commas"),  # a spreadsheet's CSV in a locale that writes decimal commas
    ("path\ttitle\taccess", "separated by tabs.*commas"),
    ("Path,title,access", "'Path'.*write it 'path'"),
    ("file,title,access", "needs a 'path' column"),
])
def test_a_manifest_without_a_path_column_says_what_is_wrong_with_its_header(settings: Settings, tmp_path: Path,
                                                                             header: str, problem: str) -> None:
    separator = header[4]
    refused_manifest(settings, tmp_path, f"{header}\n" + separator.join(["a.txt", "Memo", "confidential"]) + "\n",
                     problem)


def refused_manifest(settings: Settings, tmp_path: Path, manifest: str, problem: str) -> None:
    """A batch of one file with ``manifest`` stops before it starts, with ``problem``, and stores nothing."""
    (tmp_path / "a.txt").write_text("A memo about landmines.", encoding="utf-8")
    (tmp_path / "batch.csv").write_text(manifest, encoding="utf-8")
    with pytest.raises(MetadataError, match=problem):
        ingest([tmp_path], settings, manifest=tmp_path / "batch.csv")
    assert not settings.catalog_path.exists()


def test_sidecar_places_written_as_one_string_are_split_as_in_a_manifest(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "memo.txt").write_text("A memo about mine clearance.", encoding="utf-8")  # names no place itself
    write_sidecar(folder / "memo.txt", places="Agdam; Fizuli | Shusha")
    ingest([folder], settings)
    document, _ = _only_document(settings)
    assert document.metadata.places == ("Aghdam", "Fuzuli", "Shusha")
