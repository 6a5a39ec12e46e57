"""Letters: dates, parties, splitting the three real files and small documents, pairing."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import EN_PAIR, ZH_PAIR, ZH_SEED

from aligner import letters as letters_mod
from aligner.errors import InputError
from aligner.letters import (
    PARTY_ALIASES,
    normalize_party,
    pair_letters,
    parse_en_date,
    parse_zh_date,
    split_letters,
)
from aligner.readers import read_document
from aligner.types import Document, Letter, LetterPair, Section

# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("一九六三年三月九日", None, "1963-03-09"),
        ("1963年3月9日", None, "1963-03-09"),
        ("１９６３年３月９日", None, "1963-03-09"),
        ("一九六三年十一月二十九日", None, "1963-11-29"),
        ("一九六三年二月二十一日，莫斯科", None, "1963-02-21"),
        ("一九六○年十二月一日", None, "1960-12-01"),
        ("一九六四年三月三十一日", None, "1964-03-31"),
        ("中共中央一九六四年五月七日给苏共中央的信", None, "1964-05-07"),
        ("二月二十日", 1964, "1964-02-20"),
        ("二月二十日", None, None),  # no year, none from context
        ("一九六四年五月", None, None),  # no day
        ("一九六三年二月三十日", None, None),  # no such day
        ("没有日期。", None, None),
    ],
)
def test_parse_zh_date(text, year, expected):
    assert parse_zh_date(text, year=year) == expected


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("May 7, 1964", None, "1964-05-07"),
        ("7 May 1964", None, "1964-05-07"),
        ("OF THE CPC OF MAY 7, 1964 TO THE", None, "1964-05-07"),
        ("Sept. 3, 1964", None, "1964-09-03"),
        ("November 29th, 1963", None, "1963-11-29"),
        ("1964-05-07", None, "1964-05-07"),
        ("Moscow, March 7, 1964", None, "1964-03-07"),
        ("February 20, 27 and 29", None, None),  # a list of days, not one date
        ("February 20, 27 and 29", 1964, None),
        ("its earlier letters of February 20, 27 and 29, 1964, and", None, None),
        ("on February 14-15 this year", 1964, None),
        ("on 6 and 7 May 1964", None, None),
        ("May 7", None, None),
        ("May 7", 1964, "1964-05-07"),
        ("February 30, 1964", None, None),
        ("Dear Comrades,", None, None),
    ],
)
def test_parse_en_date(text, year, expected):
    assert parse_en_date(text, year=year) == expected


# ------------------------------------------------------------------ parties


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("中共中央", "CPC"), ("中国共产党中央委员会", "CPC"), ("CPC", "CPC"),
        ("Communist Party of China", "CPC"),
        ("THE CENTRAL COMMITTEE OF THE CPC", "CPC"), ("致中国共产党中央委员会毛泽东同志", "CPC"),
        ("苏共中央", "CPSU"), ("苏联共产党中央委员会", "CPSU"), ("CPSU", "CPSU"),
        ("the Central Committee of the Communist Party of the Soviet Union", "CPSU"),
        ("苏联共产党中央委员会第一书记  尼·赫鲁晓夫（签字）", "CPSU"),
        ("Workers'  Party of Korea.", "Workers' Party of Korea"),  # unknown: kept as written
        ("越南劳动党中央委员会", "越南劳动党中央委员会"),
    ],
)
def test_normalize_party(name, expected):
    assert normalize_party(name) == expected


def test_party_table_is_easy_to_extend(monkeypatch):
    monkeypatch.setitem(PARTY_ALIASES, "WPV", ("越南劳动党", "Workers' Party of Vietnam"))
    assert normalize_party("越南劳动党中央委员会") == "WPV"
    assert normalize_party("the Workers' Party of Vietnam") == "WPV"


# ------------------------------------------------------------------ splitting the real files


def _check_every_paragraph_once(doc, letters):
    for k, section in enumerate(doc.sections):
        mine = [lt for lt in letters if lt.section == k]
        assert [p for lt in mine for p in lt.paragraphs] == list(section.paragraphs)
        for lt in mine:
            assert lt.paragraphs == section.paragraphs[lt.start : lt.start + len(lt.paragraphs)]
            assert lt.source == doc.path and lt.lang == doc.lang and lt.paragraphs
    assert sum(len(lt.paragraphs) for lt in letters) == doc.n_paragraphs


@pytest.mark.parametrize("path", [ZH_SEED, EN_PAIR, ZH_PAIR])
def test_every_paragraph_in_exactly_one_letter(path):
    doc = read_document(path)
    _check_every_paragraph_once(doc, split_letters(doc))


def test_split_peoples_daily_seed():
    letters = split_letters(read_document(ZH_SEED))
    got = [(lt.kind, lt.sender, lt.recipient, lt.date, lt.title, lt.start, len(lt.paragraphs))
           for lt in letters]
    assert got == [
        ("letter", "CPC", "CPSU", "1963-03-09", "中共中央致苏共中央的信", 0, 36),
        # no heading of its own: it starts after the closing date of the first letter, and its
        # title comes from the record's subtitle
        ("letter", "CPSU", "CPC", "1963-02-21", "苏共中央致中共中央的信", 36, 25),
    ]
    first, second = letters
    assert first.paragraphs[0] == "中共中央致苏共中央的信苏联共产党中央委员会亲爱的同志们："
    assert first.paragraphs[-4:] == ("此致", "共产主义敬礼！", "中国共产党中央委员会", "一九六三年三月九日")
    assert second.paragraphs[:2] == ("中国共产党中央委员会", "亲爱的同志们！")
    assert second.paragraphs[-4:] == (
        "此致", "共产主义敬礼！", "苏联共产党中央委员会", "一九六三年二月二十一日，莫斯科"
    )
    assert [lt.label for lt in letters] == ["CPC→CPSU 1963-03-09", "CPSU→CPC 1963-02-21"]


ZH_JSON_LETTERS = [
    # kind, sender, recipient, date, start, first paragraph (prefix), last paragraph (prefix)
    ("front", None, None, None, 0, "中共中央和苏共中央来往的七封信",
     "（新华社北京八日电）苏共领导今年四月三日公布的"),
    ("letter", "CPC", "CPSU", "1964-05-07", 2,
     "中共中央一九六四年五月七日给苏共中央的信苏联共产党中央委员会亲爱的同志们：", "一九六四年五月七日"),
    ("letter", "CPC", "CPSU", "1964-02-20", 34,
     "中共中央一九六四年二月二十日给苏共中央的信", "一九六四年二月二十日"),
    ("letter", "CPC", "CPSU", "1964-02-27", 45,
     "中共中央一九六四年二月二十七日给苏共中央的信", "一九六四年二月二十七日"),
    ("letter", "CPC", "CPSU", "1964-02-29", 59,
     "中共中央一九六四年二月二十九日给苏共中央的信", "一九六四年二月二十九日"),
    ("letter", "CPSU", "CPC", "1963-11-29", 140,
     "苏共中央一九六三年十一月二十九日给中共中央的信致中国共产党中央委员会毛泽东同志",
     "一九六三年十一月二十九日"),
    ("letter", "CPSU", "CPC", "1964-02-22", 179,
     "苏共中央一九六四年二月二十二日给中共中央的信", "一九六四年二月二十二日"),
    ("letter", "CPSU", "CPC", "1964-03-07", 212,
     "苏共中央一九六四年三月七日给中共中央的信", "一九六四年三月七日"),
]


def test_split_archive_json():
    letters = split_letters(read_document(ZH_PAIR))
    assert len(letters) == 8
    for lt, (kind, sender, recipient, date, start, first, last) in zip(letters, ZH_JSON_LETTERS, strict=True):
        assert (lt.kind, lt.sender, lt.recipient, lt.date, lt.start) == (kind, sender, recipient, date, start)
        assert lt.paragraphs[0].startswith(first)
        assert lt.paragraphs[-1].startswith(last)
    assert letters[0].paragraphs[-1].endswith("一九六四年二月二十二日、三月七日给中共中央的信件。")
    assert [len(lt.paragraphs) for lt in letters] == [2, 32, 11, 14, 81, 39, 33, 46]
    assert letters[1].title == "中共中央一九六四年五月七日给苏共中央的信"
    assert letters[5].title == "苏共中央一九六三年十一月二十九日给中共中央的信"
    assert letters[5].paragraphs[-2:] == (
        "苏联共产党中央委员会第一书记  尼·赫鲁晓夫（签字）", "一九六三年十一月二十九日"
    )
    assert letters[1].paragraphs[-3:] == ("致兄弟的敬礼！", "中国共产党中央委员会", "一九六四年五月七日")
    assert (letters[0].title, letters[0].label) == (None, "front matter (zh)")


def test_split_english_seed():
    letters = split_letters(read_document(EN_PAIR))
    assert [(lt.kind, lt.sender, lt.recipient, lt.date, lt.start, len(lt.paragraphs)) for lt in letters] == [
        ("front", None, None, None, 0, 3),
        ("letter", "CPC", "CPSU", "1964-05-07", 3, 23),
    ]
    front, letter = letters
    assert front.paragraphs[0].startswith("SEVEN LETTERS EXCHANGED BETWEEN THE CENTRAL COMMITTEES")
    assert front.paragraphs[1].startswith("The documents of the February Plenum")
    assert front.paragraphs[2].startswith(
        "The letter of the Central Committee of the CPC of May 7, 1964 to the Central "
        "Committee of the CPSU, its earlier letters"
    )
    title = "LETTER OF THE CENTRAL COMMITTEE OF THE CPC OF MAY 7, 1964 TO THE CENTRAL COMMITTEE OF THE CPSU"
    assert letter.title == title
    assert letter.paragraphs[:4] == (
        title, "May 7, 1964", "The Central Committee of the Communist Party of the Soviet Union",
        "Dear Comrades,",
    )
    assert letter.paragraphs[-1].startswith("Comrades! We are against a split.")
    assert letter.paragraphs[-1].endswith("the holding of talks between")


# ------------------------------------------------------------------ splitting small documents


def _doc(*paragraphs, lang="zh", headings=(), **section):
    section = Section(tuple(paragraphs), headings=frozenset(headings), **section)
    return Document("mem", "plain", lang, (section,))


def test_no_heading_is_one_letter():
    doc = _doc("这是一篇文章。", "没有信的标题。", "第三段。")
    assert split_letters(doc) == [Letter("zh", doc.sections[0].paragraphs, source="mem")]


@pytest.mark.parametrize(
    ("heading", "sender", "recipient", "date", "title"),
    [
        ("中共中央致苏共中央的信", "CPC", "CPSU", "1963-03-09", "中共中央致苏共中央的信"),
        ("中共中央一九六四年五月七日给苏共中央的信苏联共产党中央委员会亲爱的同志们：",
         "CPC", "CPSU", "1964-05-07", "中共中央一九六四年五月七日给苏共中央的信"),
        ("越南劳动党中央委员会给中共中央的复信", "越南劳动党中央委员会", "CPC", "1963-03-09",
         "越南劳动党中央委员会给中共中央的复信"),
    ],
)
def test_zh_headings(heading, sender, recipient, date, title):
    doc = _doc("前言。", heading, "正文。", "此致", "敬礼！", "某某", "一九六三年三月九日")
    front, letter = split_letters(doc)
    assert (front.kind, front.paragraphs) == ("front", ("前言。",))
    assert (letter.sender, letter.recipient, letter.date, letter.title) == (sender, recipient, date, title)


@pytest.mark.parametrize(
    ("heading", "sender", "recipient", "date"),
    [
        ("LETTER OF THE CENTRAL COMMITTEE OF THE CPSU OF MARCH 7, 1964 TO THE CENTRAL COMMITTEE OF THE CPC",
         "CPSU", "CPC", "1964-03-07"),
        ("Letter from the Central Committee of the CPSU to the Central Committee of the CPC, March 7, 1964",
         "CPSU", "CPC", "1964-03-07"),
        ("Letter from the Workers' Party of Vietnam to the CPC",
         "the Workers' Party of Vietnam", "CPC", None),
    ],
)
def test_en_headings(heading, sender, recipient, date):
    doc = _doc(heading, "Dear Comrades,", "We write to you.", lang="en")
    (letter,) = split_letters(doc)
    assert (letter.kind, letter.sender, letter.recipient, letter.date, letter.title) == (
        "letter", sender, recipient, date, heading)


def test_body_sentences_are_not_headings():
    doc = _doc(
        "你们在今年二月二十二日给我们的信件中透露，你们在那封反华信件中号召。",
        "The letter of the Central Committee of the CPC of May 7, 1964 to the Central Committee of the CPSU, "
        "its earlier letters of February 20, 27 and 29, 1964, are herewith reproduced.",
    )
    assert [lt.kind for lt in split_letters(doc)] == ["letter"]


def test_letters_without_headings_split_after_the_closing():
    doc = _doc(
        "中国共产党中央委员会", "亲爱的同志们：", "第一封信的正文。",
        "此致", "共产主义敬礼！", "苏联共产党中央委员会", "二月二十一日",
        "苏联共产党中央委员会", "亲爱的同志们：", "第二封信的正文。",
        "中国共产党中央委员会", "一九六三年三月九日",
        date="1963-03-14",
    )
    letters = split_letters(doc)
    assert [(lt.kind, lt.sender, lt.recipient, lt.date, lt.start) for lt in letters] == [
        ("letter", "CPSU", "CPC", "1963-02-21", 0),  # year of the date from the record's date
        ("letter", "CPC", "CPSU", "1963-03-09", 7),
    ]


def test_english_closing_and_date_line_under_the_heading():
    doc = _doc(
        "LETTER OF THE CC OF THE CPC TO THE CC OF THE CPSU", "May 7, 1964", "Dear Comrades,", "Body.",
        "With fraternal greetings,", "The Central Committee of the Communist Party of China",
        "LETTER OF THE CC OF THE CPSU TO THE CC OF THE CPC", "Dear Comrades,", "Body.",
        "With communist greetings,", "The Central Committee of the CPSU", "Moscow, March 7, 1964",
        lang="en",
    )
    letters = split_letters(doc)
    assert [(lt.sender, lt.recipient, lt.date, lt.start, len(lt.paragraphs)) for lt in letters] == [
        ("CPC", "CPSU", "1964-05-07", 0, 6),
        ("CPSU", "CPC", "1964-03-07", 6, 6),
    ]


def test_several_sections_split_separately():
    doc = Document("mem", "peoples_daily", "zh", (
        Section(("中共中央致苏共中央的信", "正文。", "一九六三年三月九日")),
        Section(()),
        Section(("一篇没有信的文章。",)),
    ))
    letters = split_letters(doc)
    assert [(lt.section, lt.start, lt.kind, lt.date) for lt in letters] == [
        (0, 0, "letter", "1963-03-09"), (2, 0, "letter", None)
    ]
    _check_every_paragraph_once(doc, letters)


def test_split_errors():
    with pytest.raises(InputError, match="mem: the document has no paragraphs"):
        split_letters(Document("mem", "plain", "zh", (Section(()),)))
    with pytest.raises(TypeError, match="doc: expected a Document"):
        split_letters("data/x.txt")  # type: ignore[arg-type]


# ------------------------------------------------------------------ pairing


def _key(letter):
    if letter is None:
        return None
    return "front" if letter.kind == "front" else letter.date


def test_pair_real_pair():
    zh = split_letters(read_document(ZH_PAIR))
    en = split_letters(read_document(EN_PAIR))
    pairs = pair_letters(zh, en)
    assert [(_key(p.zh), _key(p.en), p.method, p.score) for p in pairs] == [
        ("front", "front", "order", 1.0),
        ("1964-05-07", "1964-05-07", "date+sender", 1.0),
        ("1964-02-20", None, "unpaired", 0.0),
        ("1964-02-27", None, "unpaired", 0.0),
        ("1964-02-29", None, "unpaired", 0.0),
        ("1963-11-29", None, "unpaired", 0.0),
        ("1964-02-22", None, "unpaired", 0.0),
        ("1964-03-07", None, "unpaired", 0.0),
    ]
    assert pairs[1].zh is zh[1] and pairs[1].en is en[1]


def test_pair_the_two_seeds_nothing_pairs():
    zh = split_letters(read_document(ZH_SEED))
    en = split_letters(read_document(EN_PAIR))
    pairs = pair_letters(zh, en)
    assert [(_key(p.zh), _key(p.en), p.method) for p in pairs] == [
        ("1963-03-09", None, "unpaired"),
        ("1963-02-21", None, "unpaired"),
        (None, "front", "unpaired"),
        (None, "1964-05-07", "unpaired"),
    ]


def _lt(lang, date=None, sender=None, recipient=None, kind="letter", text="x"):
    return Letter(lang, (text,), sender=sender, recipient=recipient, date=date, kind=kind)


def test_pair_by_date_when_a_sender_is_unknown_not_when_senders_differ():
    zh = [_lt("zh", "1964-05-07", "CPC"), _lt("zh", "1964-03-07", "CPSU")]
    en = [_lt("en", "1964-03-07", "CPC"), _lt("en", "1964-05-07", None)]
    pairs = pair_letters(zh, en)
    assert [(p.zh and p.zh.date, p.en and p.en.date, p.method, p.score) for p in pairs] == [
        (None, "1964-03-07", "unpaired", 0.0),  # English position 0: before the pair with English 1
        ("1964-05-07", "1964-05-07", "date", 0.9),
        ("1964-03-07", None, "unpaired", 0.0),
    ]


def test_pair_prefers_matching_recipient():
    zh = [_lt("zh", "1964-05-07", "CPC", "CPSU")]
    en = [_lt("en", "1964-05-07", "CPC", "WPK"), _lt("en", "1964-05-07", "CPC", "CPSU")]
    pairs = pair_letters(zh, en)
    assert pairs[0] == LetterPair(None, en[0], "unpaired", 0.0)
    assert pairs[1].en is en[1] and pairs[1].method == "date+sender"


def test_pair_order_fallback_only_for_single_compatible_letters():
    a, b = _lt("zh"), _lt("en", "1964-05-07", "CPC")
    assert [(p.method, p.score) for p in pair_letters([a], [b])] == [("order", 0.3)]
    c = _lt("zh", "1963-03-09")  # dates contradict
    assert [p.method for p in pair_letters([c], [b])] == ["unpaired", "unpaired"]
    two = [_lt("zh"), _lt("zh", text="y")]  # not a single letter per side
    assert [p.method for p in pair_letters(two, [b])] == ["unpaired", "unpaired", "unpaired"]


def test_pair_by_similarity_mutual_best_above_threshold():
    zh = [_lt("zh", text="a"), _lt("zh", text="b"), _lt("zh", text="c")]
    en = [_lt("en", text="B"), _lt("en", text="A"), _lt("en", text="C")]
    calls = []

    def similarity(zs, es):
        calls.append(([z.paragraphs[0] for z in zs], [e.paragraphs[0] for e in es]))
        return np.array([[0.1, 0.9, 0.2], [0.8, 0.3, 0.1], [0.2, 0.1, 0.4]])

    pairs = pair_letters(zh, en, similarity)
    assert calls == [(["a", "b", "c"], ["B", "A", "C"])]
    assert [(p.zh and p.zh.paragraphs[0], p.en and p.en.paragraphs[0], p.method, p.score) for p in pairs] == [
        ("a", "A", "similarity", 0.9),
        ("b", "B", "similarity", 0.8),
        ("c", None, "unpaired", 0.0),  # 0.4 is below the threshold
        (None, "C", "unpaired", 0.0),
    ]
    assert [p.method for p in pair_letters(zh, en, similarity, threshold=0.3)] == ["similarity"] * 3


def test_similarity_not_used_for_letters_already_paired_and_no_order_fallback():
    zh = [_lt("zh", "1964-05-07", "CPC"), _lt("zh")]
    en = [_lt("en", "1964-05-07", "CPC")]
    pairs = pair_letters(zh, en, lambda z, e: pytest.fail("called with nothing to pair"))
    assert [p.method for p in pairs] == ["date+sender", "unpaired"]
    single = pair_letters([_lt("zh")], [_lt("en")], lambda z, e: np.zeros((1, 1)))
    assert [p.method for p in single] == ["unpaired", "unpaired"]  # with similarity: no order fallback


def test_unpaired_english_inserted_by_english_position():
    zh = [_lt("zh", kind="front"), _lt("zh", "1964-01-01", "CPC"), _lt("zh", "1964-03-01", "CPC")]
    en = [_lt("en", "1964-01-01", "CPC"), _lt("en", "1964-02-01", "CPC"), _lt("en", "1964-03-01", "CPC"),
          _lt("en", "1964-04-01", "CPC")]
    pairs = pair_letters(zh, en)
    assert [(_key(p.zh), _key(p.en)) for p in pairs] == [
        ("front", None), ("1964-01-01", "1964-01-01"), (None, "1964-02-01"), ("1964-03-01", "1964-03-01"),
        (None, "1964-04-01"),
    ]


def test_pair_errors():
    with pytest.raises(TypeError, match=r"en\[0\]: expected a Letter"):
        pair_letters([], ["not a letter"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="similarity: expected a callable"):
        pair_letters([], [], similarity=0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"threshold: expected a number in \[0, 1\]"):
        pair_letters([], [], threshold=1.5)
    with pytest.raises(ValueError, match="similarity: expected a 1x1 matrix"):
        pair_letters([_lt("zh")], [_lt("en")], lambda z, e: np.zeros((2, 2)))
    assert pair_letters([], []) == []


def test_module_has_no_heavy_imports():
    assert "numpy" not in letters_mod.__dict__
