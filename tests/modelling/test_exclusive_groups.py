"""Issue 16, "one exclusive-group rule for measures": ``ara.modelling.catalogue.exclusive_group``
is the one rule; eligibility, the optimiser (its Python search and the group ids of its
compiled masks) and the overlays all take their groups from it, and so agree on every measure
type."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from ara.modelling import candidate_options, optimiser, overlays
from ara.modelling import catalogue as cat
from ara.modelling.eligibility import MeasureOption
from ara.modelling.optimiser import PhaseProblem, _OptionTable, _prepare
from modelling.test_optimiser import FakeOption
from tests.modelling.helpers import cert, certs, dwelling, flags, inputs

#: Every measure type the catalogue prices, and the generic heating names scenarios may use.
MEASURE_TYPES = sorted({e.measure_type for e in cat.load_catalogue().entries.values()}
                       | set(cat.HEATING_MEASURE_TYPES) | {"heating_oil_to_gas"})


def _option_id(measure_type: str) -> str:
    return "solar_pv:2.40kWp:o5:t30" if measure_type == "solar_pv" else measure_type


def test_the_optimiser_and_the_overlays_use_the_catalogue_rule() -> None:
    assert optimiser.exclusive_group is cat.exclusive_group
    assert overlays.exclusive_group is cat.exclusive_group
    assert optimiser.HEATING_MEASURE_TYPES is cat.HEATING_MEASURE_TYPES


def test_the_rule_groups_walls_roof_glazing_and_every_heating_name() -> None:
    assert {m for m in MEASURE_TYPES if cat.exclusive_group(m) == "heating"} == \
        set(cat.HEATING_MEASURE_TYPES) | {"heating_oil_to_gas"}
    assert cat.group_members("walls") == ("cavity_wall_fill", "internal_wall_insulation",
                                          "external_wall_insulation")
    assert cat.group_members("roof") == ("loft_insulation", "sloping_ceiling_insulation",
                                         "flat_roof_insulation")
    assert cat.exclusive_group("solar_pv") == "solar_pv"


def test_the_python_search_and_the_compiled_masks_take_their_groups_from_the_rule() -> None:
    options = tuple(FakeOption("p1", m, _option_id(m), 100.0) for m in MEASURE_TYPES)
    search = _prepare(PhaseProblem(0, "p1", options))
    table = _OptionTable.of([search])
    assert table is not None

    assert search.groups == [cat.exclusive_group(o.measure_type) for o in search.options]
    ids = table.groups[0, :len(search.options)]
    for i, j in combinations(range(len(search.options)), 2):
        assert (ids[i] == ids[j]) == (search.groups[i] == search.groups[j])


@pytest.mark.parametrize(("first", "second"), [
    (a, b) for a, b in combinations(sorted(overlays.OVERLAY_ORDER), 2)])
def test_the_overlays_refuse_a_package_exactly_when_the_rule_says(first: str,
                                                                  second: str) -> None:
    package = [MeasureOption("p1", m, _option_id(m), 1.0, m) for m in (first, second)]
    same_group = cat.exclusive_group(first) == cat.exclusive_group(second)
    search = _prepare(PhaseProblem(0, "p1", tuple(package)))
    both = 0b11

    if same_group:
        with pytest.raises(ValueError, match="two .* options"):
            overlays.package_masks(["p1"], [package])
    else:
        overlays.package_masks(["p1"], [package])
    assert search.valid(both) is not same_group


@pytest.mark.parametrize("group", ["walls", "roof", "glazing", "heating"])
@pytest.mark.parametrize("wall,roof", [("4", "4"), ("3", "8"), ("5", "1"), ("1", "4")])
def test_eligibility_decides_on_every_measure_of_a_group(group: str, wall: str,
                                                         roof: str) -> None:
    """Each measure type of a group is offered or rejected with a reason, never forgotten:
    eligibility walks the group's members as the rule has them."""
    opts, rejs = candidate_options(inputs(dwelling()), certs(cert(wall=wall, roof=roof)),
                                   flags())
    decided = {o.measure_type for o in opts} | {r.measure_type for r in rejs}

    assert set(cat.group_members(group)) <= decided
    offered = [o.measure_type for o in opts if cat.exclusive_group(o.measure_type) == group]
    assert len(np.unique(offered)) == len(offered)
