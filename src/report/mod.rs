//! `report`: the results of an evaluation and the writers that publish them.
//!
//! An [`Assessment`] holds every unit's figures in rank order, with enough
//! of their derivation (per-period scores, each deduction occurrence and its
//! source row, caps reached, vetoes, quota decisions) that `kaohe explain`
//! can justify each one. Decimals serialise as strings and lists keep a fixed
//! order, so output is byte-identical from run to run.

pub mod csv;
pub mod diff;
pub mod explain;
pub mod snapshot;
pub mod table;

use rust_decimal::Decimal;
use serde::Serialize;

/// The target name of a deduction or bonus on the total (`AdjustmentResult::target`).
pub const TOTAL_TARGET: &str = "总分";

/// The results of one scheme on one dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    /// The scheme's title.
    pub scheme: String,
    /// The assessment year.
    pub year: u32,
    /// Every unit, in rank order (ties in key order).
    pub units: Vec<UnitResult>,
}

/// One unit's figures.
#[derive(Debug, Clone, Serialize)]
pub struct UnitResult {
    /// The unit's key.
    pub unit: String,
    /// Its group values, in the scheme's group order.
    pub groups: Vec<String>,
    /// The published total (rounded as the scheme says).
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    /// The total before rounding.
    #[serde(with = "rust_decimal::serde::str")]
    pub exact_total: Decimal,
    /// The grade.
    pub grade: String,
    /// Competition rank among all units.
    pub rank: u32,
    /// Rank within the group, when the ranking is per group.
    pub group_rank: Option<u32>,
    /// The values of the ranking keys (the first key, then the tie-breakers).
    #[serde(serialize_with = "optional_decimals")]
    pub rank_keys: Vec<Option<Decimal>>,
    /// Vetoes that struck.
    pub vetoes: Vec<String>,
    /// Whether the unit may be named advanced (no `不得评先` veto struck).
    pub award_eligible: bool,
    /// Why the grade is not the one the total alone gives (a veto, a quota).
    pub grade_note: Option<String>,
    /// The band the total earned but whose quota was full (the unit was moved down).
    pub over_quota: Option<String>,
    /// Every indicator, parents before children, in the scheme's order.
    pub indicators: Vec<IndicatorResult>,
    /// Deductions that took something.
    pub deductions: Vec<AdjustmentResult>,
    /// Bonuses that gave something.
    pub bonuses: Vec<AdjustmentResult>,
}

/// One indicator's score for one unit.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorResult {
    /// `工作考核.重点工作`
    pub path: String,
    /// The score on the indicator's own scale, after its deductions and bonuses.
    #[serde(with = "rust_decimal::serde::str")]
    pub score: Decimal,
    /// The score before its own deductions and bonuses (its formula, its
    /// children's weighted sum, or its full marks).
    #[serde(with = "rust_decimal::serde::str")]
    pub before_adjustments: Decimal,
    /// What it contributes to its parent (or to the total).
    #[serde(with = "rust_decimal::serde::str")]
    pub contribution: Decimal,
    /// Per-period scores, when assessed per period.
    #[serde(serialize_with = "decimals")]
    pub periods: Vec<Decimal>,
    /// Whether the indicator applies to this unit (`适用`).
    pub applies: bool,
}

/// What one deduction or bonus did to one unit.
#[derive(Debug, Clone, Serialize)]
pub struct AdjustmentResult {
    /// The clause's name.
    pub name: String,
    /// `总分` or the indicator's path.
    pub target: String,
    /// The amount taken or given, after cancellation and caps.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The amount before the clause's cap.
    #[serde(with = "rust_decimal::serde::str")]
    pub uncapped: Decimal,
    /// Each row or condition that counted.
    pub occurrences: Vec<Occurrence>,
    /// Whether the target's floor or cap cut the amount further.
    pub limited: bool,
}

/// One row (or flat condition) behind a deduction or bonus.
#[derive(Debug, Clone, Serialize)]
pub struct Occurrence {
    /// `督查记录.csv:14`, or the scheme line of a flat rule.
    pub source: String,
    /// Its amount before cancellation.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The share cancelled after rectification (0 if none).
    #[serde(with = "rust_decimal::serde::str")]
    pub cancelled: Decimal,
}

fn optional_decimals<S: serde::Serializer>(values: &[Option<Decimal>], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(values.len()))?;
    for v in values {
        seq.serialize_element(&v.map(|d| d.to_string()))?;
    }
    seq.end()
}

fn decimals<S: serde::Serializer>(values: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(values.len()))?;
    for v in values {
        seq.serialize_element(&v.to_string())?;
    }
    seq.end()
}
