"""Build ``archive/treaties/data/catalogue.json`` from the shared treaty facts.

Reads ``../shared/treaties/catalogue.json`` (names, dates, article headings)
and ``../shared/treaties/article_structure.json`` (paragraphs and lettered
sub-paragraphs), adds the Russian, Azerbaijani and French names the shared
file lacks (each marked ``"source_verified": false``), and writes the
project's own data file. The runtime reads only the built file; this script
is run by hand when the shared facts change, and its output is committed.

Decisions taken here (they are also written into the output's ``_meta``):

* an article heading that the source leaves ``null`` becomes ``""``;
* an article whose structure is ``null`` gets ``"paragraphs": null``
  (structure unknown: any paragraph is accepted by the detector);
* a recorded structure whose paragraph numbers do not start at 1 (API
  Article 90 lists only paragraphs 6 and 7) is a known parsing gap in the
  source and is treated as unknown too;
* a lettered list with a hole (CCM Article 7(1) records a-k, m, n) is a
  parsing gap of the source: the missing letters up to the last are added;
* the Geneva provisions the source records as identical in all four
  Conventions (the common articles 1-3 through ``same_number_in``, the
  others through ``corresponding_provisions_verified_by_text``) share a
  recorded structure: one whose structure is ``null`` takes the structure
  recorded for another (common Article 3 under GC-COMMON, GCIV Article 146),
  so that "Article 3(1)(e) GCIV" is diagnosed like "common Article 3(1)(e)".

Usage: ``python scripts/build_catalogue.py [--shared DIR] [--out PATH]``
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO.parent / "shared" / "treaties"
DEFAULT_OUT = REPO / "archive" / "treaties" / "data" / "catalogue.json"

ORDER = (
    "GCI", "GCII", "GCIII", "GCIV", "GC-COMMON", "API", "APII",
    "APMBC", "CCM", "CCW-APII-1996", "CCW-PIII",
)

SHORT_NAME = {
    "GCI": "First Geneva Convention",
    "GCII": "Second Geneva Convention",
    "GCIII": "Third Geneva Convention",
    "GCIV": "Fourth Geneva Convention",
    "GC-COMMON": "Articles common to the Geneva Conventions",
    "API": "Additional Protocol I",
    "APII": "Additional Protocol II",
    "APMBC": "Ottawa Convention",
    "CCM": "Convention on Cluster Munitions",
    "CCW-APII-1996": "Amended Protocol II",
    "CCW-PIII": "Protocol III",
}

# Standard names in other languages that the shared file lacks. None of these
# was checked against an official source in this project: all are unverified.
EXTRA_NAMES: dict[str, dict[str, list[str]]] = {
    "GCI": {
        "ru": [
            "Женевская конвенция об улучшении участи раненых и больных "
            "в действующих армиях",
            "Первая Женевская конвенция",
        ],
        "az": ["Birinci Cenevrə Konvensiyası"],
        "fr": [
            "Convention de Genève pour l'amélioration du sort des blessés et "
            "des malades dans les forces armées en campagne",
            "Première Convention de Genève",
        ],
    },
    "GCII": {
        "ru": [
            "Женевская конвенция об улучшении участи раненых, больных и лиц, "
            "потерпевших кораблекрушение, из состава вооруженных сил на море",
            "Вторая Женевская конвенция",
        ],
        "az": ["İkinci Cenevrə Konvensiyası"],
        "fr": [
            "Convention de Genève pour l'amélioration du sort des blessés, des "
            "malades et des naufragés des forces armées sur mer",
            "Deuxième Convention de Genève",
        ],
    },
    "GCIII": {
        "ru": [
            "Женевская конвенция об обращении с военнопленными",
            "Третья Женевская конвенция",
        ],
        "az": [
            "Üçüncü Cenevrə Konvensiyası",
            "Hərbi əsirlərlə rəftar haqqında Cenevrə Konvensiyası",
        ],
        "fr": [
            "Convention de Genève relative au traitement des prisonniers de guerre",
            "Troisième Convention de Genève",
        ],
    },
    "GCIV": {
        "fr": [
            "Convention de Genève relative à la protection des personnes "
            "civiles en temps de guerre",
            "Quatrième Convention de Genève",
        ],
    },
    "GC-COMMON": {
        "ru": ["общая статья 3 Женевских конвенций"],
        "az": ["Cenevrə Konvensiyalarının ümumi 3-cü maddəsi"],
        "fr": ["article 3 commun aux Conventions de Genève"],
    },
    "API": {
        "ru": [
            "Дополнительный протокол к Женевским конвенциям от 12 августа "
            "1949 года, касающийся защиты жертв международных вооруженных "
            "конфликтов (Протокол I)",
            "Дополнительный протокол I",
        ],
        "az": ["Cenevrə Konvensiyalarına Əlavə I Protokol", "Əlavə Protokol I"],
        "fr": [
            "Protocole additionnel aux Conventions de Genève du 12 août 1949 "
            "relatif à la protection des victimes des conflits armés "
            "internationaux (Protocole I)",
            "Protocole additionnel I",
        ],
    },
    "APII": {
        "ru": [
            "Дополнительный протокол к Женевским конвенциям от 12 августа "
            "1949 года, касающийся защиты жертв вооруженных конфликтов "
            "немеждународного характера (Протокол II)",
            "Дополнительный протокол II",
        ],
        "az": ["Cenevrə Konvensiyalarına Əlavə II Protokol", "Əlavə Protokol II"],
        "fr": [
            "Protocole additionnel aux Conventions de Genève du 12 août 1949 "
            "relatif à la protection des victimes des conflits armés non "
            "internationaux (Protocole II)",
            "Protocole additionnel II",
        ],
    },
    "APMBC": {
        "az": [
            "Piyada əleyhinə minaların istifadəsinin, ehtiyatlarının "
            "yığılmasının, istehsalının və ötürülməsinin qadağan edilməsi və "
            "onların məhv edilməsi haqqında Konvensiya",
        ],
        "fr": [
            "Convention sur l'interdiction de l'emploi, du stockage, de la "
            "production et du transfert des mines antipersonnel et sur leur "
            "destruction",
            "Convention d'Ottawa",
        ],
    },
    "CCM": {
        "fr": ["Convention sur les armes à sous-munitions"],
    },
    "CCW-APII-1996": {
        "ru": [
            "Протокол о запрещении или ограничении применения мин, "
            "мин-ловушек и других устройств с поправками, внесенными "
            "3 мая 1996 года (Протокол II с поправками, внесенными "
            "3 мая 1996 года)",
            "Протокол II с поправками",
        ],
        "az": ["Düzəlişli II Protokol"],
        "fr": [
            "Protocole sur l'interdiction ou la limitation de l'emploi des "
            "mines, pièges et autres dispositifs, tel qu'il a été modifié le "
            "3 mai 1996 (Protocole II, tel qu'il a été modifié le 3 mai 1996)",
            "Protocole II modifié",
        ],
    },
    "CCW-PIII": {
        "ru": [
            "Протокол о запрещении или ограничении применения зажигательного "
            "оружия (Протокол III)",
        ],
        "az": ["Yandırıcı silahlar haqqında III Protokol"],
        "fr": [
            "Protocole sur l'interdiction ou la limitation de l'emploi des "
            "armes incendiaires (Protocole III)",
        ],
    },
}


def clean_abbreviation(raw: str) -> str:
    """Drop the source's explanatory parentheses: 'APII (CCW usage; ...)' -> 'APII'."""
    return raw.split(" (")[0].strip()


