"""The command line: align (file, pre-split, directory mode) and eval, on real text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conftest import BIBLE, EN_PAIR, ZH_PAIR

from aligner.cli import main
from aligner.export.beads import read_beads, write_beads

ZH_LINES = ["起初神创造天地。", "", "地是空虚混沌。", "渊面黑暗。", "神的灵运行在水面上。", "神说，要有光，就有了光。"]
EN_LINES = [
    "In the beginning God created the heaven and the earth.",
    "And the earth was without form, and void; and darkness was upon the face of the deep.",
    "And the Spirit of God moved upon the face of the waters.",
    "",
    "And God said, Let there be light: and there was light.",
]


def _write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_align_writes_tmx_and_html(tmp_path):
    tmx, html = tmp_path / "o.tmx", tmp_path / "o.html"
    assert main(["align", str(ZH_PAIR), str(EN_PAIR), "-o", str(tmx), "-o", str(html), "-q", "--no-cache"]) == 0
    root = ET.parse(tmx).getroot()
    assert root.get("version") == "1.4" and root.find("header").get("segtype") == "paragraph"
    from gold import resolve_gold

    two_sided_gold = sum(1 for beads in resolve_gold().values() for s, t in beads if s and t)
    assert len(root.findall("./body/tu")) == two_sided_gold == 22
    assert "中国共产党中央委员会收到了苏联共产党中央委员会一九六四年三月七日的来信" in html.read_text(encoding="utf-8")


def test_presplit_keeps_every_line_once_including_empty(tmp_path):
    zh = _write_lines(tmp_path / "zh.txt", ZH_LINES)
    en = _write_lines(tmp_path / "en.txt", EN_LINES)
    out = tmp_path / "out.align"
    assert main(["align", str(zh), str(en), "-o", str(out), "--presplit", "-q", "--no-cache"]) == 0
    beads = read_beads(out)
    assert sorted(i for s, _ in beads for i in s) == list(range(len(ZH_LINES)))
    assert sorted(j for _, t in beads for j in t) == list(range(len(EN_LINES)))
    flat = [(min(s) if s else None, min(t) if t else None) for s, t in beads]
    src_order = [s for s, _ in flat if s is not None]
    tgt_order = [t for _, t in flat if t is not None]
    assert src_order == sorted(src_order) and tgt_order == sorted(tgt_order)
    assert ((1,), ()) in beads and ((), (3,)) in beads  # empty lines keep their index
    assert ((0,), (0,)) in beads and ((5,), (4,)) in beads
    assert any(len(line.split(":")) == 3 for line in out.read_text().splitlines())  # with scores


def test_bead_file_round_trip(tmp_path):
    beads = [((0,), (0,)), ((1, 2), (1,)), ((), (2,)), ((3,), ())]
    write_beads(beads, tmp_path / "b.align", scores=[0.9, 0.8, 0.0, 0.0])
    assert read_beads(tmp_path / "b.align") == beads


def test_directory_mode_one_bad_file_reported_rest_go_on(tmp_path, capsys):
    zh_dir, en_dir, out_dir = tmp_path / "zh", tmp_path / "en", tmp_path / "out"
    zh_dir.mkdir()
    en_dir.mkdir()
    _write_lines(zh_dir / "a.txt", ZH_LINES)
    _write_lines(en_dir / "a.txt", EN_LINES)
    _write_lines(zh_dir / "b.zh.txt", ZH_LINES[:3])
    _write_lines(en_dir / "b.en.txt", EN_LINES[:2])
    (zh_dir / "c.txt").write_bytes("坏".encode("gb18030") * 10)
    _write_lines(en_dir / "c.txt", EN_LINES)
    rc = main(["align", str(zh_dir), str(en_dir), "-o", str(out_dir), "--presplit", "-q", "--no-cache"])
    assert rc == 1
    assert (out_dir / "a.align").exists() and (out_dir / "b.align").exists()
    assert not (out_dir / "c.align").exists()
    err = capsys.readouterr().err
    assert "aligned 2 of 3" in err and "c.txt" in err and "UTF-8" in err


def test_eval_scores_gold_against_itself_and_a_baseline(tmp_path, capsys):
    gold = BIBLE / "gold.align"
    assert main(["eval", str(gold), str(gold), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"f1_strict": 1.0' in out
    # a 1-1 diagonal baseline is far from perfect strict, much better lax
    n = 200
    diag = [((i,), (i,)) for i in range(n)]
    write_beads(diag, tmp_path / "diag.align")
    write_beads([b for b in read_beads(gold) if max(b[0] + b[1]) < n], tmp_path / "gold.align")
    assert main(["eval", str(tmp_path / "gold.align"), str(tmp_path / "diag.align")]) == 0
    table = capsys.readouterr().out
    assert "strict" in table and "lax" in table


def test_usage_errors_exit_nonzero(tmp_path, capsys):
    assert main(["align", str(ZH_PAIR), str(EN_PAIR), "-o", str(tmp_path / "x.docx"), "-q"]) == 1
    assert "extension" in capsys.readouterr().err
    assert main(["align", str(tmp_path / "nope.txt"), str(EN_PAIR), "-o", str(tmp_path / "x.tmx"), "-q"]) == 1
    assert "nope.txt" in capsys.readouterr().err


def test_directory_mode_jobs_give_the_same_beads(tmp_path, capsys):
    """--jobs 2 (spawned workers, each on its share of the CPUs) writes what --jobs 1 writes."""
    zh_dir, en_dir = tmp_path / "zh", tmp_path / "en"
    zh_dir.mkdir()
    en_dir.mkdir()
    for k in range(3):
        _write_lines(zh_dir / f"p{k}.txt", ZH_LINES[k:])
        _write_lines(en_dir / f"p{k}.txt", EN_LINES[k:])
    outs = {}
    for jobs in ("1", "2"):
        out_dir = tmp_path / f"out{jobs}"
        cache = str(tmp_path / f"cache{jobs}")  # each run embeds everything itself
        argv = ["align", str(zh_dir), str(en_dir), "-o", str(out_dir), "--presplit", "-q", "--jobs", jobs]
        assert main([*argv, "--cache-dir", cache]) == 0
        assert "aligned 3 of 3" in capsys.readouterr().err
        # bead indices (the score after the second colon may move in its last digit)
        outs[jobs] = {
            p.name: [line.rsplit(":", 1)[0] for line in p.read_text().splitlines()] for p in sorted(out_dir.iterdir())
        }
    assert len(outs["1"]) == 3 and outs["1"] == outs["2"]
    assert all(len(beads) >= 3 for beads in outs["1"].values())
