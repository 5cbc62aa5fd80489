//! What the system tells people without being asked: the notice a family gets when their
//! child's case moves, the requests and reminders a professional gets, a caseworker's digest,
//! and how a message is retried. Pure: the words and the rules, no sending.
//!
//! A family's notice is in the second person and the portal's plain words; it says what
//! happened, what the family can do and by when (dates from the one table of rules), and
//! the appeal rights a decision carries. The link to the portal is added when it is sent
//! (it is configuration, not part of the record).
use chrono::{Duration, NaiveDate};
use serde_json::Value;

use super::advice::AdviceService;
use super::audit::AuditAction;
use super::calendar::long_date;
use super::codes::stored_codes;
use super::timescales::DeadlineKind;

stored_codes! {
    /// How a message reaches its recipient.
    pub enum Channel ("message channel") {
        /// Email: over SMTP, or through GOV.UK Notify when the council uses it.
        Email => "EMAIL",
        /// A text message, through GOV.UK Notify.
        Sms => "SMS",
        /// Shown in the portal only (no address, or the person's choice).
        Portal => "PORTAL",
        /// A signed HTTP POST to a council system (Standard Webhooks).
        Webhook => "WEBHOOK",
    }
}

stored_codes! {
    /// Where a message is in its delivery.
    pub enum MessageState ("message state") {
        /// Waiting for the worker (new, or to be retried at `nextAttemptAt`).
        Queued => "QUEUED",
        /// Delivered to the channel (for `PORTAL`: shown in the portal).
        Sent => "SENT",
        /// Failed too often, or refused for good: an administrator can retry it.
        Dead => "DEAD",
    }
}

stored_codes! {
    /// Who a message is for.
    pub enum RecipientKind ("recipient kind") {
        /// A parent linked to the child.
        Parent => "PARENT",
        /// The young person themselves.
        YoungPerson => "YOUNG_PERSON",
        /// A professional asked for advice.
        Professional => "PROFESSIONAL",
        /// A caseworker or manager of the council.
        Staff => "STAFF",
        /// A council system subscribed to events.
        Webhook => "WEBHOOK",
    }
}

/// The channel a message goes by: the person's choice when they have the address for it,
/// else email, else a text, else the portal alone. Webhooks are never chosen for a person.
pub fn choose_channel(preferred: Option<Channel>, has_email: bool, has_phone: bool) -> Channel {
    let usable = |c: Channel| match c {
        Channel::Email => has_email,
        Channel::Sms => has_phone,
        Channel::Portal => true,
        Channel::Webhook => false,
    };
    match preferred {
        Some(c) if usable(c) => c,
        _ if has_email => Channel::Email,
        _ if has_phone => Channel::Sms,
        _ => Channel::Portal,
    }
}

/// How often a failing delivery is retried: exponential backoff from `base`, capped at `cap`,
/// then a dead letter after `max_attempts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
    pub max_attempts: i32,
}

impl Default for RetryPolicy {
    /// 30 s, 1 min, 2 min, ... up to 6 hours; dead after 10 attempts (about 13 hours).
    fn default() -> Self {
        RetryPolicy {
            base: Duration::seconds(30),
            cap: Duration::hours(6),
            max_attempts: 10,
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryIn(Duration),
    Dead,
}

impl RetryPolicy {
    /// After attempt number `attempts` (1 for the first) failed. A permanent failure (an
    /// address the provider refuses) is not retried.
    pub fn after_failure(&self, attempts: i32, permanent: bool) -> AfterFailure {
        if permanent || attempts >= self.max_attempts {
            return AfterFailure::Dead;
        }
        let doublings = (attempts - 1).clamp(0, 30) as u32;
        let delay = self
            .base
            .checked_mul(1i32 << doublings.min(20))
            .unwrap_or(self.cap);
        AfterFailure::RetryIn(delay.min(self.cap))
    }
}

/// A message's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What happened, as a stable code (`assessment.send_draft`, `advice.due_in_7_days`).
    pub event: String,
    pub subject: String,
    pub body: String,
    /// A notice the law requires (or the case's own record of it): sent whatever the
    /// person's reminder choice. Reminders are optional.
    pub statutory: bool,
}

/// The event type a change is published under (webhooks, live updates): `entity.action`.
pub fn event_type(entity: &str, action: AuditAction) -> String {
    format!("{entity}.{}", action.as_str())
}

fn date_in(summary: &Value, key: &str) -> Option<NaiveDate> {
    summary.get(key)?.as_str()?.parse().ok()
}

fn text_in<'a>(summary: &'a Value, key: &str) -> Option<&'a str> {
    summary.get(key)?.as_str()
}

