//! Output types every kind of case shows: its deadlines, who must act, dated milestones in
//! words a family understands, and the window for appealing a decision.
use async_graphql::{Enum, ID, SimpleObject};
use chrono::NaiveDate;

use super::{Id, Kind};
use crate::domain::appeal::AppealWindow as DomainAppeal;
use crate::domain::assessment as rules;
use crate::domain::timescales;
use crate::service::records::AssessmentRow;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::timescales::DeadlineKind")]
pub enum DeadlineKind {
    DecisionToAssess,
    AdviceResponse,
    DecisionNotToIssue,
    DraftComments,
    FinalPlan,
    ReassessmentFinalPlan,
    AnnualReview,
    UnderFiveReview,
    ReviewInvitations,
    ReviewAdvice,
    ReviewAdviceCirculated,
    ReviewReport,
    ReviewDecision,
    AmendmentNotice,
    AmendmentComments,
    AmendedPlan,
    DecisionNotToAmend,
    PhaseTransfer,
    #[graphql(name = "PHASE_TRANSFER_POST16")]
    PhaseTransferPost16,
    #[graphql(name = "POST16_TRANSFER")]
    Post16Transfer,
    TransferNotice,
    TransferReview,
    TransferOut,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::timescales::DeadlineStatus")]
pub enum DeadlineStatus {
    /// Open, more than 14 days to go.
    Pending,
    /// Open, due within 14 days.
    DueSoon,
    /// Open and past its due date.
    Overdue,
    /// Done on or before its due date.
    Met,
    /// Done, but after its due date.
    Missed,
    /// The statutory limit does not apply because of a recorded exception.
    Excepted,
    /// Not needed: the process took another path or closed.
    NotApplicable,
}

/// Who must act.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::timescales::Party")]
pub enum Party {
    LocalAuthority,
    Parent,
    Professional,
    Setting,
}

/// A statutory deadline, with the regulation that sets it.
#[derive(SimpleObject)]
pub struct Deadline {
    kind: DeadlineKind,
    /// What must happen, in plain language.
    label: String,
    /// Who must act.
    party: Party,
    /// The statutory due date.
    due_on: NaiveDate,
    /// The day the step happened.
    met_on: Option<NaiveDate>,
    status: DeadlineStatus,
    /// The source, e.g. "SEND Regs 2014 reg 13(2)".
    regulation: String,
    statutory: bool,
    /// When an exception lifts the statutory limit: an operational target extended by the
    /// exception's length. NOT a statutory deadline.
    target_on: Option<NaiveDate>,
    /// Explains `targetOn` when there is one.
    target_note: Option<String>,
    /// Codes of the exception reasons that lifted the statutory limit.
    excepted_by: Vec<String>,
    advice_request_id: Option<ID>,
}

impl From<timescales::Deadline> for Deadline {
    fn from(d: timescales::Deadline) -> Self {
        let target_note = d.target_on.map(|t| {
            format!(
                "Operational target {t}, extended by the exception period: not a statutory deadline"
            )
        });
        Deadline {
            kind: d.kind.into(),
            label: d.kind.label().to_owned(),
            party: d.kind.party().into(),
            due_on: d.due_on,
            met_on: d.met_on,
            status: d.status.into(),
            regulation: d.regulation.to_owned(),
            statutory: d.statutory,
            target_on: d.target_on,
            target_note,
            excepted_by: d.excepted_by,
            advice_request_id: d
                .advice_request_id
                .map(|id| Id::of(Kind::AdviceRequest, id)),
        }
    }
}

/// A dated milestone, in words a parent understands.
#[derive(SimpleObject)]
pub struct Milestone {
    on: NaiveDate,
    text: String,
}

impl From<rules::Milestone> for Milestone {
    fn from(m: rules::Milestone) -> Self {
        Milestone {
            on: m.on,
            text: m.text,
        }
    }
}

/// The decision a family may appeal against, and by when.
#[derive(SimpleObject)]
pub struct AppealWindow {
    /// What was decided, in words a family understands.
    decision: String,
    decided_on: NaiveDate,
    /// The last day to contact a mediation adviser (decision + 2 months).
    mediation_contact_by: NaiveDate,
    mediation_certificate_on: Option<NaiveDate>,
    /// The last day to appeal: 2 months from the decision, or 1 month from a mediation
    /// certificate, whichever is later.
    appeal_by: NaiveDate,
    /// Whether an appeal can still be made today.
    open: bool,
    regulation: String,
    /// The window in plain words.
    text: String,
}

impl AppealWindow {
    pub fn of(row: &AssessmentRow, today: NaiveDate) -> Option<Self> {
        let (decision, decided_on) = crate::service::assessment::appealable_decision(row)?;
        let w = DomainAppeal::new(decision, decided_on, row.mediation_certificate_on);
        Some(Self::from_domain(w, today))
    }

    pub fn from_domain(w: DomainAppeal, today: NaiveDate) -> Self {
        Self {
            decision: w.decision.to_owned(),
            decided_on: w.decided_on,
            mediation_contact_by: w.mediation_contact_by,
            mediation_certificate_on: w.mediation_certificate_on,
            appeal_by: w.appeal_by,
            open: w.is_open(today),
            regulation: w.regulation.to_owned(),
            text: w.text(today),
        }
    }
}
