"""Command line: ``aligner align`` and ``aligner eval``, a thin shell over the API.

Results go to files (or stdout for ``eval``), diagnostics to stderr. ``main(argv) -> int``
is the only place that configures logging or exits.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import __version__
from .types import LEVELS

logger = logging.getLogger("aligner")

OUTPUT_EXTENSIONS = (".tmx", ".tsv", ".jsonl", ".html", ".align")
_LANG_SUFFIXES = (".zh", ".en", ".zh-cn", ".cn", "_zh", "_en", "-zh", "-en")


def _build_parser() -> argparse.ArgumentParser:
    from .align import Aligner
    from .api import DEFAULT_LEVEL, PAIR_THRESHOLD
    from .embed import DEFAULT_MODEL

    parser = argparse.ArgumentParser(prog="aligner", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"aligner {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    fmt = argparse.ArgumentDefaultsHelpFormatter
    al = sub.add_parser("align", help="align a Chinese and an English file (or two directories)", formatter_class=fmt)
    al.add_argument("zh", help="Chinese file, or a directory of them")
    al.add_argument("en", help="English file, or a directory of them (files paired by stem)")
    al.add_argument(
        "-o",
        "--output",
        action="append",
        required=True,
        help="output file, format by extension (" + ", ".join(OUTPUT_EXTENSIONS) + "); "
        "repeat for several formats; a directory in directory mode",
    )
    al.add_argument(
        "--level",
        choices=LEVELS,
        default=None,
        help=f"alignment unit, also picks the aligner's preset (default: {DEFAULT_LEVEL}; sentence with --presplit)",
    )
    al.add_argument("--model", default=DEFAULT_MODEL, help="built-in model name or sentence-transformers name/path")
    al.add_argument("--max-units", type=int, default=Aligner.MAX_UNITS, help="largest bead, Chinese + English units")
    al.add_argument(
        "--presplit",
        action="store_true",
        help="every input line is one unit, verbatim, never re-segmented (line i = unit i)",
    )
    al.add_argument("--src-lang", default="zh", help="language of the first file (given, never detected)")
    al.add_argument("--tgt-lang", default="en", help="language of the second file")
    al.add_argument("--zh-format", default=None, help="force the reader of the Chinese file")
    al.add_argument("--en-format", default=None, help="force the reader of the English file")
    al.add_argument(
        "--pair-threshold",
        type=float,
        default=PAIR_THRESHOLD,
        help="minimum similarity to pair letters that share no date",
    )
    al.add_argument(
        "--format",
        dest="out_format",
        default=None,
        choices=[e[1:] for e in OUTPUT_EXTENSIONS],
        help="output format in directory mode (default: align with --presplit, else tmx)",
    )
    al.add_argument("--jobs", type=int, default=1, help="processes in directory mode")
    al.add_argument("--cache-dir", default=None, help="embedding cache directory (default: ~/.cache/aligner)")
    al.add_argument("--no-cache", action="store_true", help="do not cache embeddings on disk")
    al.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr, no progress bar")
    al.add_argument("-v", "--verbose", action="store_true", help="debug logging")

    ev = sub.add_parser(
        "eval", help="score predicted beads against gold beads (strict and lax P/R/F1)", formatter_class=fmt
    )
    ev.add_argument("gold", help="gold beads: a .align file, the library's .jsonl, or a directory of them")
    ev.add_argument("pred", help="predicted beads, same kind of path as gold (directories paired by stem)")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    return parser


def _strip_lang(stem: str) -> str:
    low = stem.lower()
    for suffix in _LANG_SUFFIXES:
        if low.endswith(suffix):
            return stem[: -len(suffix)]
    return stem


def _read_lines(path: Path) -> list[str]:
    """Read a pre-split file: one unit per line, verbatim (only the line break removed)."""
    from .errors import InputError

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            str(path),
            f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); convert it, e.g. iconv -f GB18030 -t UTF-8",
        ) from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _align_one(
    args: argparse.Namespace, zh: Path, en: Path, outputs: Sequence[Path], threads: int | None = None
) -> str:
    """Align one file pair and write every output; return a one-line summary.

    ``threads``: CPU threads of a built-in model (``None``: all; directory-mode workers get a share).
    """
    from .api import align_letters, align_texts
    from .embed import BUILTIN_MODELS, load_embedder

    cache = {} if not (args.no_cache or args.cache_dir) else {"cache_dir": None if args.no_cache else args.cache_dir}
    progress = None if not args.quiet else False
    model: object = args.model
    if threads is not None and args.model in BUILTIN_MODELS:
        model = load_embedder(args.model, threads=threads, **cache)  # type: ignore[arg-type]
    if args.presplit:
        result = align_texts(
            _read_lines(zh),
            _read_lines(en),
            level=args.level or "sentence",
            model=model,
            max_units=args.max_units,
            zh_path=str(zh),
            en_path=str(en),
            src_lang=args.src_lang,
            tgt_lang=args.tgt_lang,
            show_progress_bar=progress,
            **cache,
        )
    else:
        result = align_letters(
            zh,
            en,
            level=args.level or "paragraph",
            model=model,
            max_units=args.max_units,
            zh_format=args.zh_format,
            en_format=args.en_format,
            pair_threshold=args.pair_threshold,
            show_progress_bar=progress,
            **cache,
        )
    for out in outputs:
        out.parent.mkdir(parents=True, exist_ok=True)
        result.save(out)
    n_beads = sum(len(la.beads) for la in result.letters)
    return (
        f"{zh.name} + {en.name}: {len(result.paired)} letter pair(s), {len(result.unpaired)} unpaired, "
        f"{n_beads} beads -> {', '.join(str(o) for o in outputs)}"
    )


def _check_outputs(outputs: Sequence[str]) -> list[Path]:
    paths = [Path(o) for o in outputs]
    for p in paths:
        if p.suffix.lower() not in OUTPUT_EXTENSIONS:
            raise ValueError(
                f"--output: unknown extension {p.suffix!r} in {p}; expected one of {list(OUTPUT_EXTENSIONS)}"
            )
    return paths


def _pair_dirs(zh_dir: Path, en_dir: Path) -> tuple[list[tuple[Path, Path]], list[str]]:
    zh_files = {_strip_lang(p.stem): p for p in sorted(zh_dir.iterdir()) if p.is_file() and not p.name.startswith(".")}
    en_files = {_strip_lang(p.stem): p for p in sorted(en_dir.iterdir()) if p.is_file() and not p.name.startswith(".")}
    pairs = [(zh_files[s], en_files[s]) for s in sorted(zh_files) if s in en_files]
    missing = [
        f"{zh_files[s]}: no English file with stem {s!r} in {en_dir}" for s in sorted(zh_files) if s not in en_files
    ]
    missing += [
        f"{en_files[s]}: no Chinese file with stem {s!r} in {zh_dir}" for s in sorted(en_files) if s not in zh_files
    ]
    return pairs, missing


def _job(payload: tuple[argparse.Namespace, Path, Path, Path, int | None]) -> tuple[str, str | None]:
    args, zh, en, out, threads = payload
    try:
        return _align_one(args, zh, en, [out], threads), None
    except (ValueError, OSError) as exc:
        return "", f"{zh.name} + {en.name}: {exc}"


def _align_dirs(args: argparse.Namespace, zh_dir: Path, en_dir: Path) -> int:
    from tqdm import tqdm

    from .embed import _cpu_count

    if len(args.output) != 1:
        raise ValueError("--output: give one output directory in directory mode")
    out_dir = Path(args.output[0])
    ext = args.out_format or ("align" if args.presplit else "tmx")
    pairs, missing = _pair_dirs(zh_dir, en_dir)
    for m in missing:
        logger.warning("%s", m)
    if not pairs:
        raise ValueError(f"no files pair by stem between {zh_dir} and {en_dir}")
    if args.jobs < 1:
        raise ValueError(f"--jobs: expected a positive number of processes, got {args.jobs}")
    # one process embeds on every CPU; N worker processes each on an equal share
    threads = None if args.jobs == 1 else max(1, _cpu_count() // args.jobs)
    payloads = [(args, zh, en, out_dir / f"{_strip_lang(zh.stem)}.{ext}", threads) for zh, en in pairs]
    failures: list[str] = []
    done = 0
    bar = tqdm(total=len(payloads), desc="aligning", unit="file", disable=args.quiet)
    if args.jobs == 1:
        results = map(_job, payloads)
        executor = None
    else:
        # spawn, not fork: a process that has run torch's thread pool cannot safely fork
        # workers that use it.
        executor = ProcessPoolExecutor(max_workers=args.jobs, mp_context=multiprocessing.get_context("spawn"))
        results = executor.map(_job, payloads)
    try:
        for summary, error in results:
            bar.update(1)
            if error:
                failures.append(error)
                logger.error("%s", error)
            else:
                done += 1
                logger.info("%s", summary)
    finally:
        bar.close()
        if executor is not None:
            executor.shutdown()
    print(
        f"aligned {done} of {len(payloads)} file pairs into {out_dir}; {len(failures)} failed; "
        f"{len(missing)} without a counterpart",
        file=sys.stderr,
    )
    for f in failures:
        print(f"  failed: {f}", file=sys.stderr)
    return 1 if failures else 0


def _cmd_align(args: argparse.Namespace) -> int:
    zh, en = Path(args.zh), Path(args.en)
    if zh.is_dir() != en.is_dir():
        raise ValueError(f"give two files or two directories, got {zh} and {en}")
    if zh.is_dir():
        return _align_dirs(args, zh, en)
    outputs = _check_outputs(args.output)
    summary = _align_one(args, zh, en, outputs)
    logger.info("%s", summary)
    return 0


def _read_any_beads(path: Path) -> dict[str, list]:
    """Read beads from a .align file (one document) or the library's JSONL (one per letter)."""
    if path.suffix.lower() == ".jsonl":
        from .export.jsonl import read_jsonl_beads

        return dict(read_jsonl_beads(path))
    from .export.beads import read_beads

    return {"": read_beads(path)}


