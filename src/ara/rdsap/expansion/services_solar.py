"""Solar water heating columns of the services expansion: the lodged
``Solar-Water-Heating-Details`` where given, else the RdSAP 10 Table 29 'Solar panel' row and
the store rules of ``spec/tables/rdsap10_table29_solar_water_heating_defaults.csv`` (each
applied as a rule of the method and listed in the row's audit). The calculator computes
SAP 10.2 Appendix H from these columns (hot water only)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.rdsap.expansion.services_io import (
    MISSING,
    Certificates,
    Log,
    Output,
    flags,
    floats,
    int_codes,
)
from ara.sap.fallbacks import fallback
from ara.sap.tables import read_table

PROVISION_SPACE_AND_WATER, PROVISION_SPACE_ONLY = 1, 2
DATA_SOURCE_DECLARED = 2
FLAT_PANEL = 2
PUMP_ELECTRIC, PUMP_PV = 1, 2
SEVERE = 5


#: Collector parameters SAP 10.2 introduced (RdSAP-Schema-21 lodges them with declared
#: values; schemas 17.0-20.0.0 do not).
_SAP10_ONLY = ("solar_loop_efficiency", "solar_incidence_angle_modifier")


@lru_cache(maxsize=1)
def table29_solar() -> dict[str, float]:
    """rdsap10_table29_solar_water_heating_defaults.csv: parameter -> value."""
    return {r["parameter"]: float(r["value"])
            for r in read_table("rdsap10_table29_solar_water_heating_defaults.csv")}


def h1_lineage() -> dict[int, dict[str, float]]:
    """SAP 2012 Table H1 (LINEAGE) by collector type code: the SAP 10.2 inputs eta0, a1 and
    a2 of the fallback ``solar_collector_default_by_type`` (a1 = a* / 0.892, a2 = 0)."""
    return {int(r["code"]): {"solar_zero_loss_efficiency": float(r["zero_loss_efficiency"]),
                             "solar_a1_w_per_m2k": float(r["a_star_w_per_m2k"])
                             / float(r["a_star_factor"]),
                             "solar_a2_w_per_m2k2": 0.0}
            for r in read_table("sap2012_table_h1_collector_defaults_LINEAGE.csv")}


def solar_water_heating(c: Certificates, log: Log, out: Output, delivery: np.ndarray) -> None:
    """``solar_water_heating`` and the ``solar_*`` calculator inputs. ``delivery`` is the
    hot water delivery written by the water heating rules (3: a cylinder)."""
    solar = (c.flag("solar_water_heating") == 1) | (c.code("cylinder_size") == 5)
    out.put("solar_water_heating", solar)
    if not solar.any():
        return
    t = table29_solar()
    details = c.arr("solar_water_heating_details")

    def field(name: str) -> pa.Array:
        col = pc.struct_field(details, name)
        return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col

    provision = int_codes(field("service_provision"))
    log.problem(solar & np.isin(provision, (PROVISION_SPACE_AND_WATER, PROVISION_SPACE_ONLY)),
                "solar_water_heating", "solar collector heating space (Service-Provision 1/2): "
                "SAP 10.2 Appendix H (H18) and (H25)-(H29) are not transcribed in spec/")
    log.problem(solar & (flags(field("is_community_solar")) == 1), "solar_water_heating",
                "community solar water heating: not representable in the calculator inputs")

    # collector: declared values, else the Table 29 default panel
    declared = solar & (int_codes(field("collector_data_source")) == DATA_SOURCE_DECLARED)
    kind = int_codes(field("collector_type"))
    default = solar & ~declared
    # unglazed / evacuated tubes without declared values: SAP 10.2 Table H1 not found; the
    # declared fallback takes the SAP 2012 row of the type (LINEAGE, estimate mode)
    by_type = default & np.isin(kind, (1, 3))
    log.fallback(by_type, "solar_collector_default_by_type")
    lineage = h1_lineage()
    log.assume(default & ~np.isin(kind, (1, 3)), "solar panel: RdSAP 10 Table 29 default "
               f"({t['aperture_area_m2']:g} m2 flat panel, eta0 {t['zero_loss_efficiency']:g}, "
               f"a1 {t['linear_heat_loss_coefficient_w_per_m2k']:g}, "
               f"a2 {t['second_order_heat_loss_coefficient_w_per_m2k2']:g})")
    log.assume(default, f"solar collector loop efficiency {t['loop_efficiency']:g} and "
               f"incidence angle modifier {t['incidence_angle_modifier']:g} (Elmhurst RdSAP "
               "10 worksheets with the default panel, third party)")
    values = {
        "solar_aperture_area_m2": ("aperture_area_m2", 1.0, "aperture_area_m2"),
        "solar_zero_loss_efficiency": ("zero_loss_efficiency_percent", 0.01,
                                       "zero_loss_efficiency"),
        "solar_a1_w_per_m2k": ("linear_heat_loss_coefficient", 1.0,
                               "linear_heat_loss_coefficient_w_per_m2k"),
        "solar_a2_w_per_m2k2": ("second_order_heat_loss_coefficient", 1.0,
                                "second_order_heat_loss_coefficient_w_per_m2k2"),
        "solar_loop_efficiency": ("collector_loop_efficiency", 1.0, "loop_efficiency"),
        "solar_incidence_angle_modifier": ("incidence_angle_modifier", 1.0,
                                           "incidence_angle_modifier"),
    }
    for name, (lodged_name, scale, rule) in values.items():
        lodged = floats(field(lodged_name)) * scale
        if name in _SAP10_ONLY:
            # estimate fallback: a declared collector of a schema that lodged no SAP 10
            # loop efficiency / incidence angle modifier takes Table 29's
            unlodged = declared & ~np.isfinite(lodged)
            log.fallback(unlodged, "solar_collector_sap10_parameters_not_lodged")
            lodged = np.where(unlodged, t[rule], lodged)
        log.problem(declared & ~np.isfinite(lodged), name, f"declared solar collector without "
                    f"Solar-Water-Heating-Details {lodged_name}: null written")
        value = np.where(declared, lodged, t[rule])
        if name in ("solar_zero_loss_efficiency", "solar_a1_w_per_m2k", "solar_a2_w_per_m2k2"):
            for code, row in lineage.items():
                value = np.where(by_type & (kind == code), row[name], value)
        out.put(name, value, solar & np.isfinite(value))
    loop_loss = floats(field("overall_heat_loss"))
    out.put("solar_loop_heat_loss_w_per_k", loop_loss, declared & np.isfinite(loop_loss))

    # orientation, pitch, overshading: lodged, else Table 29 (South, 30 degrees, modest)
    orient = c_or_default(int_codes(field("collector_orientation")), np.arange(1, 9),
                          t["orientation"])
    log.assume(solar & ~orient[1], "solar collector orientation: South (RdSAP 10 Table 29)")
    out.put("solar_orientation", orient[0], solar)
    pitch_code = int_codes(field("collector_pitch"))
    pitch = np.full(c.n, t["pitch_deg"])
    for code in range(1, 6):
        pitch = np.where(pitch_code == code, t[f"pitch_code_{code}_deg"], pitch)
    log.assume(solar & ~np.isin(pitch_code, np.arange(1, 6)),
               "solar collector pitch: 30 degrees (RdSAP 10 Table 29)")
    out.put("solar_tilt_deg", pitch, solar)
    shade = c_or_default(int_codes(field("collector_overshading")), np.arange(1, 6),
                         t["overshading"])
    log.assume(solar & ~shade[1], "solar collector overshading: modest (RdSAP 10 Table 29)")
    severe = solar & (shade[0] == SEVERE)
    log.fallback(severe, "solar_overshading_severe")
    out.put("solar_overshading", np.where(
        severe, int(fallback("solar_overshading_severe").value), shade[0]), solar)

    # pump: lodged, else electric (Table 29); its electricity is the calculator's Table 4f
    # formula (Table 29's 75 kWh/yr conflicts with it: see the rules table)
    pump = int_codes(field("solar_water_pump"))
    log.assume(solar & ~np.isin(pump, (PUMP_ELECTRIC, PUMP_PV)), "solar pump: electric "
               "(RdSAP 10 Table 29), electricity by SAP 10.2 Table 4f (25 + 5 x H1) x 2")
    out.put("solar_pump_electric", pump != PUMP_PV, solar)

    # store: lodged volumes, else a third of the cylinder (combined) or a 75 L pre-heat tank
    cylinder_col = out.columns.get("cylinder_volume_l")
    cylinder = floats(cylinder_col) if cylinder_col is not None else np.full(c.n, np.nan)
    has_cylinder = (np.asarray(delivery) == 3) & np.isfinite(cylinder) & (cylinder > 0)
    dedicated = floats(field("dedicated_solar_volume_l"))
    known = solar & (flags(field("store_volume_details_known")) == 1) \
        & np.isfinite(dedicated) & (dedicated > 0)
    combined_lodged = flags(field("combined_cylinder")) == 1
    log.problem(known & combined_lodged & ~has_cylinder, "solar_combined_cylinder",
                "combined solar cylinder lodged but no hot water cylinder: null written")
    third = np.floor(cylinder / t["combined_dedicated_volume_divisor"] + 0.5)
    by_cylinder = solar & ~known & has_cylinder
    log.assume(by_cylinder, "solar store: combined cylinder, dedicated volume a third of the "
               "cylinder (Elmhurst RdSAP 10 worksheets, third party)")
    log.assume(solar & ~known & ~has_cylinder, "solar store: separate "
               f"{t['separate_preheat_volume_l']:g} L pre-heat tank (RdSAP 10 Table 29 as "
               "paraphrased by a third party)")
    volume = np.where(known, dedicated, np.where(has_cylinder, third,
                                                  t["separate_preheat_volume_l"]))
    combined = np.where(known, combined_lodged, has_cylinder)
    out.put("solar_dedicated_volume_l", volume, solar)
    out.put("solar_combined_cylinder", combined, solar & ~(known & combined_lodged
                                                           & ~has_cylinder))


def c_or_default(codes: np.ndarray, allowed: np.ndarray,
                 default: float) -> tuple[np.ndarray, np.ndarray]:
    """The lodged code where it is one of ``allowed`` (and whether it was), else
    ``default``."""
    lodged = np.isin(codes, allowed) & (codes != MISSING)
    return np.where(lodged, codes, int(default)), lodged
