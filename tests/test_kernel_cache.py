"""The compiled kernels are cached on disk: a second process compiles nothing.

Two fresh interpreters import ara and call ``calculate`` on a few synthetic dwellings with the
same (initially empty) ``ARA_NUMBA_CACHE`` folder. The first compiles and writes the cache;
the second must load every kernel from it: Numba's dispatcher statistics show cache hits and
no cache miss for ``calculate_batch``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, time
t0 = time.perf_counter()
from ara.sap import calculate, synthetic
from ara_kernels.worksheet import calculate_batch
result = calculate(synthetic.generate(5, seed=11))
stats = calculate_batch.stats
print(json.dumps({
    "rows": result.num_rows,
    "hits": sum(stats.cache_hits.values()),
    "misses": sum(stats.cache_misses.values()),
    "cache_path": stats.cache_path,
    "seconds": time.perf_counter() - t0,
}))
"""


def run_once(cache: Path) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_CACHE_DIR", "NUMBA_DISABLE_JIT")}
    env["ARA_NUMBA_CACHE"] = str(cache)
    proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_second_process_loads_the_kernels_from_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "numba-cache"

    first = run_once(cache)
    cached_files = [p for p in cache.rglob("*") if p.suffix in (".nbi", ".nbc")]
    second = run_once(cache)

    assert first["rows"] == second["rows"] == 5
    assert first["misses"] and not first["hits"], f"the first run starts cold: {first}"
    assert str(first["cache_path"]).startswith(str(cache)), first
    assert any(p.suffix == ".nbi" for p in cached_files)
    assert any(p.suffix == ".nbc" for p in cached_files)
    assert second["hits"] and not second["misses"], f"the second run compiled: {second}"
