//! One block's elements: relations, nodes (ids and coordinates) and the
//! first pass's tagged nodes and ways, each decoded from the inflated
//! `PrimitiveBlock`.

use super::*;

/// The kept relations of one `PrimitiveBlock`.
pub(super) fn block_relations(
    buf: &[u8],
    keep: &impl Fn(&Tags) -> bool,
    out: &mut Vec<RawRelation>,
) -> Result<(), ()> {
    let mut strings: Vec<&[u8]> = Vec::new();
    let mut groups: Vec<&[u8]> = Vec::new();
    let mut c = Cursor::new(buf);
    while let Some((field, value)) = c.field()? {
        match (field, value) {
            (1, Value::Bytes(table)) => {
                let mut t = Cursor::new(table);
                while let Some((f, v)) = t.field()? {
                    if let (1, Value::Bytes(s)) = (f, v) {
                        strings.push(s);
                    }
                }
            }
            (2, Value::Bytes(g)) => groups.push(g),
            _ => {}
        }
    }
    let text = |i: u64| -> Result<String, ()> {
        let s = usize::try_from(i)
            .ok()
            .and_then(|i| strings.get(i))
            .ok_or(())?;
        std::str::from_utf8(s).map(str::to_string).map_err(|_| ())
    };
    for g in groups {
        let mut gc = Cursor::new(g);
        while let Some((field, value)) = gc.field()? {
            let (4, Value::Bytes(r)) = (field, value) else {
                continue;
            };
            let mut rc = Cursor::new(r);
            let (mut id, mut keys, mut vals) = (0i64, Vec::new(), Vec::new());
            let (mut roles, mut ids, mut types) = (Vec::new(), Vec::new(), Vec::new());
            while let Some((f, v)) = rc.field()? {
                match f {
                    1 => match v {
                        Value::Varint(x) => id = x as i64,
                        _ => return Err(()),
                    },
                    2 => repeated(&v, &mut keys)?,
                    3 => repeated(&v, &mut vals)?,
                    8 => repeated(&v, &mut roles)?,
                    9 => repeated(&v, &mut ids)?,
                    10 => repeated(&v, &mut types)?,
                    _ => {}
                }
            }
            if keys.len() != vals.len() {
                return Err(());
            }
            let tags: Tags = keys
                .iter()
                .zip(&vals)
                .map(|(k, v)| Ok((text(*k)?, text(*v)?)))
                .collect::<Result<_, ()>>()?;
            if !keep(&tags) {
                continue;
            }
            if roles.len() != ids.len() || ids.len() != types.len() {
                return Err(());
            }
            let mut member = 0i64;
            let mut ways = Vec::new();
            for ((role, delta), kind) in roles.iter().zip(&ids).zip(&types) {
                member = member.wrapping_add(zigzag(*delta));
                if *kind == 1 {
                    // A role is an int32 string index; a bad one reads as no
                    // role (an outer way).
                    ways.push((member, text(u64::from(*role as u32)).unwrap_or_default()));
                }
            }
            out.push(RawRelation { id, tags, ways });
        }
    }
    Ok(())
}

