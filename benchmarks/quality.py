"""Alignment quality: ours against Vecalign (``sentalign``), Gale-Church and a 1-1 diagonal.

Data sets (Chinese first everywhere):

* **bible-sentence**: ``data/bible-zh-en``, pre-split sentences, gold from verse numbers
  (``--small``: the first 600 gold beads).
* **letters**: the real pair ``data/seven-letters-1964.*`` at paragraph level, gold
  ``data/gold/seven-letters-1964.paragraph.json`` (front matter + letter 1964-05-07, scored
  as two documents).
* **letters-sentence**: the letter 1964-05-07 split into sentences (pre-split files and gold
  beads in ``data/gold/seven-letters-1964.letter-1964-05-07.sentence.*``).
* **bible-paragraph (constructed)**: the Bible gold grouped into paragraphs of 4-8 beads; on
  the English side 10 % of paragraphs merged with the next, 10 % split, 5 % dropped, and 5 %
  of the Chinese paragraphs dropped (seed 0); the truth is known by construction
  (:func:`benchmarks.common.make_paragraph_set`).

Timing is split so that it is fair: the single units are embedded once and shared by every
embedding system ("embed s"); what a system embeds beyond that (merged segments, through
the ``encode`` callable it is given) is charged to it ("merge-embed s"); "align s" is the
wall time of its alignment call minus the embedding really done inside it.

Run ``python -m benchmarks.quality [--small] [--cache-dir DIR]``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from aligner.evaluate import score_documents

from . import common
from .baselines import (
    GC_PRIORS,
    GC_VARIANCE,
    diagonal,
    fit_ratio,
    gale_church,
    sentalign_align,
    sentalign_options,
)
from .common import AlignedSet, EmbeddingStore, EncodeView, timer

logger = logging.getLogger(__name__)

SYSTEMS: tuple[str, ...] = ("ours", "sentalign", "gale-church", "diagonal")
SMALL_BIBLE_BEADS = 600
SMALL_PARAGRAPH_BEADS = 1200
LETTER_KEY = "1964-05-07"

#: One colour per system in every plot.
COLORS: dict[str, str] = {
    "ours": "C0",
    "ours (align_letters)": "C9",
    "sentalign": "C1",
    "gale-church": "C2",
    "diagonal": "C3",
}

TABLE_COLUMNS: list[common.Column] = [
    ("system", "system", ""),
    ("precision_strict", "P strict", ".3f"),
    ("recall_strict", "R strict", ".3f"),
    ("f1_strict", "F1 strict", ".3f"),
    ("f1_lax", "F1 lax", ".3f"),
    ("embed_s", "embed s", ".2f"),
    ("merge_embed_s", "merge-embed s", ".2f"),
    ("n_merge_texts", "merged texts", "d"),
    ("align_s", "align s", ".3f"),
    ("n_pred", "beads", "d"),
]


def _embed_singles(docs: Sequence[AlignedSet], store: EmbeddingStore) -> EncodeView:
    """Embed every single unit of ``docs`` through one view (charged once) and return the view."""
    base = store.view()
    base([t for d in docs for t in (*d.src, *d.tgt)])
    return base


def _row(system: str, gold: Sequence[Sequence[Any]], pred: Sequence[Sequence[Any]], **timing: Any) -> dict[str, Any]:
    s = score_documents(gold, pred)
    return {"system": system, **common.score_dict(s), **timing}


def align_ours(
    doc: AlignedSet, encode: EncodeView, aligner: Any = None
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Our beads for one document: :func:`aligner.align_texts` (the public API for pre-split units)
    with ``encode`` as the model, so every option the product derives from the model applies
    (``aligner=None``: the product's preset for ``doc.level``)."""
    from aligner import align_texts

    result = align_texts(
        list(doc.src),
        list(doc.tgt),
        level=doc.level,
        model=encode,
        aligner=aligner,
        src_lang=doc.src_lang,
        tgt_lang=doc.tgt_lang,
    )
    return [(b.src, b.tgt) for b in result.letters[0].beads]


