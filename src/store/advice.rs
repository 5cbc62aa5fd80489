//! How an advice request's row reads: who it is from, and whether a statutory clock runs.
use super::entity::advice_request;
use crate::domain::advice::AdviceService;

/// The parent's and the child's own views are contributions, not advice from a body asked
/// to co-operate, so reg 8(1)'s six weeks does not run for them.
pub fn has_statutory_deadline(service: &str) -> bool {
    service
        .parse::<AdviceService>()
        .map(AdviceService::is_professional)
        .unwrap_or(true)
}

pub fn advice_from(a: &advice_request::Model) -> String {
    let service = a
        .service
        .parse::<AdviceService>()
        .map(|s| s.label().to_owned())
        .unwrap_or_else(|_| a.service.clone());
    match &a.addressed_to {
        Some(team) => format!("{service} ({team})"),
        None => service,
    }
}
