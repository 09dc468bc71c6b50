"""`msip sample`: generate the synthetic sample world with its ground truth."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click

from msip.core.settings import get_settings

#: Written next to the manifest of a generated world: the generator's source fingerprint, size and seed.
STAMP_NAME = ".generator-stamp"


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
    from msip.sample_world import generate

    out_dir = out_dir or default_sample_dir(size, seed)
    manifest = generate(out_dir, size=size, seed=seed, progress=True)
    # `msip demo` reuses a world whose stamp matches instead of generating it again (minutes for the district)
    (out_dir / STAMP_NAME).write_text(generator_stamp(size, seed) + "\n", encoding="utf-8")
    click.echo(f"sample world ({size}, seed {seed}): {len(manifest['files'])} files in {out_dir}")


def default_sample_dir(size: str = "district", seed: int = 42) -> Path:
    return get_settings().data_dir / "sample" / f"{size}-{seed}"


def generator_stamp(size: str, seed: int) -> str:
    """SHA-256 over the sample-world generator's source files (path and bytes), with the size and seed.

    The load plan (`msip/sample_world/load.py`) is left out: it reads worlds, it does not make them.
    """
    import msip.sample_world as package

    root = Path(package.__file__).parent
    h = hashlib.sha256(f"{size}\0{seed}\0".encode())
    for path in sorted(p for p in root.rglob("*.py") if p != root / "load.py"):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _stamp_matches(out: Path, stamp: str) -> bool:
    """True when `out` holds a complete world (its manifest and every file it lists, at the listed size)
    made by generator code with this stamp."""
    from msip.core.errors import SourceReadError
    from msip.sample_world.manifest import load_manifest

    stamp_file = out / STAMP_NAME
    if not stamp_file.is_file() or stamp_file.read_text(encoding="utf-8").strip() != stamp:
        return False
    try:
        files = load_manifest(out)["files"]
    except SourceReadError:
        return False
    return all((out / f["path"]).is_file() and (out / f["path"]).stat().st_size == f["bytes"] for f in files)
