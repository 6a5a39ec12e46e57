"""End-to-end tests of align_letters / align_texts with the real bundled model on the real data."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import EN_PAIR, ZH_PAIR, ZH_SEED

from aligner import align_letters, align_texts
from aligner.align import Aligner
from aligner.errors import InputError
from aligner.letters import split_letters
from aligner.readers import read_document


def _cover(la):
    zs = sorted(i for b in la.beads for i in b.src)
    es = sorted(j for b in la.beads for j in b.tgt)
    return zs == list(range(len(la.zh_units))) and es == list(range(len(la.en_units)))


def test_every_input_paragraph_in_exactly_one_bead(pair_result):
    zh_doc = read_document(ZH_PAIR, lang="zh")
    en_doc = read_document(EN_PAIR, lang="en")
    seen_zh: Counter[str] = Counter()
    seen_en: Counter[str] = Counter()
    for la in pair_result.letters:
        assert _cover(la)
        for b in la.beads:
            seen_zh.update(la.zh_units[i].text for i in b.src)
            seen_en.update(la.en_units[j].text for j in b.tgt)
    assert seen_zh == Counter(p for s in zh_doc.sections for p in s.paragraphs)
    assert seen_en == Counter(p for s in en_doc.sections for p in s.paragraphs)


def test_real_pair_letters_paired_and_unpaired_reported(pair_result):
    paired = pair_result.paired
    assert len(paired) == 2
    dates = {la.pair.zh.date for la in paired if la.pair.zh.kind == "letter"}
    assert dates == {"1964-05-07"}
    assert len(pair_result.unpaired) == 6
    assert {la.pair.zh.date for la in pair_result.unpaired} == {
        "1964-02-20",
        "1964-02-27",
        "1964-02-29",
        "1963-11-29",
        "1964-02-22",
        "1964-03-07",
    }
    assert all(not b.tgt for la in pair_result.unpaired for b in la.beads)
    assert len(pair_result.warnings) >= 6


def test_real_pair_matches_gold(pair_result):
    """Every paragraph of the real letter pair aligned as in the hand-made gold."""
    from gold import resolve_gold  # tests/gold.py helper

    for zh_kind_or_date, beads in resolve_gold().items():
        la = next(
            la
            for la in pair_result.paired
            if (la.pair.zh.kind == "front" and zh_kind_or_date == "front") or la.pair.zh.date == zh_kind_or_date
        )
        pred = [(b.src, b.tgt) for b in la.beads]
        assert pred == beads


def test_cut_off_english_leaves_chinese_tail_unaligned(pair_result):
    la = next(la for la in pair_result.paired if la.pair.zh.kind == "letter")
    last = la.beads[-1]
    assert last.tgt == () and last.src == (len(la.zh_units) - 1,)
    assert la.zh_units[last.src[0]].text.startswith("一九六四年五月七日")
    # the English ends mid-paragraph: its last paragraph is still aligned with Chinese text
    en_last = len(la.en_units) - 1
    bead = next(b for b in la.beads if en_last in b.tgt)
    assert bead.src and bead.score > 0.3


def test_sentence_level_inside_paragraphs(embedder):
    r = align_letters(ZH_PAIR, EN_PAIR, level="sentence", model=embedder, cache_dir=None)
    la = next(la for la in r.paired if la.pair.zh.kind == "letter")
    assert la.level == "sentence" and _cover(la)
    assert len(la.zh_units) > 100 and len(la.en_units) > 60
    para = align_letters(ZH_PAIR, EN_PAIR, model=embedder, cache_dir=None)
    pla = next(x for x in para.paired if x.pair.zh.kind == "letter")
    zh_to_bead = {p: k for k, b in enumerate(pla.beads) for p in b.src}
    en_to_bead = {p: k for k, b in enumerate(pla.beads) for p in b.tgt}
    two_sided = 0
    for b in la.beads:
        pars = {zh_to_bead[la.zh_units[i].paragraph] for i in b.src}
        pars |= {en_to_bead[la.en_units[j].paragraph] for j in b.tgt}
        assert len(pars) == 1  # never crosses an aligned paragraph bead
        two_sided += bool(b.src and b.tgt)
    assert two_sided > 50
    opts = dict(r.signature.options)
    assert opts["level"] == "sentence"
    # sentences with the sentence preset, inside paragraphs aligned with the paragraph preset
    assert opts["skip"] == str(Aligner.LEVEL_PRESETS["sentence"]["skip"])
    assert opts["paragraph_skip"] == str(Aligner.LEVEL_PRESETS["paragraph"]["skip"])
    assert dict(para.signature.options)["skip"] == opts["paragraph_skip"]


def test_non_translations_raise_clear_error(embedder):
    with pytest.raises(InputError) as err:
        align_letters(ZH_SEED, EN_PAIR, model=embedder, cache_dir=None)
    msg = str(err.value)
    assert str(ZH_SEED) in msg and str(EN_PAIR) in msg and "pairs" in msg


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "empty"),
        (b"   \n\n  ", "whitespace"),
        ("中文".encode("gb18030") * 20, "UTF-8"),
        (b'{"title": "x"}', "parts"),
    ],
)
def test_bad_input_names_file_and_problem(tmp_path, embedder, content, problem):
    bad = tmp_path / "bad.json" if content.startswith(b"{") else tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(InputError) as err:
        align_letters(bad, EN_PAIR, model=embedder, cache_dir=None)
    assert str(bad) in str(err.value) and problem in str(err.value)


def test_missing_file(tmp_path, embedder):
    with pytest.raises(InputError, match="missing.txt"):
        align_letters(tmp_path / "missing.txt", EN_PAIR, model=embedder, cache_dir=None)


def test_invalid_options_name_the_parameter(embedder):
    with pytest.raises(ValueError, match="level"):
        align_letters(ZH_PAIR, EN_PAIR, level="word", model=embedder)
    with pytest.raises(ValueError, match="max_units"):
        align_letters(ZH_PAIR, EN_PAIR, max_units=0, model=embedder)


def test_align_texts_presplit_keeps_indices_and_empty_lines(embedder):
    zh = ["我们欢迎你们的这封来信。", "", "中国共产党中央委员会收到了你们的来信。", "时间和耐心是必要的。"]
    en = [
        "We welcome your letter.",
        "The Central Committee of the CPC has received your letter.",
        "",
        "Time and patience are needed.",
    ]
    r = align_texts(zh, en, model=embedder, cache_dir=None)
    la = r.letters[0]
    assert [u.text for u in la.zh_units] == zh and [u.text for u in la.en_units] == en
    assert _cover(la)
    beads = [(b.src, b.tgt) for b in la.beads]
    assert ((0,), (0,)) in beads and ((2,), (1,)) in beads and ((3,), (3,)) in beads
    assert ((1,), ()) in beads and ((), (2,)) in beads


def test_result_exports_all_formats(pair_result, tmp_path):
    import xml.etree.ElementTree as ET

    for ext in ("tmx", "tsv", "jsonl", "html"):
        pair_result.save(tmp_path / f"out.{ext}")
    root = ET.parse(tmp_path / "out.tmx").getroot()
    n_two_sided = sum(1 for _, b in pair_result.iter_beads() if b.src and b.tgt)
    assert len(root.findall("./body/tu")) == n_two_sided
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(1 for r in rows if r.get("type") != "header") == sum(len(la.beads) for la in pair_result.letters)


def test_undated_letters_pair_by_content(embedder):
    """Without dates, the real pair still pairs (by similarity), and nothing else does."""
    from dataclasses import replace

    from aligner.api import PAIR_THRESHOLD, letter_similarity
    from aligner.letters import pair_letters

    strip = lambda letters: [replace(lt, date=None, sender=None, recipient=None) for lt in letters]  # noqa: E731
    zh = strip(split_letters(read_document(ZH_PAIR, lang="zh"))) + strip(split_letters(read_document(ZH_SEED)))
    en = strip(split_letters(read_document(EN_PAIR, lang="en")))
    sim = letter_similarity(embedder.encode)
    matrix = sim(zh, en)
    assert matrix[1, 1] > 0.7 and matrix[0, 0] > PAIR_THRESHOLD  # the letter, the front matter
    assert (matrix[2:, 1] < 0.4).all()  # every other letter, same subject, different text
    pairs = [p for p in pair_letters(zh, en, similarity=sim, threshold=PAIR_THRESHOLD) if p.zh and p.en]
    assert [(p.zh.paragraphs[0][:10], p.en.paragraphs[0][:20]) for p in pairs if p.zh.kind == "letter"] == [
        ("中共中央一九六四年五", "LETTER OF THE CENTRA")
    ]
    assert all(p.method in ("similarity", "order") for p in pairs)


def test_paragraph_preset_leaves_unmatched_paragraphs_unaligned(pair_result, tmp_path):
    """Remove the English of one gold 1-1 paragraph and the Chinese of the next: the two left
    without a counterpart sit side by side, and a chance 1-1 bead between them is the classic
    error. The paragraph preset (cheaper skips) must leave more of them unaligned than the
    sentence preset does, and keep every paragraph covered."""
    from gold import resolve_gold

    from aligner.embed import DEFAULT_MODEL, load_embedder

    cached = load_embedder(DEFAULT_MODEL, cache_dir=tmp_path)  # the cases share most segments
    la = next(la for la in pair_result.paired if la.pair.zh.kind == "letter")
    gold = resolve_gold()[la.pair.zh.date]
    zh = [u.text for u in la.zh_units]
    en = [u.text for u in la.en_units]
    ones = {k for k, (s, t) in enumerate(gold) if len(s) == 1 and len(t) == 1}
    found = {"paragraph": 0, "sentence": 0}
    cases = [k for k in sorted(ones) if k + 1 in ones]
    assert len(cases) >= 10
    for k in cases:
        (z0,), (e0,) = gold[k]
        (z1,), (e1,) = gold[k + 1]
        zh2 = zh[:z1] + zh[z1 + 1 :]
        en2 = en[:e0] + en[e0 + 1 :]
        for level in found:
            r = align_texts(zh2, en2, level=level, model=cached)
            assert _cover(r.letters[0])
            beads = [(b.src, b.tgt) for b in r.letters[0].beads]
            found[level] += ((z0,), ()) in beads and ((), (e1 - 1,)) in beads
    assert found["paragraph"] > found["sentence"] and found["paragraph"] >= 3, found
