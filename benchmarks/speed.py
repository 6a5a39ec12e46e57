"""Speed: embedding throughput, DP scaling on synthetic embeddings, end-to-end time, letters.

Parts (``run`` returns all of them; ``--small`` uses the sizes in brackets):

a. **throughput**: units/s of the default model on single Bible sentences, half Chinese and
   half English (2,000 [200]), model load and first call (warm-up) timed apart.
b. **dp**: alignment time without embedding, and peak traced memory (``tracemalloc``, a second
   run), of ours and of Vecalign (``sentalign``) on synthetic embeddings: random unit vectors
   with a planted monotone path (85 % 1-1, 5 % 2-1, 5 % 1-2, 2.5 % 1-0, 2.5 % 0-1) plus noise,
   at 100, 1k, 10k, 50k [100, 1k] units per side. Merged segments are "embedded" by summing the
   vectors of their units (the texts are unit ids), timed and subtracted. Reports time per unit,
   the rate of our final dynamic programme alone (costs given: the "DP alone" of the targets)
   and the log-log slope of time against size (1 = linear).
c. **e2e**: :func:`aligner.align_texts` on the first ~5,000 Bible sentences [~500] (both sides
   together), with a fresh embedding cache and the models' in-memory state emptied (cold; best
   of two such runs), and again with the same cache (warm): units/s.
d. **letters**: :func:`aligner.align_letters` on the real pair, cold (fresh cache directory)
   then warm (same directory), in one run.
e. **ratio**: ours vs Vecalign alignment time on the same embeddings: per synthetic size (b),
   and on a Bible slice (at most 1,000 gold beads) with the shared single-unit embeddings.

Run ``python -m benchmarks.speed [--small] [--cache-dir DIR]``.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import tracemalloc
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from aligner.evaluate import score

from . import common
from .baselines import sentalign_align
from .common import BeadTuple, timer

logger = logging.getLogger(__name__)

DP_SIZES: tuple[int, ...] = (100, 1000, 10_000, 50_000)
SMALL_DP_SIZES: tuple[int, ...] = (100, 1000)
THROUGHPUT_N = 2000
SMALL_THROUGHPUT_N = 200
E2E_SENTENCES = 5000
SMALL_E2E_SENTENCES = 500
RATIO_MAX_BEADS = 1000
DIM = 512

#: Planted bead types of the synthetic pairs and their probabilities.
SYNTHETIC_TYPES: tuple[tuple[tuple[int, int], float], ...] = (
    ((1, 1), 0.85),
    ((2, 1), 0.05),
    ((1, 2), 0.05),
    ((1, 0), 0.025),
    ((0, 1), 0.025),
)


# --------------------------------------------------------------------------- synthetic data


def _unit(rng: np.random.Generator, k: int, dim: int) -> np.ndarray:
    v = rng.standard_normal((k, dim))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def synthetic_pair(
    n: int, dim: int = DIM, noise: float = 1.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, list[BeadTuple]]:
    """Random unit vectors with a planted monotone alignment.

    Each bead of the planted path has a type drawn from :data:`SYNTHETIC_TYPES`. A translated
    side is the normalised sum of the other side's vectors plus Gaussian noise of norm about
    ``noise`` (cosine about 0.7 for ``noise=1``); unrelated vectors have cosine about
    ``1/sqrt(dim)``.

    Args:
        n: number of source units (the target side has about as many).
        dim: dimension.
        noise: noise norm relative to the signal.
        seed: RNG seed.

    Returns:
        ``(src (n, dim) float32, tgt (m, dim) float32, planted beads)``.
    """
    rng = np.random.default_rng(seed)
    kinds = [k for k, _ in SYNTHETIC_TYPES]
    probs = np.array([p for _, p in SYNTHETIC_TYPES])
    draws = rng.choice(len(kinds), size=n + 8, p=probs / probs.sum())
    src: list[np.ndarray] = []
    tgt: list[np.ndarray] = []
    beads: list[BeadTuple] = []
    for d in draws:
        a, b = kinds[d]
        if len(src) + a > n:
            break
        if a and b:
            base = _unit(rng, max(a, b), dim)
            joint = base.sum(axis=0)
            many = [base[k] for k in range(max(a, b))]
            one = joint / np.linalg.norm(joint) + noise * rng.standard_normal(dim) / np.sqrt(dim)
            s_vecs, t_vecs = (
                (many, [one])
                if a > 1
                else ([one], many)
                if b > 1
                else ([base[0]], [base[0] + noise * rng.standard_normal(dim) / np.sqrt(dim)])
            )
        else:
            s_vecs = list(_unit(rng, a, dim)) if a else []
            t_vecs = list(_unit(rng, b, dim)) if b else []
        beads.append((tuple(range(len(src), len(src) + a)), tuple(range(len(tgt), len(tgt) + b))))
        src.extend(s_vecs)
        tgt.extend(t_vecs)
    while len(src) < n:  # top up with 1-0 beads if the draws ran out
        beads.append(((len(src),), ()))
        src.extend(_unit(rng, 1, dim))

    def norm(vs: list[np.ndarray]) -> np.ndarray:
        arr = np.asarray(vs, dtype=np.float64)
        return (arr / np.linalg.norm(arr, axis=1, keepdims=True)).astype(np.float32)

    return norm(src), norm(tgt), beads


class SyntheticEncoder:
    """``encode(texts)`` for unit-id texts (``"s12"``, ``"t7"``; merged: ``"s12s13"``, ``"t7 t8"``).

    A single id's text gets its vector. A merged text gets the normalised sum of its units'
    vectors plus noise of norm about ``merge_noise``, fixed per text (drawn from a table by a
    hash of the text): like a real model, the embedding of a concatenation is not exactly the
    sum of its parts, so merging two correct 1-1 beads does not look better than keeping them
    apart. A text with no id (Vecalign's ``PAD``) gets a fixed random unit vector.
    ``seconds`` accumulates the time spent in ``encode`` so it can be subtracted from an
    alignment's wall time.
    """

    _ID = re.compile(r"([st])(\d+)")
    _TABLE = 4096

    def __init__(self, src: np.ndarray, tgt: np.ndarray, merge_noise: float = 0.5, seed: int = 1) -> None:
        self.tables = {"s": src, "t": tgt}
        self.dim = src.shape[1]
        rng = np.random.default_rng(seed)
        self.pad = _unit(rng, 1, self.dim)[0].astype(np.float32)
        self.noise = (merge_noise * rng.standard_normal((self._TABLE, self.dim)) / np.sqrt(self.dim)).astype(np.float32)
        self.seconds = 0.0
        self.n_texts = 0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        with timer() as t:
            out = np.empty((len(texts), self.dim), dtype=np.float32)
            for r, text in enumerate(texts):
                ids = self._ID.findall(text)
                if not ids:
                    out[r] = self.pad
                elif len(ids) == 1:
                    out[r] = self.tables[ids[0][0]][int(ids[0][1])]
                else:
                    v = sum(self.tables[side][int(k)] for side, k in ids)
                    v = v / max(float(np.linalg.norm(v)), 1e-9) + self.noise[zlib.crc32(text.encode()) % self._TABLE]
                    out[r] = v / max(float(np.linalg.norm(v)), 1e-9)
        self.seconds += t.seconds
        self.n_texts += len(texts)
        return out


def _run_synthetic(system: str, n: int, dim: int, seed: int, aligner: Any, trace: bool) -> dict[str, Any]:
    src, tgt, planted = synthetic_pair(n, dim=dim, seed=seed)
    src_texts = [f"s{i}" for i in range(len(src))]
    tgt_texts = [f"t{j}" for j in range(len(tgt))]
    enc = SyntheticEncoder(src, tgt)
    if trace:
        tracemalloc.start()
    with timer() as t:
        if system == "ours":
            # Neutral language codes: the zh-en length model would penalise the equal-length id texts.
            beads = aligner.align(
                src_texts,
                tgt_texts,
                enc,
                src_lang="xx",
                tgt_lang="yy",
                src_embeddings=src,
                tgt_embeddings=tgt,
            )
            pred = [(b.src, b.tgt) for b in beads]
        else:
            pred = sentalign_align(src_texts, tgt_texts, enc, alignment_max_size=int(aligner.max_units))
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    s = score(planted, pred)
    return {
        "dp_s": aligner.last_stats.get("dp_s") if system == "ours" else None,
        "system": system,
        "n": n,
        "n_src": len(src),
        "n_tgt": len(tgt),
        "seconds": t.seconds - enc.seconds,
        "encode_s": enc.seconds,
        "n_encoded": enc.n_texts,
        "peak_mb": None if peak is None else peak / 2**20,
        "f1_strict": s.f1_strict,
        "f1_lax": s.f1_lax,
    }


def dp_scaling(
    sizes: Sequence[int] = DP_SIZES,
    systems: Sequence[str] = ("ours", "sentalign"),
    dim: int = DIM,
    seed: int = 0,
    memory: bool = True,
) -> dict[str, Any]:
    """Time (embedding excluded) and peak memory of each system on synthetic pairs of growing size.

    Each system first aligns a 30-unit pair once, timed apart as ``startup_s`` (imports and
    compiled kernels loaded on a process's first call).

    Returns:
        ``{"rows": [...], "slope": {system: log-log slope}, "ratio": {n: sentalign s / ours s},
        "startup_s": {system: s}, ...}``.
    """
    from aligner.align import Aligner

    aligner = Aligner()
    startup = {}
    for system in systems:  # first call of a process: imports, compiled kernels (timed apart)
        with timer() as t:
            _run_synthetic(system, 30, dim, seed, aligner, trace=False)
        startup[system] = t.seconds
    rows = []
    for n in sizes:
        for system in systems:
            logger.info("synthetic DP: %s, n=%d", system, n)
            row = _run_synthetic(system, n, dim, seed, aligner, trace=False)
            if memory:
                row["peak_mb"] = _run_synthetic(system, n, dim, seed, aligner, trace=True)["peak_mb"]
            row["us_per_unit"] = 1e6 * row["seconds"] / (row["n_src"] + row["n_tgt"])
            if row["dp_s"]:
                row["dp_units_per_s"] = (row["n_src"] + row["n_tgt"]) / row["dp_s"]
            rows.append(row)
    slope = {
        s: common.loglog_slope(
            [r["n"] for r in rows if r["system"] == s], [r["seconds"] for r in rows if r["system"] == s]
        )
        for s in systems
    }
    # Fixed costs dominate the smallest sizes; the slope from 1,000 units on shows the growth.
    large = [n for n in sizes if n >= 1000]
    slope_large = (
        {
            s: common.loglog_slope(
                [r["n"] for r in rows if r["system"] == s and r["n"] >= 1000],
                [r["seconds"] for r in rows if r["system"] == s and r["n"] >= 1000],
            )
            for s in systems
        }
        if len(large) >= 2
        else {}
    )
    ratio = {}
    if {"ours", "sentalign"} <= set(systems):
        for n in sizes:
            o = next(r["seconds"] for r in rows if r["n"] == n and r["system"] == "ours")
            v = next(r["seconds"] for r in rows if r["n"] == n and r["system"] == "sentalign")
            ratio[n] = v / o if o > 0 else float("nan")
    return {
        "rows": rows,
        "slope": slope,
        "slope_large": slope_large,
        "ratio": ratio,
        "startup_s": startup,
        "dim": dim,
        "seed": seed,
        "planted": {f"{a}-{b}": p for (a, b), p in SYNTHETIC_TYPES},
    }


# --------------------------------------------------------------------------- real data


def _bible_sentences(n_sentences: int) -> common.AlignedSet:
    """The shortest prefix of the Bible gold whose two sides hold at least ``n_sentences`` sentences."""
    full = common.load_bible()
    total = 0
    for k, (s, t) in enumerate(full.gold):
        total += len(s) + len(t)
        if total >= n_sentences:
            return common.load_bible(k + 1)
    return full


def forget_model_state() -> None:
    """Empty what the loaded models keep in memory between calls (the fast USE pass's per-id
    rows), so that a "cold" run computes everything, as in a new process."""
    from aligner import embed

    for backend in list(embed._backends.values()):
        forget = getattr(backend, "forget", None)
        if callable(forget):
            forget()


def embedding_throughput(n: int = THROUGHPUT_N, model: str | None = None) -> dict[str, Any]:
    """Units/s of the model (no cache) on ``n`` single Bible sentences, half zh and half en."""
    zh = list(common.load_bible().src[: n // 2])
    en = list(common.load_bible().tgt[: n - n // 2])
    with timer() as t_load:
        emb = common.load_default_embedder(model)
    with timer() as t_warm:
        emb.encode(["热身。", "Warm-up."])
    forget_model_state()
    out: dict[str, Any] = {
        "model": str(getattr(emb, "name", model)),
        "load_s": t_load.seconds,
        "warmup_s": t_warm.seconds,
    }
    for lang, texts in (("zh", zh), ("en", en)):
        with timer() as t:
            emb.encode(texts)
        out[f"{lang}_n"] = len(texts)
        out[f"{lang}_s"] = t.seconds
        out[f"{lang}_units_per_s"] = len(texts) / t.seconds if t.seconds else float("nan")
    out["units_per_s"] = n / (out["zh_s"] + out["en_s"])
    return out


def end_to_end(n_sentences: int = E2E_SENTENCES, model: str | None = None, cold_runs: int = 2) -> dict[str, Any]:
    """:func:`aligner.align_texts` on ~``n_sentences`` Bible sentences, cold then warm cache.

    Each of the ``cold_runs`` cold runs starts from a new cache directory and emptied model
    state; the best is reported (``cold_s``; all of them in ``cold_s_runs``), as timeit does,
    since the shared machine's other jobs only ever add time. The warm run reuses the last
    cold run's cache.
    """
    from aligner import align_texts

    aset = _bible_sentences(n_sentences)
    units = len(aset.src) + len(aset.tgt)
    tmp = tempfile.mkdtemp(prefix="aligner-bench-")
    out: dict[str, Any] = {"n_src": len(aset.src), "n_tgt": len(aset.tgt), "n_gold": len(aset.gold)}
    try:

        def run(cache_dir: str) -> Any:
            return align_texts(list(aset.src), list(aset.tgt), model=model or _default_model(), cache_dir=cache_dir)

        results = []
        cold: list[float] = []
        for k in range(max(1, cold_runs)):
            forget_model_state()
            with timer() as t:
                results.append(run(f"{tmp}/{k}"))
            cold.append(t.seconds)
        with timer() as t:
            results.append(run(f"{tmp}/{k}"))
        out.update(
            cold_s=min(cold),
            cold_s_runs=cold,
            cold_units_per_s=units / min(cold),
            warm_s=t.seconds,
            warm_units_per_s=units / t.seconds,
        )
        beads = [(b.src, b.tgt) for b in results[0].letters[0].beads]
        s = score(list(aset.gold), beads)
        out.update(
            f1_strict=s.f1_strict,
            f1_lax=s.f1_lax,
            same_result=all(beads == [(b.src, b.tgt) for b in r.letters[0].beads] for r in results[1:]),
            signature=results[0].signature.format(),
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def letters_cold_warm(model: str | None = None) -> dict[str, Any]:
    """Wall time of :func:`aligner.align_letters` on the real pair: fresh cache dir, then the same dir."""
    from aligner import align_letters

    tmp = tempfile.mkdtemp(prefix="aligner-bench-")
    out: dict[str, Any] = {}
    try:
        results = []
        for phase in ("cold", "warm"):
            if phase == "cold":
                forget_model_state()
            with timer() as t:
                r = align_letters(common.ZH_PAIR, common.EN_PAIR, model=model or _default_model(), cache_dir=tmp)
            results.append(r)
            out[f"{phase}_s"] = t.seconds
        r = results[0]
        out.update(
            letters=len(r.letters),
            paired=len(r.paired),
            zh_units=sum(len(la.zh_units) for la in r.letters),
            en_units=sum(len(la.en_units) for la in r.letters),
            beads=sum(len(la.beads) for la in r.letters),
            same_result=[[(b.src, b.tgt) for b in la.beads] for la in results[0].letters]
            == [[(b.src, b.tgt) for b in la.beads] for la in results[1].letters],
            signature=r.signature.format(),
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def bible_ratio(
    max_beads: int = RATIO_MAX_BEADS, model: str | None = None, cache_dir: str | Path | None = None
) -> dict[str, Any]:
    """Ours vs Vecalign on the same single-unit embeddings of a Bible slice (quality's accounting)."""
    from aligner.align import Aligner

    from .quality import run_systems

    aset = common.load_bible(max_beads)
    store, _ = common.get_store(model, cache_dir)
    rows = run_systems([aset], store, Aligner(), ("ours", "sentalign"))
    store.save()
    by = {r["system"]: r for r in rows}
    keep = ("f1_strict", "f1_lax", "embed_s", "merge_embed_s", "align_s", "n_merge_texts")
    return {
        "beads": max_beads,
        "n_src": len(aset.src),
        "n_tgt": len(aset.tgt),
        "rows": [{"system": r["system"], **{k: r[k] for k in keep}} for r in rows],
        "align_ratio": by["sentalign"]["align_s"] / by["ours"]["align_s"] if by["ours"]["align_s"] else None,
        "merge_texts_ratio": (
            by["sentalign"]["n_merge_texts"] / by["ours"]["n_merge_texts"] if by["ours"]["n_merge_texts"] else None
        ),
    }


def _default_model() -> str:
    from aligner.embed import DEFAULT_MODEL

    return DEFAULT_MODEL


# --------------------------------------------------------------------------- run, report, plot


def run(
    small: bool = False,
    *,
    dp_sizes: Sequence[int] | None = None,
    throughput_n: int | None = None,
    e2e_sentences: int | None = None,
    ratio_beads: int | None = None,
    letters_cold_warm_run: bool = True,
    memory: bool = True,
    model: str | None = None,
    cache_dir: str | Path | None = None,
    save: bool = True,
) -> dict[str, Any]:
    """Run every part of the speed benchmark (see the module docstring); sizes from ``small``
    unless given. ``ratio_beads=0`` skips the Bible ratio, ``throughput_n=0`` the throughput,
    ``e2e_sentences=0`` the end-to-end part."""
    dp_sizes = tuple(dp_sizes) if dp_sizes is not None else (SMALL_DP_SIZES if small else DP_SIZES)
    throughput_n = throughput_n if throughput_n is not None else (SMALL_THROUGHPUT_N if small else THROUGHPUT_N)
    e2e_sentences = e2e_sentences if e2e_sentences is not None else (SMALL_E2E_SENTENCES if small else E2E_SENTENCES)
    if ratio_beads is None:
        ratio_beads = min(RATIO_MAX_BEADS, 200 if small else RATIO_MAX_BEADS)
    model_name = model or _default_model()
    out: dict[str, Any] = {"benchmark": "speed", "small": small, "machine": common.machine_info(model_name)}
    from aligner.align import Aligner

    out["signature"] = {
        "model": model_name,
        "ours": Aligner().options(),
        "sentalign": {"alignment_max_size": Aligner().max_units},
    }
    if throughput_n:
        logger.info("embedding throughput on %d sentences", throughput_n)
        out["throughput"] = embedding_throughput(throughput_n, model)
    out["dp"] = dp_scaling(dp_sizes, memory=memory)
    if e2e_sentences:
        logger.info("end to end on ~%d sentences, cold then warm", e2e_sentences)
        out["e2e"] = end_to_end(e2e_sentences, model)
    if letters_cold_warm_run:
        logger.info("align_letters cold then warm")
        out["letters"] = letters_cold_warm(model)
    if ratio_beads:
        logger.info("ours vs sentalign on %d Bible beads", ratio_beads)
        out["bible_ratio"] = bible_ratio(ratio_beads, model, cache_dir)
    out["report"] = report(out)
    if save:
        out["path"] = common.save_final("speed", small, out)
    return out


def report(result: dict[str, Any]) -> str:
    """The Markdown report of a :func:`run` result."""
    m = result["machine"]
    lines = [
        f"## Speed ({'small' if result['small'] else 'full'})",
        "",
        f"model {m['model']}, aligner {m['aligner']}, {m['cpu_count']} CPUs ({m['machine']}), "
        f"load average {m['load_average']} (shared machine: timings are indicative)",
        "",
    ]
    tp = result.get("throughput")
    if tp:
        lines += [
            "### a. Embedding throughput (single Bible sentences, no cache)",
            "",
            common.markdown_table(
                [tp],
                [
                    ("model", "model", ""),
                    ("load_s", "load s", ".2f"),
                    ("warmup_s", "warm-up s", ".2f"),
                    ("zh_units_per_s", "zh units/s", ".1f"),
                    ("en_units_per_s", "en units/s", ".1f"),
                    ("units_per_s", "all units/s", ".1f"),
                ],
            ),
            "",
        ]
    dp = result["dp"]
    lines += [
        "### b. Alignment time on synthetic embeddings (embedding excluded)",
        "",
        common.markdown_table(
            dp["rows"],
            [
                ("system", "system", ""),
                ("n_src", "zh units", "d"),
                ("n_tgt", "en units", "d"),
                ("seconds", "align s", ".3f"),
                ("us_per_unit", "µs/unit", ".1f"),
                ("dp_units_per_s", "final DP units/s", ",.0f"),
                ("peak_mb", "peak MiB", ".1f"),
                ("encode_s", "merge-encode s", ".2f"),
                ("f1_strict", "F1 strict (planted)", ".3f"),
            ],
        ),
        "",
        "log-log slope of time against size (1 = linear): "
        + ", ".join(f"{s} {v:.2f}" for s, v in dp["slope"].items())
        + (
            " (from 1,000 units on: " + ", ".join(f"{s} {v:.2f}" for s, v in dp["slope_large"].items()) + ")"
            if dp.get("slope_large")
            else ""
        )
        + "; first call of the process (imports, compiled kernels), timed apart: "
        + ", ".join(f"{s} {v:.2f} s" for s, v in dp["startup_s"].items()),
        "",
    ]
    if dp["ratio"]:
        lines += [
            "e. Vecalign / ours alignment time, same synthetic embeddings: "
            + ", ".join(f"n={n}: {v:.1f}x" for n, v in dp["ratio"].items()),
            "",
        ]
    br = result.get("bible_ratio")
    if br:
        lines += [
            f"e. Bible slice ({br['n_src']} zh / {br['n_tgt']} en sentences), same single-unit embeddings:",
            "",
            common.markdown_table(
                br["rows"],
                [
                    ("system", "system", ""),
                    ("f1_strict", "F1 strict", ".3f"),
                    ("f1_lax", "F1 lax", ".3f"),
                    ("embed_s", "embed s", ".2f"),
                    ("merge_embed_s", "merge-embed s", ".2f"),
                    ("n_merge_texts", "merged texts", "d"),
                    ("align_s", "align s", ".3f"),
                ],
            ),
            "",
            f"Vecalign / ours: alignment time {br['align_ratio']:.1f}x, merged texts embedded "
            f"{br['merge_texts_ratio'] or float('nan'):.1f}x",
            "",
        ]
    e2e = result.get("e2e")
    if e2e:
        lines += [
            f"### c. End to end: align_texts on {e2e['n_src']} zh + {e2e['n_tgt']} en Bible sentences",
            "",
            common.markdown_table(
                [e2e],
                [
                    ("cold_s", "cold s (best of runs)", ".1f"),
                    ("cold_units_per_s", "cold units/s", ".1f"),
                    ("warm_s", "warm s", ".2f"),
                    ("warm_units_per_s", "warm units/s", ".0f"),
                    ("f1_strict", "F1 strict", ".3f"),
                    ("f1_lax", "F1 lax", ".3f"),
                    ("same_result", "same result", ""),
                ],
            ),
            "",
        ]
    lt = result.get("letters")
    if lt:
        lines += [
            "### d. align_letters on the real pair",
            "",
            common.markdown_table(
                [lt],
                [
                    ("letters", "letters", "d"),
                    ("paired", "paired", "d"),
                    ("zh_units", "zh paragraphs", "d"),
                    ("en_units", "en paragraphs", "d"),
                    ("cold_s", "cold s", ".2f"),
                    ("warm_s", "warm s", ".2f"),
                    ("same_result", "same result", ""),
                ],
            ),
            "",
        ]
    return "\n".join(lines)


def plot_dp_scaling(result: dict[str, Any], ax: Any = None) -> Any:
    """Log-log plot of alignment time against units per side, one line per system, with a linear guide."""
    import matplotlib.pyplot as plt

    from .quality import COLORS

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    rows = result["dp"]["rows"]
    for system in dict.fromkeys(r["system"] for r in rows):
        rs = [r for r in rows if r["system"] == system]
        slope = result["dp"]["slope"][system]
        color = COLORS.get(system, "C7")
        ax.loglog(
            [r["n"] for r in rs],
            [r["seconds"] for r in rs],
            "o-",
            color=color,
            label=f"{system} (slope {slope:.2f})",
        )
    ns = np.array(sorted({r["n"] for r in rows}), dtype=float)
    first = min((r for r in rows if r["n"] == ns[0]), key=lambda r: r["seconds"])["seconds"]
    ax.loglog(ns, first * ns / ns[0], ":", color="grey", label="linear")
    ax.set_xlabel("units per side")
    ax.set_ylabel("alignment s (embedding excluded)")
    ax.legend(fontsize=7)
    return ax


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.speed [--small] [--cache-dir DIR]``."""
    return common.run_main(run, argv, "Speed: embedding throughput, DP scaling, end to end, letters.")


if __name__ == "__main__":
    raise SystemExit(main())
