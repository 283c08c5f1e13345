"""Regenerate the bundled SYNTHETIC sample portfolio of ``ara run``.

    python scripts/make_sample_portfolio.py

Writes, under ``src/ara/data/sample_portfolio/``:

* ``portfolio.csv``: the landlord's list (UPRN, address, postcode, landlord reference);
* ``certificates.ndjson.gz``: one register-API certificate JSON per line (the bulk archive
  format ``ara.rdsap.readers.read_certificates`` streams);
* ``uprn.parquet``: OS Open UPRN-style coordinates and the three planning flags;
* ``overrides_predicted_homes.csv``: the landlord's statements (property type and built form,
  walls for some) of the homes without a certificate, for ``ara overrides import``.

The last ``N_WITHOUT_CERTIFICATE`` homes of ``portfolio.csv`` (a tenth of the sample: UPRNs
after the certified ones, on streets no certificate names, in the same postcode units) have
no certificate in the archive: ``ara run`` predicts their EPC from comparable certificates
(issue 19) once their property type and built form are stated. Most are stated in
``overrides_predicted_homes.csv``; a few on purpose are not (no statement at all, or a
bungalow, a type no certificate of the sample has), so the failures show what is missing.
They are drawn from a generator of their own (seed ``SEED + 1``), after every other file's
content: the certified homes, their certificates and coordinates are byte for byte what they
were without them.

Nothing in it is real. Each certificate starts from the RdSAP 10 input of the sap10calcs
base case (``tests/vectors/sap10calcs/tests/rdsap/1_base_case/1_detached/in.xml``,
turned into the register's JSON by ``xml_to_register_json``) and varies the physical data:
every age band A-L, built forms detached to mid-terrace with party walls, wall
constructions (stone, solid brick, cavity as built and filled, timber frame, system built),
floor sizes, storeys and rooms, and heating archetypes (gas combi, gas regular boiler with a
cylinder, direct electric, air source heat pump, storage heaters on an off-peak meter, oil
boiler). The storage heater and oil homes are there on purpose: the bundled Fuel Rates
snapshot prices neither off-peak electricity nor oil, so ``ara run`` reports them as
failures with that reason. UPRNs are 13-digit numbers (outside the real UPRN range).
Lodged results are random placeholders (not calculated); four homes in five are lodged as
RdSAP 9.94 (RdSAP-Schema-20.0.0) certificates, so ``ara run`` rebaselines them (pre_sap10),
and the fifth as SAP 10.2 ones, whose placeholder figures then diverge from the calculation
and are reported. Same seed, same files.
"""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ara.rdsap.readers import xml_to_register_json

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "ara" / "data" / "sample_portfolio"
#: The repository's copy (tests/vectors/README.md gives its source and licence), so that the
#: script, and the tests that run it, need nothing beside the checkout.
TEMPLATE = REPO / "tests/vectors/sap10calcs/tests/rdsap/1_base_case/1_detached/in.xml"
N_HOMES = 2000
#: Homes without a certificate, appended after the certified ones (issue 19).
N_WITHOUT_CERTIFICATE = 200
SEED = 2026
FIRST_UPRN = 9_200_000_000_000
AGE_BANDS = "ABCDEFGHIJKL"
# (wall construction, wall insulation type): RdSAP WallConstructionCode / WallInsulationType
WALLS = ((1, 4), (2, 4), (3, 4), (4, 4), (4, 2), (5, 4), (8, 4))
# (category, SAP code, fuel, water code, water fuel, cylinder size, meter type, weight)
HEATING = (
    (2, 104, 26, 901, 26, 1, 2, 0.45),   # gas condensing combi
    (2, 102, 26, 901, 26, 2, 2, 0.15),   # gas regular boiler and cylinder
    (10, 691, 29, 909, 29, 1, 2, 0.12),  # electric panel heaters, point-of-use water
    (4, 211, 29, 901, 29, 3, 2, 0.10),   # air source heat pump with cylinder
    (7, 402, 29, 903, 29, 2, 1, 0.10),   # storage heaters, immersion, dual meter
    (2, 124, 28, 901, 28, 2, 2, 0.08),   # oil boiler and cylinder
)
TOWNS = (("Whitbury", "WB"), ("Northfield", "NF"), ("Eastmoor", "EM"), ("Southgate", "SG"))
#: Built form of the homes of each town (the certified homes' ``1 + i % 4``), as a landlord
#: words it, for the homes without a certificate.
FORM_WORDS = ("detached house", "semi-detached house", "end-terrace house", "mid-terrace house")
#: Streets of the homes without a certificate (no certificate of the archive names them).
STREETS = ("Meadow Close", "Orchard Way", "Station Road", "Church Lane", "Mill Rise")


