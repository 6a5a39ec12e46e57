"""Readers: the three real files, tricky strings per format, decoding and input errors."""

from __future__ import annotations

import codecs
import json
import re

import pytest
from conftest import DATA, EN_PAIR, ZH_PAIR, ZH_SEED

from aligner.errors import InputError
from aligner.readers import (
    READERS,
    archive_json,
    detect_format,
    detect_lang,
    ocr_markdown,
    peoples_daily,
    plain,
    read_document,
)
from aligner.readers.ocr_markdown import strip_markdown

HERE = DATA.parent / "tests" / "data"
TWO_RECORDS = HERE / "readers_two_records.txt"
GB18030 = HERE / "readers_gb18030.txt"
CJK = re.compile("[\u4e00-\u9fff]")


def _paras(doc):
    return [p for s in doc.sections for p in s.paragraphs]


def _write(tmp_path, data, name="x.txt"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# ------------------------------------------------------------------ People's Daily (seed 000)


def test_peoples_daily_seed():
    doc = read_document(ZH_SEED)
    assert (doc.path, doc.format, doc.lang, len(doc.sections)) == (str(ZH_SEED), "peoples_daily", "zh", 1)
    sec = doc.sections[0]
    assert sec.date == "1963-03-14"
    assert sec.title == "中苏两党为举行双边会谈交换的信件"
    assert sec.subtitle == "中共中央致苏共中央的信苏共中央致中共中央的信"
    assert sec.meta == (
        ("ZQ/总期", "2066"), ("BH/版号", "01"), ("TH/条号", "1"), ("BM/版名", "头版"),
        ("GJ/关键", "中苏关系/双边会谈信件"), ("TC/体裁", "公文"),
    )
    assert len(sec.paragraphs) == 61
    assert sec.paragraphs[0] == "中共中央致苏共中央的信苏联共产党中央委员会亲爱的同志们："
    assert sec.paragraphs[1] == "中国共产党中央委员会收到了苏联共产党中央委员会一九六三年二月二十一日的来信。"
    assert sec.paragraphs[32:37] == ("此致", "共产主义敬礼！", "中国共产党中央委员会", "一九六三年三月九日",
                                     "中国共产党中央委员会")
    assert sec.paragraphs[-1] == "一九六三年二月二十一日，莫斯科"
    assert doc.dropped == ()
    assert all(p and p == p.strip() for p in sec.paragraphs)


def test_peoples_daily_several_records_and_text_outside_fields():
    doc = read_document(TWO_RECORDS)
    assert doc.format == "peoples_daily" and len(doc.sections) == 2
    first, second = doc.sections
    assert (first.date, first.title, first.subtitle) == ("1963-03-14", "第一条的标题", "甲致乙的信")
    # an unindented line continues the paragraph above
    assert first.paragraphs == ("第一条第一段。", "第一条第二段的前半，接着写完。")
    assert first.meta == (("ZQ/总期", "2066"),)
    assert (second.date, second.title, second.subtitle) == ("1963-03-15", "第二条的标题", None)
    assert second.paragraphs == ("第二条唯一的一段。",)  # ideographic-space indent
    assert [(d.text, d.reason, d.line) for d in doc.dropped] == [
        ("这一行在字段之外", "text outside a record field", 10)
    ]


@pytest.mark.parametrize(
    ("text", "paragraphs", "date", "meta"),
    [
        # no line indented: one paragraph per line
        ("〖ZW/正文〗\n甲。\n乙。\n〖-ZW/正文〗", ("甲。", "乙。"), None, ()),
        # an invalid date stays in meta
        ("〖RQ/日期〗19631399〖-RQ/日期〗〖ZW/正文〗\n    甲。\n〖-ZW/正文〗", ("甲。",), None,
         (("RQ/日期", "19631399"),)),
        # an unterminated body is read to the end of the file
        ("〖RQ/日期〗19630314〖-RQ/日期〗\n〖ZW/正文〗\n    甲。\n    乙。\n", ("甲。", "乙。"),
         "1963-03-14", ()),
        # inner whitespace runs collapse
        ("〖ZW/正文〗\n    第一书记  尼·赫鲁晓夫\n〖-ZW/正文〗", ("第一书记 尼·赫鲁晓夫",), None, ()),
    ],
)
def test_peoples_daily_strings(text, paragraphs, date, meta):
    doc = peoples_daily.read(text, "s.txt", "zh")
    assert doc.sections[0].paragraphs == paragraphs
    assert doc.sections[0].date == date
    assert doc.sections[0].meta == meta


def test_peoples_daily_without_fields_is_an_input_error(tmp_path):
    path = _write(tmp_path, "只是一行文字。\n")
    with pytest.raises(InputError, match=r"x\.txt: no People's Daily record fields"):
        read_document(path, format="peoples_daily")


# ------------------------------------------------------------------ archive JSON


def test_archive_json_real_file_keeps_every_part_verbatim():
    doc = read_document(ZH_PAIR)
    parts = json.loads(ZH_PAIR.read_text(encoding="utf-8"))["parts"]
    assert (doc.format, doc.lang, len(doc.sections)) == ("archive_json", "zh", 1)
    sec = doc.sections[0]
    assert sec.paragraphs == tuple(p["text"] for p in parts)
    assert len(sec.paragraphs) == 258
    assert (sec.title, sec.date) == ("中共中央和苏共中央来往的七封信", "1964-05-09")
    assert sec.headings == frozenset()
    assert sec.meta == (("page_start", "1"), ("page_end", "1"))
    # verbatim: the double space is kept
    assert sec.paragraphs[177] == "苏联共产党中央委员会第一书记  尼·赫鲁晓夫（签字）"
    assert doc.dropped == ()


def test_archive_json_other_part_types_kept_or_reported():
    text = json.dumps({
        "title": " 标题 ", "dates": [{"year": 1964, "month": 5}, {"year": 1964, "month": 5, "day": 9}],
        "authors": ["新华社"],
        "parts": [
            {"type": "title", "text": "大标题"},
            {"type": "paragraph", "text": "  第一段。 "},
            {"type": "image", "src": "a.png"},
            {"type": "paragraph", "text": ""},
            {"type": "signature", "text": "中国共产党中央委员会"},
        ],
    }, ensure_ascii=True)  # \u escapes: the language is still detected from the decoded text
    doc = archive_json.read(text, "a.json", "zh")
    sec = doc.sections[0]
    assert sec.paragraphs == ("大标题", "第一段。", "中国共产党中央委员会")
    assert sec.headings == frozenset({0})
    assert (sec.title, sec.date, sec.meta) == ("标题", "1964-05-09", (("authors", "新华社"),))
    assert [(d.reason, d.line) for d in doc.dropped] == [
        ("part 2 (type image) has no text", 0), ("part 3 (type paragraph) has no text", 0)
    ]
    assert '"src": "a.png"' in doc.dropped[0].text


def test_archive_json_escaped_text_detected_as_chinese(tmp_path):
    parts = [{"type": "paragraph", "text": "中共中央致苏共中央的信。"}]
    text = json.dumps({"parts": parts}, ensure_ascii=True)
    doc = read_document(_write(tmp_path, text, "e.json"))
    assert (doc.format, doc.lang) == ("archive_json", "zh")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"parts": [', "JSON does not parse: Expecting value at line 1 column 12"),
        ("[1, 2]", 'expected a JSON object with a "parts" list, got a JSON list'),
        ('{"title": "t"}', 'JSON has no "parts" list'),
        ('{"parts": {"a": 1}}', 'JSON has no "parts" list'),
        ('{"parts": []}', "no paragraphs found (read as archive_json)"),
        ('{"parts": [{"type": "paragraph", "text": "  "}]}', "no paragraphs found (read as archive_json)"),
    ],
)
def test_archive_json_errors_name_file_and_problem(tmp_path, content, problem):
    path = _write(tmp_path, content, "bad.json")
    with pytest.raises(InputError) as info:
        read_document(path)
    assert str(info.value).startswith(f"{path}: {problem}")
    assert info.value.path == str(path)