def _cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import score_documents

    gold_path, pred_path = Path(args.gold), Path(args.pred)
    if gold_path.is_dir() != pred_path.is_dir():
        raise ValueError(f"give two files or two directories, got {gold_path} and {pred_path}")
    if gold_path.is_dir():
        gold_files = {p.stem: p for p in sorted(gold_path.iterdir()) if p.is_file()}
        pred_files = {p.stem: p for p in sorted(pred_path.iterdir()) if p.is_file()}
        stems = sorted(set(gold_files) & set(pred_files))
        for s in sorted(set(gold_files) - set(pred_files)):
            logger.warning("%s: no prediction with stem %r", gold_files[s], s)
        if not stems:
            raise ValueError(f"no files pair by stem between {gold_path} and {pred_path}")
        file_pairs = [(gold_files[s], pred_files[s]) for s in stems]
    else:
        file_pairs = [(gold_path, pred_path)]
    gold_docs, pred_docs = [], []
    for g, p in file_pairs:
        gold, pred = _read_any_beads(g), _read_any_beads(p)
        if len(gold) == 1 and len(pred) == 1:
            keys = [(next(iter(gold)), next(iter(pred)))]
        else:
            keys = [(k, k) for k in gold if k in pred]
            for k in gold:
                if k not in pred:
                    logger.warning("%s: letter %r has no prediction in %s (scored as empty)", g, k, p)
                    keys.append((k, None))
        for gk, pk in keys:
            gold_docs.append(gold[gk])
            pred_docs.append(pred[pk] if pk is not None else [])
    result = score_documents(gold_docs, pred_docs)
    if args.json:
        out = result.as_dict() | {"recall_by_kind": result.recall_by_kind, "gold_by_kind": result.gold_by_kind}
        print(json.dumps(out, indent=2, sort_keys=True))
    else:
        print(result.format())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 failure, 2 usage error)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    level = logging.INFO
    if getattr(args, "quiet", False):
        level = logging.ERROR
    elif getattr(args, "verbose", False):
        level = logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("jieba", "sentence_transformers", "urllib3", "filelock", "httpx", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    try:
        if args.command == "align":
            return _cmd_align(args)
        return _cmd_eval(args)
    except ValueError as exc:  # InputError is a ValueError too
        print(f"aligner: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
