"""Shared helpers of the benchmarks: machine info, timing, result files, tables, data sets.

Everything here is deterministic: random choices take a ``numpy.random.Generator`` made by
the caller from a fixed seed.

Data sets are :class:`AlignedSet` objects (Chinese units, English units, gold beads). Three
kinds exist:

* the Bible sentence set (``data/bible-zh-en``, Chinese first, gold from verse numbers);
* the real letter pair at paragraph level (``data/gold/seven-letters-1964.paragraph.json``);
* sets *constructed* from the Bible gold: units are built from "pieces" that carry the id of
  the gold bead (the *atom*) they come from; units are then merged, split, deleted or
  inserted, and the true beads are recomputed from shared atoms (:func:`truth_beads`), so
  the truth is known by construction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BIBLE = DATA / "bible-zh-en"
GOLD_DIR = DATA / "gold"
LETTERS_GOLD = GOLD_DIR / "seven-letters-1964.paragraph.json"
#: Sentence-level gold of the letter 1964-05-07: ``.zh.txt`` / ``.en.txt`` (one sentence per line) and ``.align``.
LETTER_SENTENCES = GOLD_DIR / "seven-letters-1964.letter-1964-05-07.sentence"
ZH_PAIR = DATA / "seven-letters-1964.zh.json"
EN_PAIR = DATA / "seven-letters-1964.en.md"
RESULTS = Path(__file__).resolve().parent / "results"

#: Environment variable that puts the notebook (and :func:`notebook_config`) in its tiny mode.
SMALL_ENV = "ALIGNER_BENCH_SMALL"
#: Environment variable naming a directory for the benchmarks' persistent embedding cache.
CACHE_ENV = "ALIGNER_BENCH_CACHE"

BeadTuple = tuple[tuple[int, ...], tuple[int, ...]]
Piece = tuple[int, str]
PUnit = tuple[Piece, ...]

JOINERS = {"zh": "", "ja": "", "en": " "}


# --------------------------------------------------------------------------- machine, timing, files


def machine_info(model: str | None = None) -> dict[str, Any]:
    """CPU count, platform, Python/numpy/torch/aligner versions, load average and model name."""
    from importlib import metadata

    import aligner

    def version(pkg: str) -> str | None:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return None

    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": version("torch"),
        "sentalign": version("sentalign"),
        "aligner": aligner.__version__,
        "model": model,
        "load_average": load,
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


@dataclass
class Elapsed:
    """Wall-clock seconds measured by :func:`timer` (set when the block exits)."""

    seconds: float = 0.0


@contextmanager
def timer() -> Iterator[Elapsed]:
    """Measure the wall time of a ``with`` block: ``with timer() as t: ...; t.seconds``."""
    out = Elapsed()
    t0 = time.perf_counter()
    try:
        yield out
    finally:
        out.seconds = time.perf_counter() - t0


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def write_results(name: str, payload: Mapping[str, Any], results_dir: str | Path = RESULTS, stamp: bool = True) -> Path:
    """Write ``payload`` to ``<results_dir>/<name>-<UTC timestamp>.json`` and ``<name>-latest.json``.

    With ``stamp=False`` only ``<name>.json`` is written (progress of a long run, kept if it dies).

    Returns:
        The path of the ``-latest`` file (of ``<name>.json`` without ``stamp``).
    """
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=1, ensure_ascii=False, default=_json_default) + "\n"
    if not stamp:
        path = results_dir / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        return path
    when = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    (results_dir / f"{name}-{when}.json").write_text(text, encoding="utf-8")
    latest = results_dir / f"{name}-latest.json"
    latest.write_text(text, encoding="utf-8")
    return latest


def remove_results(name: str, results_dir: str | Path = RESULTS) -> None:
    """Delete ``<results_dir>/<name>.json`` if it exists (the progress file of a finished run)."""
    (Path(results_dir) / f"{name}.json").unlink(missing_ok=True)


def save_final(name: str, small: bool, payload: Mapping[str, Any]) -> str:
    """Write the final results of benchmark ``name`` and delete its progress file; return the path."""
    stem = result_name(name, small)
    path = write_results(stem, payload)
    remove_results(stem + "-partial")
    return str(path)


def result_name(name: str, small: bool) -> str:
    """The result file stem: ``quality`` or ``quality-small`` (small runs never overwrite full ones)."""
    return f"{name}-small" if small else name


# --------------------------------------------------------------------------- tables


Column = tuple[str, str, str]  # (key, header, format spec)


def _cell(value: Any, fmt: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and np.isnan(value):
        return "–"
    if fmt and isinstance(value, (int, float, np.integer, np.floating)):
        return format(value, fmt)
    return str(value)


def markdown_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    """Render ``rows`` as a Markdown (GitHub) table; a missing value prints as ``–``.

    Example:
        >>> print(markdown_table([{"a": "x", "b": 0.5}], [("a", "sys", ""), ("b", "F1", ".3f")]))
        | sys | F1 |
        |---|---:|
        | x | 0.500 |
    """
    head = "| " + " | ".join(h for _, h, _ in columns) + " |"
    rule = "|" + "|".join("---" if not fmt else "---:" for _, _, fmt in columns) + "|"
    body = ["| " + " | ".join(_cell(r.get(k), f) for k, _, f in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body])


# --------------------------------------------------------------------------- embeddings


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:24]


class EmbeddingStore:
    """A text → vector memo in front of one embedder that remembers what each vector cost.

    Every text is embedded at most once per process (and, with ``cache_dir``, once across
    runs). The seconds of each embedding batch are shared among its texts in proportion to
    their length, so a benchmark can *charge* a system for the texts it needed even when
    another system (or an earlier run) computed them first. ``spent`` counts the seconds
    really spent embedding in this process.

    Args:
        embedder: any object with ``encode(list[str]) -> array`` (rows L2-normalised).
        cache_dir: a directory for a persistent cache (``<model name>.npz``), or ``None``.
    """

    def __init__(self, embedder: Any, cache_dir: str | Path | None = None) -> None:
        self.embedder = embedder
        self.name = str(getattr(embedder, "name", type(embedder).__name__))
        self.dim: int | None = getattr(embedder, "dim", None)
        self.cache_path = None
        if cache_dir is not None:
            safe = re.sub(r"[^A-Za-z0-9_.+-]", "_", self.name)
            self.cache_path = Path(cache_dir) / f"{safe}.npz"
        self._index: dict[str, int] = {}
        self._buf = np.zeros((0, self.dim or 0), dtype=np.float32)
        self._cost: list[float] = []
        self._n = 0
        self._n_saved = 0
        self._disk: set[str] = set()
        self.spent = 0.0
        self.n_embedded = 0
        self._disk_used: set[str] = set()
        if self.cache_path is not None and self.cache_path.exists():
            with np.load(self.cache_path) as z:
                keys = [str(k) for k in z["keys"]]
                self._append(keys, z["vecs"].astype(np.float32), list(z["costs"]))
            self._disk = set(keys)
            self._n_saved = self._n

    def _append(self, keys: Sequence[str], vecs: np.ndarray, costs: Sequence[float]) -> None:
        if self._buf.shape[1] != vecs.shape[1]:
            self._buf = np.zeros((0, vecs.shape[1]), dtype=np.float32)
            self.dim = int(vecs.shape[1])
        need = self._n + len(keys)
        if need > len(self._buf):
            grown = np.zeros((max(need, 2 * len(self._buf), 1024), vecs.shape[1]), dtype=np.float32)
            grown[: self._n] = self._buf[: self._n]
            self._buf = grown
        self._buf[self._n : need] = vecs
        for k in keys:
            self._index[k] = len(self._index)
        self._cost.extend(float(c) for c in costs)
        self._n = need

    def get(self, texts: Sequence[str]) -> tuple[np.ndarray, list[str], float]:
        """Return ``(vectors, keys, seconds spent embedding now)`` for ``texts``, in order."""
        keys = [_key(t) for t in texts]
        missing: dict[str, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in self._index and k not in missing:
                missing[k] = t
        spent = 0.0
        if missing:
            todo = list(missing.values())
            t0 = time.perf_counter()
            try:
                out = self.embedder.encode(todo, show_progress_bar=False)
            except TypeError:  # an embedder without the option
                out = self.embedder.encode(todo)
            vecs = np.asarray(out, dtype=np.float32)
            spent = time.perf_counter() - t0
            lengths = np.array([len(t) + 1 for t in todo], dtype=np.float64)
            self._append(list(missing), vecs, spent * lengths / lengths.sum())
            self.spent += spent
            self.n_embedded += len(todo)
        if self._disk:
            self._disk_used.update(k for k in keys if k in self._disk)
        if not keys:
            return np.zeros((0, self.dim or 0), dtype=np.float32), keys, spent
        rows = np.fromiter((self._index[k] for k in keys), dtype=np.int64, count=len(keys))
        return self._buf[rows].copy(), keys, spent

    def cost(self, key: str) -> float:
        """The seconds charged for the text with this key (0.0 when unknown)."""
        i = self._index.get(key)
        return self._cost[i] if i is not None else 0.0

    @property
    def n_from_disk(self) -> int:
        """Distinct texts asked for in this process whose vectors came from the persistent cache."""
        return len(self._disk_used)

    def from_disk(self, key: str) -> bool:
        """Whether this text's vector came from the persistent cache of an earlier run."""
        return key in self._disk

    def save(self) -> None:
        """Write the persistent cache (no-op without ``cache_dir`` or when nothing is new)."""
        if self.cache_path is None or self._n == self._n_saved:
            return
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self._index, key=self._index.__getitem__))
        tmp = self.cache_path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vecs=self._buf[: self._n], costs=np.array(self._cost))
        os.replace(tmp, self.cache_path)
        self._n_saved = self._n

    def view(self, seed: Sequence[str] = ()) -> EncodeView:
        """A fresh :class:`EncodeView` on this store; texts in ``seed`` are not charged to it."""
        return EncodeView(self, {_key(t) for t in seed})


