"""Repositories: Arrow tables in and out, one query per table per read, bulk upserts.

Every repository works inside the connection of one unit of work; none commits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa
import sqlalchemy as sa

from ara.persistence import tables as t
from ara.persistence.bulk import delete_keys, key_filter, read_arrow, upsert_arrow
from ara.persistence.tables import arrow_schema, natural_key


def _columns(table: sa.Table, names: Sequence[str] | None) -> list[sa.Column[object]]:
    if names is None:
        return list(table.columns)
    unknown = [n for n in names if n not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column(s) {unknown}")
    return [table.c[n] for n in names]


class TableRepository:
    """Reads and writes one table, keyed by ``key_column`` for reads."""

    table: sa.Table
    key_column: str = "property_id"

    def __init__(self, connection: sa.Connection) -> None:
        self._conn = connection

    @property
    def schema(self) -> pa.Schema:
        return arrow_schema(self.table)

    def upsert(self, data: pa.Table) -> int:
        """Insert or replace rows on the natural key; returns the rows written."""
        return upsert_arrow(self._conn, self.table, data)

    def read(self, keys: Sequence[object], columns: Sequence[str] | None = None) -> pa.Table:
        """Every row whose ``key_column`` is in ``keys``, in natural-key order; one query."""
        cols = _columns(self.table, columns)
        statement = (sa.select(*cols)
                     .where(key_filter(self._conn, [self.table.c[self.key_column]], [keys]))
                     .order_by(*(self.table.c[k] for k in natural_key(self.table))))
        schema = pa.schema([arrow_schema(self.table).field(c.name) for c in cols])
        return read_arrow(self._conn, statement, schema)

    def delete(self, keys: Sequence[object]) -> int:
        """Delete every row whose ``key_column`` is in ``keys``; one statement."""
        return delete_keys(self._conn, self.table, [self.key_column], [keys])

    def replace(self, data: pa.Table) -> int:
        """Make ``data`` the whole content for its keys: the rows of those keys that
        ``data`` does not hold are deleted, the rest upserted."""
        self.delete(sorted(set(data.column(self.key_column).to_pylist())))
        return self.upsert(data)

    def count(self) -> int:
        return int(self._conn.execute(
            sa.select(sa.func.count()).select_from(self.table)).scalar_one())


class PortfolioRepository(TableRepository):
    table = t.portfolios
    key_column = "portfolio_id"


class PropertyRepository(TableRepository):
    table = t.properties

    def ids_in_portfolio(self, portfolio_id: str) -> list[str]:
        statement = (sa.select(self.table.c.property_id)
                     .where(self.table.c.portfolio_id == portfolio_id)
                     .order_by(self.table.c.property_id))
        return list(self._conn.execute(statement).scalars())

    def read_portfolio(self, portfolio_id: str,
                       columns: Sequence[str] | None = None) -> pa.Table:
        cols = _columns(self.table, columns)
        statement = (sa.select(*cols).where(self.table.c.portfolio_id == portfolio_id)
                     .order_by(self.table.c.property_id))
        schema = pa.schema([self.schema.field(c.name) for c in cols])
        return read_arrow(self._conn, statement, schema)


class CertificateRepository(TableRepository):
    table = t.epc_certificates

    def read_portfolio(self, portfolio_id: str,
                       columns: Sequence[str] | None = None) -> pa.Table:
        """All certificates of a portfolio's properties; one query."""
        cols = _columns(self.table, columns)
        statement = (sa.select(*cols)
                     .join(t.properties, t.properties.c.property_id == self.table.c.property_id)
                     .where(t.properties.c.portfolio_id == portfolio_id)
                     .order_by(self.table.c.property_id, self.table.c.certificate_number))
        schema = pa.schema([self.schema.field(c.name) for c in cols])
        return read_arrow(self._conn, statement, schema)


def stamp_changes(conn: sa.Connection, stamps: sa.Table, property_ids: Sequence[str],
                  changed_at: datetime) -> None:
    """Record ``changed_at`` for ``property_ids`` in a change-stamp table
    (``landlord_override_changes``, ``survey_changes``): the next Baseline records why it
    re-baselines those homes. Inside the caller's unit."""
    if property_ids:
        upsert_arrow(conn, stamps, pa.table({
            "property_id": pa.array(list(property_ids), pa.string()),
            "changed_at": pa.array([changed_at] * len(property_ids), pa.timestamp("us"))}))


class SiteNotesRepository(TableRepository):
    table = t.site_notes

    def store(self, data: pa.Table, changed: Sequence[str], changed_at: datetime) -> None:
        """Upsert surveys (``data``) and stamp ``changed`` in ``survey_changes``, in the
        caller's unit: the stamp commits with the surveys or not at all."""
        self.upsert(data)
        stamp_changes(self._conn, t.survey_changes, changed, changed_at)


