"""The analyses' parameter tables drive the CLI options, the OGC process inputs and docs/parameters.md."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from msip.api.processes import change, green_access, heat_island, living_conditions, terrain_change
from msip.cli.commands.run import change as run_change
from msip.cli.commands.run import green_access as run_green_access
from msip.cli.commands.run import heat_island as run_heat_island
from msip.cli.commands.run import living_conditions as run_living_conditions
from msip.cli.commands.run import terrain_change as run_terrain_change
from msip.core.errors import ValidationError
from processing.green_access.params import PARAMETERS as GREEN
from processing.parameters import Param, ParamTable
from tests.support.paths import ROOT

CASES = [
    (heat_island.PROCESS_METADATA, run_heat_island.command),
    (green_access.PROCESS_METADATA, run_green_access.command),
    (living_conditions.PROCESS_METADATA, run_living_conditions.command),
    (change.PROCESS_METADATA, run_change.command),
    (terrain_change.PROCESS_METADATA, run_terrain_change.command),
]


def test_docs_tables_match_the_declared_parameters() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts/gen_param_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("metadata", "command"), CASES, ids=lambda c: getattr(c, "name", ""))
def test_cli_options_and_process_inputs_come_from_one_table(metadata: dict, command: click.Command) -> None:
    from importlib import import_module

    table: ParamTable = import_module(command.callback.__module__).PARAMETERS  # type: ignore[union-attr]
    options = {p.name: p for p in command.params}
    for p in table:
        if p.cli:
            option = options[p.name]
            assert option.opts == [p.option]
            assert option.default == (None if p.default is None else str(p.default) if p.choices
                                      else p.coerce(p.default))
        else:
            assert p.name not in options
        if p.ogc:
            schema = metadata["inputs"][p.input_name]["schema"]
            assert schema.get("default") == p.default
            assert schema.get("enum", None) == (list(p.choices) if p.choices else None)
            assert (schema.get("minimum"), schema.get("maximum")) == (
                (None, None) if p.choices else (p.minimum, p.maximum))


def test_one_check_names_the_range_unit_and_meaning() -> None:
    with pytest.raises(ValidationError, match=r"tree_radius_m=500 is out of range: use 1–100 m \(3: trees"):
        GREEN.check({"tree_radius_m": 500})
    with pytest.raises(ValidationError, match=r"min_trees=2.5 must be a whole number"):
        GREEN.check({"min_trees": 2.5})
    with pytest.raises(ValidationError, match=r"district='x' is not one of \['grid', 'zone'\]"):
        GREEN.check({"district": "x"})


def test_templates_keep_each_analysis_wording() -> None:
    table = ParamTable("t", (Param("a_m", 2.0, "a length", "długość", unit="m", minimum=0, maximum=5),),
                       cli_help="{help_en} ({unit}).", ogc_pl="{help_pl}, {unit} (domyślnie {default:g})")
    assert table.cli_text(table["a_m"]) == "a length (m)."
    assert table.ogc_texts(table["a_m"]) == ("a length, m (default 2)", "długość, m (domyślnie 2)")