def run_systems(
    docs: Sequence[AlignedSet],
    store: EmbeddingStore | None,
    aligner: Any | None,
    systems: Sequence[str] = SYSTEMS,
) -> list[dict[str, Any]]:
    """Align ``docs`` with each system and score them together (counts summed over documents).

    Args:
        docs: the documents of one data set.
        store: the embedding store (``None`` runs only the systems that need no embeddings).
        aligner: a configured :class:`aligner.align.Aligner`, or ``None`` for the product's
            per-level preset (its ``max_units`` is also Vecalign's ``alignment_max_size``).
        systems: a subset of :data:`SYSTEMS`.

    Returns:
        One row per system: scores (:func:`benchmarks.common.score_dict`), ``embed_s``,
        ``merge_embed_s``, ``align_s``, ``n_merge_texts``.
    """
    gold = [list(d.gold) for d in docs]
    rows: list[dict[str, Any]] = []
    base: EncodeView | None = None
    needs_embeddings = any(s in ("ours", "sentalign") for s in systems)
    if store is not None and needs_embeddings:
        logger.info("embedding %d single units", sum(len(d.src) + len(d.tgt) for d in docs))
        base = _embed_singles(docs, store)
    max_units = _max_units(aligner)
    for system in systems:
        logger.info("%s: %s", "+".join(d.name for d in docs[:2]), system)
        pred: list[list[Any]] = []
        wall = 0.0
        if system in ("ours", "sentalign"):
            if base is None:
                continue
            view = base.fork()
            for d in docs:
                with timer() as t:
                    if system == "ours":
                        out = align_ours(d, view, aligner)
                    else:
                        out = sentalign_align(d.src, d.tgt, view, alignment_max_size=max_units)
                wall += t.seconds
                pred.append(out)
            rows.append(
                _row(
                    system,
                    gold,
                    pred,
                    embed_s=base.charged,
                    merge_embed_s=view.charged,
                    align_s=wall - view.spent,
                    n_merge_texts=view.n_texts,
                )
            )
        elif system == "gale-church":
            for d in docs:
                with timer() as t:
                    pred.append(gale_church(d.src, d.tgt))
                wall += t.seconds
            rows.append(_row(system, gold, pred, embed_s=0.0, merge_embed_s=0.0, align_s=wall, n_merge_texts=0))
        elif system == "diagonal":
            for d in docs:
                with timer() as t:
                    pred.append(diagonal(len(d.src), len(d.tgt)))
                wall += t.seconds
            rows.append(_row(system, gold, pred, embed_s=0.0, merge_embed_s=0.0, align_s=wall, n_merge_texts=0))
        else:
            raise ValueError(f"systems: unknown system {system!r}; expected some of {list(SYSTEMS)}")
    return rows


def warm_up(store: EmbeddingStore | None, aligner: Any, systems: Sequence[str] = SYSTEMS) -> dict[str, float]:
    """Run each embedding system once on three Bible sentences, so that the one-off cost of a
    process's first call (imports, loading compiled kernels) is timed apart, not charged to the
    first data set. Returns the seconds of each first call."""
    if store is None:
        return {}
    doc = common.load_bible(2)
    view = store.view()
    view([*doc.src, *doc.tgt])
    out = {}
    for system in systems:
        if system in ("ours", "sentalign"):
            with timer() as t:
                if system == "ours":
                    align_ours(doc, view.fork(), aligner)
                else:
                    sentalign_align(doc.src, doc.tgt, view.fork(), alignment_max_size=_max_units(aligner))
            out[system] = t.seconds
    return out


def run_align_letters(docs: Sequence[AlignedSet], store: EmbeddingStore, aligner: Any) -> dict[str, Any]:
    """Score the full product, :func:`aligner.align_letters` on the real files, on the gold letters.

    Letters are matched to the gold by the Chinese letter key (``"front"`` or the date); a
    gold letter that ``align_letters`` did not pair counts as all 1-0 / 0-1 beads. Every
    embedding it needs (letter pairing included) is charged to it as "embed s".
    """
    from aligner import align_letters

    view = store.view()
    with timer() as t:
        result = align_letters(common.ZH_PAIR, common.EN_PAIR, model=view, aligner=aligner, cache_dir=None)
    pred = []
    notes = []
    for d in docs:
        key = d.info["zh_letter"]
        match = None
        for la in result.paired:
            zl = la.pair.zh
            if zl is not None and ((key == "front" and zl.kind == "front") or (zl.kind == "letter" and zl.date == key)):
                match = la
        if (
            match is None
            or tuple(u.text for u in match.zh_units) != d.src
            or tuple(u.text for u in match.en_units) != d.tgt
        ):
            notes.append(f"align_letters: gold letter {key} not paired with the gold English letter (or other units)")
            pred.append([((i,), ()) for i in range(len(d.src))] + [((), (j,)) for j in range(len(d.tgt))])
        else:
            pred.append([(b.src, b.tgt) for b in match.beads])
    row = _row(
        "ours (align_letters)",
        [list(d.gold) for d in docs],
        pred,
        embed_s=view.charged,
        merge_embed_s=0.0,
        align_s=t.seconds - view.spent,
        n_merge_texts=view.n_texts,
    )
    row["notes"] = notes
    return row