# ------------------------------------------------------------------ OCR Markdown (seed 003)

EN_FRONT = (
    "SEVEN LETTERS EXCHANGED BETWEEN THE CENTRAL COMMITTEES OF THE COMMUNIST PARTY OF CHINA AND THE "
    "COMMUNIST PARTY OF THE SOVIET UNION",
)


def test_ocr_markdown_seed_paragraphs():
    doc = read_document(EN_PAIR)
    assert (doc.format, doc.lang, len(doc.sections)) == ("ocr_markdown", "en", 1)
    paras = doc.sections[0].paragraphs
    assert len(paras) == 26
    assert paras[0] == EN_FRONT[0]
    assert paras[1].startswith("The documents of the February Plenum of the Central Committee of the CPSU")
    assert paras[2] == (
        "The letter of the Central Committee of the CPC of May 7, 1964 to the Central Committee of the CPSU, "
        "its earlier letters of February 20, 27 and 29, 1964, and those of the Central Committee of the CPSU "
        "of November 29, 1963 and February 22 and March 7, 1964, to the Central Committee of the CPC are "
        "herewith reproduced."
    )
    assert paras[3:7] == (
        "LETTER OF THE CENTRAL COMMITTEE OF THE CPC OF MAY 7, 1964 TO THE CENTRAL COMMITTEE OF THE CPSU",
        "May 7, 1964",
        "The Central Committee of the Communist Party of the Soviet Union",
        "Dear Comrades,",
    )
    assert paras[7] == (
        "The Central Committee of the Communist Party of China has received the letter of the "
        "Central Committee of the Communist Party of the Soviet Union dated March 7, 1964."
    )
    assert paras[-1].startswith("Comrades! We are against a split.")
    assert paras[-1].endswith("the holding of talks between")
    assert doc.sections[0].headings == frozenset({0, 3, 5})
    assert doc.sections[0].title == EN_FRONT[0]
    assert "and the Pravda editorial of the same date divulged" in paras[1]  # *Pravda*: emphasis stripped


