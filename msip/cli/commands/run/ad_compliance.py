"""`msip run ad-compliance`: check every advertising carrier against the landscape resolution and compute fees."""

from __future__ import annotations

import click

from msip.cli.options import EPOCH, force_option


@click.command("ad-compliance")
@click.option("--epoch", type=EPOCH, default=None,
              help="Assess the carriers standing on this date [default: the latest inventory epoch].")
@click.option("--from", "period_start", type=EPOCH, default=None,
              help="First day of the fee period [default: 1 January of the assessment year].")
@click.option("--to", "period_end", type=EPOCH, default=None,
              help="Last day of the fee period, inclusive [default: 31 December of the assessment year].")
@click.option("--rule-set", default=None, help="Name of the rule set to apply [default: the one loaded last].")
@click.option("--dataset", default=None, help="Only carriers of this inventory dataset.")
@force_option
def command(epoch, period_start, period_end, rule_set, dataset, force) -> None:
    """Verdict, violated rules (measured value and limit), fee and penalty estimate per carrier → msip.ad_compliance.

    Fee per day = fixed rate + variable rate × area (faces × face area, per the rule set) with each
    year's rates; penalty estimate per non-compliant day = multiple (40) × the statutory maxima.
    """
    from processing.advertising.analysis import ANALYSIS

    values = {"epoch": epoch, "period_start": period_start, "period_end": period_end, "rule_set": rule_set,
              "dataset": dataset}
    click.echo(ANALYSIS.run_values(values, force=force).summary())
