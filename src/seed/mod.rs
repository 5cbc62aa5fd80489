//! Demo and synthetic data.
pub mod demo;
