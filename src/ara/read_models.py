"""Read models: the queries behind what people read from a run's database, in one module
(``ara plan``, ``ara list``, ``ara export``, the run summary and the report).

Every function takes an open connection (a read-only unit of work's: ``with
factory(read_only=True) as uow: homes(uow.connection, "sample")``), runs SQLAlchemy Core
selects and returns Arrow tables or dataclasses; nothing here writes, and no command module
holds SQL. A lookup that finds nothing raises :class:`ReadError`, whose message is the one line
a command prints.

Per home: its **trust** level (decision 0022), as the run summary and the report count it:
``lodged kept`` (a pristine SAP 10.2 certificate whose figures are kept), ``re-modelled``,
``re-modelled with estimates`` (declared estimate fallbacks), ``estimated (predicted)`` (no
certificate and no survey: rated from an EPC predicted from comparable certificates, issue
19), ``refused`` (the Baseline stage failed it), or null (not baselined yet); and its
**status**, one of :data:`STATUSES`: ``refused`` (a Baseline failure), ``failed`` (a failure at
another stage: Ingestion, Prediction, or Modelling of a baselined home), ``estimate``
(baselined with estimates or from a prediction, lodged figures not kept), ``ok`` (baselined,
nothing failed), ``pending`` (none of these: not run yet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from ara.persistence import tables as t
from ara.persistence.bulk import read_arrow

Row = Mapping[str, Any]

#: The stages that record failures, in pipeline order.
STAGES = ("ingestion", "prediction", "baseline", "modelling")
#: The trust level of a home rated from a predicted EPC.
PREDICTED = "estimated (predicted)"
TRUST_LEVELS = ("lodged kept", "re-modelled", "re-modelled with estimates", PREDICTED,
                "refused")
STATUSES = ("ok", "estimate", "refused", "failed", "pending")
#: Characters of a failure message shown as its reason head.
REASON_HEAD = 100
#: Separates a scenario id from the figure in the columns of :func:`homes`.
SCENARIO_SEPARATOR = "__"


class ReadError(LookupError):
    """Nothing to read: an unknown property, reference or portfolio (a one-line message)."""


class AmbiguousReferenceError(ReadError):
    """A UPRN or landlord reference that matches several properties (``matches``)."""

    def __init__(self, message: str, matches: Sequence[PropertyRef]) -> None:
        super().__init__(message)
        self.matches = list(matches)


# ---- identity ------------------------------------------------------------------------------

def address(parts: Iterable[str | None]) -> str:
    """Address lines, post town and postcode joined with commas, blanks left out."""
    return ", ".join(p for p in parts if p)


_ADDRESS = ("address_line_1", "address_line_2", "address_line_3", "post_town", "postcode")


@dataclass(frozen=True)
class PropertyRef:
    """Who a property is: its id, portfolio, UPRN, landlord reference and address."""

    property_id: str
    portfolio_id: str
    uprn: int | None
    landlord_reference: str | None
    address: str

    def describe(self) -> str:
        return (f"{self.property_id} (portfolio {self.portfolio_id}, UPRN "
                f"{self.uprn if self.uprn is not None else '-'}, reference "
                f"{self.landlord_reference or '-'}): {self.address or '-'}")


def _ref(row: Any) -> PropertyRef:
    return PropertyRef(row["property_id"], row["portfolio_id"], row["uprn"],
                       row["landlord_reference"], address(row[k] for k in _ADDRESS))


def portfolio_ids(conn: sa.Connection) -> list[str]:
    return list(conn.execute(sa.select(t.portfolios.c.portfolio_id)
                             .order_by(t.portfolios.c.portfolio_id)).scalars())


def resolve_portfolio(conn: sa.Connection, portfolio_id: str | None) -> str:
    """``portfolio_id`` when the database holds it; with None, the database's only
    portfolio. Raises :class:`ReadError` naming the portfolios it holds otherwise."""
    known = portfolio_ids(conn)
    held = ", ".join(known) or "none"
    if portfolio_id is None:
        if len(known) == 1:
            return known[0]
        if not known:
            raise ReadError("the database holds no portfolio (ara run writes one)")
        raise ReadError(f"the database holds {len(known)} portfolios ({held}): choose one "
                        "with --portfolio ID")
    if portfolio_id not in known:
        raise ReadError(f"no portfolio {portfolio_id!r} in the database (it holds: {held})")
    return portfolio_id


def find_properties(conn: sa.Connection, ref: str,
                    portfolio_id: str | None = None) -> list[PropertyRef]:
    """The properties ``ref`` names: a property id (which wins when it matches), else a UPRN
    or a landlord reference, in any portfolio or in ``portfolio_id``."""
    p = t.properties.c
    text = ref.strip()
    match = [p.property_id == text, p.landlord_reference == text]
    if text.isdigit() and int(text) < 2**63:
        match.append(p.uprn == int(text))
    query = sa.select(p.property_id, p.portfolio_id, p.uprn, p.landlord_reference,
                      *(p[k] for k in _ADDRESS)).where(sa.or_(*match))
    if portfolio_id is not None:
        query = query.where(p.portfolio_id == portfolio_id)
    found = [_ref(r) for r in conn.execute(query.order_by(p.portfolio_id,
                                                          p.property_id)).mappings()]
    by_id = [r for r in found if r.property_id == text]
    return by_id or found


def resolve_property(conn: sa.Connection, ref: str,
                     portfolio_id: str | None = None) -> PropertyRef:
    """The one property ``ref`` (id, UPRN or landlord reference) names; raises
    :class:`ReadError` when none does, :class:`AmbiguousReferenceError` when several do."""
    if portfolio_id is not None:
        resolve_portfolio(conn, portfolio_id)
    found = find_properties(conn, ref, portfolio_id)
    where = f" in portfolio {portfolio_id}" if portfolio_id is not None else ""
    if not found:
        raise ReadError(f"no property with id, UPRN or landlord reference {ref!r}{where}")
    if len(found) > 1:
        portfolios = sorted({r.portfolio_id for r in found})
        if len(portfolios) > 1:
            how = (f"of {len(portfolios)} portfolios ({', '.join(portfolios)}): narrow with "
                   "--portfolio ID or give the property id")
        else:
            how = f"of portfolio {portfolios[0]}: give the property id"
        listed = "".join(f"\n  {r.describe()}" for r in found)
        raise AmbiguousReferenceError(f"{ref!r} matches {len(found)} properties {how}:{listed}",
                                 found)
    return found[0]


#: Keys per ``IN`` list of :func:`properties_by_keys` (well under every driver's limit).
KEY_CHUNK = 500


def properties_by_keys(conn: sa.Connection, uprns: Iterable[int], references: Iterable[str],
                       portfolio_id: str | None = None) -> list[PropertyRef]:
    """Every property whose UPRN is one of ``uprns`` or whose landlord reference is one of
    ``references`` (in ``portfolio_id``, or in any portfolio), by portfolio and id; a few
    queries of at most :data:`KEY_CHUNK` keys each (``ara overrides import`` matches a whole
    file at once)."""
    p = t.properties.c
    columns = [p.property_id, p.portfolio_id, p.uprn, p.landlord_reference,
               *(p[k] for k in _ADDRESS)]
    found: dict[str, PropertyRef] = {}
    for column, keys in ((p.uprn, sorted(set(uprns))),
                         (p.landlord_reference, sorted(set(references)))):
        for start in range(0, len(keys), KEY_CHUNK):
            query = sa.select(*columns).where(column.in_(keys[start:start + KEY_CHUNK]))
            if portfolio_id is not None:
                query = query.where(p.portfolio_id == portfolio_id)
            for row in conn.execute(query).mappings():
                found[row["property_id"]] = _ref(row)
    return sorted(found.values(), key=lambda r: (r.portfolio_id, r.property_id))


# ---- one property's plans (ara plan) -------------------------------------------------------

@dataclass
class PlanView:
    """What ``ara plan`` prints: the property, its baseline, and per table its rows (plain
    mappings, ordered by scenario, phase and sequence)."""

    property: PropertyRef
    baseline: dict[str, Any] | None
    plans: list[dict[str, Any]] = field(default_factory=list)
    phases: list[dict[str, Any]] = field(default_factory=list)
    measures: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    landlord: list[LandlordValue] = field(default_factory=list)
    """The fields that came from the landlord (its stored overrides), beside the lodged
    values."""
    prediction: dict[str, Any] | None = None
    """The home's stored predicted EPC's provenance (no data): predicted on, method, rung,
    cohort size, confidence, template certificate, comparable certificates."""


def plan_view(conn: sa.Connection, prop: PropertyRef) -> PlanView:
    def rows(table: sa.Table) -> list[dict[str, Any]]:
        order: list[sa.ColumnElement[Any]] = [
            table.c[k] for k in ("scenario_id", "phase_number", "sequence", "measure_type")
            if k in table.c]
        if table is t.stage_failures:
            order = [_stage_order(table.c.stage)]
        return [dict(r) for r in conn.execute(sa.select(table).where(
            table.c.property_id == prop.property_id).order_by(*order)).mappings()]

    baseline = rows(t.baseline_performance)
    e = t.predicted_epcs.c
    predicted = conn.execute(sa.select(
        e.predicted_on, e.method, e.rung, e.cohort_size, e.confidence, e.template_certificate,
        e.comparable_certificates_json).where(e.property_id == prop.property_id)).mappings().all()
    return PlanView(prop, baseline[0] if baseline else None, rows(t.plans),
                    rows(t.plan_phases), rows(t.plan_measures), rows(t.plan_rejections),
                    rows(t.stage_failures),
                    landlord_values(conn, property_ids=[prop.property_id]).get(
                        prop.property_id, []),
                    dict(predicted[0]) if predicted else None)


def _stage_order(stage: sa.ColumnElement[str]) -> sa.ColumnElement[int]:
    return sa.case({s: i for i, s in enumerate(STAGES)}, value=stage, else_=len(STAGES))


# ---- where a value came from: the landlord's statements beside the lodged values -----------

@dataclass(frozen=True)
class LandlordValue:
    """One field of a home that came from its landlord (a stored Landlord Override): the
    value as read, the landlord's own words and where they came from (``<file>:<row>``), and
    the lodged certificate's value of that field (None: the certificate does not hold it, or
    the home has none)."""

    override: str
    value: str
    words: str | None
    source: str | None
    lodged: str | None

    def describe(self) -> str:
        """``built_form: end terrace (3) from the landlord ("end-terrace", overrides.csv:3);
        lodged mid terrace (4)``."""
        said = ", ".join(p for p in ((f'"{self.words}"' if self.words else ""),
                                     self.source or "") if p)
        lodged = self.lodged if self.lodged is not None else "-"
        return (f"{self.override}: {self.value} from the landlord"
                + (f" ({said})" if said else "") + f"; lodged {lodged}")


def shown_override(name: str, value: str | None) -> str:
    """A stored override value (``landlord_overrides.value``) as people read it: ``end
    terrace (3)``, ``270mm``; a value that is not a code of ``name`` in quotes."""
    from ara.domain.overrides import describe_code, stored_code

    if value is None:
        return "-"
    try:
        return describe_code(stored_code(name, value))
    except ValueError:
        return repr(value)


def lodged_override_values(data_json: str | None) -> dict[str, str]:
    """The lodged certificate's value (its stored ``data_json``) of each field the overrides
    cover, as people read them; fields it does not hold are absent."""
    if not data_json:
        return {}
    from ara.domain.epc import EpcData
    from ara.domain.overrides import describe_stored, lodged_codes

    try:
        return {name: describe_stored(name, raw)
                for name, raw in lodged_codes(EpcData.from_json(data_json)).items()}
    except (ValueError, TypeError, AttributeError):
        return {}


def latest_certificate_data(conn: sa.Connection, property_ids: Sequence[str]
                            ) -> dict[str, str]:
    """Property id -> the ``data_json`` of its latest certificate (latest inspection, then
    registration, then number: the one the Baseline overlays); one query."""
    from ara.persistence.bulk import key_filter

    if not property_ids:
        return {}
    c = t.epc_certificates.c
    latest: dict[str, tuple[Any, ...]] = {}
    for r in conn.execute(sa.select(c.property_id, c.inspection_date, c.registration_date,
                                    c.certificate_number, c.data_json)
                          .where(key_filter(conn, [c.property_id], [list(property_ids)]))):
        order = (r.inspection_date, r.registration_date, r.certificate_number)
        held = latest.get(r.property_id)
        if held is None or order > held[0]:
            latest[r.property_id] = (order, r.data_json)
    return {pid: data for pid, (_, data) in latest.items()}


def landlord_values(conn: sa.Connection, *, property_ids: Sequence[str] | None = None,
                    portfolio_id: str | None = None) -> dict[str, list[LandlordValue]]:
    """Property id -> the fields that came from its landlord, in overlay order, for the given
    homes or a portfolio's; homes without overrides are absent. Two queries (the overrides,
    then the lodged certificates of the homes that have some)."""
    from ara.domain.overrides import OVERRIDE_FIELDS
    from ara.persistence.bulk import key_filter

    o, p = t.landlord_overrides.c, t.properties.c
    query = sa.select(o.property_id, o.override, o.value, o.raw_value, o.source)
    if portfolio_id is not None:
        query = query.join(t.properties, p.property_id == o.property_id).where(
            p.portfolio_id == portfolio_id)
    if property_ids is not None:
        if not property_ids:
            return {}
        query = query.where(key_filter(conn, [o.property_id], [list(property_ids)]))
    rows = conn.execute(query.order_by(o.property_id)).all()
    lodged = {pid: lodged_override_values(data) for pid, data in latest_certificate_data(
        conn, sorted({r.property_id for r in rows})).items()}
    order = {name: i for i, name in enumerate(OVERRIDE_FIELDS)}
    out: dict[str, list[LandlordValue]] = {}
    for r in sorted(rows, key=lambda r: (r.property_id, order.get(r.override, len(order)),
                                         r.override)):
        out.setdefault(r.property_id, []).append(LandlordValue(
            r.override, shown_override(r.override, r.value), r.raw_value, r.source,
            lodged.get(r.property_id, {}).get(r.override)))
    return out


# ---- trust and status ----------------------------------------------------------------------

def trust_level(rebaseline_reason: str | None, estimate: bool | None,
                refused: bool, source_path: str | None = None) -> str | None:
    """A home's trust level, as ``ara.report.trust_levels`` counts it: a home rated from its
    predicted EPC (``source_path`` ``predicted``) is :data:`PREDICTED`, whatever else."""
    if rebaseline_reason is None:
        return "refused" if refused else None
    if source_path == "predicted":
        return PREDICTED
    if rebaseline_reason == "none":
        return "lodged kept"
    return "re-modelled with estimates" if estimate else "re-modelled"


def status(trust: str | None, failed_stages: Sequence[str]) -> str:
    """A home's status (:data:`STATUSES`) from its trust level and the stages it failed."""
    if trust == "refused":
        return "refused"
    if failed_stages:
        return "failed"
    if trust in ("re-modelled with estimates", PREDICTED):
        return "estimate"
    return "ok" if trust is not None else "pending"


