//! Transport: HTTP routes, sign-in, and the GraphQL schema.
pub mod auth;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod token;
