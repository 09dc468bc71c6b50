"""LAS/LAZ reading with laspy + lazrs: file discovery, header inspection and chunked point decoding.

Memory stays bounded by `chunk_points` whatever the file size: points are decoded one chunk
at a time (LAZ chunks in parallel with lazrs). Every failure names the file and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from msip.core.errors import SourceReadError
from pipelines.lidar.las.laz_chunks import read_variable, variable_chunk_table

LAS_SUFFIXES = (".las", ".laz")


@dataclass(frozen=True)
class LasInfo:
    """What the header of one LAS/LAZ file says (coordinates in the file's own CRS and units)."""

    path: Path
    version: str
    point_format: int
    point_count: int
    mins: tuple[float, float, float]
    maxs: tuple[float, float, float]
    scales: tuple[float, float, float]
    has_gps_time: bool
    compressed: bool
    wkt_bit: bool
    extra_dims: tuple[str, ...] = ()
    """Extra-bytes dimensions as 'name (type)'; MSIP's point schema does not hold them."""
    extra_bytes_vlrs: int = 0
    colours: tuple[str, ...] = ()
    """'RGB' and/or 'NIR' when the point format has them (not stored either)."""
    copc: bool = False

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def area(self) -> float:
        """Header bounding-box area in squared file units (0 for degenerate boxes)."""
        return max(self.maxs[0] - self.mins[0], 0.0) * max(self.maxs[1] - self.mins[1], 0.0)


@dataclass
class PointChunk:
    """A run of points as numpy arrays; x/y/z in the CRS and units of wherever they came from."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    intensity: np.ndarray
    return_number: np.ndarray
    number_of_returns: np.ndarray
    classification: np.ndarray
    gps_time: np.ndarray | None
    withheld: np.ndarray
    overlap: np.ndarray | None = None
    """Overlap points: the overlap flag (point formats 6–10) or class 12 (formats 0–5);
    None: none."""

    def __len__(self) -> int:
        return len(self.x)

    def take(self, mask_or_index: np.ndarray) -> PointChunk:
        """A new chunk with the selected points only."""
        m = mask_or_index
        return PointChunk(
            self.x[m],
            self.y[m],
            self.z[m],
            self.intensity[m],
            self.return_number[m],
            self.number_of_returns[m],
            self.classification[m],
            None if self.gps_time is None else self.gps_time[m],
            self.withheld[m],
            None if self.overlap is None else self.overlap[m],
        )

    @property
    def overlap_mask(self) -> np.ndarray:
        """`overlap` as a boolean array (all False when the chunk has none)."""
        return np.zeros(len(self), dtype=bool) if self.overlap is None else self.overlap


def _xyz(values: Iterable[float]) -> tuple[float, float, float]:
    """A header's (x, y, z) triple as plain floats."""
    x, y, z = (float(v) for v in values)
    return x, y, z


def discover(paths: list[Path | str]) -> list[Path]:
    """The LAS/LAZ files named by `paths` (files, or folders searched recursively), sorted, unique.

    Raises SourceReadError for a path that does not exist, a file that is not .las/.laz, or a
    folder without any LAS/LAZ file.
    """
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            inside = sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in LAS_SUFFIXES
            )
            if not inside:
                raise SourceReadError(
                    f"folder {p} holds no .las or .laz files; point at the LiDAR delivery folder"
                )
            found += inside
        elif p.is_file():
            if p.suffix.lower() not in LAS_SUFFIXES:
                raise SourceReadError(f"{p.name} is not a LAS/LAZ file (expected .las or .laz)")
            found.append(p)
        else:
            raise SourceReadError(f"{p} does not exist; give LAS/LAZ files or folders holding them")
    unique = {f.resolve(): f for f in found}
    return sorted(unique.values(), key=lambda f: str(f.resolve()))


def _open(path: Path, backend=None):
    import laspy

    try:
        return laspy.open(path, laz_backend=backend or laspy.LazBackend.detect_available()[0])
    except Exception as exc:  # noqa: BLE001 - laspy/lazrs raise many types; all mean "unreadable"
        size = path.stat().st_size if path.exists() else 0
        if size == 0:
            raise SourceReadError(
                f"{path.name} is empty (0 bytes); the file was not delivered completely — "
                "copy it again from the source"
            ) from None
        raise SourceReadError(
            f"{path.name} is not a readable LAS/LAZ file ({_why(exc)}); "
            "check that it is LAS 1.0–1.4 or LAZ and was copied completely"
        ) from None


