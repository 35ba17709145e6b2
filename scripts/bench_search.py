"""Benchmark: the full results page against plain Whoosh ``groupedby`` facets, on the same index.

    python scripts/bench_search.py --docs 100000 [--index DIR] [--queries 240] [--reuse]
    python scripts/bench_search.py --home HOME [--queries 240]   # an archive's own index and catalog

Builds an index of ``--docs`` synthetic documents straight from the
generator (no catalog: page texts for snippets are regenerated on demand,
which is what a catalog lookup would cost at most), then runs a fixed mix of
queries (single words, phrases, boolean, article and date filters, broad and
narrow) twice per query:

* archive: ``SearchIndex.search`` (query, every facet count, highlighted page
  snippets for the top 10);
* baseline: plain Whoosh on the same index and searcher: the parsed query with
  ``groupedby`` over the same facets (``FieldFacet``, overlapping for
  multi-valued fields) and ``hit.highlights`` of the top 10 documents' text.

Prints p50/p95/max for both, their ratio, index build time and size. With
``--home`` both run on an existing archive (for instance one that
``bench_growth.py --keep`` ingested end to end), page texts from its catalog.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_ingest import fresh_dir, positive  # noqa: E402
from whoosh import sorting  # noqa: E402

from archive.models import Document, Metadata, Page, Reference  # noqa: E402
from archive.synthetic import generate_document, iter_documents  # noqa: E402
from index import SearchRequest  # noqa: E402
from index.schema import FACET_FIELDS, MULTI_VALUED  # noqa: E402
from index.search import SearchIndex, page_texts  # noqa: E402

SEED = 11


def as_document(synthetic) -> tuple[Document, list[Page], list[Reference]]:
    doc_id = f"{synthetic.index:016x}"
    meta = Metadata(title=synthetic.title, type=synthetic.type, date=synthetic.date, issuer=synthetic.issuer,
                    languages=(synthetic.language,), places=synthetic.places, access=synthetic.access,
                    synthetic=True)
    document = Document(id=doc_id, sha256=doc_id * 4, control_number=f"SYN-{synthetic.index + 1:06d}",
                        original_name=synthetic.name, media_type="text/plain", size=0,
                        page_count=len(synthetic.pages), metadata=meta, ingested_at="")
    pages = [Page(number, text) for number, text in enumerate(synthetic.pages, 1)]
    references = [Reference(ref_id, 1, 0, 0, "") for ref_id in synthetic.refs]
    return document, pages, references


def build(directory: Path, docs: int, report_every: int = 5000) -> float:
    """One bulk writer for the whole load, as ``evidence reindex`` does: no merges on the way."""
    began = time.perf_counter()
    with SearchIndex(directory) as search_index, search_index.writer(bulk=True) as writer:
        for done, synthetic in enumerate(iter_documents(docs, SEED), 1):
            writer.add(*as_document(synthetic), replace=False)
            if done % report_every == 0:
                print(f"  added {done} documents, {time.perf_counter() - began:.0f} s", file=sys.stderr)
    return time.perf_counter() - began


@lru_cache(maxsize=2048)
def _pages(index: int) -> tuple[str, ...]:
    return generate_document(index, SEED).pages


def page_text(doc_id: str, number: int) -> str | None:
    pages = _pages(int(doc_id, 16))
    return pages[number - 1] if 0 < number <= len(pages) else None


def document_text(search_index: SearchIndex, doc_id: str) -> str:
    """A document's whole text, from the same source the archive's snippets use."""
    return "\n".join(page_texts(search_index.page_text, doc_id))


def query_mix(count: int) -> list[str]:
    """A fixed, varied mix of queries drawn from the generator's own texts and labels."""
    rng = random.Random(5)
    words, phrases = [], []
    for synthetic in iter_documents(300, SEED + 1):
        tokens = [t.strip(".,;:()«»\"'") for t in synthetic.pages[0].split()]
        tokens = [t for t in tokens if len(t) > 3 and t.isalpha()]
        words += tokens
        phrases += [f'"{a} {b}"' for a, b in zip(tokens, tokens[1:], strict=False)]
    broad = ["mine", "mines", "clearance", "civilians", "report", "мины", "minalar", "Shusha", "Aghdam"]
    articles = ["GCIV-147", "GCIV-49", "GCIV-53", "APMBC-5", "APMBC-1", "API-51", "CCM-1", "GC-COMMON-3"]
    kinds = [
        lambda: rng.choice(words),
        lambda: rng.choice(broad),
        lambda: rng.choice(phrases),
        lambda: f"{rng.choice(words)} AND {rng.choice(words)}",
        lambda: f"{rng.choice(broad)} OR {rng.choice(words)}",
        lambda: f"{rng.choice(broad)} NOT {rng.choice(words)}",
        lambda: f"article:{rng.choice(articles)}",
        lambda: f"{rng.choice(broad)} article:{rng.choice(articles)}",
        lambda: f"instrument:{rng.choice(['GCIV', 'APMBC', 'CCM', 'API'])} date:[{rng.randint(1995, 2015)} TO 2026]",
        lambda: f"{rng.choice(words)} date:>{rng.randint(2000, 2024)}",
        lambda: f"type:{rng.choice(['report', 'testimony', 'appeal'])} {rng.choice(broad)}",
    ]
    return [kinds[i % len(kinds)]() for i in range(count)]


