"""Solar water heating (SAP 10.2 Appendix H) and PV diverter (Appendix G4) inputs -> kernel
columns, column-wise, with every check.

Solar water heating is computed for hot-water-only collectors ((H18) = 1). The collector
parameters SAP 10.2 Table H1 would default are not transcribed in ``spec/``, so they are
required; the loop heat loss (H10) and the Table 4f pump electricity (230g) have documented
defaults. A PV diverter is included only under the G4 conditions and is otherwise left out
(not refused), as G4 says.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ara.sap.problems import Problems
from ara.sap.problems import ints as _ints
from ara.sap.tables import SapTables
from ara_kernels import layout as L

Col = Callable[..., np.ndarray]
COMPASS = np.arange(1, 9)
HORIZONTAL = 9


def resolve_solar(p: Problems, dfl: np.ndarray, dil: np.ndarray, tables: SapTables, col: Col,
                  null: Callable[[str], np.ndarray], delivery: np.ndarray) -> np.ndarray:
    """Fill the DF_SOLAR_* / DI_SOLAR* columns of the dwellings with solar water heating and
    return their mask. The solar pump electricity (230g) is written to DF_SOLAR_PUMP only; the
    caller adds it to the Table 4f pumps and fans (231)."""
    solar = col("solar_water_heating", 0) == 1
    if not solar.any():
        return solar

    def need(name: str, ok: Callable[[np.ndarray], np.ndarray], what: str) -> np.ndarray:
        v = col(name)
        good = np.isfinite(v) & ok(np.nan_to_num(v))
        p.add(solar & ~good, name, f"required with solar water heating: {what}")
        return np.where(solar & good, v, 0.0)

    area = need("solar_aperture_area_m2", lambda v: v > 0, "a positive aperture area (m2)")
    eta0 = need("solar_zero_loss_efficiency", lambda v: (v > 0) & (v <= 1),
                "the zero-loss efficiency, 0-1 (SAP 10.2 Table H1 defaults are not "
                "transcribed in spec/)")
    a1 = need("solar_a1_w_per_m2k", lambda v: v >= 0, "a1 >= 0 (W/m2K)")
    a2 = need("solar_a2_w_per_m2k2", lambda v: v >= 0, "a2 >= 0 (W/m2K2)")
    loop = need("solar_loop_efficiency", lambda v: (v > 0) & (v <= 1),
                "the collector loop efficiency, 0-1 (the SAP 10.2 Table H1 default is not "
                "transcribed in spec/)")
    iam = need("solar_incidence_angle_modifier", lambda v: v > 0,
               "the incidence angle modifier, > 0 (the SAP 10.2 Table H1 default is not "
               "transcribed in spec/)")
    tilt = need("solar_tilt_deg", lambda v: (v >= 0) & (v <= 90), "the tilt, 0-90 degrees")
    orient = col("solar_orientation")
    horizontal = (orient == HORIZONTAL) | (col("solar_tilt_deg") == 0)
    p.add(solar & ~horizontal & ~np.isin(orient, COMPASS), "solar_orientation",
          "required with solar water heating: a compass code 1-8, or 9 / tilt 0 for "
          "horizontal")
    shade = _ints(col("solar_overshading", -1))
    z_table = tables.solar_collector_z
    z = np.where((shade >= 0) & (shade < z_table.size),
                 z_table[np.clip(shade, 0, z_table.size - 1)], np.nan)
    p.add(solar & ~np.isfinite(z), "solar_overshading",
          "required with solar water heating: a code with a Table H2 collector factor in "
          "spec/ (1-4; 5 'severe' has none)")
    volume = need("solar_dedicated_volume_l", lambda v: v > 0,
                  "the dedicated solar storage volume (l)")
    combined = solar & (col("solar_combined_cylinder", 0) == 1)
    cylinder = col("cylinder_volume_l")
    p.add(combined & (delivery != 3), "solar_combined_cylinder",
          "a combined cylinder needs a hot water cylinder (hot_water_delivery 3)")
    p.add(combined & (delivery == 3) & np.isfinite(cylinder) & (cylinder > 0)
          & ~(volume < cylinder), "solar_dedicated_volume_l",
          "must be smaller than cylinder_volume_l, the volume of the combined cylinder")
    combined_volume = np.where(combined & (delivery == 3), np.nan_to_num(cylinder), 0.0)

    c = tables.constants
    declared_loss = col("solar_loop_heat_loss_w_per_k")
    p.add(solar & ~null("solar_loop_heat_loss_w_per_k")
          & ~(np.isfinite(declared_loss) & (declared_loss >= 0)),
          "solar_loop_heat_loss_w_per_k", "must be a non-negative finite number")
    loop_loss = np.where(np.isfinite(declared_loss) & (declared_loss >= 0), declared_loss,
                         c[L.C_SOLAR_LOOP_LOSS_BASE] + c[L.C_SOLAR_LOOP_LOSS_PER_M2] * area)

    declared_pump = col("solar_pump_kwh_per_year")
    p.add(solar & ~null("solar_pump_kwh_per_year")
          & ~(np.isfinite(declared_pump) & (declared_pump >= 0)),
          "solar_pump_kwh_per_year", "must be a non-negative finite number")
    electric = col("solar_pump_electric", 1) == 1
    a, b, k = tables.systems.solar_pump
    pump = np.where(np.isfinite(declared_pump) & (declared_pump >= 0), declared_pump,
                    np.where(electric, (a + b * area) * k, 0.0))

    for idx, values in ((L.DF_SOLAR_AREA, area), (L.DF_SOLAR_ETA0, eta0),
                        (L.DF_SOLAR_A1, a1), (L.DF_SOLAR_A2, a2), (L.DF_SOLAR_LOOP_EFF, loop),
                        (L.DF_SOLAR_IAM, iam), (L.DF_SOLAR_Z, np.nan_to_num(z)),
                        (L.DF_SOLAR_LOOP_LOSS, loop_loss), (L.DF_SOLAR_VOLUME, volume),
                        (L.DF_SOLAR_COMBINED_VOLUME, combined_volume),
                        (L.DF_SOLAR_TILT, np.where(horizontal, 0.0, tilt)),
                        (L.DF_SOLAR_PUMP, pump)):
        dfl[:, idx] = np.where(solar, values, 0.0)
    dil[:, L.DI_SOLAR_ORIENT] = np.where(solar & horizontal, HORIZONTAL,
                                         np.where(solar, np.clip(_ints(orient), 0, 9), 0))
    # a row with a problem is not computed; the guard keeps its placeholders (0) out of
    # the kernel's divisions all the same
    dil[:, L.DI_SOLAR] = solar & (area > 0) & (volume > 0)
    return solar


def resolve_diverter(dil: np.ndarray, col: Col, pv_offsets: np.ndarray, solar: np.ndarray,
                     delivery: np.ndarray) -> None:
    """Appendix G4 step 1, the conditions known before the kernel: a diverter, PV arrays
    connected to the dwelling's meter (null: connected), no solar water heating, no battery
    and a cylinder. The kernel adds: the cylinder is larger than (43)."""
    diverter = col("pv_diverter", 0) == 1
    if not diverter.any():
        return
    has_pv = np.diff(pv_offsets) > 0
    connected = col("pv_connected_to_dwelling_meter", 1) == 1
    no_battery = ~(col("battery_capacity_kwh", 0.0) > 0)
    dil[:, L.DI_PV_DIVERTER] = diverter & has_pv & connected & ~solar & no_battery \
        & (delivery == 3)
