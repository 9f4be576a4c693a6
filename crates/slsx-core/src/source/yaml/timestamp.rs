//! An explicit `!!timestamp` (osls keeps no implicit ones) as osls ends up with it: a JS Date, which
//! JSON writes with `toISOString()`.

/// `2001-12-14`, `2001-12-14t21:59:43.10-05:00`, `2001-12-14 21:59:43.10 Z` … as an ISO string, with
/// `Date.UTC`'s rules (two-digit years are 19xx, overflowing fields carry over).
pub(super) fn iso_string(text: &str) -> Option<String> {
    let f = fields(text)?;
    let year = if (0..=99).contains(&f.year) {
        1900 + f.year
    } else {
        f.year
    };
    let month = f.month - 1;
    let (y, m) = (year + month.div_euclid(12), month.rem_euclid(12));
    let days = days_from_civil(y, m + 1, 1) + f.day - 1;
    let mut ms =
        days * 86_400_000 + f.hour * 3_600_000 + f.minute * 60_000 + f.second * 1000 + f.millis;
    ms -= f.offset_minutes * 60_000;
    Some(crate::clock::iso8601(ms))
}

struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
    offset_minutes: i64,
}

/// Reads `n_min..=n_max` digits at `*i`.
fn digits(b: &[u8], i: &mut usize, n_min: usize, n_max: usize) -> Option<i64> {
    let start = *i;
    while *i < b.len() && *i - start < n_max && b[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i - start < n_min {
        return None;
    }
    std::str::from_utf8(&b[start..*i]).ok()?.parse().ok()
}

fn expect(b: &[u8], i: &mut usize, c: u8) -> Option<()> {
    (b.get(*i) == Some(&c)).then(|| *i += 1)
}

fn fields(text: &str) -> Option<Fields> {
    let b = text.as_bytes();
    let mut i = 0;
    let year = digits(b, &mut i, 4, 4)?;
    expect(b, &mut i, b'-')?;
    // The date-only form wants two-digit month and day; the full form accepts one.
    let date_only = b.len() == 10;
    let (lo, hi) = if date_only { (2, 2) } else { (1, 2) };
    let month = digits(b, &mut i, lo, hi)?;
    expect(b, &mut i, b'-')?;
    let day = digits(b, &mut i, lo, hi)?;
    let mut f = Fields {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        millis: 0,
        offset_minutes: 0,
    };
    if i == b.len() {
        return date_only.then_some(f);
    }
    match b.get(i) {
        Some(b'T' | b't') => i += 1,
        Some(b' ' | b'\t') => {
            while matches!(b.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
        }
        _ => return None,
    }
    f.hour = digits(b, &mut i, 1, 2)?;
    expect(b, &mut i, b':')?;
    f.minute = digits(b, &mut i, 2, 2)?;
    expect(b, &mut i, b':')?;
    f.second = digits(b, &mut i, 2, 2)?;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = &text[start..i];
        if !frac.is_empty() {
            let mut ms: String = frac.chars().take(3).collect();
            while ms.len() < 3 {
                ms.push('0');
            }
            f.millis = ms.parse().ok()?;
        }
    }
    let before_zone = i;
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    match b.get(i) {
        None if i == before_zone => {}
        Some(b'Z') => i += 1,
        Some(&sign @ (b'-' | b'+')) => {
            i += 1;
            let hours = digits(b, &mut i, 1, 2)?;
            let minutes = if b.get(i) == Some(&b':') {
                i += 1;
                digits(b, &mut i, 2, 2)?
            } else {
                0
            };
            let delta = hours * 60 + minutes;
            f.offset_minutes = if sign == b'-' { -delta } else { delta };
        }
        _ => return None,
    }
    (i == b.len()).then_some(f)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..=12).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