def reason_head(message: str) -> str:
    """The first clause of a failure message, at most :data:`REASON_HEAD` characters."""
    head = message.split(";")[0].strip()
    return head if len(head) <= REASON_HEAD else head[:REASON_HEAD - 3] + "..."


def _failures(conn: sa.Connection, portfolio_id: str) -> dict[str, list[Row]]:
    """A portfolio's stage failures by property, in stage order."""
    f, p = t.stage_failures.c, t.properties.c
    out: dict[str, list[Row]] = {}
    for r in conn.execute(sa.select(f.property_id, f.stage, f.error_type, f.message)
                          .join_from(t.stage_failures, t.properties,
                                     f.property_id == p.property_id)
                          .where(p.portfolio_id == portfolio_id)
                          .order_by(f.property_id, _stage_order(f.stage), f.stage)).mappings():
        out.setdefault(r["property_id"], []).append(dict(r))
    return out


def _schema(columns: Sequence[sa.ColumnElement[Any]]) -> pa.Schema:
    fields = []
    for c in columns:
        column = c.element if isinstance(c, sa.Label) else c
        assert isinstance(column, sa.Column)
        fields.append(pa.field(c.key, t.arrow_type(column)))
    return pa.schema(fields)


#: Completes a select of some columns: its FROM, WHERE and ORDER BY.
Build = Callable[[sa.Select[Any]], sa.Select[Any]]


