"""Fast tests of the benchmark code: baselines, constructed truth, perturbations, helpers (no model)."""

from __future__ import annotations

import numpy as np
import pytest

# benchmarks/ is not part of the installed package: pytest puts the checkout on sys.path
# (``pythonpath`` in pyproject.toml).
from benchmarks import common
from benchmarks.baselines import diagonal, fit_ratio, gale_church, sentalign_align
from benchmarks.speed import SyntheticEncoder, synthetic_pair


def _covers(beads, n, m):
    src = sorted(i for s, _ in beads for i in s)
    tgt = sorted(j for _, t in beads for j in t)
    return src == list(range(n)) and tgt == list(range(m))


def _monotone(beads):
    last_s = last_t = -1
    for s, t in beads:
        if list(s) != list(range(s[0], s[0] + len(s))) if s else False:
            return False
        if list(t) != list(range(t[0], t[0] + len(t))) if t else False:
            return False
        if s and s[0] != last_s + 1 or t and t[0] != last_t + 1:
            return False
        last_s = s[-1] if s else last_s
        last_t = t[-1] if t else last_t
    return True


# --------------------------------------------------------------------------- Gale-Church


@pytest.mark.parametrize(
    ("src_len", "tgt_len", "expected"),
    [
        ([30, 30], [60, 60], [((0,), (0,)), ((1,), (1,))]),
        ([30, 30, 30], [120, 60], [((0, 1), (0,)), ((2,), (1,))]),
        ([60, 30], [60, 60, 60], [((0,), (0, 1)), ((1,), (2,))]),
        ([30, 30, 30, 30], [120, 120], [((0, 1), (0,)), ((2, 3), (1,))]),
        ([40, 20], [30, 90], [((0, 1), (0, 1))]),
        ([30, 5, 30], [60, 60], [((0,), (0,)), ((1, 2), (1,))]),
    ],
)
def test_gale_church_constructed(src_len, tgt_len, expected):
    src = ["字" * n for n in src_len]
    tgt = ["a" * n for n in tgt_len]
    assert gale_church(src, tgt, ratio=2.0) == expected


def test_gale_church_ignores_whitespace_and_fits_ratio():
    src = ["一二三", "四五六七八九"]
    tgt = ["a b c d e f", "g h i j k l m n o p q r"]
    assert fit_ratio(src, tgt) == pytest.approx(18 / 9)
    assert gale_church(src, tgt) == [((0,), (0,)), ((1,), (1,))]


@pytest.mark.parametrize(("n", "m"), [(0, 0), (0, 2), (3, 0)])
def test_gale_church_empty_side(n, m):
    beads = gale_church(["字"] * n, ["a"] * m)
    assert _covers(beads, n, m) and all(not s or not t for s, t in beads)


def test_gale_church_random_cover():
    rng = np.random.default_rng(0)
    src = ["字" * int(k) for k in rng.integers(1, 40, 57)]
    tgt = ["a" * int(k) for k in rng.integers(1, 90, 43)]
    beads = gale_church(src, tgt)
    assert _covers(beads, 57, 43) and _monotone(beads)
    assert {(len(s), len(t)) for s, t in beads} <= {(1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2)}


# --------------------------------------------------------------------------- diagonal


@pytest.mark.parametrize(("n", "m"), [(0, 0), (0, 3), (3, 0), (1, 1), (5, 3), (3, 5), (7, 7), (10, 4), (4, 10)])
def test_diagonal_covers_every_index_once(n, m):
    beads = diagonal(n, m)
    assert _covers(beads, n, m)
    assert _monotone(beads)
    assert all(len(s) <= 1 and len(t) <= 1 for s, t in beads)
    assert sum(1 for s, t in beads if s and t) == min(n, m)


def test_diagonal_equal_lengths_is_identity():
    assert diagonal(4, 4) == [((i,), (i,)) for i in range(4)]


# --------------------------------------------------------------------------- sentalign wrapper


def test_sentalign_wrapper_on_fake_encoder():
    src, tgt, planted = synthetic_pair(40, dim=64, seed=3)
    enc = SyntheticEncoder(src, tgt)
    beads = sentalign_align(
        [f"s{i}" for i in range(len(src))], [f"t{j}" for j in range(len(tgt))], enc, alignment_max_size=4
    )
    assert _covers(beads, len(src), len(tgt))
    assert len(set(beads) & set(planted)) >= 0.8 * len(planted)


# --------------------------------------------------------------------------- constructed truth


@pytest.fixture(scope="module")
def bible_slice():
    return common.load_bible(150)


def test_load_bible_slice_is_rebased(bible_slice):
    assert _covers(bible_slice.gold, len(bible_slice.src), len(bible_slice.tgt))
    assert bible_slice.gold[0] == ((0,), (0,))


def test_truth_of_unperturbed_units_is_the_gold(bible_slice):
    src, tgt = common.units_from_set(bible_slice)
    assert common.truth_beads(src, tgt) == list(bible_slice.gold)
    assert common.unit_texts(src, "zh") == bible_slice.src


