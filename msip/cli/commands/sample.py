"""`msip sample`: generate the synthetic sample world with its ground truth."""

from __future__ import annotations

from pathlib import Path

import click

from msip.core.settings import get_settings


@click.command("sample")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder [default: $MSIP_DATA_DIR/sample/<size>-<seed>].")
@click.option("--size", type=click.Choice(["small", "medium", "large", "district"]), default="district",
              show_default=True,
              help="district: 4.8 km² city district, three epochs (the demo); small: 0.16 km² (fast tests); "
                   "medium: 0.64 km²; large: 2.56 km² (benchmarks).")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed; same seed → same files.")
def sample(out_dir: Path | None, size: str, seed: int) -> None:
    """Generate one consistent synthetic Kielce district in real file formats, with ground truth."""
    from msip.cli.commands.demo import STAMP_NAME, generator_stamp
    from msip.sample_world import generate

    out_dir = out_dir or default_sample_dir(size, seed)
    manifest = generate(out_dir, size=size, seed=seed, progress=True)
    # `msip demo` reuses a world whose stamp matches instead of generating it again (minutes for the district)
    (out_dir / STAMP_NAME).write_text(generator_stamp(size, seed) + "\n", encoding="utf-8")
    click.echo(f"sample world ({size}, seed {seed}): {len(manifest['files'])} files in {out_dir}")


def default_sample_dir(size: str = "district", seed: int = 42) -> Path:
    return get_settings().data_dir / "sample" / f"{size}-{seed}"
