"""The compiled parts of input preparation (issue 17) give exactly what the NumPy and
pyarrow expressions they replace give: the column store that builds the kernel's C-order
matrices, the code and range checks, the list columns read from Arrow buffers and the
openings pass (against the NumPy version kept here as the reference)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ara.sap import prepare as P
from ara.sap import synthetic
from ara.sap.problems import Problems
from ara.sap.problems import ints as _ints
from ara.sap.problems import nan_to_num as _nan_to_num
from ara.sap.tables import load_tables
from ara_kernels import prepare_codes as PC
from ara_kernels import prepare_lists as PL

SPECIAL = np.array([np.nan, np.inf, -np.inf, -1.0, -0.0, 0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 4.5,
                    9.0, 10.0, 12.0, 1e300, -1e300, 2.0**63, -(2.0**63), 2.0**64])


def values(rng: np.random.Generator, m: int) -> np.ndarray:
    out = rng.choice(SPECIAL, m)
    real = rng.random(m) < 0.3
    out[real] = rng.normal(1.0, 3.0, real.sum())
    return out


def test_column_store_behaves_as_the_matrix() -> None:
    rng = np.random.default_rng(1)
    n = 37
    for dtype in (np.float64, np.int64):
        ref = np.zeros((n, 9), dtype=dtype, order="F")
        cols = P._Columns(n, 9, dtype)
        for store in (cols, cols.copying):
            a = values(rng, n)
            mask = rng.random(n) < 0.4
            ints = rng.integers(-5, 5, n)
            with np.errstate(invalid="ignore"):
                for m in (ref, store):
                    m[:, 0] = a if dtype == np.float64 else ints
                    m[:, 1] = mask
                    m[:, 2] = 7
                    m[:, 3] = np.arange(n) * 1.5
                    m[mask, 4] = 2
                    m[mask, 5:8] = np.arange(3)
                    m[mask, 0] += m[mask, 3].astype(dtype)
                    m[np.flatnonzero(mask)[:3], 2] = -1
            assert np.array_equal(store[:, 0], ref[:, 0], equal_nan=True)
            assert np.array_equal(store[mask, 5], ref[mask, 5])
            assert not store[:, 0].flags.writeable
        out = cols.matrix()
        assert out.flags.c_contiguous and out.dtype == dtype
        assert np.array_equal(out, ref, equal_nan=True)


def test_stored_vector_is_not_changed_by_a_later_partial_write() -> None:
    n = 8
    given = np.arange(n, dtype=np.float64)
    cols = P._Columns(n, 2, np.float64)
    cols[:, 0] = given
    cols[:, 1] = given
    cols[given > 3, 0] = -1.0
    assert np.array_equal(given, np.arange(n))
    assert np.array_equal(cols.matrix()[:, 1], np.arange(n))


def test_code_and_range_checks() -> None:
    rng = np.random.default_rng(2)
    x = values(rng, 5000)
    valid = rng.random(5000) < 0.8
    for lo, hi in ((0, 2), (1, 4), (1, 12), (0, 21)):
        assert np.array_equal(P._outside_codes(x, lo, hi), ~np.isin(x, np.arange(lo, hi + 1)))
    with np.errstate(invalid="ignore"):
        for low, high in ((0.0, 10.0), (-1.0, 1e6), (0.5, 0.5)):
            ref = valid & np.isfinite(x) & ((x < low) | (x > high))
            assert np.array_equal(PC.outside_range(x, valid, low, high), ref)


@pytest.mark.parametrize("typ", [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.float64()])
def test_list_fields_read_from_buffers(typ: pa.DataType) -> None:
    rng = np.random.default_rng(3)
    raw = rng.integers(-100, 100, 300)
    nulls = rng.random(300) < 0.3
    arr = pa.array(raw.astype(float) if typ == pa.float64() else raw, mask=nulls).cast(typ)
    for child in (arr, arr.slice(5), arr.slice(13, 200)):
        unpacked = P._unpack(child)
        if unpacked is None:
            continue
        got, valid = unpacked
        assert np.array_equal(got, P._num(child, np.nan), equal_nan=True)
        assert np.array_equal(valid, ~P._is_null(child))


def test_list_layout_from_arrow_offsets() -> None:
    lists = pa.array([[1], [], [2, 3, 4], [5], [], [6, 7]])
    for arr in (lists, lists.slice(1), lists.slice(2, 3)):
        offsets, parents = PL.layout(arr.offsets.to_numpy())
        lengths = pc.list_value_length(arr).to_numpy()
        assert np.array_equal(offsets, np.r_[0, np.cumsum(lengths)])
        assert np.array_equal(parents, pc.list_parent_indices(arr).to_numpy())


def reference_openings(p: Problems, op: P.ListColumn, el: P.ListColumn, tables) -> None:
    """``_resolve_openings`` in NumPy, as it was before issue 17."""
    kind = op.fields["kind"]
    P._check_children(p, op, "openings", "kind", ~np.isin(kind, (1, 2, 3, 4)),
                      "unknown opening kind (codes 1-4)")
    area = op.fields["area_m2"]
    P._check_children(p, op, "openings", "area_m2", ~(area > 0) | ~np.isfinite(area),
                      "must be a positive finite area")
    u = op.fields["u_value"]
    P._check_children(p, op, "openings", "u_value", ~(u > 0) | ~np.isfinite(u),
                      "must be a positive finite U-value")
    glazed = kind != 1
    gcode = _ints(op.fields["glazing_type"])
    fcode = np.where(op.valid["frame_type"], _ints(op.fields["frame_type"]), 9)
    in_range_g = (gcode >= 0) & (gcode < tables.glazing_g.size)
    in_range_f = (fcode >= 0) & (fcode < tables.frame_factor.size)
    g_tab = np.where(in_range_g, tables.glazing_g[np.clip(gcode, 0, 15)], np.nan)
    gl_tab = np.where(in_range_g, tables.glazing_light[np.clip(gcode, 0, 15)], np.nan)
    ff_tab = np.where(in_range_f, tables.frame_factor[np.clip(fcode, 0, 15)], np.nan)
    for name, tab, what in (("g_perpendicular", g_tab, "glazing_type (Table 6b)"),
                            ("light_transmittance", gl_tab, "glazing_type (Table 6b)"),
                            ("frame_factor", ff_tab, "frame_type (Table 6c)")):
        v = np.where(op.valid[name], op.fields[name], tab)
        P._check_children(p, op, "openings", name,
                          glazed & ~(np.isfinite(v) & (v >= 0) & (v <= 1)),
                          f"required for glazing: give it or a {what} with a tabulated value")
        op.fields[name] = np.where(glazed, _nan_to_num(v), 0.0)
    orient = op.fields["orientation"]
    P._check_children(p, op, "openings", "orientation",
                      glazed & ~np.isin(orient, np.arange(1, 10)),
                      "required for glazing: a compass code 1-8 or 9 (horizontal)")
    op.fields["orientation"] = np.clip(_ints(orient), 0, 9)
    tilt = op.fields["tilt_deg"]
    default_tilt = np.where(kind == 4, 0.0, np.where(kind == 3, np.nan, 90.0))
    tilt = np.where(op.valid["tilt_deg"], tilt, default_tilt)
    tilt = np.where(op.fields["orientation"] == 9, 0.0, tilt)
    P._check_children(p, op, "openings", "tilt_deg",
                      glazed & ~(np.isfinite(tilt) & (tilt >= 0) & (tilt <= 180)),
                      "required for roof windows (0-180 degrees)")
    op.fields["tilt_deg"] = _nan_to_num(tilt)
    y = op.fields["thermal_bridging_y"]
    P._check_children(p, op, "openings", "thermal_bridging_y",
                      op.valid["thermal_bridging_y"] & ~(np.isfinite(y) & (y >= 0)),
                      "must be a non-negative finite number")
    op.fields["thermal_bridging_y"] = np.where(op.valid["thermal_bridging_y"], y, 0.0)
    host = op.fields["host_element"]
    has_host = op.valid["host_element"]
    n_el = np.diff(el.offsets)[op.parents] if op.parents.size else np.zeros(0, dtype=np.int64)
    P._check_children(p, op, "openings", "host_element",
                      has_host & ~((host >= 0) & (host < n_el)),
                      "must index one of the dwelling's elements")
    host_i = np.where(has_host & (host >= 0) & (host < n_el), host, -1).astype(np.int64)
    op.fields["host_element"] = host_i
    hosted = host_i >= 0
    if hosted.any():
        gidx = el.offsets[op.parents[hosted]] + host_i[hosted]
        deducted = np.bincount(gidx, weights=_nan_to_num(area[hosted]),
                               minlength=el.fields["gross_area_m2"].size)
        over = deducted > el.fields["gross_area_m2"] + 1e-9
        P._check_children(p, el, "elements", "gross_area_m2", over,
                          "is smaller than the openings deducted from it")
    op.fields["kind"] = _ints(kind)


def test_openings_pass_equals_the_numpy_version() -> None:
    rng = np.random.default_rng(4)
    table = P.conform(synthetic.generate(400, seed=3))
    tables = load_tables()
    base_op, el = P._list(table, "openings"), P._list(table, "elements")
    m = base_op.parents.size
    for trial in range(6):
        def fresh() -> P.ListColumn:
            return P.ListColumn(base_op.offsets, base_op.parents,
                                dict(base_op.fields), dict(base_op.valid))
        op_ref, op_new = fresh(), fresh()
        for name in base_op.fields:
            if trial and rng.random() < 0.7:
                noisy = np.where(rng.random(m) < 0.2, values(rng, m), base_op.fields[name])
                if name in ("host_element", "glazing_type", "frame_type", "kind",
                            "orientation"):
                    noisy = np.where(rng.random(m) < 0.3, rng.integers(-2, 20, m), noisy)
                valid = base_op.valid[name] & (rng.random(m) < 0.9)
                noisy = np.where(valid, noisy, np.nan)
                for op in (op_ref, op_new):
                    op.fields[name], op.valid[name] = noisy, valid
        p_ref, p_new = Problems(), Problems()
        with np.errstate(invalid="ignore"):
            reference_openings(p_ref, op_ref, el, tables)
        P._resolve_openings(p_new, op_new, el, tables)
        assert p_new.fields == p_ref.fields and p_new.messages == p_ref.messages
        assert all(np.array_equal(a, b) for a, b in zip(p_new.rows, p_ref.rows, strict=True))
        for name, ref in op_ref.fields.items():
            got = op_new.fields[name]
            assert got.dtype == ref.dtype and np.array_equal(got, ref, equal_nan=True), name
        if trial:
            assert p_ref.rows, "the noisy trials exercise the checks"