class EncodeView:
    """An ``encode(texts)`` callable that charges each distinct text once, for one system.

    Attributes:
        charged: seconds charged for the texts this view asked for first (their share of the
            batch that embedded them, whoever triggered it).
        spent: seconds really spent embedding during this view's calls (subtract it from a
            wall time to get the time without embedding).
        n_texts: distinct texts charged.
        n_from_disk: of those, how many came from the persistent cache of an earlier run.
        n_calls: calls made.
    """

    def __init__(self, store: EmbeddingStore, seen: set[str]) -> None:
        self.store = store
        self.name = store.name
        self._seen = set(seen)
        self.charged = 0.0
        self.spent = 0.0
        self.n_texts = 0
        self.n_from_disk = 0
        self.n_calls = 0

    @property
    def dim(self) -> int | None:
        """The embedding dimension (known after the first call if the embedder does not say)."""
        return self.store.dim

    def __call__(self, texts: Sequence[str], **_ignored: Any) -> np.ndarray:
        texts = list(texts)
        self.n_calls += 1
        vecs, keys, spent = self.store.get(texts)
        self.spent += spent
        for k in keys:
            if k not in self._seen:
                self._seen.add(k)
                self.charged += self.store.cost(k)
                self.n_texts += 1
                self.n_from_disk += self.store.from_disk(k)
        return vecs

    def encode(self, texts: Sequence[str], **_ignored: Any) -> np.ndarray:
        """Same as calling the view (so it can stand in for an embedder object)."""
        return self(texts)

    def fork(self) -> EncodeView:
        """A new view that has seen what this one saw, with its counters at zero."""
        return EncodeView(self.store, self._seen)

    def stats(self) -> dict[str, float | int]:
        """The counters as a dict."""
        return {
            "charged_s": self.charged,
            "spent_s": self.spent,
            "n_texts": self.n_texts,
            "n_from_disk": self.n_from_disk,
            "n_calls": self.n_calls,
        }