def kind_table(rows: Sequence[dict[str, Any]]) -> str:
    """Markdown table of recall per gold bead type (columns ``"1-1 (n=...)"``), rows = systems."""
    kinds = sorted({k for r in rows for k in r["gold_by_kind"]}, key=lambda k: (-rows[0]["gold_by_kind"].get(k, 0), k))
    cols: list[common.Column] = [("system", "system", "")]
    cols += [(k, f"{k} (n={rows[0]['gold_by_kind'].get(k, 0)})", ".3f") for k in kinds]
    flat = [{"system": r["system"], **r["recall_by_kind"]} for r in rows]
    return common.markdown_table(flat, cols)


def dataset_report(name: str, entry: dict[str, Any]) -> str:
    """The Markdown section of one data set: size line, score table, per-type recall table, notes."""
    lines = [
        f"### {name}",
        "",
        f"{entry['n_src']} zh units, {entry['n_tgt']} en units, {entry['n_gold']} gold beads"
        f" ({entry['level']} level, {entry['n_docs']} document(s))",
        "",
    ]
    if entry["rows"]:
        lines += [
            common.markdown_table(entry["rows"], TABLE_COLUMNS),
            "",
            "Recall per gold bead type:",
            "",
            kind_table(entry["rows"]),
            "",
        ]
    lines += [f"- {n}" for n in entry.get("notes", [])]
    return "\n".join(lines).rstrip() + "\n"


def _dataset_entry(docs: Sequence[AlignedSet], rows: list[dict[str, Any]], notes: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "level": docs[0].level,
        "n_docs": len(docs),
        "n_src": sum(len(d.src) for d in docs),
        "n_tgt": sum(len(d.tgt) for d in docs),
        "n_gold": sum(len(d.gold) for d in docs),
        "info": [d.info for d in docs],
        "rows": rows,
        "notes": list(notes),
    }


def _max_units(aligner: Any) -> int:
    from aligner.align import Aligner

    return int(getattr(aligner, "max_units", Aligner.MAX_UNITS))


def signature(aligner: Any, model: str) -> dict[str, Any]:
    """Every option of every system, plus the model name (``aligner=None``: the per-level presets)."""
    from aligner.align import Aligner

    if aligner is None:
        ours = {f"{lvl} level": dict(Aligner.for_level(lvl).options()) for lvl in Aligner.LEVEL_PRESETS}
    else:
        ours = dict(aligner.options())
    return {
        "model": model,
        "ours": ours,
        "sentalign": sentalign_options(alignment_max_size=_max_units(aligner)),
        "gale-church": {
            "priors": {f"{a}-{b}": p for (a, b), p in GC_PRIORS.items()},
            "variance": f"{GC_VARIANCE} * ratio",
            "ratio": "fitted per document (en chars / zh chars)",
            "lengths": "characters without whitespace",
        },
        "diagonal": {"rule": "i -> floor(i*m/n + 0.5)"},
    }


