//! Identifiers: GraphQL `ID`s that carry a database id.
use async_graphql::ID;

use crate::error::ApiError;

/// Parses an `ID` argument, naming the field when it is not one of ours.
pub struct Id;

impl Id {
    pub fn parse(field: &'static str, id: &ID) -> Result<i64, ApiError> {
        id.parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ApiError::validation(field, "not an id from this API"))
    }

    pub fn of(id: i64) -> ID {
        ID(id.to_string())
    }
}
