//! GeoTIFF DEMs in pure Rust (the `tiff` crate): the first band of the first
//! image, strips or tiles, uncompressed, LZW, Deflate or PackBits, with
//! predictors 1 (none), 2 (horizontal) and 3 (floating point); samples
//! UInt8/Int8, UInt16/Int16, UInt32/Int32, Float32/Float64.
//!
//! Georeferencing comes from `ModelTransformation`, or `ModelPixelScale`
//! with `ModelTiepoint` (with `PixelIsPoint` shifted half a pixel, as GDAL
//! does); the CRS from the GeoKeys (`ProjectedCSTypeGeoKey`, else
//! `GeographicTypeGeoKey`, as an EPSG code); without GeoKeys, WGS 84 when
//! the raster's corners are longitudes and latitudes, an error otherwise.
//! No data is GDAL's `GDAL_NODATA` tag (42113).
//!
//! The declared raster is checked before anything is allocated: at most
//! [`MAX_CELLS`] cells, and no more decoded bytes than Deflate could expand
//! the file to.

use std::io::Cursor;
use std::path::Path;

use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::tags::Tag;

use super::dem::Dem;
use super::TerrainError;
use crate::crs::Crs;
use crate::files;

/// The largest DEM read, in cells (1 GiB of `f32`).
pub const MAX_CELLS: u64 = 1 << 28;
/// Deflate expands at most ~1032:1; a file declaring more decoded bytes
/// than this ratio allows is corrupt.
const MAX_EXPANSION: u64 = 1100;

const GT_MODEL_TYPE: u16 = 1024;
const GT_RASTER_TYPE: u16 = 1025;
const GEOGRAPHIC_TYPE: u16 = 2048;
const PROJECTED_CS_TYPE: u16 = 3072;
const RASTER_PIXEL_IS_POINT: u16 = 2;
const USER_DEFINED: u16 = 32767;

/// Reads the DEM at `path`.
pub fn read(path: &Path) -> Result<Dem, TerrainError> {
    let bytes = files::read(path)?;
    from_bytes(&bytes).map_err(|reason| TerrainError::Invalid {
        path: path.to_path_buf(),
        reason,
    })
}

fn tiff_err(what: &str) -> impl Fn(tiff::TiffError) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// Parses a GeoTIFF DEM held in memory; the error says what is wrong.
pub fn from_bytes(bytes: &[u8]) -> Result<Dem, String> {
    let file_len = bytes.len() as u64;
    let mut dec = Decoder::new(Cursor::new(bytes)).map_err(tiff_err("not a TIFF"))?;
    let (w, h) = dec.dimensions().map_err(tiff_err("no image size"))?;
    let spp = dec
        .find_tag_unsigned::<u64>(Tag::SamplesPerPixel)
        .map_err(tiff_err("bad SamplesPerPixel"))?
        .unwrap_or(1)
        .max(1);
    let bits = dec
        .find_tag_unsigned_vec::<u64>(Tag::BitsPerSample)
        .map_err(tiff_err("bad BitsPerSample"))?
        .and_then(|v| v.first().copied())
        .unwrap_or(1);
    let planar = dec
        .find_tag_unsigned::<u16>(Tag::PlanarConfiguration)
        .map_err(tiff_err("bad PlanarConfiguration"))?
        == Some(2);
    let cells = u64::from(w) * u64::from(h);
    if cells > MAX_CELLS {
        return Err(format!(
            "{w} × {h} cells is more than the {MAX_CELLS} a DEM may have"
        ));
    }
    let stride = if planar { 1 } else { spp };
    let declared = cells
        .saturating_mul(stride)
        .saturating_mul(bits.div_ceil(8).max(1));
    if declared > file_len.saturating_mul(MAX_EXPANSION) {
        return Err(format!(
            "it declares {declared} bytes of samples in a file of {file_len} bytes"
        ));
    }
    let mut limits = Limits::default();
    limits.decoding_buffer_size = usize::try_from(declared)
        .map_err(|_| "too large for this platform".to_string())?
        .max(1 << 20);
    let mut dec = dec.with_limits(limits);
    let geo = georeference(&mut dec, w, h)?;
    let crs = crs_of(&mut dec, &geo, w, h)?;
    let nodata = match dec
        .find_tag(Tag::GdalNodata)
        .map_err(tiff_err("bad GDAL_NODATA"))?
    {
        Some(v) => {
            let s = v.into_string().map_err(tiff_err("bad GDAL_NODATA"))?;
            let t = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
            Some(
                t.parse::<f64>()
                    .map_err(|_| format!("GDAL_NODATA `{t}` is not a number"))?,
            )
        }
        None => None,
    };
    let image = dec
        .read_image()
        .map_err(tiff_err("cannot decode the samples"))?;
    let values = first_band(image, stride as usize, nodata)?;
    if values.len() != cells as usize {
        return Err(format!(
            "{} samples decoded for {w} × {h} cells",
            values.len()
        ));
    }
    Dem::new(w as usize, h as usize, values, geo, crs)
}