def run(
    small: bool = False,
    *,
    bible_beads: int | None = None,
    paragraph_beads: int | None = None,
    datasets: Sequence[str] = ("bible-sentence", "letters", "letters-sentence", "bible-paragraph"),
    systems: Sequence[str] = SYSTEMS,
    model: str | None = None,
    cache_dir: str | Path | None = None,
    seed: int = 0,
    save: bool = True,
) -> dict[str, Any]:
    """Run the quality benchmark and return its results (also saved as JSON when ``save``).

    Args:
        small: use subsets (the first 600 Bible gold beads; the paragraph set built from the
            first 1,200).
        bible_beads: override the number of Bible gold beads (``None``: all, or 600 if small).
        paragraph_beads: override the gold beads the constructed paragraph set is built from.
        datasets: which data sets to run.
        systems: which systems to run.
        model: embedding model name (default: the library's default).
        cache_dir: persistent embedding cache (see :class:`benchmarks.common.EmbeddingStore`).
        seed: seed of the constructed paragraph set.
        save: write ``benchmarks/results/quality[-small]-*.json``.

    Returns:
        ``{"benchmark", "small", "machine", "signature", "datasets": {name: {..., "rows"}},
        "model_load_s", "embedding", "report", "path"}``.
    """
    if bible_beads is None and small:
        bible_beads = SMALL_BIBLE_BEADS
    if paragraph_beads is None and small:
        paragraph_beads = SMALL_PARAGRAPH_BEADS
    needs_model = any(s in ("ours", "sentalign") for s in systems)
    store = None
    load_s = 0.0
    model_name = model or "none"
    if needs_model:
        store, load_s = common.get_store(model, cache_dir)
        model_name = store.name
    aligner = None  # the product's presets: sentence for the Bible, paragraph for the rest
    out: dict[str, Any] = {
        "benchmark": "quality",
        "small": small,
        "machine": common.machine_info(model_name),
        "signature": signature(aligner, model_name),
        "model_load_s": load_s,
        "first_call_s": warm_up(store, aligner, systems),
        "datasets": {},
    }
    for name in datasets:
        notes: list[str] = []
        if name == "bible-sentence":
            docs = [common.load_bible(bible_beads)]
            rows = run_systems(docs, store, aligner, systems)
        elif name == "letters":
            docs = common.load_letter_pair()
            rows = run_systems(docs, store, aligner, systems)
            if store is not None and "ours" in systems:
                row = run_align_letters(docs, store, aligner)
                notes += row.pop("notes")
                rows.insert(1, row)
            notes.append(
                "ours (align_letters) = the whole product on the two files (reading, letter splitting and "
                "pairing included); its embed s covers every embedding it needed"
            )
        elif name == "letters-sentence":
            docs = [common.load_letter_sentences()]
            rows = run_systems(docs, store, aligner, systems)
            notes.append(
                "letter 1964-05-07 split into sentences by aligner.segment, gold made by reviewing every "
                "sentence pair (data/gold/README.md); 44 Chinese sentences past the end of the English are 1-0"
            )
        elif name == "bible-paragraph":
            docs = [common.make_paragraph_set(paragraph_beads, seed=seed)]
            rows = run_systems(docs, store, aligner, systems)
            notes.append(f"constructed: {docs[0].info}")
        else:
            raise ValueError(f"datasets: unknown data set {name!r}")
        if "gale-church" in systems:
            notes.append("gale-church fitted ratio(s): " + ", ".join(f"{fit_ratio(d.src, d.tgt):.3f}" for d in docs))
        out["datasets"][docs[0].name if name != "letters" else "letters (paragraph)"] = _dataset_entry(
            docs, rows, notes
        )
        if store is not None:
            store.save()
        if save:
            common.write_results(common.result_name("quality", small) + "-partial", out, stamp=False)
    if store is not None:
        out["embedding"] = {
            "model": store.name,
            "cache": str(store.cache_path) if store.cache_path else "memory",
            "n_embedded_now": store.n_embedded,
            "seconds_embedding_now": store.spent,
            "n_from_disk": store.n_from_disk,
        }
    out["report"] = report(out)
    if save:
        out["path"] = common.save_final("quality", small, out)
    return out


def report(result: dict[str, Any]) -> str:
    """The Markdown report of a :func:`run` result."""
    m = result["machine"]
    head = [
        f"## Quality ({'small' if result['small'] else 'full'})",
        "",
        f"model {m['model']}, aligner {m['aligner']}, {m['cpu_count']} CPUs, "
        f"load average {m['load_average']}, "
        f"model load {result['model_load_s']:.2f} s; first call (imports, compiled kernels; timed apart): "
        + ", ".join(f"{k} {v:.2f} s" for k, v in result.get("first_call_s", {}).items()),
        "",
    ]
    emb = result.get("embedding")
    if emb:
        head += [
            f"Embeddings: {emb['n_embedded_now']} texts embedded in this run ({emb['seconds_embedding_now']:.1f} s)"
            + (
                f"; {emb['n_from_disk']} taken from the cache {emb['cache']}, charged the seconds measured "
                "by the run that embedded them"
                if emb.get("n_from_disk")
                else ""
            )
            + ".",
            "",
        ]
    return "\n".join(head) + "\n".join(dataset_report(k, v) + "\n" for k, v in result["datasets"].items())


# --------------------------------------------------------------------------- plots and the heat-map


