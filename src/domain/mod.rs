//! Pure domain rules: no database, no GraphQL, no clock reads ("today" is an argument).
pub mod access;
pub mod advice;
mod agreement;
pub mod amendment;
pub mod appeal;
pub mod assessment;
pub mod backlog;
pub mod calendar;
pub mod delay;
pub mod holidays;
pub mod input;
pub mod people;
pub mod plan;
pub mod review;
pub mod review_request;
pub mod rules;
pub mod sign_in;
pub mod timescales;
