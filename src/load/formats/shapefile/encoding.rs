//! The text encoding of a `.dbf`: the `.cpg` code page, the dBase
//! language-driver byte, or UTF-8 / Windows-1252 by sniffing.

use std::path::Path;

use shapefile::dbase::{
    self,
    encoding::{DynEncoding, EncodingRs},
    CodePageMark,
};

use super::layout::sidecar;
use crate::load::{LoadError, Warning};

/// The text encoding of the `.dbf`: the `.cpg` code page when there is a
/// known one, else the dBase language-driver byte when it names a known
/// one, else UTF-8 when the text is valid UTF-8 and Windows-1252 (with a
/// `code_page_assumed` warning) when it is not. An unknown code page is an
/// `unknown_code_page` warning; a `.cpg` saying UTF-8 over text that is not
/// falls back to Windows-1252 with a warning.
pub(super) fn dbf_encoding(
    path: &Path,
    dbf: &[u8],
    records: std::ops::Range<usize>,
    warnings: &mut Vec<Warning>,
) -> Result<DynEncoding, LoadError> {
    let mut warn = |kind: &str, message: String| {
        warnings.push(Warning {
            kind: kind.into(),
            file: path.display().to_string(),
            feature: "(all)".into(),
            field: "(text fields)".into(),
            message,
        })
    };
    let utf8 = std::str::from_utf8(&dbf[records]).is_ok();
    let cp1252 = || DynEncoding::from(EncodingRs::from(dbase::encoding_rs::WINDOWS_1252));
    if let Some(cpg) = sidecar(path, "cpg") {
        let bytes = crate::files::read_capped(&cpg, 1024)?;
        let label = String::from_utf8_lossy(&bytes);
        let name = label.trim().trim_start_matches('\u{feff}').trim();
        match code_page(name) {
            _ if name.is_empty() => {}
            Some(CodePage::Utf8) if !utf8 => {
                warn(
                    "code_page_assumed",
                    "the .cpg says UTF-8 but the text is not UTF-8: read as Windows-1252 \
                     (Latin-1); correct the .cpg if that is wrong"
                        .into(),
                );
                return Ok(cp1252());
            }
            Some(CodePage::Utf8) => return Ok(DynEncoding::from(dbase::encoding::Unicode)),
            Some(CodePage::Other(e)) => return Ok(e),
            None => warn(
                "unknown_code_page",
                format!(
                    "the .cpg names code page `{}`, which this reader does not know",
                    crate::load::excerpt(name)
                ),
            ),
        }
    } else if dbf[29] != 0 {
        let mark = CodePageMark::from(dbf[29]);
        match mark.to_encoding() {
            Some(e) if !matches!(mark, CodePageMark::Invalid | CodePageMark::Undefined) => {
                return Ok(e)
            }
            _ => warn(
                "unknown_code_page",
                format!(
                    "the .dbf's language-driver byte 0x{:02X} names no code page this reader \
                     knows",
                    dbf[29]
                ),
            ),
        }
    }
    if utf8 {
        return Ok(DynEncoding::from(dbase::encoding::Unicode));
    }
    warn(
        "code_page_assumed",
        "no known code page (.cpg or language-driver byte) and the text is not UTF-8: read as \
         Windows-1252 (Latin-1); add a .cpg naming the code page if that is wrong"
            .into(),
    );
    Ok(cp1252())
}

/// A `.cpg` code page.
enum CodePage {
    Utf8,
    Other(DynEncoding),
}

/// A code page by its `.cpg` name: `UTF-8`, `65001`, `1252`, `CP1252`,
/// `ANSI 1252`, `windows-1256`, `ISO-8859-6`, `8859-1`, `88591`, `LATIN1`,
/// the DOS code pages `437`, `850`, `852`, `857`, `861`, `865`, and any
/// WHATWG encoding label (`koi8-r`, `shift_jis`…).
fn code_page(name: &str) -> Option<CodePage> {
    let upper = name.trim().to_ascii_uppercase();
    let number = upper
        .trim_start_matches("ANSI")
        .trim_start_matches("WINDOWS")
        .trim_start_matches("CP")
        .trim_start_matches(['-', '_', ' '])
        .trim();
    let web = |label: &str| {
        dbase::encoding_rs::Encoding::for_label(label.as_bytes())
            .map(|e| CodePage::Other(DynEncoding::from(EncodingRs::from(e))))
    };
    let dos = |byte: u8| CodePageMark::from(byte).to_encoding().map(CodePage::Other);
    match number {
        "UTF-8" | "UTF8" | "65001" => return Some(CodePage::Utf8),
        "LATIN1" | "LATIN-1" => return web("windows-1252"),
        "437" => return dos(0x01),
        "850" => return dos(0x02),
        "852" => return dos(0x64),
        "857" => return dos(0x6B),
        "861" => return dos(0x67),
        "865" => return dos(0x66),
        "866" => return web("ibm866"),
        "874" => return web("windows-874"),
        "932" => return web("shift_jis"),
        "936" => return web("gbk"),
        "949" => return web("euc-kr"),
        "950" => return web("big5"),
        n if n.len() == 4 && n.starts_with("125") => return web(&format!("windows-{n}")),
        _ => {}
    }
    let iso = upper
        .trim_start_matches("ISO")
        .trim_start_matches(['-', '_', ' ']);
    if let Some(part) = iso.strip_prefix("8859") {
        let part = part.trim_start_matches(['-', '_', ' ']);
        if !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()) {
            return web(&format!("iso-8859-{part}"));
        }
    }
    web(name.trim())
}
