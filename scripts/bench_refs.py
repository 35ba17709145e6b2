"""Time the treaty-reference detector on a large mixed text, on one core.

Builds a deterministic text of about ``--mb`` megabytes (UTF-8) from English,
Russian and Azerbaijani sentences of the kind found in mine-action reports and
legal submissions, with treaty references sprinkled sparsely, cuts it into
pages, and times :func:`archive.treaties.find_references_in_pages` against two
baselines measured in the same run: one ``re.finditer(r"\\d+")`` pass and one
``str.lower()`` of the text. Prints MB/s, the match count and the ratios.

Usage: ``python scripts/bench_refs.py [--mb N] [--page-chars N] [--json]``
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.treaties import find_references_in_pages  # noqa: E402

PROSE = (
    "Demining teams cleared {n} hectares near the village of Talish during the reporting period.",
    "The artillery shelling of the city began at {n}:30 and lasted for almost two hours.",
    "According to the agency, {n} anti-personnel mines and {n} unexploded ordnance items were found.",
    "Witnesses stated that the family was returning to their home when the explosion occurred.",
    "The report of the Secretary-General (A/76/{n}) describes the humanitarian situation in detail.",
    "Section {n} of the Criminal Code was applied by the district court in the case of the driver.",
    "The Protocol of the meeting of {n} March was signed by the heads of both delegations.",
    "Обстрел жилых кварталов продолжался всю ночь, пострадали {n} человек.",
    "Саперы обезвредили {n} противопехотных мин на окраине села.",
    "Протокол заседания комиссии был подписан всеми членами {n} апреля.",
    "Minatəmizləmə qrupları kəndin ətrafında {n} hektar ərazini təmizləyib.",
    "Atəş nəticəsində {n} ev və məktəb binası zədələnib.",
    "Nazirlər Kabinetinin qərarı ilə {n} ailəyə kompensasiya ödənilib.",
)
REFERENCES = (
    "This amounts to a grave breach under Article 147 of the Fourth Geneva Convention.",
    "The attack violated Article 51(4) and (5) of Additional Protocol I.",
    "Azerbaijan is not a party to the Ottawa Convention, but Article 5 reflects good practice.",
    "Amended Protocol II, Article 9, requires the recording of minefields.",
    "Это нарушает ст. 53 IV Женевской конвенции.",
    "Ottava Konvensiyasının 5-ci maddəsinin 1-ci bəndi on illik müddət müəyyən edir.",
    "Common Article 3 prohibits the taking of hostages.",
)


def build_text(megabytes: float, seed: int = 1949) -> str:
    """A deterministic mixed-language text of roughly ``megabytes`` MB of UTF-8."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    parts: list[str] = []
    size = 0
    while size < target:
        with_reference = rng.random() < 0.03
        sentence = rng.choice(REFERENCES) if with_reference else rng.choice(PROSE).format(n=rng.randint(2, 400))
        parts.append(sentence)
        size += len(sentence.encode("utf-8")) + 1
    return " ".join(parts)


def pages_of(text: str, page_chars: int) -> list[str]:
    return [text[i:i + page_chars] for i in range(0, len(text), page_chars)]


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="size of the text in MB (UTF-8)")
    parser.add_argument("--page-chars", type=int, default=4000, help="characters per page")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    text = build_text(args.mb)
    megabytes = len(text.encode("utf-8")) / 1_000_000
    pages = pages_of(text, args.page_chars)
    digits_time, _ = timed(lambda: sum(1 for _ in re.finditer(r"\d+", text)))
    lower_time, _ = timed(str.lower, text)
    detect_time, found = timed(find_references_in_pages, pages)
    figures = {
        "megabytes": round(megabytes, 2),
        "pages": len(pages),
        "matches": len(found),
        "seconds": round(detect_time, 3),
        "mb_per_s": round(megabytes / detect_time, 2),
        "baseline_digits_mb_per_s": round(megabytes / digits_time, 2),
        "baseline_lower_mb_per_s": round(megabytes / lower_time, 2),
        "ratio_to_digits": round(detect_time / digits_time, 2),
        "ratio_to_lower": round(detect_time / lower_time, 2),
    }
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    print(f"text: {figures['megabytes']} MB in {figures['pages']} pages; matches: {figures['matches']}")
    print(f"detector: {figures['seconds']} s = {figures['mb_per_s']} MB/s")
    print(f"baseline re.finditer(r'\\d+'): {figures['baseline_digits_mb_per_s']} MB/s "
          f"(detector takes {figures['ratio_to_digits']}x as long)")
    print(f"baseline str.lower(): {figures['baseline_lower_mb_per_s']} MB/s "
          f"(detector takes {figures['ratio_to_lower']}x as long)")


if __name__ == "__main__":
    main()
