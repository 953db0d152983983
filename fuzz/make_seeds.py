#!/usr/bin/env python3
"""Writes the fuzz seed corpus (fuzz/seeds/<target>/) from the repository's
fixtures: small cuts of the Tata GeoJSON, CSV and Nord Maroc shapefiles, the
config and scenario files, CRS texts, and small synthetic `.osm.pbf` files
(the fixture extract's blocks are too large to cut). Deterministic; run from
anywhere: python3 fuzz/make_seeds.py
"""

import csv
import io
import json
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIX = os.path.join(ROOT, "fixtures")
OUT = os.path.join(HERE, "seeds")
MAX = 50 * 1024


def fixture(*parts):
    return os.path.join(FIX, *parts)


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    assert len(data) < MAX, (target, name, len(data))
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def load_json(*parts):
    with open(fixture(*parts), encoding="utf-8") as f:
        return json.load(f)


def read(*parts):
    with open(fixture(*parts), "rb") as f:
        return f.read()


def compact(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# --- GeoJSON ---------------------------------------------------------------

def geojson_seeds():
    settlements = load_json("tata", "settlements.geojson")
    facilities = load_json("tata", "facilities.geojson")
    communes = load_json("tata", "communes.geojson")
    fc = lambda feats, **extra: compact({"type": "FeatureCollection", **extra, "features": feats})
    put("geojson", "settlements_12", fc(settlements["features"][:12]))
    put("geojson", "facilities_12", fc(facilities["features"][:12]))
    smallest = sorted(communes["features"], key=lambda f: len(json.dumps(f)))[:2]
    put("geojson", "communes_2", fc(smallest, crs=communes.get("crs")))
    put("geojson", "one_feature", compact(settlements["features"][0]))
    # Projected coordinates declared by the legacy `crs` member (GDAL style).
    put("geojson", "nord_maroc_crs", fc(
        [{"type": "Feature", "id": 7,
          "properties": {"osm_node_id": 1, "NAME": "a", "VALUE": "village", "POPULATION": 120},
          "geometry": {"type": "Point", "coordinates": [262031.5, -141533.2]}},
         {"type": "Feature", "id": "b",
          "properties": {"osm_node_id": 2, "NAME": "b", "VALUE": "hamlet", "POPULATION": "35"},
          "geometry": {"type": "MultiPoint", "coordinates": [[300000, -100000], [300010, -100010]]}}],
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::26191"}}))
    roads = [
        {"type": "Feature", "properties": {"highway": "track", "oneway": "yes", "maxspeed": "30 mph"},
         "geometry": {"type": "LineString", "coordinates": [[-7.9, 29.7], [-7.91, 29.71], [-7.92, 29.7]]}},
        {"type": "Feature", "properties": {"highway": "primary", "oneway": "-1", "maxspeed": "80"},
         "geometry": {"type": "MultiLineString", "coordinates": [[[-7.9, 29.7], [-7.8, 29.8]], [[-7.8, 29.8]]]}},
        {"type": "Feature", "properties": {"highway": "residential"}, "geometry": None},
        {"type": "Feature", "properties": {"highway": "path"},
         "geometry": {"type": "GeometryCollection", "geometries": [
             {"type": "Point", "coordinates": [1, 2]},
             {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]], [[0.2, 0.2], [0.3, 0.2], [0.3, 0.3], [0.2, 0.2]]]}]}},
    ]
    put("geojson", "roads", fc(roads))
    put("geojson", "facility_categories", fc([
        {"type": "Feature", "id": 1, "properties": {"capacity": 12, "TAG": "amenity", "VALUE": "clinic"},
         "geometry": {"type": "Polygon", "coordinates": [[[-7.0, 29.0], [-6.99, 29.0], [-6.99, 29.01], [-7.0, 29.0]]]}},
        {"type": "Feature", "id": 2, "properties": {"capacity": "", "TAG": "power", "VALUE": "line"},
         "geometry": {"type": "LineString", "coordinates": [[-7.0, 29.0], [-6.9, 29.1]]}},
        {"type": "Feature", "id": 3, "properties": {"capacity": -1, "TAG": "amenity", "VALUE": "school"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[[[-7.0, 29.0], [-6.99, 29.0], [-6.99, 29.01], [-7.0, 29.0]]]]}},
    ]))


# --- CSV -------------------------------------------------------------------

