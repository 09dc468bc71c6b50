"""Test-only OpenStreetMap PBF helpers: move a real extract elsewhere, or write a few tagged nodes.

`relocate_pbf` shifts every coordinate of a .osm.pbf by whole nanodegrees through the
PrimitiveBlocks' lat_offset/lon_offset (and the header bbox), so a real foreign extract
(Helsinki) can be loaded "in Kielce" with its ids, tags and shapes intact. `write_nodes_pbf`
writes nodes with tags (DenseNodes, zlib). Both speak the PBF wire format with the stdlib only
(https://wiki.openstreetmap.org/wiki/PBF_Format); not product code.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

NANO = 1_000_000_000


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 63)


def _unzigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _bytes_field(number: int, payload: bytes) -> bytes:
    return _key(number, 2) + _varint(len(payload)) + payload


def _int_field(number: int, value: int) -> bytes:
    return _key(number, 0) + _varint(value)


def _read_varint(data: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def _fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of a protobuf message."""
    i = 0
    while i < len(data):
        key, i = _read_varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _read_varint(data, i)
            yield number, wire, value
        elif wire == 2:
            size, i = _read_varint(data, i)
            yield number, wire, data[i:i + size]
            i += size
        elif wire == 1:
            yield number, wire, data[i:i + 8]
            i += 8
        elif wire == 5:
            yield number, wire, data[i:i + 4]
            i += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")


def _encode(fields: list[tuple[int, int, int | bytes]]) -> bytes:
    out = bytearray()
    for number, wire, value in fields:
        if wire == 0:
            out += _int_field(number, int(value))  # type: ignore[arg-type]
        elif wire == 2:
            out += _bytes_field(number, bytes(value))  # type: ignore[arg-type]
        else:
            out += _key(number, wire) + bytes(value)  # type: ignore[arg-type]
    return bytes(out)


def _blocks(data: bytes) -> Iterator[tuple[str, bytes]]:
    """(type, decompressed block) of each blob of a PBF file."""
    p = 0
    while p < len(data):
        (size,) = struct.unpack(">I", data[p:p + 4])
        header = {n: v for n, _, v in _fields(data[p + 4:p + 4 + size])}
        p += 4 + size
        blob = {n: v for n, _, v in _fields(data[p:p + int(header[3])])}  # type: ignore[arg-type]
        p += int(header[3])  # type: ignore[arg-type]
        raw = zlib.decompress(blob[3]) if 3 in blob else blob[1]  # type: ignore[arg-type]
        yield bytes(header[1]).decode(), bytes(raw)  # type: ignore[arg-type]


def _blob(kind: str, block: bytes) -> bytes:
    blob = _int_field(2, len(block)) + _bytes_field(3, zlib.compress(block, 6))
    header = _bytes_field(1, kind.encode()) + _int_field(3, len(blob))
    return struct.pack(">I", len(header)) + header + blob


def relocate_pbf(src: Path, dst: Path, *, dlon_deg: float, dlat_deg: float) -> Path:
    """Copy `src` to `dst` with every coordinate shifted by (dlon_deg, dlat_deg); ids and tags unchanged."""
    dlon, dlat = round(dlon_deg * NANO), round(dlat_deg * NANO)
    out = bytearray()
    for kind, block in _blocks(Path(src).read_bytes()):
        fields = list(_fields(block))
        if kind == "OSMHeader":
            fields = [(n, w, _shift_bbox(v, dlon, dlat) if n == 1 else v) for n, w, v in fields]  # type: ignore[arg-type]
        elif kind == "OSMData":
            offsets = {n: v for n, _, v in fields if n in (19, 20)}
            fields = [f for f in fields if f[0] not in (19, 20)]
            fields += [(19, 0, _zigzag_free(int(offsets.get(19, 0)) + dlat)),  # type: ignore[arg-type]
                       (20, 0, _zigzag_free(int(offsets.get(20, 0)) + dlon))]  # type: ignore[arg-type]
        out += _blob(kind, _encode(fields))
    Path(dst).write_bytes(bytes(out))
    return Path(dst)


def _zigzag_free(value: int) -> int:
    """lat_offset/lon_offset are int64 (two's complement varints, not zigzag)."""
    return value & ((1 << 64) - 1)


def _shift_bbox(bbox: bytes, dlon: int, dlat: int) -> bytes:
    # HeaderBBox: left, right (lon), top, bottom (lat) as sint64 nanodegrees
    shift = {1: dlon, 2: dlon, 3: dlat, 4: dlat}
    return _encode([(n, 0, _zigzag(_unzigzag(int(v)) + shift[n])) for n, _, v in _fields(bbox)])  # type: ignore[arg-type]


def write_nodes_pbf(path: Path, nodes: list[tuple[int, float, float, dict[str, str]]]) -> Path:
    """A .osm.pbf holding just `nodes`: (id, lon, lat, tags) each, in DenseNodes."""
    strings: dict[str, int] = {"": 0}

    def index(text: str) -> int:
        return strings.setdefault(text, len(strings))

    ids, lats, lons, keys_vals = [], [], [], []
    last = (0, 0, 0)
    for node_id, lon, lat, tags in nodes:
        ilat, ilon = round(lat * 1e7), round(lon * 1e7)  # granularity 100 nanodegrees
        ids.append(_zigzag(node_id - last[0]))
        lats.append(_zigzag(ilat - last[1]))
        lons.append(_zigzag(ilon - last[2]))
        last = (node_id, ilat, ilon)
        for k, v in tags.items():
            keys_vals += [index(k), index(v)]
        keys_vals.append(0)
    packed = [b"".join(_varint(v) for v in values) for values in (ids, lats, lons, keys_vals)]
    dense = (_bytes_field(1, packed[0]) + _bytes_field(8, packed[1]) + _bytes_field(9, packed[2])
             + _bytes_field(10, packed[3]))
    table = b"".join(_bytes_field(1, s.encode()) for s in strings)
    block = _bytes_field(1, table) + _bytes_field(2, _bytes_field(2, dense)) + _int_field(17, 100)
    lon_all, lat_all = [n[1] for n in nodes], [n[2] for n in nodes]
    bbox = _encode([(1, 0, _zigzag(round(min(lon_all) * NANO))), (2, 0, _zigzag(round(max(lon_all) * NANO))),
                    (3, 0, _zigzag(round(max(lat_all) * NANO))), (4, 0, _zigzag(round(min(lat_all) * NANO)))])
    header = (_bytes_field(1, bbox) + _bytes_field(4, b"OsmSchema-V0.6") + _bytes_field(4, b"DenseNodes")
              + _bytes_field(16, b"msip-tests"))
    Path(path).write_bytes(_blob("OSMHeader", header) + _blob("OSMData", block))
    return Path(path)


#: Centre of Helsinki.osm.pbf's header bbox (lon 24.9352–24.9534, lat 60.1642–60.1791), degrees.
HELSINKI_CENTRE = (24.9443, 60.17165)


def relocated_helsinki(shared_data: Path, dst: Path, *, easting: float = 614_500, northing: float = 335_000) -> Path:
    """A copy of shared_data/osm/Helsinki.osm.pbf whose centre lies at (easting, northing) in EPSG:2180
    (default: Kielce's centre), ids and tags unchanged."""
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(2180, 4326, always_xy=True).transform(easting, northing)
    return relocate_pbf(shared_data / "osm" / "Helsinki.osm.pbf", dst, dlon_deg=lon - HELSINKI_CENTRE[0],
                        dlat_deg=lat - HELSINKI_CENTRE[1])