_EMBEDDERS: dict[str, Any] = {}
_STORES: dict[tuple[str, str], EmbeddingStore] = {}


def load_default_embedder(model: str | None = None) -> Any:
    """Load the project's default embedder (or ``model``) without the library's disk cache.

    The model is loaded once per process and then reused (its vectors are not cached: every
    ``encode`` call really embeds).
    """
    from aligner.embed import DEFAULT_MODEL, load_embedder

    name = model or DEFAULT_MODEL
    if name not in _EMBEDDERS:
        _EMBEDDERS[name] = load_embedder(name, cache_dir=None)
    return _EMBEDDERS[name]


def get_store(model: str | None = None, cache_dir: str | Path | None = None) -> tuple[EmbeddingStore, float]:
    """The process-wide :class:`EmbeddingStore` of ``model`` and ``cache_dir`` (see
    :func:`default_cache_dir`), created on first use, so benchmarks run one after the other (the
    notebook) share embeddings; the costs charged are those measured when each text was embedded.

    Returns:
        ``(store, seconds spent loading the model now)`` (0.0 when it was already loaded).
    """
    from aligner.embed import DEFAULT_MODEL

    directory = default_cache_dir(cache_dir)
    key = (model or DEFAULT_MODEL, str(directory))
    if key in _STORES:
        return _STORES[key], 0.0
    t0 = time.perf_counter()
    embedder = load_default_embedder(model)
    load_s = time.perf_counter() - t0
    _STORES[key] = EmbeddingStore(embedder, directory)
    return _STORES[key], load_s


