//! Calendar dates without time zones, as written in schemes and data
//! (`2014-01-01`, `2014/1/1`, `2014年1月1日`).

use std::fmt;

/// A proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, 1..=9999.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of month, 1..=31.
    pub day: u32,
}

impl Date {
    /// A valid date, or `None` (`2013-02-30`).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        (day <= days_in_month(year, month)).then_some(Date { year, month, day })
    }

    /// Parses `2014-01-01`, `2014/1/1`, `2014.1.1` or `2014年1月1日`.
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        let mut parts = text.split(['-', '/', '.', '年', '月', '日', '号']).filter(|p| !p.is_empty());
        let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else { return None };
        if y.len() != 4 || m.len() > 2 || d.len() > 2 {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// Days since 1970-01-01 (negative before); exact for the whole range.
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (before it when negative), if in range.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        // Howard Hinnant's civil_from_days.
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(i32::try_from(year).ok()?, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
    }

    /// The last day of the `index`-th (0-based) period of `kind` in `year`.
    pub fn period_end(year: i32, kind: crate::ast::PeriodKind, index: usize) -> Option<Date> {
        let per = 12 / kind.per_year();
        let month = u32::try_from((index + 1) * per).ok()?;
        Date::new(year, month, days_in_month(year, month))
    }

    /// The quarter (1..=4) the date falls in.
    pub fn quarter(self) -> u32 {
        (self.month - 1) / 3 + 1
    }
}

/// Number of days in a month of a year.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_written_forms() {
        let d = Date::new(2014, 1, 1);
        assert_eq!(Date::parse("2014-01-01"), d);
        assert_eq!(Date::parse("2014/1/1"), d);
        assert_eq!(Date::parse("2014年1月1日"), d);
        assert_eq!(Date::parse("2013-02-29"), None);
        assert_eq!(Date::parse("2012-02-29"), Date::new(2012, 2, 29));
        assert_eq!(Date::parse("14-1-1"), None);
        // Exactly three parts.
        assert_eq!(Date::parse("2014-1"), None);
        assert_eq!(Date::parse("2014-1-1-1"), None);
        assert_eq!(Date::parse("2014年1月1日8时"), None);
    }

    #[test]
    fn day_arithmetic_crosses_months_and_leap_years() {
        let a = Date::new(2012, 2, 28).map(Date::days_since_epoch);
        let b = Date::new(2012, 3, 1).map(Date::days_since_epoch);
        assert_eq!(b.zip(a).map(|(b, a)| b - a), Some(2));
        assert_eq!(Date::new(1970, 1, 1).map(Date::days_since_epoch), Some(0));
        assert_eq!(Date::new(2000, 3, 1).map(Date::days_since_epoch), Some(11_017));
        for days in [-700_000, -1, 0, 59, 11_017, 15_706, 2_932_896] {
            let date = Date::from_days_since_epoch(days);
            assert_eq!(date.map(Date::days_since_epoch), Some(days), "{days}");
        }
        assert_eq!(Date::period_end(2013, crate::ast::PeriodKind::Quarter, 0), Date::new(2013, 3, 31));
        assert_eq!(Date::period_end(2012, crate::ast::PeriodKind::Month, 1), Date::new(2012, 2, 29));
    }
}