@pytest.mark.parametrize("rate", [0.05, 0.1, 0.3, 0.6])
@pytest.mark.parametrize("seed", [0, 1])
def test_perturbation_truth_is_consistent(bible_slice, rate, seed):
    src, tgt = common.units_from_set(bible_slice)
    pools = (["插入的句子。"] * 3, ["An inserted sentence."] * 3)
    ps, pt = common.perturb_units(src, tgt, rate, np.random.default_rng(seed), pools=pools)
    truth = common.truth_beads(ps, pt)
    # Mapping back: every perturbed unit is in exactly one bead, beads are monotone and contiguous.
    assert _covers(truth, len(ps), len(pt))
    assert _monotone(truth)
    for s, t in truth:
        s_atoms = {a for i in s for a, _ in ps[i]}
        t_atoms = {a for j in t for a, _ in pt[j]}
        if s and t:
            assert s_atoms & t_atoms
        else:  # a unit left alone shares no atom with the other side
            other = {a for u in (pt if s else ps) for a, _ in u}
            assert not (s_atoms | t_atoms) & other
    # Each op touched rate/4 of the units: as many inserted units (atoms) as that.
    k = int(round(rate * len(src) / 4))
    assert len({a for u in ps for a, _ in u if a < -(10**9)}) == k


def test_perturbation_ops():
    rng = np.random.default_rng(0)
    units = [((i, f"t{i}"),) for i in range(10)]
    assert len(common.delete_units(units, 3, rng)) == 7
    assert len(common.merge_units(units, 3, rng)) == 7
    assert len(common.insert_units(units, ["x"], 2, rng, first_atom=-5)) == 12
    split = common.split_units([((0, "one, two"),), ((1, "a"),)], 2, rng, "en")
    assert [u[0][1] for u in split] == ["one,", "two", "a"]
    assert [u[0][0] for u in split] == [0, 0, 1]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("起初神创造天地，地是空虚混沌。", "zh", ("起初神创造天地，", "地是空虚混沌。")),
        ("起初神创造天地", "zh", ("起初神", "创造天地")),
        ("And God said, Let there be light.", "en", ("And God said,", "Let there be light.")),
        ("In the beginning God created", "en", ("In the beginning", "God created")),
        ("abc", "en", None),
    ],
)
def test_split_text(text, lang, expected):
    assert common.split_text(text, lang) == expected


def test_truth_beads_rejects_crossing():
    with pytest.raises(ValueError, match="crossing"):
        common.truth_beads([((1, "a"),), ((2, "b"),)], [((2, "B"),), ((1, "A"),)])


def test_paragraph_set_has_all_bead_kinds():
    pset = common.make_paragraph_set(400, seed=0)
    assert _covers(pset.gold, len(pset.src), len(pset.tgt)) and _monotone(pset.gold)
    kinds = {(min(len(s), 2), min(len(t), 2)) for s, t in pset.gold}
    assert {(1, 1), (2, 1), (1, 2), (1, 0), (0, 1)} <= kinds
    assert pset == common.make_paragraph_set(400, seed=0)  # deterministic


# --------------------------------------------------------------------------- helpers


class _FakeEmbedder:
    name = "fake"
    dim = 3

    def __init__(self):
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_embedding_store_charges_each_text_once_per_view(tmp_path):
    emb = _FakeEmbedder()
    store = common.EmbeddingStore(emb, cache_dir=tmp_path)
    base = store.view()
    v = base(["a", "bb", "a"])
    assert v.shape == (3, 3) and emb.calls == 1 and base.n_texts == 2
    fork = base.fork()
    fork(["a", "ccc"])
    assert fork.n_texts == 1 and emb.calls == 2
    other = store.view()
    other(["ccc"])  # computed by another view: charged, not recomputed
    assert other.n_texts == 1 and emb.calls == 2 and other.spent == 0.0
    store.save()
    again = common.EmbeddingStore(_FakeEmbedder(), cache_dir=tmp_path)
    view = again.view()
    np.testing.assert_allclose(view(["bb", "a"]), v[[1, 0]])
    assert view.n_from_disk == 2 and again.n_embedded == 0


def test_markdown_table_and_slope():
    table = common.markdown_table([{"a": "x", "b": 0.5}, {"a": "y"}], [("a", "sys", ""), ("b", "F1", ".3f")])
    assert table.splitlines() == ["| sys | F1 |", "|---|---:|", "| x | 0.500 |", "| y | – |"]
    assert common.loglog_slope([10, 100, 1000], [0.1, 1.0, 10.0]) == pytest.approx(1.0)


def test_write_results(tmp_path):
    path = common.write_results("demo", {"x": np.float64(1.5), "t": (1, 2)}, results_dir=tmp_path)
    assert path.name == "demo-latest.json"
    assert len(list(tmp_path.glob("demo-*.json"))) == 2
    assert '"x": 1.5' in path.read_text()


def test_synthetic_pair_plants_a_cover():
    src, tgt, planted = synthetic_pair(300, dim=32, seed=1)
    assert len(src) == 300 and _covers(planted, len(src), len(tgt)) and _monotone(planted)
    enc = SyntheticEncoder(src, tgt)
    merged = enc(["s0s1", "t0 t1", "PAD"])
    np.testing.assert_allclose(np.linalg.norm(merged, axis=1), 1.0, rtol=1e-5)


def test_letter_orphan_cases_come_from_gold_runs_of_one_to_one_beads():
    """The adjacent-orphan cases of benchmarks.letter_orphans: runs of two 1-1 gold beads of the
    real letter; deleting English j and Chinese i+1 leaves Chinese i and English j unmatched."""
    from conftest import DATA

    from aligner.gold import load_prefix_gold
    from benchmarks.letter_orphans import LETTER, orphan_cases

    gold = load_prefix_gold(DATA / "gold" / "seven-letters-1964.paragraph.json")[LETTER]
    cases = orphan_cases(gold)
    assert len(cases) >= 15
    beads = set(gold)
    for i, j in cases:
        assert ((i,), (j,)) in beads and ((i + 1,), (j + 1,)) in beads