def default_cache_dir(cache_dir: str | Path | None = None) -> Path | None:
    """``cache_dir``, else the directory in ``$ALIGNER_BENCH_CACHE``, else ``None`` (memory only)."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else None


# --------------------------------------------------------------------------- data sets


@dataclass(frozen=True)
class AlignedSet:
    """A document pair with gold beads (Chinese first).

    Attributes:
        name: short name for tables, e.g. ``"bible-sentence"``.
        level: ``"sentence"`` or ``"paragraph"``.
        src: Chinese units.
        tgt: English units.
        gold: gold beads over unit indices; every unit is in exactly one bead.
        src_lang: language of ``src``.
        tgt_lang: language of ``tgt``.
        info: free-form description (how it was built, seeds, rates).
    """

    name: str
    level: str
    src: tuple[str, ...]
    tgt: tuple[str, ...]
    gold: tuple[BeadTuple, ...]
    src_lang: str = "zh"
    tgt_lang: str = "en"
    info: dict[str, Any] = field(default_factory=dict)


def _read_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def load_bible(max_beads: int | None = None, start: int = 0) -> AlignedSet:
    """The Bible zh-en sentence set, or the ``max_beads`` gold beads from bead ``start`` on.

    Gold beads are contiguous and in order, so a run of beads covers a run of sentences on
    each side; indices are shifted to start at 0.
    """
    from aligner.export.beads import read_beads

    zh = _read_lines(BIBLE / "zh.txt")
    en = _read_lines(BIBLE / "en.txt")
    gold = read_beads(BIBLE / "gold.align")
    stop = len(gold) if max_beads is None else min(len(gold), start + max_beads)
    gold = gold[start:stop]
    s_idx = [i for s, _ in gold for i in s]
    t_idx = [j for _, t in gold for j in t]
    s0, s1 = (min(s_idx), max(s_idx) + 1) if s_idx else (0, 0)
    t0, t1 = (min(t_idx), max(t_idx) + 1) if t_idx else (0, 0)
    rebased = tuple((tuple(i - s0 for i in s), tuple(j - t0 for j in t)) for s, t in gold)
    name = "bible-sentence" if max_beads is None and start == 0 else f"bible-sentence[{start}:{stop}]"
    return AlignedSet(
        name=name,
        level="sentence",
        src=tuple(zh[s0:s1]),
        tgt=tuple(en[t0:t1]),
        gold=rebased,
        info={"source": str(BIBLE.relative_to(ROOT)), "beads": [start, stop]},
    )


def load_bible_pool(exclude: AlignedSet, lang: str, limit: int = 2000) -> list[str]:
    """Sentences of one side of the Bible that lie after the slice ``exclude`` (for insertions).

    ``exclude`` must be a slice from :func:`load_bible`; the pool is taken from the far end
    of the book so that the inserted units are unrelated to the slice.
    """
    lines = _read_lines(BIBLE / ("zh.txt" if lang == "zh" else "en.txt"))
    n = len(exclude.src if lang == exclude.src_lang else exclude.tgt)
    tail = lines[max(n, len(lines) - limit) :]
    return tail


def _find_letter(letters: Sequence[Any], key: str) -> Any:
    for lt in letters:
        if (key == "front" and lt.kind == "front") or (lt.kind == "letter" and lt.date == key):
            return lt
    raise ValueError(f"no letter {key!r} among {[lt.label for lt in letters]}")


def load_letter_pair(gold_path: str | Path = LETTERS_GOLD) -> list[AlignedSet]:
    """The real letter pair at paragraph level: one :class:`AlignedSet` per gold letter pair.

    Paragraphs are those of ``aligner.readers.read_document`` + ``aligner.letters.split_letters``,
    the gold those of ``aligner.gold.load_prefix_gold``.
    """
    from aligner.gold import load_prefix_gold
    from aligner.letters import split_letters
    from aligner.readers import read_document

    gold_path = Path(gold_path)
    spec = json.loads(gold_path.read_text(encoding="utf-8"))
    gold = load_prefix_gold(gold_path)
    zh_letters = split_letters(read_document(ZH_PAIR, lang="zh"))
    en_letters = split_letters(read_document(EN_PAIR, lang="en"))
    out = []
    for entry in spec["letters"]:
        zl = _find_letter(zh_letters, entry["zh_letter"])
        el = _find_letter(en_letters, entry["en_letter"])
        out.append(
            AlignedSet(
                name=f"letter {entry['zh_letter']}",
                level="paragraph",
                src=tuple(zl.paragraphs),
                tgt=tuple(el.paragraphs),
                gold=tuple(gold[entry["zh_letter"]]),
                info={"zh_letter": entry["zh_letter"], "en_letter": entry["en_letter"]},
            )
        )
    return out


def load_letter_sentences(base: str | Path = LETTER_SENTENCES) -> AlignedSet:
    """The real letter 1964-05-07 at sentence level: pre-split sentences and their gold beads."""
    from aligner.export.beads import read_beads

    base = Path(base)
    return AlignedSet(
        name="letters-sentence",
        level="sentence",
        src=tuple(_read_lines(Path(f"{base}.zh.txt"))),
        tgt=tuple(_read_lines(Path(f"{base}.en.txt"))),
        gold=tuple(read_beads(Path(f"{base}.align"))),
        info={"source": str(base.relative_to(ROOT)) + ".{zh.txt,en.txt,align}"},
    )


# --------------------------------------------------------------------------- constructed sets


def units_from_set(aset: AlignedSet) -> tuple[list[PUnit], list[PUnit]]:
    """One single-piece unit per unit of ``aset``; the piece's atom is its gold bead's index.

    Units with no counterpart (1-0 / 0-1 gold beads) get atoms no unit of the other side has.
    """
    src_atom = [0] * len(aset.src)
    tgt_atom = [0] * len(aset.tgt)
    for b, (s, t) in enumerate(aset.gold):
        for i in s:
            src_atom[i] = b if t else -(b + 1)
        for j in t:
            tgt_atom[j] = b if s else -(10**9 + b + 1)
    return (
        [((a, txt),) for a, txt in zip(src_atom, aset.src, strict=True)],
        [((a, txt),) for a, txt in zip(tgt_atom, aset.tgt, strict=True)],
    )


def unit_texts(units: Sequence[PUnit], lang: str) -> tuple[str, ...]:
    """The text of each unit: its pieces joined (no space for Chinese, a space otherwise)."""
    sep = JOINERS.get(lang, " ")
    return tuple(sep.join(txt for _, txt in u) for u in units)


def truth_beads(src: Sequence[PUnit], tgt: Sequence[PUnit]) -> list[BeadTuple]:
    """The true beads of two unit lists: units sharing an atom (transitively) form one bead.

    A bead also takes in the units lying between its first and last unit of a side (a merge
    across a deleted counterpart), so beads are contiguous runs. Units whose atoms the other
    side lacks, outside every such run, become 1-0 / 0-1 beads.

    Raises:
        ValueError: when the beads would cross or not be contiguous (the construction broke
            monotonicity; the bead format cannot express it).
    """
    parent = list(range(len(src) + len(tgt)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[int, int] = {}
    for units, off in ((src, 0), (tgt, len(src))):
        for k, u in enumerate(units):
            for atom, _ in u:
                node = off + k
                if atom in first:
                    parent[find(node)] = find(first[atom])
                else:
                    first[atom] = node

    def components() -> dict[int, tuple[list[int], list[int]]]:
        out: dict[int, tuple[list[int], list[int]]] = {}
        for k in range(len(src)):
            out.setdefault(find(k), ([], []))[0].append(k)
        for k in range(len(tgt)):
            out.setdefault(find(len(src) + k), ([], []))[1].append(k)
        return out

    # Close every two-sided bead over the gaps in its runs: units between its first and last
    # unit of a side join it (e.g. two English units merged across a Chinese unit whose
    # English was deleted: that Chinese unit lies inside the merged bead).
    changed = True
    while changed:
        changed = False
        comps = components()
        for root, (s_units, t_units) in comps.items():
            if not s_units or not t_units:
                continue
            for k in [
                *range(s_units[0], s_units[-1] + 1),
                *(len(src) + j for j in range(t_units[0], t_units[-1] + 1)),
            ]:
                if find(k) != find(root):
                    parent[find(k)] = find(root)
                    changed = True
    comps = components()
    comp_of_src = {k: find(k) for k in range(len(src))}
    comp_of_tgt = {k: find(len(src) + k) for k in range(len(tgt))}
    out: list[BeadTuple] = []
    i = j = 0
    while i < len(src) or j < len(tgt):
        if i < len(src) and not comps[comp_of_src[i]][1]:
            out.append(((i,), ()))
            i += 1
            continue
        if j < len(tgt) and not comps[comp_of_tgt[j]][0]:
            out.append(((), (j,)))
            j += 1
            continue
        if i >= len(src) or j >= len(tgt) or comp_of_src[i] != comp_of_tgt[j]:
            raise ValueError(f"truth_beads: crossing beads at src {i}, tgt {j}")
        s, t = comps[comp_of_src[i]]
        if s != list(range(i, i + len(s))) or t != list(range(j, j + len(t))):
            raise ValueError(f"truth_beads: non-contiguous bead src {s} tgt {t}")
        out.append((tuple(s), tuple(t)))
        i, j = i + len(s), j + len(t)
    return out


_BREAKS = {"zh": "，；：、", "en": ",;:"}


def split_text(text: str, lang: str) -> tuple[str, str] | None:
    """Split one text in two near its middle: at a clause mark if any, else a space (English)
    or the middle character (Chinese); ``None`` when the text is too short to split."""
    n = len(text)
    if n < 4:
        return None
    cands = [k + 1 for k, ch in enumerate(text[:-1]) if ch in _BREAKS.get(lang, ",;:")]
    if not cands:
        cands = [k for k, ch in enumerate(text) if ch == " "] if JOINERS.get(lang, " ") else [n // 2]
    cands = [c for c in cands if text[:c].strip() and text[c:].strip()]
    if not cands:
        return None
    cut = min(cands, key=lambda c: (abs(c - n / 2), c))
    return text[:cut].strip(), text[cut:].strip()


def delete_units(units: list[PUnit], k: int, rng: np.random.Generator) -> list[PUnit]:
    """Remove ``k`` random units (at least one unit is always kept)."""
    k = min(k, len(units) - 1)
    if k <= 0:
        return list(units)
    gone = set(rng.choice(len(units), size=k, replace=False).tolist())
    return [u for n, u in enumerate(units) if n not in gone]


def insert_units(
    units: list[PUnit], pool: Sequence[str], k: int, rng: np.random.Generator, first_atom: int
) -> list[PUnit]:
    """Insert ``k`` units drawn from ``pool`` at random positions, with fresh atoms
    ``first_atom, first_atom - 1, ...`` (negative, so they match nothing on the other side)."""
    out = list(units)
    if k <= 0 or not pool:
        return out
    texts = rng.choice(len(pool), size=k, replace=k > len(pool)).tolist()
    for n, t in enumerate(texts):
        pos = int(rng.integers(0, len(out) + 1))
        out.insert(pos, ((first_atom - n, pool[t]),))
    return out


def merge_units(units: list[PUnit], k: int, rng: np.random.Generator) -> list[PUnit]:
    """Merge ``k`` times a random unit with the next one (chains of merges may occur)."""
    out = list(units)
    for _ in range(k):
        if len(out) < 2:
            break
        p = int(rng.integers(0, len(out) - 1))
        out[p : p + 2] = [out[p] + out[p + 1]]
    return out


def split_units(units: list[PUnit], k: int, rng: np.random.Generator, lang: str) -> list[PUnit]:
    """Split ``k`` random units in two: between two pieces when the unit has several, else
    inside its text (:func:`split_text`); both halves keep the atom. Unsplittable units are left."""
    out = list(units)
    k = min(k, len(out))
    if k <= 0:
        return out
    for p in sorted(rng.choice(len(out), size=k, replace=False).tolist(), reverse=True):
        u = out[p]
        if len(u) > 1:
            cut = int(rng.integers(1, len(u)))
            out[p : p + 1] = [u[:cut], u[cut:]]
            continue
        halves = split_text(u[0][1], lang)
        if halves is not None:
            out[p : p + 1] = [((u[0][0], halves[0]),), ((u[0][0], halves[1]),)]
    return out


def group_units(
    src: Sequence[PUnit],
    tgt: Sequence[PUnit],
    gold: Sequence[BeadTuple],
    rng: np.random.Generator,
    min_beads: int = 4,
    max_beads: int = 8,
) -> tuple[list[PUnit], list[PUnit]]:
    """Group consecutive gold beads into paragraphs of ``min_beads``..``max_beads`` beads on both
    sides; a paragraph is the concatenation of its units' pieces (so paragraph k ↔ paragraph k)."""
    src_p: list[PUnit] = []
    tgt_p: list[PUnit] = []
    b = 0
    while b < len(gold):
        size = int(rng.integers(min_beads, max_beads + 1))
        beads = gold[b : b + size]
        s = tuple(p for bead in beads for i in bead[0] for p in src[i])
        t = tuple(p for bead in beads for j in bead[1] for p in tgt[j])
        if s:
            src_p.append(s)
        if t:
            tgt_p.append(t)
        b += size
    return src_p, tgt_p


