"""Bytes to text (encodings, binary refusal) and HTML to visible text."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.decode import DecodedText, DecodeError, decode_html, decode_text, html_meta, html_title, html_to_text
from archive.errors import ArchiveError

RUSSIAN = (
    "Министерство обороны Азербайджанской Республики сообщило, что 23 апреля 2022 года в Агдамском "
    "районе на противотанковой мине подорвался грузовой автомобиль. Водитель получил тяжёлые ранения "
    "и был доставлен в больницу. Всего с ноября 2020 года жертвами мин стали более двухсот человек."
)
RUSSIAN_SHORT = "Обращение жителей Шуши"
RUSSIAN_CAPITALS = "ОБРАЩЕНИЕ К МЕЖДУНАРОДНЫМ ОРГАНИЗАЦИЯМ О КАРТАХ МИННЫХ ПОЛЕЙ"
RUSSIAN_WITH_ENGLISH = "Report / Доклад: разминирование территории Физулинского района (Fuzuli district), 2021 г."
AZERBAIJANI = "Müdafiə Nazirliyi bildirib ki, Ağdam rayonunda mina partlayışı nəticəsində iki nəfər yaralanıb."
TURKISH = (
    "Savunma Bakanlığı, Ağdam bölgesinde bir mayın patlaması sonucunda iki kişinin yaralandığını bildirdi. "
    "Güçlü üçüncü öğrenci ığdır şoförü çiğ düşünüyor."
)
FRENCH = "Le ministère de la Défense a déclaré que les cartes remises ne couvrent qu'une petite partie, à l'été."
GERMAN = "Die übergebenen Minenkarten decken nur einen kleinen Teil des Gebiets ab, heißt es."
ENGLISH = "Civilians were killed by landmines while returning home. “Quoted” – with a dash."


@pytest.mark.parametrize(
    ("text", "encoding", "expected_encoding"),
    [
        # UTF-8 and the byte-order-marked Unicode encodings
        (RUSSIAN, "utf-8", "utf-8"),
        (AZERBAIJANI, "utf-8", "utf-8"),
        ("plain ASCII text", "utf-8", "utf-8"),
        (RUSSIAN, "utf-8-sig", "utf-8-sig"),
        (RUSSIAN, "utf-16", "utf-16-le"),
        (AZERBAIJANI, "utf-16", "utf-16-le"),
        (RUSSIAN, "utf-32", "utf-32-le"),
        # Russian in the three code pages, each read as itself and not as the others
        (RUSSIAN, "cp1251", "cp1251"),
        (RUSSIAN, "koi8-r", "koi8-r"),
        (RUSSIAN, "cp866", "cp866"),
        (RUSSIAN_SHORT, "cp1251", "cp1251"),
        (RUSSIAN_SHORT, "koi8-r", "koi8-r"),
        (RUSSIAN_CAPITALS, "cp1251", "cp1251"),
        (RUSSIAN_CAPITALS, "koi8-r", "koi8-r"),
        (RUSSIAN_WITH_ENGLISH, "cp1251", "cp1251"),
        (RUSSIAN_WITH_ENGLISH, "koi8-r", "koi8-r"),
        # Western 8-bit
        (TURKISH, "cp1254", "cp1254"),
        (FRENCH, "cp1252", "cp1252"),
        (GERMAN, "cp1252", "cp1252"),
        (ENGLISH, "cp1252", "cp1252"),
    ],
)
def test_decode_text_finds_the_encoding(text: str, encoding: str, expected_encoding: str) -> None:
    decoded = decode_text(text.encode(encoding))
    assert decoded == DecodedText(text, expected_encoding)


@pytest.mark.parametrize("text", [RUSSIAN, RUSSIAN_SHORT, RUSSIAN_CAPITALS, RUSSIAN_WITH_ENGLISH])
@pytest.mark.parametrize(("written", "misread"), [("cp1251", "koi8-r"), ("koi8-r", "cp1251")])
def test_russian_code_pages_are_not_confused(text: str, written: str, misread: str) -> None:
    data = text.encode(written)
    decoded = decode_text(data)
    assert decoded.encoding == written
    assert decoded.text != data.decode(misread)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(RUSSIAN, "utf-16-le"), (RUSSIAN, "utf-16-be"), (ENGLISH, "utf-16-le"), (ENGLISH, "utf-16-be")],
)
def test_utf16_without_bom_is_recognised_by_its_nul_bytes(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)) == DecodedText(text, encoding)


def test_bytes_only_latin1_has_are_recorded_as_latin1() -> None:
    data = b"caf\xe9 \x81 na\xefve"  # 0x81 is undefined in Windows-1252
    assert decode_text(data) == DecodedText("caf\xe9 \x81 na\xefve", "latin-1")


def test_mostly_utf8_with_a_broken_byte_stays_utf8_and_counts_the_damage() -> None:
    data = RUSSIAN.encode("utf-8") + b"\xff" + RUSSIAN.encode("utf-8")
    decoded = decode_text(data)
    assert decoded.encoding == "utf-8"
    assert decoded.replaced == 1
    assert decoded.text == RUSSIAN + "\ufffd" + RUSSIAN


def test_crlf_and_form_feeds_are_kept() -> None:
    text = "Page one\r\nline\fPage two"
    assert decode_text(text.encode("cp1251")).text == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "file is empty"),
        (b"\x00\x01\x02\x03" * 100, "NUL bytes"),
        (bytes(range(256)) * 10, "NUL bytes"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "Office"),
        (bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 50, "control bytes"),
        (b"text\x00with\x00random\x00\x00nul\x00bytes\x00in it and more text here", "NUL bytes"),
    ],
)
def test_binary_and_empty_input_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason) as raised:
        decode_text(data)
    assert isinstance(raised.value, ArchiveError)


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n\r\f"),
    min_size=1,
).filter(lambda text: not text.startswith("\ufeff"))


@given(_TEXT)
def test_utf8_round_trips(text: str) -> None:
    assert decode_text(text.encode("utf-8")).text == text


def _unambiguous_after_a_bom(text: str) -> bool:
    # A text of only characters like U+0909 (bytes 09 09, two tabs) or U+ECFB is also valid
    # Windows-1251 after "юя"; such texts are left out here and tested as Cyrillic below.
    return any(char < "\x80" for char in text) or 2 * sum(char < "\u0530" for char in text) >= len(text)


@given(_TEXT.filter(_unambiguous_after_a_bom))
def test_utf16_with_bom_round_trips(text: str) -> None:
    assert decode_text(codecs.BOM_UTF16_BE + text.encode("utf-16-be")).text == text


@given(st.text(alphabet="абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ ,.\n", min_size=1))
def test_any_cyrillic_text_decodes_without_loss_in_some_code_page(text: str) -> None:
    for encoding in ("cp1251", "koi8-r"):
        decoded = decode_text(text.encode(encoding))
        assert decoded.text.encode(decoded.encoding) == text.encode(encoding)


# -- HTML -------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head>
<title>  Appeal &amp; statement </title>
<meta name="Author" content="Ministry of Defence">
<meta name="date" content="2022-04-23">
<meta name="DESCRIPTION" content=" Mines in Aghdam ">
<meta property="og:title" content="Appeal">
<meta name="date" content="1999-01-01">
<style>body { color: red }</style>
<script>var hidden = "<p>script text</p>";</script>
</head>
<body>
<h1>Appeal</h1><!-- a comment -->
<p>First&nbsp;paragraph   with
   wrapped   spaces.</p>
<p>Second<br>line &lt;b&gt; &#1064;&#1091;&#1096;&#1072;</p>
<noscript>Enable JavaScript</noscript>
<template><p>template text</p></template>
<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>
<ul><li>one</li><li>two</li></ul>
</body></html>"""


