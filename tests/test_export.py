"""Tests of the TMX, TSV, JSONL and HTML exporters and of ``AlignmentResult.save``.

The results are built by hand from the dataclasses, with real paragraphs of the CPC letter
of 1964-05-07 (``data/seven-letters-1964.zh.json`` parts 2-8 and the English pamphlet),
plus one made-up unit pair full of characters that need escaping.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aligner.export.beads import read_beads
from aligner.export.html import LOW_CONFIDENCE, write_html
from aligner.export.jsonl import letter_keys, read_jsonl_beads, write_jsonl
from aligner.export.tmx import strip_illegal_xml, write_tmx
from aligner.export.tsv import COLUMNS, escape_field, unescape_field, write_tsv
from aligner.result import AlignmentResult
from aligner.types import Bead, Dropped, Letter, LetterAlignment, LetterPair, Signature, Unit

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ZH = (
    "中共中央一九六四年五月七日给苏共中央的信苏联共产党中央委员会亲爱的同志们：",
    "中国共产党中央委员会收到了苏联共产党中央委员会一九六四年三月七日的来信。",
    "你们在来信中口口声声说要“尽快地调整现存的分歧”，要“停止共产党之间的公开论战”，"
    "要“尽一切努力”来“促进共产主义运动的一致的加强”。但是，事实表明，你们这些冠冕堂皇的话，完全是骗人的。",
    # parts 7 of the archive, broken in two (as the archive breaks a paragraph of the 1964-02-22 letter)
    "直到现在，我们的报刊，对你们一九六三年七月十四日的公开信还没有答复完。",
    "对你们在公开信以后的一段时间内发表的两千多篇反华文章和材料，对几十个兄弟党攻击我们的大量决议、声明和文章，"
    "我们还没有开始答辩，离答复完毕更远得很。",
    # made up: markup characters, quotes, a bell (illegal in XML 1.0) and a carriage return
    'AT&T <机密> "引号" 与\x07警报\r结束',
    "所有这一切，都赤裸裸地暴露了你们的三月七日的来信不过是玩弄两面手法的把戏。",
)
EN = (
    "LETTER OF THE CENTRAL COMMITTEE OF THE CPC OF MAY 7, 1964 TO THE CENTRAL COMMITTEE OF THE CPSU",
    "May 7, 1964",
    "The Central Committee of the Communist Party of the Soviet Union",
    "Dear Comrades,",
    "The Central Committee of the Communist Party of China has received the letter of the Central "
    "Committee of the Communist Party of the Soviet Union dated March 7, 1964.",
    'In your letter you talk glibly about your desire for "the speediest possible settlement of existing '
    'differences" and "the cessation of the public polemics between Communist Parties". But the facts show '
    "the complete falsity of your fine words. Both before and since the delivery of your",
    "letter, you have never ceased your attacks on the Chinese Communist Party and other fraternal "
    "Marxist-Leninist parties.",
    "Our press has not yet finished replying to your Open Letter of July 14, 1963. We have not yet "
    "started—to say nothing of completing—our reply to the more than two thousand anti-Chinese articles.",
    # made up: markup, quotes, tab, newline, vertical tab (a line break for str.splitlines), backslash, NUL
    'Fish & chips <b>"quoted"</b>\tand a tab\nand a newline\x0b, a back\\slash and a NUL\x00 here',
    "Printed in the People's Republic of China",
)
UNPAIRED_ZH = (
    "苏共中央一九六三年十一月二十九日给中共中央的信致中国共产党中央委员会毛泽东同志",
    "亲爱的同志们：",
    "最近以来，在共产党的报刊上发表了一些文件。",
)
# letter 0: 1-4, 1-1, 1-2, 2-1 (low), 1-1 (low, special characters), 1-0, 0-1
BEADS = (
    Bead((0,), (0, 1, 2, 3), 0.71),
    Bead((1,), (4,), 0.93),
    Bead((2,), (5, 6), 0.88),
    Bead((3, 4), (7,), 0.41),
    Bead((5,), (8,), 0.30),
    Bead((6,), ()),
    Bead((), (9,)),
)
LOW_ROWS = {"l0-b3", "l0-b4"}
GAP_ROWS = {"l0-b5", "l0-b6", "l1-b0", "l1-b1", "l1-b2"}
SIG = Signature("0.1.0", "test-model", (("level", "paragraph"), ("max_align", "4")))


def _units(texts: tuple[str, ...], level: str) -> tuple[Unit, ...]:
    if level == "sentence":
        return tuple(Unit(t, paragraph=i // 2, sentence=i % 2) for i, t in enumerate(texts))
    return tuple(Unit(t, paragraph=i) for i, t in enumerate(texts))


def make_result(level: str = "paragraph", unpaired: bool = True) -> AlignmentResult:
    zh = Letter("zh", ZH, sender="CPC", recipient="CPSU", date="1964-05-07", title=ZH[0], source="zh.json")
    en = Letter("en", EN, sender="CPC", recipient="CPSU", date="1964-05-07", title=EN[0], source="en.md")
    letters = [
        LetterAlignment(LetterPair(zh, en, "date+sender"), level, _units(ZH, level), _units(EN, level), BEADS)
    ]
    if unpaired:
        lone = Letter("zh", UNPAIRED_ZH, sender="CPSU", recipient="CPC", date="1963-11-29", source="zh.json")
        beads = tuple(Bead((i,), ()) for i in range(len(UNPAIRED_ZH)))
        letters.append(
            LetterAlignment(
                LetterPair(lone, None, "unpaired", 0.0), level, _units(UNPAIRED_ZH, level), (), beads
            )
        )
    return AlignmentResult(
        letters=tuple(letters),
        level=level,
        signature=SIG,
        zh_path="data/seven-letters-1964.zh.json",
        en_path="data/seven-letters-1964.en.md",
        dropped=(Dropped("45-40", "page number", 1), Dropped("CONTENTS & <index>", "contents list", 27)),
        warnings=("letter CPSU→CPC 1963-11-29 (zh) has no English counterpart",),
    )


@pytest.fixture
def result() -> AlignmentResult:
    return make_result()


def clean(text: str) -> str:
    return strip_illegal_xml(text)[0]


# ---------------------------------------------------------------- TMX


def test_tmx_structure(result: AlignmentResult, tmp_path: Path) -> None:
    path = tmp_path / "out.tmx"
    write_tmx(result, path, creationdate="20240131T120000Z")
    raw = path.read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">')
    root = ET.parse(path).getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert header is not None
    assert header.attrib == {
        "creationtool": "aligner",
        "creationtoolversion": "0.1.0",
        "datatype": "plaintext",
        "segtype": "paragraph",
        "adminlang": "en",
        "srclang": "zh-CN",
        "o-tmf": "aligner",
        "creationdate": "20240131T120000Z",
    }
    props = {p.get("type"): p.text for p in header.findall("prop")}
    assert props["x-signature"] == SIG.format()
    assert props["x-zh-path"] == result.zh_path
    tus = root.findall("body/tu")
    two_sided = [b for b in BEADS if b.src and b.tgt]
    assert len(tus) == len(two_sided) == 5
    la = result.letters[0]
    for tu, bead in zip(tus, two_sided, strict=True):
        tuvs = tu.findall("tuv")
        assert [t.get(XML_LANG) for t in tuvs] == ["zh-CN", "en"]
        zh, en = la.texts(bead)
        assert [t.findtext("seg") for t in tuvs] == [clean(zh), clean(en)]
        tu_props = {p.get("type"): p.text for p in tu.findall("prop") if p.get(XML_LANG) is None}
        assert tu_props["x-letter"] == "CPC→CPSU 1964-05-07"
        assert tu_props["x-sender"] == "CPC" and tu_props["x-date"] == "1964-05-07"
        assert tu_props["x-bead-type"] == bead.kind
        assert tu_props["x-zh-units"] == ",".join(map(str, bead.src))
        assert float(tu_props["x-score"]) == pytest.approx(bead.score)
        assert tu_props["x-pairing"] == "date+sender"
        titles = {p.get(XML_LANG): p.text for p in tu.findall("prop[@type='x-title']")}
        assert titles == {"zh-CN": ZH[0], "en": EN[0]}


def test_tmx_escapes_and_strips(result: AlignmentResult, tmp_path: Path) -> None:
    path = tmp_path / "out.tmx"
    write_tmx(result, path)
    text = path.read_text(encoding="utf-8")
    assert "\x07" not in text and "\x00" not in text and "\x0b" not in text
    assert "AT&amp;T &lt;机密&gt; &quot;引号&quot;" in text
    assert "&#13;" in text  # the carriage return survives parsing
    segs = [s.text for s in ET.parse(path).getroot().iter("seg")]
    assert 'AT&T <机密> "引号" 与警报\r结束' in segs
    assert 'Fish & chips <b>"quoted"</b>\tand a tab\nand a newline, a back\\slash and a NUL here' in segs


def test_tmx_is_deterministic_without_creationdate(result: AlignmentResult, tmp_path: Path) -> None:
    a, b = tmp_path / "a.tmx", tmp_path / "b.tmx"
    write_tmx(result, a)
    write_tmx(make_result(), b)
    assert a.read_bytes() == b.read_bytes()
    assert "creationdate" not in ET.parse(a).getroot().find("header").attrib


def test_tmx_sentence_level_segtype(tmp_path: Path) -> None:
    path = tmp_path / "s.tmx"
    write_tmx(make_result("sentence"), path)
    assert ET.parse(path).getroot().find("header").get("segtype") == "sentence"


@pytest.mark.parametrize("bad", ["2024-01-31", "20240131T120000", "20241331T120000Z", 20240131])
def test_tmx_rejects_bad_creationdate(result: AlignmentResult, tmp_path: Path, bad: object) -> None:
    with pytest.raises(ValueError, match="creationdate"):
        write_tmx(result, tmp_path / "x.tmx", creationdate=bad)  # type: ignore[arg-type]


def test_tmx_accepts_aware_datetime(result: AlignmentResult, tmp_path: Path) -> None:
    from datetime import datetime, timedelta, timezone

    when = datetime(2024, 1, 31, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    write_tmx(result, tmp_path / "x.tmx", creationdate=when)
    assert ET.parse(tmp_path / "x.tmx").getroot().find("header").get("creationdate") == "20240131T120000Z"
    with pytest.raises(ValueError, match="creationdate"):
        write_tmx(result, tmp_path / "y.tmx", creationdate=datetime(2024, 1, 31))


def test_tmx_rejects_unknown_level(tmp_path: Path) -> None:
    bad = AlignmentResult(letters=(), level="word", signature=SIG)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="result.level"):
        write_tmx(bad, tmp_path / "x.tmx")


def test_strip_illegal_xml() -> None:
    assert strip_illegal_xml("a\x00b\x1fc\td\ne\rf\ufffeg") == ("abc\td\ne\rfg", 3)


# ---------------------------------------------------------------- TSV


def test_tsv_one_line_per_bead(result: AlignmentResult, tmp_path: Path) -> None:
    path = tmp_path / "out.tsv"
    write_tsv(result, path)
    text = path.read_text(encoding="utf-8")
    n_beads = sum(len(la.beads) for la in result.letters)
    lines = text.splitlines()  # splits on \v, \x1c, \u2028 ... too: nothing may break a row
    assert len(lines) == n_beads + 1
    rows = [line.split("\t") for line in lines]
    assert rows[0] == list(COLUMNS)
    assert {len(r) for r in rows} == {len(COLUMNS)}
    assert rows[1][:7] == ["CPC→CPSU 1964-05-07", "1964-05-07", "0", "[0]", "[0,1,2,3]", "1-4", "0.710000"]
    assert rows[6][3:6] == ["[6]", "[]", "1-0"]
    assert rows[7][3:6] == ["[]", "[9]", "0-1"]
    assert rows[8][0] == "CPSU→CPC 1963-11-29" and rows[8][8] == ""
    la = result.letters[0]
    for row, bead in zip(rows[1:8], BEADS, strict=True):
        assert [unescape_field(row[7]), unescape_field(row[8])] == list(la.texts(bead))


@pytest.mark.parametrize("text", ["plain", "a\tb\nc\rd\\e", "x\x0by\x0cz\x1c\x85\u2028\u2029", r"\n literal"])
def test_tsv_escape_round_trip(text: str) -> None:
    escaped = escape_field(text)
    assert len(escaped.splitlines()) <= 1 and "\t" not in escaped
    assert unescape_field(escaped) == text


# ---------------------------------------------------------------- JSONL


def test_jsonl_schema(result: AlignmentResult, tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    write_jsonl(result, path)
    text = path.read_text(encoding="utf-8")
    assert "中国共产党" in text  # ensure_ascii=False
    records = [json.loads(line) for line in text.splitlines()]
    header, beads = records[0], records[1:]
    assert header["type"] == "header" and header["schema"] == 1
    assert header["signature"] == SIG.format()
    assert header["options"] == {"level": "paragraph", "max_align": "4"}
    assert header["level"] == "paragraph" and header["zh_path"] == result.zh_path
    assert header["beads"] == len(beads) == 10 and header["letters"] == 2
    assert header["dropped"][1] == {"text": "CONTENTS & <index>", "reason": "contents list", "line": 27}
    first = beads[0]
    assert first["letter"] == "CPC→CPSU 1964-05-07" and first["method"] == "date+sender"
    assert first["zh_letter"]["sender"] == "CPC" and first["en_letter"]["title"] == EN[0]
    assert first["zh_text"] == [ZH[0]] and first["en_text"] == list(EN[:4])
    assert first["bead_type"] == "1-4" and first["score"] == 0.71
    assert beads[3]["zh_indices"] == [3, 4] and beads[3]["en_paragraphs"] == [7]
    assert beads[4]["en_text"] == [EN[8]]  # control characters are kept, JSON-escaped
    lone = beads[7]
    assert lone["letter"] == "CPSU→CPC 1963-11-29" and lone["en_letter"] is None
    assert lone["method"] == "unpaired"


def test_jsonl_round_trip(result: AlignmentResult, tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    result.save(path)
    assert read_jsonl_beads(path) == {
        key: [(b.src, b.tgt) for b in la.beads]
        for key, la in zip(letter_keys(result.letters), result.letters, strict=True)
    }


def test_jsonl_escapes_unicode_line_breaks(tmp_path: Path) -> None:
    la = make_result(unpaired=False).letters[0]
    odd = LetterAlignment(
        la.pair, la.level, (Unit("上\u2028下\x85", 0),), (Unit("a\u2029b\nc", 0),), (Bead((0,), (0,), 0.5),)
    )
    single = AlignmentResult(letters=(odd,), level="paragraph", signature=SIG)
    path = tmp_path / "odd.jsonl"
    write_jsonl(single, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    bead = json.loads(lines[1])
    assert bead["zh_text"] == ["上\u2028下\x85"] and bead["en_text"] == ["a\u2029b\nc"]


def test_jsonl_minimal_gold_and_errors(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"letter": "A", "zh_indices": [0], "en_indices": [0, 1]}\n\n'
        '{"type": "note", "text": "skipped"}\n'
        '{"letter": "A", "zh_indices": [1], "en_indices": []}\n',
        encoding="utf-8",
    )
    assert read_jsonl_beads(gold) == {"A": [((0,), (0, 1)), ((1,), ())]}
    bad = tmp_path / "bad.jsonl"
    for content, message in [
        ('{"letter": "A", "zh_indices": [0], "en_indices": [0]}\n{oops\n', r"bad\.jsonl:2: not valid JSON"),
        ('{"letter": "A", "zh_indices": [0]}\n', "lacks 'en_indices'"),
        ('{"letter": "A", "zh_indices": ["0"], "en_indices": []}\n', "zh_indices"),
        ("[1, 2]\n", "expected a JSON object"),
    ]:
        bad.write_text(content, encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            read_jsonl_beads(bad)


def test_letter_keys_are_unique() -> None:
    la = make_result(unpaired=False).letters[0]
    front = Letter("zh", ("前言",), kind="front")
    front_en = Letter("en", ("Note",), kind="front")
    front_pair = LetterAlignment(LetterPair(front, front_en, "order"), "paragraph", (), (), ())
    assert letter_keys([front_pair, la, la, la]) == [
        "front matter",
        "CPC→CPSU 1964-05-07",
        "CPC→CPSU 1964-05-07 #2",
        "CPC→CPSU 1964-05-07 #3",
    ]


# ---------------------------------------------------------------- HTML


class _Page(HTMLParser):
    """Collects row classes by id, checks tags are balanced and finds external references."""

    VOID = {"meta", "br", "col", "img", "link", "input", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.rows: dict[str, str] = {}
        self.external: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "tr" and a.get("id"):
            self.rows[a["id"] or ""] = a.get("class") or ""
        for name in ("src", "href"):
            if a.get(name) and not (a[name] or "").startswith("#"):
                self.external.append(a[name] or "")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>, open: {self.stack[-3:]}"
        self.stack.pop()


def _parse_page(path: Path) -> tuple[str, _Page]:
    text = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    page.close()
    assert page.stack == []
    return text, page


def test_html_page(result: AlignmentResult, tmp_path: Path) -> None:
    path = tmp_path / "review.html"
    write_html(result, path)
    text, page = _parse_page(path)
    assert text.startswith("<!DOCTYPE html>")
    assert page.external == [] and "script" not in page.tags and "http" not in text
    for la in result.letters:
        for unit in la.zh_units + la.en_units:
            assert escape(clean(unit.text).replace("\r", "\n")) in text
    assert "&lt;b&gt;&quot;quoted&quot;&lt;/b&gt;" in text and '<b>"quoted"' not in text
    assert "\x07" not in text and "\x00" not in text
    assert {r for r, cls in page.rows.items() if "low" in cls.split()} == LOW_ROWS
    assert {r for r, cls in page.rows.items() if "gap" in cls.split()} == GAP_ROWS
    assert len(page.rows) == 10
    assert text.count("— no counterpart —") == len(GAP_ROWS)
    assert SIG.format() in text and "CPC → CPSU" in text and "date+sender" in text
    assert "1 paired, 1 unpaired" in text
    assert re.search(r"<details><summary>Show the 2 lines the readers removed</summary>", text)
    assert "CONTENTS &amp; &lt;index&gt;" in text
    assert escape(result.warnings[0]) in text


def test_html_threshold(result: AlignmentResult, tmp_path: Path) -> None:
    path = tmp_path / "review.html"
    write_html(result, path, threshold=0.9)
    _, page = _parse_page(path)
    assert {r for r, cls in page.rows.items() if "low" in cls.split()} == {"l0-b0", "l0-b2", "l0-b3", "l0-b4"}
    write_html(result, path, threshold=0.0)
    _, page = _parse_page(path)
    assert not any("low" in cls.split() for cls in page.rows.values())
    assert 0.0 < LOW_CONFIDENCE < 1.0


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "0.5", True])
def test_html_rejects_bad_threshold(result: AlignmentResult, tmp_path: Path, bad: object) -> None:
    with pytest.raises(ValueError, match="threshold"):
        write_html(result, tmp_path / "x.html", threshold=bad)  # type: ignore[arg-type]


def test_html_empty_result(tmp_path: Path) -> None:
    empty = AlignmentResult(letters=(), level="sentence", signature=SIG)
    write_html(empty, tmp_path / "e.html")
    text, _ = _parse_page(tmp_path / "e.html")
    assert "0 paired, 0 unpaired" in text and "The readers dropped nothing." in text


# ---------------------------------------------------------------- save() dispatch


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("out.tmx", '<?xml version="1.0" encoding="UTF-8"?>'),
        ("out.TSV", "letter\tdate\tbead"),
        ("out.jsonl", '{"type": "header"'),
        ("out.html", "<!DOCTYPE html>"),
        ("out.htm", "<!DOCTYPE html>"),
    ],
)
def test_save_dispatches_by_extension(result: AlignmentResult, tmp_path: Path, name: str, start: str) -> None:
    result.save(tmp_path / name)
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(start)


def test_save_align_single_letter(tmp_path: Path) -> None:
    single = make_result(unpaired=False)
    single.save(str(tmp_path / "out.align"))
    assert read_beads(tmp_path / "out.align") == [(b.src, b.tgt) for b in BEADS]


def test_save_align_rejects_several_letters(result: AlignmentResult, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="to_beads"):
        result.save(tmp_path / "out.align")


@pytest.mark.parametrize("name", ["out.txt", "out", "out.xml"])
def test_save_rejects_unknown_extension(result: AlignmentResult, tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"path: unknown output extension"):
        result.save(tmp_path / name)
    assert not (tmp_path / name).exists()


def test_result_to_tmx_passes_creationdate(result: AlignmentResult, tmp_path: Path) -> None:
    path = tmp_path / "d.tmx"
    result.to_tmx(path, creationdate="20240131T120000Z")
    assert ET.parse(path).getroot().find("header").get("creationdate") == "20240131T120000Z"
    result.to_tmx(path)
    assert "creationdate" not in ET.parse(path).getroot().find("header").attrib
