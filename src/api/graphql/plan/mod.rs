//! EHC plans after issue: annual reviews (CFA 2014 s.44; SEND Regs 2014 reg 18–21),
//! amendments (reg 22, with the Devon judgment), phase transfers (reg 18), transfers between
//! councils (reg 15) and ceasing (regs 29–31), each deadline with its regulation.
//!
//! Rooms as caseworkers name them: `plans` (with phase transfers, moves and ceasing),
//! `reviews` (with the family's requests for a meeting) and `amendments`.
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};

use super::assessment::AdviceRequest;
use super::people::{AdviceService, Child};
use super::shared::{AppealWindow, Deadline, Milestone, Party};
use super::{Id, Kind, connection, ctx, loaders, page_request};
use crate::domain::amendment::{AmendmentFacts, amendment_comments_until, amendment_deadlines};
use crate::domain::assessment::Milestone as DomainMilestone;
use crate::domain::plan::{
    self as plan_rules, Needs, PlanFacts, next_phase_transfer, next_review_due, plan_deadlines,
};
use crate::domain::review::{self as review_rules, ReviewFacts, review_deadlines};
use crate::domain::review_request::{REVIEW_REQUEST_RULE, RequestOutcome, ReviewRequestFacts};
use crate::domain::timescales::{self, DeadlineKind};
use crate::error::ApiError;
use crate::service::Target;
use crate::service::plan::{self as svc, AmendmentRecord, PlanFilter, PlanRecord, ReviewRecord};
use crate::service::records::{PlanVersionRow, ReviewMeetingRequestRow};

macro_rules! next_step_object {
    ($name:ident, $action:ty, $domain:ty) => {
        /// What happens next, who does it, and by when.
        #[derive(SimpleObject)]
        pub struct $name {
            /// The action (as in `allowedActions`) that records the step; null when none does.
            action: Option<$action>,
            /// The step with its dates, worded for who reads it: a parent or young person in
            /// the second person ("the council must tell you by..."), staff as what to do.
            description: String,
            /// Who must act.
            party: Party,
            /// The last day for the step; null when no time limit applies to it.
            due_on: Option<$crate::api::graphql::Date>,
            /// The provision that sets the date, e.g. "SEND Regs 2014 reg 20(10)"; null when
            /// none does (e.g. the meeting date itself).
            regulation: Option<String>,
        }

        impl From<$domain> for $name {
            fn from(s: $domain) -> Self {
                $name {
                    action: s.action.map(Into::into),
                    description: s.description,
                    party: s.party.into(),
                    due_on: s.due_on.map($crate::api::graphql::Date),
                    regulation: s.regulation.map(str::to_owned),
                }
            }
        }
    };
}

fn deadlines(list: Vec<timescales::Deadline>) -> Vec<Deadline> {
    list.into_iter().map(Into::into).collect()
}

fn milestones(list: Vec<DomainMilestone>) -> Vec<Milestone> {
    list.into_iter().map(Into::into).collect()
}

fn pid(id: &ID) -> Result<i64, ApiError> {
    Id::parse("planId", Kind::EhcPlan, id)
}

mod amendments;
mod placements;
mod plans;
mod reviews;

pub use amendments::*;
pub use placements::*;
pub use plans::*;
pub use reviews::*;