def _select_arrow(conn: sa.Connection, columns: Sequence[sa.ColumnElement[Any]],
                  build: Build) -> pa.Table:
    """Run ``build(sa.select(*columns))`` and return its rows as Arrow, typed as the
    tables' columns."""
    return read_arrow(conn, build(sa.select(*columns)), _schema(columns))


def _home_columns() -> list[sa.ColumnElement[Any]]:
    p, b = t.properties.c, t.baseline_performance.c
    return [p.property_id, p.portfolio_id, p.uprn, p.landlord_reference,
            *(p[k] for k in _ADDRESS), b.lodged_band, b.effective_band,
            b.rebaseline_reason, b.estimate, b.source_path]


def _homes_query(portfolio_id: str) -> Build:
    """The portfolio's properties, each with its baseline when it has one."""
    p, b = t.properties.c, t.baseline_performance.c

    def build(query: sa.Select[Any]) -> sa.Select[Any]:
        return (query.select_from(t.properties)
                .outerjoin(t.baseline_performance, b.property_id == p.property_id)
                .where(p.portfolio_id == portfolio_id).order_by(p.property_id))
    return build


# ---- the portfolio's homes (ara list) ------------------------------------------------------

#: Columns of :func:`home_lines`.
HOME_LINE_SCHEMA = pa.schema([
    ("property_id", pa.string()), ("portfolio_id", pa.string()), ("uprn", pa.int64()),
    ("landlord_reference", pa.string()), ("address", pa.string()),
    ("lodged_band", pa.string()), ("effective_band", pa.string()), ("trust", pa.string()),
    ("status", pa.string()), ("failed_stage", pa.string()), ("reason", pa.string()),
    ("failures", pa.list_(pa.struct([("stage", pa.string()), ("error_type", pa.string()),
                                     ("message", pa.string())]))),
])


