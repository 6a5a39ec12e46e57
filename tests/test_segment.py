"""Sentence splitting and length measures, on the real letters and the Bible set."""

from __future__ import annotations

import doctest
import json
import re
import subprocess
import sys

import pytest
from conftest import BIBLE, EN_PAIR, ZH_PAIR, ZH_SEED

import aligner.segment as segment
from aligner.segment import count_tokens, is_cjk, split_sentences, text_length


def _zh_paragraphs() -> list[str]:
    parts = json.loads(ZH_PAIR.read_text(encoding="utf-8"))["parts"]
    return [p["text"] for p in parts]


def _peoples_daily_paragraphs() -> list[str]:
    lines = ZH_SEED.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.startswith("    ") and line.strip()]


def _en_paragraphs() -> list[str]:
    return [p for p in EN_PAIR.read_text(encoding="utf-8").split("\n\n") if p.strip()]


def _bible(lang: str, n: int = 300) -> list[str]:
    return (BIBLE / f"{lang}.txt").read_text(encoding="utf-8").splitlines()[:n]


def _assert_verbatim(text: str, pieces: list[str]) -> None:
    """``text`` is ws + pieces[0] + ws + pieces[1] + ... + ws, every ws whitespace only."""
    pos = 0
    for piece in pieces:
        assert piece and piece == piece.strip()
        k = text.index(piece, pos)
        assert not text[pos:k].strip(), f"non-space text dropped before {piece!r}: {text[pos:k]!r}"
        pos = k + len(piece)
    assert not text[pos:].strip()
    # Equivalently: the concatenation is the input minus the whitespace between the pieces.
    assert "".join(pieces) == "".join(text[a:b] for a, b in _piece_spans(text, pieces))


