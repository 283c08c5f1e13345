"""Modelling: measure catalogue, eligibility and Simulation Overlays (decisions D-0016-0028)."""

from ara.modelling.catalogue import (
    EXCLUSIVE_GROUPS,
    HEATING_OPTIONS,
    Catalogue,
    CatalogueEntry,
    exclusive_group,
    load_catalogue,
)
from ara.modelling.eligibility import MeasureOption, Rejection, candidate_options
from ara.modelling.overlays import apply_options

__all__ = ["EXCLUSIVE_GROUPS", "HEATING_OPTIONS", "Catalogue", "CatalogueEntry",
           "MeasureOption", "Rejection", "apply_options", "candidate_options",
           "exclusive_group", "load_catalogue"]
