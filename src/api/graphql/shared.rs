//! Output types every kind of case shows: its deadlines, who must act, dated milestones in
//! words a family understands, and the window for appealing a decision.
use async_graphql::{Enum, ID, SimpleObject};

use super::{Id, Kind};
use crate::api::graphql::Date;
use crate::domain::appeal::AppealWindow as DomainAppeal;
use crate::domain::assessment as rules;
use crate::domain::timescales;
use crate::service::records::AssessmentRow;

/// The statutory step a deadline is for; each kind has one time limit and one source
/// (`Deadline.regulation`). In the backlog, a kind is a stage of its process.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::timescales::DeadlineKind")]
pub enum DeadlineKind {
    /// The council's decision whether to carry out an EHC needs assessment: the request + 6
    /// weeks (reg 5(1)).
    DecisionToAssess,
    /// Advice from a professional asked to contribute: the advice request + 6 weeks (reg
    /// 8(1)).
    AdviceResponse,
    /// The council's decision not to issue a plan, when that is its decision: the request +
    /// 16 weeks (reg 10(1)).
    DecisionNotToIssue,
    /// The family's at least 15 days, beginning with the day the draft plan was served, to
    /// comment on it (reg 13(1)): their window, not a council deadline.
    DraftComments,
    /// The final EHC plan issued: the request + 20 weeks (reg 13(2)).
    FinalPlan,
    /// The final plan after a re-assessment: the decision to re-assess + 14 weeks (reg 27(2)).
    ReassessmentFinalPlan,
    /// The review completed by the council's decision, within the 12 months starting with the
    /// plan's making or the last review decision (CFA 2014 s.44(1); reg 19, 20(10)).
    AnnualReview,
    /// For a child under 5: a review within 6 months of the plan or the last review (Code of
    /// Practice 9.178). Guidance, not statute: not counted in the backlog.
    UnderFiveReview,
    /// Invitations to the review meeting sent at least 2 weeks before it (reg 20(3)).
    ReviewInvitations,
    /// Advice asked for a review: due 2 weeks before the meeting, in time to be circulated
    /// (reg 20(2), 20(4)).
    ReviewAdvice,
    /// The advice and information sent to everyone invited, 2 weeks before the meeting (reg
    /// 20(4)).
    ReviewAdviceCirculated,
    /// The school's or setting's review report sent to the council and everyone invited: the
    /// meeting + 2 weeks (reg 20(7)-(8)).
    ReviewReport,
    /// The council's decision to maintain, amend or cease the plan: the meeting + 4 weeks
    /// (reg 20(10)).
    ReviewDecision,
    /// The notice of proposed changes, which goes with a decision to amend: the meeting + 4
    /// weeks (reg 20(10), 22(2); R (L, M, P) v Devon CC [2022]).
    AmendmentNotice,
    /// The family's at least 15 days, beginning with the day the amendment notice was served,
    /// to comment (reg 22(2)(c)): their window, not a council deadline.
    AmendmentComments,
    /// The final amended plan issued: the notice + 8 weeks (reg 22(3)); before a notice is
    /// sent, the review meeting + 12 weeks.
    AmendedPlan,
    /// A decision not to amend after all, with appeal rights: the notice + 8 weeks (reg 22(4)).
    DecisionNotToAmend,
    /// The plan reviewed and amended to name the next school before 15 February (so by 14
    /// February) of the calendar year of a move between school phases (reg 18(1)(b)).
    PhaseTransfer,
    /// The plan reviewed and amended to name the post-16 placement before 31 March (so by 30
    /// March) of the calendar year of the move from secondary school (reg 18(1)(a)).
    #[graphql(name = "PHASE_TRANSFER_POST16")]
    PhaseTransferPost16,
    /// The plan amended to name the new post-16 institution at least 5 months before a move
    /// between post-16 institutions (reg 18(2)).
    #[graphql(name = "POST16_TRANSFER")]
    Post16Transfer,
    /// After a plan arrives from another council: the new council tells the family whether
    /// it will reassess and when it will review, within 6 weeks of the transfer (reg 15(4)).
    TransferNotice,
    /// The new council's first review after a transfer in: by the later of the end of the 12
    /// months from the last review (or the plan's making) and 3 months from the transfer
    /// (reg 15(5)).
    TransferReview,
    /// The old council transfers the plan when the family moves: on the day of the move, or
    /// within 15 working days of learning of it if it learnt later than that (reg 15(2)).
    TransferOut,
    /// The family's contact with a mediation adviser, needed before appealing: within 2 months
    /// after the decision letter (reg 33; CFA 2014 s.55(2)). Their window.
    MediationContact,
    /// The mediation adviser's certificate: within 3 working days of being told the family does
    /// not want mediation, or of the mediation ending (regs 34-35, 39).
    MediationCertificate,
    /// The mediation held: within 30 days of the council being told the family wants it (reg
    /// 37).
    MediationHeld,
    /// What a mediation agreement on social care or health provision requires: within 2 weeks
    /// of the agreement, or on dates agreed in writing (reg 42(3), (5)).
    AgreementOtherMatter,
    /// After an order, agreement or concession to assess: the family told the assessment will
    /// happen, within 2 weeks (reg 44(2)(b); 42(2); 45).
    OrderAssessmentNotice,
    /// After an order to assess: a decision not to make a plan, with reasons, within 10 weeks
    /// (reg 44(2)(b)(i)).
    OrderNoPlanDecision,
    /// After an order to assess: the final plan within 14 weeks (reg 44(2)(b)(ii)).
    OrderFinalPlan,
    /// After an order to make and maintain a plan: the draft within 5 weeks (reg 44(2)(c)(i)).
    OrderDraftPlan,
    /// After an order to make and maintain a plan: the final plan within 11 weeks (reg
    /// 44(2)(c)(ii)).
    OrderMadePlan,
    /// After an order to amend the plan's content: the amended plan within 5 weeks (reg
    /// 44(2)(e)).
    OrderAmendedPlan,
    /// After an order to name another school or institution only: within 2 weeks (reg
    /// 44(2)(f)).
    OrderNamedSetting,
    /// After an order to continue to maintain the plan, or a cease appeal dismissed: at once
    /// (reg 44(2)(a), (g)).
    OrderImmediate,
    /// A complaint acknowledged within 5 working days of receipt, at either stage (LGSCO
    /// Complaint Handling Code 6.2).
    ComplaintAcknowledgement,
    /// A stage 1 complaint answered within 10 working days of its acknowledgement (the Code
    /// 6.3); an extension beyond 10 more working days needs a good reason (6.4).
    ComplaintStageOneResponse,
    /// A stage 2 complaint answered within 20 working days of the escalation's
    /// acknowledgement.
    ComplaintStageTwoResponse,
}

