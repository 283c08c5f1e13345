"""The Modelling stage (decisions D-0005, D-0012, D-0016, D-0017): for a batch of property ids,
read the properties, rebuild each Effective EPC certificate as the Baseline stage does, expand it
to SAP inputs, run every scenario over the whole batch, and write one plan per (property,
scenario), with its phases and measures, in one unit of work (a re-run replaces the plans).

A re-run plans only what changed (issue 20): every plan stores the fingerprint of its inputs
(:func:`plan_fingerprint`: the home's Effective EPC, stored baseline, planning flags, solar data
and market value; the scenario; the measure catalogue and data, the Fuel Rates snapshot, the
mode, the PCDB and Ara's planning version), and a (home, scenario) whose fingerprint is the one
stored with its plan keeps that plan (``plans_unchanged``) instead of being planned again to the
same rows. ``replan_all`` plans everything, as before.

A property without a scoreable Effective EPC, or that the calculator or the Fuel Rates
snapshot cannot score, gets a ``modelling`` stage failure and no plan; so does a home whose
Effective EPC is a full SAP (``SAP-Schema``) certificate (:data:`FULL_SAP_NOT_PLANNED`: the
measures' eligibility reads RdSAP survey fields). Anything unexpected raises and nothing of the
batch is written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara import __version__
from ara.domain.bills import FuelRates
from ara.domain.codes import SourceStatus
from ara.domain.epc import OverlayError
from ara.domain.failures import StageFailure, failure_rows, utc_now
from ara.domain.plans import PlanRejection
from ara.domain.property import Property
from ara.domain.stages import StageCounts
from ara.modelling.catalogue import load_catalogue
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
from ara.persistence.repositories import PlanTables
from ara.persistence.tables import baseline_performance
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

#: The code a plan depends on, beside its data: a change to any file of these packages (the
#: expansion, the calculator and its kernels, the domain, modelling) or to a spec table gives
#: every stored plan another fingerprint, so the next run re-plans every home; no one has to
#: remember to bump a version.
PLANNING_PACKAGES = ("ara.domain", "ara.modelling", "ara.rdsap", "ara.sap", "ara_kernels")


@lru_cache(maxsize=1)
def planning_code_digest() -> str:
    """The digest of every source file of :data:`PLANNING_PACKAGES` and every spec table
    (read once per process)."""
    from ara.sap.tables import spec_dir

    paths: list[Path] = []
    for name in PLANNING_PACKAGES:
        root = Path(importlib.import_module(name).__file__ or "").parent
        paths += sorted(root.rglob("*.py"))
    paths += sorted(spec_dir().glob("*.csv"))
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
#: The stored baseline columns a plan's fingerprint reads: all but when it was calculated and
#: what changed since the previous one (``changed_inputs`` differs from run to run).
FINGERPRINT_BASELINE_COLUMNS = tuple(c.name for c in baseline_performance.columns
                                     if c.name not in ("calculated_at", "changed_inputs"))

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


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _pcdb_identity(pcdb: Any) -> list[Any] | None:
    """What identifies the PCDB in use (``["none"]`` without one); None when it cannot be
    told (an object without the file's SHA-256)."""
    if pcdb is None:
        return ["none"]
    sha256 = getattr(pcdb, "sha256", None)
    if not sha256:
        return None
    return [sha256, getattr(pcdb, "file_revision", None), str(getattr(pcdb, "file_date", None)),
            sorted(getattr(pcdb, "tables", {}))]


def _measures_data() -> str:
    """The digest of Ara's measure data files (``ara/data/measures/*.csv``: the catalogue, the
    price index, the modelling assumptions)."""
    folder = resources.files("ara").joinpath("data", "measures")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".csv")),
                   key=lambda f: f.name)
    return _digest(*(f"{f.name}:{hashlib.sha256(f.read_bytes()).hexdigest()}" for f in files))


def run_fingerprint(fuel_rates: FuelRates, catalogue: Any, mode: str, pcdb: Any,
                    exhaustive_limit: int) -> str | None:
    """The digest of what every plan of a run depends on beside its home and scenario: Ara's
    version and its planning code (:func:`planning_code_digest`), the measure catalogue in
    use (with its costs) and the measure data files, the Fuel Rates snapshot (its id and
    every rate), the mode, the PCDB and the optimiser's exhaustive limit. None when the PCDB
    or the catalogue cannot be told apart from another (then nothing is skipped)."""
    cat = catalogue if catalogue is not None else load_catalogue()
    entries = getattr(cat, "entries", None)
    pcdb_id = _pcdb_identity(pcdb)
    if not isinstance(entries, Mapping) or pcdb_id is None:
        return None
    return _digest(__version__, planning_code_digest(), repr(sorted(entries.items())),
                   _measures_data(), fuel_rates.snapshot, repr(fuel_rates), mode,
                   _canonical(pcdb_id), str(exhaustive_limit))


