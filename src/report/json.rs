//! JSON output (`kaohe eval --format json`, `kaohe explain --format json`):
//! the results as nested objects, one per unit, indicator, adjustment and
//! occurrence, though they are held as columns. Decimals are strings.

use rust_decimal::Decimal;
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::{AdjustmentResult, Assessment, IndicatorResult, Occurrence, UnitResult};

impl Serialize for Assessment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("Assessment", 3)?;
        o.serialize_field("scheme", &self.scheme)?;
        o.serialize_field("year", &self.year)?;
        o.serialize_field("units", &List(|| self.units()))?;
        o.end()
    }
}

impl Serialize for UnitResult<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("UnitResult", 15)?;
        o.serialize_field("unit", self.key())?;
        o.serialize_field("groups", &List(|| self.groups()))?;
        o.serialize_field("total", &Exact(self.total()))?;
        o.serialize_field("exact_total", &Exact(self.exact_total()))?;
        o.serialize_field("grade", self.grade())?;
        o.serialize_field("rank", &self.rank())?;
        o.serialize_field("group_rank", &self.group_rank())?;
        o.serialize_field("rank_keys", &List(|| self.rank_keys().map(|k| k.map(|d| d.to_string()))))?;
        o.serialize_field("vetoes", &List(|| self.vetoes()))?;
        o.serialize_field("award_eligible", &self.award_eligible())?;
        o.serialize_field("grade_note", &self.grade_note())?;
        o.serialize_field("over_quota", &self.over_quota())?;
        o.serialize_field("indicators", &List(|| self.indicators()))?;
        o.serialize_field("deductions", &List(|| self.deductions()))?;
        o.serialize_field("bonuses", &List(|| self.bonuses()))?;
        o.end()
    }
}

impl Serialize for IndicatorResult<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("IndicatorResult", 6)?;
        o.serialize_field("path", self.path())?;
        o.serialize_field("score", &Exact(self.score()))?;
        o.serialize_field("before_adjustments", &self.before_adjustments().map(Exact))?;
        o.serialize_field("contribution", &self.contribution().map(Exact))?;
        o.serialize_field("periods", &List(|| self.periods().map(|p| p.to_string())))?;
        o.serialize_field("applies", &self.applies())?;
        o.end()
    }
}

impl Serialize for AdjustmentResult<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("AdjustmentResult", 6)?;
        o.serialize_field("name", self.name())?;
        o.serialize_field("target", self.target())?;
        o.serialize_field("amount", &Exact(self.amount()))?;
        o.serialize_field("uncapped", &Exact(self.uncapped()))?;
        o.serialize_field("occurrences", self.occurrences())?;
        o.serialize_field("limited", &self.limited())?;
        o.end()
    }
}

impl Serialize for Occurrence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("Occurrence", 3)?;
        o.serialize_field("source", &self.source())?;
        o.serialize_field("amount", &Exact(self.amount))?;
        o.serialize_field("cancelled", &Exact(self.cancelled))?;
        o.end()
    }
}

/// A decimal as a string with every digit it has (`90.00`).
struct Exact(Decimal);

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        rust_decimal::serde::str::serialize(&self.0, s)
    }
}

/// A list made on the fly from the columns.
struct List<F>(F);

impl<F, I> Serialize for List<F>
where
    F: Fn() -> I,
    I: IntoIterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}
