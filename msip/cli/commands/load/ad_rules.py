"""`msip load ad-rules`: the city's advertising rules (uchwała krajobrazowa, fee rates) into the msip.ad_* tables."""

from __future__ import annotations

from pathlib import Path

import click

from msip.cli.options import force_option

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("ad-rules")
@click.argument("file", type=_FILE)
@click.option("--fee-rates", type=_FILE, default=None,
              help="Fee rates per year from a separate CSV (year;fixed_pln_per_day;variable_pln_per_m2_day) "
                   "or YAML (a fees: section); overrides the rules file's fees.")
@force_option
def ad_rules(file: Path, fee_rates: Path | None, force: bool) -> None:
    """Load advertising rules (YAML): zone × carrier-type limits, distance rules, LED bans, fee rates.

    The file is checked whole and refused on the first error, naming the key and the fix (unknown
    zone code, negative area, missing or over-the-maximum fee rate …). Loading the same file again
    changes nothing; a changed file becomes a new rule set, used by `msip run ad-compliance`.
    """
    from pipelines.ad_rules.load import load_ad_rules

    click.echo(load_ad_rules(file, fee_rates=fee_rates, force=force).summary())
