//! The registry of diagnostic codes. Every diagnostic uses one of these; the
//! README lists them all (a test keeps the two in step).

use super::Code;

macro_rules! codes {
    ($($name:ident = $id:literal, $doc:literal;)*) => {
        $(
            #[doc = $doc]
            pub static $name: Code = Code { id: $id, doc: $doc };
        )*
        /// Every code, in registry order.
        pub static ALL: &[&Code] = &[$(&$name),*];
    };
}

codes! {
    IO = "kaohe::io", "a scheme file cannot be read (missing, unreadable, not UTF-8)";

    SYNTAX_UNEXPECTED = "kaohe::syntax::unexpected", "a word or symbol stands where something else was expected";
    SYNTAX_UNKNOWN_KEYWORD = "kaohe::syntax::unknown_keyword", "a line starts with a word that begins no declaration or clause";
    SYNTAX_UNCLOSED = "kaohe::syntax::unclosed", "a `{`, `(` or `[` is never closed";
    SYNTAX_UNMATCHED_CLOSE = "kaohe::syntax::unmatched_close", "a `}`, `)` or `]` closes nothing";
    SYNTAX_MISMATCHED = "kaohe::syntax::mismatched", "a bracket is closed by the wrong kind (`(` … `}`)";
    SYNTAX_UNTERMINATED_STRING = "kaohe::syntax::unterminated_string", "a string has no closing quote on its line";
    SYNTAX_TOO_DEEP = "kaohe::syntax::too_deep", "brackets or an expression nest deeper than kaohe allows";
    SYNTAX_NUMBER = "kaohe::syntax::number", "a number cannot be represented exactly (too many digits)";
    SYNTAX_DATE = "kaohe::syntax::date", "a date does not exist (`2013-02-30`)";
    SYNTAX_INDENTATION = "kaohe::syntax::indentation", "a closing `}` does not line up with the line that opened its block";

    HEADER_MISSING = "kaohe::header::missing", "the file has no `方案` / `scheme` header";
    HEADER_REPEATED = "kaohe::header::repeated", "a header or a header clause is given twice";
    HEADER_VALUE = "kaohe::header::value", "a header value is out of range (year, full marks, rounding places)";

    NAME_DUPLICATE = "kaohe::name::duplicate", "two things of one kind have the same name";
    NAME_UNKNOWN = "kaohe::name::unknown", "a name refers to nothing declared";
    NAME_AMBIGUOUS = "kaohe::name::ambiguous", "a bare column name exists in several tables";
    NAME_KIND = "kaohe::name::kind", "a name refers to the wrong kind of thing (a table where a value is needed)";

    UNITS_MISSING = "kaohe::units::missing", "no `考核对象` / `units` declaration";
    UNITS_REPEATED = "kaohe::units::repeated", "`考核对象` / `units` is declared twice";
    TABLE_UNIT_COLUMN = "kaohe::table::unit_column", "a table has no column naming the unit";
    TABLE_DEFAULT = "kaohe::table::default", "a column's default does not fit its type";
    TABLE_ENUM = "kaohe::table::enum", "an enumeration lists a value twice";

    PARAM_DATES = "kaohe::param::dates", "a parameter's values by date are inconsistent";

    FUNCTION_UNKNOWN = "kaohe::function::unknown", "a function name is not a kaohe function";
    FUNCTION_ARGUMENTS = "kaohe::function::arguments", "a function gets the wrong number or kind of arguments";

    TYPE_MISMATCH = "kaohe::type::mismatch", "an operator or function gets values of the wrong type";
    TYPE_ROWS = "kaohe::type::rows", "a column with many rows per unit is used as one value without an aggregate";
    TYPE_CONDITION = "kaohe::type::condition", "a condition is not a yes/no value";
    TYPE_SCORE = "kaohe::type::score", "a score, amount, cap or threshold is not a number";
    EXPR_DIVISION_BY_ZERO = "kaohe::expr::division_by_zero", "a formula divides by the constant zero";
    EXPR_FILTER = "kaohe::expr::filter", "`where` is used outside the row argument of an aggregate";

    WEIGHTS_SUM = "kaohe::weights::sum", "sibling weights or points do not add up";
    WEIGHTS_MIXED = "kaohe::weights::mixed", "siblings mix percent, points and ratio weights";
    WEIGHTS_RANGE = "kaohe::weights::range", "a weight is zero, negative or above 100%";
    PERIODS_SUM = "kaohe::periods::sum", "period weights do not add up to 100%";
    PERIODS_COUNT = "kaohe::periods::count", "the number of period weights does not match the number of periods";

    INDICATOR_NO_SCORE = "kaohe::indicator::no_score", "a leaf indicator has no score formula and nothing deducts from it";
    INDICATOR_SCORE_AND_CHILDREN = "kaohe::indicator::score_and_children", "an indicator has both sub-indicators and its own score formula";
    INDICATOR_CYCLE = "kaohe::indicator::cycle", "indicator formulas refer to each other in a cycle";
    INDICATOR_REPEATED_CLAUSE = "kaohe::indicator::repeated_clause", "an indicator gives the same clause twice";
    APPLIES_COLUMN = "kaohe::applies::column", "an `适用` condition does not test an enumerated unit column";

    DEDUCTION_EMPTY = "kaohe::deduction::empty", "a deduction or bonus has no rule that produces an amount";
    DEDUCTION_EXPUNGE = "kaohe::deduction::expunge", "a cancellation share is above 100% or needs a per-row rule";
    VETO_EMPTY = "kaohe::veto::empty", "a veto has no effect";

    GRADES_MISSING = "kaohe::grades::missing", "no `等次` / `grades` declaration";
    GRADES_ORDER = "kaohe::grades::order", "a grade band can never be reached (thresholds not descending, or after the catch-all)";
    GRADES_NO_CATCH_ALL = "kaohe::grades::no_catch_all", "the last grade band has a threshold, so some units would get no grade";
    GRADES_QUOTA = "kaohe::grades::quota", "grade quotas add up to more than 100%";
    GRADES_GROUP = "kaohe::grades::group", "a per-group quota or ranking names no group column";

    RANKING_REPEATED = "kaohe::ranking::repeated", "`排名` / `rank` is declared twice";

    EXTENDS_NOT_FOUND = "kaohe::extends::not_found", "an extended scheme file cannot be read";
    EXTENDS_OUTSIDE = "kaohe::extends::outside", "an extended scheme lies outside the folder tree kaohe was given";
    EXTENDS_CYCLE = "kaohe::extends::cycle", "schemes extend each other in a cycle";
    EXTENDS_NOTHING = "kaohe::extends::nothing_to_override", "`覆盖` / `override` or `删除` / `remove` names something the base scheme does not have";
    EXTENDS_NEEDS_OVERRIDE = "kaohe::extends::needs_override", "a declaration repeats one of the base scheme without `覆盖` / `override`";

    TEST_ROW = "kaohe::test::row", "a test data row has the wrong number of values or a value of the wrong type";
    TEST_EXPECTATION = "kaohe::test::expectation", "an expectation names a unit, period or value that does not fit";

    EVAL_DIVISION_BY_ZERO = "kaohe::eval::division_by_zero", "a formula divides by zero for some unit (the data makes a denominator zero)";
    EVAL_OVERFLOW = "kaohe::eval::overflow", "a computed number is beyond the exact decimal range";
    EVAL_MISSING_VALUE = "kaohe::eval::missing_value", "a score needs a value that is empty or missing for some unit";
    EVAL_EMPTY_AGGREGATE = "kaohe::eval::empty_aggregate", "an average, minimum, maximum or trimmed mean has too few rows for some unit";

    DATA_IO = "kaohe::data::io", "the data path, or a data file in it, cannot be read";
    DATA_MISSING_FILE = "kaohe::data::missing_file", "a table that needs rows has no `NAME.csv` / `NAME.json` file in the data folder (or no sheet in the workbook); a warning when a table that may be empty has none but a file or sheet of a similar name is there";
    DATA_BOTH_FORMATS = "kaohe::data::both_formats", "a table has both `NAME.csv` and `NAME.json` in the data folder";
    DATA_ENCODING = "kaohe::data::encoding", "a data file is not valid text in the detected or given encoding, or `--encoding` names no known encoding";
    DATA_FORMAT = "kaohe::data::format", "a CSV or JSON data file is not a table (no header row, malformed JSON, not an array of objects)";
    DATA_WORKBOOK = "kaohe::data::workbook", "an Excel workbook or one of its sheets cannot be read";
    DATA_MISSING_COLUMN = "kaohe::data::missing_column", "a file's header lacks a column that has no default and is not optional; a warning when a defaulted or optional column is absent but the header has a similar name";
    DATA_DUPLICATE_COLUMN = "kaohe::data::duplicate_column", "a file's header names a declared column twice";
    DATA_CELL = "kaohe::data::cell", "a cell does not fit its column's type (bad number, percent without `%`, bad date, value not in the enumeration, ...) or a required cell is empty";
    DATA_UNKNOWN_UNIT = "kaohe::data::unknown_unit", "a row names a unit that the units table does not list";
    DATA_DUPLICATE_KEY = "kaohe::data::duplicate_key", "two rows share the table's key (`键`), or the units table lists a unit twice";
    DATA_MISSING_ROW = "kaohe::data::missing_row", "a unit (or a unit and period) has no row in a one-row-per-unit table whose columns have no defaults";

    UNUSED_TABLE = "kaohe::unused::table", "a table is declared but never read (warning)";
    UNUSED_PARAM = "kaohe::unused::param", "a parameter is declared but never used (warning)";
}

#[cfg(test)]
mod tests {
    use super::ALL;

    #[test]
    fn codes_are_unique_and_documented_in_the_readme() {
        let mut ids: Vec<&str> = ALL.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate diagnostic codes");
        let readme = include_str!("../../README.md");
        for code in ALL {
            assert!(readme.contains(code.id), "README does not list `{}`", code.id);
        }
    }
}