@pytest.mark.parametrize(
    "joined",
    [
        "to the Central Committee of the CPSU, its earlier letters",
        "since the delivery of your letter, you have never ceased",
        "the fundamental theories of Marxism-Leninism and the revolutionary principles",
        "to refrain from public polemics",
        "the meeting of representatives of all fraternal Parties should be convened",
        'for a "rebuff" to us and threatened to "take collective measures"',
        "a grave one involving a whole series of fundamental principles of Marxism-Leninism",
        "in spite of our repeated requests. It must be understood",
    ],
)
def test_ocr_markdown_seed_page_breaks_joined(joined):
    paras = read_document(EN_PAIR).sections[0].paragraphs
    assert sum(joined in p for p in paras) == 1


def test_ocr_markdown_seed_dropped_lines():
    doc = read_document(EN_PAIR)
    got = {d.line: d.reason for d in doc.dropped}
    assert sorted(got) == [3, 12, 13, 15, 16, 17, 18, 19, 20, 22, 23, 25, 27, 29, 31, 33, 35, 37, 39,
                           41, 42, 43, 44, 46, 48, 49, 50, 51, 52, 53]
    assert got[3] == got[35] == got[37] == "catalogue number"
    assert got[12] == got[23] == "publisher's imprint"
    assert {got[n] for n in range(15, 21)} == {"repeated title page"}
    assert got[25] == "Chinese title line in a non-Chinese edition"
    assert (got[27], got[29], got[31], got[33]) == (
        "stray asterisk", "publisher's imprint (Chinese)", "edition note (Chinese)",
        "catalogue number (Chinese)",
    )
    assert got[39] == "printer's imprint"
    assert {got[n] for n in range(41, 45)} == {"contents list (entry placed above the heading by OCR)"}
    assert {got[n] for n in (46, 48, 49, 50, 51, 52, 53)} == {"contents list"}
    lines = EN_PAIR.read_text(encoding="utf-8").split("\n")
    assert all(d.text == lines[d.line - 1] for d in doc.dropped)  # verbatim


def test_ocr_markdown_seed_nothing_disappears_silently():
    """Every non-blank source line is dropped with a reason or is part of a paragraph."""
    doc = read_document(EN_PAIR)
    text = "\n".join(doc.sections[0].paragraphs)
    dropped = {d.line for d in doc.dropped}
    for number, line in enumerate(EN_PAIR.read_text(encoding="utf-8").split("\n"), 1):
        if line.strip() and number not in dropped:
            assert strip_markdown(line) in text, (number, line)
    assert not any(CJK.search(p) or "*" in p or "\\" in p or "#" in p for p in doc.sections[0].paragraphs)


