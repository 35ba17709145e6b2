"""Benchmark: ingest throughput of the local process pool and of a Dask cluster, same corpus, same run.

    python scripts/bench_distributed.py --docs 1000 --workers 1 2 [--corpus DIR] [--repeat N]
    python scripts/bench_distributed.py --docs 1000 --scheduler tcp://HOST:8786

Generates a synthetic corpus (or uses ``--corpus``), then, for each worker
count, ingests it end to end into a fresh archive home twice: with the local
process pool (``--workers N``) and through a Dask ``LocalCluster`` of N worker
processes with one thread each, started here before the clock runs (separate
processes over loopback, as on a real cluster). With ``--scheduler`` the
second run uses that cluster instead, whatever its size. Each ingest runs in
a child process; the best of ``--repeat`` runs is kept. Prints pages per
second for every run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def timed_ingest(corpus: Path, home: Path, *, workers: int = 0, scheduler: str = "") -> dict[str, float]:
    """Ingest ``corpus`` into a fresh ``home`` in a child process; its pages and seconds."""
    corpus, home = corpus.resolve(), home.resolve()  # the child runs in the checkout: relative paths would move
    shutil.rmtree(home, ignore_errors=True)
    code = (
        "import json, time\n"
        "from pathlib import Path\n"
        "from archive.ingest import ingest\n"
        "from archive.settings import Settings\n"
        f"settings = Settings(home=Path({str(home)!r}), workers={workers}, actor='bench')\n"
        "began = time.perf_counter()\n"
        f"report = ingest([Path({str(corpus)!r})], settings, scheduler={scheduler!r} or None)\n"
        "seconds = time.perf_counter() - began\n"
        "print(json.dumps({'pages': report.pages, 'files': report.files, 'failed': report.failed,"
        " 'seconds': seconds}))\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    if output.returncode:
        raise SystemExit(f"ingest of {corpus} failed:\n{output.stderr[-2000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def best_of(repeat: int, corpus: Path, home: Path, **how: object) -> dict[str, float]:
    runs = [timed_ingest(corpus, home, **how) for _ in range(repeat)]  # type: ignore[arg-type]
    return min(runs, key=lambda run: run["seconds"])


@contextmanager
def local_cluster(workers: int) -> Iterator[str]:
    """A Dask cluster of ``workers`` processes with one thread each, on loopback; yields its address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0", silence_logs=40) as cluster:
        yield cluster.scheduler_address


def cluster_threads(address: str) -> int:
    from distributed import Client

    with Client(address, set_as_default=False) as client:
        return sum(client.nthreads().values())


def make_corpus(args: argparse.Namespace, scratch: Path) -> Path:
    if args.corpus is not None:
        return args.corpus
    from archive.synthetic import write_corpus

    corpus = scratch / "corpus"
    summary = write_corpus(corpus, args.docs, args.seed, pdf_share=args.pdf_share, jobs=os.cpu_count() or 1)
    print(f"corpus: {summary.documents} documents, {summary.pages} pages, {summary.bytes / 1e6:.1f} MB")
    return corpus


def print_row(label: str, run: dict[str, float]) -> None:
    print(f"{label:34}{run['files']:>7}{run['pages']:>8}{run['seconds']:>10.1f}{run['pages'] / run['seconds']:>10.1f}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pdf-share", type=float, default=0.6)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to measure")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each kind; the fastest is kept")
    parser.add_argument("--corpus", type=Path, help="use this folder instead of generating one")
    parser.add_argument("--scheduler", help="measure this Dask cluster instead of local clusters")
    args = parser.parse_args()
    if args.corpus is not None:
        args.corpus = args.corpus.expanduser().resolve()
        if not args.corpus.is_dir():
            parser.error(f"--corpus {args.corpus}: no such folder")

    scratch = Path(tempfile.mkdtemp(prefix="bench-distributed-"))
    try:
        corpus = make_corpus(args, scratch)
        home = scratch / "home"
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        print(f"{'':34}{'files':>7}{'pages':>8}{'seconds':>10}{'pages/s':>10}")
        for workers in args.workers:
            print_row(f"local pool, {workers} workers", best_of(args.repeat, corpus, home, workers=workers))
            if not args.scheduler:
                with local_cluster(workers) as address:
                    print_row(f"Dask LocalCluster, {workers} workers", best_of(args.repeat, corpus, home,
                                                                                scheduler=address))
        if args.scheduler:
            label = f"Dask {args.scheduler}, {cluster_threads(args.scheduler)} threads"
            print_row(label, best_of(args.repeat, corpus, home, scheduler=args.scheduler))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
