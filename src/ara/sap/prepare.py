"""Arrow input -> dense arrays for the kernels, with every check and default rule.

All work here is columnar: NumPy and pyarrow.compute over whole columns, and compiled
passes (``ara_kernels.prepare_*``) where one pass over the Arrow buffers replaces many,
never a Python loop over dwellings. Problems are collected as (row, field, message)
triples; the caller raises them together (strict) or reports them per row (lenient). Nulls
are resolved here by the rule the schema documents for each field, so no null or NaN
reaches a kernel unless it is a documented sentinel (``thermal_mass_parameter``,
``air_permeability_q50``, ``cylinder_declared_loss_kwh_per_day``).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.sap.appendix_n import HeatPumpProducts, read_products
from ara.sap.problems import Problems
from ara.sap.problems import ints as _ints
from ara.sap.problems import nan_to_num as _nan_to_num
from ara.sap.schema import REQUIRED_FIELDS, SAP_INPUT_SCHEMA
from ara.sap.solar_inputs import resolve_diverter, resolve_solar
from ara.sap.systems import HEAT_PUMP_CODES, resolve_systems
from ara.sap.tables import SapTables, read_table
from ara.sap.wwhrs_inputs import resolve_wwhrs
from ara_kernels import layout as L
from ara_kernels import prepare_codes as PC
from ara_kernels import prepare_lists as PL
from ara_kernels import prepare_openings as PO
from ara_kernels.prepare_assemble import assemble


@dataclass
class ListColumn:
    """A list column as offsets (n + 1) and one NumPy array per struct field."""

    offsets: np.ndarray
    parents: np.ndarray  # row of each child
    fields: dict[str, np.ndarray]
    valid: dict[str, np.ndarray]  # per child: the field was not null


@dataclass
class Prepared:
    n: int
    ids: pa.Array
    dfl: np.ndarray
    dil: np.ndarray
    lists: dict[str, ListColumn]
    problems: Problems
    # Appendix N product data of main heating systems 1 and 2 (those with any product
    # rows): (206)/(207), (217) and the N3.5 days of the dwellings that need a PSR are
    # filled by ``ara.sap.calculator`` after a first kernel pass gives their heat loss
    # (39); until then they hold placeholders
    heat_pumps: tuple[HeatPumpProducts, ...] = ()
    # possible but implausible inputs (spec/tables/calculator_input_plausible_ranges.csv):
    # rated, and named in the output's 'warnings'
    warnings: Problems = dataclasses.field(default_factory=Problems)

    def kernel_arrays(self) -> tuple[Any, ...]:
        """Per-dwelling arrays of ``ara_kernels.worksheet`` in signature order."""
        st, el, op = self.lists["storeys"], self.lists["elements"], self.lists["openings"]
        tb, li, sh = self.lists["thermal_bridges"], self.lists["fixed_lighting"], \
            self.lists["showers"]
        pv = self.lists["pv_arrays"]
        return (
            self.dfl, self.dil,
            st.offsets, st.fields["level"], st.fields["floor_area_m2"],
            st.fields["storey_height_m"],
            el.offsets, el.fields["kind"], el.fields["gross_area_m2"], el.fields["u_value"],
            el.fields["kappa_kj_per_m2k"], el.fields["thermal_bridging_y"],
            op.offsets, op.fields["kind"], op.fields["area_m2"], op.fields["u_value"],
            op.fields["g_perpendicular"], op.fields["light_transmittance"],
            op.fields["frame_factor"], op.fields["orientation"], op.fields["tilt_deg"],
            op.fields["host_element"], op.fields["thermal_bridging_y"],
            tb.offsets, tb.fields["length_m"], tb.fields["psi_w_per_mk"],
            li.offsets, li.fields["count"], li.fields["power_w"],
            li.fields["efficacy_lm_per_w"], sh.offsets, sh.fields["outlet_type"],
            sh.fields["flow_rate_l_per_min"], sh.fields["power_kw"],
            pv.offsets, pv.fields["peak_power_kw"], pv.fields["orientation"],
            pv.fields["tilt_deg"], pv.fields["z"],
        )


class _Columns:
    """Stands in for a per-dwelling ``(n, k)`` kernel matrix while it is being filled:
    column ``j`` is kept as its own vector, and :meth:`matrix` writes them all row by row
    (C order, as the kernel reads them) in one compiled pass at the end, with no
    column-ordered staging matrix and no transposing copy.

    It takes the indexing the preparation code uses on the matrix: ``m[:, j] = values``
    (a vector or a scalar, cast as NumPy assignment casts), ``m[rows, j] = values`` and
    ``m[rows, a:b] = values`` (``rows`` a mask or indices), ``m[:, j]`` (a read-only view:
    writing through it raises) and ``m[rows, j]`` (a copy); a column never written is
    zero. With ``adopt``, a full-column vector of the right dtype is kept as given, not
    copied: only for code that never changes an array after storing it (this module's
    own); :attr:`copying` is the same columns for other code, copying what it stores."""

    def __init__(self, n: int, k: int, dtype: Any, *, adopt: bool = True,
                 columns: list[np.ndarray | None] | None = None,
                 owned: list[bool] | None = None):
        self.shape = (n, k)
        self.dtype = np.dtype(dtype)
        self.adopt = adopt
        self.columns: list[np.ndarray | None] = [None] * k if columns is None else columns
        self.owned: list[bool] = [False] * k if owned is None else owned  # ours to write

    @property
    def copying(self) -> Any:
        """These columns for code outside this module, which declares the NumPy matrix
        that this stands in for (hence ``Any``)."""
        return _Columns(*self.shape, self.dtype, adopt=False, columns=self.columns,
                        owned=self.owned)

    def _writable(self, j: int) -> np.ndarray:
        c = self.columns[j]
        if c is None:
            c = np.zeros(self.shape[0], dtype=self.dtype)
        elif not self.owned[j]:
            c = c.copy()
        self.columns[j], self.owned[j] = c, True
        return c

    def _column(self, j: int) -> np.ndarray:
        c = self.columns[j]
        return np.zeros(self.shape[0], dtype=self.dtype) if c is None else c

    def __getitem__(self, key: tuple[Any, int]) -> np.ndarray:
        rows, j = key
        if not isinstance(j, int | np.integer):
            raise TypeError(f"a column is indexed by one integer, not {j!r}")
        c = self._column(int(j))
        if isinstance(rows, slice) and rows == slice(None):
            view = c.view()
            view.flags.writeable = False
            return view
        out: np.ndarray = c[rows]
        return out

    def __setitem__(self, key: tuple[Any, Any], value: Any) -> None:
        rows, j = key
        n = self.shape[0]
        if isinstance(j, slice):
            span = range(*j.indices(self.shape[1]))
            block = np.empty((np.zeros(n)[rows].size, len(span)), dtype=self.dtype)
            block[...] = value
            for k, jj in enumerate(span):
                self._writable(jj)[rows] = block[:, k]
            return
        j = int(j)
        if isinstance(rows, slice) and rows == slice(None):
            if self.adopt and isinstance(value, np.ndarray) and value.dtype == self.dtype \
                    and value.shape == (n,) and value.flags.c_contiguous:
                self.columns[j], self.owned[j] = value, False
            else:
                c = np.empty(n, dtype=self.dtype)
                c[...] = value
                self.columns[j], self.owned[j] = c, True
            return
        self._writable(j)[rows] = value

    def matrix(self) -> np.ndarray:
        out: np.ndarray = assemble(self.columns, self.shape[0], self.dtype)
        return out


class SapInputError(ValueError):
    """Bad calculator input. ``problems`` lists (dwelling_id, field, message) for every
    offending dwelling and field."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        lines = [f"{d}: {f}: {m}" for d, f, m in problems[:50]]
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} input problem(s):\n" + "\n".join(lines) + more)


