"""The developer scripts: what they are given to write into, and the figures they print."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from archive import synthetic

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    sys.path.insert(0, str(ROOT / "scripts"))  # bench_growth and bench_search import bench_ingest by name
    try:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return module


@pytest.mark.parametrize(("name", "option"), [("bench_ingest", "--keep"), ("bench_growth", "--keep"),
                                              ("bench_search", "--index")])
def test_an_output_folder_that_holds_files_is_refused_not_emptied(tmp_path: Path, name: str, option: str) -> None:
    folder = tmp_path / "archive-home"
    folder.mkdir()
    (folder / "notes.txt").write_text("not the benchmark's")
    argv = [option, str(folder), "--docs", "1"] if name != "bench_growth" else [
        "--corpus", str(tmp_path), option, str(folder)]
    with pytest.raises(SystemExit, match="not an empty folder"):
        _script(name).main(argv)
    assert (folder / "notes.txt").read_text() == "not the benchmark's"


def test_ingest_in_the_child_uses_paths_relative_to_the_callers_folder(tmp_path: Path, monkeypatch) -> None:
    synthetic.write_corpus(tmp_path / "corpus", 2, 1, text_only=True)
    monkeypatch.chdir(tmp_path)
    run = _script("bench_ingest").end_to_end(Path("corpus"), Path("home"), 1)
    assert run["ingested"] == 2
    assert (tmp_path / "home" / "catalog.sqlite3").is_file()
    assert not (ROOT / "home").exists()


def test_search_of_an_archive_home_makes_no_temporary_folder(tmp_path: Path, monkeypatch) -> None:
    module = _script("bench_search")

    def no_scratch(*args, **kwargs):
        raise AssertionError("a temporary folder was made that nothing removes")

    monkeypatch.setattr(module.tempfile, "mkdtemp", no_scratch)
    with pytest.raises(SystemExit, match="no archive at"):  # a message, not a traceback
        module.main(["--home", str(tmp_path / "missing")])


def test_growth_rows_give_the_pages_ingest_read(tmp_path: Path, monkeypatch, capsys) -> None:
    module = _script("bench_growth")
    run = {"pages": 123, "ingested": 5, "failed": 0, "seconds": 1.0, "writer_rss_mb": 1.0, "worker_rss_mb": 1.0}
    monkeypatch.setattr(module, "end_to_end", lambda corpus, home, workers: run)
    monkeypatch.setattr(module, "search_times", lambda home, queries: [1.0, 2.0])
    module.main(["--sizes", "5", "--text-only", "--workers", "1", "--queries", "11"])
    row = capsys.readouterr().out.strip().splitlines()[-1].split()
    assert row[:2] == ["5", "123"]  # the generator wrote more pages than that: one Markdown page per page break
    assert float(row[3]) == 123.0


@pytest.mark.parametrize(("name", "argv"), [("bench_ingest", ["--docs", "0"]), ("bench_search", ["--queries", "0"]),
                                            ("bench_growth", ["--sizes", "0"])])
def test_counts_below_one_are_refused_with_a_message(name: str, argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        _script(name).main(argv)
    assert stopped.value.code == 2 and "is not 1 or more" in capsys.readouterr().err


def _make_corpus(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "make_corpus.py"), "--text-only", *argv],
                          capture_output=True, text=True, timeout=120)


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_make_corpus_refuses_a_folder_that_holds_files_and_leaves_it_as_it_was(tmp_path: Path) -> None:
    """A second run with other arguments wrote its documents among the first run's: fewer documents left the extra
    ones of the first, another seed put other documents (other names) under the same numbers."""
    corpus = tmp_path / "corpus"
    assert _make_corpus("--docs", "12", "--seed", "1", str(corpus)).returncode == 0
    first = _files(corpus)
    again = _make_corpus("--docs", "5", "--seed", "2", str(corpus))
    assert again.returncode == 2 and again.stdout == ""
    assert again.stderr == (f"{corpus}: already holds files, and the corpus would be mixed with them; name a new or "
                            "empty folder (a corpus made in parts with --start: a folder for each part, such as "
                            "OUT/part-2, and ingest OUT)\n")
    assert _files(corpus) == first
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("not a corpus")
    assert _make_corpus("--docs", "1", str(notes)).returncode == 2
    assert _files(notes) == {"todo.txt": b"not a corpus"}


def test_make_corpus_in_parts_each_in_its_folder_writes_the_files_of_one_run(tmp_path: Path) -> None:
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    (parts / "empty").mkdir(parents=True)  # an empty folder is taken
    assert _make_corpus("--docs", "7", "--seed", "3", str(whole)).returncode == 0
    assert _make_corpus("--docs", "4", "--seed", "3", str(parts / "empty")).returncode == 0
    assert _make_corpus("--docs", "3", "--seed", "3", "--start", "4", str(parts / "part-2")).returncode == 0
    assert {**_files(parts / "empty"), **_files(parts / "part-2")} == _files(whole)


def test_dumps_of_one_corpus_by_one_version_of_the_code_are_identical(tmp_path: Path, monkeypatch) -> None:
    """What makes two versions of the code comparable: the clock, the run id and the paths are fixed."""
    synthetic.write_corpus(tmp_path / "corpus", 3, 1, text_only=True)
    module = _script("dump_ingest")
    monkeypatch.setattr(module.tempfile, "tempdir", str(tmp_path))  # the copy of the corpus goes there
    for run in ("first", "second"):
        module.main([str(tmp_path / "corpus"), str(tmp_path / run)])
    for name in ("worker.jsonl", "catalog.json", "index.json"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name
    catalog = json.loads((tmp_path / "first" / "catalog.json").read_text())
    assert len(catalog["documents"]) == 3 and len(catalog["custody"]) == 6
    assert not list(tmp_path.glob("dump-ingest-*"))  # the copy is removed