/// Band 1 of interleaved samples as `f32`, no data as NaN.
fn first_band(
    image: DecodingResult,
    stride: usize,
    nodata: Option<f64>,
) -> Result<Vec<f32>, String> {
    fn take<T: Copy>(
        v: &[T],
        stride: usize,
        nodata: Option<f64>,
        f: impl Fn(T) -> f64,
    ) -> Vec<f32> {
        v.iter()
            .step_by(stride)
            .map(|&x| {
                let e = f(x);
                // f32 holds any elevation to a millimetre.
                match nodata {
                    Some(n) if e == n || (n.is_nan() && e.is_nan()) => f32::NAN,
                    _ => e as f32,
                }
            })
            .collect()
    }
    Ok(match image {
        DecodingResult::U8(v) => take(&v, stride, nodata, f64::from),
        DecodingResult::I8(v) => take(&v, stride, nodata, f64::from),
        DecodingResult::U16(v) => take(&v, stride, nodata, f64::from),
        DecodingResult::I16(v) => take(&v, stride, nodata, f64::from),
        DecodingResult::U32(v) => take(&v, stride, nodata, f64::from),
        DecodingResult::I32(v) => take(&v, stride, nodata, f64::from),
        DecodingResult::F32(v) => take(&v, stride, nodata, f64::from),
        DecodingResult::F64(v) => take(&v, stride, nodata, |x| x),
        DecodingResult::F16(v) => take(&v, stride, nodata, |x| f64::from(x.to_f32())),
        other => {
            return Err(format!(
                "samples of type {:?} are not elevations",
                std::mem::discriminant(&other)
            ))
        }
    })
}

fn f64_tag<R: std::io::Read + std::io::Seek>(
    dec: &mut Decoder<R>,
    tag: Tag,
    name: &str,
) -> Result<Option<Vec<f64>>, String> {
    match dec.find_tag(tag).map_err(tiff_err(name))? {
        Some(v) => Ok(Some(v.into_f64_vec().map_err(tiff_err(name))?)),
        None => Ok(None),
    }
}

/// The GeoKeys as `(key, value)` for the keys stored inline.
fn geokeys<R: std::io::Read + std::io::Seek>(
    dec: &mut Decoder<R>,
) -> Result<Vec<(u16, u16)>, String> {
    let Some(v) = dec
        .find_tag(Tag::GeoKeyDirectoryTag)
        .map_err(tiff_err("bad GeoKeyDirectory"))?
    else {
        return Ok(Vec::new());
    };
    let dir = v.into_u16_vec().map_err(tiff_err("bad GeoKeyDirectory"))?;
    if dir.len() < 4 {
        return Err("the GeoKeyDirectory is shorter than its header".into());
    }
    let n = usize::from(dir[3]);
    Ok(dir[4..]
        .chunks_exact(4)
        .take(n)
        .filter(|k| k[1] == 0)
        .map(|k| (k[0], k[3]))
        .collect())
}

/// GDAL's geotransform from the model tags.
fn georeference<R: std::io::Read + std::io::Seek>(
    dec: &mut Decoder<R>,
    w: u32,
    h: u32,
) -> Result<[f64; 6], String> {
    let point = geokeys(dec)?
        .iter()
        .any(|&(k, v)| k == GT_RASTER_TYPE && v == RASTER_PIXEL_IS_POINT);
    let mut g =
        if let Some(m) = f64_tag(dec, Tag::ModelTransformationTag, "bad ModelTransformation")? {
            if m.len() < 8 {
                return Err("ModelTransformation has fewer than 8 values".into());
            }
            [m[3], m[0], m[1], m[7], m[4], m[5]]
        } else {
            let scale = f64_tag(dec, Tag::ModelPixelScaleTag, "bad ModelPixelScale")?
                .ok_or("no georeferencing: neither ModelTransformation nor ModelPixelScale")?;
            let tie = f64_tag(dec, Tag::ModelTiepointTag, "bad ModelTiepoint")?
                .ok_or("no georeferencing: ModelPixelScale without ModelTiepoint")?;
            if scale.len() < 2 || tie.len() < 6 {
                return Err("ModelPixelScale or ModelTiepoint is too short".into());
            }
            let (sx, sy) = (scale[0], scale[1]);
            let (i, j, x, y) = (tie[0], tie[1], tie[3], tie[4]);
            [x - i * sx, sx, 0.0, y + j * sy, 0.0, -sy]
        };
    if point {
        // The tie point is a pixel's centre: move it to the corner.
        g[0] -= 0.5 * (g[1] + g[2]);
        g[3] -= 0.5 * (g[4] + g[5]);
    }
    if g.iter().any(|v| !v.is_finite()) {
        return Err(format!(
            "the georeferencing {g:?} is not finite ({w} × {h})"
        ));
    }
    Ok(g)
}

