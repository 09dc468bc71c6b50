"""Parameters of an analysis declared once: name, type, default, unit, allowed range or choices, help and PL/EN title.

Each analysis has one `ParamTable` in its `params.py` (light: no numpy, no database). From it
the CLI builds its options (`msip.cli.options.table_options`), the OGC process its `inputs`
(`msip.api.processes.base.table_inputs`) and the docs their tables (`markdown_table`, written
by `scripts/gen_param_docs.py`); `ParamTable.check` validates values against the ranges.

Texts are rendered from templates so each analysis keeps the wording it has always published.
Template fields: `help_en`, `help_pl`, `unit`, `unit_comma` (", m" or "" without a unit) and
`default`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from msip.core.errors import ValidationError


@dataclass(frozen=True)
class Param:
    """One parameter: `choices` or `minimum`/`maximum` bound it; `cli`/`ogc` False keep it off an interface.

    `flag` is the CLI option without "--" (default: the name with dashes), `input` the OGC
    input name (default: the name). `cli_help`, `ogc_en`, `ogc_pl` override the table's
    templates where a text has always been worded differently.
    """

    name: str
    default: Any
    help_en: str
    help_pl: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None
    integer: bool = False
    title_en: str | None = None
    title_pl: str | None = None
    flag: str | None = None
    input: str | None = None
    cli: bool = True
    ogc: bool = True
    cli_help: str | None = None
    ogc_en: str | None = None
    ogc_pl: str | None = None

    @property
    def kind(self) -> str:
        """JSON-schema type: 'integer' (`integer` or integer choices), 'string' or 'number'."""
        if self.choices:
            return "string" if isinstance(self.choices[0], str) else "integer"
        if self.integer:
            return "integer"
        return "string" if isinstance(self.default, str) else "number"

    def coerce(self, value: Any) -> Any:
        """`value` as the parameter's Python type (int, float or as given); None stays None."""
        if value is None:
            return None
        if self.kind == "integer":
            return int(value)
        return float(value) if self.kind == "number" else value

    @property
    def option(self) -> str:
        """The CLI option, e.g. '--cell-size-m'."""
        return "--" + (self.flag or self.name.replace("_", "-"))

    @property
    def input_name(self) -> str:
        return self.input or self.name

    def text(self, template: str) -> str:
        unit_comma = f", {self.unit}" if self.unit else ""
        return template.format(help_en=self.help_en, help_pl=self.help_pl, unit=self.unit,
                               unit_comma=unit_comma, default=self.default)

    def range_text(self) -> str:
        """'1–30', 'day, night' or '' (for the docs)."""
        if self.choices:
            return ", ".join(str(c) for c in self.choices)
        if self.minimum is None or self.maximum is None:
            return ""
        return f"{self.minimum:g}–{self.maximum:g}"


@dataclass(frozen=True)
class ParamTable:
    """The parameters of one analysis, in the order they are listed, with its text templates."""

    analysis: str
    params: tuple[Param, ...]
    cli_help: str = "{help_en}{unit_comma}."
    ogc_en: str = "{help_en}{unit_comma} (default {default:g})"
    ogc_pl: str = "{help_pl}{unit_comma}"
    choice_cli_help: str = "{help_en}{unit_comma}."
    choice_ogc_en: str = "{help_en}{unit_comma}"
    choice_ogc_pl: str = "{help_pl}{unit_comma}"
    _by_name: dict[str, Param] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {p.name: p for p in self.params})

    def __getitem__(self, name: str) -> Param:
        return self._by_name[name]

    def __iter__(self) -> Iterator[Param]:
        return iter(self.params)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def defaults(self) -> dict[str, Any]:
        """Default value of every parameter, by name."""
        return {p.name: p.default for p in self.params}

    def cli_text(self, p: Param) -> str:
        return p.text(p.cli_help or (self.choice_cli_help if p.choices else self.cli_help))

    def ogc_texts(self, p: Param) -> tuple[str, str]:
        en = p.ogc_en or (self.choice_ogc_en if p.choices else self.ogc_en)
        pl = p.ogc_pl or (self.choice_ogc_pl if p.choices else self.ogc_pl)
        return p.text(en), p.text(pl)

    def check(self, values: Mapping[str, Any], *, names: list[str] | None = None) -> None:
        """ValidationError naming the first value outside its range or choices (what the ranges allow).

        The message says the allowed range, the unit and the meaning, e.g.
        "tree_radius_m=500 is out of range: use 1–100 m (3: trees are counted …)".
        """
        for p in self.params:
            if (names is not None and p.name not in names) or p.name not in values:
                continue
            value = values[p.name]
            if p.choices is not None:
                if value not in p.choices:
                    raise ValidationError(
                        f"{p.name}={value!r} is not one of {list(p.choices)} ({p.text('{help_en}{unit_comma}')})")
                continue
            if p.minimum is None or p.maximum is None:
                continue
            if (not isinstance(value, int | float) or isinstance(value, bool)
                    or not p.minimum <= value <= p.maximum):
                raise ValidationError(
                    f"{p.name}={value!r} is out of range: use {p.minimum:g}–{p.maximum:g} {p.unit} ({p.help_en})")
            if p.kind == "integer" and value != int(value):
                raise ValidationError(f"{p.name}={value!r} must be a whole number ({p.help_en})")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(table: ParamTable) -> str:
    """The docs table of an analysis's parameters (one row each, CLI option and OGC input named)."""
    lines = [
        "| parameter | default | unit | allowed | meaning | znaczenie | CLI | OGC input |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in table:
        default = "—" if p.default is None else f"{p.default:g}" if isinstance(p.default, float) else str(p.default)
        cli = f"`{p.option}`" if p.cli else "—"
        ogc = f"`{p.input_name}`" if p.ogc else "—"
        lines.append(f"| `{p.name}` | {default} | {p.unit} | {p.range_text()} | {_cell(p.help_en)} | "
                     f"{_cell(p.help_pl)} | {cli} | {ogc} |")
    return "\n".join(lines)
