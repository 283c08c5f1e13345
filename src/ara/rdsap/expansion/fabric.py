"""RdSAP 10 fabric expansion: certificate data (``CERTIFICATE_SCHEMA``) -> the fabric columns
of the SAP 10.2 calculator input (``SAP_INPUT_SCHEMA``), vectorised over the whole batch.

:func:`expand_fabric` produces, one row per certificate, the storeys, opaque elements,
openings, (empty) thermal bridges, living area, thermal mass parameter, storey count,
window overshading and the wall / floor constructions of ventilation lines (11) and (12);
beside them the quantities the services expansion needs (total floor area, roof area for
PV, main age band, country) and a list of problems: a certificate that cannot be expanded
is named with the field and the reason, and its row holds nulls, never a silent default.

Rules and their sources: docs/rdsap/expansion_fabric.md (each GAP decision with its
confidence) and the comments at each rule, which cite the RdSAP 10 section / table.
Nothing here loops over certificates: list columns are flattened to NumPy arrays (one item
per building part, storey, wall, window ...), computed on, and rebuilt from offsets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.rdsap.expansion.conservatory import (
    CONSERVATORY_CODES,
    HEIGHT_CODES,
    non_separated_conservatories,
)
from ara.rdsap.expansion.fabric_arrow import (
    MISSING_CODE,
    Level,
    Problems,
    as_array,
    bools,
    codes,
    floats,
    ints,
    list_array,
)
from ara.rdsap.expansion.fabric_dimensions import (
    N_SLOTS,
    SLOT_ALT_WALLS,
    SLOT_CORRIDOR_WALL,
    SLOT_FLOOR,
    SLOT_MAIN_WALL,
    SLOT_PARTY_WALL,
    SLOT_ROOF,
    SLOT_RR_ROOF,
    SLOT_RR_SURFACES,
    Parts,
    convert_external,
    read_parts,
    sum_parts,
)
from ara.rdsap.expansion.fabric_floors import (
    FLOOR_INSULATION_MM,
    FLOOR_PROBLEMS,
    P_WALL_THICKNESS,
    floor_u_values,
)
from ara.rdsap.expansion.fabric_openings import (
    Openings,
    doors,
    host_indices,
    windows,
)
from ara.rdsap.expansion.fabric_roofs import (
    NO_ROOF,
    PITCHED,
    ROOF_CODES,
    ROOF_LOCATION_CODES,
    ROOF_MM,
    ROOF_PROBLEMS,
    RoomsInRoof,
    roof_u_values,
    rooms_in_roof,
)
from ara.rdsap.expansion.fabric_walls import (
    CONDUCTIVITY,
    PARTY_WALL_CODES,
    WALL_CONSTRUCTION_CODES,
    WALL_INSULATION_CODES,
    WALL_INSULATION_MM,
    WALL_PROBLEMS,
    default_wall_thickness_mm,
    party_wall_u,
    sheltered_u,
    wall_u_values,
)
from ara.rdsap.expansion.glazed_area import needs_windows
from ara.rdsap.expansion.tables import AGE_BANDS, COUNTRIES, FabricTables, fabric_tables
from ara.rdsap.rounding import round_half_up
from ara.sap.fallbacks import FallbackLog, fallback
from ara.sap.schema import ELEMENT_TYPE, OPENING_TYPE, STOREY_TYPE, THERMAL_BRIDGE_TYPE

__all__ = ["FABRIC_COLUMNS", "FabricProblem", "FabricResult", "expand_fabric"]

#: The SAP_INPUT_SCHEMA columns produced here.
FABRIC_COLUMNS: tuple[str, ...] = (
    "storeys", "elements", "openings", "thermal_bridges", "living_area_m2",
    "thermal_mass_parameter", "storey_count", "windows_overshading", "wall_construction",
    "floor_construction")

#: UKCountryCode -> COUNTRIES index ('EAW', England and Wales before RdSAP 10, reads as
#: England: the Wales tables equal the England ones in spec/tables).
_COUNTRY_CODES = ("ENG", "WLS", "SCT", "NIR", "EAW")
_COUNTRY_INDEX = np.array([0, 1, 2, 3, 0, -1])
_COUNTRY_NAMES = ("england", "wales", "scotland", "northern_ireland", "isle_of_man")
PROPERTY_TYPES = ("0", "1", "2", "3", "4")  # house, bungalow, flat, maisonette, park home
TIMBER_FRAME = 5
#: The latest age band of the wall-thickness lineage table (RdSAP 2012 Table S3: band L).
_LATEST_THICKNESS_BAND = AGE_BANDS.index("L")


class FabricProblem(NamedTuple):
    """A certificate that cannot be expanded: its row, number, the field and the reason."""

    row: int
    certificate_number: str | None
    field: str
    message: str


@dataclass(frozen=True)
class FabricResult:
    """``columns``: SAP_INPUT_SCHEMA columns (FABRIC_COLUMNS), one row per certificate;
    ``quantities``: per-certificate values for the services expansion
    (``total_floor_area_m2``, ``roof_area_m2`` and ``pitched_roof_area_m2`` -- the roof area
    for heat loss before any room-in-roof amendment, section 11.1 b) --, ``main_roof_pitched``,
    ``main_age_band``, ``country``); ``problems``: certificates that cannot be expanded (their
    rows are null in ``columns`` and ``quantities``)."""

    columns: dict[str, pa.Array]
    quantities: dict[str, pa.Array]
    problems: list[FabricProblem]

    @property
    def failed_rows(self) -> np.ndarray:
        """Sorted row numbers of the certificates that could not be expanded."""
        return np.unique(np.array([p.row for p in self.problems], dtype=np.int64))


def _wall_inputs(level: Level) -> dict[str, np.ndarray]:
    """The Wall-* fields of building parts or alternative walls, as wall_u_values inputs."""
    ins_mm = level.mapped("wall_insulation_thickness", WALL_INSULATION_MM)
    measured_ins = level.floats("wall_insulation_thickness_measured_mm")
    ins_mm = np.where(np.isfinite(measured_ins) & (measured_ins > 0), measured_ins, ins_mm)
    return {
        "construction": level.codes("wall_construction", WALL_CONSTRUCTION_CODES) + 1,
        "insulation": level.codes("wall_insulation_type", WALL_INSULATION_CODES) + 1,
        "thickness_mm": level.floats("wall_thickness_mm"),
        "dry_lined": level.bools("wall_dry_lined")[0],
        "u_lodged": level.floats("wall_u_value"),
        "insulation_mm": ins_mm,
        "conductivity": level.mapped("wall_insulation_thermal_conductivity", CONDUCTIVITY),
    }


def _report(problems: Problems, codes_: np.ndarray, rows: np.ndarray, prefix: str,
            table: dict[int, tuple[str, str]]) -> None:
    for code, (field, message) in table.items():
        problems.add_mask(codes_ == code, rows, prefix + field, message)


@dataclass
class _Walls:
    main_u: np.ndarray  # [p]
    main_construction: np.ndarray  # [p]
    alt: Level
    alt_part: np.ndarray
    alt_slot: np.ndarray
    alt_area: np.ndarray
    alt_u: np.ndarray
    alt_construction: np.ndarray
    alt_sheltered: np.ndarray


def _insulation_thickness_fallback(w: dict[str, np.ndarray], rows: np.ndarray,
                                   fallbacks: FallbackLog) -> None:
    """Estimate fallbacks of walls without an assessor U-value: added insulation (external,
    internal, or with a filled cavity) lodged without its thickness takes the declared
    thickness (``wall_insulation_thickness_unknown``, the Table 20 'insulated, thickness
    unknown' pattern: the 50 mm row); a curtain wall is recorded as
    ``curtain_wall_age_unknown``."""
    no_u = ~(np.isfinite(w["u_lodged"]) & (w["u_lodged"] > 0))
    curtain = w["construction"] == 7
    unknown = np.isin(w["insulation"], (1, 3, 6, 7)) & ~np.isfinite(w["insulation_mm"]) \
        & no_u & ~curtain
    fallbacks.use(rows[unknown], "wall_insulation_thickness_unknown")
    # a curtain wall without a lodged U: section 5.18's pre-2023 value (wall_u_values)
    fallbacks.use(rows[curtain & no_u], "curtain_wall_age_unknown")
    # a park home wall as built without a lodged U: RdSAP 2012 Table S8a (wall_u_values)
    fallbacks.use(rows[(w["construction"] == 10) & np.isin(w["insulation"], (4, 5)) & no_u],
                  "park_home_wall_lineage")
    w["insulation_mm"] = np.where(unknown, fallback("wall_insulation_thickness_unknown").value,
                                  w["insulation_mm"])


def _walls(t: FabricTables, parts: Parts, country: np.ndarray,
           problems: Problems, fallbacks: FallbackLog) -> _Walls:
    """Main and alternative walls of every part (section 5: Tables 6-9, 12-14, 23; 5.6
    assessor U; 5.9 sheltered)."""
    pr = parts.row
    w = _wall_inputs(parts.level)
    _insulation_thickness_fallback(w, pr, fallbacks)
    main_u, code = wall_u_values(t, country[pr], parts.band, sheltered=np.zeros(pr.size, bool),
                                 **w)
    _report(problems, code, pr, "building_parts[].", WALL_PROBLEMS)
    alt = Level.of(parts.level.field("alternative_walls"))
    ap = alt.parent
    aw = _wall_inputs(alt)
    _insulation_thickness_fallback(aw, pr[ap], fallbacks)
    sheltered, _ = alt.bools("sheltered_wall")
    alt_u, acode = wall_u_values(t, country[pr[ap]], parts.band[ap], sheltered=sheltered, **aw)
    _report(problems, acode, pr[ap], "building_parts[].alternative_walls[].", WALL_PROBLEMS)
    number = alt.ints("alternative_wall_number")
    problems.add_mask(~np.isin(number, (1, 2)), pr[ap],
                      "building_parts[].alternative_walls[].alternative_wall_number",
                      "alternative wall must be number 1 or 2")
    slot = np.where(number == 2, SLOT_ALT_WALLS[1], SLOT_ALT_WALLS[0])
    dup = np.bincount(ap * 2 + (slot - SLOT_ALT_WALLS[0]), minlength=parts.n * 2) > 1
    problems.add(pr[np.flatnonzero(dup) // 2], "building_parts[].alternative_walls",
                 "alternative wall lodged twice")
    area = round_half_up(alt.floats("wall_area_m2"))
    problems.add_mask(~(area > 0), pr[ap], "building_parts[].alternative_walls[].wall_area_m2",
                      "alternative wall without a positive area")
    return _Walls(main_u=main_u, main_construction=w["construction"], alt=alt, alt_part=ap,
                  alt_slot=slot, alt_area=area, alt_u=alt_u,
                  alt_construction=aw["construction"], alt_sheltered=sheltered)


def _element_matrix(parts: Parts, walls: _Walls, rr: RoomsInRoof, n_rows: int,
                    corridor_area: np.ndarray, corridor_u: np.ndarray,
                    party_u: np.ndarray, roof_area: np.ndarray, roof_u: np.ndarray,
                    floor_u: np.ndarray, floor_kind: np.ndarray, problems: Problems
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(area, U, kind, wall construction) of every candidate element slot [part, slot]."""
    n = parts.n
    area = np.full((n, N_SLOTS), np.nan)
    u = np.full((n, N_SLOTS), np.nan)
    kind = np.zeros((n, N_SLOTS), dtype=np.int64)
    cons = np.zeros((n, N_SLOTS), dtype=np.int64)
    basement = 6  # WallConstructionCode 6 -> SAP basement wall (29)
    # alternative walls (and the derived corridor wall) are part of HLP x height (section 3.3)
    alt_sum = np.bincount(walls.alt_part, weights=np.nan_to_num(walls.alt_area), minlength=n)
    main_area = round_half_up(parts.wall_gross - alt_sum - corridor_area)
    problems.add_mask(main_area < 0, parts.row, "building_parts[].alternative_walls",
                      "alternative / sheltered walls larger than the exposed wall area of "
                      "the building part")
    area[:, SLOT_MAIN_WALL] = main_area
    u[:, SLOT_MAIN_WALL] = walls.main_u
    kind[:, SLOT_MAIN_WALL] = np.where(walls.main_construction == basement, 2, 1)
    cons[:, SLOT_MAIN_WALL] = walls.main_construction
    ap, slot = walls.alt_part, walls.alt_slot
    area[ap, slot] = walls.alt_area
    u[ap, slot] = walls.alt_u
    kind[ap, slot] = np.where(walls.alt_construction == basement, 2, 1)
    cons[ap, slot] = walls.alt_construction
    area[:, SLOT_CORRIDOR_WALL] = corridor_area
    u[:, SLOT_CORRIDOR_WALL] = corridor_u
    kind[:, SLOT_CORRIDOR_WALL] = 1
    cons[:, SLOT_CORRIDOR_WALL] = walls.main_construction
    area[:, SLOT_PARTY_WALL] = parts.party_area
    u[:, SLOT_PARTY_WALL] = party_u
    kind[:, SLOT_PARTY_WALL] = 7
    area[:, SLOT_ROOF] = roof_area
    u[:, SLOT_ROOF] = roof_u
    kind[:, SLOT_ROOF] = 3
    area[:, SLOT_FLOOR] = _lowest(parts.st_area, parts.lowest, np.nan)
    u[:, SLOT_FLOOR] = floor_u
    kind[:, SLOT_FLOOR] = floor_kind
    area[:, SLOT_RR_ROOF] = rr.residual
    u[:, SLOT_RR_ROOF] = rr.residual_u
    kind[:, SLOT_RR_ROOF] = 3
    ks = SLOT_RR_SURFACES + rr.k_slot
    area[rr.k_part, ks] = np.where(rr.k_kind > 0, rr.k_area, np.nan)
    u[rr.k_part, ks] = rr.k_u
    kind[rr.k_part, ks] = rr.k_kind
    cons[rr.k_part, ks] = np.where(rr.k_is_wall, walls.main_construction[rr.k_part], 0)
    return area, u, kind, cons


def _lowest(storey_values: np.ndarray, lowest: np.ndarray, fill: float) -> np.ndarray:
    """Per building part, the value of its lowest storey (``lowest`` indexes the storeys, -1
    none); ``fill`` where it has none, also when no part of the batch has a storey."""
    if storey_values.size == 0:
        return np.full(lowest.shape, fill)
    return np.where(lowest >= 0, storey_values[np.clip(lowest, 0, None)], fill)


def expand_fabric(certs: pa.Table | pa.RecordBatch,
                  fallbacks: FallbackLog | None = None,
                  check_windows: bool = True) -> FabricResult:
    """Expand the fabric of every certificate of ``certs`` (CERTIFICATE_SCHEMA). Where a
    declared estimate fallback (``spec/tables/estimate_fallbacks.csv``) supplies a missing
    item, its value is written and the use is recorded in ``fallbacks`` (the mode decides
    afterwards whether the row is refused or rated as an estimate). ``check_windows=False``
    (the pass that sizes estimated windows) does not refuse a row for having none."""
    if isinstance(certs, pa.RecordBatch):
        certs = pa.Table.from_batches([certs])
    t = fabric_tables()
    conv = t.conventions
    n = certs.num_rows
    problems = Problems()
    if fallbacks is None:
        fallbacks = FallbackLog(n)

    def col(name: str) -> pa.Array:
        return as_array(certs.column(name))

    # dwelling-level data
    cidx = codes(col("country_code"), _COUNTRY_CODES)
    country = _COUNTRY_INDEX[np.where(cidx >= 0, cidx, len(_COUNTRY_CODES))]
    problems.add_mask(country < 0, None, "country_code",
                      "country (ENG, WLS, SCT, NIR) not recorded: the tables are by country")
    ptype = codes(col("property_type"), PROPERTY_TYPES)
    problems.add_mask(ptype < 0, None, "property_type", "property type not recorded")
    problems.add_mask(ptype == 4, None, "property_type",
                      "park home: Table 21 park-home y-values and park-home walls are not "
                      "established (GAP)")
    is_flat = np.isin(ptype, (2, 3))
    # a separated conservatory (2, 3) is outside the dwelling and ignored; one not separated
    # (4) is expanded below (section 6.1, Table 25: conservatory.py, decision 0028)
    conservatory = codes(col("conservatory_type"), CONSERVATORY_CODES)
    measurement = codes(col("measurement_type"), ("1", "2"))
    problems.add_mask(measurement < 0, None, "measurement_type",
                      "measurement type (internal / external) not recorded")
    built_form = codes(col("built_form"), ("1", "2", "3", "4", "5", "6"))

    # building parts, storeys (section 1 of RDSAP10_RULES.md; RdSAP 10 section 3)
    parts = read_parts(certs, conv["upper_storey_height_allowance_m"], problems)
    cv = non_separated_conservatories(
        t, conservatory, floats(col("conservatory_floor_area_m2")),
        floats(col("conservatory_glazed_perimeter_m")),
        codes(col("conservatory_room_height"), HEIGHT_CODES),
        bools(col("conservatory_double_glazed")), parts, problems)
    pr = parts.row
    pcountry = country[pr]
    walls = _walls(t, parts, country, problems, fallbacks)
    main = parts.main
    m = np.clip(main, 0, None)
    has_main = main >= 0
    wall_insulation = parts.level.codes("wall_insulation_type", WALL_INSULATION_CODES) + 1
    measured_mm = parts.level.floats("wall_thickness_mm")
    part_thickness = default_wall_thickness_mm(
        t, pcountry, parts.band, walls.main_construction, wall_insulation, measured_mm)
    # estimate fallback: band M has no lineage row; the same construction's band L value
    latest = default_wall_thickness_mm(
        t, pcountry, np.minimum(parts.band, _LATEST_THICKNESS_BAND), walls.main_construction,
        wall_insulation, measured_mm)
    nearest = ~np.isfinite(part_thickness) & np.isfinite(latest) \
        & (parts.band > _LATEST_THICKNESS_BAND)
    tabulated_thickness = part_thickness  # NaN where only the fallback gives a value
    part_thickness = np.where(nearest, latest, part_thickness)
    # the fallback is used only where a rule reads the thickness: the main part's, for the
    # external -> internal conversion; a part's, for its ground floor (recorded below)
    is_main_part = np.arange(parts.n) == np.where(has_main, main, -1)[pr] if parts.n else \
        np.zeros(0, dtype=bool)
    thickness_used = nearest & is_main_part & (measurement == 1)[pr]
    main_wall_m = np.where(has_main, part_thickness[m] / 1000.0, np.nan) if parts.n else \
        np.full(n, np.nan)
    # internal vs external measurement (GAP): RdSAP 2012 Table S2 conversion (lineage, L)
    convert_external(parts, measurement == 1, built_form, main_wall_m, problems)
    sum_parts(parts)

    # party walls (section 5.10, Table 15)
    party_code = parts.level.codes("party_wall_construction", PARTY_WALL_CODES)
    party_u = party_wall_u(t, party_code, is_flat[pr])
    has_party = parts.party_area > 0
    # estimate fallback: 'cavity masonry, filled and sealed' (code 4) has no Table 15 row;
    # SAP 2009 / 2012 give a fully filled, edge-sealed cavity party wall 0.0
    sealed = party_code == PARTY_WALL_CODES.index("4")
    party_u = np.where(sealed, fallback("party_wall_filled_and_sealed").value, party_u)
    # estimate fallback: construction 'not applicable' lodged with a party wall length: a
    # detached dwelling has none (the length is not billed); any other built form has one,
    # of construction not determined (Table 15 'unable to determine')
    na_with_length = has_party & (party_code == PARTY_WALL_CODES.index("NA"))
    detached = (built_form == 0)[pr]
    fallbacks.use(pr[na_with_length], "party_wall_not_applicable_with_length")
    parts.party_area = np.where(na_with_length & detached, 0.0, parts.party_area)
    undetermined = party_wall_u(t, np.full(party_code.shape, PARTY_WALL_CODES.index("0")),
                                is_flat[pr])
    party_u = np.where(na_with_length & ~detached, undetermined, party_u)
    problems.add_mask(has_party & (party_code == -2), pr,
                      "building_parts[].party_wall_construction",
                      "party wall construction is not a PartyWallConstructionCode")

    # rooms in roof (sections 3.9, 3.10)
    rr = rooms_in_roof(t, parts.level, pr, pcountry, walls.main_u, party_u, problems,
                       parts.band, fallbacks)
    # the party wall fallback counts where a party wall (or party gable) is billed
    party_gable = np.bincount(rr.k_part[rr.k_kind == 7], minlength=parts.n) > 0
    fallbacks.use(pr[sealed & (has_party | party_gable)], "party_wall_filled_and_sealed")

    # roofs (section 5.11; roof area section 3.8: largest floor area less the RR floor)
    lv = parts.level
    roof_type = lv.codes("roof_construction", ROOF_CODES)
    roof_u_lodged = lv.floats("roof_u_value")
    no_roof_u = ~(np.isfinite(roof_u_lodged) & (roof_u_lodged >= 0))
    # estimate fallback: roof construction 'none' (0), NR or absent, and no assessor U: a
    # pitched slate / tile roof with loft access (code 4), its lodged insulation or the
    # age-band default; a flat or maisonette lodged as not on the top storey has another
    # dwelling above (code 3)
    unrecorded = no_roof_u & np.isin(roof_type, (MISSING_CODE, ROOF_CODES.index("0"),
                                                 ROOF_CODES.index("NR")))
    top, top_given = bools(col("top_storey"))
    below_top = (is_flat & top_given & ~top)[pr]
    fallbacks.use(pr[unrecorded], "roof_construction_not_recorded")
    roof_type = np.where(unrecorded, np.where(below_top, ROOF_CODES.index("3"),
                                              ROOF_CODES.index("4")), roof_type)
    # estimate fallback: thatch takes the RdSAP 2012 Tables S9 / S10 rows (roof_u_values)
    fallbacks.use(pr[no_roof_u & (roof_type == ROOF_CODES.index("6"))], "thatched_roof_lineage")
    roof_u, rcode = roof_u_values(
        t, pcountry, parts.band, roof_type, lv.codes("roof_insulation_location",
                                                     ROOF_LOCATION_CODES),
        lv.mapped("roof_insulation_thickness", ROOF_MM),
        lv.mapped("rafter_insulation_thickness", ROOF_MM),
        lv.mapped("flat_roof_insulation_thickness", ROOF_MM),
        lv.mapped("sloping_ceiling_insulation_thickness", ROOF_MM), roof_u_lodged)
    _report(problems, rcode, pr, "building_parts[].", ROOF_PROBLEMS)
    heat_loss_roof = (roof_type >= 0) & ~np.isin(roof_type, NO_ROOF) & (rcode == 0)
    # a room in roof larger than the largest storey below covers all of that storey's roof:
    # no plain roof is left (the lodgement rules only require a positive room-in-roof floor
    # area; GAP decision 31 of docs/rdsap/expansion_fabric.md). The room-in-roof shell
    # (section 3.9) carries the heat loss of the room in roof either way.
    roof_area = np.maximum(round_half_up(parts.max_area - rr.area), 0.0)
    roof_area = np.where(heat_loss_roof, roof_area, np.nan)

    # floors (sections 5.12-5.14, 5.17)
    floor_u, floor_kind, floor_cons, fcode = floor_u_values(
        t, pcountry, parts.band, parts.floor_heat_loss,
        _lowest(parts.st_construction, parts.lowest, -1),
        _lowest(parts.st_insulation, parts.lowest, -1),
        lv.mapped("floor_insulation_thickness", FLOOR_INSULATION_MM),
        _lowest(parts.st_area, parts.lowest, np.nan),
        _lowest(parts.st_hlp, parts.lowest, np.nan), part_thickness, lv.floats("floor_u_value"))
    _report(problems, fcode, pr, "building_parts[].", FLOOR_PROBLEMS)
    if nearest.any():  # which ground floors read the fallback thickness
        *_, fcode_tabulated = floor_u_values(
            t, pcountry, parts.band, parts.floor_heat_loss,
            _lowest(parts.st_construction, parts.lowest, -1),
            _lowest(parts.st_insulation, parts.lowest, -1),
            lv.mapped("floor_insulation_thickness", FLOOR_INSULATION_MM),
            _lowest(parts.st_area, parts.lowest, np.nan),
            _lowest(parts.st_hlp, parts.lowest, np.nan), tabulated_thickness,
            lv.floats("floor_u_value"))
        thickness_used |= nearest & (fcode_tabulated == P_WALL_THICKNESS)
    fallbacks.use(pr[thickness_used], "wall_thickness_nearest_band")

    # sheltered wall of a flat / maisonette off an unheated corridor or stairwell (section
    # 5.9, Table 4 R 0.5; RdSAP 2012 S3.13 lineage when no sheltered alternative wall)
    hlc = codes(col("heat_loss_corridor"), ("0", "1", "2", "3"))
    corridor = is_flat & np.isin(hlc, (2, 3))
    sheltered_alt = np.flatnonzero(walls.alt_sheltered)
    first_sheltered = np.full(n, -1, dtype=np.int64)
    rows_with, first_of_row = np.unique(pr[walls.alt_part[sheltered_alt]], return_index=True)
    first_sheltered[rows_with] = sheltered_alt[first_of_row]
    corridor_len = floats(col("unheated_corridor_length_m"))
    derive = corridor & (first_sheltered < 0) & (corridor_len > 0) & has_main
    main_low = parts.lowest[m] if parts.n else np.full(n, -1)
    main_height = np.where(has_main & (main_low >= 0),
                           parts.st_height[np.clip(main_low, 0, None)] if parts.st_height.size
                           else np.nan, np.nan)
    corridor_area = np.zeros(parts.n)
    corridor_u = np.full(parts.n, np.nan)
    corridor_area[main[derive]] = round_half_up(corridor_len[derive] * main_height[derive])
    corridor_u[main[derive]] = sheltered_u(walls.main_u[main[derive]])
    corridor_host = np.full((n, 2), -1, dtype=np.int64)
    has_alt = first_sheltered >= 0
    corridor_host[has_alt, 0] = walls.alt_part[first_sheltered[has_alt]]
    corridor_host[has_alt, 1] = walls.alt_slot[first_sheltered[has_alt]]
    corridor_host[derive, 0] = main[derive]
    corridor_host[derive, 1] = SLOT_CORRIDOR_WALL

    area, u, kind, cons = _element_matrix(parts, walls, rr, n, corridor_area, corridor_u,
                                          party_u, roof_area, roof_u, floor_u, floor_kind,
                                          problems)
    present = np.isfinite(area) & (area > 0) & (kind > 0)
    missing_u = present & ~np.isfinite(u)
    bad_now = problems.bad_mask(n)
    problems.add_mask(missing_u.any(axis=1) & ~bad_now[pr], pr, "building_parts[]",
                      "an element of this building part has no U-value")

    # elements, in part order then slot order (parts are grouped by certificate row)
    flat_idx = np.flatnonzero(present.ravel())
    e_part = flat_idx // N_SLOTS
    e_slot = flat_idx % N_SLOTS
    e_row = pr[e_part]
    elem_index = np.full(parts.n * N_SLOTS, -1, dtype=np.int64)
    elem_index[flat_idx] = np.arange(flat_idx.size)
    elem_first = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(e_row, minlength=n), out=elem_first[1:])
    e_area = area[e_part, e_slot]
    y_part = t.thermal_bridging_y[np.clip(parts.band, 0, len(AGE_BANDS) - 1)]  # Table 21

    # openings (section 3.7; Tables 24, 26)
    pvc_frames = bools(col("pvc_window_frames"))
    gap_default = codes(col("glazing_gap"), ("6", "12", "16+"))
    win = windows(t, Level.of(col("windows")), parts.lookup, country, present, pvc_frames,
                  gap_default, problems, fallbacks)
    door_count = ints(col("door_count"))
    has_door_corridor = corridor & (door_count >= 1)
    main_band = np.where(has_main, parts.band[m], -1) if parts.n else np.full(n, -1)
    dr = doors(t, door_count, ints(col("insulated_door_count"), 0),
               floats(col("insulated_door_u_value")), country, main_band, main,
               corridor_host, has_door_corridor, problems)
    ops = Openings.concat(win, dr)
    host = host_indices(ops, present, elem_index, elem_first, e_area, problems)
    # the conservatory's glazed walls and roof (section 6.1): no host element
    cv_ops = cv.openings()
    ops = Openings.concat(ops, cv_ops)
    host = np.concatenate([host, np.full(cv_ops.row.size, -1, dtype=np.int64)])
    # safety net: no opening leaves without its numbers unless its row is already named
    glazed = ops.kind != 1
    incomplete = ~(ops.area > 0) | ~np.isfinite(ops.u) | (glazed & ~np.isfinite(ops.g))
    problems.add_mask(incomplete & ~problems.bad_mask(n)[ops.row], ops.row, "windows[]",
                      "an opening has no area, U-value or g-value")
    if check_windows:
        # windows lodged as not measured (a band or dwelling-level transmission data) and
        # left without any: the estimate fallbacks windows_from_glazed_area /
        # windows_not_measured fill them before this pass
        problems.add_mask(needs_windows(certs), None, "windows",
                          "windows not measured (glazed-area band or dwelling-level "
                          "transmission data only): the RdSAP 10 window-area rule is not "
                          "established (GAP)")

    # storeys: the lodged storeys of each part, then its room in roof (level 99)
    rr_parts = np.flatnonzero(rr.has)
    s_part = np.concatenate([parts.st_part, rr_parts])
    s_level = np.concatenate([parts.st_level, np.full(rr_parts.size, 99)])
    s_area = np.concatenate([parts.st_area, rr.area[rr_parts]])
    s_height = np.concatenate([parts.st_height,
                               np.full(rr_parts.size, conv["room_in_roof_storey_height_m"])])
    order = np.argsort(s_part * 2 + np.concatenate([np.zeros(parts.st_part.size, np.int64),
                                                    np.ones(rr_parts.size, np.int64)]),
                       kind="stable")
    s_row = pr[s_part[order]] if s_part.size else np.zeros(0, np.int64)
    # the conservatory's floor area and volume join (4) and (5) as one more storey row (level
    # 0); the storey count of (9) below is that of the building parts (section 6.1)
    s_row = np.concatenate([s_row, cv.row])
    s_level = np.concatenate([s_level[order], np.zeros(cv.row.size, np.int64)])
    s_area = np.concatenate([s_area[order], cv.floor_area])
    s_height = np.concatenate([s_height[order], cv.height])
    tfa = round_half_up(np.bincount(s_row, weights=np.nan_to_num(s_area), minlength=n))
    storey_count = np.zeros(n, dtype=np.int64)
    np.maximum.at(storey_count, pr, parts.level_offset + parts.n_storeys + rr.has)

    # living area (section 9.2, Table 27): fraction x TFA, 2 d.p.
    rooms = ints(col("habitable_room_count"))
    fraction = t.living_area_fraction[np.clip(rooms, 0, t.living_area_fraction.size - 1)]
    problems.add_mask((rooms < 1) | ~np.isfinite(fraction), None, "habitable_room_count",
                      "habitable room count missing or without a Table 27 fraction")
    living = round_half_up(fraction * tfa)

    # ventilation (11): the wall type with the greater net area (SAP 10.2 section 2);
    # (12): suspended timber ground floor of the main dwelling -> unsealed (engine-observed)
    op_g = np.where(host >= 0, host + elem_first[ops.row], -1)
    deducted = np.bincount(op_g[op_g >= 0], weights=ops.area[op_g >= 0],
                           minlength=flat_idx.size)
    e_net = e_area - deducted
    e_cons = cons[e_part, e_slot]
    is_wall = np.isin(kind[e_part, e_slot], (1, 2)) & (e_cons > 0)
    timber = np.bincount(e_row, weights=np.where(is_wall & (e_cons == TIMBER_FRAME), e_net, 0),
                         minlength=n)
    masonry = np.bincount(e_row, weights=np.where(is_wall & (e_cons != TIMBER_FRAME), e_net, 0),
                          minlength=n)
    wall_construction = np.where(timber > masonry, 1, 2)
    main_suspended = has_main & (floor_kind[m] == 4) & (floor_cons[m] == 2) if parts.n else \
        np.zeros(n, bool)
    floor_construction = np.where(main_suspended, 3, 1)

    # assemble
    bad = problems.bad_mask(n)
    e_y = y_part[e_part]
    columns: dict[str, pa.Array] = {
        "storeys": list_array(s_row, n, {"level": s_level, "floor_area_m2": s_area,
                                         "storey_height_m": s_height}, STOREY_TYPE, bad),
        # the conservatory's floor (28a) after each dwelling's elements (hosts unchanged)
        "elements": list_array(
            np.concatenate([e_row, cv.row]), n,
            {"kind": np.concatenate([kind[e_part, e_slot], np.full(cv.row.size, 4)]),
             "gross_area_m2": np.concatenate([e_area, cv.floor_area]),
             "u_value": np.concatenate([u[e_part, e_slot], cv.floor_u]),
             "thermal_bridging_y": np.concatenate([e_y, y_part[cv.part]])},
            ELEMENT_TYPE, bad),
        "openings": list_array(ops.row, n, {
            "kind": ops.kind, "area_m2": ops.area, "u_value": ops.u,
            "g_perpendicular": ops.g, "frame_factor": ops.frame_factor,
            "glazing_type": np.where(ops.glazing_type > 0, ops.glazing_type, np.nan),
            "frame_type": np.where(ops.frame_type > 0, ops.frame_type, np.nan),
            "orientation": np.where(ops.orientation > 0, ops.orientation, np.nan),
            "tilt_deg": ops.tilt, "host_element": np.where(host >= 0, host, np.nan),
            "thermal_bridging_y": np.where(ops.part >= 0,
                                           y_part[np.clip(ops.part, 0, None)]
                                           if y_part.size else np.nan, np.nan)},
            OPENING_TYPE, bad),
        "thermal_bridges": list_array(np.zeros(0, np.int64), n, {}, THERMAL_BRIDGE_TYPE, bad),
        "living_area_m2": _nullable(living, bad, pa.float64()),
        # thermal mass parameter 250 kJ/m2K and overshading 'average' (engine-observed,
        # GAP decisions 23-24 of docs/rdsap/expansion_fabric.md)
        "thermal_mass_parameter": _nullable(
            np.full(n, conv["thermal_mass_parameter_kj_per_m2k"]), bad, pa.float64()),
        "storey_count": _nullable(storey_count, bad, pa.int8()),
        "windows_overshading": _nullable(np.full(n, conv["windows_overshading_code"]), bad,
                                         pa.int8()),
        "wall_construction": _nullable(wall_construction, bad, pa.int8()),
        "floor_construction": _nullable(floor_construction, bad, pa.int8()),
    }
    quantities = _quantities(parts, country, roof_type, heat_loss_roof, tfa, bad, n)
    return FabricResult(columns=columns, quantities=quantities,
                        problems=_problem_list(problems, col("certificate_number")))


