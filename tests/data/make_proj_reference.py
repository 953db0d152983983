"""Reference coordinates from PROJ (through GDAL's gdaltransform) for the
CRSs planners in Morocco and Algeria use. For each CRS, 300 seeded points
inside its area of use (EPSG bounding box; UTM zones cut to 18-38 N) are
projected from WGS 84, and the projected coordinates transformed back to
WGS 84 by PROJ: the engine must give the same longitude/latitude from the
projected ones (tests/it/crs.rs). Run: python3 tests/data/make_proj_reference.py
"""
import random
import subprocess
import sys
from pathlib import Path

# EPSG code: (south, west, north, east) from the EPSG area of use.
AREAS = {
    26191: (31.49, -9.85, 35.97, -1.01),   # Merchich / Nord Maroc
    26192: (27.66, -13.24, 31.51, -3.59),  # Merchich / Sud Maroc
    30729: (25.73, -8.67, 29.85, -6.0),    # Nord Sahara 1959 / UTM 29N
    30730: (21.82, -6.0, 37.01, 0.0),      # Nord Sahara 1959 / UTM 30N
    30731: (18.97, 0.0, 38.77, 6.01),      # Nord Sahara 1959 / UTM 31N
    30732: (19.6, 6.0, 38.8, 11.99),       # Nord Sahara 1959 / UTM 32N
    32629: (18.0, -12.0, 38.0, -6.0),      # WGS 84 / UTM 29N
    32630: (18.0, -6.0, 38.0, 0.0),        # WGS 84 / UTM 30N
    32631: (18.0, 0.0, 38.0, 6.0),         # WGS 84 / UTM 31N
    32632: (18.0, 6.0, 38.0, 12.0),        # WGS 84 / UTM 32N
}
N = 300


def gdaltransform(src, dst, pts):
    text = "".join(f"{x!r} {y!r}\n" for x, y in pts)
    out = subprocess.run(
        ["gdaltransform", "-s_srs", src, "-t_srs", dst, "-output_xy"],
        input=text, capture_output=True, text=True, check=True,
    ).stdout
    return [tuple(map(float, line.split())) for line in out.strip().splitlines()]


def main():
    rng = random.Random(20261122)
    rows = ["epsg,x,y,lon,lat"]
    for code, (s, w, n, e) in AREAS.items():
        lonlat = [(rng.uniform(w, e), rng.uniform(s, n)) for _ in range(N)]
        # gdaltransform takes and gives coordinates in GIS order (lon, lat).
        xy = gdaltransform("EPSG:4326", f"EPSG:{code}", lonlat)
        back = gdaltransform(f"EPSG:{code}", "+proj=longlat +datum=WGS84", xy)
        for (x, y), (lon, lat) in zip(xy, back):
            rows.append(f"{code},{x:.4f},{y:.4f},{lon:.10f},{lat:.10f}")
    out = Path(__file__).with_name("proj_reference.csv")
    out.write_text("\n".join(rows) + "\n")
    print(f"wrote {len(rows) - 1} points to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
