"""Loads every output layer of a remoteness run in QGIS with its .qml style,
renders each to PNG and checks what QGIS reports about it.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 check.py OUT_DIR RENDER_DIR [--nested ZONE_ID]

OUT_DIR is a `remoteness run` output folder; RENDER_DIR receives one PNG per
layer and format. With --nested, ZONE_ID is a zone lying inside another: the
render of the zones must show it (its own colour at its centre, not the
large zone's). Prints one line per check and exits non-zero on the first
failed one.
"""
import json
import os
import re
import sys

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsLayerTreeLayer,
    QgsLayerTreeModel,
    QgsLayerTree,
    QgsMapRendererCustomPainterJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
    QgsWkbTypes,
    NULL,
)
from qgis.PyQt.QtCore import QSize, Qt, QVariant
from qgis.PyQt.QtGui import QColor, QImage, QPainter

out, renders = sys.argv[1], sys.argv[2]
nested = sys.argv[sys.argv.index("--nested") + 1] if "--nested" in sys.argv else None
os.makedirs(renders, exist_ok=True)
app = QgsApplication([], False)
app.initQgis()
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


RAMP = [(26, 150, 65), (166, 217, 106), (255, 255, 191), (253, 174, 97), (215, 25, 28)]
run = json.load(open(os.path.join(out, "run.json")))


def load(name, ext):
    path = os.path.join(out, f"{name}.{ext}")
    if ext == "csv":
        uri = f"file://{path}?type=csv&xField=lon&yField=lat&crs=EPSG:4326&detectTypes=no"
        layer = QgsVectorLayer(uri, name, "delimitedtext")
        # The delimited-text provider reads no .csvt: OGR (the CSV driver) does.
        ogr = QgsVectorLayer(path, name + "_ogr", "ogr")
        return layer, ogr
    layer = QgsVectorLayer(path, name, "ogr")
    return layer, None


def render(layer, png, extent=None):
    s = QgsMapSettings()
    s.setLayers([layer])
    s.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    s.setExtent(extent or layer.extent())
    s.setOutputSize(QSize(800, 800))
    s.setBackgroundColor(QColor(255, 255, 255))
    img = QImage(s.outputSize(), QImage.Format_ARGB32)
    img.fill(QColor(255, 255, 255))
    p = QPainter(img)
    job = QgsMapRendererCustomPainterJob(s, p)
    job.start()
    job.waitForFinished()
    p.end()
    img.save(os.path.join(renders, png))
    return img, s


def legend_texts(layer):
    """What the layer tree (the legend panel) shows for the layer."""
    root = QgsLayerTree()
    node = root.addLayer(layer)
    model = QgsLayerTreeModel(root)
    texts = []
    for n in model.layerLegendNodes(node):
        texts.append(n.data(Qt.DisplayRole))
    return texts


def field_types(layer):
    return {f.name(): f.type() for f in layer.fields()}


def rules(layer):
    r = layer.renderer()
    if r.type() != "RuleRenderer":
        return None, []
    top = r.rootRule().children()
    return top, [c for t in top for c in t.children()]


styles = {}
for name in ["settlements", "zones", "facilities"]:
    layer, ogr = load(name, "geojson")
    check(layer.isValid(), f"{name}.geojson loads")
    msg, ok = layer.loadNamedStyle(os.path.join(out, f"{name}.qml"))
    check(ok, f"{name}.qml loads ({msg})")
    r = layer.renderer()
    print(f"     {name}: renderer {r.type()}, {layer.featureCount()} features")
    legend = legend_texts(layer)
    print(f"     {name}: legend {legend}")
    img, _ = render(layer, f"{name}.png")
    styles[name] = (layer, legend)

    # Field types: the .csvt makes OGR read the CSV with the GeoJSON's types,
    # and columns null in every row keep their type.
    csv = os.path.join(out, f"{name}.csv")
    check(os.path.exists(csv + "t"), f"{name}.csvt exists")
    ogr = QgsVectorLayer(csv, name + "_csv", "ogr")
    check(ogr.isValid(), f"{name}.csv loads through OGR")
    gt, ct = field_types(layer), field_types(ogr)
    declared = open(csv + "t").read().strip().split(",")
    want = {'"String"': QVariant.String, '"Integer"': QVariant.Int, '"Real"': QVariant.Double,
            '"Integer(Boolean)"': QVariant.Bool}
    names = [f.name() for f in ogr.fields()]
    off = {n: (d, ct[n]) for n, d in zip(names, declared) if want[d] != ct[n]
           and not (d == '"Integer"' and ct[n] == QVariant.LongLong)}
    check(len(declared) == len(names) and not off, f"{name}.csv: OGR reads the .csvt types {off}")
    # GeoJSON has no schema: OGR reads a property that is null in every
    # feature as a string; every other column has the CSV's type.
    empty = {f.name() for f in layer.fields()
             if all(x in (None, NULL) for x in layer.uniqueValues(layer.fields().indexOf(f.name())))}
    diff = {k: (gt.get(k), ct.get(k)) for k in gt if k not in empty and gt.get(k) != ct.get(k)
            and {gt.get(k), ct.get(k)} != {QVariant.Int, QVariant.LongLong}}
    check(not diff, f"{name}: GeoJSON field types equal the CSV's {diff}")
    if empty:
        print(f"     {name}: null in every feature (GeoJSON reads them as {set(gt[k] for k in empty)}): {sorted(empty)}")
    wrong = [k for k, t in gt.items() if t == QVariant.String and k in ("rank", "pop", "composite", "n_settl", "capacity", "pop_reach", "lon", "lat")]
    check(not wrong, f"{name}: numeric fields read as numbers {wrong}")
    if name != "zones":
        ogr.loadNamedStyle(os.path.join(out, f"{name}.qml"))
        render(ogr, f"{name}_csv.png")

