"""What kind of document a text is, and what it calls itself.

:func:`guess_type` sorts a document into one of :data:`DOCUMENT_TYPES` from
keywords in its title and first lines, in English, Russian and Azerbaijani
("appeal"/"обращение"/"müraciət", "witness statement"/"показания"/"şahid
ifadəsi", "mine map"/"карта минных полей"/"mina xəritələri", …). The title
counts first; the first lines only when the title says nothing. Where a line
names two types, the one it is about wins: the first keyword in English and
Russian ("Report on mine maps" is a report), the last in Azerbaijani, which
puts the head noun last ("Mina xəritələri haqqında müraciət" is an appeal).
In the first lines a keyword counts only at the start of a line or in a
short heading-like line ("The spokesman said the reports were false." is no
report). "Convention", "Protocol", "Treaty" make a treaty only at the start of a title
or line and only when no other type is named there ("Protocol of the handover
of minefield maps" is a mine map submission).

:func:`guess_title` picks the first heading-like line. Both are guesses for
documents that come without metadata; metadata given by a person wins, which is
for the caller to arrange. :func:`is_placeholder_title` tells a title the
writing program left in a file ("Microsoft Word - Document1", "Untitled
Document", "appeal_final.docx") from one a person gave it, and
:func:`is_placeholder_author` does the same for an author ("Windows User",
"Пользователь").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.analyse.dates import is_dateline, plain_line
from archive.analyse.places import fold

__all__ = ["DOCUMENT_TYPES", "guess_title", "guess_type", "is_placeholder_author", "is_placeholder_title"]

DOCUMENT_TYPES = (
    "appeal", "mine_map_submission", "testimony", "report", "treaty", "correspondence", "other",
)
TITLE_LENGTH = 200
_HEAD_LINES = 8  # lines of the text read when the title names no type
_TITLE_SEARCH_LINES = 40
_HEADING_WORDS = 12
_LINE_LIMIT = 300  # characters of a line looked at
_HEAD_CHARACTERS = 20_000


@dataclass(frozen=True)
class _Keyword:
    pattern: re.Pattern[str]
    type: str
    language: str
    title_only: bool = False  # too common in running text to count outside a title


def _keywords(type_: str, language: str, *patterns: str, title_only: bool = False) -> list[_Keyword]:
    return [
        _Keyword(re.compile(rf"(?<!\w){pattern}(?!\w)", re.MULTILINE), type_, language, title_only)
        for pattern in patterns
    ]


# Patterns meet folded text: lower case, "ı" and "İ" read as "i", "ё" as "е".
_KEYWORDS = (
    *_keywords("appeal", "en", r"appeals?", r"petition"),
    *_keywords("appeal", "ru", r"обращени[еяю]", r"воззвани[еяю]", r"призыв"),
    *_keywords("appeal", "az", r"müraciət\w*", r"çağiriş\w*"),
    *_keywords("testimony", "en", r"witness statements?", r"statements? of (?:the )?witness(?:es)?",
               r"testimon(?:y|ies)", r"affidavit", r"(?:eye)?witness accounts?",
               r"(?:protocol|record) of (?:the )?(?:interrogation|questioning|interview)"),
    *_keywords("testimony", "ru", r"показани[яей]\w*", r"протокол допроса"),
    *_keywords("testimony", "az", r"şahid ifadə\w*", r"dindirmə protokolu"),
    *_keywords("testimony", "az", r"ifadə", r"ifadəsi", title_only=True),
    *_keywords("mine_map_submission", "en", r"mine[- ]?maps?", r"minefield (?:maps?|records?|formulars?)",
               r"maps? of (?:the )?(?:minefields?|mined areas)"),
    *_keywords("mine_map_submission", "ru", r"карт\w* минн\w+ пол\w+", r"формуляр\w* минн\w+ пол\w+",
               r"карт\w* минировани\w+"),
    *_keywords("mine_map_submission", "az", r"mina xəritə\w*", r"minalanm\w+ (?:ərazi|sahə)\w* xəritə\w*",
               r"mina sahə\w* xəritə\w*"),
    *_keywords("report", "en", r"reports?", r"fact[- ]sheet"),
    *_keywords("report", "ru", r"доклад\w*", r"отчет\w*"),
    *_keywords("report", "az", r"hesabat\w*", r"məruzə\w*"),
    *_keywords("correspondence", "en", r"letters?", r"^\s*dear", r"note verbale"),
    *_keywords("correspondence", "ru", r"письм[оа]\w*", r"^\s*уважаем\w+", r"вербальн\w+ нот\w+"),
    *_keywords("correspondence", "az", r"məktub\w*", r"^\s*hörmətli", r"şifahi not\w*"),
    *_keywords("treaty", "en", r"trilateral statement"),
    *_keywords("treaty", "ru", r"трехсторонн\w+ заявлени\w+"),
    *_keywords("treaty", "az", r"üçtərəfli bəyanat\w*"),
)
_TREATY_HEADING = re.compile(
    r"^\s*(?:the\s+)?(?:convention|protocol|treaty|agreement|covenant|"
    r"конвенци\w+|протокол|договор|соглашени\w+|"
    r"konvensiya\w*|protokol\w*|müqavilə\w*|saziş\w*)(?!\w)",
    re.MULTILINE,
)


def guess_type(title: str, text: str) -> str:
    """The document type from keywords in the title, else in the first lines; "other" if none."""
    folded_title = fold((title or "")[:_LINE_LIMIT])
    chosen = _type_in_line(folded_title, in_title=True)
    if chosen:
        return chosen
    for line in _head_lines(text or ""):
        chosen = _type_in_line(fold(line), in_title=False)
        if chosen:
            return chosen
    return "other"


def _type_in_line(line: str, *, in_title: bool) -> str | None:
    anywhere = in_title or _is_short_heading(line)
    matches = [
        (match.start(), match.end() - match.start(), keyword)
        for keyword in _KEYWORDS
        if in_title or not keyword.title_only
        for match in keyword.pattern.finditer(line)
        if anywhere or match.start() == 0
    ]
    if not matches:
        return "treaty" if _TREATY_HEADING.match(line) else None
    azerbaijani = [match for match in matches if match[2].language == "az"]
    if azerbaijani:
        # Azerbaijani puts the head noun last: the last keyword names the document.
        return max(azerbaijani, key=lambda match: (match[0] + match[1], match[1]))[2].type
    return min(matches, key=lambda match: (match[0], -match[1]))[2].type


def _is_short_heading(line: str) -> bool:
    """A line of running text counts only where it reads like a heading, not a sentence."""
    return len(line.split()) <= _HEADING_WORDS and not line.rstrip().endswith((".", ",", ";"))


def _head_lines(text: str) -> list[str]:
    lines = [line.strip()[:_LINE_LIMIT] for line in text[:_HEAD_CHARACTERS].splitlines()[:_TITLE_SEARCH_LINES]]
    return [line for line in lines if line][:_HEAD_LINES]


# -- titles -----------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_PAGE_MARKER = re.compile(r"^(?:page|p\.|стр\.?|страница|səhifə|səh\.?)\s*\d", re.IGNORECASE)
_ADDRESS = re.compile(r"(?:https?://|www\.|\S+@\S+\.\w+)", re.IGNORECASE)
_MAX_HEADING = 300
_MAX_SENTENCE_WORDS = 15


def guess_title(text: str) -> str | None:
    """The first heading-like line of ``text``, trimmed to about 200 characters, or ``None``.

    Heading-like: has letters, is not a dateline, page number, address or
    salutation ("Dear Sir,"), and is not a long sentence. Among the first few
    such lines, one naming a document type ("Appeal", "Report on…") is preferred.
    """
    candidates = []
    for raw in (text or "")[:_HEAD_CHARACTERS].splitlines()[:_TITLE_SEARCH_LINES]:
        line = _SPACES.sub(" ", plain_line(raw))
        if _is_heading_like(line):
            candidates.append(line)
        if len(candidates) == 5:
            break
    if not candidates:
        return None
    typed = [line for line in candidates if _type_in_line(fold(line), in_title=True)]
    return _trim(typed[0] if typed else candidates[0])


def _is_heading_like(line: str) -> bool:
    if not line or len(line) > _MAX_HEADING:
        return False
    if sum(char.isalpha() for char in line) < 3:
        return False
    if line[-1] in ",;:" or _PAGE_MARKER.match(line) or _ADDRESS.search(line):
        return False
    if line.endswith(".") and len(line.split()) > _MAX_SENTENCE_WORDS:
        return False
    return not is_dateline(line)


# What word processors, converters and page editors write where nobody gave a title.
_PLACEHOLDER_TITLE = re.compile(
    r"""^(?:
        microsoft\s+(?:office\s+)?(?:word|excel|powerpoint)\b.*           # "Microsoft Word - Document1"
      | (?:untitled|document|doc|new\s+document|untitled\s+document|безымянный|документ|новый\s+документ
         |sənəd|adsız|слайд|slide)[\s_-]*\d*                             # "Untitled", "Документ1", "Sənəd1"
      | (?:powerpoint\s+presentation|презентация\s+powerpoint|title|заголовок|başlıq)
      | [^\n]*\.(?:docx?|rtf|odt|pdf|xlsx?|pptx?|txt|html?|tiff?|jpe?g)   # a file name: "appeal_final.docx"
      | (?:[a-z]:)?[\\/].*                                                # a path: "C:\\Users\\…", "/home/…"
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_placeholder_title(title: str) -> bool:
    """Whether ``title`` is what a program writes where nobody gave a title: "Microsoft Word - Document1",
    "Untitled", "Документ1", a file name or a path. Such a title says nothing of the document."""
    return bool(_PLACEHOLDER_TITLE.match(" ".join(title.split())))


# The account names operating systems and word processors write as a file's author.
_PLACEHOLDER_AUTHOR = re.compile(
    r"^(?:(?:windows\s+)?user\d*|admin\w*|owner|unknown|author|пользователь(?:\s+windows)?|администратор|автор"
    r"|неизвестн\w*|istifadəçi|müəllif)$",  # "İstifadəçi" too: IGNORECASE folds "İ" to "i"
    re.IGNORECASE,
)


def is_placeholder_author(author: str) -> bool:
    """Whether ``author`` is an account name a program wrote ("Windows User", "Admin", "Пользователь"), not a
    person or body that issued the document."""
    return bool(_PLACEHOLDER_AUTHOR.match(" ".join(author.split())))


def _trim(line: str) -> str:
    if len(line) <= TITLE_LENGTH:
        return line
    cut = line[:TITLE_LENGTH].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
    return cut + "…"
