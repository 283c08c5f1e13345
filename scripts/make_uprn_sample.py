"""Regenerate ``src/ara/data/uprn_sample.parquet``: a SYNTHETIC UPRN reference file.

    python scripts/make_uprn_sample.py

It has the columns of OS Open UPRN (``UPRN, X_COORDINATE, Y_COORDINATE, LATITUDE,
LONGITUDE``) plus the three planning-flag columns ``ara.ingestion.geospatial`` reads
(``CONSERVATION_AREA, LISTED_BUILDING, HERITAGE_BUILDING``), for trying the UPRN lookup
without the national file. Nothing in it is real:

* the UPRNs are 13-digit numbers from 9,100,000,000,000 up: outside the UPRN range (at most
  12 digits), so they can never match a real property;
* the points are scattered at random around a few town centres; eastings and northings are
  projected from them with the OS National Grid transverse Mercator on the Airy 1830
  ellipsoid without the datum shift (about 100 m off: plausible, not survey-grade);
* the flags are drawn at random (conservation area 6 %, listed 2 %, heritage 1 %).

The schema metadata says so (``ara.synthetic = true``, ``ara.provenance``). Same seed, same
file.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "src" / "ara" / "data" / "uprn_sample.parquet"

N_ROWS = 2000
SEED = 2026
FIRST_UPRN = 9_100_000_000_000
#: (latitude, longitude) of the centres the synthetic points cluster around
CENTRES = ((51.5074, -0.1278), (53.4808, -2.2426), (51.4545, -2.5879), (53.8008, -1.5491),
           (51.4816, -3.1791), (55.9533, -3.1883), (52.6309, 1.2974), (50.7184, -3.5339))
SPREAD_DEG = 0.05
FLAG_RATES = {"CONSERVATION_AREA": 0.06, "LISTED_BUILDING": 0.02, "HERITAGE_BUILDING": 0.01}

# OS National Grid: Airy 1830 ellipsoid, true origin 49N 2W, false origin -100 km N, 400 km E
_A, _B, _F0 = 6377563.396, 6356256.909, 0.9996012717
_LAT0, _LON0, _N0, _E0 = math.radians(49.0), math.radians(-2.0), -100_000.0, 400_000.0


def national_grid(latitude: np.ndarray, longitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Easting and northing (m) of latitude/longitude (degrees) by the transverse Mercator
    series of the OS guide to coordinate systems in Great Britain, on Airy 1830 (no datum
    transformation: synthetic use only)."""
    phi, lam = np.radians(latitude), np.radians(longitude)
    e2 = 1 - _B**2 / _A**2
    n = (_A - _B) / (_A + _B)
    sin, cos, tan = np.sin(phi), np.cos(phi), np.tan(phi)
    nu = _A * _F0 / np.sqrt(1 - e2 * sin**2)
    rho = _A * _F0 * (1 - e2) / (1 - e2 * sin**2) ** 1.5
    eta2 = nu / rho - 1
    d, s = phi - _LAT0, phi + _LAT0
    m = _B * _F0 * ((1 + n + 1.25 * n**2 + 1.25 * n**3) * d
                    - (3 * n + 3 * n**2 + 21 / 8 * n**3) * np.sin(d) * np.cos(s)
                    + (15 / 8 * n**2 + 15 / 8 * n**3) * np.sin(2 * d) * np.cos(2 * s)
                    - 35 / 24 * n**3 * np.sin(3 * d) * np.cos(3 * s))
    i = m + _N0
    ii = nu / 2 * sin * cos
    iii = nu / 24 * sin * cos**3 * (5 - tan**2 + 9 * eta2)
    iiia = nu / 720 * sin * cos**5 * (61 - 58 * tan**2 + tan**4)
    iv = nu * cos
    v = nu / 6 * cos**3 * (nu / rho - tan**2)
    vi = nu / 120 * cos**5 * (5 - 18 * tan**2 + tan**4 + 14 * eta2 - 58 * tan**2 * eta2)
    dl = lam - _LON0
    northing = i + ii * dl**2 + iii * dl**4 + iiia * dl**6
    easting = _E0 + iv * dl + v * dl**3 + vi * dl**5
    return easting, northing


def sample_table(n: int = N_ROWS, seed: int = SEED) -> pa.Table:
    rng = np.random.default_rng(seed)
    centre = rng.integers(0, len(CENTRES), n)
    lat = np.array([c[0] for c in CENTRES])[centre] + rng.normal(0, SPREAD_DEG, n)
    lon = np.array([c[1] for c in CENTRES])[centre] + rng.normal(0, SPREAD_DEG * 1.6, n)
    easting, northing = national_grid(lat, lon)
    uprn = FIRST_UPRN + np.cumsum(rng.integers(1, 50, n))
    columns = {
        "UPRN": pa.array(uprn, pa.int64()),
        "X_COORDINATE": pa.array(np.round(easting, 2)),
        "Y_COORDINATE": pa.array(np.round(northing, 2)),
        "LATITUDE": pa.array(np.round(lat, 7)),
        "LONGITUDE": pa.array(np.round(lon, 7)),
        **{name: pa.array(rng.random(n) < rate) for name, rate in FLAG_RATES.items()},
    }
    table = pa.table(columns)
    return table.replace_schema_metadata({
        b"ara.synthetic": b"true",
        b"ara.provenance": (
            f"SYNTHETIC: {n} made-up UPRN reference rows from scripts/make_uprn_sample.py "
            f"(seed {seed}); 13-digit UPRNs that no real property has; random points near "
            f"town centres; random planning flags. Layout of OS Open UPRN plus the "
            f"CONSERVATION_AREA, LISTED_BUILDING, HERITAGE_BUILDING columns.").encode(),
    })


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    pq.write_table(sample_table(), args.output, row_group_size=500, compression="zstd")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