fn service_label(code: Option<&str>) -> &'static str {
    code.and_then(|c| AdviceService::ALL.iter().find(|s| s.as_str() == c))
        .map_or("a professional", |s| s.label())
}

/// The family's appeal rights after a decision they can take to the Tribunal (CFA 2014
/// s.51, SEND Regs 2014 regs 32-33): mediation advice first, within 2 months.
fn appeal_rights(decided_on: NaiveDate) -> String {
    format!(
        " If you disagree, you can appeal to the First-tier Tribunal (SEND). Unless your \
         appeal is only about the school or college the plan names, you must first contact \
         a mediation adviser (the council's letter names one), within 2 months of the \
         decision: by {}. You can also ask for mediation.",
        long_date(DeadlineKind::MediationContact.due_from(decided_on))
    )
}

/// The notice a change sends the child's family, if it sends one. `summary` is the audit
/// event's summary (it carries the action's date as `on`, and what the step recorded).
pub fn family_notice(
    entity: &str,
    action: AuditAction,
    summary: &Value,
    child: &str,
    today: NaiveDate,
) -> Option<Notice> {
    use AuditAction as A;
    let on = date_in(summary, "on").unwrap_or(today);
    let (subject, body) = match (entity, action) {
        ("assessment", A::Request) => {
            let received = date_in(summary, "receivedOn").unwrap_or(on);
            match text_in(summary, "kind") {
                Some("INITIAL") | None => (
                    format!("We have received the request for an EHC needs assessment for {child}"),
                    format!(
                        "The council has received the request for an EHC needs assessment for \
                         {child}. The council must decide whether to carry out an EHC needs \
                         assessment and tell you by {}.",
                        long_date(DeadlineKind::DecisionToAssess.due_from(received))
                    ),
                ),
                Some("ORDERED") | Some("ORDERED_PLAN") => (
                    format!("The council must now act on the Tribunal's order for {child}"),
                    format!(
                        "The council has opened the EHC needs assessment for {child} that the \
                         Tribunal ordered or the council agreed to. It must tell you that it is \
                         doing so by {}.",
                        long_date(DeadlineKind::OrderAssessmentNotice.due_from(received))
                    ),
                ),
                Some(_) => (
                    format!("The council is re-assessing {child}'s EHC plan"),
                    format!(
                        "The council has started a re-assessment of {child}'s EHC needs. You \
                         will hear when it asks for advice and when a draft plan is ready."
                    ),
                ),
            }
        }
        ("assessment", A::DecideToAssess) => (
            format!("The council will carry out an EHC needs assessment for {child}"),
            format!(
                "The council has decided to carry out an EHC needs assessment for {child}. It \
                 will now ask professionals for advice, and you will be told who has been asked."
            ),
        ),
        ("assessment", A::DecideNotToAssess) => (
            format!("The council has decided not to assess {child}'s needs"),
            format!(
                "The council has decided not to carry out an EHC needs assessment for {child}.{}",
                appeal_rights(on)
            ),
        ),
        ("assessment" | "annual_review", A::RequestAdvice) => {
            let service = service_label(text_in(summary, "service"));
            let due =
                date_in(summary, "dueOn").unwrap_or(DeadlineKind::AdviceResponse.due_from(on));
            (
                format!("Advice has been asked for: {service}"),
                format!(
                    "The council has asked for advice for {child} from: {service}. The advice \
                     is due by {}.",
                    long_date(due)
                ),
            )
        }
        ("assessment" | "annual_review", A::RecordAdvice) => {
            let service = service_label(text_in(summary, "service"));
            if summary.get("declined").and_then(Value::as_bool) == Some(true) {
                (
                    format!("A request for advice was declined: {service}"),
                    format!(
                        "The professional asked for advice for {child} ({service}) has said \
                         they will not give it. The council will tell you what it does instead."
                    ),
                )
            } else {
                (
                    format!("Advice has been received: {service}"),
                    format!("The council has received the advice for {child} from: {service}."),
                )
            }
        }
        ("assessment", A::DecideNotToIssue) => (
            format!("The council has decided not to issue an EHC plan for {child}"),
            format!(
                "After the assessment, the council has decided not to issue an EHC plan for \
                 {child}.{}",
                appeal_rights(on)
            ),
        ),
        ("assessment", A::SendDraft) => (
            format!("A draft EHC plan for {child} has been sent to you"),
            format!(
                "The council has sent you the draft EHC plan for {child}. You have until {} to \
                 send your comments, ask for a meeting, and ask for a particular school or \
                 college to be named in the plan.",
                long_date(DeadlineKind::DraftComments.due_from(on))
            ),
        ),
        ("assessment", A::IssueFinalPlan) => (
            format!("The final EHC plan for {child} has been issued"),
            format!(
                "The council has issued the final EHC plan for {child}.{}",
                appeal_rights(on)
            ),
        ),
        ("annual_review", A::Schedule | A::RescheduleMeeting) => {
            let meeting = date_in(summary, "meetingOn")?;
            (
                format!(
                    "{child}'s annual review meeting is on {}",
                    long_date(meeting)
                ),
                format!(
                    "The review meeting for {child}'s EHC plan is on {}. You will be invited, \
                     and the advice gathered for it will be sent to you at least 2 weeks \
                     before.",
                    long_date(meeting)
                ),
            )
        }
        ("annual_review", A::Decide) => {
            let (what, rights) = match text_in(summary, "decision")? {
                "MAINTAIN" => ("keep the EHC plan as it is", appeal_rights(on)),
                "AMEND" => (
                    "amend the EHC plan: it will send you the proposed changes, and you will \
                     have 15 days to comment",
                    String::new(),
                ),
                // A proposal (reg 31): the family is consulted before any decision to
                // cease, which is the decision they can appeal (`ehc_plan.cease`).
                _ => (
                    "propose to stop maintaining the EHC plan: it will ask for your views \
                     before it decides",
                    String::new(),
                ),
            };
            (
                format!("The council's decision after {child}'s annual review"),
                format!("After the annual review, the council has decided to {what}.{rights}"),
            )
        }
        ("plan_amendment", A::SendNotice) => (
            format!("The council proposes to amend {child}'s EHC plan"),
            format!(
                "The council has sent you the changes it proposes to {child}'s EHC plan. You \
                 have until {} to send your comments and to ask for a particular school or \
                 college to be named.",
                long_date(DeadlineKind::AmendmentComments.due_from(on))
            ),
        ),
        ("plan_amendment", A::IssueAmendedPlan) => (
            format!("The amended EHC plan for {child} has been issued"),
            format!(
                "The council has issued {child}'s amended EHC plan.{}",
                appeal_rights(on)
            ),
        ),
        ("plan_amendment", A::DecideNotToAmend) => (
            format!("The council has decided not to amend {child}'s EHC plan"),
            format!(
                "The council has decided not to make the changes it proposed to {child}'s EHC \
                 plan.{}",
                appeal_rights(on)
            ),
        ),
        ("ehc_plan", A::ProposeCeasing) => (
            format!("The council proposes to stop maintaining {child}'s EHC plan"),
            format!(
                "The council is considering whether to stop maintaining {child}'s EHC plan. It \
                 must ask for your views before it decides."
            ),
        ),
        ("ehc_plan", A::Cease) => (
            format!("The council has decided to stop maintaining {child}'s EHC plan"),
            format!(
                "The council has decided to stop maintaining {child}'s EHC plan.{}",
                appeal_rights(on)
            ),
        ),
        ("dispute", A::RegisterAppeal) => (
            format!("The appeal about {child} has been registered"),
            format!(
                "The First-tier Tribunal (SEND) has registered the appeal about {child}. The \
                 council will record the hearing date when it is set."
            ),
        ),
        ("dispute", A::ScheduleHearing) => {
            let hearing = date_in(summary, "hearingOn")?;
            (
                format!(
                    "The Tribunal hearing about {child} is on {}",
                    long_date(hearing)
                ),
                format!(
                    "The First-tier Tribunal (SEND) hearing of the appeal about {child} is on {}.",
                    long_date(hearing)
                ),
            )
        }
        ("dispute", A::RecordOrder | A::Concede | A::RecordAgreement) => (
            format!("What happens next after the appeal about {child}"),
            format!(
                "The outcome for {child} has been recorded. Where the council must act, the \
                 law gives it a time limit from {}: the portal shows each date.",
                long_date(on)
            ),
        ),
        ("complaint", A::ReceiveComplaint) => {
            let received = date_in(summary, "receivedOn").unwrap_or(on);
            (
                "We have received your complaint".to_owned(),
                format!(
                    "The council has received your complaint about the service for {child}. It \
                     must acknowledge it by {}.",
                    long_date(DeadlineKind::ComplaintAcknowledgement.due_from(received))
                ),
            )
        }
        ("complaint", A::Acknowledge) => (
            "Your complaint has been acknowledged".to_owned(),
            format!(
                "The council has acknowledged your complaint about the service for {child}. At \
                 stage 1 it must answer within 10 working days: by {}.",
                long_date(DeadlineKind::ComplaintStageOneResponse.due_from(on))
            ),
        ),
        ("complaint", A::Respond) => (
            "The council has answered your complaint".to_owned(),
            format!(
                "The council has answered your complaint about the service for {child}. If you \
                 are not satisfied, you can ask for it to go to the next stage, and after the \
                 council's last stage to the Local Government and Social Care Ombudsman."
            ),
        ),
        _ => return None,
    };
    Some(Notice {
        event: event_type(entity, action),
        subject,
        body,
        statutory: true,
    })
}