def perturb_units(
    src: list[PUnit],
    tgt: list[PUnit],
    rate: float,
    rng: np.random.Generator,
    pools: tuple[Sequence[str], Sequence[str]] = ((), ()),
    langs: tuple[str, str] = ("zh", "en"),
    ops: Sequence[str] = ("delete", "insert", "merge", "split"),
) -> tuple[list[PUnit], list[PUnit]]:
    """Perturb both sides independently: each op in ``ops`` touches ``round(rate * n / len(ops))``
    units of each side (``n`` = the side's unit count before perturbing).

    Ops run in the order delete, insert, merge, split, so inserted units never fall between the
    halves of a split unit and the truth stays expressible as monotone beads.
    """
    out = []
    for side, (units, pool, lang) in enumerate(zip((src, tgt), pools, langs, strict=True)):
        k = int(round(rate * len(units) / max(len(ops), 1)))
        u = list(units)
        if "delete" in ops:
            u = delete_units(u, k, rng)
        if "insert" in ops:
            u = insert_units(u, pool, k, rng, first_atom=-(2 * 10**9) - side * 10**8)
        if "merge" in ops:
            u = merge_units(u, k, rng)
        if "split" in ops:
            u = split_units(u, k, rng, lang)
        out.append(u)
    return out[0], out[1]


