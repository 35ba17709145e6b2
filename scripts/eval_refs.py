"""Measure the treaty-reference detector on a labelled JSONL set.

Each line of the data file is ``{"text", "refs", "kind", "lang"}``, maybe with a
``note``; a line marked ``ambiguous`` (the reason) has no one correct reading and
is left out. The script
runs :func:`archive.treaties.refs_record` on every text and compares the
emitted ids with the expected ones (micro-averaged over ids per line):
precision, recall and F1 overall, per kind and per language. ``--verbose``
lists the lines that failed; ``--json`` prints the figures as JSON.

``--synthetic N`` measures instead on N documents of the synthetic generator,
whose labels were written by the generator, not by the detector's authors (a
document's pages joined are one "line"; kind ``synthetic``).

Usage: ``python scripts/eval_refs.py [--data PATH | --synthetic N] [--json] [--verbose]``
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archive.treaties import refs_record  # noqa: E402

DEFAULT_DATA = REPO / "tests" / "data" / "refs_dev.jsonl"


@dataclass
class Tally:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, expected: list[str], found: list[str]) -> None:
        self.tp += len(set(expected) & set(found))
        self.fp += len(set(found) - set(expected))
        self.fn += len(set(expected) - set(found))

    def figures(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def load_lines(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle if line.strip()]
    return [line for line in lines if not line.get("ambiguous")]


def synthetic_lines(count: int, seed: int = 3) -> list[dict]:
    """Labelled lines from the synthetic generator: each document's text and the ids it wrote into it."""
    from archive.synthetic import iter_documents

    return [{"text": "\n".join(doc.pages), "refs": list(doc.refs), "kind": "synthetic", "lang": doc.language}
            for doc in iter_documents(count, seed)]


def evaluate(lines: list[dict]) -> tuple[dict, list[dict]]:
    overall = Tally()
    by_kind: dict[str, Tally] = defaultdict(Tally)
    by_lang: dict[str, Tally] = defaultdict(Tally)
    failures = []
    for line in lines:
        found = refs_record(line["text"])["refs"]
        for tally in (overall, by_kind[line.get("kind", "?")], by_lang[line.get("lang", "?")]):
            tally.add(line["refs"], found)
        if set(found) != set(line["refs"]):
            failures.append({**line, "found": found})
    report = {
        "lines": len(lines),
        "overall": overall.figures(),
        "by_kind": {kind: t.figures() for kind, t in sorted(by_kind.items())},
        "by_lang": {lang: t.figures() for lang, t in sorted(by_lang.items())},
        "failed_lines": len(failures),
    }
    return report, failures


def print_table(report: dict) -> None:
    print(f"lines: {report['lines']}  failed: {report['failed_lines']}")
    print(f"{'':22} {'P':>7} {'R':>7} {'F1':>7} {'tp':>5} {'fp':>4} {'fn':>4}")
    rows = [("overall", report["overall"])]
    rows += [(f"kind:{k}", v) for k, v in report["by_kind"].items()]
    rows += [(f"lang:{k}", v) for k, v in report["by_lang"].items()]
    for name, f in rows:
        print(f"{name:22} {f['precision']:7.3f} {f['recall']:7.3f} {f['f1']:7.3f} "
              f"{f['tp']:5} {f['fp']:4} {f['fn']:4}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--synthetic", type=int, metavar="N", help="measure on N synthetic documents instead")
    parser.add_argument("--json", action="store_true", help="print figures as JSON")
    parser.add_argument("--verbose", action="store_true", help="list the lines that failed")
    args = parser.parse_args()
    if not args.synthetic and not args.data.is_file():
        parser.error(f"--data {args.data}: no such file (a JSON Lines file of labelled lines)")
    lines = synthetic_lines(args.synthetic) if args.synthetic else load_lines(args.data)
    report, failures = evaluate(lines)
    if args.json:
        print(json.dumps({**report, "failures": failures if args.verbose else []},
                         ensure_ascii=False, indent=1))
        return
    print_table(report)
    if args.verbose:
        for failure in failures:
            print(f"\n[{failure.get('kind')}] {failure['text']}\n  expected {failure['refs']}\n"
                  f"  found    {failure['found']}")


if __name__ == "__main__":
    main()