def csv_seeds():
    put("csv", "census", read("tata", "census.csv"))
    settlements = load_json("tata", "settlements.geojson")["features"][:25]
    facilities = load_json("tata", "facilities.geojson")["features"][:25]

    def points(feats, lon="lon", lat="lat"):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        keys = list(feats[0]["properties"].keys())
        w.writerow([lon, lat] + keys)
        for f in feats:
            x, y = f["geometry"]["coordinates"]
            w.writerow([x, y] + ["" if f["properties"][k] is None else f["properties"][k] for k in keys])
        return buf.getvalue()

    put("csv", "settlements_points", points(settlements))
    put("csv", "facilities_xy", points(facilities, "X", "Y"))
    put("csv", "odd_values", 'longitude,latitude,code,population_2024,capacity\n'
        '-7.5,29.7,a,12,3\n" -7.6 ",nan,b,-4,\n1e400,29.7,c,1 200,x\ninf,-inf,"d ""q""",,2\n')


# --- Shapefile -------------------------------------------------------------

def cut_shapefile(stem, pick):
    """The records `pick` (indices) of a shapefile, as (.shp, .shx, .dbf)."""
    shp, shx, dbf = (read("tata", "nord_maroc", f"{stem}.{e}") for e in ("shp", "shx", "dbf"))
    n = (len(shx) - 100) // 8
    recs = []
    for i in range(n):
        off, _ = struct.unpack(">ii", shx[100 + 8 * i:108 + 8 * i])
        num, clen = struct.unpack(">ii", shp[2 * off:2 * off + 8])
        recs.append(shp[2 * off + 8:2 * off + 8 + 2 * clen])
    chosen = [recs[i] for i in pick]
    body, index, pos = b"", b"", 50
    for k, c in enumerate(chosen):
        body += struct.pack(">ii", k + 1, len(c) // 2) + c
        index += struct.pack(">ii", pos, len(c) // 2)
        pos += 4 + len(c) // 2
    header = lambda words: shp[:24] + struct.pack(">i", words) + shp[28:100]
    new_shp = header(50 + len(body) // 2) + body
    new_shx = header(50 + len(index) // 2) + index
    hlen, rlen = struct.unpack("<HH", dbf[8:12])
    rows = b"".join(dbf[hlen + i * rlen:hlen + (i + 1) * rlen] for i in pick)
    new_dbf = dbf[:4] + struct.pack("<I", len(pick)) + dbf[8:hlen] + rows + b"\x1a"
    return new_shp, new_shx, new_dbf


def pack_shapefile(shp, shx, dbf, prj=b"", cpg=b""):
    return struct.pack("<4I", len(shp), len(shx), len(dbf), len(prj)) + shp + shx + dbf + prj + cpg


def shapefile_seeds():
    prj = read("tata", "nord_maroc", "settlements.prj")
    cpg = read("tata", "nord_maroc", "settlements.cpg")
    put("shapefile", "settlements_8", pack_shapefile(*cut_shapefile("settlements", range(8)), prj, cpg))
    put("shapefile", "facilities_8", pack_shapefile(*cut_shapefile("facilities", range(8)), prj, cpg))
    shx = read("tata", "nord_maroc", "communes.shx")
    sizes = [struct.unpack(">i", shx[104 + 8 * i:108 + 8 * i])[0] for i in range((len(shx) - 100) // 8)]
    small = sorted(range(len(sizes)), key=lambda i: sizes[i])[:2]
    put("shapefile", "communes_2", pack_shapefile(*cut_shapefile("communes", small), prj, cpg))
    # No .prj and no .cpg (the layer then has no CRS), and an EPSG .prj.
    put("shapefile", "settlements_3_noprj", pack_shapefile(*cut_shapefile("settlements", range(3))))
    put("shapefile", "settlements_3_latin1", pack_shapefile(
        *cut_shapefile("settlements", range(3)), b'PROJCS["Merchich / Nord Maroc",AUTHORITY["EPSG","26191"]]', b"ISO-8859-1"))


# --- OSM PBF ---------------------------------------------------------------

def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def zigzag(v):
    return (v << 1) ^ (v >> 63) if v >= 0 else ((-v) << 1) - 1


def f_bytes(field, data):
    return varint(field << 3 | 2) + varint(len(data)) + data


def f_varint(field, v):
    return varint(field << 3) + varint(v)


def packed(values):
    return b"".join(varint(v) for v in values)


def file_block(kind, data, compress):
    if compress:
        blob = f_varint(2, len(data)) + f_bytes(3, zlib.compress(data, 9))
    else:
        blob = f_bytes(1, data) + f_varint(2, len(data))
    header = f_bytes(1, kind.encode()) + f_varint(3, len(blob))
    return struct.pack(">I", len(header)) + header + blob


class Pbf:
    def __init__(self):
        self.strings = [""]
        self.nodes = b""
        self.dense = []
        self.ways = b""
        self.relations = b""

    def s(self, text):
        if text not in self.strings:
            self.strings.append(text)
        return self.strings.index(text)

    def keys_vals(self, tags):
        if not tags:
            return b""
        return f_bytes(2, packed(self.s(k) for k, _ in tags)) + f_bytes(3, packed(self.s(v) for _, v in tags))

    def node(self, nid, lon, lat, tags=()):
        n = f_varint(1, zigzag(nid)) + self.keys_vals(tags)
        n += f_varint(8, zigzag(round(lat * 1e7))) + f_varint(9, zigzag(round(lon * 1e7)))
        self.nodes += f_bytes(1, n)

    def dense_node(self, nid, lon, lat, tags=()):
        self.dense.append((nid, lon, lat, tags))

    def way(self, wid, refs, tags=()):
        w = f_varint(1, wid) + self.keys_vals(tags)
        last, deltas = 0, []
        for r in refs:
            deltas.append(zigzag(r - last))
            last = r
        w += f_bytes(8, packed(deltas))
        self.ways += f_bytes(3, w)

    def relation(self, rid, members, tags=()):
        r = f_varint(1, rid) + self.keys_vals(tags)
        r += f_bytes(8, packed(self.s(role) for role, _, _ in members))
        last, deltas = 0, []
        for _, mid, _ in members:
            deltas.append(zigzag(mid - last))
            last = mid
        r += f_bytes(9, packed(deltas)) + f_bytes(10, packed(t for _, _, t in members))
        self.relations += f_bytes(4, r)

    def dense_group(self):
        if not self.dense:
            return b""
        ids, lats, lons, kv = [], [], [], []
        pid = plat = plon = 0
        for nid, lon, lat, tags in self.dense:
            la, lo = round(lat * 1e7), round(lon * 1e7)
            ids.append(zigzag(nid - pid)); lats.append(zigzag(la - plat)); lons.append(zigzag(lo - plon))
            pid, plat, plon = nid, la, lo
            for k, v in tags:
                kv += [self.s(k), self.s(v)]
            kv.append(0)
        d = f_bytes(1, packed(ids)) + f_bytes(8, packed(lats)) + f_bytes(9, packed(lons)) + f_bytes(10, packed(kv))
        return f_bytes(2, d)

    def bytes(self, compress=False):
        header = f_bytes(4, b"OsmSchema-V0.6") + f_bytes(4, b"DenseNodes")
        groups = []
        dense = self.dense_group()
        if dense:
            groups.append(dense)
        for g in (self.nodes, self.ways, self.relations):
            if g:
                groups.append(g)
        table = b"".join(f_bytes(1, s.encode()) for s in self.strings)
        block = f_bytes(1, table) + b"".join(f_bytes(2, g) for g in groups)
        block += f_varint(17, 100) + f_varint(19, 0) + f_varint(20, 0)
        return file_block("OSMHeader", header, compress) + file_block("OSMData", block, compress)


def pbf_seeds():
    p = Pbf()
    p.node(1, 9.5, 47.1, [("ford", "yes")])
    p.node(2, 9.501, 47.1)
    p.node(3, 9.502, 47.1, [("place", "village"), ("name", "Vaduz"), ("population", "5 450")])
    p.node(4, 9.5, 47.101, [("amenity", "school"), ("beds", "12")])
    p.node(5, 9.503, 47.1, [("ford", "stepping_stones")])
    p.way(10, [1, 2], [("highway", "track")])
    p.way(11, [2, 3, 99], [("highway", "motorway"), ("maxspeed", "50 mph"),
                           ("motor_vehicle:conditional", "no @ (Nov-Mar)"), ("seasonal", "no")])
    p.way(12, [4, 1, 4], [("highway", "path"), ("ford", "no"), ("junction", "roundabout")])
    p.way(13, [1, 2, 3, 4], [("power", "line")])
    p.way(14, [2, 3, 4, 2], [("amenity", "hospital"), ("name", "Spital")])
    p.relation(20, [("outer", 14, 1), ("", 3, 0)], [("type", "multipolygon")])
    put("pbf", "plain_nodes", p.bytes())
    put("pbf", "plain_nodes_zlib", p.bytes(compress=True))

    d = Pbf()
    d.dense_node(100, -7.9, 29.7, [("place", "hamlet"), ("population", "1,200")])
    d.dense_node(101, -7.91, 29.71)
    d.dense_node(102, -7.92, 29.72, [("man_made", "water_well")])
    d.dense_node(103, -7.93, 29.73, [("power", "substation")])
    d.dense_node(104, 200.0, 95.0, [("place", "village")])
    d.way(200, [100, 101, 102], [("highway", "unclassified"), ("oneway", "-1")])
    d.way(201, [101, 103], [("highway", "residential"), ("oneway", "yes"), ("ford", "yes")])
    d.way(202, [102, 103, 104], [("power", "minor_line")])
    put("pbf", "dense_nodes", d.bytes())
    put("pbf", "dense_nodes_zlib", d.bytes(compress=True))


# --- Config, scenarios, CRS ------------------------------------------------

def readme_config():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    start = text.index("```toml\n[inputs]")
    block = text[start + len("```toml\n"):]
    return block[:block.index("```")]


def config_seeds():
    put("config", "tata", read("tata", "tata.toml"))
    put("config", "tata_nord_maroc", read("tata", "tata_nord_maroc.toml"))
    put("config", "liechtenstein", read("liechtenstein", "liechtenstein.toml"))
    put("config", "readme_all_keys", readme_config())
    put("config", "crs_and_methods", '[inputs]\ncrs = "EPSG:26191"\n'
        '[[inputs.settlements]]\npath = "s.csv"\nlon_field = "X"\nlat_field = "Y"\ncrs = "+proj=longlat +datum=WGS84"\n'
        '[services.health.catchment]\nmethods = ["g2sfca"]\ndecay = "gaussian"\nsigma_min = 15\n'
        '[services.power]\nstraight_line = true\nthreshold_m = 5000\n'
        '[gravity]\nenabled = true\ntransform = "linear"\n[zones]\nrank_by = "hlth_g2sf"\n')


def scenario_seeds():
    for place in ("tata", "liechtenstein"):
        put("scenarios", place, read(place, "scenarios.toml"))
    put("scenarios", "every_kind", '''
[[scenario]]
name = "all"
[[scenario.modification]]
kind = "add_facility"
service = "health"
id = "n1"
lon = -7.7
lat = 29.7
capacity = 2
[[scenario.modification]]
kind = "remove_facilities"
ids = ["a", "b"]
service = "school"
polygon = [[-8, 29], [-7, 29], [-7, 30]]
[[scenario.modification]]
kind = "capacity"
service = "water"
scale = 0.5
[[scenario.modification]]
kind = "close_roads"
crossing = [[-9.5, 47.1], [-9.4, 47.2]]
classes = ["track"]
[[scenario.modification]]
kind = "road_speed"
ids = ["osm:way/1"]
profile = "drive"
factor = 0.5
[[scenario.modification]]
kind = "upgrade_roads"
polygon = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
class = "primary"
[[scenario.modification]]
kind = "add_road"
id = "r1"
class = "track"
line = [[0, 0], [0.1, 0.1]]
join_m = 30
[[scenario.modification]]
kind = "population"
zones = ["09.551.01.07"]
set = 100
[[scenario.modification]]
kind = "season"
name = "dry"
[season.dry]
[[season.dry.modification]]
kind = "road_speed"
polygon = [[0, 0], [1, 0], [1, 1]]
profile = "walk"
kmh = 3
''')


def crs_seeds():
    put("crs", "epsg", "EPSG:26191")
    put("crs", "bare_code", "4326")
    put("crs", "urn", "urn:ogc:def:crs:EPSG::32629")
    put("crs", "crs84", "urn:ogc:def:crs:OGC:1.3:CRS84")
    put("crs", "proj_utm", "+proj=utm +zone=29 +datum=WGS84 +units=m +no_defs")
    put("crs", "proj_lcc", "+proj=lcc +lat_1=33.3 +lat_0=33.3 +lon_0=-5.4 +k_0=0.999625769 "
        "+x_0=500000 +y_0=300000 +a=6378249.2 +b=6356515 +towgs84=31,146,47,0,0,0,0 +units=m +no_defs")
    put("crs", "esri_nord_maroc", read("tata", "nord_maroc", "settlements.prj"))
    put("crs", "esri_utm", 'PROJCS["WGS_1984_UTM_Zone_29N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",'
        'SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],'
        'PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
        'PARAMETER["Central_Meridian",-9.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],'
        'UNIT["Meter",1.0]]')
    put("crs", "ogc_wkt1", 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
        'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0],'
        'UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]')
    put("crs", "wkt2", 'PROJCRS["Merchich / Nord Maroc",BASEGEOGCRS["Merchich",DATUM["Merchich",'
        'ELLIPSOID["Clarke 1880 (IGN)",6378249.2,293.466021293627]]],CONVERSION["Nord Maroc",'
        'METHOD["Lambert Conic Conformal (1SP)"]],CS[Cartesian,2],ID["EPSG",26191]]')
    put("crs", "wkt_no_code", 'PROJCS["Somewhere_Unknown",GEOGCS["GCS_Nowhere"]]')


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    geojson_seeds()
    csv_seeds()
    shapefile_seeds()
    pbf_seeds()
    config_seeds()
    scenario_seeds()
    crs_seeds()
    total = 0
    for d, _, files in os.walk(OUT):
        for f in files:
            total += os.path.getsize(os.path.join(d, f))
    assert total < 2 * 1024 * 1024, total
    print(f"seeds: {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
