//! Caseloads and assignment.
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::assessment::Assessment;
use super::people::StaffMember;
use super::shared::Deadline;
use super::{Id, Kind, ctx};
use crate::error::ApiError;
use crate::service::caseload::{self as svc, CaseloadFilter, Owner};

/// A caseworker's open cases, the next deadline first.
#[derive(SimpleObject)]
pub struct Caseload {
    /// Whose caseload (none for the unassigned cases).
    caseworker: Option<StaffMember>,
    /// Open cases, before the filters.
    open_cases: i32,
    /// Cases whose next deadline is overdue.
    overdue: i32,
    /// Cases whose next deadline is within 14 days.
    due_soon: i32,
    /// The cases that pass the filters, next deadline first (at most `first`).
    items: Vec<CaseloadItem>,
}

/// One open needs assessment on a caseload, with its next deadline.
#[derive(SimpleObject)]
pub struct CaseloadItem {
    /// The open needs assessment.
    assessment: Assessment,
    /// The earliest deadline still open; none when the case waits on nothing with a date.
    next_deadline: Option<Deadline>,
}

#[derive(Default)]
pub struct CaseloadQuery;

#[Object]
impl CaseloadQuery {
    /// A caseload: the signed-in caseworker's own by default; a colleague's in the same team;
    /// any caseworker's, or the unassigned cases, for managers.
    async fn caseload(
        &self,
        gql: &Context<'_>,
        #[graphql(
            desc = "A colleague's caseload (a member of staff's global id); the signed-in caseworker's own when omitted."
        )]
        caseworker_id: Option<ID>,
        #[graphql(
            default,
            desc = "Managers: the open cases with no caseworker instead; not with `caseworkerId`."
        )]
        unassigned: bool,
        #[graphql(default, desc = "Only cases whose next deadline is overdue.")] overdue_only: bool,
        #[graphql(
            desc = "Only cases whose next deadline falls within this many days of today (overdue ones included)."
        )]
        due_within_days: Option<i32>,
        #[graphql(default = 50, desc = "at most 200")] first: i32,
    ) -> Result<Caseload> {
        let ctx = ctx(gql)?;
        let owner = match (caseworker_id, unassigned) {
            (Some(_), true) => {
                return Err(ApiError::validation(
                    "unassigned",
                    "ask for a caseworker's cases or the unassigned ones, not both",
                )
                .into());
            }
            (Some(id), false) => {
                Owner::Caseworker(Id::parse("caseworkerId", Kind::StaffMember, &id)?)
            }
            (None, true) => Owner::Unassigned,
            (None, false) => Owner::Me,
        };
        let load = svc::caseload(
            &ctx,
            CaseloadFilter {
                owner,
                overdue_only,
                due_within_days: due_within_days.map(i64::from),
            },
        )
        .await?;
        let first = first.clamp(0, 200) as usize;
        Ok(Caseload {
            caseworker: load.caseworker.map(StaffMember),
            open_cases: load.open_cases as i32,
            overdue: load.overdue as i32,
            due_soon: load.due_soon as i32,
            items: load
                .items
                .into_iter()
                .take(first)
                .map(|i| CaseloadItem {
                    assessment: Assessment(i.record),
                    next_deadline: i.next_deadline.map(Into::into),
                })
                .collect(),
        })
    }
}

/// Which open case to give to which caseworker.
#[derive(InputObject)]
pub struct AssignCaseworkerInput {
    /// The open assessment's global id.
    assessment_id: ID,
    /// The assessment's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// The caseworker's global id: an active member of staff of the case's local authority (in the
    /// caller's team, for a caseworker).
    caseworker_id: ID,
}

#[derive(Default)]
pub struct CaseloadMutation;

#[Object]
impl CaseloadMutation {
    /// Assigns an open case to a caseworker: within their team for caseworkers, across the
    /// local authority for managers.
    async fn assign_caseworker(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The case and the caseworker.")] input: AssignCaseworkerInput,
    ) -> Result<Assessment> {
        let ctx = ctx(gql)?;
        let id = Id::parse("assessmentId", Kind::Assessment, &input.assessment_id)?;
        let caseworker = Id::parse("caseworkerId", Kind::StaffMember, &input.caseworker_id)?;
        Ok(Assessment(
            svc::assign(&ctx, id, input.version, caseworker).await?,
        ))
    }
}
