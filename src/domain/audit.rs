//! What an audit event says was done: one list, which every service writes from and the API
//! reads back, so the trail's `action` is a closed set a council's reports can rely on.
use super::amendment::AmendmentAction;
use super::assessment::{AssessmentAction, UnknownCode, parse_code};
use super::complaint::ComplaintAction;
use super::dispute::DisputeAction;
use super::plan::PlanAction;
use super::review::ReviewAction;

macro_rules! audit_actions {
    ($($variant:ident => $stored:literal,)*) => {
        /// An audited action. Stored as the lower-case name (`decide_to_assess`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($variant,)*
        }

        impl AuditAction {
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The name stored in the trail.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $stored,)*
                }
            }
        }
    };
}

audit_actions! {
    // People, places and reference data.
    Create => "create",
    Update => "update",
    LoadCodes => "load_codes",
    ProduceReturn => "produce_return",
    Link => "link",
    Unlink => "unlink",
    AssignCaseworker => "assign_caseworker",
    RecordDelayReason => "record_delay_reason",
    // Starting a case or a step of one.
    Request => "request",
    Enter => "enter",
    Schedule => "schedule",
    Start => "start",
    Propose => "propose",
    Answer => "answer",
    Decline => "decline",
    RecordMediationCertificate => "record_mediation_certificate",
    // The steps of a needs assessment.
    DecideToAssess => "decide_to_assess",
    DecideNotToAssess => "decide_not_to_assess",
    RequestAdvice => "request_advice",
    RecordAdvice => "record_advice",
    RecordException => "record_exception",
    DecideNotToIssue => "decide_not_to_issue",
    SendDraft => "send_draft",
    RecordParentResponse => "record_parent_response",
    ConsultSetting => "consult_setting",
    RecordSettingResponse => "record_setting_response",
    IssueFinalPlan => "issue_final_plan",
    Withdraw => "withdraw",
    TransferOut => "transfer_out",
    // The steps of a plan.
    UpdateNeeds => "update_needs",
    SetPhaseTransfer => "set_phase_transfer",
    SetPlacements => "set_placements",
    SetPersonalBudget => "set_personal_budget",
    ScheduleReview => "schedule_review",
    ProposeAmendment => "propose_amendment",
    SendTransferNotice => "send_transfer_notice",
    ProposeCeasing => "propose_ceasing",
    RecordCeaseConsultation => "record_cease_consultation",
    Cease => "cease",
    DecideNotToCease => "decide_not_to_cease",
    RecordMove => "record_move",
    // The steps of an annual review.
    RescheduleMeeting => "reschedule_meeting",
    SendInvitations => "send_invitations",
    CirculateAdvice => "circulate_advice",
    HoldMeeting => "hold_meeting",
    RecordReport => "record_report",
    Decide => "decide",
    Cancel => "cancel",
    // The steps of an amendment.
    SendNotice => "send_notice",
    IssueAmendedPlan => "issue_amended_plan",
    DecideNotToAmend => "decide_not_to_amend",
    // The steps of a dispute.
    OpenDispute => "open_dispute",
    ContactAdviser => "contact_adviser",
    ArrangeMediation => "arrange_mediation",
    HoldMediation => "hold_mediation",
    IssueCertificate => "issue_certificate",
    RecordAgreement => "record_agreement",
    RegisterAppeal => "register_appeal",
    ScheduleHearing => "schedule_hearing",
    Concede => "concede",
    RecordOrder => "record_order",
    Dismiss => "dismiss",
    WithdrawAppeal => "withdraw_appeal",
    RecordOrderException => "record_order_exception",
    RecordCompliance => "record_compliance",
    RecordOtherMatterDone => "record_other_matter_done",
    Close => "close",
    // The steps of a complaint.
    ReceiveComplaint => "receive_complaint",
    Acknowledge => "acknowledge",
    Extend => "extend",
    Respond => "respond",
    Escalate => "escalate",
    ReferToOmbudsman => "refer_to_ombudsman",
    RecordOmbudsmanDecision => "record_ombudsman_decision",
    RecordRemedy => "record_remedy",
    RecordRemedyDone => "record_remedy_done",
    // Messages.
    SetMessagePreferences => "set_message_preferences",
    Retry => "retry",
}

impl AuditAction {
    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        parse_code(Self::ALL, Self::as_str, "audit action", code)
    }
}

/// Each process's steps are audited under the action of the same name.
macro_rules! steps_audited_as_themselves {
    ($steps:ident: $($variant:ident),* $(,)?) => {
        impl From<$steps> for AuditAction {
            fn from(step: $steps) -> Self {
                match step {
                    $($steps::$variant => AuditAction::$variant,)*
                }
            }
        }
    };
}

steps_audited_as_themselves!(AssessmentAction: DecideToAssess, DecideNotToAssess, RequestAdvice,
    RecordAdvice, RecordException, DecideNotToIssue, SendDraft, RecordParentResponse,
    ConsultSetting, RecordSettingResponse, IssueFinalPlan, Withdraw, TransferOut);
steps_audited_as_themselves!(PlanAction: UpdateNeeds, SetPhaseTransfer, SetPlacements,
    SetPersonalBudget, ScheduleReview,
    ProposeAmendment, SendTransferNotice, ProposeCeasing, RecordCeaseConsultation, Cease,
    DecideNotToCease, RecordMove, TransferOut);
steps_audited_as_themselves!(ReviewAction: RescheduleMeeting, SendInvitations, RequestAdvice,
    RecordAdvice, CirculateAdvice, HoldMeeting, RecordReport, Decide, Cancel);
steps_audited_as_themselves!(AmendmentAction: SendNotice, RecordParentResponse, IssueAmendedPlan,
    DecideNotToAmend);
steps_audited_as_themselves!(DisputeAction: ContactAdviser, ArrangeMediation, HoldMediation,
    IssueCertificate, RecordAgreement, RegisterAppeal, ScheduleHearing, Concede, RecordOrder,
    Dismiss, WithdrawAppeal, RecordOrderException, RecordCompliance, RecordOtherMatterDone,
    Close);
steps_audited_as_themselves!(ComplaintAction: Acknowledge, Extend, Respond, Escalate,
    ReferToOmbudsman, RecordOmbudsmanDecision, RecordRemedy, RecordRemedyDone, Withdraw);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_stored_name() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Ok(*action));
        }
        assert!(AuditAction::parse("DECIDE_TO_ASSESS").is_err());
    }

    #[test]
    fn a_step_is_stored_under_its_own_name_as_it_always_was() {
        let names = AssessmentAction::ALL
            .iter()
            .map(|s| (AuditAction::from(*s), s.as_str()))
            .chain(
                PlanAction::ALL
                    .iter()
                    .map(|s| (AuditAction::from(*s), s.as_str())),
            )
            .chain(
                ReviewAction::ALL
                    .iter()
                    .map(|s| (AuditAction::from(*s), s.as_str())),
            )
            .chain(
                AmendmentAction::ALL
                    .iter()
                    .map(|s| (AuditAction::from(*s), s.as_str())),
            );
        for (audited, step) in names {
            assert_eq!(audited.as_str(), step.to_ascii_lowercase());
        }
    }
}
