"""Write a synthetic, labelled evidence corpus to a directory.

    python scripts/make_corpus.py --docs 1000 --seed 7 OUT/
    python scripts/make_corpus.py --docs 100000 --seed 1 --text-only OUT/
    python scripts/make_corpus.py --docs 200 --seed 3 --with-bad --jobs 4 OUT/

    python scripts/make_corpus.py --docs 50000 --seed 7 OUT/part-1/ &
    python scripts/make_corpus.py --docs 50000 --seed 7 --start 50000 OUT/part-2/   # then ingest OUT/

A thin command line over :func:`archive.synthetic.write_corpus`: documents are
generated and written one at a time, so memory stays flat however many are
asked for, and the same ``--docs``/``--seed`` always give byte-identical files.
OUT must be missing or empty: written into a folder that already held a corpus,
a run with other arguments left a mix of the two (other documents under the
same numbers, and the old ones beyond the new ``--docs``) that passed for one.
A corpus made in parts (``--start``) puts each part in a folder of its own.
What the documents contain, and how they are labelled, is defined in
:mod:`archive.synthetic`. This script is the one place that reads
``ARCHIVE_FONT_DIR`` (the DejaVu font directory for PDFs).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from archive import synthetic  # noqa: E402


def _share(value: str) -> float:
    share = float(value)
    if not 0.0 <= share <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return share


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="output directory (created if missing)")
    parser.add_argument("--docs", type=int, required=True, help="number of documents")
    parser.add_argument("--seed", default="0", help="corpus seed (default 0)")
    parser.add_argument("--start", type=int, default=0, help="index of the first document (default 0)")
    parser.add_argument("--pdf-share", type=_share, default=synthetic.DEFAULT_PDF_SHARE,
                        help="fraction of documents written as PDF (default 0.6)")
    parser.add_argument("--text-only", action="store_true", help="write no PDFs (would-be PDFs become .txt); fast")
    parser.add_argument("--with-bad", action="store_true",
                        help="also write deliberately broken files to OUT/bad/ (truncated, empty, encrypted, ...)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--font-dir", default=os.environ.get("ARCHIVE_FONT_DIR"),
                        help=f"DejaVu font directory (default $ARCHIVE_FONT_DIR or {synthetic.DEFAULT_FONT_DIR})")
    return parser


def _seed(value: str) -> int | str:
    return int(value) if value.lstrip("-").isdigit() else value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.docs < 0:
        print("--docs must be 0 or more", file=sys.stderr)
        return 2
    if args.out.exists() and not args.out.is_dir():
        print(f"{args.out}: exists and is not a folder; name a folder for the corpus", file=sys.stderr)
        return 2
    if args.out.is_dir() and any(args.out.iterdir()):
        print(f"{args.out}: already holds files, and the corpus would be mixed with them; name a new or empty folder "
              "(a corpus made in parts with --start: a folder for each part, such as OUT/part-2, and ingest OUT)",
              file=sys.stderr)
        return 2
    try:
        summary = synthetic.write_corpus(
            args.out, args.docs, _seed(args.seed), start=args.start, pdf_share=args.pdf_share,
            text_only=args.text_only, with_bad=args.with_bad, font_dir=args.font_dir, jobs=args.jobs,
        )
    except synthetic.FontNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    rate = summary.documents / summary.seconds if summary.seconds else 0.0
    print(
        f"{summary.documents} documents, {summary.files} files, {summary.pages} pages, "
        f"{summary.bytes:,} bytes in {summary.seconds:.1f} s ({rate:.0f} docs/s) -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