/// The nodes of one `PrimitiveBlock` whose id `keep` maps to a key,
/// appended to `out` as `(key, position)`: each group's plain nodes, then its dense
/// ones (ids and coordinates delta-coded).
pub(super) fn block_nodes<K>(
    buf: &[u8],
    mut keep: impl FnMut(i64) -> Option<K>,
    out: &mut Vec<(K, LonLat)>,
) -> Result<(), ()> {
    let mut groups: Vec<&[u8]> = Vec::new();
    let (mut granularity, mut lat_offset, mut lon_offset) = (100i64, 0i64, 0i64);
    let mut c = Cursor::new(buf);
    while let Some((field, value)) = c.field()? {
        match (field, value) {
            (2, Value::Bytes(g)) => groups.push(g),
            // An int32 and two int64s, as varints.
            (17, Value::Varint(v)) => granularity = i64::from(v as i32),
            (19, Value::Varint(v)) => lat_offset = v as i64,
            (20, Value::Varint(v)) => lon_offset = v as i64,
            _ => {}
        }
    }
    // Degrees as `osmpbf` computes them: nanodegrees from the block's
    // offset and granularity (wrapping, as its release build does), times
    // 1e-9.
    let degrees =
        |offset: i64, v: i64| 1e-9 * offset.wrapping_add(granularity.wrapping_mul(v)) as f64;
    let pos = |lon: i64, lat: i64| LonLat::new(degrees(lon_offset, lon), degrees(lat_offset, lat));
    let (mut ids, mut lats, mut lons) = (Vec::new(), Vec::new(), Vec::new());
    for g in groups {
        ids.clear();
        lats.clear();
        lons.clear();
        let mut gc = Cursor::new(g);
        while let Some((field, value)) = gc.field()? {
            match (field, value) {
                (1, Value::Bytes(node)) => {
                    let (mut id, mut lat, mut lon) = (0, 0, 0);
                    let mut nc = Cursor::new(node);
                    while let Some((f, v)) = nc.field()? {
                        match (f, v) {
                            (1, Value::Varint(x)) => id = zigzag(x),
                            (8, Value::Varint(x)) => lat = zigzag(x),
                            (9, Value::Varint(x)) => lon = zigzag(x),
                            _ => {}
                        }
                    }
                    if let Some(key) = keep(id) {
                        out.push((key, pos(lon, lat)));
                    }
                }
                (2, Value::Bytes(dense)) => {
                    let mut dc = Cursor::new(dense);
                    while let Some((f, v)) = dc.field()? {
                        match f {
                            1 => repeated(&v, &mut ids)?,
                            8 => repeated(&v, &mut lats)?,
                            9 => repeated(&v, &mut lons)?,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let (mut id, mut lat, mut lon) = (0i64, 0i64, 0i64);
        for ((did, dlat), dlon) in ids.iter().zip(&lats).zip(&lons) {
            id = id.wrapping_add(zigzag(*did));
            lat = lat.wrapping_add(zigzag(*dlat));
            lon = lon.wrapping_add(zigzag(*dlon));
            if let Some(key) = keep(id) {
                out.push((key, pos(lon, lat)));
            }
        }
    }
    Ok(())
}

/// The tags of an element from its key and value string indices, into
/// `tags`; an error when their counts differ or one cannot be decoded.
pub(super) fn tags_of<'a>(
    keys: &[u64],
    vals: &[u64],
    text: &impl Fn(u64) -> Option<&'a str>,
    tags: &mut Vec<(&'a str, &'a str)>,
) -> Result<(), ()> {
    if keys.len() != vals.len() {
        return Err(());
    }
    tags.clear();
    for (k, v) in keys.iter().zip(vals) {
        tags.push((text(*k).ok_or(())?, text(*v).ok_or(())?));
    }
    Ok(())
}

/// What one `PrimitiveBlock` gives pass 1, and what it holds (a bit per
/// kind, as [`Plan`] records them), decoded strictly (see
/// [`read_tagged`]). In each group, as `osmpbf` iterates them: plain
/// nodes, dense nodes (a node's tags run in `keys_vals` to a 0, as
/// `osmpbf` splits them), ways, relations. Ids, coordinates and node
/// references are delta-decoded with wrapping arithmetic, as `osmpbf`'s
/// release build does.
pub(super) fn block_tagged(buf: &[u8], table: &OsmTags) -> Result<(Tagged, u8), ()> {
    let (mut string_table, mut groups) = (None, Vec::new());
    let (mut granularity, mut lat_offset, mut lon_offset) = (100i64, 0i64, 0i64);
    let mut c = Cursor::new(buf);
    while let Some((field, value)) = c.field()? {
        match (field, value) {
            (1, Value::Bytes(t)) if string_table.is_none() => string_table = Some(t),
            (2, Value::Bytes(g)) => groups.push(g),
            (17, v) => granularity = i64::from(single(&v, Scalar::I32)? as i32),
            (18, v) => {
                single(&v, Scalar::I32)?;
            }
            (19, v) => lat_offset = single(&v, Scalar::Any)? as i64,
            (20, v) => lon_offset = single(&v, Scalar::Any)? as i64,
            (1 | 2, _) => return Err(()),
            _ => {}
        }
    }
    let mut strings: Vec<&str> = Vec::new();
    let mut t = Cursor::new(string_table.ok_or(())?);
    while let Some((field, value)) = t.field()? {
        match (field, value) {
            (1, Value::Bytes(s)) => strings.push(std::str::from_utf8(s).map_err(|_| ())?),
            (1, _) => return Err(()),
            _ => {}
        }
    }
    // A string index: `uint32`, or `int32` in dense nodes (negative reads
    // as no string).
    let text = |i: u64| {
        usize::try_from(i as i64)
            .ok()
            .and_then(|i| strings.get(i).copied())
    };
    let degrees =
        |offset: i64, v: i64| 1e-9 * offset.wrapping_add(granularity.wrapping_mul(v)) as f64;
    let pos = |lon: i64, lat: i64| LonLat::new(degrees(lon_offset, lon), degrees(lat_offset, lat));
    let (mut out, mut kinds) = (Tagged::default(), 0u8);
    let mut tags: Vec<(&str, &str)> = Vec::new();
    let (mut nodes, mut ways, mut rels) = (Vec::new(), Vec::new(), Vec::new());
    let (mut keys, mut vals, mut refs, mut other) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut ids, mut lats, mut lons, mut keys_vals) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // The fields common to ways and relations: id, tags, metadata.
    let common =
        |f: u64, v: &Value, id: &mut Option<i64>, keys: &mut Vec<u64>, vals: &mut Vec<u64>| {
            match (f, v) {
                (1, v) => *id = Some(single(v, Scalar::Any)? as i64),
                (2, v) => repeated_of(v, Scalar::U32, keys)?,
                (3, v) => repeated_of(v, Scalar::U32, vals)?,
                (4, Value::Bytes(info)) => check(info, INFO)?,
                (4, _) => return Err(()),
                _ => {}
            }
            Ok(())
        };
    for g in groups {
        nodes.clear();
        ways.clear();
        rels.clear();
        let mut dense = None;
        let mut gc = Cursor::new(g);
        while let Some((field, value)) = gc.field()? {
            match (field, value) {
                (1, Value::Bytes(n)) => nodes.push(n),
                (2, Value::Bytes(d)) if dense.is_none() => dense = Some(d),
                (3, Value::Bytes(w)) => ways.push(w),
                (4, Value::Bytes(r)) => rels.push(r),
                // Changesets, and the other known fields when not messages
                // or repeated.
                (1..=5, _) => return Err(()),
                _ => {}
            }
        }
        for n in &nodes {
            kinds |= NODES;
            let (mut id, mut lat, mut lon) = (None, None, None);
            keys.clear();
            vals.clear();
            let mut nc = Cursor::new(n);
            while let Some((f, v)) = nc.field()? {
                match f {
                    1 => id = Some(zigzag(single(&v, Scalar::Any)?)),
                    8 => lat = Some(zigzag(single(&v, Scalar::Any)?)),
                    9 => lon = Some(zigzag(single(&v, Scalar::Any)?)),
                    _ => common(f, &v, &mut None, &mut keys, &mut vals)?,
                }
            }
            let (Some(id), Some(lat), Some(lon)) = (id, lat, lon) else {
                return Err(());
            };
            tags_of(&keys, &vals, &text, &mut tags)?;
            if !tags.is_empty() {
                out.node(id, pos(lon, lat), &tags, table);
            }
        }
        if let Some(d) = dense {
            ids.clear();
            lats.clear();
            lons.clear();
            keys_vals.clear();
            let mut dc = Cursor::new(d);
            while let Some((f, v)) = dc.field()? {
                match (f, v) {
                    (1, v) => repeated_of(&v, Scalar::Any, &mut ids)?,
                    (5, Value::Bytes(info)) => check(info, DENSE_INFO)?,
                    (5, _) => return Err(()),
                    (8, v) => repeated_of(&v, Scalar::Any, &mut lats)?,
                    (9, v) => repeated_of(&v, Scalar::Any, &mut lons)?,
                    (10, v) => repeated_of(&v, Scalar::I32, &mut keys_vals)?,
                    _ => {}
                }
            }
            if ids.len() != lats.len() || ids.len() != lons.len() {
                return Err(());
            }
            if !ids.is_empty() {
                kinds |= NODES;
            }
            let (mut id, mut lat, mut lon, mut at) = (0i64, 0i64, 0i64, 0usize);
            for ((did, dlat), dlon) in ids.iter().zip(&lats).zip(&lons) {
                id = id.wrapping_add(zigzag(*did));
                lat = lat.wrapping_add(zigzag(*dlat));
                lon = lon.wrapping_add(zigzag(*dlon));
                // Pairs up to a 0 (or a lone last index), which is skipped.
                let start = at;
                let mut end = at;
                for pair in keys_vals[at..].chunks(2) {
                    if pair[0] != 0 && pair.len() == 2 {
                        end += 2;
                        at += 2;
                    } else {
                        at += 1;
                        break;
                    }
                }
                if end > start {
                    tags.clear();
                    for pair in keys_vals[start..end].chunks_exact(2) {
                        tags.push((text(pair[0]).ok_or(())?, text(pair[1]).ok_or(())?));
                    }
                    out.node(id, pos(lon, lat), &tags, table);
                }
            }
        }
        for w in &ways {
            kinds |= WAYS;
            let mut id = None;
            keys.clear();
            vals.clear();
            refs.clear();
            let mut wc = Cursor::new(w);
            while let Some((f, v)) = wc.field()? {
                match f {
                    8 => repeated_of(&v, Scalar::Any, &mut refs)?,
                    9 | 10 => {
                        other.clear();
                        repeated_of(&v, Scalar::Any, &mut other)?;
                    }
                    _ => common(f, &v, &mut id, &mut keys, &mut vals)?,
                }
            }
            tags_of(&keys, &vals, &text, &mut tags)?;
            let node_ids = refs.iter().scan(0i64, |at, d| {
                *at = at.wrapping_add(zigzag(*d));
                Some(*at)
            });
            out.way(id.ok_or(())?, node_ids, &tags, table);
        }
        for r in &rels {
            kinds |= RELATIONS;
            let mut id = None;
            keys.clear();
            vals.clear();
            let mut rc = Cursor::new(r);
            while let Some((f, v)) = rc.field()? {
                other.clear();
                match f {
                    8 | 10 => repeated_of(&v, Scalar::I32, &mut other)?,
                    9 => repeated_of(&v, Scalar::Any, &mut other)?,
                    _ => common(f, &v, &mut id, &mut keys, &mut vals)?,
                }
            }
            id.ok_or(())?;
            tags_of(&keys, &vals, &text, &mut tags)?;
            out.any_relation |= relations::wanted(&tags, table);
        }
    }
    Ok((out, kinds))
}
