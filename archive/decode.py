"""Bytes to text for plain-text and HTML files, and HTML to its visible text.

:func:`decode_text` finds the encoding of a text file without being told:
a byte-order mark (UTF-8, UTF-16, UTF-32), then UTF-16 without a mark when
the NUL bytes fall on every other byte, then UTF-8, then the legacy 8-bit
encodings the archive's sources use. Russian text in Windows-1251, KOI8-R or
DOS 866 is told apart by how Russian the decoded letters look (letter
frequencies, and real text being mostly lower case). Other 8-bit text is
Windows-1254 (Turkish/Azerbaijani letters), Windows-1252, or at last Latin-1,
always recorded as such. Binary data (NUL bytes that are not UTF-16, control
characters, known file signatures) and empty input raise :class:`DecodeError`.

:func:`html_to_text`, :func:`html_title` and :func:`html_meta` read an HTML
document with the standard library's parser: the visible text with block
elements on their own lines (and the lines of ``<pre>`` kept), the ``<title>``, and the ``<meta>`` tags.
:func:`decode_html` honours a ``<meta charset>`` before guessing, unless it
declares a Western or Cyrillic code page and the bytes are Russian in another.

Splitting text into pages and deciding what it means is left to
:mod:`archive.extract` and :mod:`archive.analyse`.
"""

from __future__ import annotations

import codecs
import math
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from archive.errors import ArchiveError

__all__ = [
    "DecodeError",
    "DecodedText",
    "decode_html",
    "decode_text",
    "html_meta",
    "html_title",
    "html_to_text",
]


class DecodeError(ArchiveError):
    """Bytes that are not text in any encoding the archive reads."""

    status = 422

    def __init__(self, reason: str) -> None:
        super().__init__(f"not a text file: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class DecodedText:
    """Text and the encoding it was read with; ``replaced`` counts undecodable bytes replaced by U+FFFD."""

    text: str
    encoding: str
    replaced: int = 0


# -- decoding -----------------------------------------------------------------------------

_SAMPLE = 64 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/ODF document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)
_TEXT_CONTROLS = frozenset(b"\t\n\v\f\r\x1a\x1b")
_NOT_CONTROL_BYTES = bytes(byte for byte in range(256) if byte >= 0x20 or byte in _TEXT_CONTROLS)
_ASCII_BYTES = bytes(range(0x80))
_HIGH_BYTE_RUN = re.compile(rb"[\x80-\xff]{2,}")
_SCORING_SAMPLE = 16 * 1024
_MAX_CONTROL_SHARE = 0.05  # of the sample's bytes, for text in an 8-bit or UTF-8 encoding
_MAX_UTF8_ERROR_SHARE = 0.02  # of the non-ASCII characters, before UTF-8 is given up

# Russian letter frequencies (per cent of letters), for telling the Cyrillic code pages apart.
_RUSSIAN_FREQUENCIES = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47, "р": 4.73,
    "в": 4.54, "л": 4.40, "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81, "у": 2.62, "я": 2.01,
    "ы": 1.90, "ь": 1.74, "г": 1.70, "з": 1.65, "б": 1.59, "ч": 1.44, "й": 1.21, "х": 0.97,
    "ж": 0.94, "ш": 0.73, "ю": 0.64, "ц": 0.48, "щ": 0.36, "э": 0.32, "ф": 0.26, "ъ": 0.04,
    "ё": 0.04, "і": 0.05, "ї": 0.01, "є": 0.01, "ґ": 0.01,
}
_LOG_FREQUENCY = {letter: math.log(share / 100) for letter, share in _RUSSIAN_FREQUENCIES.items()}
_LOG_NOT_A_LETTER = math.log(1e-5)
_CYRILLIC_CODE_PAGES = ("cp1251", "koi8-r", "cp866")
_TURKISH_BYTES = frozenset(b"\xd0\xdd\xde\xf0\xfd\xfe")  # Ğ İ Ş ğ ı ş in Windows-1254


