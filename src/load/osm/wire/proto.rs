//! The protobuf primitives of the block decoder: a cursor over a message's
//! fields, varints and zigzag, scalar kinds and the strict schema checks
//! that make a message read here one `osmpbf` reads the same way.

/// A protobuf message being read.
pub(super) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// A field's value: a varint, a length-delimited slice, or a fixed-width
/// value (skipped).
pub(super) enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }

    pub(super) fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos)?;
            self.pos += 1;
            // The tenth byte holds the last bit: more is an overlong varint.
            if shift == 63 && b > 1 {
                return None;
            }
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }

    /// Whether every byte has been read.
    #[cfg(test)]
    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// The next field, `None` at the end; `Err` when malformed.
    pub(super) fn field(&mut self) -> Result<Option<(u64, Value<'a>)>, ()> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let key = self.varint().ok_or(())?;
        // A key is a 32-bit varint; there is no field 0.
        if key > u64::from(u32::MAX) || key >> 3 == 0 {
            return Err(());
        }
        let value = match key & 7 {
            0 => Value::Varint(self.varint().ok_or(())?),
            1 => self.take(8).map(|_| Value::Fixed).ok_or(())?,
            2 => {
                let n = usize::try_from(self.varint().ok_or(())?).map_err(|_| ())?;
                Value::Bytes(self.take(n).ok_or(())?)
            }
            5 => self.take(4).map(|_| Value::Fixed).ok_or(())?,
            _ => return Err(()),
        };
        Ok(Some((key >> 3, value)))
    }
}

/// The values of a repeated integer field, packed or not, appended to `out`.
pub(super) fn repeated(value: &Value, out: &mut Vec<u64>) -> Result<(), ()> {
    match value {
        Value::Varint(v) => out.push(*v),
        Value::Bytes(b) => {
            // Delta-coded ids and coordinates are mostly one- or two-byte
            // varints: the first byte alone is read apart.
            let mut c = Cursor::new(b);
            while let Some(&first) = b.get(c.pos) {
                if first < 0x80 {
                    c.pos += 1;
                    out.push(u64::from(first));
                } else {
                    out.push(c.varint().ok_or(())?);
                }
            }
        }
        Value::Fixed => return Err(()),
    }
    Ok(())
}

/// Whether a repeated field, packed or not, holds valid values of `kind`
/// (as [`repeated_of`] accepts them), without keeping them.
pub(super) fn repeated_valid(value: &Value, kind: Scalar) -> Result<(), ()> {
    match value {
        Value::Varint(v) if fits(kind, *v) => Ok(()),
        Value::Bytes(b) => {
            let mut c = Cursor::new(b);
            while let Some(&first) = b.get(c.pos) {
                if first < 0x80 {
                    // Fits every kind (a Bool is 0 or 1, checked apart).
                    if matches!(kind, Scalar::Bool) && first > 1 {
                        return Err(());
                    }
                    c.pos += 1;
                } else if !fits(kind, c.varint().ok_or(())?) {
                    return Err(());
                }
            }
            Ok(())
        }
        _ => Err(()),
    }
}

pub(super) fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Whether varint `v` is a valid value of a field of protobuf type `kind`
/// as `rust-protobuf` (under `osmpbf`) reads it: 32-bit types must fit,
/// booleans are 0 or 1 (stricter than it).
pub(super) fn fits(kind: Scalar, v: u64) -> bool {
    match kind {
        Scalar::Any => true,
        Scalar::U32 => v <= u64::from(u32::MAX),
        Scalar::I32 => i32::try_from(v as i64).is_ok(),
        Scalar::Bool => v <= 1,
    }
}

/// Protobuf varint types by the values they accept: `int64`, `sint64`
/// (any); `uint32`, `sint32` (32 bits); `int32` and enums (sign-extended
/// 32 bits); `bool`.
#[derive(Clone, Copy)]
pub(super) enum Scalar {
    Any,
    U32,
    I32,
    Bool,
}

/// A single varint field of type `kind`.
pub(super) fn single(value: &Value, kind: Scalar) -> Result<u64, ()> {
    match value {
        Value::Varint(v) if fits(kind, *v) => Ok(*v),
        _ => Err(()),
    }
}

/// [`repeated`], for a field of type `kind`.
pub(super) fn repeated_of(value: &Value, kind: Scalar, out: &mut Vec<u64>) -> Result<(), ()> {
    let from = out.len();
    repeated(value, out)?;
    if matches!(kind, Scalar::Any) || out[from..].iter().all(|v| fits(kind, *v)) {
        Ok(())
    } else {
        Err(())
    }
}

/// Checks a message of which nothing is read: its fields numbered as in
/// `schema` (number, type, repeated) must be of that type; others are
/// skipped.
pub(super) fn check(buf: &[u8], schema: &[(u64, Scalar, bool)]) -> Result<(), ()> {
    let mut c = Cursor::new(buf);
    while let Some((field, value)) = c.field()? {
        if let Some(&(_, kind, many)) = schema.iter().find(|s| s.0 == field) {
            if many {
                repeated_valid(&value, kind)?;
            } else {
                single(&value, kind)?;
            }
        }
    }
    Ok(())
}

/// `Info`: version, timestamp, changeset, uid, user_sid, visible.
pub(super) const INFO: &[(u64, Scalar, bool)] = &[
    (1, Scalar::I32, false),
    (2, Scalar::Any, false),
    (3, Scalar::Any, false),
    (4, Scalar::I32, false),
    (5, Scalar::U32, false),
    (6, Scalar::Bool, false),
];

/// `DenseInfo`: as [`INFO`], packed (uid and user_sid are `sint32`).
pub(super) const DENSE_INFO: &[(u64, Scalar, bool)] = &[
    (1, Scalar::I32, true),
    (2, Scalar::Any, true),
    (3, Scalar::Any, true),
    (4, Scalar::U32, true),
    (5, Scalar::U32, true),
    (6, Scalar::Bool, true),
];