def scenario_fingerprint(scenario: ScenarioDefinition) -> str:
    """The digest of a scenario's whole definition (id, name, phases, budgets, goals)."""
    return _digest(repr(scenario))


def home_fingerprint(prop: Property, source_path: str, epc_text: str,
                     baseline: Mapping[str, Any] | None,
                     market_value: float | None = None) -> str:
    """The digest of what a home's plans are made from: its Effective EPC as the stage
    assembles it (source path and data, Landlord Overrides laid over), its stored baseline
    (:data:`FINGERPRINT_BASELINE_COLUMNS`; none when it has none), its planning flags, solar
    data and market value."""
    flags = prop.planning_flags
    solar = prop.solar_potential
    home = {"source_path": source_path,
            "flags": [flags.conservation_area, flags.listed_building, flags.heritage_building],
            "solar": None if solar is None else dataclasses.astuple(solar),
            "baseline": None if baseline is None
            else [baseline.get(c) for c in FINGERPRINT_BASELINE_COLUMNS],
            "market_value": market_value}
    return _digest(_canonical(home), _plan_relevant(epc_text))


#: Fields of a certificate row that say where it was read from, not what the home is: a plan
#: does not depend on them (the same certificate read from another archive or store keeps its
#: plans).
PROVENANCE_FIELDS = ("source", "raw_document")


def _plan_relevant(epc_text: str) -> str:
    """The Effective EPC's data JSON without its :data:`PROVENANCE_FIELDS`, keys sorted."""
    data = json.loads(epc_text)
    if isinstance(data, dict):
        for name in PROVENANCE_FIELDS:
            data.pop(name, None)
    return _canonical(data)


def plan_fingerprint(run: str, scenario: str, home: str) -> str:
    """A (home, scenario) plan's fingerprint: the run's, the scenario's and the home's
    digests together."""
    return _digest(run, scenario, home)


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


@dataclass(frozen=True)
class _LoadedBatch:
    """A batch as read, before expansion: the homes with a usable Effective EPC (with its data
    text, and each home's fingerprint digest when asked), the stored plans' fingerprints, and
    why the other homes cannot be planned."""

    homes: list[Property]
    texts: list[str]
    failures: dict[str, str]
    digests: dict[str, str] = field(default_factory=dict)
    stored: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def only(self, keep: set[str]) -> _LoadedBatch:
        pairs = [(p, x) for p, x in zip(self.homes, self.texts, strict=True)
                 if p.property_id in keep]
        return dataclasses.replace(self, homes=[p for p, _ in pairs],
                                   texts=[x for _, x in pairs])


@dataclass
class ModellingReport:
    properties: int = 0
    plans_written: int = 0
    plans_unchanged: int = 0
    """(home, scenario) plans kept: made from the same inputs (fingerprint) as now."""
    packages_scored: int = 0
    calculator_calls: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    plans: list[PlanResult] = field(default_factory=list)
    """The plans made by this run (not the ones kept)."""

    def counts(self) -> StageCounts:
        return StageCounts(plans_written=self.plans_written,
                           plans_unchanged=self.plans_unchanged)