# 1-3: settlements and zones: rule-based, a title rule, classes, no data.
for name in ["settlements", "zones"]:
    layer, legend = styles[name]
    top, classes = rules(layer)
    check(layer.renderer().type() == "RuleRenderer", f"{name}: rule-based renderer")
    if top is None:
        continue
    title = top[0].label()
    print(f"     {name}: legend title {title!r}")
    check(len(top) == 1 and top[0].symbol() is None, f"{name}: one title rule without symbol")
    check(title in legend, f"{name}: the legend shows the title")
    check(classes[-1].isElse() and classes[-1].label().startswith("no data"),
          f"{name}: last class is ELSE 'no data'")
    nds = classes[-1].symbol()
    nd = nds.symbolLayer(nds.symbolLayerCount() - 1).color()
    check(nd.red() == nd.green() == nd.blue(), f"{name}: no data is grey")
    if name == "zones":
        check(any(classes[-1].symbol().symbolLayer(i).brushStyle() != Qt.SolidPattern
                  for i in range(classes[-1].symbol().symbolLayerCount())),
              "zones: no data is hatched")
    # Every feature without data falls in no data, no feature with data does.
    ctx_fields = layer.fields()
    from qgis.core import QgsExpressionContext, QgsExpressionContextUtils, QgsRenderContext
    ctx = QgsRenderContext()
    ctx.expressionContext().appendScope(QgsExpressionContextUtils.layerScope(layer))
    rr = layer.renderer().clone()
    rr.startRender(ctx, ctx_fields)
    bad, nodata = [], 0
    for f in layer.getFeatures():
        ctx.expressionContext().setFeature(f)
        keys = sorted(k for k in rr.legendKeysForFeature(f, ctx) if k not in ("root", "title"))
        if name == "settlements":
            missing = f["composite"] in (None, NULL)
        else:
            missing = not (f["n_settl"] not in (None, NULL) and f["pop"] not in (None, NULL)
                           and f["n_settl"] > 0 and f["pop"] > 0)
        got_nd = keys == ["nodata"]
        nodata += got_nd
        if len(keys) != 1 or missing != got_nd:
            bad.append((f.id(), keys, missing))
    rr.stopRender(ctx)
    check(not bad, f"{name}: each feature has one class, no data exactly when missing ({nodata} no data) {bad[:3]}")

zl, _ = styles["zones"]
zr = zl.renderer()
check(zr.orderByEnabled() and "area" in zr.orderBy().dump() and "DESC" in zr.orderBy().dump(),
      f"zones: drawn largest first ({zr.orderBy().dump()})")
_, zclasses = rules(zl)
check(all(c.symbol().symbolLayer(c.symbol().symbolLayerCount() - 1).strokeStyle() != Qt.NoPen
          for c in zclasses), "zones: every class has an outline")
check(zl.labelsEnabled() and zl.labeling() is not None
      and zl.labeling().settings().fieldName == "name", "zones: labelled with their name")
rank_alias = zl.attributeAlias(zl.fields().indexOf("rank"))
rank_by = run["measures"]["rank_by"] if "measures" in run else "composite"
print(f"     zones: rank alias {rank_alias!r}, rank_by {rank_by!r}")
if rank_by == "composite":
    check("burden" in rank_alias and "burden" in zclasses[0].parent().label(), "zones: rank title says burden")
else:
    check(rank_by in rank_alias and rank_by in zclasses[0].parent().label(), "zones: rank title names rank_by")

# 4: facilities: every service, shapes and neutral colours.
fl, flegend = styles["facilities"]
fr = fl.renderer()
check(fr.type() == "categorizedSymbol", "facilities: categorized by service")
cats = [c.value() for c in fr.categories()]
services = [s["service"] for s in run["services"]] if isinstance(run.get("services"), list) else None
present = sorted({f["service"] for f in fl.getFeatures()})
print(f"     facilities: categories {cats}, services in the layer {present}, run.json services {services}")
if services:
    check(sorted(services) == present, "facilities: every service's facilities are in the layer")