@pytest.mark.parametrize(
    ("text", "paragraphs", "headings"),
    [
        # page break (page number between), continuation in lower case
        ("It ends in the middle of a\n\n12\n\nsentence that goes on.\n",
         ("It ends in the middle of a sentence that goes on.",), set()),
        # page break, long line cut after a capitalised word, continuation capitalised
        ("The letter of the Central Committee of the CPC of May 7, 1964 to the Central\n\n\n\n"
         "Committee of the CPSU, its earlier letters of February 20, 27 and 29, 1964, are reproduced.\n",
         ("The letter of the Central Committee of the CPC of May 7, 1964 to the Central Committee of the "
          "CPSU, its earlier letters of February 20, 27 and 29, 1964, are reproduced.",), set()),
        # a word that cannot end a sentence, then a capital
        ("We wrote to the\n\nCentral Committee.\n", ("We wrote to the Central Committee.",), set()),
        # hyphenated across a page break
        ("the inter-\n\nnational movement.\n", ("the international movement.",), set()),
        # not joined: salutation, sentence end, bold heading, short date line
        ("Dear Comrades,\n\nThe Central Committee has received your letter of March 7, 1964.\n",
         ("Dear Comrades,", "The Central Committee has received your letter of March 7, 1964."), set()),
        ("First paragraph ends here.\n\nsecond starts in lower case.\n",
         ("First paragraph ends here.", "second starts in lower case."), set()),
        ("**HEADING WITHOUT PUNCTUATION**\n\nbody text in lower case.\n",
         ("HEADING WITHOUT PUNCTUATION", "body text in lower case."), {0}),
        ("May 7, 1964\n\nThe Central Committee of the Communist Party of China has received the letter.\n",
         ("May 7, 1964", "The Central Committee of the Communist Party of China has received the letter."),
         set()),
        # hard breaks and soft breaks inside a block
        ("line one  \nline two\nline three\\\nend.\n", ("line one line two line three end.",), set()),
        # end-of-line hyphenation undone; a real hyphen kept
        ("the inter-\nnational movement of Marxist-Leninist parties.\n",
         ("the international movement of Marxist-Leninist parties.",), set()),
        ("the Marxist-\nLeninist parties.\n", ("the Marxist-Leninist parties.",), set()),
        ("co-operation is good.\n\nWe want co-\noperation.\n",
         ("co-operation is good.", "We want co-operation."), set()),
        ("the struggle—\nand the victory.\n", ("the struggle—and the victory.",), set()),
        # emphasis, escapes, links, # headings
        ("The *Pravda* editorial, __bold__ and **strong** text, 5 \\* 3, \\_x\\_ and \\# sign.\n",
         ("The Pravda editorial, bold and strong text, 5 * 3, _x_ and # sign.",), set()),
        ("# Title #\n\n## Sub\nText under it.\n", ("Title", "Sub", "Text under it."), {0, 1}),
        ("See [the note](http://x.org) here.\n", ("See the note here.",), set()),
        # a page number inside a block
        ("First half of a line\n17\nsecond half.\n", ("First half of a line second half.",), set()),
    ],
)
def test_ocr_markdown_strings(text, paragraphs, headings):
    doc = ocr_markdown.read(text, "s.md", "en")
    assert doc.sections[0].paragraphs == paragraphs
    assert doc.sections[0].headings == frozenset(headings)


def test_ocr_markdown_contents_and_stray_entry_above_it():
    text = (
        "THIRD LETTER OF THE CENTRAL\nCOMMITTEE\n\n## CONTENTS\n\n"
        "FIRST LETTER OF THE CENTRAL COMMITTEE\t3\nSECOND LETTER OF THE CENTRAL COMMITTEE . . . . 19\n\n\n"
        "The body text begins.\n"
    )
    doc = ocr_markdown.read(text, "s.md", "en")
    assert doc.sections[0].paragraphs == ("The body text begins.",)
    assert [(d.line, d.reason) for d in doc.dropped] == [
        (1, "contents list (entry placed above the heading by OCR)"),
        (2, "contents list (entry placed above the heading by OCR)"),
        (4, "contents list"), (6, "contents list"), (7, "contents list"),
    ]