def home_lines(conn: sa.Connection, portfolio_id: str,
               statuses: Sequence[str] | None = None) -> pa.Table:
    """One row per home of the portfolio (by property id): identity, address, lodged and
    effective band, trust, status, and the first failure's stage and reason head (every
    failure in ``failures``); only the homes of ``statuses`` when given."""
    base = _select_arrow(conn, _home_columns(), _homes_query(portfolio_id))
    failures = _failures(conn, portfolio_id)
    out: dict[str, list[Any]] = {name: [] for name in HOME_LINE_SCHEMA.names}
    for r in base.to_pylist():
        mine = failures.get(r["property_id"], [])
        stages = [f["stage"] for f in mine]
        trust = trust_level(r["rebaseline_reason"], r["estimate"], "baseline" in stages,
                            r["source_path"])
        state = status(trust, stages)
        if statuses is not None and state not in statuses:
            continue
        for name in ("property_id", "portfolio_id", "uprn", "landlord_reference",
                     "lodged_band", "effective_band"):
            out[name].append(r[name])
        out["address"].append(address(r[k] for k in _ADDRESS))
        out["trust"].append(trust)
        out["status"].append(state)
        out["failed_stage"].append(mine[0]["stage"] if mine else None)
        out["reason"].append(reason_head(mine[0]["message"]) if mine else None)
        out["failures"].append([{k: f[k] for k in ("stage", "error_type", "message")}
                                for f in mine])
    return pa.table(out, schema=HOME_LINE_SCHEMA)