def set_from_units(
    name: str,
    level: str,
    src: Sequence[PUnit],
    tgt: Sequence[PUnit],
    langs: tuple[str, str] = ("zh", "en"),
    info: dict[str, Any] | None = None,
) -> AlignedSet:
    """Build an :class:`AlignedSet` from piece units, with the truth from :func:`truth_beads`."""
    return AlignedSet(
        name=name,
        level=level,
        src=unit_texts(src, langs[0]),
        tgt=unit_texts(tgt, langs[1]),
        gold=tuple(truth_beads(src, tgt)),
        src_lang=langs[0],
        tgt_lang=langs[1],
        info=info or {},
    )


def make_paragraph_set(
    max_beads: int | None = None,
    seed: int = 0,
    merge: float = 0.1,
    split: float = 0.1,
    drop_en: float = 0.05,
    drop_zh: float = 0.05,
) -> AlignedSet:
    """The constructed paragraph-level set: Bible sentence gold grouped into paragraphs of 4-8 beads,
    then on the English side ``merge``/``split``/``drop_en`` shares of the paragraphs merged with the
    next, split in two, deleted, and ``drop_zh`` of the Chinese paragraphs deleted.

    The truth (n-m, 1-0 and 0-1 paragraph beads) is known by construction.
    """
    rng = np.random.default_rng(seed)
    sentences = load_bible(max_beads)
    src_u, tgt_u = units_from_set(sentences)
    src_p, tgt_p = group_units(src_u, tgt_u, sentences.gold, rng)
    n = len(tgt_p)
    tgt_p = delete_units(tgt_p, int(round(drop_en * n)), rng)
    tgt_p = merge_units(tgt_p, int(round(merge * n)), rng)
    tgt_p = split_units(tgt_p, int(round(split * n)), rng, "en")
    src_p = delete_units(src_p, int(round(drop_zh * len(src_p))), rng)
    info = {
        "built_from": sentences.name,
        "seed": seed,
        "group": [4, 8],
        "en_merge": merge,
        "en_split": split,
        "en_drop": drop_en,
        "zh_drop": drop_zh,
    }
    return set_from_units("bible-paragraph (constructed)", "paragraph", src_p, tgt_p, info=info)


