//! Numbers as js-yaml 4 reads them (YAML 1.2 core: `0x`, `0o`, `0b`, no `_`, a leading zero is still
//! decimal, `.inf`/`.nan`) and as JavaScript writes them (`String(n)`, for mapping keys).

use serde_json::Value;

/// A plain scalar js-yaml's int type takes, and its value (a JavaScript number: large values round).
pub(super) fn parse_int(data: &str) -> Option<f64> {
    let (sign, digits) = match data.as_bytes().first()? {
        b'-' => (-1.0, &data[1..]),
        b'+' => (1.0, &data[1..]),
        _ => (1.0, data),
    };
    let value = if digits == "0" {
        0.0
    } else if let Some(rest) = digits.strip_prefix("0b") {
        radix(rest, 2)?
    } else if let Some(rest) = digits.strip_prefix("0x") {
        radix(rest, 16)?
    } else if let Some(rest) = digits.strip_prefix("0o") {
        radix(rest, 8)?
    } else {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse::<f64>().ok()?
    };
    let value = sign * value;
    value.is_finite().then_some(value)
}

fn radix(digits: &str, base: u32) -> Option<f64> {
    if digits.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in digits.chars() {
        value = value * f64::from(base) + f64::from(c.to_digit(base)?);
    }
    Some(value)
}

/// A plain scalar js-yaml's float type takes: `1.5`, `1e3`, `1.`, `.5` (unsigned), `.inf`, `.nan`;
/// a value too large for a double is not a float (it stays a string).
pub(super) fn parse_float(data: &str) -> Option<f64> {
    if !float_shape(data) {
        return None;
    }
    let lower = data.to_ascii_lowercase();
    let (sign, rest) = match lower.as_bytes()[0] {
        b'-' => (-1.0, &lower[1..]),
        b'+' => (1.0, &lower[1..]),
        _ => (1.0, &lower[..]),
    };
    let value = match rest {
        ".inf" => sign * f64::INFINITY,
        ".nan" => f64::NAN,
        _ => {
            let v: f64 = rest.parse().ok()?;
            if !v.is_finite() {
                return None;
            }
            sign * v
        }
    };
    Some(value)
}

/// `^(?:[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`
fn float_shape(s: &str) -> bool {
    let b = s.as_bytes();
    let specials = |t: &[u8]| matches!(t, b".inf" | b".Inf" | b".INF");
    if matches!(b, b".nan" | b".NaN" | b".NAN") || specials(b) {
        return true;
    }
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        if specials(&b[1..]) {
            return true;
        }
        i = 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let signed = i == 1;
    if digits(&mut i) > 0 {
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    } else {
        // `.5`: no sign allowed.
        if signed || i >= b.len() || b[i] != b'.' {
            return false;
        }
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A finite number as the configuration holds it: integral values up to 2^53 as integers (JavaScript
/// has one number type; JSON writes `1.0` as `1`), others as doubles.
pub(super) fn number_value(v: f64) -> Value {
    const SAFE: f64 = 9_007_199_254_740_992.0;
    if v.fract() == 0.0 && v.abs() <= SAFE {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

/// JavaScript's `String(number)`: shortest round-trip digits, exponent form below 1e-6 and from 1e21.
pub(super) fn js_number_string(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    // `{:e}` gives the shortest round-trip digits: "1.2345e-7".
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i64;
    let n = exp.parse::<i64>().unwrap_or(0) + 1; // the decimal point after n digits
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let e = if e >= 0 {
            format!("+{e}")
        } else {
            e.to_string()
        };
        if k == 1 {
            format!("{digits}e{e}")
        } else {
            format!("{}.{}e{e}", &digits[..1], &digits[1..])
        }
    };
    format!("{sign}{body}")
}