/// The family's notice that the council missed one of its deadlines (optional: a family may
/// turn reminders off; the backlog still shows it).
pub fn missed_deadline_notice(kind: DeadlineKind, due_on: NaiveDate, child: &str) -> Notice {
    Notice {
        event: "deadline.missed".to_owned(),
        subject: format!("The council has missed a deadline for {child}"),
        body: format!(
            "The council has not met a time limit for {child}: {} was due by {}. The council \
             must still do it as soon as it can; your caseworker can tell you when. If you are \
             unhappy about the delay you can make a complaint.",
            kind.label(),
            long_date(due_on)
        ),
        statutory: false,
    }
}

/// When a professional hears about an advice request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdviceNudge {
    /// The request was addressed to them.
    Requested,
    /// 7 days before it is due.
    DueInSevenDays,
    /// On the due day.
    DueToday,
    /// Weekly while overdue: the number of whole weeks late.
    Overdue { weeks: i64 },
}

impl AdviceNudge {
    /// The nudge for `today`, if one is due: 7 days before, on the day, and every 7 days
    /// after the due day while the advice is outstanding.
    pub fn on(due_on: NaiveDate, today: NaiveDate) -> Option<AdviceNudge> {
        let days = (today - due_on).num_days();
        match days {
            -7 => Some(AdviceNudge::DueInSevenDays),
            0 => Some(AdviceNudge::DueToday),
            d if d > 0 && d % 7 == 0 => Some(AdviceNudge::Overdue { weeks: d / 7 }),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            AdviceNudge::Requested => "advice.requested",
            AdviceNudge::DueInSevenDays => "advice.due_in_7_days",
            AdviceNudge::DueToday => "advice.due_today",
            AdviceNudge::Overdue { .. } => "advice.overdue",
        }
    }
}