/// Where a deadline stands on today's date (in England).
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
    /// The council (its SEN team).
    LocalAuthority,
    /// The parent or carer, or the young person.
    Parent,
    /// A professional asked for advice.
    Professional,
    /// The school, college or early years setting (e.g. for its review report).
    Setting,
    /// The mediation adviser or mediator, independent of the council.
    Mediator,
    /// The First-tier Tribunal (SEND), while an appeal is before it.
    Tribunal,
}

/// A statutory deadline, with the regulation that sets it.
#[derive(SimpleObject)]
pub struct Deadline {
    /// Which step the deadline is for.
    kind: DeadlineKind,
    /// What must happen, in plain language.
    label: String,
    /// Who must act.
    party: Party,
    /// The statutory due date.
    due_on: Date,
    /// The day the step happened.
    met_on: Option<Date>,
    /// Where it stands today: pending, due soon (within 14 days), overdue, met, missed,
    /// excepted or not applicable.
    status: DeadlineStatus,
    /// The source, e.g. "SEND Regs 2014 reg 13(2)".
    regulation: String,
    /// False for guidance shown as a target (the under-5s' review, Code of Practice 9.178).
    statutory: bool,
    /// When an exception lifts the statutory limit: an operational target extended by the
    /// exception's length. NOT a statutory deadline.
    target_on: Option<Date>,
    /// Explains `targetOn` when there is one.
    target_note: Option<String>,
    /// Codes of the exception reasons that lifted the statutory limit.
    excepted_by: Vec<String>,
    /// The advice request (global id), for an advice step; null otherwise.
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
            due_on: Date(d.due_on),
            met_on: d.met_on.map(Date),
            status: d.status.into(),
            regulation: d.regulation.to_owned(),
            statutory: d.statutory,
            target_on: d.target_on.map(Date),
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
    /// The day it happened.
    on: Date,
    /// What happened, in words for the family.
    text: String,
}

impl From<rules::Milestone> for Milestone {
    fn from(m: rules::Milestone) -> Self {
        Milestone {
            on: Date(m.on),
            text: m.text,
        }
    }
}

/// The decision a family may appeal against, and by when.
#[derive(SimpleObject)]
pub struct AppealWindow {
    /// What was decided, in words a family understands.
    decision: String,
    /// The day of the decision notice: the 2 months count from it.
    decided_on: Date,
    /// The last day to contact a mediation adviser (decision + 2 months).
    mediation_contact_by: Date,
    /// The day of the family's mediation certificate; null when none is recorded.
    mediation_certificate_on: Option<Date>,
    /// The last day to appeal: 2 months from the decision, or 1 month from a mediation
    /// certificate, whichever is later; a period ending 25 December to 1 January or in August
    /// runs to the first working day after it, one ending on another non-working day to the
    /// next working day (HESC Tribunal Rules 2008 r.12).
    appeal_by: Date,
    /// Whether an appeal can still be made today.
    open: bool,
    /// The provisions that set the window, e.g. "HESC Tribunal Rules 2008 r.20(2); CFA 2014
    /// s.51(2)(f), s.55".
    regulation: String,
    /// The window in plain words.
    text: String,
}

impl AppealWindow {
    pub fn of(row: &AssessmentRow, today: Date) -> Option<Self> {
        let (decision, decided_on) = crate::service::assessment::appealable_decision(row)?;
        let w = DomainAppeal::new(decision, decided_on, row.mediation_certificate_on);
        Some(Self::from_domain(w, today))
    }

    pub fn from_domain(w: DomainAppeal, today: Date) -> Self {
        Self {
            decision: w.decision.to_owned(),
            decided_on: Date(w.decided_on),
            mediation_contact_by: Date(w.mediation_contact_by),
            mediation_certificate_on: w.mediation_certificate_on.map(Date),
            appeal_by: Date(w.appeal_by),
            open: w.is_open(today.0),
            regulation: w.regulation.to_owned(),
            text: w.text(today.0),
        }
    }
}
