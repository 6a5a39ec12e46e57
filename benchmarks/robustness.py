"""Robustness: F1 against the truth as a gold-aligned pair is perturbed more and more.

A slice of the Bible sentence set (1,000 gold beads; ``--small``: 200), or with
``level="paragraph"`` its paragraphs (4-8 beads each), is perturbed on both sides at rates
0, 5, 10, 20 and 30 %: each of the four operations (delete a unit, insert an unrelated unit
from the far end of the Bible, merge a unit with the next, split a unit in two) touches
``rate / 4`` of the units of each side. The truth is recomputed from the pieces' gold-bead
ids (:func:`benchmarks.common.truth_beads`), so it is known by construction. Each rate is
drawn independently from the unperturbed pair with the seed ``(seed, rate in per mille)``.

Run ``python -m benchmarks.robustness [--small] [--cache-dir DIR]``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import common
from .common import AlignedSet, timer
from .quality import COLORS, run_systems, signature, warm_up

logger = logging.getLogger(__name__)

RATES: tuple[float, ...] = (0.0, 0.05, 0.10, 0.20, 0.30)
SYSTEMS: tuple[str, ...] = ("ours", "sentalign", "gale-church")
BEADS = 1000
SMALL_BEADS = 200


def perturbed_sets(
    beads: int = BEADS, rates: Sequence[float] = RATES, level: str = "sentence", seed: int = 0
) -> list[AlignedSet]:
    """The perturbed pairs, one per rate (see the module docstring).

    Raises:
        ValueError: for an unknown ``level``.
    """
    if level not in ("sentence", "paragraph"):
        raise ValueError(f"level: expected 'sentence' or 'paragraph', got {level!r}")
    base = common.load_bible(beads)
    src, tgt = common.units_from_set(base)
    if level == "paragraph":
        src, tgt = common.group_units(src, tgt, base.gold, np.random.default_rng(seed))
    pools = (common.load_bible_pool(base, "zh"), common.load_bible_pool(base, "en"))
    out = []
    for rate in rates:
        rng = np.random.default_rng([seed, int(round(rate * 1000))])
        s, t = common.perturb_units(src, tgt, rate, rng, pools=pools)
        info = {"built_from": base.name, "level": level, "rate": rate, "seed": seed}
        out.append(common.set_from_units(f"{level} rate {rate:.0%}", level, s, t, info=info))
    return out


def run(
    small: bool = False,
    *,
    beads: int | None = None,
    rates: Sequence[float] = RATES,
    level: str = "sentence",
    systems: Sequence[str] = SYSTEMS,
    model: str | None = None,
    cache_dir: str | Path | None = None,
    seed: int = 0,
    save: bool = True,
) -> dict[str, Any]:
    """Run the robustness benchmark; returns ``{"rows": [...], "report", "path", ...}``.

    Each row is one (rate, system): strict/lax P/R/F1, the sizes of the perturbed pair and the
    timings (as in :func:`benchmarks.quality.run_systems`).
    """
    beads = beads if beads is not None else (SMALL_BEADS if small else BEADS)
    store = None
    model_name = "none"
    if any(s in ("ours", "sentalign") for s in systems):
        store, _ = common.get_store(model, cache_dir)
        model_name = store.name
    aligner = None  # the product's preset for ``level``
    first_call = warm_up(store, aligner, systems)
    rows: list[dict[str, Any]] = []
    with timer() as total:
        for aset in perturbed_sets(beads, rates, level, seed):
            logger.info("rate %.0f%%: %d zh, %d en units", 100 * aset.info["rate"], len(aset.src), len(aset.tgt))
            for r in run_systems([aset], store, aligner, systems):
                r.update(
                    rate=aset.info["rate"],
                    n_src=len(aset.src),
                    n_tgt=len(aset.tgt),
                    n_gold_beads=len(aset.gold),
                )
                rows.append(r)
            if store is not None:
                store.save()
            if save:
                partial = {"benchmark": "robustness", "small": small, "rows": rows}
                common.write_results(common.result_name("robustness", small) + "-partial", partial, stamp=False)
    out: dict[str, Any] = {
        "benchmark": "robustness",
        "small": small,
        "machine": common.machine_info(model_name),
        "signature": {
            **signature(aligner, model_name),
            "beads": beads,
            "level": level,
            "rates": list(rates),
            "seed": seed,
            "ops": ["delete", "insert", "merge", "split"],
        },
        "rows": rows,
        "seconds": total.seconds,
        "first_call_s": first_call,
    }
    out["report"] = report(out)
    if save:
        out["path"] = common.save_final("robustness", small, out)
    return out


def report(result: dict[str, Any]) -> str:
    """Markdown: one row per rate, strict and lax F1 per system."""
    rows = result["rows"]
    systems = list(dict.fromkeys(r["system"] for r in rows))
    table = []
    for rate in dict.fromkeys(r["rate"] for r in rows):
        line: dict[str, Any] = {"rate": f"{rate:.0%}"}
        for r in rows:
            if r["rate"] == rate:
                line.update(n=f"{r['n_src']}/{r['n_tgt']}/{r['n_gold_beads']}")
                line[f"{r['system']} strict"] = r["f1_strict"]
                line[f"{r['system']} lax"] = r["f1_lax"]
        table.append(line)
    cols: list[common.Column] = [("rate", "rate", ""), ("n", "zh/en/gold", "")]
    for s in systems:
        cols += [(f"{s} strict", f"{s} F1 strict", ".3f"), (f"{s} lax", f"{s} F1 lax", ".3f")]
    sig = result["signature"]
    m = result["machine"]
    return "\n".join(
        [
            f"## Robustness ({'small' if result['small'] else 'full'}): {sig['level']} level, "
            f"{sig['beads']} Bible gold beads, seed {sig['seed']}",
            "",
            f"model {m['model']}, {m['cpu_count']} CPUs; each op (delete, insert, merge, split) touches "
            f"rate/4 of each side's units; {result['seconds']:.0f} s in all",
            "",
            common.markdown_table(table, cols),
            "",
        ]
    )


def plot_robustness(result: dict[str, Any], ax: Any = None) -> Any:
    """Strict (solid) and lax (dashed) F1 against the perturbation rate, one colour per system."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    rows = result["rows"]
    for system in dict.fromkeys(r["system"] for r in rows):
        rs = [r for r in rows if r["system"] == system]
        x = [100 * r["rate"] for r in rs]
        color = COLORS.get(system, "C7")
        ax.plot(x, [r["f1_strict"] for r in rs], "o-", color=color, label=f"{system} strict")
        ax.plot(x, [r["f1_lax"] for r in rs], "o--", color=color, label=f"{system} lax")
    ax.set_xlabel("perturbation rate (%)")
    ax.set_ylabel("F1")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7)
    return ax


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.robustness [--small] [--cache-dir DIR]``."""
    return common.run_main(run, argv, "Robustness of the alignment to merged, split, deleted and inserted units.")


if __name__ == "__main__":
    raise SystemExit(main())