/// What a professional is told about a request addressed to them.
pub fn advice_notice(nudge: AdviceNudge, service: &str, child: &str, due_on: NaiveDate) -> Notice {
    let service = service_label(Some(service));
    let due = long_date(due_on);
    let (subject, body) = match nudge {
        AdviceNudge::Requested => (
            format!("Advice requested for {child}: due by {due}"),
            format!(
                "The council's SEND team has asked you for advice ({service}) for {child}'s \
                 EHC needs assessment or annual review. It is due by {due}. Sign in to see \
                 the request and send your advice."
            ),
        ),
        AdviceNudge::DueInSevenDays => (
            format!("Reminder: advice for {child} is due in 7 days"),
            format!("Your advice ({service}) for {child} is due by {due}."),
        ),
        AdviceNudge::DueToday => (
            format!("Reminder: advice for {child} is due today"),
            format!("Your advice ({service}) for {child} is due today, {due}."),
        ),
        AdviceNudge::Overdue { weeks } => (
            format!("Overdue: advice for {child}"),
            format!(
                "Your advice ({service}) for {child} was due by {due} and is {weeks} week{} \
                 late. The family is waiting for it: please send it, or tell the council why \
                 you cannot.",
                if weeks == 1 { "" } else { "s" }
            ),
        ),
    };
    Notice {
        event: nudge.code().to_owned(),
        subject,
        body,
        statutory: nudge == AdviceNudge::Requested,
    }
}