def _nullable(values: np.ndarray, null: np.ndarray, type_: pa.DataType) -> pa.Array:
    values = np.asarray(values)
    null = null | (np.isnan(values) if values.dtype.kind == "f" else False)
    if pa.types.is_integer(type_):
        values = np.where(null, 0, values).astype(np.int64)
    return pa.array(values, type=type_, mask=null)


def _quantities(parts: Parts, country: np.ndarray, roof_type: np.ndarray,
                heat_loss_roof: np.ndarray, tfa: np.ndarray, bad: np.ndarray,
                n: int) -> dict[str, pa.Array]:
    """Per-certificate values of the services expansion (PV from % of roof, section 11.1 b):
    roof area for heat loss before any room-in-roof amendment, and its pitched share."""
    pr = parts.row
    roof = np.where(heat_loss_roof, parts.max_area, 0.0)
    pitched = np.isin(roof_type, [ROOF_CODES.index(str(c)) for c in PITCHED])
    main = parts.main
    m = np.clip(main, 0, None)
    has_main = main >= 0
    band = np.where(has_main, parts.band[m], -1) if parts.n else np.full(n, -1)
    main_pitched = has_main & pitched[m] & heat_loss_roof[m] if parts.n else np.zeros(n, bool)
    band_names = np.array(list(AGE_BANDS) + [None], dtype=object)
    country_names = np.array(list(_COUNTRY_NAMES) + [None], dtype=object)
    null_band = bad | (band < 0)
    null_country = bad | (country < 0)
    return {
        "total_floor_area_m2": _nullable(tfa, bad, pa.float64()),
        "roof_area_m2": _nullable(np.bincount(pr, weights=roof, minlength=n), bad,
                                  pa.float64()),
        "pitched_roof_area_m2": _nullable(np.bincount(pr, weights=np.where(pitched, roof, 0.0),
                                                      minlength=n), bad, pa.float64()),
        "main_roof_pitched": pa.array(main_pitched, pa.bool_(), mask=bad),
        "main_age_band": pa.array(np.where(null_band, None, band_names[np.clip(band, 0, 12)]),
                                  pa.string()),
        "country": pa.array(np.where(null_country, None,
                                     country_names[np.clip(country, 0, len(COUNTRIES) - 1)]),
                            pa.string()),
    }


def _problem_list(problems: Problems, numbers: pa.Array) -> list[FabricProblem]:
    out: list[FabricProblem] = []
    for rows, field, message in zip(problems.rows, problems.fields, problems.messages,
                                    strict=True):
        certs = pc.take(numbers, pa.array(rows)).to_pylist()
        out += [FabricProblem(int(r), c, field, message)
                for r, c in zip(rows.tolist(), certs, strict=True)]
    out.sort(key=lambda p: p.row)
    return out