def test_html_to_text_keeps_only_visible_text_one_block_per_line() -> None:
    assert html_to_text(PAGE) == (
        "Appeal\nFirst paragraph with wrapped spaces.\nSecond\nline <b> Шуша\na b\nc d\none\ntwo"
    )


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("", ""),
        ("plain text", "plain text"),
        ("a<span>b</span>c <i>d</i>", "abc d"),
        ("<p>unclosed <script>alert('x')", "unclosed"),
        ("<head><title>x</title><p>a body without a body tag", "a body without a body tag"),
        ("<head><title>x</title></head>loose <b>text</b>", "loose text"),
        ("<div>one</div><div>two</div>", "one\ntwo"),
        ("<p>a</p>\n\n\n<p>b</p>", "a\nb"),
        ("<style>p{}</style><p>x</p><!-- <p>y</p> -->", "x"),
        ("<svg><text>chart</text></svg><p>caption</p>", "caption"),
        ("&lt;script&gt; is shown as text", "<script> is shown as text"),
        ("a<![0 bogus]>b", "ab"),  # not a marked section: a bogus comment, as browsers read it
        ("<p>x</p><![if !IE]><p>y</p><![endif]>", "x\ny"),
        # preformatted text keeps its lines (its spaces are tidied like any other line's)
        ("<pre>\nAppeal\n\n  Text   here.\r\nShusha, 23 April 2022</pre>after",
         "Appeal\nText here.\nShusha, 23 April 2022\nafter"),
        ("<pre>a\n<b>b\nc</b></pre>d\ne", "a\nb\nc\nd e"),
        ("<textarea>one\ntwo</textarea>", "one\ntwo"),
        ("<p>Conven&shy;tion in Shu&#173;sha</p>", "Convention in Shusha"),  # a soft hyphen shows only at a break
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=50).filter(
    lambda text: "</" not in text.lower()))
