"""Ara: bulk SAP 10.2 / RdSAP 10 recalculation and retrofit planning for UK homes.

``import ara`` is light; ``ara.sap`` (the calculator: ``ara.sap.calculate``,
``ara.sap.trace``) and ``ara.rdsap`` (certificate readers and the RdSAP 10 expansion) load on
first use."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "rdsap", "sap"]


def __getattr__(name: str) -> Any:
    if name in ("sap", "rdsap"):
        return importlib.import_module(f"ara.{name}")
    raise AttributeError(f"module 'ara' has no attribute {name!r}")
