//! Open statutory deadlines past their due date, counted per local authority: the figure a
//! manager's alert watches. One grouped query, cheap enough to run at every metrics scrape.
//!
//! The domain ([`crate::domain::assessment::assessment_deadlines`]) is the authority on a
//! single case; this is its SQL approximation over all cases. A deadline counts when the case
//! is open, the step is not done, the due date has passed, and no exception on record can
//! lift that limit (an exception that started after the due date is treated as lifting it,
//! so the count errs low rather than paging someone for an excepted case).
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, Value};

use crate::domain::assessment::{AssessmentKind, AssessmentState};
use crate::domain::rules::{Clock, rule_of};
use crate::domain::timescales::DeadlineKind;

/// How many open deadlines of one kind are overdue in one local authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueCount {
    /// The process the deadline belongs to, e.g. `needs_assessment`.
    pub process: &'static str,
    pub deadline: DeadlineKind,
    /// The local authority's DfE code.
    pub la_code: String,
    pub count: i64,
}

pub const NEEDS_ASSESSMENT: &str = "needs_assessment";

/// Counts as seen on `today`. Only LAs with something overdue appear.
pub async fn overdue_counts(
    db: &DatabaseConnection,
    today: NaiveDate,
) -> Result<Vec<OverdueCount>, DbErr> {
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend);
    // "Overdue" is today > due_on = received_on + N weeks, i.e. received_on < today - N weeks.
    let before = |kind: DeadlineKind| {
        kind.overdue_if_started_before(today)
            .expect("the assessment's limits are weeks after the request")
    };
    let open = format!(
        "a.state IN ('{}', '{}', '{}')",
        AssessmentState::Requested.as_str(),
        AssessmentState::Assessing.as_str(),
        AssessmentState::DraftIssued.as_str()
    );
    let initial = format!("a.kind = '{}'", AssessmentKind::Initial.as_str());
    let reassessment = format!("a.kind = '{}'", AssessmentKind::Reassessment.as_str());
    let ordered = format!("a.kind = '{}'", AssessmentKind::Ordered.as_str());
    let ordered_plan = format!("a.kind = '{}'", AssessmentKind::OrderedPlan.as_str());

    // An exception lifts only when it meets its reason's conditions (the domain's
    // `ExceptionReason::refusal`): its minimum length, and for a closure the advice request it
    // names asked between one week before the closure and one week before it re-opened.
    let days = |a: &str, b: &str| crate::store::backlog::days_between(backend, a, b);
    // A reg 44(3) exception is recorded on the order that opened the assessment; it lifts a
    // limit it began by (and had not ended before the clock started).
    let order_not_excepted = |kind: DeadlineKind| {
        let weeks = match rule_of(kind).clock {
            Clock::WeeksAfter(n) => i64::from(n),
            _ => 0,
        };
        format!(
            "NOT EXISTS (SELECT 1 FROM dispute d WHERE d.ordered_assessment_id = a.id \
             AND d.order_exception IS NOT NULL AND {} <= {} \
             AND (d.order_exception_until IS NULL OR d.order_exception_until >= a.received_on))",
            days("a.received_on", "d.order_exception_on"),
            7 * weeks
        )
    };
    let long_enough = format!(
        "(r.minimum_days IS NULL OR {} + 1 >= r.minimum_days)",
        days("e.starts_on", "e.ends_on")
    );
    let in_window = format!(
        "EXISTS (SELECT 1 FROM advice_request q WHERE q.id = e.advice_request_id \
         AND {} <= 7 AND {} >= 6)",
        days("q.requested_on", "e.starts_on"),
        days("q.requested_on", "e.ends_on")
    );
    let not_excepted = |lifts: &str| {
        format!(
            "NOT EXISTS (SELECT 1 FROM assessment_exception e \
             JOIN exception_reason r ON r.code = e.reason_code \
             WHERE e.assessment_id = a.id \
             AND ((e.advice_request_id IS NULL AND NOT r.concerns_advice_request) \
                  OR (r.concerns_advice_request AND {in_window})) \
             AND {long_enough} AND r.{lifts} AND e.ends_on >= a.received_on)"
        )
    };
    let branches = [
        (
            DeadlineKind::DecisionToAssess,
            format!(
                "{initial} AND a.decided_to_assess_on IS NULL \
                 AND a.decided_not_to_assess_on IS NULL AND a.received_on < {} AND {}",
                sql.bind(before(DeadlineKind::DecisionToAssess)),
                not_excepted("lifts_decision")
            ),
        ),
        (
            DeadlineKind::DecisionNotToIssue,
            format!(
                "{initial} AND a.decided_not_to_assess_on IS NULL \
                 AND a.decided_not_to_issue_on IS NULL AND a.draft_sent_on IS NULL \
                 AND a.final_issued_on IS NULL AND a.received_on < {} AND {}",
                sql.bind(before(DeadlineKind::DecisionNotToIssue)),
                not_excepted("lifts_plan")
            ),
        ),
        (
            DeadlineKind::FinalPlan,
            format!(
                "{initial} AND a.decided_not_to_assess_on IS NULL \
                 AND a.decided_not_to_issue_on IS NULL AND a.final_issued_on IS NULL \
                 AND a.received_on < {} AND {}",
                sql.bind(before(DeadlineKind::FinalPlan)),
                not_excepted("lifts_plan")
            ),
        ),
        (
            DeadlineKind::ReassessmentFinalPlan,
            format!(
                "{reassessment} AND a.decided_not_to_issue_on IS NULL \
                 AND a.final_issued_on IS NULL AND a.received_on < {} AND {}",
                sql.bind(before(DeadlineKind::ReassessmentFinalPlan)),
                not_excepted("lifts_plan")
            ),
        ),
        (
            DeadlineKind::OrderAssessmentNotice,
            format!(
                "{ordered} AND a.decided_to_assess_on IS NULL AND a.received_on < {} \
                 AND {}",
                sql.bind(before(DeadlineKind::OrderAssessmentNotice)),
                order_not_excepted(DeadlineKind::OrderAssessmentNotice)
            ),
        ),
        (
            DeadlineKind::OrderNoPlanDecision,
            format!(
                "{ordered} AND a.decided_not_to_issue_on IS NULL AND a.draft_sent_on IS NULL \
                 AND a.final_issued_on IS NULL AND a.received_on < {} AND {}",
                sql.bind(before(DeadlineKind::OrderNoPlanDecision)),
                order_not_excepted(DeadlineKind::OrderNoPlanDecision)
            ),
        ),
        (
            DeadlineKind::OrderFinalPlan,
            format!(
                "{ordered} AND a.decided_not_to_issue_on IS NULL AND a.final_issued_on IS NULL \
                 AND a.received_on < {} AND {}",
                sql.bind(before(DeadlineKind::OrderFinalPlan)),
                order_not_excepted(DeadlineKind::OrderFinalPlan)
            ),
        ),
        (
            DeadlineKind::OrderDraftPlan,
            format!(
                "{ordered_plan} AND a.draft_sent_on IS NULL AND a.final_issued_on IS NULL \
                 AND a.received_on < {} AND {}",
                sql.bind(before(DeadlineKind::OrderDraftPlan)),
                order_not_excepted(DeadlineKind::OrderDraftPlan)
            ),
        ),
        (
            DeadlineKind::OrderMadePlan,
            format!(
                "{ordered_plan} AND a.final_issued_on IS NULL AND a.received_on < {} \
                 AND {}",
                sql.bind(before(DeadlineKind::OrderMadePlan)),
                order_not_excepted(DeadlineKind::OrderMadePlan)
            ),
        ),
    ];
    let mut parts: Vec<String> = branches
        .iter()
        .map(|(kind, condition)| {
            format!(
                "SELECT '{}' AS deadline, la.code AS la_code, COUNT(*) AS n \
                 FROM assessment a JOIN local_authority la ON la.id = a.la_id \
                 WHERE {open} AND {condition} GROUP BY la.code",
                kind.as_str()
            )
        })
        .collect();
    // Advice asked of professionals for an open assessment (reg 8(1)): the due date is stored.
    parts.push(format!(
        "SELECT '{}' AS deadline, la.code AS la_code, COUNT(*) AS n \
         FROM advice_request ar JOIN assessment a ON a.id = ar.assessment_id \
         JOIN local_authority la ON la.id = a.la_id \
         WHERE {open} AND ar.received_on IS NULL AND ar.declined_on IS NULL \
         AND ar.due_on < {} \
         AND NOT EXISTS (SELECT 1 FROM assessment_exception e \
             JOIN exception_reason r ON r.code = e.reason_code \
             WHERE e.assessment_id = a.id AND r.lifts_advice \
             AND (e.advice_request_id IS NULL OR e.advice_request_id = ar.id) \
             AND e.ends_on >= ar.requested_on) \
         GROUP BY la.code",
        DeadlineKind::AdviceResponse.as_str(),
        sql.bind(today)
    ));
    let statement = Statement::from_sql_and_values(backend, parts.join(" UNION ALL "), sql.values);
    let rows = db.query_all_raw(statement).await?;
    let mut counts = Vec::with_capacity(rows.len());
    for row in rows {
        let deadline: String = row.try_get("", "deadline")?;
        let Some(deadline) = deadline_kind(&deadline) else {
            continue;
        };
        counts.push(OverdueCount {
            process: NEEDS_ASSESSMENT,
            deadline,
            la_code: row.try_get("", "la_code")?,
            count: row.try_get("", "n")?,
        });
    }
    Ok(counts)
}

fn deadline_kind(code: &str) -> Option<DeadlineKind> {
    [
        DeadlineKind::DecisionToAssess,
        DeadlineKind::AdviceResponse,
        DeadlineKind::DecisionNotToIssue,
        DeadlineKind::FinalPlan,
        DeadlineKind::ReassessmentFinalPlan,
        DeadlineKind::OrderAssessmentNotice,
        DeadlineKind::OrderNoPlanDecision,
        DeadlineKind::OrderFinalPlan,
        DeadlineKind::OrderDraftPlan,
        DeadlineKind::OrderMadePlan,
    ]
    .into_iter()
    .find(|k| k.as_str() == code)
}

/// Placeholders in the backend's syntax, numbered in the order values are bound.
struct Sql {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            values: Vec::new(),
        }
    }

    fn bind(&mut self, date: NaiveDate) -> String {
        self.values.push(date.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".into(),
        }
    }
}
