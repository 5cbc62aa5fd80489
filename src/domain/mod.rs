//! Pure domain rules: no database, no GraphQL, no clock reads ("today" is an argument).
pub mod access;
pub mod advice;
pub mod assessment;
pub mod backlog;
pub mod calendar;
pub mod people;
pub mod timescales;
