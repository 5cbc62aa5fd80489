//! Demo and synthetic data.
pub mod demo;
pub mod synthetic;