check(sorted(cats) == present, "facilities: one category per service present")
shapes = [c.symbol().symbolLayer(0).shape() for c in fr.categories()]
from qgis.core import QgsSimpleMarkerSymbolLayerBase as M
check(M.Circle not in shapes and len(set(shapes)) == len(shapes), f"facilities: distinct non-circle shapes {shapes}")
def far(c):
    return all(sum((a - b) ** 2 for a, b in zip((c.red(), c.green(), c.blue()), r)) > 60 ** 2 for r in RAMP)
check(all(far(c.symbol().color()) for c in fr.categories()), "facilities: no colour near a score colour")

# The nested zone stays visible: its centre shows its own fill, not the
# large zone's.
if nested:
    z = [f for f in zl.getFeatures() if f["zone_id"] == nested][0]
    c = z.geometry().pointOnSurface().asPoint()
    outer = [f for f in zl.getFeatures() if f["zone_id"] != nested
             and f.geometry().contains(z.geometry().pointOnSurface())][0]
    img, s = render(zl, "zones_nested.png", z.geometry().boundingBox().buffered(0.05))
    px = s.mapToPixel().transform(QgsPointXY(c.x(), c.y()))
    got = QColor(img.pixel(int(px.x()), int(px.y())))
    ctx = QgsRenderContext()
    rr = zl.renderer().clone()
    rr.startRender(ctx, zl.fields())
    ctx.expressionContext().setFeature(outer)
    key = [k for k in rr.legendKeysForFeature(outer, ctx) if k not in ("root", "title")][0]
    rr.stopRender(ctx)
    rule = zl.renderer().rootRule().findRuleByKey(key)
    want = rule.symbol().symbolLayer(rule.symbol().symbolLayerCount() - 1).color()
    d = abs(got.red() - want.red()) + abs(got.green() - want.green()) + abs(got.blue() - want.blue())
    print(f"     nested zone {nested}: pixel {got.name()}, the zone around it ({outer['zone_id']}) {want.name()}")
    check(d > 60, "zones: the nested zone is drawn over the large one")

# 5: catchment polygons (when the run wrote them): one group per service
# and scope under a title, only the first switched on, thresholds graded.
cpath = os.path.join(out, "catchments.geojson")
if os.path.exists(cpath):
    cl, _ = load("catchments", "geojson")
    check(cl.isValid(), "catchments.geojson loads")
    msg, ok = cl.loadNamedStyle(os.path.join(out, "catchments.qml"))
    check(ok, f"catchments.qml loads ({msg})")
    check(cl.renderer().type() == "RuleRenderer", "catchments: rule-based renderer")
    top = cl.renderer().rootRule().children()
    groups = top[0].children() if top else []
    print(f"     catchments: {cl.featureCount()} polygons, groups {[g.label() for g in groups]}")
    check(len(top) == 1 and top[0].symbol() is None, "catchments: one title rule without symbol")
    check(groups and groups[0].active() and not any(g.active() for g in groups[1:]),
          "catchments: only the first group is on")
    present = sorted({(f["service"], f["scope"]) for f in cl.getFeatures()})
    check(len(groups) == len(present), f"catchments: a group per service and scope {present}")
    alphas = [[c.symbol().symbolLayer(0).color().alpha() for c in g.children()] for g in groups]
    check(all(a == sorted(a, reverse=True) and len(set(a)) == len(a) for a in alphas),
          f"catchments: fills more transparent as the threshold grows {alphas}")
    # Every polygon falls in exactly one threshold rule of its group.
    from qgis.core import QgsRenderContext, QgsExpressionContextUtils
    ctx = QgsRenderContext()
    ctx.expressionContext().appendScope(QgsExpressionContextUtils.layerScope(cl))
    rr = cl.renderer().clone()
    for rule in rr.rootRule().descendants():
        rule.setActive(True)
    rr.startRender(ctx, cl.fields())
    bad = []
    for f in cl.getFeatures():
        ctx.expressionContext().setFeature(f)
        keys = [k for k in rr.legendKeysForFeature(f, ctx) if re.fullmatch(r"g\d+t\d+", k)]
        if len(keys) != 1:
            bad.append((f.id(), keys))
    rr.stopRender(ctx)
    check(not bad, f"catchments: each polygon in one threshold rule {bad[:3]}")
    render(cl, "catchments.png")

# GeoPackage (gdal feature): every layer with its default style, indexed.
gpkg = os.path.join(out, "results.gpkg")
if os.path.exists(gpkg):
    for name in ["settlements", "zones", "facilities"]:
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        check(layer.isValid(), f"gpkg {name} loads")
        msg, ok = layer.loadDefaultStyle()
        check(ok and layer.renderer().type() == styles[name][0].renderer().type(),
              f"gpkg {name}: default style applies ({layer.renderer().type()})")
        check(layer.dataProvider().capabilities() & layer.dataProvider().CreateSpatialIndex == 0
              or layer.hasSpatialIndex() == layer.SpatialIndexPresent, f"gpkg {name}: spatial index present")
        render(layer, f"gpkg_{name}.png")

print(f"{len(failures)} failed")
sys.stdout.flush()
# QGIS may crash while tearing down layers still referenced here: leave
# without running the teardown.
os._exit(1 if failures else 0)