/// The CRS named by the GeoKeys.
fn crs_of<R: std::io::Read + std::io::Seek>(
    dec: &mut Decoder<R>,
    g: &[f64; 6],
    w: u32,
    h: u32,
) -> Result<Crs, String> {
    let keys = geokeys(dec)?;
    let key = |k: u16| keys.iter().find(|e| e.0 == k).map(|e| e.1);
    let model = key(GT_MODEL_TYPE);
    let code = match model {
        Some(1) => key(PROJECTED_CS_TYPE),
        _ => key(GEOGRAPHIC_TYPE).or(key(PROJECTED_CS_TYPE)),
    };
    match code {
        Some(USER_DEFINED) => Err(
            "its CRS is user-defined in GeoKeys; give the DEM an EPSG code (gdal_translate -a_srs)"
                .into(),
        ),
        Some(c) => Crs::from_epsg(u32::from(c)).map_err(|e| e.to_string()),
        None => {
            let corner = |c: f64, r: f64| (g[0] + c * g[1] + r * g[2], g[3] + c * g[4] + r * g[5]);
            let (w, h) = (f64::from(w), f64::from(h));
            let degrees = [
                corner(0.0, 0.0),
                corner(w, h),
                corner(w, 0.0),
                corner(0.0, h),
            ]
            .iter()
            .all(|&(x, y)| x.abs() <= 180.0 && y.abs() <= 90.0);
            if degrees {
                Ok(Crs::wgs84())
            } else {
                Err(
                    "no GeoKeys name its CRS and its corners are not longitudes and latitudes"
                        .into(),
                )
            }
        }
    }
}

/// A north-up, single-band GeoTIFF of `values` (`width` × `height`, rows
/// from the north; `nodata` goes to `GDAL_NODATA`), georeferenced by `geo` (GDAL's
/// order, `geo[2] = geo[4] = 0`) in EPSG `epsg` (4xxx geographic, else
/// projected), samples of colour type `C` (`Gray32Float`, `GrayI16`, …),
/// Deflate-compressed with the horizontal predictor for integers.
pub fn write<C>(
    width: u32,
    height: u32,
    values: &[C::Inner],
    geo: [f64; 6],
    epsg: u16,
    nodata: Option<f64>,
) -> Result<Vec<u8>, String>
where
    C: tiff::encoder::colortype::ColorType,
    [C::Inner]: tiff::encoder::TiffValue,
{
    use tiff::encoder::compression::DeflateLevel;
    use tiff::encoder::{Compression, TiffEncoder};
    use tiff::tags::Predictor;
    let e = |e: tiff::TiffError| format!("cannot write the GeoTIFF: {e}");
    if geo[2] != 0.0 || geo[4] != 0.0 {
        return Err("only north-up rasters are written".into());
    }
    let mut out = Cursor::new(Vec::new());
    let float = C::SAMPLE_FORMAT.first() == Some(&tiff::tags::SampleFormat::IEEEFP);
    let mut enc = TiffEncoder::new(&mut out)
        .map_err(e)?
        .with_compression(Compression::Deflate(DeflateLevel::Balanced));
    if !float {
        enc = enc.with_predictor(Predictor::Horizontal);
    }
    let mut img = enc.new_image::<C>(width, height).map_err(e)?;
    let geographic = (4000..5000).contains(&epsg);
    let (model, cs_key) = if geographic {
        (2, GEOGRAPHIC_TYPE)
    } else {
        (1, PROJECTED_CS_TYPE)
    };
    let keys: [u16; 16] = [
        1,
        1,
        0,
        3,
        GT_MODEL_TYPE,
        0,
        1,
        model,
        GT_RASTER_TYPE,
        0,
        1,
        1,
        cs_key,
        0,
        1,
        epsg,
    ];
    let d = img.encoder();
    d.write_tag(Tag::ModelPixelScaleTag, &[geo[1], -geo[5], 0.0][..])
        .map_err(e)?;
    d.write_tag(
        Tag::ModelTiepointTag,
        &[0.0, 0.0, 0.0, geo[0], geo[3], 0.0][..],
    )
    .map_err(e)?;
    d.write_tag(Tag::GeoKeyDirectoryTag, &keys[..]).map_err(e)?;
    if let Some(n) = nodata {
        d.write_tag(Tag::GdalNodata, &*format!("{n}")).map_err(e)?;
    }
    img.write_data(values).map_err(e)?;
    Ok(out.into_inner())
}
