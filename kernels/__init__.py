"""Ara's compiled core: SAP 10.2 worksheet kernels over NumPy arrays.

One module per worksheet section; each function names the worksheet lines it computes.
Nothing here imports from ``ara``: arrays in, arrays out. Table values arrive as dense
arrays built from ``spec/`` by ``ara.sap.tables``; worksheet constants arrive in one
vector indexed by the ``C_*`` names in :mod:`ara_kernels.layout`.
"""

import hashlib as _hashlib
import os as _os
from pathlib import Path as _Path

import numba as _numba


def _cache_dir() -> str:
    """Numba's cache keys a function on its own file only, so a change in a module it calls
    would reuse stale machine code. The cache therefore lives in a folder named after a
    hash of every kernel source file: any edit gives a fresh cache; an unchanged tree (a
    second process, a CI rerun) reuses the compiled kernels."""
    digest = _hashlib.sha256()
    for path in sorted(_Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    base = _os.environ.get("ARA_NUMBA_CACHE") or _os.path.join(
        _os.environ.get("XDG_CACHE_HOME") or _os.path.expanduser("~/.cache"), "ara", "numba")
    return _os.path.join(base, digest.hexdigest()[:16])


if not _os.environ.get("NUMBA_CACHE_DIR"):
    _numba.config.CACHE_DIR = _cache_dir()  # type: ignore[attr-defined]
