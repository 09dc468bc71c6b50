"""`msip demo`: the whole system on the sample world — cluster, schema, data, analyses, API."""

from __future__ import annotations

import os
from time import perf_counter

import click

from msip.cli.commands.load_sample import SIZE_CHOICES
from msip.cli.commands.sample import STAMP_NAME, _stamp_matches, generator_stamp
from msip.core.settings import get_settings

#: Sizes regenerated on every demo (seconds to make); larger ones are reused while their stamp matches.
ALWAYS_REGENERATE = {"small"}


@click.command("demo")
@click.option("--serve/--no-serve", default=True, show_default=True, help="End by serving the API and map.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="API port.")
@click.option("--size", type=click.Choice(SIZE_CHOICES), default="district", show_default=True,
              help="Sample world: district (4.8 km² of a Kielce-like city, three epochs, minutes the first "
                   "time) or small (0.16 km², seconds; what the fast tests use).")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed of the sample world.")
@click.option("--timings/--no-timings", default=False, show_default=True,
              help="End with the wall time of every stage (generate, each load, each analysis; on the district "
                   "two lanes run at once, so stages overlap: each says when it started and ended) and the "
                   "total wall and CPU time.")
@click.option("--lanes", type=click.IntRange(1, 2), default=None,
              help="Steps run at once (default: 2 on the district with two or more cores, else 1; the results "
                   "are the same).")
def demo(serve: bool, port: int, size: str, seed: int, timings: bool, lanes: int | None) -> None:
    """Start the cluster, generate and load the sample world, run the analyses, serve the API."""
    from msip.cli.commands.load_sample import sample_run
    from msip.cli.commands.sample import default_sample_dir
    from msip.cli.lanes import Done
    from msip.core import cluster
    from msip.core.migrate import migrate
    from msip.sample_world import generate

    settings = get_settings()
    if settings.uses_local_cluster:
        st = cluster.start(settings)
        click.echo(f"database: running at {st.url}")
    applied = migrate(settings.database_url)
    click.echo(f"migrations: {', '.join(applied) if applied else 'up to date'}")
    out = default_sample_dir(size, seed)
    stages: list[Done] = []
    stamp = generator_stamp(size, seed)
    start = perf_counter()
    if size not in ALWAYS_REGENERATE and _stamp_matches(out, stamp):
        click.echo(f"sample world: reusing {out} (made by the same generator code, size and seed)")
    else:
        # The small world is always regenerated (about 6 s): the generator is deterministic, so
        # unchanged code gives byte-identical files and every load below reports "unchanged";
        # changed code never leaves a stale world behind. Larger worlds are reused while the
        # stamp of the generator's code, size and seed matches (the district takes minutes).
        click.echo(f"sample world: generating {size} in {out} …")
        generate(out, size=size, seed=seed, progress=True)
        (out / STAMP_NAME).write_text(stamp + "\n", encoding="utf-8")
    generated_s = perf_counter() - start
    stages.append(Done("generate", [], generated_s, 0.0, generated_s))
    for line in sample_run(out, timings=stages, lanes=lanes, say_not_loaded=True):
        click.echo(line)
    if timings:
        for i, done in enumerate(stages):
            at = (done.start_s, done.end_s) if i == 0 else (generated_s + done.start_s, generated_s + done.end_s)
            cpu_text = f", {done.cpu_s:.1f} CPU-s" if i else ""
            click.echo(f"time: {done.label}: {done.seconds:.1f} s{cpu_text} (from {at[0]:.1f} to {at[1]:.1f} s)")
        cpu = os.times()
        click.echo(f"time: total: {perf_counter() - start:.1f} s wall, "
                   f"{cpu.user + cpu.system + cpu.children_user + cpu.children_system:.1f} s CPU "
                   "(this process and its finished workers; the database server's own CPU not counted)")
    if serve:
        from msip.cli.commands.serve import serve as serve_cmd

        click.echo(
            f"serving at http://127.0.0.1:{port}/ (OGC API) and http://127.0.0.1:{port}/map (web map); Ctrl-C stops"
        )
        click.get_current_context().invoke(serve_cmd, host="127.0.0.1", port=port, workers=2)
    else:
        click.echo("demo data ready; start the API with `msip serve`")