# ---- the export: one row per home, one row per planned measure -----------------------------

#: The figures of each scenario's plan in :func:`homes`: column suffix -> (source, type).
PLAN_FIGURES: tuple[tuple[str, pa.DataType], ...] = (
    ("cost_gbp", pa.float64()), ("sap_score_before", pa.int32()),
    ("band_before", pa.string()), ("sap_score_after", pa.int32()),
    ("band_after", pa.string()), ("bill_before_gbp", pa.float64()),
    ("bill_after_gbp", pa.float64()), ("reached_goal", pa.bool_()),
    ("measures", pa.int64()),
)

_BASELINE_EXPORT = ("source_path", "certificate_number", "lodged_sap_score", "lodged_band",
                    "lodged_co2_tonnes_per_year", "lodged_primary_energy_kwh_per_m2_year",
                    "effective_sap_score", "effective_band", "effective_co2_tonnes_per_year",
                    "effective_primary_energy_kwh_per_m2_year", "rebaseline_reason")
_BILL_EXPORT = ("bill_total_gbp", "bill_energy_charges_gbp", "bill_standing_charges_gbp",
                "bill_export_credit_gbp", "bill_unpriced_reason", "fuel_rates_snapshot")


def _plan_figures(conn: sa.Connection, portfolio_id: str
                  ) -> dict[str, dict[str, dict[str, Any]]]:
    """scenario id -> property id -> :data:`PLAN_FIGURES` of the portfolio's plans."""
    p, pl, ph, m = t.properties.c, t.plans.c, t.plan_phases.c, t.plan_measures.c
    last = (sa.select(ph.property_id, ph.scenario_id,
                      sa.func.max(ph.phase_number).label("phase_number"))
            .group_by(ph.property_id, ph.scenario_id).subquery())
    goal = (sa.select(ph.property_id, ph.scenario_id, ph.reached_goal)
            .join(last, sa.and_(last.c.property_id == ph.property_id,
                                last.c.scenario_id == ph.scenario_id,
                                last.c.phase_number == ph.phase_number)).subquery())
    count = (sa.select(m.property_id, m.scenario_id, sa.func.count().label("n"))
             .group_by(m.property_id, m.scenario_id).subquery())
    query = (sa.select(pl.property_id, pl.scenario_id, pl.total_cost_gbp, pl.sap_score_before,
                       pl.band_before, pl.final_sap_score, pl.final_band, pl.bill_before_gbp,
                       pl.bill_after_gbp, goal.c.reached_goal, count.c.n)
             .join(t.properties, p.property_id == pl.property_id)
             .outerjoin(goal, sa.and_(goal.c.property_id == pl.property_id,
                                      goal.c.scenario_id == pl.scenario_id))
             .outerjoin(count, sa.and_(count.c.property_id == pl.property_id,
                                       count.c.scenario_id == pl.scenario_id))
             .where(p.portfolio_id == portfolio_id)
             .order_by(pl.scenario_id, pl.property_id))
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in conn.execute(query):
        out.setdefault(r.scenario_id, {})[r.property_id] = {
            "cost_gbp": r.total_cost_gbp, "sap_score_before": r.sap_score_before,
            "band_before": r.band_before, "sap_score_after": r.final_sap_score,
            "band_after": r.final_band, "bill_before_gbp": r.bill_before_gbp,
            "bill_after_gbp": r.bill_after_gbp,
            "reached_goal": None if r.reached_goal is None else bool(r.reached_goal),
            "measures": r.n or 0}
    return out


