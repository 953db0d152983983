"""Byte-level writers for the corpus: ESRI Shapefile (.shp/.shx/.dbf),
a minimal OpenStreetMap PBF encoder, GeoJSON/CSV helpers and a UTM
projection. Python 3 standard library only; every output is deterministic.
"""

import json
import math
import struct
import zlib

# --------------------------------------------------------------------------
# Shapefile

WGS84_PRJ = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,'
    '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)

SHAPE_TYPES = {"null": 0, "point": 1, "polyline": 3, "polygon": 5}


def _shape_content(shape):
    kind = shape[0]
    if kind == "null":
        return struct.pack("<i", 0)
    if kind == "point":
        return struct.pack("<idd", 1, shape[1], shape[2])
    parts = shape[1]
    pts = [p for part in parts for p in part]
    xs = [p[0] for p in pts if math.isfinite(p[0])] or [0.0]
    ys = [p[1] for p in pts if math.isfinite(p[1])] or [0.0]
    out = struct.pack(
        "<i4dii", SHAPE_TYPES[kind], min(xs), min(ys), max(xs), max(ys), len(parts), len(pts)
    )
    start = 0
    for part in parts:
        out += struct.pack("<i", start)
        start += len(part)
    for x, y in pts:
        out += struct.pack("<dd", x, y)
    return out


def _bbox(shapes):
    xs, ys = [], []
    for s in shapes:
        if s[0] == "point":
            pts = [(s[1], s[2])]
        elif s[0] == "null":
            pts = []
        else:
            pts = [p for part in s[1] for p in part]
        for x, y in pts:
            if math.isfinite(x) and math.isfinite(y):
                xs.append(x)
                ys.append(y)
    if not xs:
        return (0.0, 0.0, 0.0, 0.0)
    return (min(xs), min(ys), max(xs), max(ys))


def _main_header(shape_type, length_words, bbox):
    return (
        struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words)
        + struct.pack("<ii", 1000, shape_type)
        + struct.pack("<4d", *bbox)
        + struct.pack("<4d", 0.0, 0.0, 0.0, 0.0)
    )


