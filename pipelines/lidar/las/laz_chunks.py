"""Reading a range of points from a LAZ file with variable-size chunks (COPC and some writers).

laspy/lazrs 2.7 seek such files as if every chunk had the first one's size and return wrong
points (all of 1.2-with-color.copc.laz after point 17): here the chunk table says where each
chunk starts, and only the chunks holding the range are decompressed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: LAZ chunk size meaning "variable-size chunks" (COPC and some writers): point counts per chunk
#: are in the chunk table.
VARIABLE_CHUNKS = 0xFFFFFFFF


def variable_chunk_table(path: Path, header) -> list[tuple[int, int]] | None:
    """(points, bytes) of each chunk of a LAZ file with variable-size chunks, else None."""
    import lazrs  # type: ignore[import-untyped]

    vlr = next((v for v in header.vlrs if type(v).__name__ == "LasZipVlr"), None)
    if vlr is None or lazrs.LazVlr(vlr.record_data).chunk_size() != VARIABLE_CHUNKS:
        return None
    with open(path, "rb") as f:
        f.seek(int(header.offset_to_point_data))
        return [(int(n), int(b)) for n, b in lazrs.read_chunk_table(f, lazrs.LazVlr(vlr.record_data))]


def read_variable(path: Path, header, table: list[tuple[int, int]], start: int, count: int):
    """Points start … start + count - 1 of a LAZ with variable-size chunks: the chunks holding
    them are decompressed on their own (their byte offsets from the chunk table)."""
    import laspy
    import lazrs

    points = np.cumsum([0] + [n for n, _ in table])
    offsets = int(header.offset_to_point_data) + 8 + np.cumsum([0] + [b for _, b in table])
    first = int(np.searchsorted(points, start, side="right")) - 1
    last = int(np.searchsorted(points, start + count - 1, side="right")) - 1
    last = min(last, len(table) - 1)
    with open(path, "rb") as f:
        f.seek(int(offsets[first]))
        data = f.read(int(offsets[last + 1] - offsets[first]))
    n = int(points[last + 1] - points[first])
    out = np.zeros(n * header.point_format.size, dtype=np.uint8)
    vlr = next(v for v in header.vlrs if type(v).__name__ == "LasZipVlr")
    selection = laspy.DecompressionSelection.all().to_lazrs()
    lazrs.decompress_points_with_chunk_table(data, vlr.record_data, out, table[first : last + 1], selection)
    rec = laspy.PackedPointRecord.from_buffer(out, header.point_format)
    scaled = laspy.ScaleAwarePointRecord(rec.array, rec.point_format, header.scales, header.offsets)
    skip = start - int(points[first])
    return scaled[skip : skip + count]