class LandlordOverridesRepository(TableRepository):
    table = t.landlord_overrides

    def replace_homes(self, property_ids: Sequence[str], data: pa.Table,
                      changed_at: datetime) -> list[str]:
        """Make ``data`` the whole set of statements of ``property_ids`` (their other rows
        deleted) and record ``changed_at`` in ``landlord_override_changes`` for the homes whose
        overrides changed: an override added, removed, or given another code (a restatement in
        other words or from another file is no change). Returns those homes, sorted. Inside
        the caller's unit: the stamp commits with the statements or not at all."""
        ids = sorted(set(property_ids))
        stray = set(data.column("property_id").to_pylist()) - set(ids)
        if stray:
            raise ValueError(f"overrides of homes not being replaced: {sorted(stray)[:3]}")
        before = _codes(self.read(ids, ["property_id", "override", "value"]))
        after = _codes(data)
        changed = [pid for pid in ids if before.get(pid, set()) != after.get(pid, set())]
        self.delete(ids)
        self.upsert(data)
        stamp_changes(self._conn, t.landlord_override_changes, changed, changed_at)
        return changed


def _codes(rows: pa.Table) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for pid, name, value in zip(rows.column("property_id").to_pylist(),
                                rows.column("override").to_pylist(),
                                rows.column("value").to_pylist(), strict=True):
        out.setdefault(pid, set()).add((name, value))
    return out


class OverrideChangesRepository(TableRepository):
    """When each home's Landlord Overrides last changed (written by
    :meth:`LandlordOverridesRepository.replace_homes`)."""

    table = t.landlord_override_changes


class PredictedEpcRepository(TableRepository):
    table = t.predicted_epcs


class CertificateAnomalyRepository(TableRepository):
    """Lodged certificates flagged far from their comparables (the Prediction stage)."""

    table = t.certificate_anomalies


class SpatialRepository(TableRepository):
    """Coordinates and planning flags, cached per UPRN (decision D-0020)."""

    table = t.property_spatial
    key_column = "uprn"

    def read_for_properties(self, property_ids: Sequence[str]) -> pa.Table:
        """The spatial rows of the given properties' UPRNs, with a ``property_id`` column;
        properties without a UPRN or without a cached row are absent. One query."""
        props = t.properties
        statement = (sa.select(props.c.property_id, *self.table.columns)
                     .join(props, props.c.uprn == self.table.c.uprn)
                     .where(key_filter(self._conn, [props.c.property_id], [property_ids]))
                     .order_by(props.c.property_id))
        schema = pa.schema([pa.field("property_id", pa.string(), nullable=False),
                            *self.schema])
        return read_arrow(self._conn, statement, schema)


class SolarPotentialRepository(TableRepository):
    table = t.solar_potential


class BaselineRepository(TableRepository):
    table = t.baseline_performance

    def overrides_changed(self, property_ids: Sequence[str]) -> set[str]:
        """The homes of ``property_ids`` whose Landlord Overrides changed
        (``landlord_override_changes``) at or after their stored baseline was calculated, or
        that have no stored baseline since they changed. One query."""
        return self._changed_since_baseline(t.landlord_override_changes, property_ids)

    def surveys_changed(self, property_ids: Sequence[str]) -> set[str]:
        """The homes of ``property_ids`` whose Site Notes survey was added or changed
        (``survey_changes``, ``ara surveys import``) at or after their stored baseline was
        calculated, or that have no stored baseline since. One query."""
        return self._changed_since_baseline(t.survey_changes, property_ids)

    def _changed_since_baseline(self, stamps: sa.Table, property_ids: Sequence[str]
                                ) -> set[str]:
        change, base = stamps.c, self.table.c
        statement = (sa.select(change.property_id)
                     .select_from(stamps)
                     .outerjoin(self.table, base.property_id == change.property_id)
                     .where(key_filter(self._conn, [change.property_id],
                                       [list(property_ids)]))
                     .where(sa.or_(base.calculated_at.is_(None),
                                   change.changed_at >= base.calculated_at)))
        return set(self._conn.execute(statement).scalars())


class StageFailureRepository(TableRepository):
    table = t.stage_failures

    def clear(self, property_ids: Sequence[str], stage: str) -> int:
        """Delete ``stage``'s failures of ``property_ids`` (a stage re-run replaces them)."""
        ids = list(property_ids)
        return delete_keys(self._conn, self.table, ["property_id", "stage"],
                           [ids, [stage] * len(ids)])


@dataclass(frozen=True)
class ScenarioTables:
    scenarios: pa.Table
    phases: pa.Table