class ModellingOrchestrator:
    """``ModellingOrchestrator(uow_factory, fuel_rates)``; ``run(property_ids)`` plans one
    batch under every scenario (the bundled ones unless given), skipping the (home, scenario)
    pairs whose stored plan was made from the same inputs unless ``replan_all``. Injected
    ``candidates``, ``apply`` or ``calculator`` cannot be fingerprinted: then every home is
    planned (and its plans store no fingerprint)."""

    name = STAGE

    def __init__(self, uow_factory: UowFactory, fuel_rates: FuelRates, catalogue: Any = None,
                 *, scenarios: Sequence[ScenarioDefinition] | None = None,
                 candidates: CandidateSource | None = None, apply: ApplyOptions | None = None,
                 calculator: Calculator | None = None,
                 market_values: Mapping[str, float] | None = None,
                 exhaustive_limit: int = 10, mode: Mode = "estimate",
                 pcdb: Any = None, replan_all: bool = False) -> None:
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
        self._replan_all = replan_all
        injected = candidates is not None or apply is not None or calculator is not None
        self._run_digest = None if injected else run_fingerprint(
            fuel_rates, catalogue, self._mode, pcdb, exhaustive_limit)
        self._scenario_digests = {s.scenario_id: scenario_fingerprint(s)
                                  for s in self._scenarios}

    def prepare(self, property_ids: Sequence[str]) -> PreparedBatch:
        """The batch's planning inputs: each home's Effective EPC rebuilt as the Baseline
        stage does, read as one Arrow table and expanded to SAP inputs in one call, with the
        homes that cannot be planned as failures. No database writes."""
        return self._expand(self._load(property_ids, fingerprints=False))

    def _load(self, property_ids: Sequence[str], *, fingerprints: bool) -> _LoadedBatch:
        """The homes of the batch and their Effective EPCs' data (and, with
        ``fingerprints``, each home's digest and the stored plans' fingerprints)."""
        failures: dict[str, str] = {}
        ids = list(property_ids)
        with self._uow(read_only=True) as uow:
            props = load_properties(uow, ids, with_results=False)
            baselines: dict[str, dict[str, Any]] = {}
            stored: dict[tuple[str, str], str | None] = {}
            if fingerprints:
                baselines = {r["property_id"]: r for r in uow.baselines.read(
                    ids, FINGERPRINT_BASELINE_COLUMNS).to_pylist()}
                stored = uow.plans.fingerprints(ids)
        usable: list[Property] = []
        data_texts: list[str] = []
        digests: dict[str, str] = {}
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
            text = decision.effective_epc.data.json_text()
            data_texts.append(text)
            if fingerprints:
                pid = prop.property_id
                path = decision.source_path.value if decision.source_path is not None else ""
                digests[pid] = home_fingerprint(
                    prop, path, text, baselines.get(pid),
                    None if self._values is None else self._values.get(pid))
        return _LoadedBatch(usable, data_texts, failures, digests, stored)

    def _expand(self, loaded: _LoadedBatch) -> PreparedBatch:
        failures = dict(loaded.failures)
        usable = list(loaded.homes)
        if not usable:
            return PreparedBatch(None, None, None, None, failures)
        ids = [p.property_id for p in usable]
        certs = certificate_table_from_json(loaded.texts)
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

    def _fingerprints(self, loaded: _LoadedBatch) -> dict[tuple[str, str], str | None]:
        """Each (home, scenario) pair's plan fingerprint (None: not fingerprinted)."""
        run = self._run_digest
        return {(p.property_id, sid): None if run is None else plan_fingerprint(
                    run, digest, loaded.digests[p.property_id])
                for p in loaded.homes for sid, digest in self._scenario_digests.items()}

    def run(self, property_ids: Sequence[str]) -> ModellingReport:
        report = ModellingReport(properties=len(property_ids))
        now = utc_now()
        loaded = self._load(property_ids, fingerprints=True)
        fingerprints = self._fingerprints(loaded)
        # a (home, scenario) whose stored plan was made from the same inputs keeps it
        kept = {pair for pair, found in fingerprints.items()
                if not self._replan_all and found is not None
                and loaded.stored.get(pair) == found}
        usable = [p.property_id for p in loaded.homes]
        todo = ({pid for pid, _ in fingerprints.keys() - kept} if self._scenarios
                else set(usable))
        # Planned alone, a home's bills can differ from a full re-plan's in the last bit
        # (NumPy sums a batch of one row in another order): so a part of the batch is planned
        # with one home that keeps its plans beside it, whose results are not used.
        companion = next((pid for pid in usable if pid not in todo), None) if todo else None
        batch = self._expand(loaded.only(todo | {companion} if companion else todo))
        report.failures.update((pid, reason) for pid, reason in batch.failures.items()
                               if pid != companion)
        # a home that cannot be planned now keeps nothing (as a full re-plan would)
        kept = {pair for pair in kept if pair[0] not in report.failures}
        plans: list[PlanResult] = []
        results: list[tuple[ScenarioDefinition, list[PlanResult]]] = []
        rejections: list[pa.Table] = []
        scorer = PackageScorer(self._apply, self._calculator)
        if batch.inputs is not None and batch.inputs.num_rows:
            runner = ScenarioRunner(scorer, self._rates, exhaustive_limit=self._limit,
                                    market_values=self._values)
            for scenario in self._scenarios:
                wanted = {pid for pid in todo if (pid, scenario.scenario_id) not in kept}
                part = _homes_of(batch, wanted)
                if part is None:
                    continue
                inputs, certs, flags, solar = part
                calls: list[Sequence[Any]] = []

                def candidates(state: pa.Table, _calls: list[Sequence[Any]] = calls,
                               _certs: pa.Table = certs, _flags: pa.Table = flags,
                               _solar: pa.Table = solar
                               ) -> tuple[Sequence[OptionLike], Sequence[Any]]:
                    options, rejected = self._candidates(state, _certs, _flags, _solar)
                    _calls.append(rejected)
                    return options, rejected

                outcome = runner.run(scenario, inputs, candidates)
                made = [p for p in outcome.plans if p.property_id in wanted]
                plans += made
                results.append((scenario, made))
                rejections.append(rejection_table(scenario, calls,
                                                  {p.property_id for p in made}))
                for pid, reason in outcome.failures.items():
                    if pid in wanted:
                        report.failures.setdefault(pid, f"{scenario.scenario_id}: {reason}")
        tables = (_with_fingerprints(plan_result_tables(results, rejections,
                                                        self._rates.snapshot, now),
                                     fingerprints) if plans else None)
        with self._uow() as uow:
            stored = scenario_tables(s.to_domain() for s in self._scenarios)
            uow.scenarios.write(stored.scenarios, stored.phases)
            # a re-run replaces: this stage's failures of the batch, and the plans of a home
            # that fails now (but those it keeps: the ones a re-plan would write again)
            uow.stage_failures.clear(list(property_ids), STAGE)
            if report.failures:
                uow.plans.delete(sorted(report.failures), keep=kept)
            if tables is not None:
                uow.plans.write(tables)
            if report.failures:
                uow.stage_failures.upsert(failure_rows(
                    (StageFailure(pid, STAGE, "modelling", reason[:4000])
                     for pid, reason in sorted(report.failures.items())), now))
        report.plans = plans
        report.plans_written = len(plans)
        report.plans_unchanged = len(kept)
        report.packages_scored = scorer.packages_scored
        report.calculator_calls = scorer.calculator_calls
        return report


