"""Speed of the full-text analyzer against the plain English one it replaced.

Analyses a few MB of mixed English, Russian and Azerbaijani text (words drawn
from sample paragraphs and a Zipf-distributed tail of rarer words, so the
vocabulary looks like a real corpus) with both analyzers, as indexing does
(``mode="index"``, positions on) and as queries do, and prints words per
second, tokens emitted and the ratio. Usage::

    .venv/bin/python scripts/bench_analysis.py [--mb 4] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter  # noqa: E402
from whoosh.support.charset import accent_map  # noqa: E402

from index.analysis import WORD, text_analyzer  # noqa: E402

ENGLISH = """During approximately 30 years of occupation the territories were heavily mined. After the end of the
war on November 10, 2020, 208 people were killed by landmines near Shusha, Aghdam, Fuzuli and Khojaly. Civilians were
killed by landmines while returning home. Such conduct is a grave breach under Article 147 of the Fourth Geneva
Convention. The mine problem delays the reconstruction and rehabilitation processes in the liberated territories of
Tartar, Barda and Ganja, where rocket and artillery attacks on civilians used cluster munitions (GCIV-147, 49(6))."""
RUSSIAN = """В результате обстрела города Тертер и села в Агдамском районе погибли мирные жители. Минная опасность в
Шуше, Физули и Ходжалы сохраняется: за годы оккупации территории были заминированы, карты минных полей не переданы.
Мины и неразорвавшиеся снаряды убили и ранили сотни людей после окончания войны. Гянджа и Барда подверглись
ракетным ударам, применялись кассетные боеприпасы, что является нарушением международного гуманитарного права."""
AZERBAIJANI = """Şuşada və Ağdamın kəndlərində minalar aşkar edilib. Füzulidə mülki əhali minaların qurbanı olub.
Xocalı soyqırımı və Tərtər rayonunun atəşə tutulması beynəlxalq hüququn kobud pozulmasıdır. Gəncə və Bərdə
şəhərlərinə raket zərbələri endirilib, kasetli sursatlardan istifadə olunub. Minalardan təmizlənmə işləri davam edir."""

SUFFIXES = ("", "s", "ed", "ing", "lar", "ları", "da", "də", "ов", "ами", "ом", "ский", "ная")


def placeholder_analyzer() -> Analyzer:
    return RegexTokenizer(WORD) | LowercaseFilter() | CharsetFilter(accent_map) | StemFilter(lang="en", cachesize=50000)


def mixed_text(megabytes: float, seed: int) -> str:
    rng = random.Random(seed)
    common = (ENGLISH + " " + RUSSIAN + " " + AZERBAIJANI).split()
    rare_roots = [word.strip(".,:()") for word in common if len(word) > 4]
    words: list[str] = []
    size = 0
    while size < megabytes * 1_000_000:
        if rng.random() < 0.85:
            word = rng.choice(common)
        else:  # the long tail: a root, a suffix and a Zipf-distributed number make words seen once or twice
            word = rng.choice(rare_roots) + rng.choice(SUFFIXES) + str(int(rng.paretovariate(1.0)))
        words.append(word)
        size += len(word.encode()) + 1
    return " ".join(words)


def run(analyzer: Analyzer, text: str, mode: str) -> tuple[float, int]:
    """Seconds taken and tokens emitted analysing ``text`` in 3.5 KB documents."""
    documents = [text[i:i + 3500] for i in range(0, len(text), 3500)]
    tokens = 0
    started = time.perf_counter()
    for document in documents:
        for _ in analyzer(document, positions=True, mode=mode):
            tokens += 1
    return time.perf_counter() - started, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    text = mixed_text(args.mb, args.seed)
    words = sum(1 for _ in RegexTokenizer(WORD)(text))
    print(f"{len(text.encode()) / 1e6:.1f} MB, {words} words")
    for mode in ("index", "query"):
        base_seconds, base_tokens = run(placeholder_analyzer(), text, mode)
        new_seconds, new_tokens = run(text_analyzer(), text, mode)
        print(f"{mode:5}  placeholder {words / base_seconds:>10,.0f} words/s ({base_tokens} tokens)   "
              f"multilingual {words / new_seconds:>10,.0f} words/s ({new_tokens} tokens)   "
              f"time ratio {new_seconds / base_seconds:.2f}")


if __name__ == "__main__":
    main()
