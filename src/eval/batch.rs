//! Scoring in batches of units, on every core.
//!
//! A unit's figures up to its published total and vetoes depend on that
//! unit's rows alone, unless a formula looks across units (`组内平均`,
//! `排名`, …). So the units are cut into batches of consecutive units (their
//! rows are consecutive in every table), each batch is scored by its own
//! engine on whichever core is free, and the batches are put back one after
//! the other in unit order: the figures are the very ones one engine over
//! all units would give. Ranking, grading and the results need every
//! unit's total and run once, after.
//!
//! A batch is small enough that a formula's working columns stay in the
//! processor's cache between one node of the formula and the next, and only
//! one batch's working columns a core are alive at a time.

use std::borrow::Cow;

use super::{Derivation, Engine, Faults, Scored};
use crate::cores;
use crate::data::{Dataset, TableData};
use crate::model::{ExprKind, Scheme};

/// Units a batch: a formula's column of 4,096 figures is 32 KB.
pub(super) const BATCH_UNITS: usize = 4096;

/// Every unit's figures up to its published total and vetoes (and their
/// derivation, unless left out), with the faults found; `progress(done,
/// units)` is told after each batch.
pub(super) fn score(
    scheme: &Scheme,
    data: &Dataset,
    derivation: Derivation,
    batch_units: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> (Scored, Faults) {
    let units = data.units;
    let batch_units = batch_units.max(1);
    if units <= batch_units || looks_across_units(scheme) {
        let tables = data.tables_sorted_by_unit();
        let mut engine = Engine::new(scheme, data.unit_keys(), &tables, &data.strings);
        let scored = engine.score(derivation);
        // One batch, told as the others are.
        progress(units, units);
        return (scored, engine.faults);
    }
    let batches = (0..units).step_by(batch_units).map(|start| start..units.min(start + batch_units));
    let mut whole: Option<(Scored, Faults)> = None;
    cores::in_order(
        cores::Work::Batches,
        batches,
        |range| {
            let tables: Vec<Cow<TableData>> = data.tables.iter().map(|t| Cow::Owned(t.of_units(range.clone()))).collect();
            let mut engine = Engine::new(scheme, data.unit_keys().slice(range), &tables, &data.strings);
            let scored = engine.score(derivation);
            (scored, engine.faults)
        },
        |(scored, faults)| {
            match whole.as_mut() {
                None => {
                    let mut first = scored;
                    first.reserve(units);
                    whole = Some((first, faults));
                }
                Some((all, all_faults)) => {
                    all.append(scored);
                    all_faults.append(faults);
                }
            }
            progress(whole.as_ref().map_or(0, |(all, _)| all.exact.len()), units);
        },
    );
    whole.unwrap_or_default()
}

/// Whether a formula scored unit by unit reads other units' figures.
fn looks_across_units(scheme: &Scheme) -> bool {
    let mut across = false;
    scheme.walk_unit_formulas(&mut |e| {
        e.walk(&mut |node| across |= matches!(node.kind, ExprKind::Across { .. }));
    });
    across
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::Derivation;
    use crate::data::LoadOptions;
    use crate::diagnostics::Lang;
    use crate::generate::national;
    use crate::report::{csv, table};

    /// Generated national data, with a zero-sized colleague panel in one
    /// quarter row of 600 (a division by zero, in many batches).
    fn data_with_faults(dir: &Path) {
        national::write(dir, &national::Options { people: 1500, seed: 11 }).unwrap();
        let quarters = dir.join("季报.csv");
        let text = std::fs::read_to_string(&quarters).unwrap();
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            let mut cells: Vec<&str> = line.split(',').collect();
            if i > 0 && i % 600 == 0 {
                cells[11] = "0";
            }
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        std::fs::write(&quarters, out).unwrap();
    }

    /// The results as JSON (every figure, down to the periods and the
    /// occurrences of each deduction and bonus) and the faults, scoring in
    /// batches of `batch_units`.
    fn outcome(scheme: &crate::model::Scheme, data: &crate::data::Dataset, batch_units: usize) -> (String, Vec<String>) {
        let (assessment, faults) = super::super::evaluate_in_batches(scheme, data, Derivation::Kept, batch_units, &mut |_, _| {});
        let json = serde_json::to_string_pretty(&assessment).unwrap();
        let mut faults: Vec<String> = faults.iter().map(|d| format!("{} {:?} {:?}", d.code.id, d.message, d.labels)).collect();
        faults.sort();
        (json, faults)
    }

    /// Each shipped scheme with its example data.
    fn shipped_examples() -> Vec<(crate::model::Scheme, crate::data::Dataset)> {
        let mut examples = Vec::new();
        for example in std::fs::read_dir("examples").unwrap() {
            let folder = example.unwrap().path();
            let rules = Path::new("rules").join(folder.file_name().unwrap()).with_extension("kh");
            if !folder.is_dir() || !rules.is_file() {
                continue;
            }
            let scheme = crate::check::check_path(&rules, Path::new("rules")).scheme.unwrap();
            // A folder of CSV files, or one holding a workbook.
            let workbook =
                std::fs::read_dir(&folder).unwrap().map(|f| f.unwrap().path()).find(|f| f.extension().is_some_and(|e| e == "xlsx"));
            let (data, found) = crate::data::load(&scheme, workbook.as_deref().unwrap_or(&folder), &LoadOptions { encoding: None });
            assert_eq!(found.error_count(), 0, "{}", folder.display());
            examples.push((scheme, data));
        }
        assert!(examples.len() >= 6, "the shipped examples were not found");
        examples
    }

    #[test]
    fn every_shipped_example_scores_alike_in_batches_of_two() {
        // Schemes whose unit formulas look across units (`组内平均`, `排名`) must
        // notice it and score in one batch; the others are cut into many.
        let mut across = 0;
        for (scheme, data) in shipped_examples() {
            across += usize::from(super::looks_across_units(&scheme));
            assert!(outcome(&scheme, &data, usize::MAX) == outcome(&scheme, &data, 2), "{} differs in batches", scheme.title);
        }
        assert!(across > 0, "no example looks across units");
    }

    #[test]
    fn leaving_the_derivation_out_changes_no_figure_shown() {
        // Every shipped example, in one engine and in batches of two: the
        // table and the CSV are the same bytes, and no derivation is left.
        let (mut periods_kept, mut adjustments_kept, mut notes_kept) = (0, 0, 0);
        for (scheme, data) in shipped_examples() {
            let (kept, kept_faults) = super::super::evaluate_in_batches(&scheme, &data, Derivation::Kept, usize::MAX, &mut |_, _| {});
            periods_kept += kept.units().flat_map(|u| u.indicators()).map(|i| i.periods().len()).sum::<usize>();
            adjustments_kept += kept.units().map(|u| u.deductions().count() + u.bonuses().count()).sum::<usize>();
            notes_kept += kept.units().filter(|u| u.grade_note().is_some()).count();
            let shown = |a: &crate::report::Assessment| (csv::render(a), table::render(a, Lang::Zh, 100));
            for batch_units in [usize::MAX, 2] {
                let (left_out, faults) =
                    super::super::evaluate_in_batches(&scheme, &data, Derivation::LeftOut, batch_units, &mut |_, _| {});
                assert!(shown(&left_out) == shown(&kept), "{} differs", scheme.title);
                assert_eq!(faults.iter().count(), kept_faults.iter().count());
                for i in left_out.units().flat_map(|u| u.indicators()) {
                    assert_eq!((i.before_adjustments(), i.contribution(), i.periods().len()), (None, None, 0), "{}", i.path());
                }
                for u in left_out.units() {
                    let left = (u.deductions().count(), u.bonuses().count(), u.rank_keys().count(), u.grade_note(), u.over_quota());
                    assert_eq!(left, (0, 0, 0, None, None), "{}", u.key());
                }
            }
        }
        assert!(periods_kept > 0, "no example keeps per-period scores");
        assert!(adjustments_kept > 0 && notes_kept > 0, "no example keeps deductions, bonuses and grade notes");
    }

    #[test]
    fn batches_give_the_figures_and_faults_of_one_engine() {
        let dir = std::env::temp_dir().join(format!("kaohe-batches-{}", std::process::id()));
        data_with_faults(&dir);
        let scheme = crate::check::check_path(Path::new("rules/national_individual.kh"), Path::new("rules")).scheme.unwrap();
        let (data, found) = crate::data::load(&scheme, &dir, &LoadOptions { encoding: None });
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found.error_count(), 0);
        let (whole, whole_faults) = outcome(&scheme, &data, usize::MAX);
        // 97 units a batch: 16 batches, the last one short.
        let (batched, batched_faults) = outcome(&scheme, &data, 97);
        // Told after each batch, in order, up to every unit.
        let mut told = Vec::new();
        let _ = super::super::evaluate_in_batches(&scheme, &data, Derivation::Kept, 97, &mut |done, all| told.push((done, all)));
        let expected: Vec<(usize, usize)> = (1..=16).map(|b| ((b * 97).min(1500), 1500)).collect();
        assert_eq!(told, expected);
        // In one batch, told once, at the end.
        let mut told = Vec::new();
        let _ = super::super::evaluate_in_batches(&scheme, &data, Derivation::Kept, usize::MAX, &mut |done, all| told.push((done, all)));
        assert_eq!(told, [(1500, 1500)]);
        assert_eq!(whole.matches("\"unit\":").count(), 1500);
        assert!(whole.contains("\"occurrences\": [\n") && whole.contains("\"periods\": [\n"));
        assert!(whole == batched, "the batched results differ");
        // Ten divisions by zero, and the ten scores they leave missing.
        assert_eq!(whole_faults.len(), 20);
        assert_eq!(whole_faults, batched_faults);
    }
}