/// One line of a caseworker's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestLine {
    pub child: String,
    pub kind: DeadlineKind,
    pub due_on: NaiveDate,
}

/// A caseworker's daily digest: their deadlines overdue and due within 14 days. `None`
/// when there is nothing to say.
pub fn caseworker_digest(lines: &[DigestLine], today: NaiveDate) -> Option<Notice> {
    if lines.is_empty() {
        return None;
    }
    let (overdue, soon): (Vec<&DigestLine>, Vec<&DigestLine>) =
        lines.iter().partition(|l| l.due_on < today);
    let mut body = format!(
        "Your cases on {}: {} overdue, {} due within 14 days.\n",
        long_date(today),
        overdue.len(),
        soon.len()
    );
    for (heading, part) in [("Overdue", &overdue), ("Due within 14 days", &soon)] {
        if part.is_empty() {
            continue;
        }
        body.push_str(&format!("\n{heading}:\n"));
        let mut part = part.clone();
        part.sort_by_key(|l| (l.due_on, l.child.clone()));
        for l in part {
            body.push_str(&format!(
                "- {}: {}, due {}\n",
                l.child,
                l.kind.label(),
                long_date(l.due_on)
            ));
        }
    }
    Some(Notice {
        event: "digest.daily".to_owned(),
        subject: format!(
            "Your deadlines: {} overdue, {} due within 14 days",
            overdue.len(),
            soon.len()
        ),
        body,
        statutory: false,
    })
}