def _piece_spans(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for piece in pieces:
        k = text.index(piece, pos)
        spans.append((k, k + len(piece)))
        pos = k + len(piece)
    return spans


# ------------------------------------------------------------------ Chinese, real paragraphs


def test_zh_seed_paragraph_with_embedded_quotations():
    # Paragraph 5 of the Seven Letters: quotations inside sentences are never split.
    assert split_sentences(_zh_paragraphs()[4], "zh") == [
        "你们在来信中口口声声说要“尽快地调整现存的分歧”，要“停止共产党之间的公开论战”，"
        "要“尽一切努力”来“促进共产主义运动的一致的加强”。",
        "但是，事实表明，你们这些冠冕堂皇的话，完全是骗人的。",
        "在你们发出这封信之前和以后，你们一直没有停止对中国共产党和其他马克思列宁主义兄弟党的攻击。",
        "你们在几个月来召开的国际民主组织的会议中，毫无例外地大肆宣扬和推行你们的错误路线，进行反华活动。",
        "在三月七日信件的三个星期之前，今年二月中旬，你们就在有六千人参加的苏共中央全会上作了反华报告和通过了反华决议，"
        "要“大声阐明”中国共产党的“错误”，要“公开地、坚决地反击”中国共产党。",
    ]


def test_zh_seed_quotation_of_whole_sentences_is_split_like_running_text():
    # Lenin quoted after "：": split inside, the closing quote stays with its sentence,
    # and the citation in brackets becomes its own unit.
    assert split_sentences(_zh_paragraphs()[234], "zh") == [
        "我们没有权利忘记弗·伊·列宁的遗训，他告诫说，共产党人之间的不和有利于帝国主义者。",
        "列宁说：“有辩论就有争执，有争执就有纠纷，有纠纷就会使共产党人削弱，所以要抓住时机，趁他们削弱的时候压他们一下！",
        "这已经成了同我们敌对的世界的口号。",
        "这一点我们丝毫不应当忘记。”",
        "（列宁全集，中文版，三十二卷，一五八页）",
    ]


@pytest.mark.parametrize(
    ("index", "expected_sentence"),
    [
        # "……" eliding words inside a quotation
        (
            108,
            "看来你们又是忘记了，早在一九六○年十月十日，我们在二十六个兄弟党文件起草委员会上的书面发言中就指出："
            "“有些一时不能达成一致的问题，留下来比勉强解决要好……时间会帮助我们消除分歧”。",
        ),
        # "……" inside a book title
        (
            114,
            "最近，你们还出版了《政治问题讲话》、《我们列宁主义的政党》、《使大气层……健康化的条约》、"
            "《关于党的列宁主义学说和现代共产主义运动》、《资本主义的总危机和对外政策》等等反华书籍，"
            "全面地、集中地攻击中国共产党。",
        ),
        # "……" between two quotations
        (
            193,
            "在这一切以后，你们声明说，似乎苏共“背着中国共产党”“在策动反对中共的新的运动”，"
            "实行“两面派的做法”……“进行分裂活动”，这只能使人惊奇。",
        ),
    ],
)
def test_zh_seed_ellipsis_inside_a_sentence_does_not_split(index, expected_sentence):
    assert expected_sentence in split_sentences(_zh_paragraphs()[index], "zh")


def test_zh_seed_semicolon_splits():
    sentences = split_sentences(_zh_paragraphs()[118], "zh")
    assert sentences[-2:] == [
        "你们是准备自己站出来，公开发表声明，承认你们过去对中国共产党的攻击都是造谣诬蔑，把你们扣在中国共产党头上的帽子一律作废；",
        "还是要我们承认你们的判决书，放弃马克思列宁主义的革命旗帜，向你们的修正主义路线屈膝投降呢？",
    ]


# ------------------------------------------------------------------ Chinese, rules one by one


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("  \n\u3000 ", []),
        ("起初神创造天地。", ["起初神创造天地。"]),
        ("地是空虚混沌。渊面黑暗。", ["地是空虚混沌。", "渊面黑暗。"]),
        ("没有句号的标题", ["没有句号的标题"]),
        ("难道这是对的吗？！不是。", ["难道这是对的吗？！", "不是。"]),
        ("真的吗？？是的！！", ["真的吗？？", "是的！！"]),
        ("甲；乙。", ["甲；", "乙。"]),
        ("一。 二。\n三", ["一。", "二。", "三"]),
        # closing quotes and brackets stay with the sentence they close
        ("他说：“我们来了。”然后他走了。", ["他说：“我们来了。”", "然后他走了。"]),
        ("他问：“谁？”’」』我答。", ["他问：“谁？”’」』", "我答。"]),
        ("（见列宁全集第五卷。）下一句。", ["（见列宁全集第五卷。）", "下一句。"]),
        ("他说：“走吧！”。然后", ["他说：“走吧！”。", "然后"]),
        ("她喊道：「快跑！」他跑了。", ["她喊道：「快跑！」", "他跑了。"]),
        # an opening quote starts the next sentence
        ("前一句。“后一句。”", ["前一句。", "“后一句。”"]),
        # quotations embedded in a sentence, titles, continuations: no split
        ("提出了“怎么办？”的问题。好。", ["提出了“怎么办？”的问题。", "好。"]),
        ("要“停止论战！”，来促进团结。", ["要“停止论战！”，来促进团结。"]),
        ("读了《怎么办？》这本书。", ["读了《怎么办？》这本书。"]),
        ("甲（乙。丙。）丁。", ["甲（乙。丙。）丁。"]),
        # ellipsis: a sentence end only before a closing mark or at the end
        ("他说：“我……”她笑了。", ["他说：“我……”", "她笑了。"]),
        ("我们等待着……", ["我们等待着……"]),
        ("省略……之后继续。", ["省略……之后继续。"]),
        ("省略……。下一句。", ["省略……。", "下一句。"]),
        # unbalanced marks (a quotation closed in a later paragraph) never block splitting
        ("“第一句。第二句。", ["“第一句。", "第二句。"]),
        ("第一句。”第二句。", ["第一句。”", "第二句。"]),
        ("半角标点!也算?是的", ["半角标点!", "也算?", "是的"]),
    ],
)
def test_zh_rules(text, expected):
    assert split_sentences(text, "zh") == expected
    _assert_verbatim(text, expected)


@pytest.mark.parametrize("lang", ["zh", "zh-Hans", "zh_TW", "ZH", "ja", "cmn", "yue"])
def test_cjk_codes_use_cjk_rules(lang):
    assert is_cjk(lang)
    assert split_sentences("第一句。第二句。", lang) == ["第一句。", "第二句。"]


@pytest.mark.parametrize("lang", ["en", "en-GB", "fr", "de", "ru", "ko", "xx"])
def test_other_codes_use_punkt(lang):
    assert not is_cjk(lang)
    assert split_sentences("Mr. Smith came. He sat down.", lang) == ["Mr. Smith came.", "He sat down."]


@pytest.mark.parametrize("bad", ["", "   ", None, 3])
def test_bad_lang_raises_value_error_naming_lang(bad):
    for fn in (split_sentences, count_tokens, text_length):
        with pytest.raises(ValueError, match=r"lang must be a non-empty language code.*'zh'"):
            fn("文本。", bad)


def test_text_must_be_str():
    with pytest.raises(ValueError, match="text must be a str"):
        split_sentences(None, "zh")  # type: ignore[arg-type]


# ------------------------------------------------------------------ English


def test_en_abbreviations_and_dates_stay_in_one_sentence():
    assert split_sentences("Mr. Smith met Dr. Jones on Feb. 21", "en") == [
        "Mr. Smith met Dr. Jones on Feb. 21"
    ]
    assert split_sentences("Mr. Smith met Dr. Jones on Feb. 21. They talked.", "en") == [
        "Mr. Smith met Dr. Jones on Feb. 21.",
        "They talked.",
    ]