def shp_shx(shapes, shape_type=None, bbox=None):
    """The .shp and .shx bytes of `shapes` (("point", x, y), ("null",),
    ("polyline", [[(x, y), ...], ...]), ("polygon", [ring, ...]))."""
    if shape_type is None:
        kinds = [s[0] for s in shapes if s[0] != "null"]
        shape_type = SHAPE_TYPES[kinds[0]] if kinds else 1
    if bbox is None:
        bbox = _bbox(shapes)
    records = b""
    index = b""
    offset = 50  # words
    for i, s in enumerate(shapes):
        content = _shape_content(s)
        words = len(content) // 2
        records += struct.pack(">ii", i + 1, words) + content
        index += struct.pack(">ii", offset, words)
        offset += 4 + words
    shp = _main_header(shape_type, 50 + len(records) // 2, bbox) + records
    shx = _main_header(shape_type, 50 + len(index) // 2, bbox) + index
    return shp, shx


def dbf(fields, records, encoding="utf-8", ldid=0x00, nrec=None):
    """dBase III bytes. `fields`: (name, type, length, decimals); values are
    str / int / float / bool / None, or bytes written as they are."""
    nf = len(fields)
    header_len = 32 + 32 * nf + 1
    record_len = 1 + sum(f[2] for f in fields)
    n = len(records) if nrec is None else nrec
    out = struct.pack("<BBBBIHH", 0x03, 124, 1, 1, n, header_len, record_len)
    out += bytes(17) + bytes([ldid]) + bytes(2)
    for name, ftype, length, dec in fields:
        nb = name.encode("ascii")[:10]
        out += nb + bytes(11 - len(nb)) + ftype.encode() + bytes(4) + bytes([length, dec]) + bytes(14)
    out += b"\x0d"
    for rec in records:
        row = b" "
        for (name, ftype, length, dec), v in zip(fields, rec):
            if isinstance(v, bytes):
                b = v
            elif v is None:
                b = b""
            elif ftype == "C":
                b = str(v).encode(encoding)
            elif ftype in "NF":
                if isinstance(v, str):
                    b = v.encode("ascii")
                elif dec:
                    b = f"{v:.{dec}f}".encode()
                else:
                    b = str(int(v)).encode()
                b = b.rjust(length)
            elif ftype == "L":
                b = b"T" if v else b"F"
            else:
                b = str(v).encode(encoding)
            b = b[:length]
            row += b.ljust(length, b" ")
        out += row
    return out + b"\x1a"


def shapefile(stem, shapes, fields, records, encoding="utf-8", ldid=0x00, cpg="UTF-8",
              prj=WGS84_PRJ, shape_type=None, ext=("shp", "shx", "dbf", "prj", "cpg")):
    """Every file of a shapefile as {name: bytes}; `cpg`/`prj` None leaves
    the file out; `ext` renames the extensions (e.g. upper case)."""
    shp, shx = shp_shx(shapes, shape_type)
    files = {
        f"{stem}.{ext[0]}": shp,
        f"{stem}.{ext[1]}": shx,
        f"{stem}.{ext[2]}": dbf(fields, records, encoding, ldid),
    }
    if prj is not None:
        files[f"{stem}.{ext[3]}"] = prj.encode() if isinstance(prj, str) else prj
    if cpg is not None:
        files[f"{stem}.{ext[4]}"] = cpg.encode("utf-8") if isinstance(cpg, str) else cpg
    return files


def read_dbf(data):
    """(fields, records as dicts of text) of a UTF-8 .dbf."""
    nrec, hlen, rlen = struct.unpack("<IHH", data[4:12])
    fields = []
    off = 32
    while data[off] != 0x0D:
        name = data[off:off + 11].split(b"\0")[0].decode()
        fields.append((name, chr(data[off + 11]), data[off + 16], data[off + 17]))
        off += 32
    recs = []
    for i in range(nrec):
        r = data[hlen + i * rlen:hlen + (i + 1) * rlen]
        pos = 1
        vals = {}
        for name, _t, ln, _d in fields:
            vals[name] = r[pos:pos + ln].decode("utf-8").strip()
            pos += ln
        recs.append(vals)
    return fields, recs


def read_shp_points(data):
    pos = 100
    pts = []
    while pos < len(data):
        _recno, clen = struct.unpack(">ii", data[pos:pos + 8])
        x, y = struct.unpack("<dd", data[pos + 12:pos + 28])
        pts.append((x, y))
        pos += 8 + clen * 2
    return pts


# --------------------------------------------------------------------------
# OpenStreetMap PBF (https://wiki.openstreetmap.org/wiki/PBF_Format)

def varint(n):
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return 2 * n if n >= 0 else -2 * n - 1


def f_varint(field, n):
    return varint(field << 3) + varint(n)


def f_sint(field, n):
    return varint(field << 3) + varint(zigzag(n))


def f_bytes(field, b):
    if isinstance(b, str):
        b = b.encode("utf-8")
    return varint(field << 3 | 2) + varint(len(b)) + b


def f_packed(field, values, signed=False):
    body = b"".join(varint(zigzag(v)) if signed else varint(v) for v in values)
    return f_bytes(field, body)


def osm_node(nid, lat, lon, keys, vals):
    """A Node message; lat/lon in granularity units (1e-7 degree)."""
    out = f_sint(1, nid)
    if keys:
        out += f_packed(2, keys) + f_packed(3, vals)
    return out + f_sint(8, lat) + f_sint(9, lon)


def osm_way(wid, keys, vals, refs):
    out = f_varint(1, wid)
    if keys:
        out += f_packed(2, keys) + f_packed(3, vals)
    deltas = []
    prev = 0
    for r in refs:
        deltas.append(r - prev)
        prev = r
    return out + f_packed(8, deltas, signed=True)


class StringTable:
    def __init__(self):
        self.strings = [b""]
        self.index = {b"": 0}

    def __call__(self, s):
        b = s.encode("utf-8") if isinstance(s, str) else s
        if b not in self.index:
            self.index[b] = len(self.strings)
            self.strings.append(b)
        return self.index[b]

    def message(self):
        return b"".join(f_bytes(1, s) for s in self.strings)


def deg(x):
    """Degrees to 1e-7 degree units."""
    return int(round(x * 1e7))


def primitive_block(nodes=(), ways=(), dense=None, granularity=None, raw_group=None):
    """A PrimitiveBlock. `nodes`: (id, lat_deg, lon_deg, tags) with lat/lon
    in degrees or ("raw", lat_units, lon_units); `ways`: (id, tags, refs);
    `dense`: list of nodes written as DenseNodes instead."""
    st = StringTable()

    def units(v):
        return v[1] if isinstance(v, tuple) else deg(v)

    group = b""
    for nid, lat, lon, tags in nodes:
        keys = [st(k) for k, _ in tags]
        vals = [st(v) for _, v in tags]
        group += f_bytes(1, osm_node(nid, units(lat), units(lon), keys, vals))
    if dense:
        ids, lats, lons, kv = [], [], [], []
        pid = plat = plon = 0
        for nid, lat, lon, tags in dense:
            la, lo = units(lat), units(lon)
            ids.append(nid - pid)
            lats.append(la - plat)
            lons.append(lo - plon)
            pid, plat, plon = nid, la, lo
            for k, v in tags:
                kv += [st(k), st(v)]
            kv.append(0)
        msg = f_packed(1, ids, True) + f_packed(8, lats, True) + f_packed(9, lons, True)
        msg += f_packed(10, kv)
        group += f_bytes(2, msg)
    for wid, tags, refs in ways:
        keys = [st(k) for k, _ in tags]
        vals = [st(v) for _, v in tags]
        group += f_bytes(3, osm_way(wid, keys, vals, refs))
    if raw_group is not None:
        group = raw_group(st)
    out = f_bytes(1, st.message()) + f_bytes(2, group)
    if granularity is not None:
        out += f_varint(17, granularity)
    return out


def header_block(dense=False):
    out = f_bytes(4, "OsmSchema-V0.6")
    if dense:
        out += f_bytes(4, "DenseNodes")
    return out + f_bytes(16, "remoteness corpus generator")


def blob(payload, compress=True):
    if compress:
        return f_varint(2, len(payload)) + f_bytes(3, zlib.compress(payload, 9))
    return f_bytes(1, payload)


def fileblock(kind, blob_bytes, datasize=None):
    header = f_bytes(1, kind) + f_varint(3, len(blob_bytes) if datasize is None else datasize)
    return struct.pack(">I", len(header)) + header + blob_bytes


def pbf(nodes=(), ways=(), dense=None, granularity=None, compress=True):
    """A whole .osm.pbf: an OSMHeader block and one OSMData block."""
    data = primitive_block(nodes, ways, dense, granularity)
    return fileblock("OSMHeader", blob(header_block(bool(dense)), compress)) + fileblock(
        "OSMData", blob(data, compress)
    )


# --------------------------------------------------------------------------
# Text formats

def geojson(features, extra=None):
    """A FeatureCollection, one feature per line. `features`: (properties,
    geometry) pairs or already-built dicts."""
    head = {"type": "FeatureCollection"}
    if extra:
        head.update(extra)
    lines = []
    for f in features:
        if isinstance(f, tuple):
            props, geom = f
            f = {"type": "Feature", "properties": props, "geometry": geom}
        lines.append(json.dumps(f, ensure_ascii=False))
    head_text = json.dumps(head, ensure_ascii=False)[:-1]
    return (head_text + ', "features": [\n' + ",\n".join(lines) + "\n]}\n").encode("utf-8")


def point(lon, lat):
    return {"type": "Point", "coordinates": [lon, lat]}


def csv_text(header, rows, sep=",", eol="\n"):
    def cell(v):
        if v is None:
            return ""
        s = v if isinstance(v, str) else repr(v) if isinstance(v, float) else str(v)
        if any(c in s for c in (sep, '"', "\n", "\r")):
            s = '"' + s.replace('"', '""') + '"'
        return s

    lines = [sep.join(header)] + [sep.join(cell(v) for v in r) for r in rows]
    return (eol.join(lines) + eol).encode("utf-8")


# --------------------------------------------------------------------------
# UTM (Krüger series, WGS 84), for a layer in EPSG:326xx

def utm(lon, lat, zone):
    a = 6378137.0
    f = 1 / 298.257223563
    k0 = 0.9996
    n = f / (2 - f)
    big_a = a / (1 + n) * (1 + n * n / 4 + n ** 4 / 64)
    alpha = [n / 2 - 2 / 3 * n * n + 5 / 16 * n ** 3, 13 / 48 * n * n - 3 / 5 * n ** 3, 61 / 240 * n ** 3]
    e = math.sqrt(f * (2 - f))
    phi = math.radians(lat)
    lam = math.radians(lon) - math.radians(-183 + 6 * zone)
    t = math.sinh(math.atanh(math.sin(phi)) - e * math.atanh(e * math.sin(phi)))
    xi = math.atan2(t, math.cos(lam))
    eta = math.atanh(math.sin(lam) / math.sqrt(1 + t * t))
    x = eta + sum(alpha[j] * math.cos(2 * (j + 1) * xi) * math.sinh(2 * (j + 1) * eta) for j in range(3))
    y = xi + sum(alpha[j] * math.sin(2 * (j + 1) * xi) * math.cosh(2 * (j + 1) * eta) for j in range(3))
    return 500000 + k0 * big_a * x, k0 * big_a * y