def scenario_column(scenario_id: str, figure: str) -> str:
    return f"{scenario_id}{SCENARIO_SEPARATOR}{figure}"


def homes(conn: sa.Connection, portfolio_id: str) -> pa.Table:
    """One row per home of the portfolio (by property id): identity and address; the
    baseline's lodged and effective figures; trust, estimate and assumptions; the bill; each
    scenario's plan figures as ``<scenario id>__<figure>`` columns (:data:`PLAN_FIGURES`);
    status; and each stage's failure (``<stage>_failure``: error type and message)."""
    p, b = t.properties.c, t.baseline_performance.c
    columns = [p.property_id, p.portfolio_id, p.uprn, p.landlord_reference,
               *(p[k] for k in _ADDRESS), *(b[k] for k in _BASELINE_EXPORT), b.estimate,
               b.assumptions, *(b[k] for k in _BILL_EXPORT)]
    base = _select_arrow(conn, columns, _homes_query(portfolio_id))
    failures = _failures(conn, portfolio_id)
    ids = base.column("property_id").to_pylist()
    reasons = base.column("rebaseline_reason").to_pylist()
    estimates = base.column("estimate").to_pylist()
    paths = base.column("source_path").to_pylist()
    stages_of = [[f["stage"] for f in failures.get(pid, [])] for pid in ids]
    trust = [trust_level(r, e, "baseline" in s, path)
             for r, e, s, path in zip(reasons, estimates, stages_of, paths, strict=True)]
    position = base.column_names.index("estimate")
    out = base.add_column(position, "trust", pa.array(trust, pa.string()))
    plans = _plan_figures(conn, portfolio_id)
    for sid in sorted(plans):
        mine = plans[sid]
        for figure, kind in PLAN_FIGURES:
            values = [mine[pid][figure] if pid in mine else None for pid in ids]
            out = out.append_column(scenario_column(sid, figure), pa.array(values, kind))
    out = out.append_column("status", pa.array(
        [status(tr, s) for tr, s in zip(trust, stages_of, strict=True)], pa.string()))
    stages = [*STAGES, *sorted({s for ss in stages_of for s in ss} - set(STAGES))]
    for stage in stages:
        values = [next((f"{f['error_type']}: {f['message']}" for f in failures.get(pid, [])
                        if f["stage"] == stage), None) for pid in ids]
        out = out.append_column(f"{stage}_failure", pa.array(values, pa.string()))
    return out


