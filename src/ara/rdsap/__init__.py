"""Certificate data -> SAP inputs: readers of the register's EPC formats (``ara.rdsap.readers``)
and the RdSAP 10 expansion rules (``ara.rdsap.expansion``).

The common entry points are available here: :func:`expand` (certificates -> calculator
inputs, strict or estimate mode), :func:`read_rdsap_xml`, :func:`read_register_json`,
:func:`read_certificates` and ``CERTIFICATE_SCHEMA``; :func:`load_pcdb` reads the user's
PCDB."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "expand": "ara.rdsap.expansion", "ExpansionResult": "ara.rdsap.expansion.expand",
    "read_rdsap_xml": "ara.rdsap.readers", "read_register_json": "ara.rdsap.readers",
    "read_certificates": "ara.rdsap.readers", "CERTIFICATE_SCHEMA": "ara.rdsap.readers",
    "load_pcdb": "ara.rdsap.pcdb",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'ara.rdsap' has no attribute {name!r}")
