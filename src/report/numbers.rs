//! Numbers written each language's way.
//!
//! English `111,387` and `4.40`; French `111 387` and `4,40` (narrow no-break
//! space U+202F between thousands, decimal comma, a narrow no-break space
//! before `%`); Arabic with Western digits as used in the Maghreb, `111,387`
//! and `4.40` (the Arabic page keeps the same digits as the data and the
//! map). Negative numbers take the minus sign U+2212.

use super::i18n::Lang;

impl Lang {
    /// An integer count with thousands separators.
    pub fn int(self, x: f64) -> String {
        self.num(x, 0)
    }

    /// `x` with `decimals` decimals and thousands separators; `–` when not
    /// finite.
    pub fn num(self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return "–".into();
        }
        let s = format!("{:.*}", decimals, x.abs());
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s.as_str(), None),
        };
        let (sep, point) = match self {
            Lang::Fr => ("\u{202f}", ","),
            _ => (",", "."),
        };
        let mut out = String::new();
        let digits: Vec<char> = int.chars().collect();
        for (i, c) in digits.iter().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push_str(sep);
            }
            out.push(*c);
        }
        if let Some(f) = frac {
            out.push_str(point);
            out.push_str(f);
        }
        let zero = out.chars().all(|c| !c.is_ascii_digit() || c == '0');
        if x < 0.0 && !zero {
            out.insert(0, '−');
        }
        out
    }

    /// A share in `0..=1` as a percentage with `decimals` decimals.
    pub fn pct(self, share: f64, decimals: usize) -> String {
        let n = self.num(share * 100.0, decimals);
        match self {
            Lang::Fr => format!("{n}\u{202f}%"),
            _ => format!("{n}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_per_language() {
        assert_eq!(Lang::En.int(111387.0), "111,387");
        assert_eq!(Lang::Fr.int(111387.0), "111\u{202f}387");
        assert_eq!(Lang::Ar.int(111387.0), "111,387");
        assert_eq!(Lang::En.num(4.3979, 2), "4.40");
        assert_eq!(Lang::Fr.num(4.3979, 2), "4,40");
        assert_eq!(Lang::En.num(-1234.5, 1), "−1,234.5");
        assert_eq!(Lang::En.num(-0.01, 1), "0.0");
        assert_eq!(Lang::En.int(999.0), "999");
        assert_eq!(Lang::En.int(1000.0), "1,000");
        assert_eq!(Lang::En.num(f64::NAN, 1), "–");
        assert_eq!(Lang::Fr.pct(0.506, 1), "50,6\u{202f}%");
        assert_eq!(Lang::En.pct(1.0, 0), "100%");
    }
}