def test_ocr_markdown_catalogue_imprint_and_repeated_title():
    text = (
        "45-40\n\n**A TITLE  \nON TWO LINES**\n\n**FOREIGN LANGUAGES PRESS  \nPEKING**\n\n"
        "**A TITLE  \nON TWO LINES**\n\n# 中文书名\n\n\\*\n\n外文出版社出版（北京）\n\n1964年袖珍本第一版\n\n"
        "编号：（英）3050—938\n\n00025\n\n3—E—594pc\n\n*Printed in the People's Republic of China*\n\n---\n\n"
        "The body text that is long enough to count as prose, so that the title pages are over now and "
        "nothing later is a title page.\n\n**A TITLE ON TWO LINES**\n"
    )
    doc = ocr_markdown.read(text, "s.md", "en")
    assert doc.sections[0].paragraphs[0] == "A TITLE ON TWO LINES"
    assert doc.sections[0].paragraphs[2] == "A TITLE ON TWO LINES"  # after prose: not a title page
    assert len(doc.sections[0].paragraphs) == 3
    assert [d.reason for d in doc.dropped] == [
        "catalogue number", "publisher's imprint", "publisher's imprint",
        "repeated title page", "repeated title page", "Chinese title line in a non-Chinese edition",
        "stray asterisk", "publisher's imprint (Chinese)", "edition note (Chinese)",
        "catalogue number (Chinese)", "catalogue number", "catalogue number", "printer's imprint",
        "separator",
    ]


def test_ocr_markdown_chinese_edition_keeps_chinese_lines():
    doc = ocr_markdown.read("# 中共中央和苏共中央来往的七封信\n\n正文的第一段，\n接着。\n", "z.md", "zh")
    assert doc.sections[0].paragraphs == ("中共中央和苏共中央来往的七封信", "正文的第一段，接着。")
    assert doc.dropped == ()


# ------------------------------------------------------------------ plain text


@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [
        ("Para one.\nPara two.\n\nPara three.\n", ("Para one.", "Para two.", "Para three.")),
        ("This paragraph is\nwrapped over lines.\n\nSecond paragraph\nalso wrapped.\n",
         ("This paragraph is wrapped over lines.", "Second paragraph also wrapped.")),
        ("  a   b\t c  \n\n\n", ("a b c",)),
        ("第一段的前半\n后半。\n\n第二段开始\n结束。\n", ("第一段的前半后半。", "第二段开始结束。")),
        ("一行一段。\n\u3000\u3000第二行。\n", ("一行一段。", "第二行。")),
        ("Title\n\nLine one ends.\nLine two ends.\n", ("Title", "Line one ends.", "Line two ends.")),
    ],
)
def test_plain_strings(text, paragraphs):
    doc = plain.read(text, "p.txt", "en")
    assert doc.sections[0].paragraphs == paragraphs
    assert doc.format == "plain"


def test_plain_drops_lone_page_numbers():
    doc = plain.read("Text one.\n\n12\n\nText two.\n", "p.txt", "en")
    assert doc.sections[0].paragraphs == ("Text one.", "Text two.")
    assert [(d.text, d.reason, d.line) for d in doc.dropped] == [("12", "page number", 3)]


def test_plain_file_roundtrip(tmp_path):
    doc = read_document(_write(tmp_path, "Dear Comrades,\r\nWe write.\r\n"))
    assert (doc.format, doc.lang) == ("plain", "en")
    assert doc.sections[0].paragraphs == ("Dear Comrades,", "We write.")


# ------------------------------------------------------------------ decoding and input errors


def test_gb18030_bytes_are_an_input_error_with_a_hint():
    with pytest.raises(InputError) as info:
        read_document(GB18030)
    assert str(info.value) == (
        f"{GB18030}: not UTF-8 text (invalid byte 0xd6 at offset 0); pass encoding=... or convert it, "
        "e.g. iconv -f GB18030 -t UTF-8"
    )
    assert isinstance(info.value, ValueError)