def plan_measures(conn: sa.Connection, portfolio_id: str) -> pa.Table:
    """One row per planned measure of the portfolio's homes, by property, scenario, phase
    and sequence: the home's UPRN and reference, the measure's type, option and target, its
    cost, SAP gain and savings (bill, CO2, primary energy)."""
    p, m = t.properties.c, t.plan_measures.c
    columns = [m.property_id, p.uprn, p.landlord_reference, m.scenario_id, m.phase_number,
               m.sequence, m.measure_type, m.measure_option, m.target, m.cost_gbp, m.sap_gain,
               m.bill_saving_gbp, m.co2_saving_kg, m.primary_energy_saving_kwh]

    def build(query: sa.Select[Any]) -> sa.Select[Any]:
        return (query.join_from(t.plan_measures, t.properties,
                                p.property_id == m.property_id)
                .where(p.portfolio_id == portfolio_id)
                .order_by(m.property_id, m.scenario_id, m.phase_number, m.sequence))
    return _select_arrow(conn, columns, build)


# ---- the portfolio summary (ara run) and the report ----------------------------------------

@dataclass
class PortfolioBaselines:
    """What the run summary and the report count: the portfolio's homes, certificates, the
    latest baseline of each baselined home (ordered by property id) and every failure."""

    properties: int
    certificates: int
    baselines: list[Any]  # rows: property_id, lodged_band, effective_band,
    # effective_sap_score, bill_total_gbp, rebaseline_reason, estimate, assumptions,
    # changed_inputs, source_path
    failures: list[Any]  # rows: property_id, stage, error_type, message (by property, then
    # stage in run order)
    anomalies: int = 0
    """Lodged certificates of the portfolio flagged far from their comparables."""


def _portfolio_ids(portfolio_id: str) -> sa.Select[Any]:
    return sa.select(t.properties.c.property_id).where(
        t.properties.c.portfolio_id == portfolio_id)


def portfolio_baselines(conn: sa.Connection, portfolio_id: str) -> PortfolioBaselines:
    """The counts and rows of :class:`PortfolioBaselines` for one portfolio."""
    ids = _portfolio_ids(portfolio_id)
    n_props = conn.execute(sa.select(sa.func.count()).select_from(t.properties).where(
        t.properties.c.portfolio_id == portfolio_id)).scalar_one()
    n_certs = conn.execute(sa.select(sa.func.count()).select_from(t.epc_certificates)
                           .where(t.epc_certificates.c.property_id.in_(ids))).scalar_one()
    b = t.baseline_performance.c
    base = conn.execute(sa.select(b.property_id, b.lodged_band, b.effective_band,
                                  b.effective_sap_score, b.bill_total_gbp,
                                  b.rebaseline_reason, b.estimate, b.assumptions,
                                  b.changed_inputs, b.source_path)
                        .where(b.property_id.in_(ids))
                        .order_by(b.property_id)).all()
    f = t.stage_failures.c
    failures = conn.execute(sa.select(f.property_id, f.stage, f.error_type, f.message)
                            .where(f.property_id.in_(ids))
                            .order_by(f.property_id, _stage_order(f.stage), f.stage)).all()
    n_anomalies = conn.execute(sa.select(sa.func.count()).select_from(t.certificate_anomalies)
                               .where(t.certificate_anomalies.c.property_id.in_(ids))
                               ).scalar_one()
    return PortfolioBaselines(int(n_props), int(n_certs), list(base), list(failures),
                              int(n_anomalies))


