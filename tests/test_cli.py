"""The `evidence` command line through click's CliRunner, on a real archive home."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive.cli import main
from archive.settings import max_workers
from tests.conftest import write_sidecar

REPO = Path(__file__).resolve().parent.parent


def run(home: Path, *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["--home", str(home), *args], input=stdin, catch_exceptions=False)


def test_ingest_then_search_as_text_and_json(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    result = run(home, "ingest", "--quiet", str(sample_folder))
    assert result.exit_code == 3  # the batch ran to its end, but a file failed
    assert "3 files: 2 ingested (3 pages), 0 already in the archive, 1 failed (1 corrupt)" in result.output
    assert "broken.pdf: corrupt" in result.output
    found = run(home, "search", "landmines")
    assert found.exit_code == 0 and "2 documents" in found.output and "EVA-00000" in found.output
    data = json.loads(run(home, "search", "landmines", "--json").output)
    assert data["total"] == 2
    hit = next(h for h in data["hits"] if h["title"] == "Clearance report")
    assert set(hit) >= {"id", "control_number", "title", "date", "type", "score", "pages"}
    assert hit["pages"][0]["page"] == 2 and "<mark" in hit["pages"][0]["snippet"]
    assert {f["value"] for f in data["facets"]["type"]} == {"report", "appeal"}


def test_ingest_walks_the_batch_once_and_its_bar_counts_every_file(tmp_path: Path, sample_folder: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The command walked the folders once to size its bar, and the batch walked them again (a slow network
    share, 50,000 files: twice the wait, and files added meanwhile counted in one walk only)."""
    walked: list[str] = []
    walk = os.walk

    def counted(top: Any, *args: Any, **options: Any) -> Any:
        walked.append(str(top))
        return walk(top, *args, **options)

    monkeypatch.setattr(os, "walk", counted)
    result = run(tmp_path / "home", "ingest", str(sample_folder))
    assert result.exit_code == 3
    assert walked == [str(sample_folder)]
    assert "3/3" in result.stderr  # the bar's total, from the batch's own listing


