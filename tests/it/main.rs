//! The integration tests, in one binary (one link of the Typst crates, not one per
//! file): a module per feature, sharing the helpers of `common`.

mod alloc;
mod booklet;
mod check;
mod cli;
mod common;
mod fuzz;
mod handouts;
mod import;
mod index_order;
mod ingest;
mod lang;
mod layers;
mod math;
mod new;
mod parts;
mod print;
mod programme;
mod rich;
mod theme;
mod typography;
mod watch;