def clean_short_name(raw: str) -> str:
    """Drop usage notes such as 'Dublin Convention (rare)'."""
    return raw.removesuffix(" (rare)").strip()


def english_names(source: dict[str, Any]) -> list[dict[str, Any]]:
    names = [{"name": source["full_name"], "source_verified": True}]
    notes = source.get("names_sources", {})
    unverified_keys = [k for k, v in notes.items() if "unverified" in str(v)]
    for raw in source.get("short_names", []):
        name = clean_short_name(raw)
        doubtful = any(name in key or key.split(" / ")[0] in name for key in unverified_keys)
        names.append({"name": name, "source_verified": not doubtful})
    if source.get("official_name_icrc"):
        names.append({"name": source["official_name_icrc"], "source_verified": True})
    unique = {entry["name"]: entry for entry in reversed(names)}
    return [unique[name] for name in dict.fromkeys(entry["name"] for entry in names)]


def other_names(instrument_id: str, source: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {"ru": [], "az": [], "fr": []}
    for lang, entries in source.get("other_language_names", {}).items():
        for entry in entries:
            result.setdefault(lang, []).append(
                {"name": entry["name"], "source_verified": bool(entry.get("source_verified"))}
            )
    for lang, names in EXTRA_NAMES.get(instrument_id, {}).items():
        known = {entry["name"] for entry in result[lang]}
        result[lang].extend(
            {"name": name, "source_verified": False} for name in names if name not in known
        )
    return result


def paragraph_structure(raw: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
    """Return the recorded structure, or None when it is unknown or incomplete."""
    if raw is None:
        return None
    if raw and "1" not in raw:
        return None
    return {number: _fill_letter_gaps(list(subs)) for number, subs in raw.items()}


def _fill_letter_gaps(subs: list[str]) -> list[str]:
    """['a', 'b', 'm'] -> ['a', 'b', ..., 'm']: a lettered list has no holes."""
    if not subs or not all(len(s) == 1 and "a" <= s <= "z" for s in subs):
        return subs
    return [chr(c) for c in range(ord("a"), ord(max(subs)) + 1)]


def identical_provisions(catalogue: dict[str, Any]) -> list[list[tuple[str, int]]]:
    """Groups of (instrument, article) that the source records as the same provision."""
    groups: list[list[tuple[str, int]]] = []
    for article in catalogue.get("GC-COMMON", {}).get("articles", []):
        same = article.get("same_number_in") or {}
        groups.append([("GC-COMMON", article["number"]), *sorted(same.items())])
    for row in catalogue.get("GC-COMMON", {}).get("corresponding_provisions_verified_by_text", []):
        groups.append(sorted((k, v) for k, v in row.items() if k != "subject"))
    return groups


def shared_structure(catalogue: dict[str, Any], structure: dict[str, Any]) -> dict[str, Any]:
    """``structure`` with null entries filled from an identical provision that has one."""
    filled = {key: dict(value) if isinstance(value, dict) else value for key, value in structure.items()}
    for group in identical_provisions(catalogue):
        known = [structure.get(i, {}).get(str(n)) for i, n in group]
        known = [k for k in known if k is not None and paragraph_structure(k) is not None]
        if not known:
            continue
        for instrument_id, number in group:
            entries = filled.setdefault(instrument_id, {})
            if entries.get(str(number)) is None:
                entries[str(number)] = known[0]
    return filled


def build_articles(source: dict[str, Any], structure: dict[str, Any]) -> list[dict[str, Any]]:
    articles = []
    for article in source.get("articles", []):
        number = article["number"]
        entry: dict[str, Any] = {
            "number": number,
            "heading": article.get("title") or "",
            "heading_verified": bool(article.get("source_verified")) and bool(article.get("title")),
            "paragraphs": paragraph_structure(structure.get(str(number))),
        }
        if article.get("same_number_in"):
            entry["same_number_in"] = article["same_number_in"]
        articles.append(entry)
    return articles


def build_instrument(
    instrument_id: str, source: dict[str, Any], structure: dict[str, Any]
) -> dict[str, Any]:
    articles = build_articles(source, structure)
    names = {"en": english_names(source), **other_names(instrument_id, source)}
    return {
        "id": instrument_id,
        "full_name": source["full_name"],
        "short_name": SHORT_NAME[instrument_id],
        "names": names,
        "abbreviations": [clean_abbreviation(a) for a in source.get("abbreviations", [])],
        "adopted": source["adopted"],
        "in_force": source["in_force"],
        "article_count": source.get("article_count", len(articles)),
        "articles": articles,
        "notes": {
            key: source[key]
            for key in ("ambiguity_note", "heading_note", "id_convention", "parent_treaty")
            if key in source
        },
    }


def build(shared: Path) -> dict[str, Any]:
    catalogue = json.loads((shared / "catalogue.json").read_text(encoding="utf-8"))
    structure = shared_structure(
        catalogue, json.loads((shared / "article_structure.json").read_text(encoding="utf-8"))
    )
    instruments = [
        build_instrument(key, catalogue[key], structure.get(key, {})) for key in ORDER
    ]
    return {
        "_meta": {
            "built_from": ["shared/treaties/catalogue.json", "shared/treaties/article_structure.json"],
            "sources": catalogue["_meta"]["sources"],
            "conventions": {
                **catalogue["_meta"]["conventions"],
                "heading": "empty string = heading unknown or unverified (label shows 'Article N')",
                "paragraphs": "null = structure not recorded (any paragraph accepted); "
                "{} = article has no numbered paragraphs; a recorded structure "
                "not starting at paragraph 1 is treated as not recorded; a Geneva provision "
                "recorded as identical in the four Conventions shares its recorded structure",
                "names": "source_verified false = standard name added without a checked source",
            },
            "structure_note": structure.get("_note", ""),
            "gc_structure_evidence": structure.get("_gc_evidence", {}),
        },
        "instruments": instruments,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    data = build(args.shared)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