def decode_text(data: bytes) -> DecodedText:
    """Decode the bytes of a text file, guessing the encoding; :class:`DecodeError` if it is not text."""
    if not data:
        raise DecodeError("file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom) and _bom_is_plausible(data[len(bom):], encoding):
            return _decode(data[len(bom):], encoding)
    _refuse_known_binary(data)
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        encoding = _utf16_without_bom(sample)
        if encoding is None:
            raise DecodeError(f"binary data: {sample.count(0)} NUL bytes in the first {len(sample)} bytes")
        return _decode(data, encoding)
    _refuse_control_bytes(sample)
    utf8 = _as_utf8(data)
    if utf8 is not None:
        return utf8
    return _decode(data, _guess_8bit(sample))


_NOT_LOW_CONTROL = bytes(b for b in range(256) if b >= 0x20 or b in b"\t\n\r")


def _bom_is_plausible(rest: bytes, encoding: str) -> bool:
    """Whether a UTF-16/32 byte-order mark really is one.

    ``FE FF`` and ``FF FE`` are also "юя" and "яю" in Windows-1251. 8-bit text
    never holds bytes below 0x20 other than tab, line feed and carriage
    return; UTF-16 and UTF-32 text almost always does (every character below
    U+2000 has such a byte). Without that evidence, the mark is believed only
    if the text decodes cleanly into mostly alphabetic-script letters.
    """
    if encoding == "utf-8-sig":
        return True
    unit = 4 if encoding.startswith("utf-32") else 2
    if not rest or len(rest) % unit:
        return False
    sample = rest[:_SAMPLE - _SAMPLE % unit]
    try:
        decoded = sample.decode(encoding)
    except UnicodeDecodeError:
        return False
    if sample.translate(None, _NOT_LOW_CONTROL):
        return True
    alphabetic = sum(1 for char in decoded if char < "\u0530" or char.isspace())
    return alphabetic >= len(decoded) / 2


def _refuse_known_binary(data: bytes) -> None:
    for signature, description in _SIGNATURES:
        if data.startswith(signature):
            raise DecodeError(f"binary data: looks like {description}")


def _refuse_control_bytes(sample: bytes) -> None:
    controls = len(sample.translate(None, _NOT_CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise DecodeError(f"binary data: {controls} control bytes in the first {len(sample)} bytes")


def _decode(data: bytes, encoding: str) -> DecodedText:
    try:
        return DecodedText(data.decode(encoding), encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        return DecodedText(text, encoding, replaced=text.count("\ufffd") - _count_fffd(data, encoding))


def _count_fffd(data: bytes, encoding: str) -> int:
    """U+FFFD characters that were already in the data (not replacements)."""
    marker = "\ufffd".encode(encoding, errors="ignore")
    return data.count(marker) if marker else 0


def _utf16_without_bom(sample: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when NULs fill one byte of each pair and decoding gives text."""
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0) / max(len(even), 1), odd.count(0) / max(len(odd), 1)
    if nul_odd >= 0.1 and nul_even <= 0.01:
        encoding = "utf-16-le"
    elif nul_even >= 0.1 and nul_odd <= 0.01:
        encoding = "utf-16-be"
    else:
        return None
    text = sample[: len(sample) // 2 * 2].decode(encoding, errors="replace")
    printable = sum(1 for char in text if char.isprintable() or char in "\t\n\r\f")
    return encoding if printable >= 0.95 * len(text) else None


def _as_utf8(data: bytes) -> DecodedText | None:
    """The data as UTF-8, if it is UTF-8 (a few broken sequences are replaced and counted)."""
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore")) - replaced
    if non_ascii >= 20 and replaced <= _MAX_UTF8_ERROR_SHARE * non_ascii:
        return DecodedText(text, "utf-8", replaced=replaced)
    return None


def _guess_8bit(sample: bytes) -> str:
    if _looks_cyrillic(sample):
        return max(_CYRILLIC_CODE_PAGES, key=lambda encoding: _russian_score(sample, encoding))
    if any(byte in _TURKISH_BYTES for byte in sample):
        return "cp1254"
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def _looks_cyrillic(sample: bytes) -> bool:
    """Whether high bytes come in runs (whole words), as Cyrillic letters do in every code page.

    Western European text has an accented letter here and there between ASCII letters.
    """
    high = len(sample.translate(None, _ASCII_BYTES))
    in_runs = sum(len(run) for run in _HIGH_BYTE_RUN.findall(sample))
    return high > 0 and in_runs >= 0.6 * high


def _russian_score(sample: bytes, encoding: str) -> float:
    """How Russian the sample's non-ASCII characters look when decoded with ``encoding``.

    The mean log frequency of the letters (other characters count as very rare),
    less a penalty for words whose case is upside down ("вНДХРЕКЭ"): the wrong
    code page swaps lower and upper case, so a capitalised word comes out with a
    lower-case letter before upper-case ones. All-capital text gives no case
    evidence either way, and the letter frequencies decide.
    """
    text = sample[:_SCORING_SAMPLE].decode(encoding, errors="replace")
    decoded = [char for char in text if ord(char) > 0x7F]
    if not decoded:
        return -math.inf
    likelihood = sum(_LOG_FREQUENCY.get(char.lower(), _LOG_NOT_A_LETTER) for char in decoded) / len(decoded)
    words = [word for word in _NON_ASCII_WORD.findall(text) if len(word) > 1]
    inverted = sum(1 for word in words if _INVERTED_CASE.search(word))
    return likelihood - (inverted / len(words) if words else 0.0)


_NON_ASCII_WORD = re.compile(r"[^\W\d_]*[^\x00-\x7f\W\d_][^\W\d_]*")
_INVERTED_CASE = re.compile(r"[a-zа-яё][A-ZА-ЯЁ]")


def decode_html(data: bytes) -> DecodedText:
    """Decode an HTML file: a byte-order mark, valid UTF-8, its ``<meta charset>`` (unless the bytes are Russian in
    another code page), else a guess."""
    if not data or b"\x00" in data[:_SAMPLE] or any(data.startswith(bom) for bom, _ in _BOMS):
        return decode_text(data)  # empty, UTF-16/32 or binary: the declaration cannot help
    _refuse_known_binary(data)
    _refuse_control_bytes(data[:_SAMPLE])
    utf8 = _as_utf8(data)
    if utf8 is not None and not utf8.replaced:
        return utf8  # valid UTF-8 is UTF-8, whatever the page declares
    declared = _declared_charset(data[:4096])
    if declared:
        try:
            text = data.decode(declared)
        except UnicodeDecodeError:
            return decode_text(data)  # the declaration is wrong: guess instead
        russian = _russian_code_page_against(declared, data[:_SAMPLE])
        return DecodedText(text, declared) if russian is None else _decode(data, russian)
    return decode_text(data)


#: Declarations that Russian text is often given by mistake: a template's Western default, or another Cyrillic
#: code page (a page converted without its ``<meta>``).
_OFTEN_MISDECLARED = frozenset({"iso8859-1", "cp1252", "iso8859-15", *_CYRILLIC_CODE_PAGES})


def _russian_code_page_against(declared: str, sample: bytes) -> str | None:
    """The Cyrillic code page the bytes are in when they contradict a declared Western or Cyrillic one, else None.

    Whole words of high bytes are Cyrillic letters (see :func:`_looks_cyrillic`); the code page that reads them as
    the most Russian text wins, the declared one on a tie. Other declarations (Greek, Turkish…) are believed.
    """
    if declared not in _OFTEN_MISDECLARED or not _looks_cyrillic(sample):
        return None
    candidates = (declared, *(page for page in _CYRILLIC_CODE_PAGES if page != declared))
    best = max(candidates, key=lambda encoding: _russian_score(sample, encoding))
    return None if best == declared else best


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def _declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    if match is None:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return None if name.startswith(("utf-16", "utf-32")) else name  # a byte-order mark says those


# -- HTML -----------------------------------------------------------------------------------

_HIDDEN_ELEMENTS = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "iframe", "object"})
_BLOCK_ELEMENTS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "html", "legend", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "tfoot", "thead", "tr", "ul",
})
_CELL_ELEMENTS = frozenset({"td", "th"})
#: Elements whose line breaks are shown as written (a mailing-list archive puts the message in ``<pre>``).
_PREFORMATTED_ELEMENTS = frozenset({"pre", "listing", "plaintext", "textarea"})
_LINE_BREAK = re.compile(r"\r\n?")
_SOFT_HYPHEN = "\xad"
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")


_HEAD_CONTENT = frozenset({"base", "link", "meta", "noscript", "script", "style", "template", "title"})
_WHITESPACE = re.compile(r"\s+")
_NEWLINES = re.compile(r"\n(?:[^\S\n]*\n)+")


class _HTMLReader(HTMLParser):
    """Collects visible text, the first title and the meta tags of one document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: dict[str, int] = {}
        self.title: list[str] | None = None
        self.title_done = False
        self.meta: dict[str, str] = {}
        self.preformatted = 0  # depth of open preformatted elements

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        # ``<![`` not followed by a name (``<![0``) makes the standard library's parser fail an assertion;
        # a browser reads it as a bogus comment, and so does this reader.
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            return self.parse_bogus_comment(i, report)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.hidden.get("head") and tag not in _HEAD_CONTENT:
            self.hidden.pop("head")  # a head left open ends where body content starts
        if tag == "meta":
            self._meta(dict(attrs))
        elif tag in _HIDDEN_ELEMENTS:
            self.hidden[tag] = self.hidden.get(tag, 0) + 1
            if tag == "title" and not self.title_done:
                self.title = []
        elif tag in _PREFORMATTED_ELEMENTS:
            self.preformatted += 1
        self._break(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self._meta(dict(attrs))
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.hidden.get(tag):
            self.hidden[tag] -= 1
            if tag == "title" and self.title is not None:
                self.title_done = True
        elif tag in _PREFORMATTED_ELEMENTS and self.preformatted:
            self.preformatted -= 1
        self._break(tag)

    def handle_data(self, data: str) -> None:
        data = data.replace(_SOFT_HYPHEN, "")  # shown only where a line breaks, never inside a word
        if self.title is not None and not self.title_done and self.hidden.get("title"):
            self.title.append(data)
        if self.hidden.get("head") and data.strip() and not any(
            count for tag, count in self.hidden.items() if tag != "head"
        ):
            self.hidden.pop("head")  # text outside any head element starts the body
        if not any(self.hidden.values()):
            self.parts.append(_LINE_BREAK.sub("\n", data) if self.preformatted else _WHITESPACE.sub(" ", data))

    def _break(self, tag: str) -> None:
        if any(self.hidden.values()):
            return
        if tag in _BLOCK_ELEMENTS:
            self.parts.append("\n")
        elif tag in _CELL_ELEMENTS:
            self.parts.append(" ")

    def _meta(self, attrs: dict[str, str | None]) -> None:
        name = attrs.get("name") or attrs.get("property") or attrs.get("itemprop")
        content = attrs.get("content")
        if name and content is not None:
            self.meta.setdefault(name.strip().lower(), content.strip())


def _read_html(html: str) -> _HTMLReader:
    reader = _HTMLReader()
    reader.feed(html)
    reader.close()
    return reader


def _normalise(text: str) -> str:
    lines = (_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return _NEWLINES.sub("\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    """The visible text of an HTML document: one line per block and per line of preformatted text
    (``<pre>``), entities resolved, soft hyphens (``&shy;``) dropped, spaces tidied.

    Scripts, styles, the head, templates, comments and the like are dropped.
    """
    return _normalise("".join(_read_html(html).parts))


def html_title(html: str) -> str | None:
    """The document's ``<title>``, whitespace tidied, or ``None`` if it has none."""
    reader = _read_html(html)
    title = " ".join("".join(reader.title or ()).split())
    return title or None


def html_meta(html: str) -> dict[str, str]:
    """The ``<meta name=… content=…>`` tags (also ``property=`` ones), names lower-cased; first one wins."""
    return _read_html(html).meta
