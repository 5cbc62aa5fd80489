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

/// Advice requests addressed to a professional: by name, or to their service, in their LA.
#[derive(Debug, Clone)]
pub struct AddressedTo {
    pub la_id: i64,
    pub professional_id: i64,
    pub service: String,
}

/// A page of the requests addressed to a professional, most urgent first (earliest due date,
/// then oldest), after `after` (due date, id); `open`: still wanted (unanswered, on an open
/// assessment or review), answered, or all. One ordered index walk per way a request can be
/// addressed (by name, to the service) instead of one OR the database must sort, so a page
/// reads about as many rows as it returns; the two walks are merged here.
pub async fn addressed_to<C: sea_orm::ConnectionTrait>(
    db: &C,
    to: &AddressedTo,
    open: Option<bool>,
    after: Option<(chrono::NaiveDate, i64)>,
    first: u64,
) -> Result<(Vec<advice_request::Model>, bool), sea_orm::DbErr> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

    use advice_request::Column as A;

    let mut shared = Condition::all().add(A::LaId.eq(to.la_id));
    let unanswered = Condition::all()
        .add(A::ReceivedOn.is_null())
        .add(A::DeclinedOn.is_null());
    match open {
        Some(true) => {
            // A request on a closed assessment or review is no longer wanted: its case is
            // looked up by key for each row the ordered walk reads (a scalar subquery is run
            // per row; `EXISTS … OR EXISTS …` was planned as a hash of every open case).
            let still_wanted = Expr::cust(
                "COALESCE((SELECT a.closed_on IS NULL FROM assessment a \
                 WHERE a.id = \"advice_request\".\"assessment_id\"), \
                 (SELECT r.closed_on IS NULL FROM annual_review r \
                 WHERE r.id = \"advice_request\".\"review_id\"), FALSE)",
            );
            shared = shared.add(unanswered).add(still_wanted);
        }
        Some(false) => shared = shared.add(unanswered.not()),
        None => {}
    }
    if let Some((due_on, id)) = after {
        shared = shared.add(
            Condition::any()
                .add(A::DueOn.gt(due_on))
                .add(Condition::all().add(A::DueOn.eq(due_on)).add(A::Id.gt(id))),
        );
    }
    let first = first.min(super::page::MAX_PAGE_SIZE);
    let mut rows: Vec<advice_request::Model> = Vec::new();
    for way in [
        A::ProfessionalId.eq(to.professional_id),
        A::Service.eq(to.service.clone()),
    ] {
        rows.extend(
            advice_request::Entity::find()
                .filter(shared.clone().add(way))
                .order_by_asc(A::DueOn)
                .order_by_asc(A::Id)
                .limit(first + 1)
                .all(db)
                .await?,
        );
    }
    rows.sort_by_key(|r| (r.due_on, r.id));
    rows.dedup_by_key(|r| r.id);
    let has_next = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok((rows, has_next))
}
