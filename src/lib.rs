//! EHC needs assessments, plans and annual reviews for English local authorities' SEND teams.
//!
//! - [`domain`]: pure statutory rules (deadlines, state machines, access), no I/O.
//! - [`store`]: sea-orm entities and scoped queries.
//! - [`service`]: use cases, each one transaction with its audit event.
//! - [`api`]: HTTP, sign-in and the GraphQL schema.
pub mod api;
pub mod bench;
pub mod bench_messages;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod export_cli;
pub mod import_cli;
pub mod outbound;
pub mod seed;
pub mod sen2_cli;
pub mod service;
pub mod startup;
pub mod store;
