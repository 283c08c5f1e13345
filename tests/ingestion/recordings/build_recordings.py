"""Rebuild the recorded responses of this folder from the copied vectors in tests/vectors
(run it by hand after a vector changes: ``python tests/ingestion/recordings/build_recordings.py``).

Sources (all synthetic or real public samples, see README.md):

* ``epb-data-warehouse/json_samples/*/epc.json``: the certificate documents of the 2025
  register API, wrapped in the ``GET /api/certificate`` envelope ``{"data": ...}`` (api.yml
  ``CertificateResponse``); the samples carry no certificate number, so each gets one here;
* ``epb-data-warehouse/api.yml``: the shape of ``GET /api/domestic/search``
  (``CertificateSearchResult``), filled with the samples' own UPRN, address, postcode,
  registration date and schema type;
* ``tests/rdsap/fixtures/odc_certificates.csv``: legacy open-data rows, as the legacy API's
  JSON (``{"column-names": [...], "rows": [...]}``, lower-case hyphenated keys);
* ``pvgis/pvcalc_37N_38E_50kWp_cSi_35deg_S.json``: a real PVGIS PVcalc answer, verbatim.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
VECTORS = REPO / "tests" / "vectors"  # copies with their sources: tests/vectors/README.md

#: schema type -> the certificate number given to its sample
CERTIFICATES = {
    "RdSAP-Schema-20.0.0": "0000-0000-0000-0000-2000",
    "RdSAP-Schema-21.0.0": "0000-0000-0000-0000-2100",
    "RdSAP-Schema-21.0.1": "0000-0000-0000-0000-2101",
    "SAP-Schema-19.1.0": "0000-0000-0000-0000-1910",
}
NEIGHBOUR = "0000-0000-0000-0000-3100"  # the 21.0.0 sample moved next door


def _write(name: str, value: Any) -> None:
    path = HERE / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _search_item(doc: dict[str, Any], number: str) -> dict[str, Any]:
    return {"addressLine1": doc.get("address_line_1"), "addressLine2": doc.get("address_line_2"),
            "addressLine3": doc.get("address_line_3"), "addressLine4": doc.get("address_line_4"),
            "uprn": doc.get("uprn"), "certificateNumber": number,
            "constituency": "Chelsea and Fulham", "council": "Hammersmith and Fulham",
            "currentEnergyEfficiencyBand": doc.get("current_energy_efficiency_band"),
            "postTown": doc.get("post_town"), "postcode": doc.get("postcode"),
            "registrationDate": doc.get("registration_date"),
            "schemaType": doc.get("schema_type")}


def _search(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": items, "pagination": {"totalRecords": len(items), "currentPage": 1,
                                          "totalPages": 1, "nextPage": None, "prevPage": None,
                                          "pageSize": 5000}}


def build_register() -> None:
    docs = {}
    for schema in CERTIFICATES:
        doc = json.loads((VECTORS / "epb-data-warehouse" / "json_samples" / schema / "epc.json")
                         .read_text(encoding="utf-8"))
        docs[schema] = doc
        _write(f"register/certificate_{schema}.json", {"data": doc})
    neighbour = dict(docs["RdSAP-Schema-21.0.0"], uprn=12458, address_line_1="2 Some Street")
    _write("register/certificate_neighbour.json", {"data": neighbour})
    at_uprn = [_search_item(docs[s], n) for s, n in CERTIFICATES.items()]
    _write("register/search_uprn_12457.json", _search(at_uprn))
    _write("register/search_postcode_A0_0AA.json",
           _search(at_uprn + [_search_item(neighbour, NEIGHBOUR)]))


def build_legacy() -> None:
    source = REPO / "tests" / "rdsap" / "fixtures" / "odc_certificates.csv"
    shutil.copyfile(source, HERE / "legacy" / "odc_certificates.csv")
    with source.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    columns = [h.lower().replace("_", "-") for h in rows[0]]
    records = [dict(zip(columns, r, strict=True)) for r in rows[1:]]
    first = records[0]
    # a later certificate of the same dwelling, on the second page of the search
    later = dict(first, **{"lmk-key": "100000000012345678901234567890199",
                           "lodgement-date": "2021-06-01", "inspection-date": "2021-05-28",
                           "lodgement-datetime": "2021-06-01 10:00:00"})
    _write("legacy/search_uprn_page1.json", {"column-names": columns, "rows": [first]})
    _write("legacy/search_uprn_page2.json", {"column-names": columns, "rows": [later]})
    _write("legacy/certificate_unreadable.json", {"column-names": columns,
                                                  "rows": [records[2]]})


def build_pvgis() -> None:
    name = "pvcalc_37N_38E_50kWp_cSi_35deg_S.json"
    # the recorded PVGIS response is itself the vector (stored once, here): check it is there
    if not (HERE / "pvgis" / name).is_file():
        raise SystemExit(f"missing recorded PVGIS response {HERE / 'pvgis' / name}")


if __name__ == "__main__":
    (HERE / "legacy").mkdir(exist_ok=True)
    build_register()
    build_legacy()
    build_pvgis()
