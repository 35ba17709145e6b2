"""Benchmark: end-to-end ingest against plain pypdf extraction of the same files, in the same run.

    python scripts/bench_ingest.py --docs 1000 --workers 2 [--corpus DIR] [--keep DIR]

Generates a synthetic corpus (or uses ``--corpus``), then measures, with the
same number of worker processes:

* baseline: read each file and extract its text (pypdf for PDFs, decoding for
  text files) in a process pool, nothing else;
* workers alone: the same pool doing all of an ingest worker's work (hash,
  extract, analyse: dates, places, references, language, index terms), with
  the results dropped in the worker instead of sent to a writer. No ingest
  can be faster than this, so its ratio to the baseline is the ceiling of
  the end-to-end ratio;
* end to end: ``evidence ingest`` (hash, extract, analyse, store, catalog,
  custody, index) into a fresh archive home, run in a child process so its
  peak RSS (writer and workers) is its own.

Prints pages per second for both and their ratio, peak RSS and archive size.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def raw_extract(path: str) -> int:
    """The baseline's work for one file: its text, page by page; returns the page count."""
    from archive.extract import extract

    data = Path(path).read_bytes()
    try:
        return len(extract(data, path).pages)
    except Exception:  # noqa: BLE001 - the baseline counts what it can read, like ingest does
        return 0


def worker_alone(path: str) -> int:
    """An ingest worker's whole work on one file (defaults of a fresh archive), its result dropped; the page count."""
    from archive.ingest import WorkerOptions, process_file
    from archive.models import Extraction

    result = process_file(path, WorkerOptions())
    return result.page_count if isinstance(result, Extraction) else 0


def baseline(files: list[str], workers: int, task: Any = raw_extract) -> tuple[int, float]:
    """Pages ``task`` got from ``files`` in a pool of ``workers`` processes, and the seconds it took."""
    began = time.perf_counter()
    context = multiprocessing.get_context("forkserver")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pages = sum(pool.map(task, files, chunksize=8))
    return pages, time.perf_counter() - began


def fresh_dir(path: Path, option: str) -> Path:
    """``path`` made absolute, if it is free to use as a benchmark's output (missing or an empty folder).

    A benchmark deletes what it writes there before each run, so a folder that already holds anything (an archive
    home, the user's files) is refused rather than emptied.
    """
    path = path.expanduser().resolve()
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise SystemExit(f"{option} {path}: already exists and is not an empty folder; the benchmark would delete "
                         "what it holds. Remove it first or name a new folder.")
    return path


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1 (``--docs 0`` divided by zero further on)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return value


def existing_dir(path: Path, option: str) -> Path:
    """``path`` made absolute, if it is a folder (child processes run in the checkout, not in the caller's folder)."""
    path = path.expanduser().resolve()
    if not path.is_dir():
        raise SystemExit(f"{option} {path}: no such folder")
    return path


def end_to_end(corpus: Path, home: Path, workers: int) -> dict[str, float]:
    corpus, home = corpus.resolve(), home.resolve()  # the child runs in the checkout: relative paths would move
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from archive.ingest import ingest\n"
        "from archive.settings import Settings\n"
        f"settings = Settings(home=Path({str(home)!r}), workers={workers}, actor='bench')\n"
        "began = time.perf_counter()\n"
        f"report = ingest([Path({str(corpus)!r})], settings)\n"
        "seconds = time.perf_counter() - began\n"
        "self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'pages': report.pages, 'ingested': report.ingested, 'failed': report.failed,"
        " 'seconds': seconds, 'writer_rss_mb': self_kb / 1024}))\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=REPO)
    peaks = {"tree": 0.0, "worker": 0.0}
    while process.poll() is None:
        sizes = tree_rss_mb(process.pid)
        if sizes:
            peaks["tree"] = max(peaks["tree"], sum(sizes.values()))
            peaks["worker"] = max([peaks["worker"], *(mb for pid, mb in sizes.items() if pid != process.pid)])
        time.sleep(0.2)
    stdout, stderr = process.communicate()
    if process.returncode:
        raise RuntimeError(f"ingest failed: {stderr[-2000:]}")
    run = json.loads(stdout.strip().splitlines()[-1])
    run["worker_rss_mb"] = peaks["worker"]
    run["tree_rss_mb"] = peaks["tree"]
    return run


def tree_rss_mb(root: int) -> dict[int, float]:
    """Resident memory (MB) of ``root`` and every process descended from it, sampled from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    family, changed = {root}, True
    while changed:
        grown = family | {pid for pid, parent in parents.items() if parent in family}
        changed, family = grown != family, grown
    sizes = {}
    for pid in family:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes[pid] = int(line.split()[1]) / 1024
        except OSError:
            continue
    return sizes


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=positive, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=positive, default=2)
    parser.add_argument("--pdf-share", type=float, default=0.6)
    parser.add_argument("--corpus", type=Path, help="use this folder instead of generating one")
    parser.add_argument("--keep", type=Path, help="keep the archive home here")
    args = parser.parse_args(argv)
    if args.corpus is not None:
        args.corpus = existing_dir(args.corpus, "--corpus")
    if args.keep is not None:
        args.keep = fresh_dir(args.keep, "--keep")

    scratch = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        corpus = args.corpus
        if corpus is None:
            from archive.synthetic import write_corpus

            corpus = scratch / "corpus"
            summary = write_corpus(corpus, args.docs, args.seed, pdf_share=args.pdf_share, jobs=args.workers)
            print(f"corpus: {summary.documents} documents, {summary.pages} pages, "
                  f"{summary.bytes / 1e6:.1f} MB, generated in {summary.seconds:.1f} s")
        from archive.ingest import discover

        files = [str(p) for p in discover([corpus])]
        base_pages, base_seconds = baseline(files, args.workers)
        alone_pages, alone_seconds = baseline(files, args.workers, worker_alone)
        home = args.keep or scratch / "home"
        run = end_to_end(corpus, home, args.workers)
        base_rate = base_pages / base_seconds
        rate = run["pages"] / run["seconds"]
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, workers={args.workers}")
        print(f"{'':26}{'pages':>8}{'seconds':>10}{'pages/s':>10}")
        print(f"{'baseline (extract only)':26}{base_pages:>8}{base_seconds:>10.1f}{base_rate:>10.1f}")
        print(f"{'workers alone':26}{alone_pages:>8}{alone_seconds:>10.1f}{alone_pages / alone_seconds:>10.1f}")
        print(f"{'ingest end to end':26}{run['pages']:>8}{run['seconds']:>10.1f}{rate:>10.1f}")
        print(f"ratio workers alone / baseline: {alone_pages / alone_seconds / base_rate:.2f} "
              "(the ceiling of the end-to-end ratio)")
        print(f"ratio end-to-end / baseline: {rate / base_rate:.2f}")
        print(f"ingested {run['ingested']}, failed {run['failed']}")
        print(f"peak RSS: writer {run['writer_rss_mb']:.0f} MB, largest worker {run['worker_rss_mb']:.0f} MB, "
              f"whole process tree {run['tree_rss_mb']:.0f} MB (sampled every 0.2 s)")
        print(f"archive home {folder_mb(home):.1f} MB (index {folder_mb(home / 'whoosh'):.1f} MB, "
              f"originals {folder_mb(home / 'objects'):.1f} MB, corpus {folder_mb(corpus):.1f} MB)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)  # the corpus, and the home unless --keep put it elsewhere


if __name__ == "__main__":
    main()