def test_script_and_style_content_never_shows(secret: str) -> None:
    marker = f"SECRET{secret}"
    html = f"<p>before</p><script>{marker}</script><style>{marker}</style><p>after</p>"
    text = html_to_text(html)
    assert "SECRET" not in text
    assert text.startswith("before") and text.endswith("after")


@given(st.text(max_size=200))
def test_html_to_text_never_fails_and_keeps_no_tags_it_parsed(html: str) -> None:
    text = html_to_text(html)
    assert "<script" not in text.lower() or "<script" in html.lower()


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (PAGE, "Appeal & statement"),
        ("<title>\n  Two\n  lines </title>", "Two lines"),
        ("<p>No title</p>", None),
        ("<title>   </title>", None),
        ("<title>First</title><title>Second</title>", "First"),
    ],
)
def test_html_title(html: str, expected: str | None) -> None:
    assert html_title(html) == expected


def test_html_meta_lower_cases_names_and_keeps_the_first() -> None:
    assert html_meta(PAGE) == {
        "author": "Ministry of Defence",
        "date": "2022-04-23",
        "description": "Mines in Aghdam",
        "og:title": "Appeal",
    }
    assert html_meta("<p>none</p>") == {}


@pytest.mark.parametrize(
    ("html", "encoding", "expected_encoding"),
    [
        ('<meta charset="windows-1251"><p>Привет</p>', "cp1251", "cp1251"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=koi8-r"><p>Привет</p>', "koi8-r", "koi8-r"),
        ('<meta charset="utf-8"><p>Привет</p>', "utf-8", "utf-8"),
        ('<meta charset="windows-1251"><p>Привет</p>', "utf-8", "utf-8"),  # valid UTF-8 beats the declaration
        ('<meta charset="utf-8"><p>' + RUSSIAN + "</p>", "cp1251", "cp1251"),  # a wrong declaration is ignored
        ("<p>" + RUSSIAN + "</p>", "koi8-r", "koi8-r"),
    ],
)
def test_decode_html(html: str, encoding: str, expected_encoding: str) -> None:
    decoded = decode_html(html.encode(encoding))
    assert decoded.encoding == expected_encoding
    assert decoded.text == html


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "file is empty"),
        (b'\x89PNG\r\n\x1a\n<meta charset="utf-8">', "PNG"),
        (b'<meta charset="cp1251">\x00\x01\x02\x00\x00\x00', "NUL bytes"),
    ],
)
def test_decode_html_refuses_binary_whatever_it_declares(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        decode_html(data)


@pytest.mark.parametrize(("declared", "actual"), [
    ("windows-1251", "koi8-r"),
    ("koi8-r", "cp1251"),
    ("iso-8859-1", "cp1251"),
    ("windows-1252", "koi8-r"),
    ("windows-1251", "cp866"),
])
def test_decode_html_sees_through_a_declared_charset_the_russian_bytes_contradict(declared: str, actual: str) -> None:
    html = f'<meta charset="{declared}"><title>Протокол допроса</title><p>{RUSSIAN}</p>'
    decoded = decode_html(html.encode(actual))
    assert decoded.text == html and decoded.encoding == codecs.lookup(actual).name


@pytest.mark.parametrize(("text", "encoding"), [
    ("<p>Привет</p>", "cp1251"),
    ("<p>Заява про порушення статті 147 Четвертої Женевської конвенції.</p>", "cp1251"),  # Ukrainian
    ("<p>Δήλωση για τη Σύμβαση της Γενεύης και τις νάρκες.</p>", "iso8859-7"),  # Greek
    ("<p>Äußerung über die Grüße aus Genf.</p>", "cp1252"),
    ("<p>Déclaration à Genève, été 2022.</p>", "cp1252"),
])
def test_decode_html_keeps_a_declared_charset_the_bytes_do_not_contradict(text: str, encoding: str) -> None:
    html = f'<meta charset="{encoding}">{text}'
    assert decode_html(html.encode(encoding)) == DecodedText(html, codecs.lookup(encoding).name)


def test_decode_html_ignores_a_declared_utf16_without_bom() -> None:
    html = '<meta charset="utf-16"><p>' + RUSSIAN + "</p>"
    assert decode_html(html.encode("cp1251")) == DecodedText(html, "cp1251")


@pytest.mark.parametrize("text", ["юя", "яю", "юя мины", "яюю"])
def test_cyrillic_that_starts_like_a_utf16_byte_order_mark_is_not_utf16(text: str) -> None:
    decoded = decode_text(text.encode("cp1251"))
    assert decoded.text == text


def test_utf16_with_byte_order_mark_and_a_single_word_still_reads() -> None:
    assert decode_text("мины".encode("utf-16")).text in ("мины",)