def test_en_seed_paragraphs_with_initials_and_us():
    paragraphs = _en_paragraphs()
    lenin = next(p for p in paragraphs if "V. I. Lenin" in p)
    assert split_sentences(lenin, "en") == [
        'from public polemics is "the behest of V. I. Lenin".',
        "Which of your two statements is correct?",
        "If you really want a cessation of the public polemics, "
        "does that not mean your 22nd Congress was wrong?",
        "And are you ready to admit your mistake?",
    ]
    us = next(p for p in paragraphs if "U.S. imperialism" in p)
    sentences = split_sentences(us, "en")
    assert len(sentences) == 4
    assert "uniting with U.S. imperialism, the common enemy" in sentences[0]
    assert sentences[1] == (
        "You have tried to impose your erroneous line on fraternal Parties "
        "and on the international democratic organizations."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. The end.", ["The U.S.", "The end."]),
        (
            "Comrade N. S. Khrushchov spoke at the C.P.S.U. congress. It was 1956.",
            ["Comrade N. S. Khrushchov spoke at the C.P.S.U. congress.", "It was 1956."],
        ),
        # nltk's break check misreads "p. 158.)": fixed in our subclass
        (
            'We should never forget this." (Lenin, Collected Works, Vol. 32, p. 158.)',
            ['We should never forget this."', "(Lenin, Collected Works, Vol. 32, p. 158.)"],
        ),
        (
            "He said so. (See Selected Works, Vol. IV, pp. 12-14.) Then he left.",
            ["He said so.", "(See Selected Works, Vol. IV, pp. 12-14.)", "Then he left."],
        ),
        # "!" or "?" then a lower-case word: not a sentence end
        (
            'It says "Stop!" and "Go?" Yes. Why? Because!',
            ['It says "Stop!" and "Go?"', "Yes.", "Why?", "Because!"],
        ),
        ("Very bad acting!!! I promise.", ["Very bad acting!!!", "I promise."]),
        ("", []),
        ("   ", []),
    ],
)
def test_en_rules(text, expected):
    assert split_sentences(text, "en") == expected
    _assert_verbatim(text, expected)


def test_punkt_is_built_once():
    assert segment._punkt_tokenizer() is segment._punkt_tokenizer()


# ------------------------------------------------------------------ the verbatim property, on all real text


def test_every_real_paragraph_splits_verbatim():
    cases = [(p, "zh") for p in _zh_paragraphs() + _peoples_daily_paragraphs() + _bible("zh")]
    cases += [(p, "en") for p in _en_paragraphs() + _bible("en")]
    n_sentences = 0
    for text, lang in cases:
        pieces = split_sentences(text, lang)
        _assert_verbatim(text, pieces)
        n_sentences += len(pieces)
    assert n_sentences > len(cases)


def test_no_zh_sentence_starts_with_continuation_or_closing_mark():
    for text in _zh_paragraphs() + _peoples_daily_paragraphs():
        for sentence in split_sentences(text, "zh"):
            assert sentence[0] not in "，、：”’」』）》。！？；", sentence


# ------------------------------------------------------------------ counts and lengths


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("中国共产党中央委员会收到了来信。", "zh", 4),  # 中国共产党中央委员会/收到/了/来信
        ("我们欢迎你们的这封来信，欢迎来信中所表示的团结的愿望！", "zh", 16),
        ("。！？“”", "zh", 0),
        ("", "zh", 0),
        ("The Central Committee of the CPSU's letter.", "en", 7),
        ("Marxist-Leninist parties -- don't split!", "en", 4),
        ("In 1964, 7 letters.", "en", 4),
        ("...", "en", 0),
        ("こんにちは。", "ja", 5),
    ],
)
def test_count_tokens(text, lang, expected):
    assert count_tokens(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("我们 欢迎。", "zh", 5),
        ("We welcome it.", "en", 12),
        (" \t\n", "en", 0),
        ("起初神创造天地。", "zh", 8),
    ],
)
def test_text_length_counts_non_whitespace_characters(text, lang, expected):
    assert text_length(text, lang) == expected


def test_bible_length_ratio_is_stable():
    # What the length cost relies on: English is about 3.4 times as long as Chinese.
    zh, en = _bible("zh", 2000), _bible("en", 2000)
    ratio = sum(text_length(t, "en") for t in en) / sum(text_length(t, "zh") for t in zh)
    assert 2.5 < ratio < 4.5


def test_docstring_examples():
    assert doctest.testmod(segment).failed == 0


def test_import_is_lazy_and_jieba_is_quiet():
    code = (
        "import sys, aligner.segment as s\n"
        "assert not {'nltk', 'jieba'} & set(sys.modules), 'heavy import at module import'\n"
        "n = s.count_tokens('中国共产党中央委员会收到了来信。', 'zh')\n"
        "assert n == 4, n\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert not re.search(r"\S", proc.stderr), proc.stderr