def run_archive(search_index: SearchIndex, query: str) -> tuple[float, int]:
    began = time.perf_counter()
    results = search_index.search(SearchRequest(query=query, limit=10, access=("public", "restricted",
                                                                                "confidential")))
    return time.perf_counter() - began, results.total


class _Overlapping(sorting.OverlappingCategorizer):
    """Whoosh's own, minus its crash on a document without a vector for the field."""

    def keys_for(self, matcher, docid):
        searcher = self._segment_searcher
        if not searcher.reader().has_vector(docid, self._fieldname):
            return []
        return list(searcher.vector(docid, self._fieldname).all_ids())


class OverlappingFacet(sorting.FieldFacet):
    def __init__(self, fieldname: str) -> None:
        super().__init__(fieldname, allow_overlap=True)

    def categorizer(self, global_searcher):
        return _Overlapping(global_searcher, self.fieldname)


def run_baseline(search_index: SearchIndex, query: str) -> tuple[float, int]:
    """Plain Whoosh: parse, search with groupedby facets, highlight the top 10 from their text."""
    from whoosh import highlight
    from whoosh import query as wq

    from index.query import parse_user_query

    began = time.perf_counter()
    searcher = search_index.searcher()
    parsed = parse_user_query(search_index._parser, query)
    facets = {name: sorting.FieldFacet(name) for name in FACET_FIELDS if name not in MULTI_VALUED}
    facets.update({name: OverlappingFacet(name) for name in FACET_FIELDS if name in MULTI_VALUED})
    results = searcher.search(parsed, filter=wq.Term("kind", "doc"), limit=10, groupedby=facets,
                              maptype=sorting.Count)
    results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
    for hit in results:
        hit.highlights("body", text=document_text(search_index, hit["doc_id"]), top=3)
    for name in facets:
        results.groups(name)
    total = len(results.docs())  # the exact count: len(results) undercounts limited searches with NOT or ranges
    return time.perf_counter() - began, total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=positive, default=100_000)
    parser.add_argument("--queries", type=positive, default=220)
    parser.add_argument("--index", type=Path, help="keep the index here (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="search an index already built in --index")
    parser.add_argument("--home", type=Path, help="search this archive's index, page texts from its catalog")
    parser.add_argument("--baseline-every", type=positive, default=1, metavar="N",
                        help="run the (slow) baseline on every Nth query only")
    args = parser.parse_args(argv)
    if args.index is not None and not args.reuse and not args.home:
        args.index = fresh_dir(args.index, "--index")
    scratch = None
    if args.home:
        from archive.errors import ArchiveError
        from archive.settings import Settings
        from archive.store import Archive

        settings = Settings(home=args.home, actor="bench")
        try:
            archive = Archive(settings, create=False)
        except ArchiveError as error:
            raise SystemExit(f"--home: {error}") from None
        directory, texts, args.reuse = settings.index_dir, archive.page_text, True
        args.docs = archive.count_documents()
    elif args.index is not None:
        directory, texts = args.index, page_text
    else:
        scratch = Path(tempfile.mkdtemp(prefix="bench-search-"))
        directory, texts = scratch / "ix", page_text
    try:
        seconds = float("nan") if args.reuse else build(directory, args.docs)
        size = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 1e6
        queries = query_mix(args.queries)
        with SearchIndex(directory, create=False, page_text=texts) as search_index:
            for query in queries[:10]:  # warm the searcher and caches the way a running server has them
                run_archive(search_index, query)
            run_baseline(search_index, queries[0])
            ours, theirs, paired, mismatches = [], [], [], 0
            for number, query in enumerate(queries):
                spent, total = run_archive(search_index, query)
                ours.append(spent * 1000)
                if number % args.baseline_every == 0:
                    base_spent, base_total = run_baseline(search_index, query)
                    theirs.append(base_spent * 1000)
                    paired.append(spent * 1000)
                    mismatches += total != base_total
        print(f"documents {args.docs}, index build {seconds:.0f} s, index size {size:.0f} MB, {len(queries)} queries")
        print(f"{'':36}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
        rows = [("archive", ours), (f"archive, the {len(paired)} baseline queries", paired), ("baseline", theirs)]
        for name, values in rows:
            print(f"{name:36}{statistics.median(values):>10.1f}{percentile(values, 0.95):>10.1f}{max(values):>10.1f}")
        print(f"same queries, p95 baseline / archive: {percentile(theirs, 0.95) / percentile(paired, 0.95):.2f}x; "
              f"p50: {statistics.median(theirs) / statistics.median(paired):.2f}x; "
              f"hit-count mismatches: {mismatches} of {len(paired)}")
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
