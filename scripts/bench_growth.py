"""The growth curve: ingest, index and search at several corpus sizes, on this machine.

    python scripts/bench_growth.py --sizes 1000 10000 [--workers 2] [--queries 220] [--text-only]
    python scripts/bench_growth.py --corpus DIR [--keep HOME]   # one row, for a corpus made beforehand

For each size: generate a synthetic corpus, ingest it end to end into a fresh
archive home (in a child process, so its peak RSS is its own), then run the
search benchmark's query mix against that archive's index with page texts from
its catalog. Prints one row per size: ingest time and rate, peak RSS (writer
and largest worker), index and archive size, search p50/p95 of the full
results page. ``--corpus`` measures one corpus generated beforehand (for
100,000 documents, ``make_corpus.py`` in several processes with ``--start``,
each writing its part into a folder of its own inside the corpus folder, is
quicker than one) and ``--keep`` keeps its archive home for later runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_ingest import end_to_end, existing_dir, folder_mb, fresh_dir, positive  # noqa: E402
from bench_search import percentile, query_mix  # noqa: E402

from archive.settings import Settings  # noqa: E402
from archive.store import Archive  # noqa: E402
from archive.synthetic import write_corpus  # noqa: E402
from index import SearchRequest  # noqa: E402
from index.search import SearchIndex  # noqa: E402


def search_times(home: Path, queries: list[str]) -> list[float]:
    settings = Settings(home=home, actor="bench")
    with Archive(settings) as archive, SearchIndex(settings.index_dir, page_text=archive.page_text) as index:
        levels = ("public", "restricted", "confidential")
        for query in queries[:10]:
            index.search(SearchRequest(query=query, access=levels))
        spent = []
        for query in queries:
            began = time.perf_counter()
            index.search(SearchRequest(query=query, access=levels))
            spent.append((time.perf_counter() - began) * 1000)
    return spent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=positive, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=positive, default=2)
    parser.add_argument("--queries", type=positive, default=220)
    parser.add_argument("--text-only", action="store_true", help="no PDFs (faster to generate)")
    parser.add_argument("--corpus", type=Path, help="measure this corpus (made beforehand) instead of --sizes")
    parser.add_argument("--keep", type=Path, help="with --corpus: keep the archive home here")
    args = parser.parse_args(argv)
    if args.corpus is not None:
        args.corpus = existing_dir(args.corpus, "--corpus")
    if args.keep is not None:
        args.keep = fresh_dir(args.keep, "--keep")
    queries = query_mix(args.queries)
    rows = []
    if args.corpus:
        home = args.keep or Path(tempfile.mkdtemp(prefix="bench-growth-")) / "home"
        try:
            run = end_to_end(args.corpus, home, args.workers)
            print(f"ingested: {run}", file=sys.stderr)
            spent = search_times(home, queries)
            rows.append((run["ingested"], run["pages"], run, folder_mb(home / "whoosh"), folder_mb(home), spent))
        finally:
            if args.keep is None:
                shutil.rmtree(home.parent, ignore_errors=True)
    for size in [] if args.corpus else args.sizes:
        scratch = Path(tempfile.mkdtemp(prefix=f"bench-growth-{size}-"))
        try:
            corpus, home = scratch / "corpus", scratch / "home"
            write_corpus(corpus, size, 7, text_only=args.text_only, jobs=args.workers)
            run = end_to_end(corpus, home, args.workers)
            spent = search_times(home, queries)
            # the pages ingest read (a Markdown or HTML file is one page), as in the --corpus row and in pages/s
            rows.append((size, run["pages"], run, folder_mb(home / "whoosh"), folder_mb(home), spent))
            print(f"{size}: done", file=sys.stderr)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"workers={args.workers}, {len(queries)} queries per size")
    print(f"{'docs':>7}{'pages':>8}{'ingest s':>10}{'pages/s':>9}{'writer MB':>11}{'worker MB':>11}"
          f"{'index MB':>10}{'home MB':>9}{'p50 ms':>8}{'p95 ms':>8}")
    for size, pages, run, index_mb, home_mb, spent in rows:
        print(f"{size:>7}{pages:>8}{run['seconds']:>10.0f}{run['pages'] / run['seconds']:>9.1f}"
              f"{run['writer_rss_mb']:>11.0f}{run['worker_rss_mb']:>11.0f}{index_mb:>10.0f}{home_mb:>9.0f}"
              f"{statistics.median(spent):>8.1f}{percentile(spent, 0.95):>8.1f}")


if __name__ == "__main__":
    main()
