"""Execute ``notebooks/benchmark.ipynb`` headless in small mode and check that no cell failed."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbconvert")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "benchmark.ipynb"


def test_benchmark_notebook_runs_in_small_mode(monkeypatch, tmp_path):
    from nbconvert.preprocessors import ExecutePreprocessor

    monkeypatch.setenv("ALIGNER_BENCH_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path / "aligner-cache"))
    monkeypatch.delenv("ALIGNER_BENCH_CACHE", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    ExecutePreprocessor(timeout=300, kernel_name="python3").preprocess(nb, {"metadata": {"path": str(NOTEBOOK.parent)}})
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, errors
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4  # F1 bars, recall per type, heat-map, robustness, DP scaling
    text = "".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert "mode: **small**" in text and "F1 strict" in text
