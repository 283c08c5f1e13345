"""The SAP 10.2 calculator API: input schema, ``calculate`` and ``trace``."""

from ara.sap.calculator import OUTPUT_SCHEMA, calculate, trace
from ara.sap.prepare import SapInputError
from ara.sap.schema import SAP_INPUT_SCHEMA, SCHEMA_VERSION

__all__ = ["OUTPUT_SCHEMA", "SAP_INPUT_SCHEMA", "SCHEMA_VERSION", "SapInputError", "calculate",
           "trace"]
