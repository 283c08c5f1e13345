"""Register JSON document -> one row of ``CERTIFICATE_SCHEMA``.

Both the RdSAP XML reader (through :func:`~ara.rdsap.readers.xml_document.xml_to_document`)
and the register JSON reader hand this module the same document shape, so the XML and the
JSON of one certificate give identical rows by construction. The walk follows
:data:`~ara.rdsap.readers.schema.COLUMNS`: each column's value is found at its key path and
normalised by its kind (:mod:`ara.rdsap.readers.values`); list columns repeat the walk for each
item; columns marked ``derived`` are filled by the rules in :data:`_DERIVED`.

A value that cannot be read does not stop the walk: every problem is collected and the
certificate is refused with one :class:`CertificateReadError` listing them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ara.rdsap.readers import values as v
from ara.rdsap.readers.code_mapping import apply_old_schema_rules
from ara.rdsap.readers.errors import CertificateReadError, ReadFailure
from ara.rdsap.readers.rules import check_lodgement_rules
from ara.rdsap.readers.schema import _AUDIT, _DESCRIPTIONS, _LODGED, _METADATA, COLUMNS, Column
from ara.rdsap.readers.xml_document import SUPPORTED_SCHEMA_TYPES

__all__ = ["FULL_SAP_SCHEMA_RE", "FULL_SAP_SUMMARY_COLUMNS", "Context", "document_to_row",
           "empty_row", "full_sap_summary_row", "is_full_sap_schema", "items"]

_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "code": v.to_code, "index": v.to_code, "int": v.to_int, "float": v.to_float,
    "bool": v.to_bool, "text": v.to_text, "date": v.to_date, "uprn": v.to_uprn,
    "sap_version": v.sap_version,
}

#: Property-Summary elements: (element name in the row, keys in the register JSON).
_SUMMARY_ELEMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("wall", "walls", ("walls", "wall")),
    ("roof", "roofs", ("roofs", "roof")),
    ("floor", "floors", ("floors",)),
    ("window", "windows", ("window", "windows")),
    ("main_heating", "main_heating", ("main_heating", "main-heating")),
    ("main_heating_controls", "main_heating_controls", ("main_heating_controls",)),
    ("hot_water", "hot_water", ("hot_water",)),
    ("lighting", "lighting", ("lighting",)),
    ("secondary_heating", "secondary_heating", ("secondary_heating",)),
    ("air_tightness", "", ("air_tightness",)),
)


@dataclass
class Context:
    """What the walk needs besides the document, and what it collects on the way."""

    certificate_number: str | None
    schema_type: str | None
    data_source: str
    source: str | None = None
    raw_document: str | None = None
    document: dict[str, Any] = field(default_factory=dict)
    inferred_fields: list[str] = field(default_factory=list)
    code_mappings: list[dict[str, str]] = field(default_factory=list)
    csv_extra: list[tuple[str, str]] | None = None
    failures: list[ReadFailure] = field(default_factory=list)

    def fail(self, field_path: str, message: str) -> None:
        self.failures.append(ReadFailure(self.certificate_number, field_path, message,
                                         self.source))


def empty_row() -> dict[str, Any]:
    """A row with every column null (lists empty where a list is the natural "none")."""
    return {column.name: None for column in COLUMNS}


def get_path(node: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
        if node is None:
            return None
    return node


def items(container: Any, item_key: str) -> list[Any]:
    """The items of a repeated element in either shape the register's JSON uses:
    ``[{...}, {...}]``, ``{"item": {...}}``, ``{"item": [{...}, ...]}`` or ``[{"item": {...}}]``."""
    if container is None:
        return []
    if isinstance(container, dict):
        if item_key and item_key in container:
            return items(container[item_key], "")
        found = [container]
    elif isinstance(container, list):
        found = container
    else:
        found = [container]
    out = []
    for item in found:
        if item_key and isinstance(item, dict) and len(item) == 1 and item_key in item:
            item = item[item_key]
        if isinstance(item, list):
            out.extend(item)
        elif item is not None:
            out.append(item)
    return out


# A column compiled for the walk: (mode, column, first key, full path, converter, plan of
# the members). Modes: scalar at one key, scalar at a path, list, struct, filled by a rule,
# filled by the enclosing rule.
_SCALAR_KEY, _SCALAR_PATH, _LIST, _STRUCT, _RULE, _NONE = range(6)
_Step = tuple[int, Column, str, tuple[str, ...], Callable[[Any], Any] | None, tuple[Any, ...]]
_PLANS: dict[int, tuple[_Step, ...]] = {}


def _plan(columns: tuple[Column, ...]) -> tuple[_Step, ...]:
    plan = _PLANS.get(id(columns))
    if plan is None:
        steps: list[_Step] = []
        for column in columns:
            if column.derived:
                continue  # rules run after the other columns of the same level
            first = column.path[0] if column.path else ""
            if column.kind == "list":
                steps.append((_LIST, column, first, column.path, None, _plan(column.fields)))
            elif column.kind == "struct":
                steps.append((_STRUCT, column, first, column.path, None,
                              _plan(column.fields)))
            elif not column.path:
                steps.append((_NONE, column, "", (), None, ()))
            else:
                mode = _SCALAR_KEY if len(column.path) == 1 and not column.alt_paths else (
                    _SCALAR_PATH)
                steps.append((mode, column, first, column.path, _CONVERTERS[column.kind], ()))
        steps += [(_RULE, column, "", (), None, ()) for column in columns if column.derived]
        plan = tuple(steps)
        _PLANS[id(columns)] = plan
    return plan


def _fail_value(column: Column, exc: v.ValueProblem, ctx: Context, path: str) -> None:
    element = f"{column.element}: " if column.element else ""
    ctx.fail(path, f"{element}{exc}")


def _walk(columns: tuple[Column, ...], node: Any, ctx: Context, prefix: str
          ) -> dict[str, Any]:
    """The row (or list item, or struct) of ``columns`` read from ``node``: problems go to
    ``ctx``. Runs the walk compiled for ``columns`` (:func:`_compile`, once per tuple)."""
    walk = _COMPILED.get(id(columns))
    if walk is None:
        walk = _compile(columns)
    return walk(node, ctx, prefix)


def _interpret(columns: tuple[Column, ...], node: Any, ctx: Context, prefix: str
               ) -> dict[str, Any]:
    """The walk interpreted from the plan, column by column: the reference that the compiled
    walk (:func:`_compile`) must equal (``tests/rdsap/test_readers_fast_path.py`` runs every
    sample through both); nested levels go through :func:`_walk`."""
    out: dict[str, Any] = {}
    if not isinstance(node, dict):
        if node is not None:
            ctx.fail(prefix.rstrip(".") or "(document)",
                     f"expected an element with children, found {node!r:.60}")
        node = {}
    for mode, column, key, path, convert, _members in _plan(columns):
        name = column.name
        if mode == _SCALAR_KEY or mode == _SCALAR_PATH:
            if mode == _SCALAR_KEY:
                raw = node.get(key)
            else:
                raw = get_path(node, path)
                if raw is None:
                    for alt in column.alt_paths:
                        raw = get_path(node, alt)
                        if raw is not None:
                            break
            if raw is None:
                out[name] = None
                continue
            try:
                value = convert(raw)  # type: ignore[misc]
            except v.ValueProblem as exc:
                _fail_value(column, exc, ctx, prefix + name)
                value = None
            if column.scale != 1.0 and value is not None:
                value = value * column.scale
            out[name] = value
        elif mode == _LIST:
            found = items(get_path(node, path), column.item)
            keep = _ITEM_FILTERS.get(name)
            if keep is not None:
                found = [item for item in found if keep(item)]
            out[name] = [_walk(column.fields, item, ctx, f"{prefix}{name}[{i}].")
                         for i, item in enumerate(found)]
        elif mode == _STRUCT:
            sub = get_path(node, path)
            out[name] = None if sub is None else _walk(column.fields, sub, ctx,
                                                       f"{prefix}{name}.")
        elif mode == _RULE:
            out[name] = _DERIVED[column.derived](column, node, out, ctx, prefix + name)
        else:  # filled by the enclosing rule (alternative_wall_number, element, ...)
            out[name] = None
    return out


# ---------------------------------------------------------------------------------------------
# Derived columns: rule(column, node, row so far, context, column path) -> value
# ---------------------------------------------------------------------------------------------
def _is_building_part(item: Any) -> bool:
    """``SAP-Integral-Conservatory`` sits inside ``SAP-Building-Parts``, so the register's JSON
    lists it among the building parts; it is read into the conservatory columns instead."""
    return not (isinstance(item, dict) and "building_part_number" not in item
                and ("glazed_perimeter" in item or "double_glazed" in item))


_ITEM_FILTERS: dict[str, Callable[[Any], bool]] = {"building_parts": _is_building_part}


def _from_context(column: Column, node: Any, row: dict[str, Any], ctx: Context,
                  path: str) -> Any:
    return getattr(ctx, column.derived)


def _band(rating_column: str, lodged_key: str) -> Callable[..., Any]:
    def rule(column: Column, node: Any, row: dict[str, Any], ctx: Context, path: str) -> Any:
        rating = row.get(rating_column)
        if rating is not None:
            return v.band_for_rating(rating)
        lodged = v.to_text(node.get(lodged_key)) if lodged_key else None
        return lodged.upper() if lodged else None
    return rule


def _summary_entries(node: dict[str, Any], keys: tuple[str, ...]) -> list[Any]:
    for key in keys:
        if node.get(key) is not None:
            return items(node[key], "")
    return []


def _property_summary(column: Column, node: Any, row: dict[str, Any], ctx: Context,
                      path: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for element, _plural, keys in _SUMMARY_ELEMENTS:
        for entry in _summary_entries(node, keys):
            if not isinstance(entry, dict):
                entry = {"description": entry}
            item = _walk(column.fields, entry, ctx, f"{path}[{len(out)}].")
            item["element"] = element
            out.append(item)
    return out


def _descriptions(column: Column, node: Any, row: dict[str, Any], ctx: Context,
                  path: str) -> str | None:
    wanted = column.name.removesuffix("_description")
    element = next(e for e, plural, _k in _SUMMARY_ELEMENTS if plural == wanted)
    texts = [entry["description"] for entry in row.get("property_summary") or ()
             if entry["element"] == element and entry["description"]]
    return "; ".join(texts) or None


def _dwelling_storey_count(column: Column, node: Any, row: dict[str, Any], ctx: Context,
                           path: str) -> int | None:
    counts = [sum(1 for dim in part["floor_dimensions"] if dim["floor"] != "99")
              for part in row.get("building_parts") or ()]
    return max(counts) if counts and max(counts) > 0 else None


#: description column -> its Property-Summary element (the compiled walk's table)
_DESCRIBED: dict[str, str] = {f"{plural}_description": element
                              for element, plural, _k in _SUMMARY_ELEMENTS if plural}


def _all_descriptions(row: dict[str, Any]) -> dict[str, str]:
    """Every description column's value at once (element -> text; an element without one is
    absent): what :func:`_descriptions` gives column by column, in one pass."""
    wanted = _DESCRIBED.values()
    texts: dict[str, list[str]] = {}
    for entry in row.get("property_summary") or ():
        element = entry["element"]
        if element in wanted and entry["description"]:
            texts.setdefault(element, []).append(entry["description"])
    return {element: "; ".join(found) for element, found in texts.items()}


_CONSERVATORY = {"conservatory_double_glazed": ("double_glazed", v.to_bool),
                 "conservatory_floor_area_m2": ("floor_area", v.to_float),
                 "conservatory_glazed_perimeter_m": ("glazed_perimeter", v.to_float),
                 "conservatory_room_height": ("room_height", v.to_code)}


def _conservatory(column: Column, node: Any, row: dict[str, Any], ctx: Context,
                  path: str) -> Any:
    found = [item for item in items(node.get("sap_building_parts"), "sap_building_part")
             if not _is_building_part(item)]
    if not found and isinstance(node.get("sap_integral_conservatory"), dict):
        found = [node["sap_integral_conservatory"]]
    if not found:
        return None
    key, convert = _CONSERVATORY[column.name]
    try:
        return convert(found[0].get(key))
    except v.ValueProblem as exc:
        ctx.fail(path, f"SAP-Integral-Conservatory: {exc}")
        return None


def _pv_batteries(column: Column, node: Any, row: dict[str, Any], ctx: Context,
                  path: str) -> list[float] | None:
    batteries = items(get_path(node, ("sap_energy_source", "pv_batteries")), "pv_battery")
    out: list[float] = []
    for i, battery in enumerate(batteries):
        raw = battery.get("battery_capacity") if isinstance(battery, dict) else battery
        try:
            capacity = v.to_float(raw)
        except v.ValueProblem as exc:
            ctx.fail(f"{path}[{i}]", f"Battery-Capacity: {exc}")
            continue
        if capacity is not None:
            out.append(capacity)
    return out or None


def _alternative_walls(column: Column, node: Any, row: dict[str, Any], ctx: Context,
                       path: str) -> list[dict[str, Any]]:
    found: list[tuple[int, Any]] = []
    for number, key in ((1, "sap_alternative_wall_1"), (2, "sap_alternative_wall_2")):
        if node.get(key) is not None:
            found.append((number, node[key]))
    if not found:  # RdSAP 9.x: SAP-Alternative-Wall (at most one, read as a list anyway)
        found = [(i + 1, wall) for i, wall in enumerate(items(node.get("sap_alternative_wall"),
                                                              ""))]
    out = []
    for i, (number, wall) in enumerate(found):
        item = _walk(column.fields, wall, ctx, f"{path}[{i}].")
        item["alternative_wall_number"] = number
        out.append(item)
    return out


_RR_SURFACES = ("flat_ceiling", "stud_wall", "slope", "gable_wall", "common_wall")
_RR_SURFACE_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "length_m": ("length", v.to_float), "height_m": ("height", v.to_float),
    "area_m2": ("area", v.to_float), "u_value": ("u_value", v.to_float),
    "insulation_thickness": ("insulation_thickness", v.to_code),
    "insulation_type": ("insulation_type", v.to_code),
    "insulation_location": ("insulation_location", v.to_code),
    "gable_type": ("type", v.to_code),
}


def _rr_surfaces(shape: dict[str, Any], ctx: Context, path: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for surface in _RR_SURFACES:
        for number in (1, 2):
            entry: dict[str, Any] = {"surface": surface, "number": number}
            present = False
            for name, (key, convert) in _RR_SURFACE_KEYS.items():
                raw = shape.get(f"{surface}_{key}_{number}")
                value = None
                if raw is not None:
                    try:
                        value = convert(raw)
                    except v.ValueProblem as exc:
                        ctx.fail(f"{path}[{len(out)}].{name}", f"{surface} {number}: {exc}")
                    present = present or value is not None
                entry[name] = value
            if present:
                out.append(entry)
    return out


_RR_SCALARS: dict[str, tuple[Column, ...]] = {}


def _rr_scalar_fields(column: Column) -> tuple[Column, ...]:
    """The room-in-roof members read by the walk (one tuple, so the walk's plan is cached)."""
    found = _RR_SCALARS.get(column.name)
    if found is None:
        found = tuple(c for c in column.fields if c.name != "surfaces")
        _RR_SCALARS[column.name] = found
    return found


def _room_in_roof(column: Column, node: Any, row: dict[str, Any], ctx: Context,
                  path: str) -> dict[str, Any] | None:
    rr = node.get("sap_room_in_roof")
    if rr is None:
        return None
    if not isinstance(rr, dict):
        ctx.fail(path, f"SAP-Room-In-Roof: expected an element with children, found {rr!r:.40}")
        return None
    out = _walk(_rr_scalar_fields(column), rr, ctx, f"{path}.")
    shape_type: str | None = None
    shape: Any = None
    for key, name in (("room_in_roof_details", "details"), ("room_in_roof_type_2", "2"),
                      ("room_in_roof_type_1", "1")):
        if isinstance(rr.get(key), dict):
            shape_type, shape = name, rr[key]
            break
    out["room_in_roof_type"] = shape_type
    out["surfaces"] = _rr_surfaces(shape, ctx, f"{path}.surfaces") if shape else []
    return out


_DERIVED: dict[str, Callable[[Column, Any, dict[str, Any], Context, str], Any]] = {
    "certificate_number": _from_context,
    "schema_type": _from_context,
    "data_source": _from_context,
    "source": _from_context,
    "raw_document": _from_context,
    "inferred_fields": lambda c, n, r, ctx, p: ctx.inferred_fields or None,
    "code_mappings": lambda c, n, r, ctx, p: ctx.code_mappings or None,
    "csv_extra": lambda c, n, r, ctx, p: ctx.csv_extra,
    "energy_band_current": _band("energy_rating_current", "current_energy_efficiency_band"),
    "energy_band_potential": _band("energy_rating_potential",
                                   "potential_energy_efficiency_band"),
    "environmental_impact_band_current": _band("environmental_impact_current", ""),
    "environmental_impact_band_potential": _band("environmental_impact_potential", ""),
    "property_summary": _property_summary,
    "description": _descriptions,
    "dwelling_storey_count": _dwelling_storey_count,
    "conservatory": _conservatory,
    "pv_batteries": _pv_batteries,
    "alternative_walls": _alternative_walls,
    "room_in_roof": _room_in_roof,
}


# The walk compiled: for each tuple of columns, the plan above written out once as the source
# of one Python function (a straight run of dict lookups with each converter's common case
# inline), so a document costs no per-column dispatch. Same columns, same order, same
# converters and the same failures in the same order as _interpret, which stays the reference.
_Walker = Callable[[Any, Context, str], dict[str, Any]]
_COMPILED: dict[int, _Walker] = {}
_INT32_MIN, _INT32_MAX = -v.INT32_MAX - 1, v.INT32_MAX
_EXACT_FLOAT = 2**53  # an int of at most this size is a float exactly

#: kind -> the statements that turn ``raw`` (not None) into ``value`` without a call in the
#: common cases (each giving exactly what the converter gives); any other value, and every
#: value of a kind not listed, goes through the kind's converter
_FAST: dict[str, str] = {
    "code": ("if type(raw) is int:\n    value = str(raw)\n"
             "elif type(raw) is str and raw.isdigit() and raw.isascii() and "
             "(raw[0] != '0' or len(raw) == 1):\n    value = raw\n"
             "elif type(raw) is str and raw.isalpha() and raw.isascii():\n    value = raw\n"),
    "int": ("if type(raw) is int and _INT32_MIN <= raw <= _INT32_MAX:\n    value = raw\n"),
    "float": ("if type(raw) is float and raw - raw == 0.0:\n    value = raw\n"
              "elif type(raw) is int and -_EXACT_FLOAT <= raw <= _EXACT_FLOAT:\n"
              "    value = float(raw)\n"),
    "text": "if type(raw) is str:\n    value = raw.strip() or None\n",
}
_FAST["index"] = _FAST["code"]
_FAST["bool"] = ("if type(raw) is str and raw in _BOOL_TEXT:\n    value = _BOOL_TEXT[raw]\n"
                 "elif raw is True or raw is False:\n    value = raw\n")
#: the texts ``to_bool`` reads, as the register writes them
_BOOL_TEXT: dict[str, bool] = {
    text: answer for answer, words in ((True, v._TRUE), (False, v._FALSE))
    for word in words for text in (word, word.upper(), word.capitalize())}


def _indent(code: str, depth: int) -> str:
    pad = "    " * depth
    return "".join(pad + line + "\n" for line in code.splitlines())


class _Prefixes:
    """The elements on the way to the values of a walk (``sap_heating`` for
    ``sap_heating.water_heating_code``), each looked up once at the top of the compiled
    function: variable ``_p<n>`` holds the element at a prefix when it is a dict, else None
    (as ``get_path``, which stops at a value that is not an element)."""

    def __init__(self) -> None:
        self.names: dict[tuple[str, ...], str] = {}
        self.code = ""

    def variable(self, prefix: tuple[str, ...]) -> str:
        name = self.names.get(prefix)
        if name is None:
            if len(prefix) == 1:
                value = f"get({prefix[0]!r})"
            else:  # the parent first: it is named (and looked up) before its child
                parent = self.variable(prefix[:-1])
                value = f"{parent}.get({prefix[-1]!r}) if {parent} is not None else None"
            name = f"_p{len(self.names)}"
            self.code += f"{name} = {value}\nif not isinstance({name}, dict):\n    {name} = None\n"
            self.names[prefix] = name
        return name

    def path_code(self, path: tuple[str, ...], target: str) -> str:
        """A statement setting ``target`` to the value at ``path`` of ``node`` (``get_path``)."""
        if not path:
            return f"{target} = node\n"
        if len(path) == 1:
            return f"{target} = get({path[0]!r})\n"
        parent = self.variable(path[:-1])
        return f"{target} = {parent}.get({path[-1]!r}) if {parent} is not None else None\n"


def _compile(columns: tuple[Column, ...]) -> _Walker:
    """The walk of ``columns`` as one generated function ``(node, ctx, prefix) -> row``."""
    namespace: dict[str, Any] = {
        "_fail_value": _fail_value, "_items": items, "_ValueProblem": v.ValueProblem,
        "_INT32_MIN": _INT32_MIN, "_INT32_MAX": _INT32_MAX, "_EXACT_FLOAT": _EXACT_FLOAT,
        "_DERIVED": _DERIVED, "_ITEM_FILTERS": _ITEM_FILTERS, "_BOOL_TEXT": _BOOL_TEXT,
        "_all_descriptions": _all_descriptions}
    plan = _plan(columns)
    prefixes = _Prefixes()
    described = False
    body = ""
    for i, (mode, column, _key, path, convert, _members) in enumerate(plan):
        name = column.name
        if not name.isidentifier():  # pragma: no cover - the schema's names are identifiers
            raise ValueError(f"column name {name!r} is not an identifier")
        namespace[f"_c{i}"] = column
        if mode in (_SCALAR_KEY, _SCALAR_PATH):
            namespace[f"_f{i}"] = convert
            code = prefixes.path_code(path, "raw")
            for alt in column.alt_paths:
                code += "if raw is None:\n" + _indent(prefixes.path_code(alt, "raw"), 1)
            fast = _FAST.get(column.kind, "")
            slow = (f"try:\n    value = _f{i}(raw)\nexcept _ValueProblem as exc:\n"
                    f"    _fail_value(_c{i}, exc, ctx, prefix + {name!r})\n    value = None\n")
            convert_code = fast + "else:\n" + _indent(slow, 1) if fast else slow
            if column.scale != 1.0:
                namespace[f"_s{i}"] = column.scale
                convert_code += f"if value is not None:\n    value = value * _s{i}\n"
            code += ("if raw is not None:\n" + _indent(convert_code, 1)
                     + f"    out[{name!r}] = value\n")
        elif mode == _LIST:
            namespace[f"_w{i}"] = _compiled_walk(column.fields)
            code = prefixes.path_code(path, "raw") + f"found = _items(raw, {column.item!r})\n"
            if name in _ITEM_FILTERS:
                namespace[f"_k{i}"] = _ITEM_FILTERS[name]
                code += f"found = [item for item in found if _k{i}(item)]\n"
            code += (f"out[{name!r}] = [_w{i}(item, ctx, f'{{prefix}}{name}[{{n}}].') "
                     "for n, item in enumerate(found)] if found else []\n")
        elif mode == _STRUCT:
            namespace[f"_w{i}"] = _compiled_walk(column.fields)
            code = prefixes.path_code(path, "raw") + (
                f"if raw is not None:\n    out[{name!r}] = _w{i}(raw, ctx, prefix + "
                f"{name + '.'!r})\n")
        elif mode == _RULE and column.derived == "description":
            # the descriptions read only property_summary (filled before them): all at once
            code = "" if described else "_descriptions = _all_descriptions(out)\n"
            described = True
            code += f"out[{name!r}] = _descriptions.get({_DESCRIBED[name]!r})\n"
        elif mode == _RULE:
            namespace[f"_r{i}"] = _DERIVED[column.derived]
            code = f"out[{name!r}] = _r{i}(_c{i}, node, out, ctx, prefix + {name!r})\n"
        else:  # filled by the enclosing rule: stays None
            continue
        body += code
    # every key of the row in the plan's order, None until the walk fills it
    namespace["_TEMPLATE"] = dict.fromkeys(step[1].name for step in plan)
    source = (
        "def walk(node, ctx, prefix):\n"
        "    if not isinstance(node, dict):\n"
        "        if node is not None:\n"
        "            ctx.fail(prefix.rstrip('.') or '(document)',\n"
        "                     f'expected an element with children, found {node!r:.60}')\n"
        "        node = {}\n"
        "    out = _TEMPLATE.copy()\n"
        "    get = node.get\n" + _indent(prefixes.code + body, 1) + "    return out\n")
    exec(compile(source, f"<ara.rdsap.readers.mapping walk of {len(columns)} columns>",
                 "exec"), namespace)  # noqa: S102 - source built above from the schema alone
    walk: _Walker = namespace["walk"]
    _COMPILED[id(columns)] = walk
    return walk


def _compiled_walk(columns: tuple[Column, ...]) -> _Walker:
    return _COMPILED.get(id(columns)) or _compile(columns)


def document_to_row(document: dict[str, Any], ctx: Context, *, validate: bool = True
                    ) -> dict[str, Any]:
    """One row of ``CERTIFICATE_SCHEMA`` from a register JSON document.

    Old-schema codes are translated to RdSAP 10 codes (recorded in ``code_mappings``), then,
    with ``validate``, the register's lodgement rules are checked. Raises
    :class:`CertificateReadError` listing every problem found.
    """
    if ctx.schema_type not in SUPPORTED_SCHEMA_TYPES:
        raise CertificateReadError(
            ctx.certificate_number, "schema_type",
            f"unsupported schema {ctx.schema_type!r}: the readers take RdSAP certificates of "
            f"{', '.join(SUPPORTED_SCHEMA_TYPES)} (full SAP certificates are read by "
            "ara.sap.xml_reader.read_sap_xml_certificate and "
            "ara.sap.sap_json_reader.read_sap_json_certificate)",
            source=ctx.source)
    ctx.document = document
    try:
        row = _walk(COLUMNS, document, ctx, "")
        apply_old_schema_rules(row, ctx)
        # the audit columns were filled by the walk; the code mapping may have added to them
        row["inferred_fields"] = ctx.inferred_fields or None
        row["code_mappings"] = ctx.code_mappings or None
        if validate:
            check_lodgement_rules(row, ctx)
    except (AttributeError, TypeError, KeyError, IndexError, RecursionError) as exc:
        # a document whose shape the register never produces (hostile or corrupted input)
        raise CertificateReadError(ctx.certificate_number, "(document)",
                                   f"unexpected document structure ({type(exc).__name__}: "
                                   f"{exc})", source=ctx.source) from None
    if ctx.failures:
        first = ctx.failures[0]
        raise CertificateReadError(ctx.certificate_number, first.field, first.message,
                                   source=ctx.source, failures=list(ctx.failures))
    return row


# ---------------------------------------------------------------------------------------------
# Full SAP certificates: the summary only
# ---------------------------------------------------------------------------------------------
#: Register schemas of full SAP (new-build) certificates whose summary the readers take on the
#: ingestion paths (``full_sap="summary"``): SAP-Schema-16.x to 19.2.0 (and their NI twins).
FULL_SAP_SCHEMA_RE = re.compile(r"SAP-Schema-(?:NI-)?(?:1[678]\.\d+(?:\.\d+)?|19\.[0-2]\.0)")

#: The columns of a full SAP certificate's row: what the domain needs of any certificate
#: (metadata, lodged results, descriptions, the property type of ``Report-Header``, the audit
#: columns with ``raw_document``). Every other column (the RdSAP survey data) stays null: the
#: full SAP readers (``ara.sap.xml_reader``, ``ara.sap.sap_json_reader``) read the document
#: itself when the certificate is rated.
FULL_SAP_SUMMARY_COLUMNS: tuple[Column, ...] = (
    _METADATA + _LODGED + _DESCRIPTIONS
    + tuple(c for c in COLUMNS if c.name == "property_type") + _AUDIT)


def is_full_sap_schema(schema_type: str | None) -> bool:
    """Whether a register schema names a full SAP certificate (``SAP-Schema-...``)."""
    return bool(schema_type) and str(schema_type).startswith("SAP-Schema")


def full_sap_summary_row(document: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """One row of ``CERTIFICATE_SCHEMA`` holding only the summary of a full SAP certificate
    (:data:`FULL_SAP_SUMMARY_COLUMNS`; every RdSAP physical column null), from its document
    in the register's JSON shape. No RdSAP code mapping and no RdSAP lodgement rule applies.
    Raises :class:`CertificateReadError` for a schema outside :data:`FULL_SAP_SCHEMA_RE`, a
    value that cannot be read, or a certificate without its inspection date."""
    if not FULL_SAP_SCHEMA_RE.fullmatch(ctx.schema_type or ""):
        raise CertificateReadError(
            ctx.certificate_number, "schema_type",
            f"unsupported full SAP schema {ctx.schema_type!r}: the readers take the summary of "
            "SAP-Schema-16.x to 19.2.0 certificates", source=ctx.source)
    ctx.document = document
    try:
        row = empty_row()
        row.update(_walk(FULL_SAP_SUMMARY_COLUMNS, document, ctx, ""))
    except (AttributeError, TypeError, KeyError, IndexError, RecursionError) as exc:
        raise CertificateReadError(ctx.certificate_number, "(document)",
                                   f"unexpected document structure ({type(exc).__name__}: "
                                   f"{exc})", source=ctx.source) from None
    if row["inspection_date"] is None and not ctx.failures:
        ctx.fail("inspection_date", "a full SAP certificate without its Inspection-Date")
    if ctx.failures:
        first = ctx.failures[0]
        raise CertificateReadError(ctx.certificate_number, first.field, first.message,
                                   source=ctx.source, failures=list(ctx.failures))
    return row
