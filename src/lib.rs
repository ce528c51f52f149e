//! kaohe (考核): a language and interpreter for performance-assessment schemes.
//!
//! | stage | module | in → out |
//! |---|---|---|
//! | source | [`source`] | path → [`source::SourceFile`] |
//! | syntax | [`syntax`] | text → [`ast::File`] (pest grammar, recovery, spans) |
//! | check | [`check`] | AST (+ extended schemes) → [`model::Scheme`] |
//! | data | [`data`] | CSV, JSON, Excel files → [`data::Dataset`] |
//! | eval | [`eval`] | model + dataset → [`report::Assessment`] |
//! | report | [`report`] | assessment → terminal, CSV, JSON, explain, diff |
//!
//! Diagnostics from every stage are [`diagnostics::Diagnostic`] values,
//! rendered only by the CLI.

#![forbid(unsafe_code)]

// pest's parser, built without its `std` feature, names `alloc::boxed::Box`.
extern crate alloc;

pub mod ast;
pub mod check;
pub mod cli;
pub mod cores;
pub mod data;
pub mod date;
pub mod decimals;
pub mod diagnostics;
pub mod eval;
pub mod flags;
pub mod generate;
pub mod model;
pub mod report;
pub mod runner;
pub mod source;
pub mod suggest;
pub mod syntax;
#[cfg(test)]
mod testing;
