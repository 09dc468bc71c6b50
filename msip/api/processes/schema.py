"""OGC process inputs from an analysis's parameter table (`processing.parameters.ParamTable`), and back.

`table_inputs` gives the `inputs` entries of a PROCESS_METADATA (title, description in en/pl,
JSON schema with range or enum and default); `table_values` turns validated inputs into the
values of the analysis's parameters, by parameter name and as their Python types.
"""

from __future__ import annotations

from typing import Any

from processing.parameters import ParamTable


def table_inputs(table: ParamTable, names: list[str] | tuple[str, ...] | None = None) -> dict[str, dict]:
    """One process input per parameter shown to the OGC API (in table order)."""
    out: dict[str, dict] = {}
    for p in table:
        if not p.ogc or (names is not None and p.name not in names):
            continue
        en, pl = table.ogc_texts(p)
        schema: dict[str, Any] = {"type": p.kind}
        if p.choices is not None:
            schema["enum"] = list(p.choices)
        else:
            if p.minimum is not None:
                schema["minimum"] = p.minimum
            if p.maximum is not None:
                schema["maximum"] = p.maximum
        if p.default is not None:
            schema["default"] = p.default
        out[p.input_name] = {
            "title": {"en": p.title_en or p.input_name, "pl": p.title_pl or p.input_name},
            "description": {"en": en, "pl": pl},
            "schema": schema,
            "minOccurs": 0,
            "maxOccurs": 1,
        }
    return out


def table_values(table: ParamTable, inputs: dict, names: list[str] | tuple[str, ...] | None = None) -> dict:
    """{parameter name: value} of the OGC inputs (validated, defaults filled) as the parameters' types."""
    return {p.name: p.coerce(inputs.get(p.input_name)) for p in table
            if p.ogc and (names is None or p.name in names)}