/// A manager's weekly backlog summary: per kind of deadline, how many are overdue and due
/// within 14 days across the council.
pub fn manager_digest(rows: &[(DeadlineKind, i64, i64)], today: NaiveDate) -> Notice {
    let overdue: i64 = rows.iter().map(|r| r.1).sum();
    let soon: i64 = rows.iter().map(|r| r.2).sum();
    let mut body = format!(
        "The council's statutory deadlines on {}: {overdue} overdue, {soon} due within 14 \
         days.\n\n",
        long_date(today)
    );
    for (kind, o, s) in rows {
        body.push_str(&format!("- {}: {o} overdue, {s} due soon\n", kind.label()));
    }
    Notice {
        event: "digest.weekly".to_owned(),
        subject: format!("Backlog this week: {overdue} overdue, {soon} due within 14 days"),
        body,
        statutory: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_channel_is_the_persons_choice_when_they_have_the_address_for_it() {
        assert_eq!(choose_channel(Some(Channel::Sms), true, true), Channel::Sms);
        assert_eq!(
            choose_channel(Some(Channel::Sms), true, false),
            Channel::Email
        );
        assert_eq!(choose_channel(None, false, true), Channel::Sms);
        assert_eq!(choose_channel(None, false, false), Channel::Portal);
        assert_eq!(
            choose_channel(Some(Channel::Portal), true, true),
            Channel::Portal
        );
        assert_eq!(
            choose_channel(Some(Channel::Webhook), true, false),
            Channel::Email
        );
    }

    #[test]
    fn retries_back_off_exponentially_to_a_cap_then_die() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.after_failure(1, false),
            AfterFailure::RetryIn(Duration::seconds(30))
        );
        assert_eq!(
            p.after_failure(2, false),
            AfterFailure::RetryIn(Duration::seconds(60))
        );
        assert_eq!(
            p.after_failure(4, false),
            AfterFailure::RetryIn(Duration::seconds(240))
        );
        assert_eq!(
            p.after_failure(9, false),
            AfterFailure::RetryIn(Duration::hours(2) + Duration::minutes(8))
        );
        assert_eq!(p.after_failure(10, false), AfterFailure::Dead);
        assert_eq!(p.after_failure(1, true), AfterFailure::Dead);
        let short = RetryPolicy {
            base: Duration::seconds(1),
            cap: Duration::seconds(5),
            max_attempts: 50,
        };
        assert_eq!(
            short.after_failure(40, false),
            AfterFailure::RetryIn(Duration::seconds(5))
        );
    }

    #[test]
    fn a_draft_plan_tells_the_family_the_last_day_of_their_15_day_window() {
        // Served on 2 March: the 15 days beginning with that day end on 16 March.
        let n = family_notice(
            "assessment",
            AuditAction::SendDraft,
            &json!({"on": "2026-03-02"}),
            "Sam",
            d(2026, 3, 2),
        )
        .unwrap();
        assert_eq!(n.event, "assessment.send_draft");
        assert!(n.statutory);
        assert_eq!(n.subject, "A draft EHC plan for Sam has been sent to you");
        assert!(
            n.body
                .contains("You have until 16 March 2026 to send your comments"),
            "{}",
            n.body
        );
    }

    #[test]
    fn a_refusal_carries_the_appeal_rights_and_the_mediation_date() {
        let n = family_notice(
            "assessment",
            AuditAction::DecideNotToAssess,
            &json!({"on": "2026-01-31"}),
            "Sam",
            d(2026, 2, 1),
        )
        .unwrap();
        assert!(
            n.body
                .contains("decided not to carry out an EHC needs assessment for Sam")
        );
        assert!(n.body.contains("First-tier Tribunal (SEND)"));
        assert!(
            n.body.contains(&long_date(
                DeadlineKind::MediationContact.due_from(d(2026, 1, 31))
            )),
            "{}",
            n.body
        );
        for action in [AuditAction::DecideNotToIssue, AuditAction::IssueFinalPlan] {
            let n = family_notice(
                "assessment",
                action,
                &json!({"on": "2026-01-31"}),
                "Sam",
                d(2026, 2, 1),
            )
            .unwrap();
            assert!(n.body.contains("mediation adviser"), "{action:?}");
        }
    }

    #[test]
    fn a_request_gives_the_six_week_decision_date_and_advice_names_the_service() {
        let n = family_notice(
            "assessment",
            AuditAction::Request,
            &json!({"kind": "INITIAL", "receivedOn": "2026-01-05"}),
            "Sam",
            d(2026, 1, 5),
        )
        .unwrap();
        assert!(
            n.body.contains("tell you by 16 February 2026"),
            "{}",
            n.body
        );
        let n = family_notice(
            "assessment",
            AuditAction::RequestAdvice,
            &json!({"on": "2026-01-05", "service": "EDUCATIONAL_PSYCHOLOGY"}),
            "Sam",
            d(2026, 1, 5),
        )
        .unwrap();
        assert!(
            n.body.contains("from: Educational psychology"),
            "{}",
            n.body
        );
        assert!(n.body.contains("due by 16 February 2026"), "{}", n.body);
    }

    #[test]
    fn review_meetings_decisions_and_amendments_are_told() {
        let n = family_notice(
            "annual_review",
            AuditAction::Schedule,
            &json!({"meetingOn": "2026-05-14"}),
            "Sam",
            d(2026, 4, 1),
        )
        .unwrap();
        assert!(n.subject.contains("14 May 2026"));
        let n = family_notice(
            "annual_review",
            AuditAction::Decide,
            &json!({"on": "2026-05-20", "decision": "AMEND"}),
            "Sam",
            d(2026, 5, 20),
        )
        .unwrap();
        assert!(n.body.contains("amend the EHC plan"));
        assert!(!n.body.contains("Tribunal"));
        // Ceasing after a review is a proposal (reg 31): the appealable decision comes later.
        let n = family_notice(
            "annual_review",
            AuditAction::Decide,
            &json!({"on": "2026-05-20", "decision": "CEASE"}),
            "Sam",
            d(2026, 5, 20),
        )
        .unwrap();
        assert!(n.body.contains("propose to stop maintaining"), "{}", n.body);
        assert!(!n.body.contains("Tribunal"));
        let n = family_notice(
            "plan_amendment",
            AuditAction::SendNotice,
            &json!({"on": "2026-06-01"}),
            "Sam",
            d(2026, 6, 1),
        )
        .unwrap();
        assert!(n.body.contains("until 15 June 2026"), "{}", n.body);
    }

    #[test]
    fn steps_the_family_need_not_hear_about_send_nothing() {
        for (entity, action) in [
            ("assessment", AuditAction::RecordException),
            ("assessment", AuditAction::ConsultSetting),
            ("annual_review", AuditAction::SendInvitations),
            ("child", AuditAction::Update),
        ] {
            assert_eq!(
                family_notice(entity, action, &json!({}), "Sam", d(2026, 1, 1)),
                None
            );
        }
    }

    #[test]
    fn professionals_are_nudged_seven_days_before_on_the_day_and_weekly_when_late() {
        let due = d(2026, 3, 20);
        assert_eq!(
            AdviceNudge::on(due, d(2026, 3, 13)),
            Some(AdviceNudge::DueInSevenDays)
        );
        assert_eq!(AdviceNudge::on(due, d(2026, 3, 14)), None);
        assert_eq!(AdviceNudge::on(due, due), Some(AdviceNudge::DueToday));
        assert_eq!(AdviceNudge::on(due, d(2026, 3, 21)), None);
        assert_eq!(
            AdviceNudge::on(due, d(2026, 3, 27)),
            Some(AdviceNudge::Overdue { weeks: 1 })
        );
        assert_eq!(
            AdviceNudge::on(due, d(2026, 4, 3)),
            Some(AdviceNudge::Overdue { weeks: 2 })
        );
        let n = advice_notice(AdviceNudge::Overdue { weeks: 2 }, "PAEDIATRICS", "Sam", due);
        assert!(n.body.contains("2 weeks late"));
        assert!(!n.statutory);
        assert!(advice_notice(AdviceNudge::Requested, "PAEDIATRICS", "Sam", due).statutory);
    }

    #[test]
    fn the_digest_lists_overdue_first_and_says_nothing_when_there_is_nothing() {
        let today = d(2026, 3, 10);
        assert_eq!(caseworker_digest(&[], today), None);
        let lines = [
            DigestLine {
                child: "Ann".into(),
                kind: DeadlineKind::FinalPlan,
                due_on: d(2026, 3, 20),
            },
            DigestLine {
                child: "Bo".into(),
                kind: DeadlineKind::DecisionToAssess,
                due_on: d(2026, 3, 1),
            },
        ];
        let n = caseworker_digest(&lines, today).unwrap();
        assert_eq!(n.subject, "Your deadlines: 1 overdue, 1 due within 14 days");
        let overdue = n.body.find("Overdue:").unwrap();
        let soon = n.body.find("Due within 14 days:").unwrap();
        assert!(overdue < soon);
        assert!(n.body.contains(
            "- Bo: Decision whether to carry out an EHC needs assessment, due 1 March 2026"
        ));
    }
}