_INT_KINDS = (pa.types.is_integer, pa.types.is_boolean)


def conform(data: pa.Table | pa.RecordBatch) -> pa.Table:
    """Reorder, add missing optional columns as nulls, and cast to SAP_INPUT_SCHEMA."""
    table = pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data
    names = set(table.column_names)
    unknown = sorted(names - set(SAP_INPUT_SCHEMA.names))
    if unknown:
        raise SapInputError([("*", u, "unknown field (not in SAP_INPUT_SCHEMA)") for u in unknown])
    missing = [f for f in REQUIRED_FIELDS if f not in names]
    if missing:
        raise SapInputError([("*", m, "required field missing from the input") for m in missing])
    cols = []
    for f in SAP_INPUT_SCHEMA:
        if f.name in names:
            col = table.column(f.name)
            if col.type != f.type:
                try:
                    col = col.cast(f.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise SapInputError([("*", f.name, f"cannot be read as {f.type}: {exc}")]) \
                        from exc
            cols.append(col)
        else:
            cols.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(cols, schema=SAP_INPUT_SCHEMA)


def _flat(table: pa.Table, name: str) -> pa.Array:
    col = table.column(name)
    if isinstance(col, pa.ChunkedArray):
        return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
    return col


def _num(arr: pa.Array, default: float) -> np.ndarray:
    """Float column with nulls replaced by ``default`` (NaN allowed as a sentinel)."""
    nulls = arr.null_count
    if nulls and nulls == len(arr):
        return np.full(len(arr), default, dtype=np.float64)
    if pa.types.is_boolean(arr.type):
        arr = arr.cast(pa.int8())
    values = np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.float64)  # null -> NaN
    if nulls and not np.isnan(default):
        values = np.where(_is_null(arr), default, values)
    return values


