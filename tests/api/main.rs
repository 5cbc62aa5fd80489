//! Black-box tests of the HTTP API: one binary, a module per area. Each test gets its own
//! database (a SQLite file, or a PostgreSQL schema when DATABASE_URL names PostgreSQL).
mod common;

mod access_matrix;
mod assessment;
mod auth;
mod backend;
mod backlog;
mod caseload;
mod contributions;
mod delays;
mod demo;
mod disputes;
mod export;
mod http;
mod import;
mod limits;
mod messages;
mod outage;
mod people;
mod plan;
mod rules;
mod sen2;
mod sign_in;
mod statements;