class ScenarioRepository:
    """Scenarios and their phases; writing a scenario replaces its phases."""

    def __init__(self, connection: sa.Connection) -> None:
        self._conn = connection

    def write(self, scenarios: pa.Table, phases: pa.Table) -> int:
        ids = sorted(set(scenarios.column("scenario_id").to_pylist()))
        stray = set(phases.column("scenario_id").to_pylist()) - set(ids)
        if stray:
            raise ValueError(f"phases of scenarios not being written: {sorted(stray)}")
        written = upsert_arrow(self._conn, t.scenarios, scenarios)
        delete_keys(self._conn, t.scenario_phases, ["scenario_id"], [ids])
        upsert_arrow(self._conn, t.scenario_phases, phases)
        return written

    def read(self, scenario_ids: Sequence[str]) -> ScenarioTables:
        out = []
        for table in (t.scenarios, t.scenario_phases):
            statement = (sa.select(*table.columns)
                         .where(key_filter(self._conn, [table.c.scenario_id], [scenario_ids]))
                         .order_by(*(table.c[k] for k in natural_key(table))))
            out.append(read_arrow(self._conn, statement, arrow_schema(table)))
        return ScenarioTables(*out)


@dataclass(frozen=True)
class PlanTables:
    plans: pa.Table
    phases: pa.Table
    measures: pa.Table
    rejections: pa.Table = field(
        default_factory=lambda: arrow_schema(t.plan_rejections).empty_table())
    """``plan_rejections`` rows (none by default: the plans' old ones are removed)."""

    def children(self) -> list[tuple[sa.Table, pa.Table]]:
        """The child tables, parents first."""
        return [(t.plan_phases, self.phases), (t.plan_measures, self.measures),
                (t.plan_rejections, self.rejections)]


#: Child tables of a plan, children of children first (the order deletes go in).
_PLAN_CHILDREN = (t.plan_rejections, t.plan_measures, t.plan_phases)


class PlanRepository:
    """One plan per (property, scenario) with its phases, measures and rejections as child
    rows; writing a plan replaces its children (decision D-0017)."""

    def __init__(self, connection: sa.Connection) -> None:
        self._conn = connection

    def write(self, plans: PlanTables) -> int:
        """Upsert the plans (locking their rows, in key order, before anything else), then
        replace all their phases, measures and rejections."""
        pairs = plans.plans.select(["property_id", "scenario_id"])
        keys = [pairs.column(0).to_pylist(), pairs.column(1).to_pylist()]
        planned = set(zip(*keys, strict=True))
        for _, child in plans.children():
            stray = set(zip(child.column("property_id").to_pylist(),
                            child.column("scenario_id").to_pylist(), strict=True)) - planned
            if stray:
                raise ValueError(f"child rows of plans not being written: {sorted(stray)[:3]}")
        written = upsert_arrow(self._conn, t.plans, plans.plans)
        for table in _PLAN_CHILDREN:
            delete_keys(self._conn, table, ["property_id", "scenario_id"], keys)
        for table, rows in plans.children():
            upsert_arrow(self._conn, table, rows)
        return written

    def read(self, property_ids: Sequence[str], scenario_id: str | None = None) -> PlanTables:
        out = []
        for table in (t.plans, t.plan_phases, t.plan_measures, t.plan_rejections):
            statement = (sa.select(*table.columns)
                         .where(key_filter(self._conn, [table.c.property_id], [property_ids]))
                         .order_by(*(table.c[k] for k in natural_key(table))))
            if scenario_id is not None:
                statement = statement.where(table.c.scenario_id == scenario_id)
            out.append(read_arrow(self._conn, statement, arrow_schema(table)))
        return PlanTables(*out)

    def fingerprints(self, property_ids: Sequence[str]) -> dict[tuple[str, str], str | None]:
        """(property id, scenario id) -> the stored plan's ``inputs_fingerprint`` (None: none
        recorded), for every plan of ``property_ids``; one query."""
        c = t.plans.c
        statement = (sa.select(c.property_id, c.scenario_id, c.inputs_fingerprint)
                     .where(key_filter(self._conn, [c.property_id], [list(property_ids)])))
        return {(pid, sid): found for pid, sid, found in self._conn.execute(statement)}

    def delete(self, property_ids: Sequence[str], *,
               keep: Collection[tuple[str, str]] = ()) -> int:
        """Delete every plan of ``property_ids`` (with its children), except the
        (property id, scenario id) plans in ``keep``."""
        if keep:
            kept = set(keep)
            pairs = [pair for pair in sorted(self.fingerprints(property_ids))
                     if pair not in kept]
            keys = [[p for p, _ in pairs], [s for _, s in pairs]]
            for table in _PLAN_CHILDREN:
                delete_keys(self._conn, table, ["property_id", "scenario_id"], keys)
            return delete_keys(self._conn, t.plans, ["property_id", "scenario_id"], keys)
        for table in _PLAN_CHILDREN:
            delete_keys(self._conn, table, ["property_id"], [property_ids])
        return delete_keys(self._conn, t.plans, ["property_id"], [property_ids])