def _homes_of(batch: PreparedBatch, homes: set[str]
              ) -> tuple[pa.Table, pa.Table, pa.Table, pa.Table] | None:
    """The batch's inputs, certificates, flags and solar rows of ``homes`` (row for row; None
    when none of them is in it): the whole batch when it is all of them, else those homes and
    the first other home of the batch."""
    inputs, certs, flags, solar = batch.inputs, batch.certs, batch.flags, batch.solar
    assert inputs is not None and certs is not None and flags is not None and solar is not None
    ids = inputs.column("dwelling_id").to_pylist()
    mask = [pid in homes for pid in ids]
    if not any(mask):
        return None
    if all(mask):
        return inputs, certs, flags, solar
    mask[mask.index(False)] = True  # the companion: its plans are not used
    rows = pa.array(mask)
    wanted = pa.array([pid for pid, k in zip(ids, mask, strict=True) if k], pa.string())
    return (inputs.filter(rows), certs.filter(rows), flags.filter(rows),
            solar.filter(pc.is_in(solar.column("property_id"), value_set=wanted)))


def _with_fingerprints(tables: PlanTables,
                       fingerprints: Mapping[tuple[str, str], str | None]) -> PlanTables:
    """``tables`` with each plan's ``inputs_fingerprint``."""
    plans = tables.plans
    values = [fingerprints.get(pair) for pair in zip(
        plans.column("property_id").to_pylist(), plans.column("scenario_id").to_pylist(),
        strict=True)]
    index = plans.schema.get_field_index("inputs_fingerprint")
    return dataclasses.replace(tables, plans=plans.set_column(
        index, plans.schema.field(index), pa.array(values, pa.string())))


__all__ = ["FINGERPRINT_BASELINE_COLUMNS", "FLAGS_SCHEMA", "FULL_SAP_NOT_PLANNED",
           "PLANNING_PACKAGES", "SOLAR_SCHEMA", "STAGE", "CandidateSource",
           "ModellingOrchestrator", "ModellingReport", "PreparedBatch", "certificate_table",
           "certificate_table_from_json", "default_candidates", "flags_table",
           "home_fingerprint", "phase_rejections", "plan_fingerprint", "run_fingerprint",
           "scenario_fingerprint", "solar_table"]