def _why(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def inspect(path: Path) -> tuple[LasInfo, object]:
    """Header facts and the laspy header of `path`; SourceReadError if it is not LAS/LAZ."""
    path = Path(path)
    with _open(path) as reader:
        h = reader.header
        _check_size(path, h)
        info = LasInfo(
            path=path,
            version=f"{h.version.major}.{h.version.minor}",
            point_format=h.point_format.id,
            point_count=int(h.point_count),
            mins=_xyz(h.mins),
            maxs=_xyz(h.maxs),
            scales=_xyz(h.scales),
            has_gps_time="gps_time" in h.point_format.dimension_names,
            compressed=path.suffix.lower() == ".laz" or h.point_format.id >= 128,
            wkt_bit=bool(getattr(h.global_encoding, "wkt", False)),
            extra_dims=_extra_dims(h),
            extra_bytes_vlrs=sum(1 for v in h.vlrs if type(v).__name__ == "ExtraBytesVlr"),
            colours=tuple(
                c
                for c, dim in (("RGB", "red"), ("NIR", "nir"))
                if dim in h.point_format.dimension_names
            ),
            copc=any(type(v).__name__ == "CopcInfoVlr" for v in h.vlrs),
        )
        return info, h


def _extra_dims(header) -> tuple[str, ...]:
    """'name (type)' of each extra-bytes dimension (laspy names an unnamed one 'ExtraBytes')."""
    out = []
    for dim in header.point_format.extra_dimensions:
        kind = getattr(dim, "dtype", None)
        out.append(f"{dim.name} ({kind})" if kind is not None else dim.name)
    return tuple(out)


def _check_size(path: Path, header) -> None:
    """Refuse a file shorter than its header says (cut before its points or its extended VLRs),
    before a half-read VLR is mistaken for a bad CRS."""
    size = path.stat().st_size
    ends = {"its point data starts": int(header.offset_to_point_data)}
    if getattr(header, "number_of_evlrs", 0):
        ends["its extended VLRs (CRS) start"] = int(header.start_of_first_evlr)
    if not (path.suffix.lower() == ".laz" or header.point_format.id >= 128):
        ends["its points end"] = int(header.offset_to_point_data) + int(header.point_count) * int(
            header.point_format.size
        )
    for what, offset in ends.items():
        if offset > size:
            raise SourceReadError(
                f"{path.name} is truncated: the header says {what} at byte {offset}, but the file "
                f"has {size} bytes; nothing of it was loaded — copy the file again from the source"
            )


def read_chunks(path: Path, chunk_points: int) -> Iterator[PointChunk]:
    """Decode `path` `chunk_points` points at a time (x/y/z scaled to file units), in file order.

    Raises SourceReadError (see `read_range`) when the data ends early or cannot be
    decompressed: the caller's transaction then rolls back, so nothing of a broken file is
    half-loaded.
    """
    with _open(Path(path)) as reader:
        expected = int(reader.header.point_count)
    for start in range(0, expected, chunk_points):
        yield read_range(path, start, min(chunk_points, expected - start))


def read_range(path: Path, start: int, count: int, *, threads: bool = True) -> PointChunk:
    """Decode points `start` … `start + count - 1` of `path` (x/y/z scaled to file units).

    LAZ files are entered through their chunk table, so ranges of one file can be decoded by
    several processes at once; `threads=False` decodes on one thread (lazrs without rayon),
    for workers that already run one per core. Raises SourceReadError naming the file and how
    many points were decoded when the range cannot be decoded completely (truncated or damaged).
    """
    path = Path(path)
    backends = _backends(threads)
    with _open(path, backends) as reader:
        expected = int(reader.header.point_count)
        dims = set(reader.header.point_format.dimension_names)
        try:
            table = variable_chunk_table(path, reader.header) if start else None
            if table is not None:  # laspy/lazrs seek wrongly in variable-size chunks (COPC)
                rec = read_variable(path, reader.header, table, start, count)
            else:
                if start:
                    reader.seek(start)
                rec = reader.read_points(count)
            chunk = _chunk(rec, dims)
        except Exception as exc:  # noqa: BLE001 - LazrsError, ValueError …: a damaged file
            raise _truncated(path, start, expected, exc) from None
    if len(chunk) != count:
        raise _truncated(path, start + len(chunk), expected, None)
    return chunk


def _backends(threads: bool):
    import laspy

    available = laspy.LazBackend.detect_available()
    if not threads and laspy.LazBackend.Lazrs in available:
        return laspy.LazBackend.Lazrs
    return available[0]


#: ASPRS class 12 of LAS 1.0–1.3 (point formats 0–5): overlap points (a flag from format 6 on).
OVERLAP_CLASS = 12


def _chunk(rec, dims: set[str]) -> PointChunk:
    """A PointChunk of a laspy point record (x/y/z scaled)."""
    classification = np.asarray(rec.classification, dtype=np.uint8)
    flag = "overlap" in dims  # formats 6–10 flag overlap; older ones use class 12
    overlap = np.asarray(rec.overlap, dtype=bool) if flag else classification == OVERLAP_CLASS
    return PointChunk(
        x=np.asarray(rec.x, dtype=np.float64),
        y=np.asarray(rec.y, dtype=np.float64),
        z=np.asarray(rec.z, dtype=np.float64),
        intensity=np.asarray(rec.intensity, dtype=np.uint16),
        return_number=np.asarray(rec.return_number, dtype=np.uint8),
        number_of_returns=np.asarray(rec.number_of_returns, dtype=np.uint8),
        classification=classification,
        gps_time=np.asarray(rec.gps_time, dtype=np.float64) if "gps_time" in dims else None,
        withheld=np.asarray(rec.withheld, dtype=bool),
        overlap=overlap if overlap.any() else None,
    )


def _truncated(path: Path, read: int, expected: int, exc: BaseException | None) -> SourceReadError:
    why = f" ({_why(exc)})" if exc is not None else ""
    return SourceReadError(
        f"{path.name} is truncated or damaged: decoded {read} of the {expected} points its header "
        f"announces{why}; nothing of it was loaded — copy the file again from the source"
    )