def _outside_codes(values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``~np.isin(values, np.arange(lo, hi + 1))``, in one compiled pass for a float64
    vector."""
    if isinstance(values, np.ndarray) and values.dtype == np.float64 and values.ndim == 1:
        out: np.ndarray = PC.outside_codes(_read_only(values), float(lo), float(hi))
        return out
    return ~np.isin(values, np.arange(lo, hi + 1))


def _read_only(values: np.ndarray) -> np.ndarray:
    """A read-only C-contiguous view: a compiled preparation pass then has one signature
    whether Arrow handed a column over zero-copy (read-only) or as a copy (with nulls), so
    a batch with other nulls does not compile it again."""
    view = np.ascontiguousarray(values).view()
    view.flags.writeable = False
    return view


def _is_null(arr: pa.Array) -> np.ndarray:
    nulls = arr.null_count
    if nulls == 0:
        return np.zeros(len(arr), dtype=bool)
    if nulls == len(arr):
        return np.ones(len(arr), dtype=bool)
    return np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def _list(table: pa.Table, name: str) -> ListColumn:
    arr = _flat(table, name)
    if arr.null_count:
        # a null list is an empty list; flatten() and list_parent_indices() skip the values
        # behind null or sliced-away entries, so offsets are rebuilt from the lengths
        lengths = pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False)
        offsets = np.zeros(len(arr) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        parents = np.asarray(pc.list_parent_indices(arr).to_numpy(), dtype=np.int64)
    else:  # offsets and parents in one compiled pass over the Arrow offsets
        offsets, parents = PL.layout(_read_only(arr.offsets.to_numpy()))
    values = arr.flatten()
    fields: dict[str, np.ndarray] = {}
    valid: dict[str, np.ndarray] = {}
    nothing: tuple[np.ndarray, np.ndarray] | None = None  # an all-null field, read-only
    for f in arr.type.value_type:
        child = values.field(f.name)
        if len(child) and child.null_count == len(child):
            if nothing is None:
                nothing = (np.full(len(child), np.nan), np.zeros(len(child), dtype=bool))
                nothing[0].flags.writeable = nothing[1].flags.writeable = False
            fields[f.name], valid[f.name] = nothing
            continue
        unpacked = _unpack(child)
        if unpacked is None:
            valid[f.name] = ~_is_null(child)
            fields[f.name] = _num(child, np.nan)
        else:
            fields[f.name], valid[f.name] = unpacked
    return ListColumn(offsets, parents, fields, valid)


_UNPACKED = {pa.int8(): np.int8, pa.int16(): np.int16, pa.int32(): np.int32,
             pa.int64(): np.int64, pa.float64(): np.float64}
_NO_BITMAP = np.zeros(1, dtype=np.uint8)
_NO_BITMAP.flags.writeable = False


def _unpack(child: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """A numeric list field (``_num(child, NaN)``, ``~_is_null(child)``) read from its
    Arrow buffers in one compiled pass; None for a type read the general way, or a float64
    field without nulls (read zero-copy)."""
    dtype = _UNPACKED.get(child.type)
    if dtype is None or (dtype is np.float64 and not child.null_count) \
            or child.null_count == len(child):
        return None
    bitmap, data = child.buffers()
    values = np.frombuffer(data, dtype=dtype, count=child.offset + len(child))[child.offset:]
    has_bitmap = bitmap is not None and child.null_count > 0
    bits = np.frombuffer(bitmap, dtype=np.uint8) if has_bitmap else _NO_BITMAP
    out: tuple[np.ndarray, np.ndarray] = PL.unpack(bits, child.offset, has_bitmap, values)
    return out


@functools.cache
def input_domains() -> tuple[tuple[str, str, float, float, str, str], ...]:
    """(list, field, minimum, maximum, unit, basis) of every calculator input with a physical
    domain, from ``spec/tables/calculator_input_domains.csv``."""
    out = []
    for row in read_table("calculator_input_domains.csv"):
        name, _, field_name = row["field"].partition(".")
        out.append((name, field_name, float(row["minimum"]), float(row["maximum"]),
                    row["unit"], row["basis"]))
    return tuple(out)


def _check_domains(p: Problems, lists: dict[str, ListColumn]) -> None:
    """Refuse physically impossible values (a U-value of 1e200, a storey 1 km tall) before any
    kernel runs; non-finite and negative values are refused by the field's own check."""
    _outside(p, lists, input_domains(), "physically impossible",
             "calculator_input_domains.csv")


@functools.cache
def plausible_ranges() -> tuple[tuple[str, str, float, float, str, str], ...]:
    """(list, field, low, high, unit, basis) of every calculator input with a plausible range,
    from ``spec/tables/calculator_input_plausible_ranges.csv``: outside it a value warns."""
    out = []
    for row in read_table("calculator_input_plausible_ranges.csv"):
        name, _, field_name = row["field"].partition(".")
        out.append((name, field_name, float(row["low"]), float(row["high"]), row["unit"],
                    row["basis"]))
    return tuple(out)


def _warn_implausible(w: Problems, lists: dict[str, ListColumn]) -> None:
    """Warn (never refuse) where a possible value lies outside its plausible range."""
    _outside(w, lists, plausible_ranges(), "implausible (rated)",
             "calculator_input_plausible_ranges.csv")


def _outside(p: Problems, lists: dict[str, ListColumn],
             ranges: tuple[tuple[str, str, float, float, str, str], ...], what: str,
             table: str) -> None:
    """Record ``what`` for every finite list value outside its [low, high] of ``ranges``."""
    for name, field_name, low, high, unit, basis in ranges:
        lc = lists[name]
        v = lc.fields[field_name]
        out = PC.outside_range(_read_only(v), _read_only(lc.valid[field_name]), low, high)
        _check_children(p, lc, name, field_name, out,
                        f"{what}: outside {low:g}-{high:g} {unit} ({basis}; "
                        f"spec/tables/{table})")


def _check_children(p: Problems, lc: ListColumn, name: str, field_name: str,
                    bad: np.ndarray, message: str) -> None:
    if bad.any():
        p.add_rows(lc.parents[bad], f"{name}.{field_name}", message)


def prepare(table: pa.Table, tables: SapTables, *, demand_only: bool = False) -> Prepared:
    """Validate and convert a conformed input table (see :func:`conform`).

    With ``demand_only`` the heating systems, fuels, tariffs and PV (sections 9-13) are
    resolved where possible but their problems are not reported: the caller reads only the
    demand side (sections 1-8)."""
    n = table.num_rows
    p = Problems()
    ids = _flat(table, "dwelling_id")
    p.add(_is_null(ids), "dwelling_id", "required")

    flat_cache: dict[str, pa.Array] = {}
    num_cache: dict[tuple[str, float], np.ndarray] = {}
    null_cache: dict[str, np.ndarray] = {}

    def flat(name: str) -> pa.Array:
        if name not in flat_cache:
            flat_cache[name] = _flat(table, name)
        return flat_cache[name]

    def col(name: str, default: float = np.nan) -> np.ndarray:
        """A flat column as float64, nulls -> ``default``; read once per (name, default)."""
        key = (name, default)
        if key not in num_cache:
            arr = flat(name)
            if arr.null_count and arr.null_count == len(arr):  # one read-only array for
                key_all = ("", default)  # every column that is all null (most optional ones)
                if key_all not in num_cache:
                    num_cache[key_all] = np.full(len(arr), default, dtype=np.float64)
                    num_cache[key_all].flags.writeable = False
                num_cache[key] = num_cache[key_all]
            else:
                num_cache[key] = _num(arr, default)
                num_cache[key].flags.writeable = False
        return num_cache[key]

    def null(name: str) -> np.ndarray:
        if name not in null_cache:
            null_cache[name] = _is_null(flat(name))
        return null_cache[name]

    def require(name: str) -> np.ndarray:
        values = col(name)
        p.add(null(name), name, "required")
        p.add(~null(name) & ~np.isfinite(values), name, "must be a finite number")
        return values

    # filled column by column here, handed to the kernels row by row (C order) at the end
    dfl = _Columns(n, L.N_DF, np.float64)
    dil = _Columns(n, L.N_DI, np.int64)
    # ---------------- lists
    lists = {name: _list(table, name) for name in
             ("storeys", "elements", "openings", "thermal_bridges", "fixed_lighting",
              "showers", "pv_arrays", "main1_hp_psr_data", "main2_hp_psr_data")}
    st = lists["storeys"]
    p.add(np.diff(st.offsets) == 0, "storeys", "at least one storey is required")
    for f_ in ("floor_area_m2", "storey_height_m"):
        v = st.fields[f_]
        _check_children(p, st, "storeys", f_, ~(v > 0) | ~np.isfinite(v),
                        "must be a positive finite number")
    st.fields["level"] = _ints(st.fields["level"])

    el = lists["elements"]
    p.add(np.diff(el.offsets) == 0, "elements", "at least one building element is required")
    ek = el.fields["kind"]
    _check_children(p, el, "elements", "kind", _outside_codes(ek, 1, 12),
                    "unknown element kind (codes 1-12)")
    _check_children(p, el, "elements", "gross_area_m2",
                    ~(el.fields["gross_area_m2"] > 0) | ~np.isfinite(el.fields["gross_area_m2"]),
                    "must be a positive finite area")
    _check_children(p, el, "elements", "u_value",
                    ~(el.fields["u_value"] >= 0) | ~np.isfinite(el.fields["u_value"]),
                    "must be a non-negative finite U-value")
    for f_ in ("kappa_kj_per_m2k", "thermal_bridging_y"):
        v = el.fields[f_]
        _check_children(p, el, "elements", f_, el.valid[f_] & ~(np.isfinite(v) & (v >= 0)),
                        "must be a non-negative finite number")
        el.fields[f_] = np.where(el.valid[f_], v, 0.0)
    el.fields["kind"] = _ints(ek)

    op = lists["openings"]
    _check_domains(p, lists)  # on the values as given, before openings are resolved
    warnings = Problems()
    _warn_implausible(warnings, lists)
    _resolve_openings(p, op, el, tables)

    tb = lists["thermal_bridges"]
    for f_ in ("length_m", "psi_w_per_mk"):
        v = tb.fields[f_]
        _check_children(p, tb, "thermal_bridges", f_, ~np.isfinite(v) | (v < 0) if f_ == "length_m"
                        else ~np.isfinite(v), "must be a finite number (length >= 0)")

    li = lists["fixed_lighting"]
    for f_ in ("count", "power_w", "efficacy_lm_per_w"):
        v = li.fields[f_]
        _check_children(p, li, "fixed_lighting", f_, ~(v >= 0) | ~np.isfinite(v),
                        "must be a non-negative finite number")

    dil[:, L.DI_LIGHTS_RECORDED] = ~_is_null(_flat(table, "fixed_lighting"))
    sh = lists["showers"]
    stype = sh.fields["outlet_type"]
    _check_children(p, sh, "showers", "outlet_type", _outside_codes(stype, 1, 5),
                    "unknown shower outlet code (1-5)")
    mixer = stype != 4
    flow = sh.fields["flow_rate_l_per_min"]
    _check_children(p, sh, "showers", "flow_rate_l_per_min",
                    mixer & ~(np.isfinite(flow) & (flow > 0)),
                    "required (positive) for a mixer shower: SAP 10.2 Table J4 default flow "
                    "rates are not transcribed in spec/")
    power = np.where(sh.valid["power_kw"], sh.fields["power_kw"],
                     tables.constants[L.C_ELECTRIC_SHOWER_DEFAULT_KW])
    _check_children(p, sh, "showers", "power_kw", ~mixer & ~(np.isfinite(power) & (power > 0)),
                    "must be a positive rating")
    sh.fields["outlet_type"] = _ints(stype)
    sh.fields["flow_rate_l_per_min"] = np.where(mixer, _nan_to_num(flow), 0.0)
    sh.fields["power_kw"] = np.where(mixer, 0.0, _nan_to_num(power))
    has_showers = np.diff(sh.offsets) > 0
    p.add(has_showers & null("bath_count"), "bath_count",
          "required when showers are given (the shower rule depends on whether a bath exists)")

    tfa = np.bincount(st.parents, weights=_nan_to_num(st.fields["floor_area_m2"]),
                      minlength=n)
    living = require("living_area_m2")
    p.add(np.isfinite(living) & ~(living > 0), "living_area_m2", "must be positive")
    p.add(np.isfinite(living) & (living > tfa + 1e-9) & (tfa > 0), "living_area_m2",
          "exceeds the total floor area")
    dfl[:, L.DF_LIVING_AREA] = living
    tmp = col("thermal_mass_parameter")
    p.add(~null("thermal_mass_parameter") & ~(np.isfinite(tmp) & (tmp >= 0)),
          "thermal_mass_parameter", "must be a non-negative finite number")
    dfl[:, L.DF_TMP] = tmp

    region = col("climate_region", 0)
    p.add(_outside_codes(region, 0, 21), "climate_region", "must be a region code 0-21")
    dil[:, L.DI_REGION] = np.clip(_ints(region), 0, 21)

    for name, idx in (("open_chimneys", L.DI_OPEN_CHIMNEYS), ("open_flues", L.DI_OPEN_FLUES),
                      ("closed_fire_flues", L.DI_CLOSED_FIRE),
                      ("solid_fuel_boiler_flues", L.DI_SOLID_BOILER),
                      ("other_heater_flues", L.DI_OTHER_HEATER),
                      ("blocked_chimneys", L.DI_BLOCKED), ("intermittent_fans", L.DI_FANS),
                      ("passive_vents", L.DI_PSV), ("flueless_gas_fires", L.DI_FLUELESS)):
        v = col(name, 0)
        p.add(v < 0, name, "must not be negative")
        dil[:, idx] = _ints(v)
    storey_count = col("storey_count", 0)
    p.add(storey_count < 0, "storey_count", "must not be negative")
    dil[:, L.DI_STOREY_COUNT] = _ints(storey_count)
    wall_c = col("wall_construction", 2)
    p.add(_outside_codes(wall_c, 1, 2), "wall_construction", "must be 1 or 2")
    dil[:, L.DI_WALL_CONSTR] = _ints(wall_c)
    floor_c = col("floor_construction", 1)
    p.add(_outside_codes(floor_c, 1, 3), "floor_construction", "must be 1, 2 or 3")
    dil[:, L.DI_FLOOR_CONSTR] = _ints(floor_c)
    dil[:, L.DI_LOBBY] = _ints(col("draught_lobby", 0))
    dp = col("draughtproofed_percent", 0)
    p.add(~((dp >= 0) & (dp <= 100)), "draughtproofed_percent", "must be 0-100")
    dfl[:, L.DF_DP_PCT] = dp

    ptest = require("pressure_test")
    p.add(ptest == 7, "pressure_test", "low-pressure pulse test (code 7) is not supported "
          "yet: its q50 conversion is not in spec/")
    p.add(np.isfinite(ptest) & _outside_codes(ptest, 1, 7), "pressure_test",
          "unknown code (1-7)")
    q50 = col("air_permeability_q50")
    tested = np.isfinite(ptest) & (ptest != 4)
    p.add(tested & ~(np.isfinite(q50) & (q50 >= 0)), "air_permeability_q50",
          "required (a finite value >= 0) when pressure_test is not 4")
    dil[:, L.DI_PRESSURE_TEST] = _ints(ptest)
    dfl[:, L.DF_Q50] = np.where(tested, q50, np.nan)
    shelter = col("sheltered_sides", 0)
    p.add(_outside_codes(shelter, 0, 4), "sheltered_sides", "must be 0-4")
    dil[:, L.DI_SHELTERED] = _ints(shelter)
    vtype = require("ventilation_type")
    p.add(np.isfinite(vtype) & _outside_codes(vtype, 1, 10), "ventilation_type",
          "unknown code (1-10)")
    dil[:, L.DI_VENT_TYPE] = _ints(vtype)
    dfl[:, L.DF_MV_ACH] = col("mv_system_ach", tables.constants[L.C_MV_DEFAULT_ACH])
    dfl[:, L.DF_MV_IUF] = col("mv_in_use_factor", 1.0)
    mvhr = col("mvhr_efficiency_percent")
    p.add((vtype == 8) & ~(np.isfinite(mvhr) & (mvhr >= 0) & (mvhr <= 100)),
          "mvhr_efficiency_percent", "required (0-100) for MVHR (ventilation_type 8)")
    dfl[:, L.DF_MVHR_EFF] = _nan_to_num(mvhr)

    over = col("windows_overshading", 2)
    p.add(_outside_codes(over, 1, 4), "windows_overshading", "must be 1-4")
    dil[:, L.DI_OVERSHADING] = np.clip(_ints(over), 1, 4)

    # ---------------- water heating
    cold = col("cold_water_source", 1)
    p.add(_outside_codes(cold, 1, 2), "cold_water_source", "must be 1 (mains) or 2 (header tank)")
    dil[:, L.DI_COLD_SOURCE] = _ints(cold)
    baths = col("bath_count", -1)
    p.add(baths < -1, "bath_count", "must not be negative")
    dil[:, L.DI_BATHS] = _ints(baths)
    dil[:, L.DI_TARGET_125] = _ints(col("water_use_target_125", 0))
    delivery = require("hot_water_delivery")
    p.add(np.isfinite(delivery) & _outside_codes(delivery, 1, 4), "hot_water_delivery",
          "unknown code (1-3)")
    dil[:, L.DI_HW_DELIVERY] = _ints(delivery)
    keep_hot = col("combi_keep_hot", 0)
    p.add(_outside_codes(keep_hot, 0, 2), "combi_keep_hot", "must be 0, 1 or 2")
    dil[:, L.DI_KEEP_HOT] = _ints(keep_hot)
    store = delivery == 3
    vol = col("cylinder_volume_l")
    p.add(store & ~(np.isfinite(vol) & (vol > 0)), "cylinder_volume_l",
          "required (positive) for a cylinder")
    dfl[:, L.DF_CYL_VOL] = vol
    declared = col("cylinder_declared_loss_kwh_per_day")
    p.add(~null("cylinder_declared_loss_kwh_per_day") & ~(np.isfinite(declared) & (declared >= 0)),
          "cylinder_declared_loss_kwh_per_day", "must be a non-negative finite number")
    dfl[:, L.DF_CYL_DECLARED] = declared
    ins_type = col("cylinder_insulation_type")
    ins_mm = col("cylinder_insulation_mm")
    needs_table2 = store & ~np.isfinite(declared)
    p.add(needs_table2 & _outside_codes(ins_type, 1, 2), "cylinder_insulation_type",
          "required (1 or 2) for a cylinder without a declared loss")
    p.add(needs_table2 & ~(np.isfinite(ins_mm) & (ins_mm >= 0)), "cylinder_insulation_mm",
          "required (>= 0) for a cylinder without a declared loss")
    dil[:, L.DI_CYL_INS_TYPE] = _ints(ins_type)
    dfl[:, L.DF_CYL_INS_MM] = ins_mm
    dil[:, L.DI_CYL_THERMOSTAT] = _ints(col("cylinder_thermostat", 1))
    dil[:, L.DI_HW_TIMED] = _ints(col("hot_water_separately_timed", 1))
    dil[:, L.DI_PRIMARY_APPLIES] = _ints(col("primary_loss_applies", 1)) * store
    pipe = col("primary_pipework_insulation", 1)
    p.add(_outside_codes(pipe, 1, 4), "primary_pipework_insulation", "must be 1-4")
    dil[:, L.DI_PIPE_INSULATION] = _ints(pipe)
    dil[:, L.DI_CYL_IN_HEATED] = 1
    solar = resolve_solar(p, dfl.copying, dil.copying, tables, col, null, delivery)
    resolve_wwhrs(p, dfl.copying, dil.copying, flat("shower_wwhrs"), sh, col)
    p.add(col("space_cooling", 0) == 1, "space_cooling",
          "space cooling (worksheet section 8c) is not supported yet")

    # ---------------- heating systems: fractions, responsiveness, controls, pumps
    _resolve_heating(p, table, dfl, dil, tables, col, null)
    sfp = col("warm_air_fan_sfp", 0)
    p.add(~(np.isfinite(sfp) & (sfp >= 0)), "warm_air_fan_sfp", "must be >= 0")
    dfl[:, L.DF_WARM_AIR_SFP] = _nan_to_num(sfp)
    systems = Problems()
    resolve_systems(systems, n, dfl.copying, dil.copying, tables, col, null, tfa)
    if solar.any():  # (230g) the solar pump, Table 4f
        dfl[solar, L.DF_PUMPS_FIXED] += dfl[solar, L.DF_SOLAR_PUMP]
    _resolve_pv(systems, lists["pv_arrays"], tables, col)
    if not demand_only:  # (63b) needs the PV and systems of sections 9-10
        resolve_diverter(dil.copying, col, lists["pv_arrays"].offsets, solar, delivery)
    heat_pumps = []
    has2 = ~null("main2_code")
    for prefix, code, water_code in (("main1", _ints(col("main1_code")), 901),
                                     ("main2", np.where(has2, _ints(col("main2_code")), -1),
                                      914)):
        hp_points = lists[f"{prefix}_hp_psr_data"]
        products = read_products(
            systems, p, n, dfl.copying, tables.days, col, null, flat,
            (hp_points.offsets, hp_points.fields["psr"],
             hp_points.fields["space_efficiency_percent"],
             hp_points.fields["water_efficiency_percent"]),
            code, col("water_heating_code", 901) == water_code,
            col("water_heating_efficiency_percent"), prefix)
        if products.needs_psr.any():
            heat_pumps.append(products)
    if not demand_only:
        p.extend(systems)
    for idx in (L.DF_EFF_MAIN1, L.DF_EFF_MAIN2, L.DF_EFF_SEC, L.DF_WATER_EFF,
                L.DF_WATER_EFF_WINTER, L.DF_WATER_EFF_SUMMER):
        bad = ~(np.isfinite(dfl[:, idx]) & (dfl[:, idx] > 0))
        dfl[bad, idx] = 1.0  # only rows already reported (or demand-only) reach this


    return Prepared(n=n, ids=ids, dfl=dfl.matrix(), dil=dil.matrix(),
                    lists=lists, problems=p,
                    heat_pumps=tuple(heat_pumps), warnings=warnings)


def _resolve_pv(p: Problems, pv: ListColumn, tables: SapTables, col: Any) -> None:
    """PV arrays: peak power, orientation, tilt and the Table H2 overshading factor."""
    kwp = pv.fields["peak_power_kw"]
    _check_children(p, pv, "pv_arrays", "peak_power_kw", ~(np.isfinite(kwp) & (kwp > 0)),
                    "must be a positive peak power")
    orient = pv.fields["orientation"]
    tilt = pv.fields["tilt_deg"]
    horizontal = (orient == 9) | (tilt == 0)
    _check_children(p, pv, "pv_arrays", "orientation",
                    ~horizontal & _outside_codes(orient, 1, 9),
                    "required: a compass code 1-8, or 9 / tilt 0 for horizontal")
    _check_children(p, pv, "pv_arrays", "tilt_deg", ~(np.isfinite(tilt) & (tilt >= 0)
                                                       & (tilt <= 90)), "required (0-90)")
    shade = _ints(pv.fields["overshading"])
    z = np.where((shade >= 0) & (shade < tables.systems.pv_overshading.size),
                 tables.systems.pv_overshading[np.clip(shade, 0, 5)], np.nan)
    declared = pv.valid["overshading_factor"]
    z_declared = pv.fields["overshading_factor"]
    _check_children(p, pv, "pv_arrays", "overshading_factor",
                    declared & ~((z_declared > 0) & (z_declared <= 1)), "must be in (0, 1]")
    _check_children(p, pv, "pv_arrays", "overshading", ~declared & ~np.isfinite(z),
                    "required: a code with a Table H2 factor in spec/, or an "
                    "overshading_factor")
    z = np.where(declared, z_declared, z)
    pv.fields["orientation"] = np.where(horizontal, 9, np.clip(_ints(orient), 0, 9))
    pv.fields["tilt_deg"] = np.where(horizontal, 0.0, _nan_to_num(tilt))
    pv.fields["z"] = _nan_to_num(z)
    pv.fields["peak_power_kw"] = _nan_to_num(kwp)


def _resolve_openings(p: Problems, op: ListColumn, el: ListColumn, tables: SapTables) -> None:
    """Openings: kind, area, U-value, g, light transmittance and frame factor (from the
    glazing and frame type's Table 6b/6c values where not given), orientation, tilt,
    thermal bridging y and host element, resolved and checked in one compiled pass
    (``ara_kernels.prepare_openings``), problems recorded in this order."""
    f, v = op.fields, op.valid
    (kind, g, light, frame, orient, tilt, y, host,
     bad) = PO.resolve_openings(*map(_read_only, (
                                f["kind"], f["area_m2"], f["u_value"], f["g_perpendicular"],
                                v["g_perpendicular"], f["light_transmittance"],
                                v["light_transmittance"], f["frame_factor"], v["frame_factor"],
                                f["glazing_type"], f["frame_type"], v["frame_type"],
                                f["orientation"], f["tilt_deg"], v["tilt_deg"],
                                f["thermal_bridging_y"], v["thermal_bridging_y"],
                                f["host_element"], v["host_element"], op.parents, el.offsets,
                                tables.glazing_g, tables.glazing_light, tables.frame_factor)))
    for check, name, message in (
            (PO.CHECK_KIND, "kind", "unknown opening kind (codes 1-4)"),
            (PO.CHECK_AREA, "area_m2", "must be a positive finite area"),
            (PO.CHECK_U, "u_value", "must be a positive finite U-value"),
            (PO.CHECK_G, "g_perpendicular", "required for glazing: give it or a "
             "glazing_type (Table 6b) with a tabulated value"),
            (PO.CHECK_LIGHT, "light_transmittance", "required for glazing: give it or a "
             "glazing_type (Table 6b) with a tabulated value"),
            (PO.CHECK_FRAME, "frame_factor", "required for glazing: give it or a "
             "frame_type (Table 6c) with a tabulated value"),
            (PO.CHECK_ORIENTATION, "orientation",
             "required for glazing: a compass code 1-8 or 9 (horizontal)"),
            (PO.CHECK_TILT, "tilt_deg", "required for roof windows (0-180 degrees)"),
            (PO.CHECK_Y, "thermal_bridging_y", "must be a non-negative finite number"),
            (PO.CHECK_HOST, "host_element", "must index one of the dwelling's elements")):
        _check_children(p, op, "openings", name, bad[check], message)
    area = f["area_m2"]
    f.update(g_perpendicular=g, light_transmittance=light, frame_factor=frame,
             orientation=orient, tilt_deg=tilt, thermal_bridging_y=y, host_element=host)
    # openings are deducted from their host element
    if (host >= 0).any():
        deducted = PO.deducted_area(*map(_read_only, (host, area, op.parents, el.offsets)),
                                    el.fields["gross_area_m2"].size)
        over = deducted > el.fields["gross_area_m2"] + 1e-9
        _check_children(p, el, "elements", "gross_area_m2", over,
                        "is smaller than the openings deducted from it")
    f["kind"] = kind


def _resolve_heating(p: Problems, table: pa.Table, dfl: _Columns, dil: _Columns,
                     tables: SapTables, col: Any, null: Any) -> None:
    has2 = ~null("main2_code")
    f1 = col("main1_fraction")
    f1 = np.where(np.isnan(f1), np.where(has2, np.nan, 1.0), f1)
    f2 = np.where(has2, col("main2_fraction"), 0.0)
    f2 = np.where(has2 & np.isnan(f2), 1.0 - f1, f2)
    p.add(has2 & ~np.isfinite(f1), "main1_fraction", "required when main2 is present")
    ok_frac = np.isfinite(f1) & np.isfinite(f2) & (f1 >= 0) & (f2 >= 0) \
        & (np.abs(f1 + f2 - 1.0) < 1e-6)
    p.add(~ok_frac & np.isfinite(f1), "main1_fraction",
          "main system fractions must be >= 0 and add up to 1")
    dfl[:, L.DF_MAIN1_FRAC] = _nan_to_num(f1)
    dfl[:, L.DF_MAIN2_FRAC] = _nan_to_num(f2)

    r_total = np.zeros(len(f1))
    for prefix, frac, present in (("main1", f1, np.ones(len(f1), dtype=bool)),
                                  ("main2", f2, has2)):
        code = col(f"{prefix}_code")
        given = col(f"{prefix}_responsiveness")
        code_i = _ints(code)
        in_range = (code_i >= 0) & (code_i < tables.responsiveness.size)
        from_code = np.where(in_range, tables.responsiveness[np.clip(code_i, 0, 999)], np.nan)
        emitter = _ints(col(f"{prefix}_emitter"))
        e_ok = (emitter >= 0) & (emitter < tables.emitter_responsiveness.size)
        from_emitter = np.where(e_ok, tables.emitter_responsiveness[np.clip(emitter, 0, 9)],
                                np.nan)
        r = np.where(np.isfinite(given), given, np.where(np.isfinite(from_code), from_code,
                                                         from_emitter))
        p.add(present & ~(np.isfinite(r) & (r >= 0) & (r <= 1)), f"{prefix}_responsiveness",
              f"unknown: {prefix}_code has no Table 4a responsiveness and {prefix}_emitter "
              "none in Table 4d; give it explicitly (0-1)")
        r_total += np.where(present, _nan_to_num(r) * _nan_to_num(frac), 0.0)
    dfl[:, L.DF_RESPONSIVENESS] = r_total

    control = _ints(col("main1_control"))
    c_ok = (control >= 2000) & (control < 3000)
    adj_tab = np.where(c_ok, tables.control_adjustment[np.clip(control - 2000, 0, 999)], np.nan)
    type_tab = np.where(c_ok, tables.control_type[np.clip(control - 2000, 0, 999)], -1)
    adj_given = col("main1_temperature_adjustment_k")
    adj = np.where(np.isfinite(adj_given), adj_given, adj_tab)
    p.add(~np.isfinite(adj), "main1_temperature_adjustment_k",
          "unknown: main1_control has no Table 4e temperature adjustment; give it explicitly")
    dfl[:, L.DF_TEMP_ADJ] = _nan_to_num(adj)
    type_given = col("main1_control_type")
    ctype = np.where(np.isfinite(type_given), type_given, type_tab)
    p.add(_outside_codes(ctype, 1, 3), "main1_control_type",
          "unknown: main1_control has no Table 9 control type in spec/; give it (1-3)")
    dil[:, L.DI_CONTROL_TYPE] = _ints(ctype)

    # (70) Table 5a pump gain. Note a): "Not applicable for electric heat pumps from
    # database": a heat pump with product data (Appendix N) gives no gain of its own; a
    # Table 4a heat pump keeps it (N3.1; see decision 0014 and the Table 5a file).
    for prefix, idx, present in (("main1", L.DI_PUMP1_AGE, np.ones(len(f1), dtype=bool)),
                                 ("main2", L.DI_PUMP2_AGE, has2)):
        pump = col(f"{prefix}_pump_in_heated_space", 0) == 1
        age = col(f"{prefix}_pump_age", 0)
        p.add(_outside_codes(age, 0, 2), f"{prefix}_pump_age", "must be 0, 1 or 2")
        code = col(f"{prefix}_code", -1)
        from_database = ~null(f"{prefix}_hp_psr_data") & (code >= HEAT_PUMP_CODES[0]) \
            & (code <= HEAT_PUMP_CODES[1])
        dil[:, idx] = np.where(present & pump & ~from_database, _ints(age), -1)