# --------------------------------------------------------------------------- scores


def score_dict(score: Any) -> dict[str, Any]:
    """A JSON-friendly dict of an :class:`aligner.evaluate.Score` (confusion keys as ``"gold→pred"``)."""
    out: dict[str, Any] = dict(score.as_dict())
    out["recall_by_kind"] = dict(sorted(score.recall_by_kind.items()))
    out["gold_by_kind"] = dict(sorted(score.gold_by_kind.items()))
    out["confusion"] = {f"{g}→{p}": n for (g, p), n in sorted(score.confusion.items())}
    return out


def loglog_slope(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """The least-squares slope of log(seconds) against log(size) (1.0 = linear growth)."""
    x = np.log(np.asarray(sizes, dtype=np.float64))
    y = np.log(np.maximum(np.asarray(seconds, dtype=np.float64), 1e-9))
    if len(x) < 2:
        return float("nan")
    return float(np.polyfit(x, y, 1)[0])


# --------------------------------------------------------------------------- notebook


def notebook_config() -> dict[str, Any]:
    """The keyword arguments the notebook passes to each benchmark's ``run``.

    With ``$ALIGNER_BENCH_SMALL=1`` every benchmark runs on tiny subsets, without Vecalign
    (embedding its merged windows is most of the time) and saves nothing: about a minute in
    all, for the notebook test. Otherwise the notebook runs the full benchmarks and saves
    their results.
    """
    small = os.environ.get(SMALL_ENV, "") not in ("", "0")
    if small:
        return {
            "small": True,
            "quality": {
                "small": True,
                "bible_beads": 40,
                "paragraph_beads": 80,
                "systems": ("ours", "gale-church", "diagonal"),
                "save": False,
            },
            "robustness": {
                "small": True,
                "beads": 40,
                "rates": (0.0, 0.1, 0.3),
                "systems": ("ours", "gale-church"),
                "save": False,
            },
            "speed": {
                "small": True,
                "dp_sizes": (100, 1000),
                "throughput_n": 40,
                "e2e_sentences": 60,
                "ratio_beads": 0,
                "letters_cold_warm_run": False,
                "memory": False,
                "save": False,
            },
            "letter": {"key": "1964-05-07"},
        }
    return {"small": False, "quality": {}, "robustness": {}, "speed": {}, "letter": {"key": "1964-05-07"}}


def setup_notebook() -> dict[str, Any]:
    """Prepare a notebook session and return :func:`notebook_config`.

    Selects matplotlib's Agg backend (headless) and silences what the benchmarks already
    record in their results: the library's warnings about unpaired letters, Vecalign's numeric
    warning, and tqdm's note about missing notebook widgets.
    """
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    logging.getLogger("aligner").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="IProgress not found")
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="sentalign")
    return notebook_config()


def show(fig: Any) -> None:
    """Display a matplotlib figure as a PNG in a notebook (works with the Agg backend), then close it."""
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    display(Image(data=buf.getvalue(), format="png"))


def run_main(run: Callable[..., dict[str, Any]], argv: Sequence[str] | None, description: str) -> int:
    """Shared ``main``: parse ``--small`` and ``--cache-dir``, call ``run``, print its report."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--small", action="store_true", help="run on small subsets (minutes, not hours)")
    parser.add_argument(
        "--cache-dir",
        default=None,
        help=f"persistent embedding cache directory (default: ${CACHE_ENV}, else memory only); "
        "embedding times then include seconds charged from earlier runs",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("vecalign").setLevel(logging.WARNING)  # its per-stage timings, at INFO
    result = run(small=args.small, cache_dir=args.cache_dir)
    print(result["report"])
    if result.get("path"):
        print(f"\nsaved {result['path']}")
    return 0