def first_failures(failures: Sequence[Any]) -> list[Any]:
    """Of :attr:`PortfolioBaselines.failures`, each home's failure at the first stage of the
    run that failed it (the root cause: a later stage's failure of the same home, such as
    Modelling's 'no Effective EPC' after the Baseline's, follows from it)."""
    out, last = [], None
    for row in failures:
        if row.property_id != last:
            out.append(row)
            last = row.property_id
    return out


def certificate_anomalies(conn: sa.Connection, portfolio_id: str) -> list[dict[str, Any]]:
    """The portfolio's lodged certificates flagged far from their comparables (the Prediction
    stage), farthest first (the larger of the floor area and SAP spreads), then by property:
    the home's id, UPRN and reference, the certificate, the figures and the reasons."""
    a, p = t.certificate_anomalies.c, t.properties.c
    rows = [dict(r) for r in conn.execute(
        sa.select(a.property_id, p.uprn, p.landlord_reference, a.certificate_number, a.rung,
                  a.cohort_size, a.floor_area_m2, a.floor_area_median_m2,
                  a.floor_area_spreads, a.sap, a.sap_median, a.sap_spreads, a.reasons)
        .join(t.properties, p.property_id == a.property_id)
        .where(p.portfolio_id == portfolio_id)
        .order_by(a.property_id, a.certificate_number)).mappings()]

    def farthest(r: dict[str, Any]) -> float:
        return max(abs(r["floor_area_spreads"] or 0.0), abs(r["sap_spreads"] or 0.0))
    return sorted(rows, key=lambda r: (-farthest(r), r["property_id"]))


@dataclass
class ScenarioResults:
    """The portfolio's plans as the report draws them: scenario names and phases, each
    plan's before / after figures (by scenario, property), each phase's goal flag (by
    scenario, property, phase) and each planned measure's type and cost."""

    names: dict[str, str]
    phases: list[Any]  # scenario_id, phase_number, allowed_measure_types_json, budget_gbp,
    # target_band, goal_kind
    plans: list[Any]
    plan_phases: list[Any]  # property_id, scenario_id, reached_goal
    measures: list[Any]  # scenario_id, measure_type, cost_gbp


def scenario_results(conn: sa.Connection, portfolio_id: str) -> ScenarioResults:
    """The rows of :class:`ScenarioResults` for one portfolio."""
    ids = _portfolio_ids(portfolio_id)
    names = dict(conn.execute(sa.select(t.scenarios.c.scenario_id,
                                        t.scenarios.c.name)).all())
    sp = t.scenario_phases.c
    phases = conn.execute(sa.select(
        sp.scenario_id, sp.phase_number, sp.allowed_measure_types_json, sp.budget_gbp,
        sp.target_band, sp.goal_kind).order_by(sp.scenario_id, sp.phase_number)).all()
    p = t.plans.c
    plans = conn.execute(sa.select(p.property_id, p.scenario_id, p.total_cost_gbp,
                                   p.sap_score_before, p.band_before, p.bill_before_gbp,
                                   p.final_sap_score, p.final_band, p.bill_after_gbp)
                         .where(p.property_id.in_(ids))
                         .order_by(p.scenario_id, p.property_id)).all()
    ph = t.plan_phases.c
    plan_phases = conn.execute(sa.select(ph.property_id, ph.scenario_id, ph.reached_goal)
                               .where(ph.property_id.in_(ids))
                               .order_by(ph.scenario_id, ph.property_id,
                                         ph.phase_number)).all()
    m = t.plan_measures.c
    measures = conn.execute(sa.select(m.scenario_id, m.measure_type, m.cost_gbp)
                            .where(m.property_id.in_(ids))).all()
    return ScenarioResults(names, list(phases), list(plans), list(plan_phases),
                           list(measures))