def plot_f1(result: dict[str, Any], ax: Any = None) -> Any:
    """Bar chart of strict F1 (full bars) and lax F1 (outlines) per data set and system."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    names = list(result["datasets"])
    systems = list(dict.fromkeys(r["system"] for d in result["datasets"].values() for r in d["rows"]))
    width = 0.8 / max(len(systems), 1)
    for k, system in enumerate(systems):
        x = np.arange(len(names)) + (k - (len(systems) - 1) / 2) * width
        strict = [
            next((r["f1_strict"] for r in result["datasets"][n]["rows"] if r["system"] == system), 0) for n in names
        ]
        lax = [next((r["f1_lax"] for r in result["datasets"][n]["rows"] if r["system"] == system), 0) for n in names]
        color = COLORS.get(system, "C7")
        ax.bar(x, strict, width, label=system, color=color)
        ax.bar(x, lax, width, fill=False, edgecolor=color, linestyle="--")
    ax.set_xticks(np.arange(len(names)), names, fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1 (filled: strict, dashed: lax)")
    ax.legend(fontsize=7, ncol=len(systems), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return ax


def plot_recall_by_kind(result: dict[str, Any], dataset: str, ax: Any = None, max_kinds: int = 8) -> Any:
    """Bar chart of recall per gold bead type (the most frequent ``max_kinds`` types) on one data set."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3))
    rows = result["datasets"][dataset]["rows"]
    gold = rows[0]["gold_by_kind"]
    kinds = sorted(gold, key=lambda k: (-gold[k], k))[:max_kinds]
    width = 0.8 / max(len(rows), 1)
    for k, r in enumerate(rows):
        x = np.arange(len(kinds)) + (k - (len(rows) - 1) / 2) * width
        ax.bar(
            x,
            [r["recall_by_kind"].get(kind, 0.0) for kind in kinds],
            width,
            label=r["system"],
            color=COLORS.get(r["system"], "C7"),
        )
    ax.set_xticks(np.arange(len(kinds)), [f"{k}\n(n={gold[k]})" for k in kinds], fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_title(f"recall per gold bead type: {dataset}", fontsize=9)
    ax.legend(fontsize=7)
    return ax


def letter_similarity_map(
    key: str = LETTER_KEY, model: str | None = None, cache_dir: str | Path | None = None
) -> dict[str, Any]:
    """Cosine similarities of one gold letter pair (zh paragraphs x en paragraphs), with our beads.

    Returns:
        ``{"key", "sim" (n_zh, n_en) array, "beads": ours, "gold": gold beads, "src", "tgt"}``.
    """
    docs = {d.info["zh_letter"]: d for d in common.load_letter_pair()}
    if key not in docs:
        raise ValueError(f"key: expected one of {sorted(docs)}, got {key!r}")
    d = docs[key]
    store, _ = common.get_store(model, cache_dir)
    view = store.view()
    x, y = view(d.src), view(d.tgt)
    beads = align_ours(d, view)
    store.save()
    return {
        "key": key,
        "sim": x @ y.T,
        "beads": beads,
        "gold": list(d.gold),
        "src": d.src,
        "tgt": d.tgt,
        "model": store.name,
    }


def plot_similarity_map(data: dict[str, Any], ax: Any = None) -> Any:
    """Heat-map of ``data["sim"]`` with our beads as boxes (red) and the gold beads as dots (white)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    sim = data["sim"]
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 7))
    im = ax.imshow(sim, cmap="viridis", aspect="auto", interpolation="nearest")
    plt.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="cosine")
    for s, t in data["beads"]:
        if s and t:
            ax.add_patch(Rectangle((t[0] - 0.5, s[0] - 0.5), len(t), len(s), fill=False, edgecolor="red", lw=1.5))
        elif s:
            ax.plot([-0.5], [s[0]], marker=">", color="red", ms=5, clip_on=False)
        else:
            ax.plot([t[0]], [-0.5], marker="v", color="red", ms=5, clip_on=False)
    for s, t in data["gold"]:
        for i in s:
            for j in t:
                ax.plot(j, i, "o", color="white", ms=3)
    ax.set_xlabel("English paragraph")
    ax.set_ylabel("Chinese paragraph")
    ax.set_title(f"letter {data['key']} ({data['model']}): our beads (red boxes; ▸ 1-0), gold (white dots)", fontsize=8)
    return ax


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.quality [--small] [--cache-dir DIR]``."""
    return common.run_main(run, argv, "Alignment quality: ours vs Vecalign, Gale-Church, diagonal.")


if __name__ == "__main__":
    raise SystemExit(main())
