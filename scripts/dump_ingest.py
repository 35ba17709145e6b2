"""Everything ingest makes of a folder, written out so that two versions of the code can be compared.

    python scripts/dump_ingest.py CORPUS OUT [--files N] [--code CHECKOUT]

Writes, for the first N files of CORPUS (in discovery order):

* ``OUT/worker.jsonl``: each file's worker result (``process_file`` in this
  process): pages with their languages, references, dates, places, metadata
  and index terms;
* ``OUT/catalog.json``: every row of every catalog table after ``ingest`` of
  those files (copied with their sidecars to one fixed folder, so that the
  paths the custody events seal are the same), with the clock and the run id
  fixed, so that custody hashes and catalog digests compare too;
* ``OUT/index.json``: every stored field, posting and field length of the
  index, and the SHA-256 of each file inside its segments.

Two versions of the code that write the same three files made the same
archive. ``--code`` imports the archive from another checkout (the code
before a change, say), which need not have this script::

    git worktree add /tmp/before HEAD~3
    python scripts/dump_ingest.py --code /tmp/before CORPUS /tmp/dump-before
    python scripts/dump_ingest.py CORPUS /tmp/dump-after
    cmp /tmp/dump-before/catalog.json /tmp/dump-after/catalog.json
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def plain(value: Any) -> Any:
    """``value`` as JSON can hold it: dataclasses as objects, bytes as hex, dates in ISO."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def dump_workers(files: list[Path], out: Path) -> None:
    from archive.ingest import WorkerOptions, process_file

    with open(out / "worker.jsonl", "w", encoding="utf-8") as lines:
        for path in files:
            result = process_file(str(path), WorkerOptions())
            fields = {"kind": type(result).__name__, **plain(result)}
            fields.pop("seconds", None)
            lines.write(json.dumps(fields, ensure_ascii=False, sort_keys=True) + "\n")


def copy_files(files: list[Path], folder: Path) -> None:
    """The files and their sidecars, in one folder of their own."""
    from archive.metadata import is_sidecar

    folder.mkdir()
    for path in files:
        shutil.copy2(path, folder / path.name)
        for sidecar in path.parent.glob(f"{path.stem}*"):
            if is_sidecar(sidecar):
                shutil.copy2(sidecar, folder / sidecar.name)


def dump_archive(folder: Path, out: Path) -> None:
    """Ingest ``folder`` into a fresh home with the clock fixed; write its catalog and index."""
    import archive.ingest as ingest
    import archive.store as store
    from archive.settings import Settings

    ticks = itertools.count()
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def fixed_clock() -> str:  # a new microsecond at each call, the same sequence each run
        return (start + dt.timedelta(microseconds=next(ticks))).isoformat(timespec="microseconds")

    clock, run_id = store.utc_now, ingest._new_run_id
    store.utc_now = ingest.utc_now = fixed_clock
    ingest._new_run_id = lambda: "dump"
    home = Path(tempfile.mkdtemp(prefix="dump-ingest-home-"))
    try:
        ingest.ingest([folder], Settings(home=home, actor="dump", workers=2))
        write_catalog(home / "catalog.sqlite3", out / "catalog.json")
        write_index(home / "whoosh", out / "index.json")
    finally:
        store.utc_now = ingest.utc_now = clock
        ingest._new_run_id = run_id
        shutil.rmtree(home)


def write_catalog(catalog: Path, target: Path) -> None:
    import sqlite3

    db = sqlite3.connect(catalog)
    try:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = {table: [list(row) for row in db.execute(f"SELECT * FROM {table} ORDER BY rowid")]  # noqa: S608
                for table in tables if table != "pages"}
        rows["pages"] = [list(row) for row in db.execute("SELECT * FROM pages ORDER BY doc_id, number")]
    finally:
        db.close()
    target.write_text(json.dumps(rows, ensure_ascii=False, sort_keys=True, indent=0), encoding="utf-8")


def write_index(directory: Path, target: Path) -> None:
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.index import open_dir

    index = open_dir(str(directory))
    contents: dict[str, Any] = {"stored": [], "postings": [], "lengths": [], "files": []}
    with index.reader() as reader:
        contents["stored"] = [[number, plain(fields)] for number, fields in reader.iter_docs()]
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            while matcher.is_active():
                contents["postings"].append([fieldname, text.hex(), matcher.id(), matcher.weight(),
                                             plain(matcher.value())])
                matcher.next()
        contents["lengths"] = [[number, name, reader.doc_field_length(number, name)]
                               for number in range(reader.doc_count_all())
                               for name in ("body", "page_body", "title", "issuer")]
    for segment in index._segments():  # each file of each segment, without the segment's random name
        files = CompoundStorage(index.storage.open_file(segment.make_filename(".seg")), use_mmap=False)
        try:
            contents["files"].append({name.replace(segment.segment_id(), ""): hashlib.sha256(
                files.open_file(name).read()).hexdigest() for name in sorted(files.list())})
        finally:
            files.close()
    index.close()
    target.write_text(json.dumps(contents, ensure_ascii=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path, help="a folder for the three files (made if missing)")
    parser.add_argument("--files", type=int, default=400, help="how many files of CORPUS (default 400)")
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout whose archive to run (default: this)")
    args = parser.parse_args(argv)
    if sys.path[0] != str(args.code.resolve()):
        sys.path.insert(0, str(args.code.resolve()))  # before the archive is imported; the workers inherit it
    import archive
    from archive.ingest import discover

    print(f"code: {Path(archive.__file__).parent.parent}")
    files = list(itertools.islice(discover([args.corpus]), args.files))
    args.out.mkdir(parents=True, exist_ok=True)
    dump_workers(files, args.out)
    # The same folder for every run, so that the paths the catalog and its custody events hold are the same.
    corpus_id = hashlib.sha256(str(args.corpus.resolve()).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"dump-ingest-{corpus_id}"
    if folder.exists():
        raise SystemExit(f"{folder} exists: another dump of this corpus is running, or one was stopped; remove it")
    try:
        copy_files(files, folder)
        dump_archive(folder, args.out)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for name in ("worker.jsonl", "catalog.json", "index.json"):
        print(f"{name}: {hashlib.sha256((args.out / name).read_bytes()).hexdigest()[:16]}")


if __name__ == "__main__":
    main()
