#!/usr/bin/env python3
"""Builds a large synthetic OSM extract from the bundled Liechtenstein one.

The extract is laid out as a `cols` x `rows` grid of tiles, each a copy of
Liechtenstein shifted by whole tile widths (0.17 deg of longitude, 0.23 deg
of latitude: the extract's data spans 0.165 x 0.224 deg), with every id
moved up by `tile * 10**11` (OSM ids are below 10**11, so ids stay unique
and each tile keeps the file's order). Neighbouring tiles are joined into
one network by a `highway=primary` way from the easternmost (northernmost)
node of the largest connected piece of road of one tile to the westernmost
(southernmost) one of the next. Nodes, then ways, then relations, each in id order: a sorted file.

    benches/osm_tiles/make.py COLS ROWS OUT.osm.pbf

The issue's three sizes: 3 x 3 (about 12 MB), 7 x 7 (about 61 MB) and
12 x 12 (about 180 MB). Needs osmium-tool (to read and write the PBF).
"""

import os
import subprocess
import sys

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures",
                   "liechtenstein", "liechtenstein.osm.pbf")
STEP = 10**11
DX, DY = 0.17, 0.23
# Road classes every default profile uses (the joins must be drivable).
ROADS = {"motorway", "trunk", "primary", "secondary", "tertiary",
         "unclassified", "residential", "service", "track", "living_street",
         "motorway_link", "trunk_link", "primary_link", "secondary_link",
         "tertiary_link", "road"}


def fields(line):
    """The OPL line's fields by their one-letter key."""
    return {f[0]: f[1:] for f in line.split(" ")}


def main():
    cols, rows, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    opl = subprocess.run(
        ["osmium", "cat", "-f", "opl,add_metadata=false", SRC, "-o", "-"],
        check=True, capture_output=True, text=True).stdout.splitlines()
    nodes, ways, rels = [], [], []
    for line in opl:
        f = fields(line)
        if line[0] == "n":
            nodes.append((int(f["n"]), f["T"], float(f["x"]), float(f["y"])))
        elif line[0] == "w":
            refs = [int(r[1:]) for r in f["N"].split(",") if r]
            ways.append((int(f["w"]), f["T"], refs))
        else:
            mem = []
            for m in f["M"].split(","):
                if m:
                    kind, rest = m[0], m[1:]
                    mid, role = rest.split("@", 1)
                    mem.append((kind, int(mid), role))
            rels.append((int(f["r"]), f["T"], mem))
    pos = {n[0]: (n[2], n[3]) for n in nodes}
    # The road nodes of the largest connected piece of road (union-find).
    parent = {}

    def root(n):
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for _, tags, refs in ways:
        if not any(t.startswith("highway=") and t[8:] in ROADS for t in tags.split(",")):
            continue
        refs = [r for r in refs if r in pos]
        for r in refs:
            parent.setdefault(r, r)
        for a, b in zip(refs, refs[1:]):
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    pieces = {}
    for n in parent:
        pieces.setdefault(root(n), []).append(n)
    road_nodes = max(pieces.values(), key=len)
    east = max(road_nodes, key=lambda n: (pos[n][0], n))
    west = min(road_nodes, key=lambda n: (pos[n][0], n))
    north = max(road_nodes, key=lambda n: (pos[n][1], n))
    south = min(road_nodes, key=lambda n: (pos[n][1], n))
    tiles = [(c, r) for r in range(rows) for c in range(cols)]
    proc = subprocess.Popen(
        ["osmium", "cat", "-F", "opl", "-", "-o", out, "-O",
         "--output-header=generator=remoteness benches/osm_tiles"],
        stdin=subprocess.PIPE, text=True)
    w = proc.stdin
    for k, (c, r) in enumerate(tiles):
        off, dx, dy = k * STEP, c * DX, r * DY
        w.writelines(f"n{i + off} T{t} x{x + dx:.7f} y{y + dy:.7f}\n"
                     for i, t, x, y in nodes)
    for k, _ in enumerate(tiles):
        off = k * STEP
        w.writelines(f"w{i + off} T{t} N{','.join(f'n{n + off}' for n in refs)}\n"
                     for i, t, refs in ways)
    # The joins: ids past every tile's.
    jid = len(tiles) * STEP
    for k, (c, r) in enumerate(tiles):
        if c + 1 < cols:
            w.write(f"w{jid} Thighway=primary Nn{east + k * STEP},n{west + (k + 1) * STEP}\n")
            jid += 1
        if r + 1 < rows:
            w.write(f"w{jid} Thighway=primary Nn{north + k * STEP},n{south + (k + cols) * STEP}\n")
            jid += 1
    for k, _ in enumerate(tiles):
        off = k * STEP
        w.writelines(
            f"r{i + off} T{t} M{','.join(f'{kind}{m + off}@{role}' for kind, m, role in mem)}\n"
            for i, t, mem in rels)
    w.close()
    if proc.wait() != 0:
        sys.exit("osmium failed")


if __name__ == "__main__":
    main()