def test_second_ingest_reports_skipped_files(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    again = run(home, "ingest", "--quiet", str(sample_folder))
    assert again.exit_code == 3  # broken.pdf fails again
    assert "0 ingested" in again.output and "2 already in the archive" in again.output
    assert "skipped:" in again.output and "same bytes as EVA-00000" in again.output


def test_ingest_exits_zero_when_no_file_failed(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    (sample_folder / "broken.pdf").unlink()
    assert run(home, "ingest", "--quiet", str(sample_folder)).exit_code == 0
    assert run(home, "ingest", "--quiet", str(sample_folder)).exit_code == 0  # duplicates are not failures
    as_json = run(home, "ingest", "--json", str(sample_folder))
    assert as_json.exit_code == 0 and json.loads(as_json.output)["duplicate"] == 2
    (sample_folder / "empty.txt").write_bytes(b"")
    failed = run(home, "ingest", "--json", str(sample_folder))
    assert failed.exit_code == 3 and json.loads(failed.output)["failures"] == {"empty": 1}


def test_ingest_if_empty_does_nothing_the_second_time(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", "--if-empty", str(sample_folder))
    second = run(home, "ingest", "--quiet", "--if-empty", str(sample_folder))
    assert "already holds 2 documents" in second.output


def test_ingest_if_empty_with_json_prints_json_when_there_is_nothing_to_do(tmp_path: Path,
                                                                           sample_folder: Path) -> None:
    """It printed its sentence on standard output, where a script reading the JSON summary failed to parse it."""
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    second = run(home, "ingest", "--json", "--if-empty", str(sample_folder))
    assert second.exit_code == 0
    summary = json.loads(second.stdout)
    assert (summary["files"], summary["ingested"], summary["failed"], summary["run_id"]) == (0, 0, 0, "")
    assert "already holds 2 documents; nothing to do" in second.stderr


def test_report_file_lists_every_outcome(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    report = tmp_path / "report.json"
    run(home, "ingest", "--quiet", "--report", str(report), str(sample_folder))
    data = json.loads(report.read_text(encoding="utf-8"))
    outcomes = {Path(o["path"]).name: o for o in data["outcomes"]}
    assert set(outcomes) == {"report.pdf", "appeal.txt", "broken.pdf"}
    assert outcomes["broken.pdf"]["outcome"] == "failed" and outcomes["broken.pdf"]["reason"] == "corrupt"
    assert outcomes["report.pdf"]["outcome"] == "ingested" and outcomes["report.pdf"]["doc_id"]
    assert {outcomes[name]["control_number"] for name in ("report.pdf", "appeal.txt")} == {"EVA-000001", "EVA-000002"}
    assert "control_number" not in outcomes["broken.pdf"]
    run(home, "ingest", "--quiet", "--report", str(report), str(sample_folder))
    again = {Path(o["path"]).name: o for o in json.loads(report.read_text(encoding="utf-8"))["outcomes"]}
    assert again["report.pdf"]["outcome"] == "duplicate"
    assert again["report.pdf"]["control_number"] == outcomes["report.pdf"]["control_number"]
    assert data["files"] == 3 and data["failed"] == 1


def test_a_report_named_csv_is_one_row_a_file_for_a_spreadsheet(tmp_path: Path, sample_folder: Path) -> None:
    """The analyst's morning: the night's outcomes opened in a spreadsheet, Cyrillic names readable (a byte order
    mark: a spreadsheet reads a CSV without one in the machine's code page)."""
    import csv

    home = tmp_path / "home"
    (sample_folder / "Показания.txt").write_bytes(b"")
    report = tmp_path / "night.CSV"
    result = run(home, "ingest", "--quiet", "--report", str(report), str(sample_folder))
    assert result.exit_code == 3
    raw = report.read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    rows = list(csv.DictReader(report.read_text(encoding="utf-8-sig").splitlines()))
    by_name = {Path(row["path"]).name: row for row in rows}
    assert set(by_name) == {"report.pdf", "appeal.txt", "broken.pdf", "Показания.txt"}
    assert (by_name["broken.pdf"]["outcome"], by_name["broken.pdf"]["reason"]) == ("failed", "corrupt")
    assert (by_name["Показания.txt"]["outcome"], by_name["Показания.txt"]["reason"]) == ("failed", "empty")
    assert by_name["report.pdf"]["control_number"].startswith("EVA-") and len(by_name["report.pdf"]["sha256"]) == 64



def test_a_csv_report_of_a_batch_stopped_early_says_so(tmp_path: Path, sample_folder: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """After Ctrl-C, SIGTERM or a full disk the JSON report says why in `stopped`; the CSV one was the rows of the
    files that went in and nothing else, as if the batch had been that small."""
    import csv

    import archive.cli

    step = archive.cli._ProgressBar.step

    def ctrl_c_after_the_first_file(bar: Any, outcome: Any) -> None:
        step(bar, outcome)
        raise KeyboardInterrupt

    monkeypatch.setattr(archive.cli._ProgressBar, "step", ctrl_c_after_the_first_file)
    report = tmp_path / "night.csv"
    result = run(tmp_path / "home", "ingest", "--quiet", "--report", str(report), str(sample_folder))
    assert result.exit_code == 130 and "stopped by Ctrl-C after 1 of 3 files" in result.stderr
    rows = list(csv.DictReader(report.read_text(encoding="utf-8-sig").splitlines()))
    assert [row["outcome"] for row in rows][:-1] in (["ingested"], ["failed"])
    assert (rows[-1]["outcome"], rows[-1]["detail"]) == ("stopped", "stopped by Ctrl-C after 1 of 3 files")
    assert rows[-1]["path"] == ""


def test_show_prints_a_document(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    shown = run(home, "show", "EVA-000001", "--json")
    data = json.loads(shown.output)
    assert data["control_number"] == "EVA-000001" and len(data["sha256"]) == 64
    assert data["pages"][0]["bates"] == "EVA-000001-0001"


def test_show_says_a_document_is_synthetic(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "made.txt").write_text("SYNTHETIC DOCUMENT. Mines were found near Aghdam.", encoding="utf-8")
    write_sidecar(folder / "made.txt", title="Generated report", synthetic=True)
    (folder / "real.txt").write_text("Mines were found near Shusha.", encoding="utf-8")
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(folder))
    assert "synthetic: yes: generated for testing, not evidence" in run(home, "show", "EVA-000001").output
    assert "synthetic" not in run(home, "show", "EVA-000002").output


def test_show_unknown_document_is_a_clear_error(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    result = CliRunner().invoke(main, ["--home", str(home), "show", "EVA-999999"])
    assert result.exit_code == 1 and "no document 'EVA-999999'" in result.output


def test_search_without_an_archive_says_how_to_start(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "nothing"), "search", "x"])
    assert result.exit_code == 1 and "evidence ingest" in result.output


def test_reindex_rebuilds_the_same_results(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    before = json.loads(run(home, "search", "landmines", "--json").output)
    assert run(home, "reindex", "--quiet").output.strip() == "indexed 2 documents"
    after = json.loads(run(home, "search", "landmines", "--json").output)
    assert before == after


def test_home_comes_from_the_environment(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "env-home"
    result = CliRunner().invoke(main, ["ingest", "--quiet", str(sample_folder)], env={"ARCHIVE_HOME": str(home)})
    assert result.exit_code == 3 and (home / "catalog.sqlite3").exists()  # sample_folder holds a broken PDF


def test_refs_jsonl_reads_lines_and_writes_json_lines(tmp_path: Path) -> None:
    text = "Article 147 of the Fourth Geneva Convention\nNothing here\n"
    result = run(tmp_path / "home", "refs", "--jsonl", stdin=text)
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines[0]["refs"] == ["GCIV-147"] and lines[1]["refs"] == []
    assert set(lines[0]) == {"refs", "matches", "diagnostics"}


def test_python_dash_m_archive_runs_the_cli(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "archive", "--help"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0 and "ingest" in result.stdout


def test_the_archive_package_imports_neither_the_web_app_nor_whoosh() -> None:
    """The domain stands alone: every module of ``archive`` imported in a fresh interpreter loads no Flask, no
    web app and no Whoosh (the index is imported only where a command feeds or asks it)."""
    probe = ("import importlib, pkgutil, sys, archive\n"
             "for module in pkgutil.walk_packages(archive.__path__, 'archive.'):\n"
             "    importlib.import_module(module.name)\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'webapp', 'whoosh', 'index'}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_search_options_limit_offset_sort_and_filters(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    newest = json.loads(run(home, "search", "", "--sort", "date", "--limit", "1", "--json").output)
    assert newest["total"] == 2 and [h["date"] for h in newest["hits"]] == ["2022-04-23"]
    second = json.loads(run(home, "search", "", "--sort", "date", "--limit", "1", "--offset", "1", "--json").output)
    assert [h["date"] for h in second["hits"]] == ["2021-06-01"]
    cited = json.loads(run(home, "search", "", "--filter", "article=Art. 147 GC IV", "--json").output)
    assert [h["title"] for h in cited["hits"]] == ["Clearance report"]
    assert json.loads(run(home, "search", "article:GCIV-147", "--json").output)["total"] == 1


def test_search_suggests_a_spelling(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    result = run(home, "search", "shepards OR farmlnd")
    assert "Did you mean: shepards OR farmland" in result.output


def test_search_offers_the_reference_a_citation_in_its_words_cites(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    result = run(home, "search", "GC IV, art. 147")
    assert "Cites a treaty; every form of the citation: article:GCIV-147" in result.output
    assert json.loads(run(home, "search", "GC IV, art. 147", "--json").output)["reference_query"] == "article:GCIV-147"
    assert json.loads(run(home, "search", "landmines", "--json").output)["reference_query"] is None


def test_a_query_that_starts_with_a_minus_is_a_query_not_an_option(tmp_path: Path, sample_folder: Path) -> None:
    """A ``-`` before a part leaves it out, on the web, in the API and here: ``evidence search -article:GCIV-147``
    was refused as "No such option '-a'" (only ``evidence search -- -article:GCIV-147`` ran)."""
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    for query, total in (("-article:GCIV-147", 1), ("-landmines OR clearance", 1), ("-hospital", 2)):
        wanted = json.loads(run(home, "search", "--json", "--", query).output)
        assert wanted["total"] == total, query
        for args in ([query, "--json"], ["--json", query], ["--limit", "5", query, "--json"]):
            result = run(home, "search", *args)
            assert result.exit_code == 0, (args, result.output)
            assert json.loads(result.output)["hits"] == wanted["hits"], args
    assert "Usage:" in run(home, "search", "-h").output
    typo = CliRunner().invoke(main, ["--home", str(home), "search", "x", "--jsn"])
    assert typo.exit_code == 2 and "No such option" in typo.output


def test_bad_filter_and_bad_query_are_clear_errors(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    bad_filter = CliRunner().invoke(main, ["--home", str(home), "search", "x", "--filter", "typeappeal"])
    assert bad_filter.exit_code == 2 and "FIELD=VALUE" in bad_filter.output
    bad_query = CliRunner().invoke(main, ["--home", str(home), "search", "(landmines"])
    assert bad_query.exit_code == 1 and "is not closed; try: (landmines)" in bad_query.output


def test_search_access_levels_are_chosen_explicitly(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    (sample_folder / "witness.txt").write_text("Witness Plovdivska saw landmines.", encoding="utf-8")
    write_sidecar(sample_folder / "witness.txt", type="testimony")
    run(home, "ingest", "--quiet", str(sample_folder))
    assert json.loads(run(home, "search", "Plovdivska", "--json").output)["total"] == 0
    both = ("--access", "public", "--access", "restricted")
    assert json.loads(run(home, "search", "Plovdivska", *both, "--json").output)["total"] == 1


def test_a_report_path_that_cannot_be_written_is_refused_before_the_batch(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    result = CliRunner().invoke(main, ["--home", str(home), "ingest", "--quiet", "--report",
                                       str(tmp_path / "no-such-folder" / "report.json"), str(sample_folder)])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (home / "catalog.sqlite3").exists()  # nothing was ingested


def test_workers_from_the_environment_follow_the_settings(tmp_path: Path, sample_folder: Path) -> None:
    (sample_folder / "broken.pdf").unlink()
    one_per_core = CliRunner().invoke(main, ["--home", str(tmp_path / "h"), "ingest", "--quiet", str(sample_folder)],
                                      env={"ARCHIVE_WORKERS": "0"})
    assert one_per_core.exit_code == 0, one_per_core.output
    for value in ("-1", str(max_workers() + 1)):
        bad = CliRunner().invoke(main, ["--home", str(tmp_path / "h"), "search", "x"], env={"ARCHIVE_WORKERS": value})
        assert bad.exit_code == 1 and "ARCHIVE_WORKERS" in bad.output and "Traceback" not in bad.output
    too_many = run(tmp_path / "h", "ingest", "--quiet", "--workers", str(max_workers() + 1), str(sample_folder))
    assert too_many.exit_code == 2 and "--workers" in too_many.output  # one process per file would follow


def test_passwords_file_keeps_spaces_and_drops_a_byte_order_mark(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    folder = tmp_path / "sealed"
    folder.mkdir()
    for name, password in (("a.pdf", " two words "), ("b.pdf", "first")):
        writer = PdfWriter()
        writer.add_blank_page(width=200, height=200)
        writer.encrypt(password, algorithm="AES-256")
        with open(folder / name, "wb") as handle:
            writer.write(handle)
    passwords = tmp_path / "passwords.txt"
    passwords.write_bytes("\ufefffirst\r\n two words \r\n".encode())
    result = run(tmp_path / "home", "ingest", "--json", "--passwords-file", str(passwords), str(folder))
    summary = json.loads(result.output)
    assert (summary["ingested"], summary["failures"]) == (2, {})  # both opened, neither "encrypted"


def test_a_passwords_file_that_is_not_utf8_is_a_usage_error_not_a_traceback(tmp_path: Path,
                                                                            sample_folder: Path) -> None:
    passwords = tmp_path / "passwords.txt"
    passwords.write_bytes("first\nzweites Paßwort\n".encode("latin-1"))  # as a Windows editor may save it
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "home"), "ingest", "--quiet", "--passwords-file",
                                       str(passwords), str(sample_folder)])
    assert result.exit_code == 2, result.output
    assert "--passwords-file" in result.output and "UTF-8" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "home" / "catalog.sqlite3").exists()  # nothing was read


def test_filter_on_an_unknown_field_is_an_error_not_an_empty_result(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    wrong = run(home, "search", "", "--filter", "language=en")
    assert wrong.exit_code == 2 and "'language' is not a field to filter on" in wrong.output
    assert "lang" in wrong.output and "issuer" in wrong.output
    by_issuer = run(home, "search", "", "--filter", "issuer=Demining NGO")  # as the README's field table names it
    assert by_issuer.exit_code == 0 and "1 document\n" in by_issuer.output


def test_a_synthetic_filter_is_true_or_false_and_nothing_else(tmp_path: Path, sample_folder: Path) -> None:
    """`--filter synthetic=maybe` (or `=ture`) quietly kept the documents that are not synthetic."""
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    for value in ("maybe", "ture", "all"):
        wrong = run(home, "search", "", "--filter", f"synthetic={value}")
        assert wrong.exit_code == 2 and "synthetic is true or false" in wrong.output, wrong.output
    counts = {v: json.loads(run(home, "search", "", "--filter", f"synthetic={v}", "--json").output)["total"]
              for v in ("true", "TRUE", "false", "no")}
    assert counts == {"true": 0, "TRUE": 0, "false": 2, "no": 2}


def test_listing_users_or_tokens_of_a_mistyped_home_creates_nothing(tmp_path: Path) -> None:
    for command in (("users", "list"), ("tokens", "list")):
        result = run(tmp_path / "typo", *command)
        assert result.exit_code == 1 and "no archive at" in result.output
    assert not (tmp_path / "typo").exists()


def test_serve_refuses_a_port_out_of_range(tmp_path: Path) -> None:
    result = run(tmp_path / "home", "serve", "--port", "99999")  # was served on 99999 % 65536, announced as 99999
    assert result.exit_code == 2 and "99999 is not in the range 1<=x<=65535" in result.output


def test_output_under_a_locale_that_is_not_utf8_has_no_traceback(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    note = sample_folder / "note.txt"
    note.write_text("Mines near Шуша — a note.", encoding="utf-8")
    write_sidecar(note, title="Записка — Шуша", type="other", language="ru")
    run(home, "ingest", "--quiet", str(sample_folder))
    env = {"PYTHONIOENCODING": "latin-1", "PATH": "/usr/bin:/bin"}  # what LANG=en_US.ISO-8859-1 gives Python
    note_number = json.loads(run(home, "search", "Шуша", "--json").output)["hits"][0]["control_number"]
    outputs = []
    for args in (("search", "Шуша"), ("search", "Шуша", "--json"), ("show", note_number)):
        done = subprocess.run([sys.executable, "-m", "archive", "--home", str(home), *args], cwd=REPO, env=env,
                              capture_output=True)
        assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
        outputs.append(done.stdout)
    text, as_json, shown = outputs
    assert all(b"\\u0417\\u0430\\u043f" in out for out in (text, shown))  # what it cannot show comes out as escapes
    assert "Записка".encode() in as_json  # JSON is UTF-8 whatever the locale


def test_a_folder_that_is_not_there_is_a_usage_error_before_anything_is_read(tmp_path: Path,
                                                                              sample_folder: Path) -> None:
    """Status 2, as the README says (a disk not mounted that night): not 1, and no outcome recorded."""
    home = tmp_path / "home"
    result = CliRunner().invoke(main, ["--home", str(home), "ingest", "--quiet", str(sample_folder),
                                       str(tmp_path / "not-mounted")])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (home / "catalog.sqlite3").exists()


def test_ctrl_c_exits_130_and_never_as_if_verify_had_found_a_problem(tmp_path: Path, sample_folder: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C was click's "Aborted!" with status 1: for `verify`, the status that says the archive has a problem."""
    import archive.service
    import archive.verify

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))

    def interrupted(*args: Any, **options: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(archive.verify, "verify", interrupted)
    monkeypatch.setattr(archive.service, "search_archive", interrupted)
    for args in (("verify", "--quiet"), ("verify", "--json"), ("search", "landmines", "--json")):
        result = run(home, *args)
        assert result.exit_code == 130, (args, result.output)
        assert result.stdout == "" and "stopped by Ctrl-C" in result.stderr


def test_a_timeout_that_is_not_a_number_stops_the_batch_before_it_fails_every_file(tmp_path: Path,
                                                                                   sample_folder: Path) -> None:
    for value in ("nan", "inf"):  # every file failed `timeout` (status 3); an OverflowError traceback
        result = CliRunner().invoke(main, ["--home", str(tmp_path / "home"), "ingest", "--quiet", str(sample_folder)],
                                    env={"ARCHIVE_FILE_TIMEOUT": value})
        assert result.exit_code == 1 and "ARCHIVE_FILE_TIMEOUT" in result.output, result.output
        assert not (tmp_path / "home" / "catalog.sqlite3").exists()


# -- export --------------------------------------------------------------------------------------

PUBLIC_URL = "https://evidence.example.org"


def export(home: Path, *args: str, public_url: str = PUBLIC_URL):
    return CliRunner().invoke(main, ["--home", str(home), "export", *args], catch_exceptions=False,
                              env={"ARCHIVE_PUBLIC_URL": public_url})


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "csl-json", "bibtex", "ris"])
def test_export_writes_what_the_web_app_exports(fmt: str, settings, sample_folder: Path,
                                                tmp_path_factory: pytest.TempPathFactory) -> None:
    """The same search gives the same file from `evidence export` as from the web app's export (permalinks on
    ARCHIVE_PUBLIC_URL in both): one writer for both."""
    from dataclasses import replace

    from tests.test_webapp import web_archive
    from webapp import create_app

    web_archive(settings, sample_folder, tmp_path_factory)
    client = create_app({"TESTING": True, "ARCHIVE_SETTINGS": replace(settings, public_url=PUBLIC_URL)}).test_client()
    web = client.get(f"/export/{fmt}?q=landmines+OR+clearance&sort=date").get_data(as_text=True)
    result = export(settings.home, fmt, "landmines OR clearance", "--sort", "date")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode("utf-8") == web and f"{PUBLIC_URL}/documents/" in web  # bytes: CR LF kept
    assert web.count(f"{PUBLIC_URL}/documents/") >= 3 and f"exported 3 documents as {fmt};" in result.stderr


def test_export_is_recorded_in_custody_with_what_went_out(tmp_path: Path, sample_folder: Path) -> None:
    from archive.settings import Settings
    from archive.store import Archive

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    result = export(home, "csv", "landmines", "--filter", "type=report", "--output", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    written = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(written) == 2 and "Clearance report" in written[1]
    with Archive(Settings(home=home, actor="x")) as archive:
        event = archive.events()[-1]
        report = next(d for d in archive.iter_documents() if d.title == "Clearance report")
    assert event.action == "exported" and event.actor == Settings.from_env(home=home).actor
    assert event.details["documents"] == [report.id] and event.details["via"] == "command line"
    assert event.details["query"] == "landmines" and event.details["filters"] == {"type": ["report"]}
    assert f"event #{event.seq}" in result.stderr and "to " + str(tmp_path / "out.csv") in result.stderr


def test_export_leaves_out_the_levels_not_asked_for(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    write_sidecar(sample_folder / "appeal.txt", title="Appeal on landmines", type="appeal", access="confidential")
    run(home, "ingest", "--quiet", str(sample_folder))
    public = export(home, "jsonl", "landmines")
    everything = export(home, "jsonl", "landmines", "--access", "public", "--access", "confidential")
    levels = [{json.loads(line)["access"] for line in r.stdout.splitlines()} for r in (public, everything)]
    assert levels == [{"public"}, {"public", "confidential"}]
    assert "Appeal on landmines" not in public.stdout


def test_export_without_a_public_address_says_which_setting_to_give(tmp_path: Path, sample_folder: Path) -> None:
    from archive.settings import Settings
    from archive.store import Archive

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    with Archive(Settings(home=home, actor="x")) as archive:
        before = len(archive.events())
    result = export(home, "bibtex", "landmines", public_url="")
    assert result.exit_code == 1 and "set ARCHIVE_PUBLIC_URL" in result.stderr and not result.stdout
    with Archive(Settings(home=home, actor="x")) as archive:
        assert len(archive.events()) == before  # nothing went out, nothing is recorded


def test_export_to_a_file_that_cannot_be_written_is_a_clear_error(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    missing = tmp_path / "no-such-folder" / "out.ris"
    result = export(home, "ris", "landmines", "-o", str(missing))
    assert result.exit_code == 1 and "no-such-folder" in result.stderr and "Traceback" not in result.output
    unknown = export(home, "docx", "landmines")
    assert unknown.exit_code == 2 and "'docx' is not one of" in unknown.stderr


def test_an_export_cut_short_leaves_no_half_file_in_its_name(tmp_path: Path, sample_folder: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A half-written file under the name asked for would pass for the whole export; the file appears only once
    whole, and an earlier file of that name stays as it was."""
    import archive.exports

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    out = tmp_path / "out.csv"
    out.write_text("an earlier export\n", encoding="utf-8")
    real = archive.exports._csv

    def breaks_after_the_header(*args: Any) -> Any:
        pieces = real(*args)
        yield next(pieces)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive.exports, "_csv", breaks_after_the_header)
    result = export(home, "csv", "landmines", "-o", str(out))
    assert result.exit_code == 1 and "No space left on device" in result.stderr
    assert out.read_text(encoding="utf-8") == "an earlier export\n" and list(tmp_path.glob(".*part")) == []


def test_export_takes_a_query_that_starts_with_a_minus(tmp_path: Path, sample_folder: Path) -> None:
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    everything = export(home, "jsonl", "")
    without = export(home, "jsonl", "-landmines", "-o", str(tmp_path / "out.jsonl"))
    assert without.exit_code == 0, without.output
    titles = {json.loads(line)["title"] for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()}
    all_titles = {json.loads(line)["title"] for line in everything.stdout.splitlines()}
    assert titles == all_titles - {"Appeal on landmines", "Clearance report"} and len(all_titles) == 2 + len(titles)


def test_export_to_standard_output_is_utf8_under_a_locale_that_is_not(tmp_path: Path, sample_folder: Path) -> None:
    """The file is the web's bytes, whatever the terminal's encoding: under LANG=en_US.ISO-8859-1 its byte order
    mark and Cyrillic came out as backslash escapes (the CLI prints what a narrow terminal cannot show that way)."""
    home = tmp_path / "home"
    note = sample_folder / "note.txt"
    note.write_text("Mines near Шуша — a note.", encoding="utf-8")
    write_sidecar(note, title="Записка — Шуша", type="other", language="ru")
    run(home, "ingest", "--quiet", str(sample_folder))
    env = {"PYTHONIOENCODING": "latin-1", "PATH": "/usr/bin:/bin", "ARCHIVE_PUBLIC_URL": PUBLIC_URL}
    for fmt in ("csv", "jsonl", "ris"):
        done = subprocess.run([sys.executable, "-m", "archive", "--home", str(home), "export", fmt, "Шуша"], cwd=REPO,
                              env=env, capture_output=True)
        assert done.returncode == 0, done.stderr
        written = export(home, fmt, "Шуша", "-o", str(tmp_path / f"out.{fmt}"))
        assert written.exit_code == 0, written.output
        assert done.stdout == (tmp_path / f"out.{fmt}").read_bytes() and "Записка".encode() in done.stdout


def test_export_tells_a_closed_standard_output_and_a_damaged_index_from_a_bad_output_file(
        tmp_path: Path, sample_folder: Path) -> None:
    """Every OSError was "Could not open file": `| head` said "Could not open file 'None': Broken pipe", and an
    index missing a segment file blamed the output file, whose folder was there."""
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    reader = subprocess.Popen([sys.executable, "-m", "archive", "--home", str(home), "export", "csv", "landmines"],
                              cwd=REPO, env={**os.environ, "ARCHIVE_PUBLIC_URL": PUBLIC_URL},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.close()  # as `| head -0` does, before the export writes its first line
    with reader.stderr:
        stderr = reader.stderr.read()
    reader.wait(timeout=60)
    assert reader.returncode == 1 and stderr == b"", stderr  # quiet, as click ends any command on a closed pipe
    for segment in (home / "whoosh").glob("*.seg"):
        segment.unlink()
    result = export(home, "csv", "landmines", "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 1 and "search index in" in result.stderr and "is damaged" in result.stderr
    assert ".seg" in result.stderr and "out.csv" not in result.stderr and not (tmp_path / "out.csv").exists()


def test_export_to_a_link_or_a_pipe_writes_through_it(tmp_path: Path, sample_folder: Path) -> None:
    """The file was written beside the name and renamed onto it: a link became a file of its own (the file it
    named kept the old export), and a pipe or a device (`-o /dev/stdout`, `-o >(gzip > x.gz)`) was replaced by
    a file (as root, /dev/stdout itself), its reader getting nothing."""
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    expected = export(home, "csv", "landmines").stdout_bytes
    real, link = tmp_path / "exports" / "latest.csv", tmp_path / "latest.csv"
    real.parent.mkdir()
    real.write_text("an earlier export\n", encoding="utf-8")
    link.symlink_to(real)
    assert export(home, "csv", "landmines", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and real.read_bytes() == expected
    assert list(tmp_path.glob("**/.*part")) == []
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    end = os.open(pipe, os.O_RDWR | os.O_NONBLOCK)  # a reader (and a writer: opening it does not wait)
    try:
        result = export(home, "csv", "landmines", "-o", str(pipe))
        assert result.exit_code == 0, result.output
        assert pipe.is_fifo() and os.read(end, 1 << 16) == expected
    finally:
        os.close(end)


def test_export_over_a_file_keeps_its_permissions(tmp_path: Path, sample_folder: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """An export of confidential documents over a file its owner alone may read (chmod 600) became readable by
    every user of the machine: the new file, written beside it and renamed onto it, had the umask's 644."""
    import stat

    import archive.exports

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    out = tmp_path / "confidential.csv"
    out.write_text("an earlier export\n", encoding="utf-8")
    out.chmod(0o600)
    modes = []
    real = archive.exports._csv

    def noting_the_mode_of_the_file_being_written(*args: Any) -> Any:
        for piece in real(*args):
            modes.extend(stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob(".*.part"))
            yield piece

    monkeypatch.setattr(archive.exports, "_csv", noting_the_mode_of_the_file_being_written)
    result = export(home, "csv", "landmines", "--access", "public", "--access", "confidential", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and "Clearance report" in out.read_text(encoding="utf-8")
    assert modes and set(modes) == {0o600}  # nor readable by others while it was written


def test_a_damaged_index_says_to_reindex_on_every_surface(tmp_path: Path, sample_folder: Path, settings) -> None:
    """A segment file gone (a disk error, a file removed by hand): `search` printed a FileNotFoundError traceback,
    and the web page and the API were 500s. Each now says the index is damaged and how to rebuild it."""
    from dataclasses import replace

    from webapp import create_app

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    for segment in (home / "whoosh").glob("*.seg"):
        segment.unlink()
    found = run(home, "search", "landmines")
    assert found.exit_code == 1 and "Traceback" not in found.output
    assert "the search index in" in found.stderr and "is damaged" in found.stderr and "evidence reindex" in found.stderr
    client = create_app({"TESTING": True, "ARCHIVE_SETTINGS": replace(settings, home=home)}).test_client()
    page = client.get("/?q=landmines")
    assert page.status_code == 503 and "evidence reindex" in page.get_data(as_text=True)
    api = client.get("/api/search?q=landmines")
    assert api.status_code == 503 and "is damaged" in api.get_json()["error"]
    assert run(home, "reindex", "--quiet").exit_code == 0
    assert "2 documents" in run(home, "search", "landmines").output


def test_a_segment_merged_away_while_a_searcher_opens_is_read_again(tmp_path: Path, sample_folder: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit can merge a segment away between a searcher's reading the table of contents and its opening the
    segment's file: that is no damage, and the next version is opened instead."""
    import index.search

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    real, calls = index.search._open_searcher, []

    def merged_away_once(ix: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise FileNotFoundError(2, "No such file or directory", "MAIN_gone.seg")
        return real(ix)

    monkeypatch.setattr(index.search, "_open_searcher", merged_away_once)
    export_run = export(home, "csv", "landmines")  # its batches open their searcher once, with no retry of their own
    assert export_run.exit_code == 0, export_run.output
    assert "exported 2 documents" in export_run.stderr and len(calls) == 2


@pytest.mark.parametrize("fmt", ["csl-json", "bibtex", "ris"])
def test_cite_gives_the_web_pages_citation_of_a_document_or_a_page(fmt: str, settings, sample_folder: Path,
                                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    """A researcher at the terminal cites a page, with its Bates number and the original's hash, as the document's
    web page does (`/documents/ID/cite.FMT?page=N`)."""
    from dataclasses import replace

    from tests.test_webapp import document_named, web_archive
    from webapp import create_app

    web_archive(settings, sample_folder, tmp_path_factory)
    report = document_named(settings, "report.pdf")
    client = create_app({"TESTING": True, "ARCHIVE_SETTINGS": replace(settings, public_url=PUBLIC_URL)}).test_client()
    for page, suffix in ((None, ""), (2, "?page=2")):
        web = client.get(f"/documents/{report.id}/cite.{fmt}{suffix}").get_data(as_text=True)
        args = ["cite", report.control_number, "--format", fmt, *(["--page", str(page)] if page else [])]
        result = CliRunner().invoke(main, ["--home", str(settings.home), *args], env={"ARCHIVE_PUBLIC_URL": PUBLIC_URL})
        assert result.exit_code == 0, result.output
        assert result.stdout_bytes.decode("utf-8") == web and report.sha256 in web


def test_cite_as_text_names_the_page_its_bates_number_and_hash(tmp_path: Path, sample_folder: Path) -> None:
    from archive.settings import Settings
    from archive.store import Archive

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    with Archive(Settings(home=home, actor="x")) as archive:
        report = next(d for d in archive.iter_documents() if d.title == "Clearance report")

    def cite(*args: str, public_url: str = PUBLIC_URL):
        return CliRunner().invoke(main, ["--home", str(home), "cite", *args], env={"ARCHIVE_PUBLIC_URL": public_url})

    text = cite(report.sha256, "--page", "2")
    assert text.exit_code == 0 and text.output.startswith('Demining NGO, "Clearance report"')
    assert f"p. 2 [{report.control_number}-0002]" in text.output and report.sha256[:12] in text.output
    assert f"{PUBLIC_URL}/documents/{report.id}/pages/2" in text.output
    beyond = cite(report.control_number, "--page", "3")  # never the whole document's citation in its place
    assert beyond.exit_code == 2 and "has pages 1 to 2, not 3" in beyond.stderr and not beyond.stdout
    unset = cite(report.control_number, public_url="")
    assert unset.exit_code == 1 and "set ARCHIVE_PUBLIC_URL" in unset.stderr
    missing = cite("EVA-999999")
    assert missing.exit_code == 1 and "no document 'EVA-999999'" in missing.stderr


def test_the_export_command_offers_every_export_format_and_no_other() -> None:
    """The command's list is written out so that `--help` imports nothing; it must name what the writers write."""
    from archive.cli import EXPORT_FORMATS
    from archive.exports import FORMATS

    assert tuple(FORMATS) == EXPORT_FORMATS


def test_an_unreadable_segment_file_is_a_damaged_index(tmp_path: Path, sample_folder: Path, settings) -> None:
    """A segment file that is there but cannot be read (a disk error, lost permissions; here a folder in its
    place) is damage as a missing one is: `search` printed an IsADirectoryError traceback and the web pages were
    500s, since only a missing file was taken for damage."""
    from dataclasses import replace

    from webapp import create_app

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    segments = list((home / "whoosh").glob("*.seg"))
    assert segments
    for segment in segments:
        segment.unlink()
        segment.mkdir()
    found = CliRunner().invoke(main, ["--home", str(home), "search", "landmines"])
    assert found.exit_code == 1 and not isinstance(found.exception, OSError), found.exception
    assert "is damaged" in found.stderr and segments[0].name in found.stderr and "evidence reindex" in found.stderr
    exported = export(home, "csv", "landmines")
    assert exported.exit_code == 1 and "is damaged" in exported.stderr, exported.stderr
    client = create_app({"TESTING": True, "ARCHIVE_SETTINGS": replace(settings, home=home)}).test_client()
    page = client.get("/?q=landmines")
    assert page.status_code == 503 and "evidence reindex" in page.get_data(as_text=True)
    api = client.get("/api/search?q=landmines")
    assert api.status_code == 503 and "is damaged" in api.get_json()["error"]
    for segment in segments:
        segment.rmdir()
    assert run(home, "reindex", "--quiet").exit_code == 0
    assert "2 documents" in run(home, "search", "landmines").output


def test_a_batch_on_a_damaged_index_does_not_start_and_says_to_reindex(tmp_path: Path, sample_folder: Path) -> None:
    """On an index with a segment file gone, a batch stored its files and then stopped as on a full disk (exit 4,
    "could not write … check the disk"), or went in unsearchable without a word. It now starts nothing and says
    what to run first; after `evidence reindex` the same command goes in."""
    from archive.settings import Settings
    from archive.store import Archive

    home = tmp_path / "home"
    (sample_folder / "broken.pdf").unlink()
    run(home, "ingest", "--quiet", str(sample_folder))
    for segment in (home / "whoosh").glob("*.seg"):
        segment.unlink()
    more = tmp_path / "more"
    more.mkdir()
    (more / "note.txt").write_text("Mines near Tartar, a new statement.", encoding="utf-8")
    refused = run(home, "ingest", "--quiet", str(more))
    assert refused.exit_code == 1 and "is damaged" in refused.stderr and "evidence reindex" in refused.stderr
    with Archive(Settings(home=home, actor="x")) as archive:
        assert archive.count_documents() == 2  # nothing was read
    assert run(home, "reindex", "--quiet").exit_code == 0
    assert run(home, "ingest", "--quiet", str(more)).exit_code == 0
    assert "1 document" in run(home, "search", "Tartar").output


def test_an_access_change_on_a_damaged_index_is_recorded_and_says_why_the_index_cannot_follow(
        tmp_path: Path, sample_folder: Path) -> None:
    """It said "could not write to …/whoosh: No such file or directory; check the disk", exit 1, though the
    change was made: the catalog holds it (in force for searches) and a reindex gives the index the new level."""
    from archive.settings import Settings
    from archive.store import Archive

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    for segment in (home / "whoosh").glob("*.seg"):
        segment.unlink()
    changed = run(home, "access", "EVA-000001", "confidential")
    assert changed.exit_code == 0 and "public → confidential" in changed.stdout
    assert "the change is recorded and in force, but the index cannot follow" in changed.stderr
    assert "evidence reindex" in changed.stderr and "check the disk" not in changed.stderr
    with Archive(Settings(home=home, actor="x")) as archive:
        assert archive.get_document("EVA-000001").metadata.access == "confidential"
    run(home, "reindex", "--quiet")
    assert "EVA-000001" not in run(home, "search", "landmines").output  # public only: it is confidential now
    assert "EVA-000001" in run(home, "search", "landmines", "--access", "confidential").output


def test_an_index_file_lost_during_a_batch_stops_it_as_a_damaged_index_not_a_full_disk(
        tmp_path: Path, sample_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A segment file gone while the batch writes the index (removed by hand, a failing disk) stopped the batch
    with "could not write … check the disk". It stops it (status 4, the report written) saying the index is
    damaged and how to rebuild it; what was stored is kept."""
    from whoosh.writing import SegmentWriter

    home = tmp_path / "home"
    report = tmp_path / "night.json"

    def segment_gone(self: SegmentWriter, *args: Any, **kwargs: Any) -> None:
        raise FileNotFoundError(2, "No such file or directory", str(home / "whoosh" / "MAIN_gone.seg"))

    monkeypatch.setattr(SegmentWriter, "commit", segment_gone)
    stopped = run(home, "ingest", "--quiet", "--report", str(report), str(sample_folder))
    assert stopped.exit_code == 4, stopped.output
    assert "search index in" in stopped.stderr and "is damaged" in stopped.stderr
    assert "evidence reindex" in stopped.stderr and "check the disk" not in stopped.stderr
    written = json.loads(report.read_text(encoding="utf-8"))
    assert "is damaged" in written["stopped"] and written["ingested"] == 2


def test_export_reads_its_options_in_every_spelling_click_accepts(tmp_path: Path, sample_folder: Path) -> None:
    """`-oFILE` (a short option with its value attached) was taken for a query that starts with `-`: the export
    searched for "-oFILE" and refused the real query as an extra argument. A query that starts with `-` is still
    one where it cannot be an option, and after `--` always."""
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    expected = export(home, "csv", "landmines").stdout_bytes
    spellings = {"attached": ["-o{}"], "apart": ["-o", "{}"], "long": ["--output={}"], "long apart": ["--output", "{}"]}
    for name, spelling in spellings.items():
        out = tmp_path / f"{name}.csv"
        for args in (["csv", *(s.format(out) for s in spelling), "landmines"],
                     ["csv", "landmines", *(s.format(out) for s in spelling)]):
            result = export(home, *args)
            assert result.exit_code == 0, (args, result.output)
            assert out.read_bytes() == expected and not result.stdout, args
            out.unlink()
    everything = {json.loads(line)["title"] for line in export(home, "jsonl", "").stdout.splitlines()}
    without = everything - {"Appeal on landmines", "Clearance report"}
    out = tmp_path / "without.jsonl"
    for args in (["jsonl", "-landmines"], ["jsonl", "--", "-landmines"], ["jsonl", f"-o{out}", "--", "-landmines"]):
        result = export(home, *args)
        assert result.exit_code == 0, (args, result.output)
        lines = out.read_text(encoding="utf-8") if out.exists() else result.stdout
        assert {json.loads(line)["title"] for line in lines.splitlines()} == without, args


def test_export_to_a_name_as_long_as_the_file_system_takes(tmp_path: Path, sample_folder: Path) -> None:
    """The file was written first as `.NAME.part`: a name of 250 to 255 bytes, which the file system takes, made
    that name too long, and the export failed with "File name too long"."""
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    expected = export(home, "csv", "landmines").stdout_bytes
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    for name in ("a" * (limit - 4) + ".csv", "ш" * ((limit - 5) // 2) + "x.csv", "a" * (limit - 10) + ".csv"):
        out = tmp_path / name
        assert len(name.encode()) <= limit
        result = export(home, "csv", "landmines", "-o", str(out))
        assert result.exit_code == 0, (len(name.encode()), result.output)
        assert out.read_bytes() == expected
    assert list(tmp_path.glob(".*part")) == []


def test_two_exports_to_one_name_at_once_each_write_a_whole_file(tmp_path: Path, sample_folder: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Two exports to one name wrote into one `.NAME.part`: the second emptied the first's file and put it in
    place, the first went on writing into it and then failed to find its own, leaving a mixture of the two."""
    import dataclasses

    import archive.exports
    from archive.settings import Settings

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    out = tmp_path / "out.csv"
    settings = dataclasses.replace(Settings.from_env(home=home), public_url=PUBLIC_URL)
    expected = export(home, "csv", "landmines").stdout_bytes
    real = archive.exports._csv
    others: list[Any] = []

    def another_export_meanwhile(*args: Any) -> Any:
        pieces = real(*args)
        yield next(pieces)
        if not others:
            others.append(None)
            archive.exports.export_search(settings, "csv", "landmines", out)
        yield from pieces

    monkeypatch.setattr(archive.exports, "_csv", another_export_meanwhile)
    result = export(home, "csv", "landmines", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == expected and list(tmp_path.glob(".*part")) == []


def test_an_output_that_fills_up_is_named_as_the_output_not_the_archive(tmp_path: Path, sample_folder: Path) -> None:
    """A full disk under the output file failed twice, when the file was written and again when it was closed, and
    the second failure, not told apart from reading the archive, said "the archive could not be read"."""
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    link = tmp_path / "full.csv"
    link.symlink_to("/dev/full")
    for out in ("/dev/full", str(link)):
        result = export(home, "csv", "landmines", "-o", out)
        assert result.exit_code == 1 and "No space left on device" in result.stderr, result.stderr
        assert out in result.stderr and "archive could not be read" not in result.stderr, result.stderr


def test_standard_output_on_a_full_disk_is_a_message_and_a_batch_keeps_its_exit_status(
        tmp_path: Path, sample_folder: Path) -> None:
    """`evidence search … > results.txt` on a full disk was an OSError traceback, and `evidence ingest … > log`
    there exited 1 ("could not start") with a traceback after the batch had run: the job could not tell a batch
    that failed files (3) from one that never began."""
    home = tmp_path / "home"

    def evidence(*args: str) -> subprocess.CompletedProcess[bytes]:
        with open("/dev/full", "wb") as full:
            return subprocess.run([sys.executable, "-m", "archive", "--home", str(home), *args], cwd=REPO,
                                  env={**os.environ, "ARCHIVE_PUBLIC_URL": PUBLIC_URL}, stdout=full,
                                  stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)

    batch = evidence("ingest", "--quiet", str(sample_folder))
    stderr = batch.stderr.decode()
    assert batch.returncode == 3 and "Traceback" not in stderr, stderr  # one file failed: 3, as without the disk
    assert "standard output could not be written (No space left on device): 3 files: 2 ingested" in stderr
    assert evidence("ingest", "--quiet", "--json", str(sample_folder)).returncode == 3  # broken.pdf again
    for args in (["search", "landmines"], ["search", "landmines", "--json"], ["show", "EVA-000001", "--text"],
                 ["cite", "EVA-000001"], ["cite", "EVA-000001", "--format", "ris"], ["verify", "--quiet"]):
        done = evidence(*args)
        assert done.returncode == 1, args
        assert done.stderr.decode() == "Error: standard output could not be written: No space left on device\n", args


SLOW_EXPORT = """
import sys, time
import archive.exports
real = archive.exports._csv
def slow(*args):
    pieces = real(*args)
    yield next(pieces)
    print("writing", file=sys.stderr, flush=True)
    time.sleep(60)
    yield from pieces
archive.exports._csv = slow
from archive.cli import main
main(prog_name="evidence")
"""


def test_an_export_stopped_by_sigterm_leaves_no_file_behind_and_says_so(tmp_path: Path, sample_folder: Path) -> None:
    """`timeout 600 evidence export csv … -o out.csv` cut off by its time limit ended without a word and left the
    half-written file beside the name (and, killed again and again, one more each time)."""
    import signal

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    out = tmp_path / "exports" / "out.csv"
    out.parent.mkdir()
    export_run = subprocess.Popen([sys.executable, "-c", SLOW_EXPORT, "--home", str(home), "export", "csv", "landmines",
                                   "-o", str(out)], cwd=REPO, env={**os.environ, "ARCHIVE_PUBLIC_URL": PUBLIC_URL},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert export_run.stderr.readline() == b"writing\n"
    export_run.send_signal(signal.SIGTERM)
    stdout, stderr = export_run.communicate(timeout=60)
    assert export_run.returncode == 143, stderr
    assert stderr.decode().strip() == "evidence export stopped by SIGTERM", stderr
    assert list(out.parent.iterdir()) == []


def test_an_index_folder_that_is_gone_is_a_damaged_index_not_an_empty_archive(tmp_path: Path,
                                                                              sample_folder: Path) -> None:
    """A home restored without its derived `whoosh/` folder (or with it removed by hand) got a new, empty index at
    the first search: "0 documents", status 0, for every query; the next batch then indexed its own files alone,
    and searches went on missing every earlier document without a word."""
    import shutil

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    shutil.rmtree(home / "whoosh")
    later = tmp_path / "later"
    later.mkdir()
    (later / "note.txt").write_text("Another note on landmines.", encoding="utf-8")
    for args in (["search", "landmines"], ["ingest", "--quiet", str(later)]):
        result = CliRunner().invoke(main, ["--home", str(home), *args])
        assert result.exit_code == 1, (args, result.output)
        assert "search index in" in result.output and "evidence reindex" in result.output, (args, result.output)
    changed = run(home, "access", "EVA-000001", "restricted")  # recorded, as on an index missing a file
    assert changed.exit_code == 0 and "public → restricted" in changed.stdout
    assert "the index cannot follow" in changed.stderr and "evidence reindex" in changed.stderr
    refused = CliRunner().invoke(main, ["--home", str(home), "export", "csv", "landmines"],
                                 env={"ARCHIVE_PUBLIC_URL": PUBLIC_URL})
    assert refused.exit_code == 1 and "evidence reindex" in refused.output and not refused.stdout
    assert not (home / "whoosh").exists()
    assert run(home, "reindex", "--quiet").exit_code == 0
    assert json.loads(run(home, "search", "landmines", "--json").output)["total"] == 1  # one is restricted now
    assert run(home, "ingest", "--quiet", str(later)).exit_code == 0
    assert json.loads(run(home, "search", "landmines", "--json").output)["total"] == 2


def test_ingest_json_of_a_batch_stopped_early_is_its_summary_saying_why(tmp_path: Path, sample_folder: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """`ingest --json` printed its summary after a batch that ran, or stopped on a full disk (status 4), but nothing
    after Ctrl-C or SIGTERM: a nightly job reading it got no JSON, although the batch had stored files."""
    import archive.cli

    step = archive.cli._ProgressBar.step

    def ctrl_c_after_the_first_file(bar: Any, outcome: Any) -> None:
        step(bar, outcome)
        raise KeyboardInterrupt

    monkeypatch.setattr(archive.cli._ProgressBar, "step", ctrl_c_after_the_first_file)
    result = run(tmp_path / "home", "ingest", "--json", str(sample_folder))
    assert result.exit_code == 130 and "stopped by Ctrl-C after 1 of 3 files" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["stopped"] == "stopped by Ctrl-C after 1 of 3 files" and summary["files"] == 1
    assert summary["ingested"] + summary["failed"] == 1 and summary["run_id"]


def test_a_report_or_an_export_is_never_written_into_the_archive_home(tmp_path: Path, sample_folder: Path) -> None:
    """`--report HOME/catalog.sqlite3` (a slip of tab completion) emptied the catalog while the batch held it open,
    ended in a traceback, and its cleanup then deleted the catalog with the custody ledger; `export -o` there
    replaced the catalog with a CSV. The home holds the archive's own files alone."""
    from archive.settings import Settings
    from archive.store import Archive

    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    catalog = home / "catalog.sqlite3"
    with Archive(Settings(home=home, actor="x")) as archive:
        before = len(archive.events())
    (tmp_path / "link-to-home").symlink_to(home)
    for target in (catalog, home / "new.json", tmp_path / "link-to-home" / "catalog.sqlite3"):
        batch = CliRunner().invoke(main, ["--home", str(home), "ingest", "--quiet", "--report", str(target),
                                          str(sample_folder)])
        assert batch.exit_code == 2 and "inside the archive home" in batch.output, batch.output
        exported = CliRunner().invoke(main, ["--home", str(home), "export", "csv", "landmines", "-o", str(target)],
                                      env={"ARCHIVE_PUBLIC_URL": PUBLIC_URL})
        assert exported.exit_code == 2 and "inside the archive home" in exported.output, exported.output
    assert not (home / "new.json").exists()
    with Archive(Settings(home=home, actor="x")) as archive:
        assert len(archive.events()) == before and archive.count_documents() == 2


def test_a_batch_folder_holding_the_archive_home_leaves_the_home_out(tmp_path: Path, sample_folder: Path) -> None:
    """`evidence --home evidence/archive-home ingest evidence` read the archive's own files as the batch's: the
    catalog, the index's segments and the lock failed `unsupported` and the originals came back as duplicates, so
    every nightly run exited 3."""
    (sample_folder / "broken.pdf").unlink()
    home = sample_folder / "archive-home"
    assert run(home, "ingest", "--quiet", str(sample_folder)).exit_code == 0
    again = run(home, "ingest", "--quiet", "--json", str(sample_folder))
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert (summary["files"], summary["duplicate"], summary["failed"]) == (2, 2, 0)


def test_a_batch_path_that_is_the_archive_home_is_refused(tmp_path: Path, sample_folder: Path) -> None:
    """`evidence --home incoming ingest incoming` (ARCHIVE_HOME set to the evidence folder) made the evidence folder
    the archive, and from the next night on read the catalog, the index and the originals as evidence: every run
    exited 3. The home, or a folder of it, is not a batch."""
    refused = run(sample_folder, "ingest", "--quiet", str(sample_folder))
    assert refused.exit_code == 2 and "is the archive home" in refused.output, refused.output
    assert not (sample_folder / "catalog.sqlite3").exists()
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    inside = CliRunner().invoke(main, ["--home", str(home), "ingest", "--quiet", str(home / "objects")])
    assert inside.exit_code == 2 and "is the archive home" in inside.output, inside.output


def test_a_report_written_into_the_batch_folder_is_not_read_as_evidence(tmp_path: Path, sample_folder: Path) -> None:
    """`evidence ingest --report incoming/last-run.json incoming`, run every night, read the night before's report
    as a file of the batch: it failed `unsupported`, and every run exited 3."""
    (sample_folder / "broken.pdf").unlink()
    home = tmp_path / "home"
    for name in ("last-run.json", "last-run.csv"):
        report = sample_folder / name
        for _ in range(2):
            result = run(home, "ingest", "--quiet", "--report", str(report), str(sample_folder))
            assert result.exit_code == 0, result.output
        outcomes = [row for row in report.read_text(encoding="utf-8-sig").splitlines() if name in row]
        assert outcomes == [], outcomes
        report.unlink()  # the other format's run reads it as what it is: a file of the batch


def test_what_a_document_brings_is_printed_as_text_never_as_terminal_commands(tmp_path: Path,
                                                                             sample_folder: Path) -> None:
    """A title, a page or a file name holding escape sequences was printed as it was: `search`, `show` and the batch's
    lines set the terminal's title, planted a link (OSC 8) or moved the cursor over what was printed. Control
    characters are now written as `\\xNN`; `--json` escapes them already."""
    (sample_folder / "broken.pdf").unlink()
    planted = sample_folder / "planted.txt"
    planted.write_text("Landmines near the school.\x1b]0;owned\x07 Shelling\rOverwritten\r\nend", encoding="utf-8")
    write_sidecar(planted, title="Report \x1b]8;;https://evil.example\x07click\x1b]8;;\x07", type="report")
    (sample_folder / "name\x1b[2J.xyz").write_bytes(b"not a format")
    home = tmp_path / "home"
    batch = run(home, "ingest", "--quiet", str(sample_folder))
    assert batch.exit_code == 3 and "name\\x1b[2J.xyz: unsupported" in batch.stderr, batch.stderr
    found = run(home, "search", "landmines")
    shown = run(home, "show", json.loads(run(home, "search", "school", "--json").output)["hits"][0]["control_number"],
                "--text")
    for result in (batch, found, shown):
        printed = result.stdout + result.stderr
        assert not any(c in printed for c in "\x1b\x07\r"), repr(printed)
    assert "Report \\x1b]8;;https://evil.example\\x07click" in found.stdout
    assert "\\x1b]0;owned\\x07 Shelling\\x0dOverwritten\nend" in shown.stdout  # a CR LF line end is a line end


def test_json_output_is_utf8_json_under_a_locale_that_is_not(tmp_path: Path, sample_folder: Path) -> None:
    """Under LANG=en_US.ISO-8859-1, `--json` printed `é` as one Latin-1 byte and `😀` as `\\U0001f600`: no JSON
    reader took it, whichever encoding it read it in. JSON goes out in UTF-8, as exports and `refs --jsonl` do."""
    (sample_folder / "broken.pdf").unlink()
    write_sidecar(sample_folder / "appeal.txt", title="Обращение 😀 café — Şuşa", type="appeal")
    home = tmp_path / "home"
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}

    def evidence_json(*args: str) -> Any:
        done = subprocess.run([sys.executable, "-m", "archive", "--home", str(home), *args], cwd=REPO, env=env,
                              capture_output=True)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.decode("utf-8"))

    assert evidence_json("ingest", "--quiet", "--json", str(sample_folder))["ingested"] == 2
    found = evidence_json("search", "landmines", "--json")
    assert "Обращение 😀 café — Şuşa" in [hit["title"] for hit in found["hits"]]
    control = next(h["control_number"] for h in found["hits"] if "café" in h["title"])
    assert evidence_json("show", control, "--json")["title"] == "Обращение 😀 café — Şuşa"
    assert evidence_json("verify", "--json", "--quiet")["ok"] is True


def test_search_results_keep_their_columns_whatever_the_date(tmp_path: Path) -> None:
    """A date known only to the month or year, or none, was shorter than a full date, and pushed the type and
    title of its line to the left of the others'."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, date in (("day", "2021-06-01"), ("month", "2022-04"), ("year", "2020"), ("undated", "")):
        (folder / f"{name}.txt").write_text(f"Landmines near Aghdam, {name}.", encoding="utf-8")
        write_sidecar(folder / f"{name}.txt", title=name, type="report", **({"date": date} if date else {}))
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(folder))
    lines = [line for line in run(home, "search", "landmines").output.splitlines() if line.startswith("EVA-")]
    assert len(lines) == 4
    assert len({line.index("report") for line in lines}) == 1, lines


def test_reindex_if_stale_rebuilds_only_an_index_that_cannot_be_used(tmp_path: Path, sample_folder: Path) -> None:
    """`make run` on an archive whose index an earlier version built (other places, another schema) refused to
    serve until `evidence reindex` was run by hand; `reindex --if-stale` rebuilds such an index, and only such."""
    home = tmp_path / "home"
    run(home, "ingest", "--quiet", str(sample_folder))
    index_dir = home / "whoosh"
    before = sorted(p.name for p in index_dir.iterdir())
    fresh = run(home, "reindex", "--if-stale", "--quiet")
    assert fresh.exit_code == 0 and "up to date" in fresh.output
    assert sorted(p.name for p in index_dir.iterdir()) == before  # not rebuilt

    stamp = index_dir / "archive-index.json"
    stamp.write_text(json.dumps({**json.loads(stamp.read_text()), "places": "built with other places"}))
    assert run(home, "search", "landmines").exit_code != 0  # refused: built with other places
    stale = run(home, "reindex", "--if-stale", "--quiet")
    assert stale.exit_code == 0 and stale.output.strip() == "indexed 2 documents"
    assert json.loads(run(home, "search", "landmines", "--json").output)["total"] == 2

    shutil.rmtree(index_dir)  # gone: damaged, since the catalog holds documents
    assert run(home, "reindex", "--if-stale", "--quiet").output.strip() == "indexed 2 documents"
    assert json.loads(run(home, "search", "landmines", "--json").output)["total"] == 2