def main() -> None:
    write(OUT, N_HOMES, SEED, N_WITHOUT_CERTIFICATE)
    print(f"wrote {N_HOMES + N_WITHOUT_CERTIFICATE} synthetic homes ({N_WITHOUT_CERTIFICATE} "
          f"without a certificate) to {OUT}")


def write(out: Path, n_homes: int, seed: int, without: int = 0) -> None:
    """The files of a synthetic portfolio of ``n_homes`` homes with certificates and
    ``without`` homes without one into ``out``."""
    rng = np.random.default_rng(seed)
    base = xml_to_register_json(TEMPLATE.read_bytes())
    out.mkdir(parents=True, exist_ok=True)
    weights = np.array([h[-1] for h in HEATING])
    portfolio = []
    uprn_rows = []
    with gzip.GzipFile(out / "certificates.ndjson.gz", "wb", mtime=0) as raw, \
            io.TextIOWrapper(raw, encoding="utf-8") as archive:  # mtime 0: same bytes each run
        for i in range(n_homes):
            uprn = FIRST_UPRN + i
            town, code = TOWNS[i % len(TOWNS)]
            postcode = f"{code}{1 + i % 9} {1 + i % 7}{'ABDEFGHJ'[i % 8]}{'LNPQRSTU'[i % 8]}"
            address = f"{1 + i // 4} Synthetic Street"
            doc = _certificate(base, rng, i, uprn, address, town, postcode, weights)
            archive.write(json.dumps(doc, separators=(",", ":")) + "\n")
            portfolio.append({"uprn": uprn, "address_line_1": address, "post_town": town,
                              "postcode": postcode, "landlord_reference": f"REF-{i:05d}"})
            lat, lon = 52.0 + rng.uniform(-1.5, 1.5), -1.5 + rng.uniform(-1.5, 1.5)
            uprn_rows.append({"UPRN": uprn, "LATITUDE": lat, "LONGITUDE": lon,
                              "CONSERVATION_AREA": bool(rng.random() < 0.06),
                              "LISTED_BUILDING": bool(rng.random() < 0.02),
                              "HERITAGE_BUILDING": bool(rng.random() < 0.01)})
    statements = _without_certificates(portfolio, uprn_rows, n_homes, without, seed + 1)
    if without:  # the wide layout: a row per home, a column per attribute
        with (out / "overrides_predicted_homes.csv").open("w", newline="",
                                                          encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["uprn", "landlord_reference", "property", "walls"])
            writer.writerows(statements)
    with (out / "portfolio.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(portfolio[0]))
        writer.writeheader()
        writer.writerows(portfolio)
    table = pa.Table.from_pylist(uprn_rows)
    table = table.replace_schema_metadata({"ara.synthetic": "true",
                                           "ara.provenance": "scripts/make_sample_portfolio.py"})
    pq.write_table(table, out / "uprn.parquet")


def _without_certificates(portfolio: list[dict], uprn_rows: list[dict], n_homes: int,
                          without: int, seed: int) -> list[list[object]]:
    """Append ``without`` homes without a certificate to ``portfolio`` and ``uprn_rows``
    (postcodes made as the certified homes' are, so in their units and districts; streets of
    their own); return their landlord's statements (rows of the overrides file, wide layout:
    UPRN, reference, property, walls). The wide layout keeps these synthetic statements out of
    ``scripts/overrides_vocabulary.py``'s measure of landlords' phrasings."""
    rng = np.random.default_rng(seed)
    statements: list[list[object]] = []
    for k in range(without):
        i = n_homes + k
        uprn = FIRST_UPRN + i
        town, code = TOWNS[i % len(TOWNS)]
        postcode = f"{code}{1 + i % 9} {1 + i % 7}{'ABDEFGHJ'[i % 8]}{'LNPQRSTU'[i % 8]}"
        ref = f"REF-{i:05d}"
        portfolio.append({"uprn": uprn, "address_line_1": f"{1 + k // 5} {STREETS[k % 5]}",
                          "post_town": town, "postcode": postcode, "landlord_reference": ref})
        lat, lon = 52.0 + rng.uniform(-1.5, 1.5), -1.5 + rng.uniform(-1.5, 1.5)
        uprn_rows.append({"UPRN": uprn, "LATITUDE": lat, "LONGITUDE": lon,
                          "CONSERVATION_AREA": bool(rng.random() < 0.06),
                          "LISTED_BUILDING": bool(rng.random() < 0.02),
                          "HERITAGE_BUILDING": bool(rng.random() < 0.01)})
        if k % 20 == 19:  # nothing stated: no prediction, the failure says what to state
            continue
        if k in (5, 105):  # a bungalow: no certificate of the sample is one
            statements.append([uprn, ref, "detached bungalow", ""])
            continue
        # walls stated for some: a hard filter on the comparables
        statements.append([uprn, ref, FORM_WORDS[i % len(TOWNS)],
                           "Cavity wall, filled cavity" if k % 10 == 3 else ""])
    return statements


def _certificate(base: dict, rng: np.random.Generator, i: int, uprn: int, address: str,
                 town: str, postcode: str, weights: np.ndarray) -> dict:
    doc = copy.deepcopy(base)
    band = AGE_BANDS[i % len(AGE_BANDS)]
    built_form = 1 + i % 4  # detached, semi, end-terrace, mid-terrace
    wall, insulation = WALLS[i % len(WALLS)]
    category, code, fuel, whc, wfuel, cylinder, meter, _ = HEATING[
        rng.choice(len(HEATING), p=weights / weights.sum())]
    storeys = 1 + (i % 3 != 0)
    area = float(np.round(rng.uniform(28.0, 60.0), 1))
    perimeter = float(np.round(4.0 * np.sqrt(area) * (1.0 - 0.25 * min(built_form - 1, 2)),
                               1))
    party = 0.0 if built_form == 1 else float(np.round(np.sqrt(area) * (1 + (built_form == 4)),
                                                       1))
    floors = [{"floor": level, "total_floor_area": area, "room_height": 2.45,
               "heat_loss_perimeter": perimeter, "party_wall_length": party,
               "floor_construction": 1, "floor_insulation": 1} for level in range(storeys)]
    part = doc["sap_building_parts"][0]
    part.update({"construction_age_band": band, "wall_construction": wall,
                 "wall_insulation_type": insulation, "sap_floor_dimensions": floors,
                 "party_wall_construction": "NA" if built_form == 1 else 1})
    if wall in (1, 2, 3):  # stone and solid brick U-values depend on the measured thickness
        part.update({"wall_thickness_measured": "Y", "wall_thickness": 450 if wall < 3 else 230})
    if band in "KL":  # no RdSAP default floor insulation for the newest bands: lodge it
        part["floor_insulation_thickness"] = "100mm"
    for key in ("wall_u_value", "roof_u_value", "floor_u_value"):
        part.pop(key, None)
    rooms = 2 + storeys + int(area // 20)
    doc.update({
        "certificate_number": f"9000-{i // 10000:04d}-{i % 10000:04d}-0000-{i % 997:04d}",
        "uprn": uprn, "address_line_1": address, "post_town": town, "postcode": postcode,
        "built_form": built_form, "habitable_room_count": rooms, "heated_room_count": rooms,
        "door_count": 2, "inspection_date": f"20{18 + i % 7}-0{1 + i % 9}-15",
        "registration_date": f"20{18 + i % 7}-0{1 + i % 9}-20",
        # four in five lodged before SAP 10.2 (RdSAP 9.94): those are rebaselined
        "schema_type": "RdSAP-Schema-21.0.0" if i % 5 == 0 else "RdSAP-Schema-20.0.0",
        "sap_version": 10.2 if i % 5 == 0 else 9.94,
        "energy_rating_current": int(rng.integers(30, 80)),
        "current_energy_efficiency_band": "D",
        "environmental_impact_current": int(rng.integers(30, 80)),
        "co2_emissions_current": float(np.round(rng.uniform(1.5, 6.0), 1)),
        "energy_consumption_current": int(rng.integers(120, 400)),
        "total_floor_area": area * storeys,
        "low_energy_fixed_lighting_bulbs_count": int(rng.integers(0, 10)),
        "incandescent_fixed_lighting_bulbs_count": int(rng.integers(0, 4)),
    })
    heating = doc["sap_heating"]
    heating.update({"water_heating_code": whc, "water_heating_fuel": wfuel,
                    "cylinder_size": cylinder,
                    "immersion_heating_type": 2 if whc == 903 else "NA"})
    if cylinder > 1:  # an accessible cylinder: insulation and thermostat as surveyed
        heating.update({"cylinder_insulation_type": 1, "cylinder_insulation_thickness": 50,
                        "cylinder_thermostat": "Y"})
    main = heating["main_heating_details"][0]
    main.update({"main_heating_category": category, "sap_main_heating_code": code,
                 "main_fuel_type": fuel,
                 "main_heating_control": 2106 if category == 2 else
                 (2402 if category == 7 else (2207 if category == 4 else 2699))})
    doc["sap_energy_source"]["meter_type"] = meter
    return doc


if __name__ == "__main__":
    main()