def test_encoding_parameter_overrides():
    doc = read_document(GB18030, encoding="gb18030")
    assert (doc.format, doc.lang) == ("plain", "zh")
    assert doc.sections[0].paragraphs == ("中共中央致苏共中央的信", "此致")


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + "中文。\n".encode(),
        codecs.BOM_UTF16_LE + "中文。\r\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "中文。\r".encode("utf-16-be"),
    ],
)
def test_utf8_bom_and_utf16_with_bom(tmp_path, data):
    doc = read_document(_write(tmp_path, data))
    assert doc.sections[0].paragraphs == ("中文。",)
    assert doc.lang == "zh"


def test_utf16_without_bom_is_an_input_error(tmp_path):
    path = _write(tmp_path, "Dear Comrades,\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="NUL bytes.*UTF-16 without a byte order mark"):
        read_document(path)


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p / "missing.txt", "no such file"),
        (lambda p: p, "is a directory, not a file"),
        (lambda p: _write(p, b""), "the file is empty"),
        (lambda p: _write(p, " \n\t\u3000\n"), "the file holds only whitespace"),
        (lambda p: _write(p, "12\n\n34\n"), "no paragraphs found (read as ocr_markdown)"),
    ],
)
def test_file_problems_are_input_errors(tmp_path, make, problem):
    path = make(tmp_path)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: {problem}"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"format": "docx"},
         r"format: expected one of \['archive_json', 'ocr_markdown', 'peoples_daily', 'plain'\]"),
        ({"lang": "Chinese language"}, r"lang: expected a language code"),
        ({"encoding": "no-such-codec"}, r"encoding: unknown encoding 'no-such-codec'"),
    ],
)
def test_bad_parameters_are_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message) as info:
        read_document(ZH_SEED, **kwargs)
    assert not isinstance(info.value, InputError)


def test_explicit_format_and_lang_win():
    doc = read_document(EN_PAIR, lang="en", format="plain")
    assert (doc.format, doc.lang) == ("plain", "en")
    assert any("**" in p for p in _paras(doc))


# ------------------------------------------------------------------ detection and registry


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("〖ZW/正文〗\n    正文。\n〖-ZW/正文〗", "", "peoples_daily"),
        ('{"parts": [{"type": "paragraph", "text": "x"}]}', "", "archive_json"),
        ('{"title": "no parts"}', "a.txt", "archive_json"),  # parses: the reader reports the missing parts
        ('{"parts": [', "a.json", "archive_json"),  # broken JSON in a .json file: the reader reports it
        ("[1] A footnote, not JSON.\n", "a.txt", "plain"),
        ("**Bold title**\n\nText.\n", "", "ocr_markdown"),
        ("# Heading\n\nText.\n", "", "ocr_markdown"),
        ("Text.\n\n12\n\nMore text.\n\n13\n\nEnd.\n", "", "ocr_markdown"),
        ("Text.\n\n12\n\nMore text.\n", "", "plain"),
        ("Just a line.\nAnother line.\n", "notes.md", "ocr_markdown"),
        ("Just a line.\nAnother line.\n", "notes.txt", "plain"),
    ],
)
def test_detect_format(text, path, expected):
    assert detect_format(text, path) == expected


def test_detect_format_on_the_real_files():
    for path, expected in ((ZH_SEED, "peoples_daily"), (EN_PAIR, "ocr_markdown"), (ZH_PAIR, "archive_json")):
        assert detect_format(path.read_text(encoding="utf-8"), path) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("中共中央致苏共中央的信", "zh"), ("Dear Comrades,", "en"), ("", "en"), ("1964", "en"),
        ("The Central Committee of the CPC (中共中央) wrote to the CPSU.", "en"),
        ("中共中央（CPC）致苏共中央（CPSU）的信", "zh"),
    ],
)
def test_detect_lang(text, lang):
    assert detect_lang(text) == lang


def test_registry_and_pure_readers():
    assert sorted(READERS) == ["archive_json", "ocr_markdown", "peoples_daily", "plain"]
    for name, reader in READERS.items():
        assert reader.__module__ == f"aligner.readers.{name}"
    doc = READERS["plain"]("One.\n", "mem", "en")
    assert (doc.path, doc.format, doc.lang, doc.sections[0].paragraphs) == ("mem", "plain", "en", ("One.",))
