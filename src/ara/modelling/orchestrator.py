"""The Modelling stage (decisions 0005, 0012, 0016, 0017): for a batch of property ids, read
the properties, rebuild each Effective EPC certificate as the Baseline stage does, expand it
to SAP inputs, run every scenario over the whole batch, and write one plan per (property,
scenario), with its phases and measures, in one unit of work (a re-run replaces the plans).

A property without a scoreable Effective EPC, or that the calculator or the Fuel Rates
snapshot cannot score, gets a ``modelling`` stage failure and no plan; so does a home whose
Effective EPC is a full SAP (``SAP-Schema``) certificate (:data:`FULL_SAP_NOT_PLANNED`: the
measures' eligibility reads RdSAP survey fields). Anything unexpected raises and nothing of the
batch is written.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from ara.domain.bills import FuelRates
from ara.domain.codes import SourceStatus
from ara.domain.epc import OverlayError
from ara.domain.failures import StageFailure, failure_rows, utc_now
from ara.domain.plans import PlanRejection
from ara.domain.property import Property
from ara.domain.stages import StageCounts
from ara.modelling.plan_columns import plan_result_tables, rejection_table
from ara.modelling.scenarios import (
    PlanResult,
    ScenarioDefinition,
    ScenarioRunner,
    bundled_scenarios,
)
from ara.modelling.scoring import ApplyOptions, Calculator, OptionLike, PackageScorer
from ara.persistence.bulk import rows_with_json_maps, table_from_json_texts
from ara.persistence.mapping import load_properties, scenario_tables
from ara.persistence.uow import UnitOfWork
from ara.rdsap.expansion import expand
from ara.rdsap.expansion.infer_summary import complete_summary_rows, is_estimate
from ara.rdsap.readers import CERTIFICATE_SCHEMA
from ara.rdsap.readers.mapping import is_full_sap_schema
from ara.sap.fallbacks import Mode, check_mode, refusal_text

UowFactory = Callable[..., UnitOfWork]
#: ``candidates(inputs, certs, flags, solar) -> (options, rejections)``.
CandidateSource = Callable[[pa.Table, pa.Table, pa.Table, pa.Table],
                           tuple[Sequence[OptionLike], Sequence[Any]]]
STAGE = "modelling"
FULL_SAP_NOT_PLANNED = ("full-SAP certificate: retrofit planning reads RdSAP survey data, not "
                        "yet available for full SAP certificates")

FLAGS_SCHEMA = pa.schema([("property_id", pa.string()), ("conservation_area", pa.bool_()),
                          ("listed_building", pa.bool_()), ("heritage_building", pa.bool_())])
SOLAR_SCHEMA = pa.schema([("property_id", pa.string()), ("pitch_deg", pa.float64()),
                          ("azimuth_deg", pa.float64()),
                          ("annual_yield_kwh_per_kwp", pa.float64()),
                          ("max_array_kwp", pa.float64()), ("source", pa.string())])


def _relaxed_schema() -> pa.Schema:
    return pa.schema([pa.field(f.name, pa.string()) if pa.types.is_date(f.type) else f
                      for f in CERTIFICATE_SCHEMA])


def certificate_table(rows: list[dict[str, Any]]) -> pa.Table:
    """CERTIFICATE_SCHEMA rows from stored data JSON (dates come back as ISO text), as the
    Baseline stage rebuilds them."""
    schema = _relaxed_schema()
    return pa.Table.from_pylist(list(rows_with_json_maps(rows, schema)),
                                schema=schema).cast(CERTIFICATE_SCHEMA)


def certificate_table_from_json(texts: Sequence[str]) -> pa.Table:
    """``certificate_table`` of the JSON texts (one object per certificate), read by Arrow's
    JSON reader in one pass: the same table, or error, as from the parsed texts."""
    return table_from_json_texts(texts, _relaxed_schema()).cast(CERTIFICATE_SCHEMA)


def flags_table(props: Sequence[Property]) -> pa.Table:
    return pa.Table.from_pylist([
        {"property_id": p.property_id,
         "conservation_area": p.planning_flags.conservation_area,
         "listed_building": p.planning_flags.listed_building,
         "heritage_building": p.planning_flags.heritage_building} for p in props],
        schema=FLAGS_SCHEMA)


def solar_table(props: Sequence[Property]) -> pa.Table:
    return pa.Table.from_pylist([
        {"property_id": p.property_id, "pitch_deg": s.pitch_deg, "azimuth_deg": s.azimuth_deg,
         "annual_yield_kwh_per_kwp": s.annual_yield_kwh_per_kwp,
         "max_array_kwp": s.max_array_kwp, "source": s.source}
        for p in props if (s := p.solar_potential) is not None], schema=SOLAR_SCHEMA)


def default_candidates(catalogue: Any = None) -> CandidateSource:
    """``ara.modelling.eligibility.candidate_options`` (imported when first needed)."""
    def source(inputs: pa.Table, certs: pa.Table, flags: pa.Table,
               solar: pa.Table) -> tuple[Sequence[OptionLike], Sequence[Any]]:
        module = importlib.import_module("ara.modelling.eligibility")
        found: tuple[Sequence[OptionLike], Sequence[Any]] = module.candidate_options(
            inputs, certs, flags, allowed=None, solar=solar, catalogue=catalogue)
        return found
    return source


def phase_rejections(scenario: ScenarioDefinition, calls: Sequence[Sequence[Any]]
                     ) -> dict[str, tuple[PlanRejection, ...]]:
    """Per property, why the measure types each phase allows were not offered: ``calls[k]``
    are the rejections (``ara.modelling.eligibility.Rejection``) of the candidates of phase
    k + 1 (the runner asks for candidates once per phase, in order). Two reasons for one
    type in one phase are joined."""
    found: dict[tuple[str, int, str], list[str]] = {}
    for number, (phase, rejections) in enumerate(zip(scenario.phases, calls, strict=True), start=1):
        for r in rejections:
            if phase.allows(r.measure_type):
                reasons = found.setdefault((r.property_id, number, r.measure_type), [])
                if r.reason not in reasons:
                    reasons.append(r.reason)
    out: dict[str, list[PlanRejection]] = {}
    for (pid, number, measure), reasons in sorted(found.items()):
        out.setdefault(pid, []).append(PlanRejection(number, measure, "; ".join(reasons)))
    return {pid: tuple(rs) for pid, rs in out.items()}


@dataclass(frozen=True)
class PreparedBatch:
    """What a batch is planned from (:meth:`ModellingOrchestrator.prepare`): the SAP inputs,
    certificates, planning flags and solar rows of the homes that can be planned (None when
    there are none), row for row, and why the others cannot."""

    inputs: pa.Table | None
    certs: pa.Table | None
    flags: pa.Table | None
    solar: pa.Table | None
    failures: dict[str, str]


@dataclass
class ModellingReport:
    properties: int = 0
    plans_written: int = 0
    packages_scored: int = 0
    calculator_calls: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    plans: list[PlanResult] = field(default_factory=list)

    def counts(self) -> StageCounts:
        return StageCounts(plans_written=self.plans_written)


class ModellingOrchestrator:
    """``ModellingOrchestrator(uow_factory, fuel_rates)``; ``run(property_ids)`` plans one
    batch under every scenario (the bundled ones unless given)."""

    name = STAGE

    def __init__(self, uow_factory: UowFactory, fuel_rates: FuelRates, catalogue: Any = None,
                 *, scenarios: Sequence[ScenarioDefinition] | None = None,
                 candidates: CandidateSource | None = None, apply: ApplyOptions | None = None,
                 calculator: Calculator | None = None,
                 market_values: Mapping[str, float] | None = None,
                 exhaustive_limit: int = 10, mode: Mode = "estimate",
                 pcdb: Any = None) -> None:
        self._uow = uow_factory
        self._mode = check_mode(mode)  # as the Baseline's: plans start from its state
        self._pcdb = pcdb
        self._rates = fuel_rates
        self._scenarios = list(scenarios) if scenarios is not None else bundled_scenarios()
        self._candidates = candidates or default_candidates(catalogue)
        self._apply = apply
        self._calculator = calculator
        self._values = market_values
        self._limit = exhaustive_limit

    def prepare(self, property_ids: Sequence[str]) -> PreparedBatch:
        """The batch's planning inputs: each home's Effective EPC rebuilt as the Baseline
        stage does, read as one Arrow table and expanded to SAP inputs in one call, with the
        homes that cannot be planned as failures. No database writes."""
        failures: dict[str, str] = {}
        with self._uow(read_only=True) as uow:
            props = load_properties(uow, list(property_ids), with_results=False)
        usable: list[Property] = []
        data_texts: list[str] = []
        for prop in props:
            try:
                decision = prop.source_decision()
            except OverlayError:  # overrides of a building part: a full SAP summary has none
                epc = prop.lodged_epc
                if epc is None or not is_full_sap_schema(epc.schema_type):
                    raise
                failures[prop.property_id] = FULL_SAP_NOT_PLANNED
                continue
            if decision.status is not SourceStatus.RESOLVED or decision.effective_epc is None:
                failures[prop.property_id] = f"no Effective EPC: {decision.status.value}"
                continue
            usable.append(prop)
            data_texts.append(decision.effective_epc.data.json_text())
        if not usable:
            return PreparedBatch(None, None, None, None, failures)
        ids = [p.property_id for p in usable]
        certs = certificate_table_from_json(data_texts)
        full_sap = [is_full_sap_schema(s) for s in certs.column("schema_type").to_pylist()]
        if any(full_sap):  # not planned (yet); the other homes of the batch are
            for pid, full in zip(ids, full_sap, strict=True):
                if full:
                    failures[pid] = FULL_SAP_NOT_PLANNED
            rdsap = [not full for full in full_sap]
            usable = [p for p, k in zip(usable, rdsap, strict=True) if k]
            ids = [p.property_id for p in usable]
            certs = certs.filter(pa.array(rdsap))
        certs = complete_summary_rows(certs)
        expansion = expand(certs, ids, mode=self._mode, pcdb=self._pcdb)
        refused = expansion.refused
        if self._mode == "strict":  # open-data CSV rows are inferred: estimate mode only
            refused = refused | np.asarray(is_estimate(certs), dtype=bool)
        for row in np.flatnonzero(refused):  # the Baseline refused them too
            failures[ids[int(row)]] = "refused: " + (
                refusal_text(expansion.reasons(int(row)), self._mode)
                or "an open-data CSV summary row rates only in estimate mode")
        keep = ~refused
        usable = [p for p, k in zip(usable, keep, strict=True) if k]
        return PreparedBatch(expansion.inputs.filter(pa.array(keep)),
                             certs.filter(pa.array(keep)), flags_table(usable),
                             solar_table(usable), failures)

    def run(self, property_ids: Sequence[str]) -> ModellingReport:
        report = ModellingReport(properties=len(property_ids))
        now = utc_now()
        batch = self.prepare(property_ids)
        report.failures.update(batch.failures)
        plans: list[PlanResult] = []
        results: list[tuple[ScenarioDefinition, list[PlanResult]]] = []
        rejections: list[pa.Table] = []
        scorer = PackageScorer(self._apply, self._calculator)
        inputs, certs, flags, solar = batch.inputs, batch.certs, batch.flags, batch.solar
        if inputs is not None and inputs.num_rows:
            assert certs is not None and flags is not None and solar is not None
            runner = ScenarioRunner(scorer, self._rates, exhaustive_limit=self._limit,
                                    market_values=self._values)
            for scenario in self._scenarios:
                calls: list[Sequence[Any]] = []

                def candidates(state: pa.Table, _calls: list[Sequence[Any]] = calls,
                               _certs: pa.Table = certs, _flags: pa.Table = flags,
                               _solar: pa.Table = solar
                               ) -> tuple[Sequence[OptionLike], Sequence[Any]]:
                    options, rejected = self._candidates(state, _certs, _flags, _solar)
                    _calls.append(rejected)
                    return options, rejected

                outcome = runner.run(scenario, inputs, candidates)
                plans += outcome.plans
                results.append((scenario, outcome.plans))
                rejections.append(rejection_table(scenario, calls,
                                                  {p.property_id for p in outcome.plans}))
                for pid, reason in outcome.failures.items():
                    report.failures.setdefault(pid, f"{scenario.scenario_id}: {reason}")
        tables = (plan_result_tables(results, rejections, self._rates.snapshot, now)
                  if plans else None)
        with self._uow() as uow:
            stored = scenario_tables(s.to_domain() for s in self._scenarios)
            uow.scenarios.write(stored.scenarios, stored.phases)
            # a re-run replaces: this stage's failures of the batch, and the plans of a home
            # that fails now
            uow.stage_failures.clear(list(property_ids), STAGE)
            if report.failures:
                uow.plans.delete(sorted(report.failures))
            if tables is not None:
                uow.plans.write(tables)
            if report.failures:
                uow.stage_failures.upsert(failure_rows(
                    (StageFailure(pid, STAGE, "modelling", reason[:4000])
                     for pid, reason in sorted(report.failures.items())), now))
        report.plans = plans
        report.plans_written = len(plans)
        report.packages_scored = scorer.packages_scored
        report.calculator_calls = scorer.calculator_calls
        return report


__all__ = ["FLAGS_SCHEMA", "FULL_SAP_NOT_PLANNED", "SOLAR_SCHEMA", "STAGE", "CandidateSource",
           "ModellingOrchestrator", "ModellingReport", "PreparedBatch", "certificate_table",
           "certificate_table_from_json", "default_candidates", "flags_table",
           "phase_rejections", "solar_table"]
