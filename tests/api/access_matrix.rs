//! The access-control matrix (issue 6): every field of `Query` and `Mutation`, called by every
//! kind of caller against their own records and foreign ones (another family's child, another
//! local authority's case, an advice request to another professional), must be allowed or
//! refused as its rule says, and must never show a record the caller may not see.
//!
//! The fields come from introspection, so a new field without a rule in [`RULES`] fails the
//! test; arguments are generated from the argument types, so a new kind of `ID` fails the test
//! until [`id_entity`] knows which fixture record to point it at.
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Instant;

use chrono::{Duration, Utc};
use ehcp::domain::access::Role;
use ehcp::store::entity::{
    annual_review, assessment, child, complaint, dispute, ehc_plan, message, plan_amendment,
    remedy, webhook_subscription,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value, json};

use crate::common::TestApp;

// ---------- who calls, and against whose records ----------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Admin,
    /// Manager of LA 909.
    Manager,
    /// Caseworker of LA 909, assigned to the 909 families' assessments.
    Caseworker,
    /// The parent of the own family (LA 909).
    Parent,
    /// The own family's child, over 16, signed in as themself.
    YoungPerson,
    /// An educational psychologist of LA 909, asked for advice on the own family only.
    Professional,
    /// A parent token whose subject matches no record (signed in, sees nothing).
    UnlinkedParent,
    /// A professional token for LA 909 whose subject matches no record.
    UnlinkedProfessional,
    /// A caseworker token for LA 909 whose subject matches no record at all.
    NoRecord,
    /// The caseworker's own subject, claiming the manager's role the record does not grant.
    RoleNotGranted,
    /// A caseworker of LA 909 whose record has been deactivated.
    Deactivated,
    /// No token at all.
    Anonymous,
}

impl Caller {
    /// Verified tokens that the records do not set up: 401 with no data, for every field.
    fn refused_at_sign_in(self) -> bool {
        matches!(
            self,
            Caller::UnlinkedProfessional
                | Caller::NoRecord
                | Caller::RoleNotGranted
                | Caller::Deactivated
        )
    }
}

/// The callers who sign in and get through: everyone but the anonymous and the refused.
fn signed_in_callers() -> impl Iterator<Item = Caller> {
    CALLERS
        .iter()
        .copied()
        .filter(|c| *c != Caller::Anonymous && !c.refused_at_sign_in())
}

const CALLERS: [Caller; 12] = [
    Caller::Admin,
    Caller::Manager,
    Caller::Caseworker,
    Caller::Parent,
    Caller::YoungPerson,
    Caller::Professional,
    Caller::UnlinkedParent,
    Caller::UnlinkedProfessional,
    Caller::NoRecord,
    Caller::RoleNotGranted,
    Caller::Deactivated,
    Caller::Anonymous,
];

/// The records a call points at. Each target is a family with an open assessment (draft sent,
/// a setting consulted, one advice request) and an EHC plan (an annual review under way with
/// advice asked, and an amendment proposed) in a local authority with its own staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// LA 909; the parent's and young person's own family; advice asked of the professional.
    Own,
    /// LA 909 too, but another family, whose advice request went to a paediatrician.
    OtherFamily,
    /// LA 908: another local authority's family, staff and professional.
    OtherLa,
}

const TARGETS: [Target; 3] = [Target::Own, Target::OtherFamily, Target::OtherLa];

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Target::Own => "own records",
            Target::OtherFamily => "another family's records (same LA)",
            Target::OtherLa => "another LA's records",
        })
    }
}

// ---------- the rules ----------

/// Who may use a field, against which target. Read from the services' checks: a rule is the
/// truth the code must keep, not a description of whatever it happens to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// Any token, linked or not; what a list shows is filtered by the caller's scope.
    AnySignedIn,
    /// Lists of cases: anyone signed in but a professional (who has `myAdviceRequests`).
    NotProfessional,
    /// Anyone signed in but families (the professionals directory).
    NotFamily,
    /// Caseworkers, managers and admins (the staff directory, filtered to the LA).
    StaffDirectory,
    /// Managers and admins (the audit trail, filtered to the manager's LA).
    AuditReader,
    /// One local authority: admins, and its own staff and professionals.
    OrganisationRead,
    /// A child's record: staff of the child's LA, admins and the family. The professional
    /// asked for advice reads only what the request needs (`myAdviceRequests`).
    CaseRead,
    /// A whole assessment: staff of the child's LA, admins and the family.
    StaffOrFamilyRead,
    /// Casework changes (`ManageChildren`, `ManageCasework`): admins anywhere, caseworkers and
    /// managers in their own LA.
    Staff,
    /// Localities, teams, staff and professionals (`ManageOrganisation`): admins anywhere,
    /// managers in their own LA.
    Organisation,
    /// Admins only (`AdministerLocalAuthorities`).
    Admin,
    /// The child's own parent or the young person themself.
    Family,
    /// Staff of the LA, admins, or the child's own family.
    StaffOrFamily,
    /// A signed-in professional with a record (their own requests, however few).
    AnyProfessional,
    /// The professional (or service) the advice request is addressed to.
    Professional,
    /// A message to a family's parent: that parent, staff of the LA and admins.
    MessageRead,
    /// Anyone whose record takes messages: staff, families and professionals with a record
    /// (not administrators, not an unlinked parent).
    TakesMessages,
}

/// Every field of the API and its rule. A field missing here fails the test.
const RULES: &[(&str, Rule)] = &[
    ("Query.me", Rule::AnySignedIn),
    // Null for what the caller may not see, under each type's own rule (checked record by
    // record against the field that shows it in `node_finds_a_record_exactly_when_its_own_field_would`).
    ("Query.node", Rule::AnySignedIn),
    ("Query.nodes", Rule::AnySignedIn),
    ("Query.localAuthorities", Rule::AnySignedIn),
    ("Query.localAuthority", Rule::OrganisationRead),
    ("Query.staff", Rule::StaffDirectory),
    ("Query.professionals", Rule::NotFamily),
    ("Query.child", Rule::CaseRead),
    ("Query.children", Rule::AnySignedIn),
    ("Query.auditEvents", Rule::AuditReader),
    ("Query.assessment", Rule::StaffOrFamilyRead),
    ("Query.assessments", Rule::NotProfessional),
    ("Query.exceptionReasons", Rule::AnySignedIn),
    ("Query.sen2Codes", Rule::AnySignedIn),
    ("Query.sen2Return", Rule::Organisation),
    ("Query.timetable", Rule::AnySignedIn),
    ("Query.myAdviceRequests", Rule::AnyProfessional),
    // The backlog (ViewBacklog): staff see their own LA, admins every LA. Another LA asked
    // for through `filter.laId` is FORBIDDEN (tests/api/backlog.rs).
    ("Query.backlog", Rule::StaffDirectory),
    ("Query.backlogItems", Rule::StaffDirectory),
    ("Query.adviceByService", Rule::StaffDirectory),
    ("Query.timeliness", Rule::StaffDirectory),
    ("Query.forecast", Rule::StaffDirectory),
    ("Query.backlogHistory", Rule::StaffDirectory),
    ("Query.myAdviceRequest", Rule::Professional),
    ("Mutation.createLocalAuthority", Rule::Admin),
    ("Mutation.createLocality", Rule::Organisation),
    ("Mutation.setDesignatedOfficers", Rule::Organisation),
    ("Mutation.createTeam", Rule::Organisation),
    ("Mutation.createStaff", Rule::Organisation),
    ("Mutation.updateStaff", Rule::Organisation),
    ("Mutation.createProfessional", Rule::Organisation),
    ("Mutation.updateProfessional", Rule::Organisation),
    // Administrators' own records.
    ("Query.administrators", Rule::Admin),
    ("Mutation.createAdministrator", Rule::Admin),
    ("Mutation.updateAdministrator", Rule::Admin),
    ("Mutation.createChild", Rule::Staff),
    ("Mutation.updateChild", Rule::Staff),
    ("Mutation.createParent", Rule::Staff),
    ("Mutation.linkParent", Rule::Staff),
    ("Mutation.unlinkParent", Rule::Staff),
    ("Mutation.requestAssessment", Rule::Staff),
    ("Mutation.decideToAssess", Rule::Staff),
    ("Mutation.decideNotToAssess", Rule::Staff),
    ("Mutation.requestAdvice", Rule::Staff),
    ("Mutation.recordAdviceReceived", Rule::Staff),
    ("Mutation.declineAdviceRequest", Rule::Staff),
    ("Mutation.recordException", Rule::Staff),
    ("Mutation.addExceptionReason", Rule::Admin),
    // Reasons for delays: the list for anyone signed in (like exception reasons); recording
    // one is casework of the record's LA; adding a reason is for admins.
    ("Query.delayReasons", Rule::AnySignedIn),
    ("Mutation.recordAssessmentDelay", Rule::Staff),
    ("Mutation.recordPlanDelay", Rule::Staff),
    ("Mutation.recordReviewDelay", Rule::Staff),
    ("Mutation.recordAmendmentDelay", Rule::Staff),
    ("Mutation.addDelayReason", Rule::Admin),
    ("Mutation.decideNotToIssue", Rule::Staff),
    ("Mutation.sendDraftPlan", Rule::Staff),
    ("Mutation.recordParentResponse", Rule::Staff),
    ("Mutation.consultSetting", Rule::Staff),
    ("Mutation.recordSettingResponse", Rule::Staff),
    ("Mutation.issueFinalPlan", Rule::Staff),
    ("Mutation.withdrawAssessment", Rule::Staff),
    ("Mutation.transferAssessmentOut", Rule::Staff),
    ("Mutation.submitAdvice", Rule::Professional),
    ("Mutation.declineToAdvise", Rule::Professional),
    ("Mutation.giveViews", Rule::Family),
    ("Mutation.commentOnDraftPlan", Rule::Family),
    ("Mutation.recordMediationCertificate", Rule::StaffOrFamily),
    // Caseloads and assignment: `ManageCasework` in the case's (or caseworker's) LA.
    ("Query.caseload", Rule::Staff),
    ("Mutation.assignCaseworker", Rule::Staff),
    // EHC plans, reviews and amendments are read like whole assessments: staff of the
    // child's LA, admins and the family (they hold other professionals' advice and the
    // family's comments).
    ("Query.plan", Rule::StaffOrFamilyRead),
    ("Query.plans", Rule::AnySignedIn),
    ("Query.annualReview", Rule::StaffOrFamilyRead),
    ("Query.planAmendment", Rule::StaffOrFamilyRead),
    ("Query.reviewTimetable", Rule::AnySignedIn),
    ("Query.phaseTransferTimetable", Rule::AnySignedIn),
    // Every change to a plan is casework of the plan's LA.
    ("Mutation.enterPlan", Rule::Staff),
    ("Mutation.updatePlanNeeds", Rule::Staff),
    ("Mutation.setPlacements", Rule::Staff),
    ("Mutation.setPersonalBudget", Rule::Staff),
    ("Mutation.setPhaseTransfer", Rule::Staff),
    ("Mutation.sendTransferNotice", Rule::Staff),
    ("Mutation.proposeCeasing", Rule::Staff),
    ("Mutation.recordCeaseConsultation", Rule::Staff),
    ("Mutation.ceasePlan", Rule::Staff),
    ("Mutation.decideNotToCease", Rule::Staff),
    ("Mutation.recordMove", Rule::Staff),
    ("Mutation.transferPlanOut", Rule::Staff),
    ("Mutation.scheduleReview", Rule::Staff),
    ("Mutation.proposeAmendment", Rule::Staff),
    ("Mutation.rescheduleReviewMeeting", Rule::Staff),
    ("Mutation.sendReviewInvitations", Rule::Staff),
    ("Mutation.requestReviewAdvice", Rule::Staff),
    ("Mutation.recordReviewAdvice", Rule::Staff),
    ("Mutation.circulateReviewAdvice", Rule::Staff),
    ("Mutation.holdReviewMeeting", Rule::Staff),
    ("Mutation.recordReviewReport", Rule::Staff),
    ("Mutation.decideReview", Rule::Staff),
    ("Mutation.cancelReview", Rule::Staff),
    ("Mutation.sendAmendmentNotice", Rule::Staff),
    ("Mutation.recordAmendmentResponse", Rule::Staff),
    ("Mutation.issueAmendedPlan", Rule::Staff),
    ("Mutation.decideNotToAmend", Rule::Staff),
    // The family's side of plans: their own child's amendment notice and plan only.
    ("Mutation.commentOnAmendmentNotice", Rule::Family),
    ("Mutation.requestReviewMeeting", Rule::Family),
    // Answering a family's request is casework of the plan's LA.
    ("Mutation.declineReviewMeetingRequest", Rule::Staff),
    // Mediation certificates on plan decisions, like the assessment's: staff or the family.
    (
        "Mutation.recordReviewMediationCertificate",
        Rule::StaffOrFamily,
    ),
    (
        "Mutation.recordAmendmentMediationCertificate",
        Rule::StaffOrFamily,
    ),
    (
        "Mutation.recordCeaseMediationCertificate",
        Rule::StaffOrFamily,
    ),
    // Disputes and complaints are read like the rest of the case: staff of the child's LA,
    // admins and the family; lists filtered by scope (a professional's are empty). Every
    // step is casework of the case's LA; families read, they do not record.
    ("Query.dispute", Rule::StaffOrFamilyRead),
    ("Query.disputes", Rule::AnySignedIn),
    ("Query.complaint", Rule::StaffOrFamilyRead),
    ("Query.complaints", Rule::AnySignedIn),
    // The register of remedies (ViewBacklog): staff of their own LA, admins every LA.
    ("Query.remedyRegister", Rule::StaffDirectory),
    ("Mutation.openAssessmentDispute", Rule::Staff),
    ("Mutation.openPlanDispute", Rule::Staff),
    ("Mutation.contactMediationAdviser", Rule::Staff),
    ("Mutation.arrangeMediation", Rule::Staff),
    ("Mutation.holdMediation", Rule::Staff),
    ("Mutation.issueMediationCertificate", Rule::Staff),
    ("Mutation.recordMediationAgreement", Rule::Staff),
    ("Mutation.registerAppeal", Rule::Staff),
    ("Mutation.scheduleHearing", Rule::Staff),
    ("Mutation.recordTribunalOutcome", Rule::Staff),
    ("Mutation.withdrawAppeal", Rule::Staff),
    ("Mutation.recordOrderException", Rule::Staff),
    ("Mutation.recordCompliance", Rule::Staff),
    ("Mutation.closeDispute", Rule::Staff),
    ("Mutation.receiveComplaint", Rule::Staff),
    ("Mutation.acknowledgeComplaint", Rule::Staff),
    ("Mutation.extendComplaint", Rule::Staff),
    ("Mutation.respondToComplaint", Rule::Staff),
    ("Mutation.escalateComplaint", Rule::Staff),
    ("Mutation.referComplaintToOmbudsman", Rule::Staff),
    ("Mutation.recordOmbudsmanDecision", Rule::Staff),
    ("Mutation.recordRemedy", Rule::Staff),
    ("Mutation.recordRemedyDone", Rule::Staff),
    ("Mutation.withdrawComplaint", Rule::Staff),
    // Messages: each person reads their own (an administrator has none); staff read what was
    // sent about their council's cases; dead letters and webhook subscriptions are for
    // administrators. Preferences are one's own, for anyone with a record that takes messages.
    ("Query.messages", Rule::AnySignedIn),
    ("Query.caseMessages", Rule::Staff),
    ("Query.deadLetters", Rule::Admin),
    ("Query.message", Rule::MessageRead),
    ("Query.messagePreferences", Rule::TakesMessages),
    ("Query.webhookSubscriptions", Rule::Admin),
    ("Mutation.setMessagePreferences", Rule::TakesMessages),
    ("Mutation.retryMessage", Rule::Admin),
    ("Mutation.createWebhookSubscription", Rule::Admin),
    ("Mutation.updateWebhookSubscription", Rule::Admin),
];

/// Where a field's truth differs from its rule class: (field, caller, target or any, allowed).
const OVERRIDES: &[(&str, Caller, Option<Target>, bool)] = &[];

fn allowed(field: &str, rule: Rule, caller: Caller, target: Option<Target>) -> bool {
    if let Some(&(_, _, _, allowed)) = OVERRIDES
        .iter()
        .find(|(f, c, t, _)| *f == field && *c == caller && (t.is_none() || *t == target))
    {
        return allowed;
    }
    use Caller::*;
    if caller.refused_at_sign_in() {
        return false;
    }
    // Fields without record arguments act in the caller's own world.
    let own_la = matches!(target, None | Some(Target::Own | Target::OtherFamily));
    let own_family = matches!(target, None | Some(Target::Own));
    let staff = matches!(caller, Manager | Caseworker);
    let family = matches!(caller, Parent | YoungPerson);
    match rule {
        Rule::AnySignedIn => caller != Anonymous,
        Rule::NotProfessional => !matches!(caller, Anonymous | Professional),
        Rule::NotFamily => !matches!(caller, Anonymous | Parent | YoungPerson | UnlinkedParent),
        Rule::StaffDirectory => caller == Admin || staff,
        Rule::AuditReader => matches!(caller, Admin | Manager),
        Rule::OrganisationRead => caller == Admin || ((staff || caller == Professional) && own_la),
        Rule::CaseRead | Rule::StaffOrFamilyRead | Rule::StaffOrFamily => {
            caller == Admin || (staff && own_la) || (family && own_family)
        }
        Rule::Staff => caller == Admin || (staff && own_la),
        Rule::Organisation => caller == Admin || (caller == Manager && own_la),
        Rule::Admin => caller == Admin,
        Rule::Family => family && own_family,
        Rule::AnyProfessional => caller == Professional,
        Rule::Professional => caller == Professional && own_family,
        Rule::MessageRead => {
            caller == Admin || (staff && own_la) || (caller == Parent && own_family)
        }
        Rule::TakesMessages => staff || family || caller == Professional,
    }
}

// ---------- the fixture ----------

/// The kinds of record an `ID` can point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Entity {
    LocalAuthority,
    Locality,
    Team,
    Staff,
    Professional,
    Child,
    Parent,
    Assessment,
    AdviceRequest,
    Consultation,
    Plan,
    Review,
    /// Advice asked for a review (an advice request on the review, not the assessment).
    ReviewAdvice,
    Amendment,
    /// A family's request for a review meeting (answered by the review the fixture arranged).
    ReviewMeetingRequest,
    /// An administrator's record.
    Administrator,
    /// A dispute about the family's plan.
    Dispute,
    /// A complaint on the family's case.
    Complaint,
    /// A remedy agreed on that complaint.
    Remedy,
    /// A notice sent to the family's signed-in parent.
    Message,
    /// A council's webhook subscription.
    WebhookSubscription,
}

/// Which `ID` argument or input field points at which record. A name not known here fails
/// the test: map it, and add the record to the fixture if it is a new kind.
fn id_entity(context: &str, name: &str) -> Option<Entity> {
    Some(match name {
        "assessmentId" => Entity::Assessment,
        "childId" => Entity::Child,
        "adviceRequestId"
            if matches!(context, "ReviewAdviceReceivedInput" | "ReviewDelayInput") =>
        {
            Entity::ReviewAdvice
        }
        "adviceRequestId" => Entity::AdviceRequest,
        "planId" => Entity::Plan,
        "reviewId" => Entity::Review,
        "amendmentId" => Entity::Amendment,
        "requestId" => Entity::ReviewMeetingRequest,
        "parentId" => Entity::Parent,
        "consultationId" => Entity::Consultation,
        "teamId" => Entity::Team,
        "localityId" => Entity::Locality,
        "localAuthorityId" => Entity::LocalAuthority,
        "caseworkerId" => Entity::Staff,
        "professionalId" => Entity::Professional,
        "disputeId" => Entity::Dispute,
        "complaintId" => Entity::Complaint,
        "remedyId" => Entity::Remedy,
        "id" => match context {
            "Query.child" | "Query.node" | "UpdateChildInput" => Entity::Child,
            "Query.assessment" => Entity::Assessment,
            "Query.localAuthority" => Entity::LocalAuthority,
            "Query.myAdviceRequest" => Entity::AdviceRequest,
            "Query.plan" => Entity::Plan,
            "Query.annualReview" => Entity::Review,
            "Query.planAmendment" => Entity::Amendment,
            "Query.dispute" => Entity::Dispute,
            "Query.complaint" => Entity::Complaint,
            "Query.message" | "Mutation.retryMessage" => Entity::Message,
            "Mutation.updateWebhookSubscription" => Entity::WebhookSubscription,
            "UpdateStaffInput" => Entity::Staff,
            "UpdateProfessionalInput" => Entity::Professional,
            "UpdateAdministratorInput" => Entity::Administrator,
            _ => return None,
        },
        _ => return None,
    })
}

/// The record kind an output object's `id` is, for the leak check.
fn type_entity(type_name: &str) -> Option<Entity> {
    Some(match type_name {
        "LocalAuthority" => Entity::LocalAuthority,
        "Locality" => Entity::Locality,
        "Team" => Entity::Team,
        "StaffMember" => Entity::Staff,
        "Professional" => Entity::Professional,
        "Child" => Entity::Child,
        "Parent" => Entity::Parent,
        "Assessment" => Entity::Assessment,
        "AdviceRequest" | "ProfessionalAdviceRequest" => Entity::AdviceRequest,
        "SettingConsultation" => Entity::Consultation,
        "EhcPlan" => Entity::Plan,
        "AnnualReview" => Entity::Review,
        "PlanAmendment" => Entity::Amendment,
        "ReviewMeetingRequest" => Entity::ReviewMeetingRequest,
        "Administrator" => Entity::Administrator,
        "Dispute" => Entity::Dispute,
        "Complaint" => Entity::Complaint,
        "Remedy" => Entity::Remedy,
        "Message" => Entity::Message,
        "WebhookSubscription" => Entity::WebhookSubscription,
        _ => return None,
    })
}

/// Whose a record is, which decides who may ever see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    /// A local authority's organisation: the LA, localities, teams, staff, professionals.
    Organisation(Target),
    /// A family's child.
    Child(Target),
    /// A family's parents and carers.
    Parents(Target),
    /// A family's casework: the assessment, its consultations and advice requests.
    Case(Target),
    /// The advice request addressed to the target's professional.
    AskedAdvice(Target),
    /// Administrators' records: for administrators only.
    Administration,
    /// A message to the family's signed-in parent: theirs, and the council's.
    ParentMessage(Target),
}

fn la_of(target: Target) -> u16 {
    match target {
        Target::Own | Target::OtherFamily => 909,
        Target::OtherLa => 908,
    }
}

/// Whether the caller may ever see a record of this owner, in any field.
fn may_see(caller: Caller, owner: Owner) -> bool {
    use Caller::*;
    let (target, organisation) = match owner {
        Owner::Administration => return caller == Admin,
        Owner::ParentMessage(t) => {
            return match caller {
                Admin => true,
                Manager | Caseworker => la_of(t) == 909,
                Parent => t == Target::Own,
                _ => false,
            };
        }
        Owner::Organisation(t) => (t, true),
        Owner::Child(t) | Owner::Parents(t) | Owner::Case(t) | Owner::AskedAdvice(t) => (t, false),
    };
    match caller {
        Admin => true,
        Manager | Caseworker => la_of(target) == 909,
        // Families see their own LA's people where their case names them (the caseworker,
        // who read the record), and everything of their own family.
        Parent | YoungPerson => {
            (organisation && la_of(target) == 909) || (!organisation && target == Target::Own)
        }
        // The professional sees the request addressed to them, with what it needs of the
        // child (its name, never the child's record: `Query.child` refuses them); not the
        // parents, nor the rest of the case.
        Professional => match owner {
            Owner::Organisation(t) => la_of(t) == 909,
            Owner::Child(t) | Owner::AskedAdvice(t) => t == Target::Own,
            Owner::Parents(_)
            | Owner::Case(_)
            | Owner::Administration
            | Owner::ParentMessage(_) => false,
        },
        UnlinkedProfessional | NoRecord | RoleNotGranted | Deactivated => false,
        UnlinkedParent | Anonymous => false,
    }
}

struct Record {
    entity: Entity,
    id: String,
    owner: Owner,
    target: Target,
}

struct World {
    tokens: Vec<(Caller, Option<String>)>,
    admin: String,
    records: Vec<Record>,
    /// Distinctive names and whose they are: none may reach a caller who may not see them.
    names: Vec<(String, Owner)>,
    /// (child, carer) per target, to relink after `unlinkParent` removes the link.
    carers: Vec<(Target, String, String)>,
}

impl World {
    fn id(&self, entity: Entity, target: Target) -> String {
        self.records
            .iter()
            .find(|r| r.entity == entity && r.target == target)
            .map(|r| r.id.clone())
            .unwrap_or_else(|| panic!("the fixture has no {entity:?} for {target}"))
    }

    fn token(&self, caller: Caller) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(c, _)| *c == caller)
            .and_then(|(_, t)| t.as_deref())
    }

    fn owner_of(&self, entity: Entity, id: &str) -> Option<Owner> {
        self.records
            .iter()
            .find(|r| r.entity == entity && r.id == id)
            .map(|r| r.owner)
    }
}

fn days_ago(n: i64) -> String {
    (crate::common::today() - Duration::days(n)).to_string()
}

async fn create(app: &TestApp, token: &str, field: &str, input_type: &str, input: Value) -> Value {
    let selection = if input_type.starts_with("Create") {
        "id"
    } else {
        "id version adviceRequests { id } settingConsultations { id }"
    };
    let q =
        format!("mutation($input: {input_type}!) {{ {field}(input: $input) {{ {selection} }} }}");
    app.ok(token, &q, json!({"input": input})).await[field].clone()
}

/// Runs a fixture mutation with any input type and selection.
async fn act(
    app: &TestApp,
    token: &str,
    field: &str,
    input_type: &str,
    input: Value,
    selection: &str,
) -> Value {
    let q =
        format!("mutation($input: {input_type}!) {{ {field}(input: $input) {{ {selection} }} }}");
    app.ok(token, &q, json!({"input": input})).await[field].clone()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

struct Names {
    la: &'static str,
    locality: &'static str,
    team: &'static str,
    caseworker: &'static str,
    colleague: &'static str,
    professional: &'static str,
}

/// One local authority's organisation; returns the manager's and caseworker's tokens.
async fn organisation(
    app: &TestApp,
    world: &mut World,
    target: Target,
    code: &str,
    n: Names,
) -> (String, String) {
    let admin = world.admin.clone();
    let la = app
        .ok(
            &admin,
            "mutation($c: String!, $n: String!) { createLocalAuthority(code: $c, name: $n) { id } }",
            json!({"c": code, "n": n.la}),
        )
        .await["createLocalAuthority"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // The LA's manager is set up by an administrator; the manager sets up the rest.
    create(
        app,
        &admin,
        "createStaff",
        "CreateStaffInput",
        json!({"localAuthorityId": la, "subject": format!("mgr-{code}"), "name": format!("Manager {code}"), "role": "MANAGER"}),
    )
    .await;
    let manager = app.token(Role::Manager, &format!("mgr-{code}"), Some(code));
    let caseworker = app.token(Role::Caseworker, &format!("cw-{code}"), Some(code));
    let locality = app
        .ok(
            &manager,
            "mutation($n: String!) { createLocality(name: $n) { id } }",
            json!({"n": n.locality}),
        )
        .await["createLocality"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let team = app
        .ok(
            &manager,
            "mutation($n: String!) { createTeam(name: $n) { id } }",
            json!({"n": n.team}),
        )
        .await["createTeam"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let staff = |subject: &str, name: &str, role: &str| json!({"subject": subject, "name": name, "role": role, "teamId": team, "email": format!("{subject}@example.org")});
    let cw = create(
        app,
        &manager,
        "createStaff",
        "CreateStaffInput",
        staff(&format!("cw-{code}"), n.caseworker, "CASEWORKER"),
    )
    .await;
    create(
        app,
        &manager,
        "createStaff",
        "CreateStaffInput",
        staff(&format!("colleague-{code}"), n.colleague, "CASEWORKER"),
    )
    .await;
    let professional = create(
        app,
        &manager,
        "createProfessional",
        "CreateProfessionalInput",
        json!({"subject": format!("ep-{code}"), "name": n.professional, "service": "EDUCATIONAL_PSYCHOLOGY", "organisation": "Matrix Psychology Service"}),
    )
    .await;
    let owner = Owner::Organisation(target);
    for (entity, id) in [
        (Entity::LocalAuthority, la),
        (Entity::Locality, locality),
        (Entity::Team, team),
        (Entity::Staff, id_of(&cw)),
        (Entity::Professional, id_of(&professional)),
    ] {
        world.records.push(Record {
            entity,
            id,
            owner,
            target,
        });
    }
    for name in [
        n.la,
        n.locality,
        n.team,
        n.caseworker,
        n.colleague,
        n.professional,
    ] {
        world.names.push((name.to_owned(), owner));
    }
    (manager, caseworker)
}

/// A family with an assessment whose draft was sent 5 days ago, a setting consulted, and
/// advice asked of `service` (by name, `professional`).
#[allow(clippy::too_many_arguments)]
async fn family(
    app: &TestApp,
    world: &mut World,
    caseworker: &str,
    target: Target,
    surname: &str,
    young_person: Option<&str>,
    parent_subject: &str,
    (service, professional): (&str, &str),
) {
    let locality = world.id(Entity::Locality, target);
    let child_name = format!("Kit {surname}");
    let child = id_of(
        &create(
            app,
            caseworker,
            "createChild",
            "CreateChildInput",
            json!({"legalName": child_name, "dateOfBirth": "2008-03-03", "localityId": locality, "subject": young_person}),
        )
        .await,
    );
    let mut parents = Vec::new();
    for (first, subject) in [("Pat", Some(parent_subject)), ("Carer", None)] {
        let name = format!("{first} {surname}");
        let parent = id_of(
            &create(
                app,
                caseworker,
                "createParent",
                "CreateParentInput",
                json!({"name": name, "subject": subject, "email": format!("{first}.{surname}@example.org")}),
            )
            .await,
        );
        app.ok(
            caseworker,
            "mutation($c: ID!, $p: ID!) { linkParent(childId: $c, parentId: $p) { id } }",
            json!({"c": child, "p": parent}),
        )
        .await;
        world.names.push((name, Owner::Parents(target)));
        parents.push(parent);
    }
    let a = create(
        app,
        caseworker,
        "requestAssessment",
        "RequestAssessmentInput",
        json!({"childId": child, "requestedBy": "PARENT", "receivedOn": days_ago(60)}),
    )
    .await;
    let id = id_of(&a);
    let a = create(
        app,
        caseworker,
        "decideToAssess",
        "DecisionInput",
        json!({"assessmentId": id, "version": a["version"], "on": days_ago(50)}),
    )
    .await;
    let a = create(app, caseworker, "requestAdvice", "RequestAdviceInput",
        json!({"assessmentId": id, "version": a["version"], "on": days_ago(45), "service": service, "professionalId": professional})).await;
    let advice = a["adviceRequests"][0]["id"]
        .as_str()
        .expect("advice id")
        .to_owned();
    let a = create(
        app,
        caseworker,
        "sendDraftPlan",
        "ActionInput",
        json!({"assessmentId": id, "version": a["version"], "on": days_ago(5)}),
    )
    .await;
    let a = create(app, caseworker, "consultSetting", "ConsultSettingInput",
        json!({"assessmentId": id, "version": a["version"], "on": days_ago(4), "settingName": format!("{surname} Academy")})).await;
    let consultation = a["settingConsultations"][0]["id"]
        .as_str()
        .expect("consultation id")
        .to_owned();
    // An EHC plan (entered as one from before the system) with an annual review under way,
    // review advice asked of the same professional, and an amendment proposed.
    let plan = act(
        app,
        caseworker,
        "enterPlan",
        "EnterPlanInput",
        json!({"childId": child, "issuedOn": days_ago(300), "namedSetting": format!("{surname} Academy")}),
        "id version",
    )
    .await;
    // The parent asked for a review meeting; arranging the review below answers it.
    let parent_token = app.token(Role::Parent, parent_subject, None);
    let request = act(
        app,
        &parent_token,
        "requestReviewMeeting",
        "RequestReviewMeetingInput",
        json!({"planId": plan["id"], "reason": "Kit is struggling since the move to a new class"}),
        "id",
    )
    .await;
    let review = act(
        app,
        caseworker,
        "scheduleReview",
        "ScheduleReviewInput",
        json!({"planId": plan["id"], "version": plan["version"], "on": days_ago(10), "meetingOn": days_ago(-20)}),
        "id version",
    )
    .await;
    let review = act(
        app,
        caseworker,
        "requestReviewAdvice",
        "ReviewAdviceInput",
        json!({"reviewId": review["id"], "version": review["version"], "on": days_ago(9), "service": service, "professionalId": professional}),
        "id version adviceRequests { id } plan { version }",
    )
    .await;
    let review_advice = review["adviceRequests"][0]["id"]
        .as_str()
        .expect("review advice id")
        .to_owned();
    let amendment = act(
        app,
        caseworker,
        "proposeAmendment",
        "ProposeAmendmentInput",
        json!({"planId": plan["id"], "version": review["plan"]["version"], "on": days_ago(8), "proposedChanges": "More speech and language therapy"}),
        "id",
    )
    .await;
    // A dispute about the plan's content, and a complaint with a remedy agreed.
    let dispute = act(
        app,
        caseworker,
        "openPlanDispute",
        "PlanDisputeInput",
        json!({"planId": plan["id"], "appealed": "PLAN_CONTENT", "decisionSentOn": days_ago(30), "on": days_ago(20)}),
        "id",
    )
    .await;
    let complaint = act(
        app,
        caseworker,
        "receiveComplaint",
        "ReceiveComplaintInput",
        json!({"childId": child, "receivedOn": days_ago(12), "summary": format!("{surname} complaint")}),
        "id version",
    )
    .await;
    let complaint = act(
        app,
        caseworker,
        "recordRemedy",
        "RemedyInput",
        json!({"complaintId": complaint["id"], "version": complaint["version"], "on": days_ago(2), "kind": "PAYMENT", "reason": "DELAY", "amountPence": 30000, "offeredBy": "COUNCIL", "description": format!("{surname} remedy")}),
        "id remedies { id }",
    )
    .await;
    world
        .names
        .push((format!("{surname} complaint"), Owner::Case(target)));
    world
        .names
        .push((format!("{surname} remedy"), Owner::Case(target)));
    for (entity, id, owner) in [
        (Entity::Dispute, id_of(&dispute), Owner::Case(target)),
        (Entity::Complaint, id_of(&complaint), Owner::Case(target)),
        (
            Entity::Remedy,
            id_of(&complaint["remedies"][0]),
            Owner::Case(target),
        ),
        (Entity::Plan, id_of(&plan), Owner::Case(target)),
        (Entity::Review, id_of(&review), Owner::Case(target)),
        // The professional asked for the review's advice sees that request (and its meeting
        // date), never the review itself.
        (
            Entity::ReviewAdvice,
            review_advice,
            if target == Target::Own {
                Owner::AskedAdvice(target)
            } else {
                Owner::Case(target)
            },
        ),
        (Entity::Amendment, id_of(&amendment), Owner::Case(target)),
        (
            Entity::ReviewMeetingRequest,
            id_of(&request),
            Owner::Case(target),
        ),
    ] {
        world.records.push(Record {
            entity,
            id,
            owner,
            target,
        });
    }
    let asked = if target == Target::Own {
        Owner::AskedAdvice(target)
    } else {
        Owner::Case(target)
    };
    for (entity, id, owner) in [
        (Entity::Child, child.clone(), Owner::Child(target)),
        (Entity::Parent, parents[1].clone(), Owner::Parents(target)),
        (Entity::Assessment, id, Owner::Case(target)),
        (Entity::AdviceRequest, advice, asked),
        (Entity::Consultation, consultation, Owner::Case(target)),
    ] {
        world.records.push(Record {
            entity,
            id,
            owner,
            target,
        });
    }
    // The signed-in parent, for the leak check. `parentId` points at the carer, listed first:
    // links to the carer may be cut and restored without locking the parent out.
    world.records.push(Record {
        entity: Entity::Parent,
        id: parents[0].clone(),
        owner: Owner::Parents(target),
        target,
    });
    world.carers.push((target, child, parents[1].clone()));
    world.names.push((child_name, Owner::Child(target)));
}

async fn build_world(app: &TestApp) -> World {
    let admin = app.admin_token();
    let mut world = World {
        tokens: Vec::new(),
        admin: admin.clone(),
        records: Vec::new(),
        names: Vec::new(),
        carers: Vec::new(),
    };
    let (manager, caseworker) = organisation(
        app,
        &mut world,
        Target::Own,
        "909",
        Names {
            la: "Cumbria",
            locality: "Carlisle Matrixton",
            team: "Eden Valley SEN team",
            caseworker: "Cora Casewright",
            colleague: "Stella Stafford",
            professional: "Petra Psychwell",
        },
    )
    .await;
    let (_, far_caseworker) = organisation(
        app,
        &mut world,
        Target::OtherLa,
        "908",
        Names {
            la: "Cornwall",
            locality: "Truro Farholm",
            team: "Kernow SEN team",
            caseworker: "Cyril Farcase",
            colleague: "Fenella Faraway",
            professional: "Esme Elsewhere",
        },
    )
    .await;
    // The other 909 family's advice went to a paediatrician, not to the professional.
    let paediatrician = id_of(
        &create(
            app,
            &manager,
            "createProfessional",
            "CreateProfessionalInput",
            json!({"subject": "paed-909", "name": "Paddy Paedwick", "service": "PAEDIATRICS", "organisation": "Matrix NHS Trust"}),
        )
        .await,
    );
    world
        .names
        .push(("Paddy Paedwick".into(), Owner::Organisation(Target::Own)));
    // Both 909 targets share the LA's organisation records.
    let shared: Vec<Record> = world
        .records
        .iter()
        .filter(|r| r.target == Target::Own)
        .map(|r| Record {
            entity: r.entity,
            id: r.id.clone(),
            owner: r.owner,
            target: Target::OtherFamily,
        })
        .collect();
    world.records.extend(shared);
    let own_ep = world.id(Entity::Professional, Target::Own);
    let far_ep = world.id(Entity::Professional, Target::OtherLa);
    family(
        app,
        &mut world,
        &caseworker,
        Target::Own,
        "Ownfield",
        Some("yp-own"),
        "parent-own",
        ("EDUCATIONAL_PSYCHOLOGY", &own_ep),
    )
    .await;
    family(
        app,
        &mut world,
        &caseworker,
        Target::OtherFamily,
        "Otherby",
        None,
        "parent-other",
        ("PAEDIATRICS", &paediatrician),
    )
    .await;
    family(
        app,
        &mut world,
        &far_caseworker,
        Target::OtherLa,
        "Farland",
        None,
        "parent-far",
        ("EDUCATIONAL_PSYCHOLOGY", &far_ep),
    )
    .await;
    // The steps above sent each family notices: the signed-in parent's first one is theirs
    // (and the council's). Each council has a webhook subscription.
    for target in TARGETS {
        let child = crate::common::row_id(&json!(world.id(Entity::Child, target)));
        let parent = world
            .records
            .iter()
            .rev()
            .find(|r| r.entity == Entity::Parent && r.target == target)
            .map(|r| crate::common::row_id(&json!(r.id)))
            .expect("the signed-in parent");
        let notice = message::Entity::find()
            .filter(message::Column::ChildId.eq(child))
            .filter(message::Column::RecipientKind.eq("PARENT"))
            .filter(message::Column::RecipientId.eq(parent))
            .order_by_asc(message::Column::Id)
            .one(&app.db)
            .await
            .expect("messages")
            .unwrap_or_else(|| panic!("no notice to the parent of {target}"));
        world.records.push(Record {
            entity: Entity::Message,
            id: crate::common::global_id(ehcp::api::graphql::Kind::Message, notice.id),
            owner: Owner::ParentMessage(target),
            target,
        });
    }
    for (target, la) in [(Target::Own, "909"), (Target::OtherLa, "908")] {
        let made = app
            .ok(
                &admin,
                "mutation($input: WebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { subscription { id } } }",
                json!({"input": {"localAuthorityId": world.id(Entity::LocalAuthority, target), "name": format!("Warehouse {la}"), "url": "https://warehouse.example/hooks", "eventTypes": ["plan.*"]}}),
            )
            .await;
        let id = made["createWebhookSubscription"]["subscription"]["id"]
            .as_str()
            .expect("subscription id")
            .to_owned();
        let targets: &[Target] = if target == Target::Own {
            &[Target::Own, Target::OtherFamily]
        } else {
            &[Target::OtherLa]
        };
        for t in targets {
            world.records.push(Record {
                entity: Entity::WebhookSubscription,
                id: id.clone(),
                owner: Owner::Administration,
                target: *t,
            });
        }
    }
    // A caseworker who has left: their record is deactivated.
    let leaver = create(
        app,
        &manager,
        "createStaff",
        "CreateStaffInput",
        json!({"subject": "leaver-909", "name": "Lena Leftwell", "role": "CASEWORKER"}),
    )
    .await;
    act(
        app,
        &manager,
        "updateStaff",
        "UpdateStaffInput",
        json!({"id": leaver["id"], "active": false}),
        "id",
    )
    .await;
    // The administrator's own record, for `updateAdministrator`.
    let administrators = app.ok(&admin, "{ administrators { id } }", json!({})).await;
    world.records.push(Record {
        entity: Entity::Administrator,
        id: id_of(&administrators["administrators"][0]),
        owner: Owner::Administration,
        target: Target::Own,
    });
    let shared_admin = world.records.last().map(|r| Record {
        entity: r.entity,
        id: r.id.clone(),
        owner: r.owner,
        target: Target::OtherFamily,
    });
    world.records.extend(shared_admin);
    world.records.push(Record {
        entity: Entity::Administrator,
        id: id_of(&administrators["administrators"][0]),
        owner: Owner::Administration,
        target: Target::OtherLa,
    });
    world.tokens = vec![
        (Caller::Admin, Some(admin)),
        (Caller::Manager, Some(manager)),
        (Caller::Caseworker, Some(caseworker)),
        (
            Caller::Parent,
            Some(app.token(Role::Parent, "parent-own", None)),
        ),
        (
            Caller::YoungPerson,
            Some(app.token(Role::Parent, "yp-own", None)),
        ),
        (
            Caller::Professional,
            Some(app.token(Role::Professional, "ep-909", Some("909"))),
        ),
        (
            Caller::UnlinkedParent,
            Some(app.token(Role::Parent, "nobody-we-know", None)),
        ),
        (
            Caller::UnlinkedProfessional,
            Some(app.token(Role::Professional, "stranger-909", Some("909"))),
        ),
        (
            Caller::NoRecord,
            Some(app.token(Role::Caseworker, "nobody-909", Some("909"))),
        ),
        (
            Caller::RoleNotGranted,
            Some(app.token(Role::Manager, "cw-909", Some("909"))),
        ),
        (
            Caller::Deactivated,
            Some(app.token(Role::Caseworker, "leaver-909", Some("909"))),
        ),
        (Caller::Anonymous, None),
    ];
    world
}

// ---------- the schema, by introspection ----------

#[derive(Clone, Debug)]
enum TypeRef {
    NonNull(Box<TypeRef>),
    List(Box<TypeRef>),
    Named(String),
}

impl TypeRef {
    fn parse(v: &Value) -> Self {
        match v["kind"].as_str() {
            Some("NON_NULL") => TypeRef::NonNull(Box::new(Self::parse(&v["ofType"]))),
            Some("LIST") => TypeRef::List(Box::new(Self::parse(&v["ofType"]))),
            _ => TypeRef::Named(v["name"].as_str().expect("type name").to_owned()),
        }
    }
    fn named(&self) -> &str {
        match self {
            TypeRef::NonNull(t) | TypeRef::List(t) => t.named(),
            TypeRef::Named(n) => n,
        }
    }
    fn render(&self) -> String {
        match self {
            TypeRef::NonNull(t) => format!("{}!", t.render()),
            TypeRef::List(t) => format!("[{}]", t.render()),
            TypeRef::Named(n) => n.clone(),
        }
    }
}

#[derive(Clone, Debug)]
struct InputValue {
    name: String,
    ty: TypeRef,
    has_default: bool,
}

impl InputValue {
    fn parse(v: &Value) -> Self {
        Self {
            name: v["name"].as_str().expect("name").to_owned(),
            ty: TypeRef::parse(&v["type"]),
            has_default: !v["defaultValue"].is_null(),
        }
    }
    fn required(&self) -> bool {
        matches!(self.ty, TypeRef::NonNull(_)) && !self.has_default
    }
}

#[derive(Clone, Debug)]
struct Field {
    name: String,
    args: Vec<InputValue>,
    ty: TypeRef,
}

#[derive(Debug)]
struct TypeDef {
    kind: String,
    fields: Vec<Field>,
    input_fields: Vec<InputValue>,
    enum_values: Vec<String>,
}

struct Schema {
    types: BTreeMap<String, TypeDef>,
    query: String,
    mutation: String,
}

const INTROSPECTION: &str = "
query Matrix { __schema { queryType { name } mutationType { name } types { kind name
  fields(includeDeprecated: true) { name args { ...Input } type { ...Ref } }
  inputFields { ...Input } enumValues(includeDeprecated: true) { name } } } }
fragment Input on __InputValue { name defaultValue type { ...Ref } }
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

async fn introspect(app: &TestApp, token: &str) -> Schema {
    let data = app.ok(token, INTROSPECTION, json!({})).await;
    let s = &data["__schema"];
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let types = list(&s["types"])
        .iter()
        .map(|t| {
            let fields = list(&t["fields"])
                .iter()
                .map(|f| Field {
                    name: f["name"].as_str().expect("name").to_owned(),
                    args: list(&f["args"]).iter().map(InputValue::parse).collect(),
                    ty: TypeRef::parse(&f["type"]),
                })
                .collect();
            (
                t["name"].as_str().expect("name").to_owned(),
                TypeDef {
                    kind: t["kind"].as_str().expect("kind").to_owned(),
                    fields,
                    input_fields: list(&t["inputFields"])
                        .iter()
                        .map(InputValue::parse)
                        .collect(),
                    enum_values: list(&t["enumValues"])
                        .iter()
                        .map(|e| e["name"].as_str().expect("name").to_owned())
                        .collect(),
                },
            )
        })
        .collect();
    Schema {
        types,
        query: s["queryType"]["name"].as_str().expect("Query").to_owned(),
        mutation: s["mutationType"]["name"]
            .as_str()
            .expect("Mutation")
            .to_owned(),
    }
}

/// Everything a caller could ask for below a field: scalars, and objects to a depth, so a
/// leak through a nested field shows. Fields needing arguments are left out.
fn selection(schema: &Schema, type_name: &str, depth: usize, path: &mut Vec<String>) -> String {
    let t = &schema.types[type_name];
    if t.kind != "OBJECT" {
        return if matches!(t.kind.as_str(), "INTERFACE" | "UNION") {
            "{ __typename }".into()
        } else {
            String::new()
        };
    }
    let mut parts = vec!["__typename".to_owned()];
    path.push(type_name.to_owned());
    for f in &t.fields {
        if f.args.iter().any(InputValue::required) {
            continue;
        }
        let named = f.ty.named();
        match schema.types[named].kind.as_str() {
            "SCALAR" | "ENUM" => parts.push(f.name.clone()),
            _ if depth < 4 && !path.iter().any(|p| p == named) => {
                let sub = selection(schema, named, depth + 1, path);
                parts.push(format!("{} {sub}", f.name));
            }
            _ => {}
        }
    }
    path.pop();
    format!("{{ {} }}", parts.join(" "))
}

// ---------- arguments, generated from their types ----------

const HARMLESS: &str = "matrix-probe";

struct Args<'a> {
    app: &'a TestApp,
    schema: &'a Schema,
    world: &'a World,
    target: Target,
    /// The `ID` fields filled in, by name: a VALIDATION error naming one of them means the
    /// record was refused as unknown, which is a denial.
    ids: BTreeSet<String>,
}

impl Args<'_> {
    /// A value for an argument or input field, or `None` to leave an optional one out.
    /// Optional values are left out except `ID`s, which point the call at the target.
    async fn value(&mut self, context: &str, input: &InputValue) -> Result<Option<Value>, String> {
        let id_typed = input.ty.named() == "ID";
        // Small pages keep the whole-schema selection under the cost limit; the fixture has
        // one case record of a kind per target (three), so a page holds them all and a leak
        // still shows.
        if input.name == "first" && input.ty.named() == "Int" {
            return Ok(Some(json!(TARGETS.len())));
        }
        if !input.required() && !id_typed {
            return Ok(None);
        }
        self.of_type(context, &input.name, &input.ty.clone()).await
    }

    async fn of_type(
        &mut self,
        context: &str,
        name: &str,
        ty: &TypeRef,
    ) -> Result<Option<Value>, String> {
        let ty = match ty {
            TypeRef::NonNull(t) => t.as_ref(),
            t => t,
        };
        if let TypeRef::List(_) = ty {
            return Ok(Some(json!([])));
        }
        let named = ty.named();
        let def = &self.schema.types[named];
        Ok(Some(match (def.kind.as_str(), named) {
            (_, "ID") => {
                let entity = id_entity(context, name).ok_or_else(|| {
                    format!(
                        "`{name}: ID` in {context} is an id the matrix cannot point at a record: \
                         map it in `id_entity` (tests/api/access_matrix.rs) and add such a \
                         record to the fixture"
                    )
                })?;
                self.ids.insert(name.to_owned());
                json!(self.world.id(entity, self.target))
            }
            (_, "Int") => json!(1),
            (_, "Float") => json!(1.0),
            (_, "String") => json!(HARMLESS),
            (_, "Boolean") => json!(true),
            (_, "Date") => json!(crate::common::today().to_string()),
            (_, "DateTime") => json!(Utc::now().to_rfc3339()),
            ("ENUM", _) => json!(def.enum_values[0]),
            ("INPUT_OBJECT", _) => {
                let fields = def.input_fields.clone();
                let mut object = Map::new();
                let mut versioned = None;
                for f in fields.iter().filter(|f| f.name != "version") {
                    if let Some(v) = Box::pin(self.value(named, f)).await? {
                        if matches!(
                            f.name.as_str(),
                            "id" | "assessmentId"
                                | "planId"
                                | "reviewId"
                                | "amendmentId"
                                | "disputeId"
                                | "complaintId"
                                | "remedyId"
                        ) {
                            versioned =
                                id_entity(named, &f.name).zip(v.as_str().map(str::to_owned));
                        }
                        object.insert(f.name.clone(), v);
                    }
                }
                if fields.iter().any(|f| f.name == "version") {
                    let (entity, id) = versioned.ok_or_else(|| {
                        format!("{named}.version: no record id beside it to read the version of")
                    })?;
                    object.insert("version".into(), json!(self.version(entity, &id).await?));
                }
                Value::Object(object)
            }
            (kind, _) => {
                return Err(format!(
                    "{context}.{name}: the matrix cannot make a {kind} `{named}`: teach `of_type`"
                ));
            }
        }))
    }

    /// The record's current version, read from the database.
    async fn version(&self, entity: Entity, id: &str) -> Result<i32, String> {
        let id = crate::common::row_id(&json!(id));
        let db = &self.app.db;
        let found = match entity {
            Entity::Assessment => assessment::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?
                .map(|a| a.version),
            Entity::Child => child::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?
                .map(|c| c.version),
            Entity::Plan => ehc_plan::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?
                .map(|p| p.version),
            Entity::Review => annual_review::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?
                .map(|r| r.version),
            Entity::Amendment => plan_amendment::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?
                .map(|a| a.version),
            Entity::Dispute => dispute::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?
                .map(|d| d.version),
            Entity::Complaint => complaint::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?
                .map(|c| c.version),
            // A remedy's steps are checked against its complaint's version.
            Entity::Remedy => {
                let Some(r) = remedy::Entity::find_by_id(id)
                    .one(db)
                    .await
                    .map_err(|e| e.to_string())?
                else {
                    return Err(format!("remedy {id} not found"));
                };
                complaint::Entity::find_by_id(r.complaint_id)
                    .one(db)
                    .await
                    .map_err(|e| e.to_string())?
                    .map(|c| c.version)
            }
            Entity::Message => message::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?
                .map(|m| m.version),
            Entity::WebhookSubscription => webhook_subscription::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?
                .map(|w| w.version),
            other => return Err(format!("{other:?} has no version: teach `Args::version`")),
        };
        found.ok_or_else(|| format!("{entity:?} {id} not found"))
    }
}

// ---------- one cell ----------

enum Outcome {
    /// The access check passed: data, or a business error caused by the generated input.
    Allowed(Option<String>),
    /// Refused: FORBIDDEN, NOT_FOUND, UNAUTHENTICATED, or VALIDATION naming an `ID` given.
    Denied(String),
    /// Anything else (INTERNAL, a malformed request): always a failure.
    Broken(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Allowed(None) => f.write_str("allowed (data)"),
            Outcome::Allowed(Some(code)) => write!(f, "allowed ({code} from the input)"),
            Outcome::Denied(code) => write!(f, "denied ({code})"),
            Outcome::Broken(what) => write!(f, "broken ({what})"),
        }
    }
}

fn outcome(field: &str, body: &Value, ids: &BTreeSet<String>) -> Outcome {
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    if let Some(e) = errors.iter().find(|e| e.get("path").is_none()) {
        return Outcome::Broken(format!("request error: {e}"));
    }
    let Some(top) = errors.iter().find(|e| e["path"] == json!([field])) else {
        return Outcome::Allowed(None);
    };
    let code = top["extensions"]["code"].as_str().unwrap_or("no code");
    match code {
        "FORBIDDEN" | "NOT_FOUND" | "UNAUTHENTICATED" => Outcome::Denied(code.to_owned()),
        "VALIDATION"
            if top["extensions"]["field"]
                .as_str()
                .is_some_and(|f| ids.contains(f)) =>
        {
            Outcome::Denied(format!(
                "VALIDATION: {}",
                top["message"].as_str().unwrap_or_default()
            ))
        }
        "VALIDATION" | "CONFLICT" => Outcome::Allowed(Some(code.to_owned())),
        other => Outcome::Broken(format!(
            "{other}: {}",
            top["message"].as_str().unwrap_or_default()
        )),
    }
}

/// Records the response shows that the caller may not see: (type, id) pairs of objects and
/// `...Id` fields, and names.
fn leaks(world: &World, caller: Caller, body: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let text = body.to_string();
    for (name, owner) in &world.names {
        if !may_see(caller, *owner) && text.contains(name.as_str()) {
            found.push(format!("the name `{name}` ({owner:?})"));
        }
    }
    fn walk(world: &World, caller: Caller, v: &Value, found: &mut Vec<String>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| walk(world, caller, i, found)),
            Value::Object(map) => {
                let typename = map.get("__typename").and_then(Value::as_str).unwrap_or("");
                for (key, value) in map {
                    let entity = if key == "id" {
                        type_entity(typename)
                    } else if key.ends_with("Id") {
                        id_entity(typename, key)
                    } else {
                        None
                    };
                    if let (Some(entity), Some(id)) = (entity, value.as_str())
                        && let Some(owner) = world.owner_of(entity, id)
                        && !may_see(caller, owner)
                    {
                        found.push(format!("{typename}.{key} = {entity:?} {id} ({owner:?})"));
                    }
                    walk(world, caller, value, found);
                }
            }
            _ => {}
        }
    }
    walk(world, caller, &body["data"], &mut found);
    found
}

struct Cell<'a> {
    key: &'a str,
    field: &'a Field,
    operation: &'static str,
    rule: Rule,
    caller: Caller,
    target: Option<Target>,
}

/// Runs one call; returns how it was answered and what went wrong, if anything.
async fn check(
    app: &TestApp,
    schema: &Schema,
    world: &World,
    cell: &Cell<'_>,
) -> (&'static str, Option<String>) {
    let Cell {
        key,
        field,
        operation,
        rule,
        caller,
        target,
    } = *cell;
    let mut args = Args {
        app,
        schema,
        world,
        target: target.unwrap_or(Target::Own),
        ids: BTreeSet::new(),
    };
    let mut vars = Map::new();
    let (mut defs, mut call) = (Vec::new(), Vec::new());
    for arg in &field.args {
        match args.value(key, arg).await {
            Ok(Some(v)) => {
                defs.push(format!("${}: {}", arg.name, arg.ty.render()));
                call.push(format!("{0}: ${0}", arg.name));
                vars.insert(arg.name.clone(), v);
            }
            Ok(None) => {}
            Err(e) => return ("broken", Some(format!("{key}: {e}"))),
        }
    }
    let wrap = |parts: &[String]| {
        if parts.is_empty() {
            String::new()
        } else {
            format!("({})", parts.join(", "))
        }
    };
    let query = format!(
        "{operation} Matrix{} {{ {}{} {} }}",
        wrap(&defs),
        field.name,
        wrap(&call),
        selection(schema, field.ty.named(), 0, &mut Vec::new())
    );
    let (status, body) = app
        .gql(world.token(caller), &query, Value::Object(vars.clone()))
        .await;
    if caller.refused_at_sign_in() {
        // Refused before any field runs: 401, UNAUTHENTICATED, no data at all.
        let code = body["errors"][0]["extensions"]["code"].as_str();
        let refused = status == axum::http::StatusCode::UNAUTHORIZED
            && code == Some("UNAUTHENTICATED")
            && body["data"].is_null()
            && body["errors"].as_array().is_some_and(|e| e.len() == 1)
            && body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("this account is not set up here"));
        if refused {
            return ("denied", None);
        }
        return (
            "broken",
            Some(format!(
                "{key} as {caller:?}: expected 401 UNAUTHENTICATED (account not set up) and \
                 no data, got {status}: {body}"
            )),
        );
    }
    let got = outcome(&field.name, &body, &args.ids);
    let expected = allowed(key, rule, caller, target);
    let target_text = target.map_or("no records".to_owned(), |t| t.to_string());
    let mut problems = Vec::new();
    match (&got, expected) {
        (Outcome::Allowed(_), true) => {}
        (Outcome::Denied(code), false) => {
            if caller == Caller::Anonymous && code != "UNAUTHENTICATED" {
                problems.push(format!(
                    "without a token it must be UNAUTHENTICATED, got {code}"
                ));
            }
            if !(body["data"].is_null() || body["data"][&field.name].is_null()) {
                problems.push(format!("denied, yet returned data: {}", body["data"]));
            }
        }
        (got, true) => problems.push(format!(
            "expected allowed by rule {rule:?}, got {got}: {}",
            body["errors"][0]["message"]
        )),
        (got, false) => problems.push(format!(
            "expected FORBIDDEN/NOT_FOUND by rule {rule:?}, got {got}. If this caller should \
             now be allowed, change the rule in tests/api/access_matrix.rs; otherwise the code \
             lost an access check"
        )),
    }
    for leak in leaks(world, caller, &body) {
        problems.push(format!("leaks {leak}"));
    }
    let label = match got {
        Outcome::Allowed(None) => "data",
        Outcome::Allowed(Some(_)) => "business error",
        Outcome::Denied(_) => "denied",
        Outcome::Broken(_) => "broken",
    };
    if problems.is_empty() {
        return (label, None);
    }
    let failure = format!(
        "{key} as {caller:?} on {target_text}:\n    {}\n    variables: {}",
        problems.join("\n    "),
        Value::Object(vars)
    );
    (label, Some(failure))
}

/// `unlinkParent` cuts a fixture link; put it back so later calls see the same families.
async fn restore(app: &TestApp, world: &World, key: &str) {
    if key != "Mutation.unlinkParent" {
        return;
    }
    for (_, child, carer) in &world.carers {
        let _ = app
            .gql(
                Some(&world.admin),
                "mutation($c: ID!, $p: ID!) { linkParent(childId: $c, parentId: $p) { id } }",
                json!({"c": child, "p": carer}),
            )
            .await;
    }
}

#[tokio::test]
async fn every_field_allows_exactly_its_callers_and_leaks_nothing_to_the_others() {
    let app = TestApp::spawn().await;
    let world = build_world(&app).await;
    let schema = introspect(&app, &world.admin).await;
    let started = Instant::now();

    // Every field needs a rule; a rule for a field that is gone is a stale line.
    let mut fields = Vec::new();
    for (type_name, operation) in [(&schema.query, "query"), (&schema.mutation, "mutation")] {
        let kind = if operation == "query" {
            "Query"
        } else {
            "Mutation"
        };
        for field in &schema.types[type_name].fields {
            fields.push((format!("{kind}.{}", field.name), field.clone(), operation));
        }
    }
    let missing: Vec<&str> = fields
        .iter()
        .filter(|(key, _, _)| !RULES.iter().any(|(k, _)| k == key))
        .map(|(key, _, _)| key.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "these API fields have no access rule: {missing:?}. Add each to RULES in \
         tests/api/access_matrix.rs with the rule class that says who may call it against \
         whose records (and an OVERRIDE where the truth differs), so the matrix checks it"
    );
    let stale: Vec<&str> = RULES
        .iter()
        .filter(|(k, _)| !fields.iter().any(|(key, _, _)| key == k))
        .map(|(k, _)| *k)
        .collect();
    assert!(
        stale.is_empty(),
        "RULES names fields the API no longer has: {stale:?}; remove them"
    );

    let mut failures = Vec::new();
    let mut cells = 0;
    let mut tally: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for (key, field, operation) in &fields {
        let rule = RULES.iter().find(|(k, _)| k == key).expect("rule").1;
        let points_at_records = field.args.iter().any(|a| {
            a.ty.named() == "ID"
                || schema.types[a.ty.named()]
                    .input_fields
                    .iter()
                    .any(|f| f.ty.named() == "ID")
        });
        for caller in CALLERS {
            // Without a token, or with one the records refuse, the records do not matter: one
            // call shows UNAUTHENTICATED.
            let signed_out = caller == Caller::Anonymous || caller.refused_at_sign_in();
            let targets: Vec<Option<Target>> = if points_at_records && !signed_out {
                TARGETS.iter().copied().map(Some).collect()
            } else if points_at_records {
                vec![Some(Target::Own)]
            } else {
                vec![None]
            };
            for target in targets {
                cells += 1;
                let cell = Cell {
                    key,
                    field,
                    operation,
                    rule,
                    caller,
                    target,
                };
                let (label, failure) = check(&app, &schema, &world, &cell).await;
                *tally
                    .entry(key.as_str())
                    .or_default()
                    .entry(label)
                    .or_default() += 1;
                failures.extend(failure);
                restore(&app, &world, key).await;
            }
        }
    }
    for (key, counts) in &tally {
        println!("{key}: {counts:?}");
    }
    println!(
        "access matrix: {} fields, {cells} (field, caller, target) cells in {:.1?}",
        fields.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {cells} access-matrix cells failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

// ---------- node(id:) keeps every rule ----------

/// Whether `caller` reaches the record through the field that shows it without `node`.
async fn reached_directly(app: &TestApp, world: &World, caller: Caller, record: &Record) -> bool {
    let token = world.token(caller);
    let id = record.id.as_str();
    let (query, vars) = match record.entity {
        Entity::LocalAuthority => (
            "query($id: ID!) { x: localAuthority(id: $id) { id } }",
            json!({"id": id}),
        ),
        Entity::Locality => ("{ x: localAuthorities { localities { id } } }", json!({})),
        Entity::Team => ("{ x: localAuthorities { teams { id } } }", json!({})),
        Entity::Staff => ("{ x: staff { id } }", json!({})),
        Entity::Professional => ("{ x: professionals { id } }", json!({})),
        Entity::Administrator => ("{ x: administrators { id } }", json!({})),
        Entity::Child => (
            "query($id: ID!) { x: child(id: $id) { id } }",
            json!({"id": id}),
        ),
        Entity::Parent => (
            "query($id: ID!) { x: child(id: $id) { parents { parent { id } } } }",
            json!({"id": world.id(Entity::Child, record.target)}),
        ),
        Entity::Assessment => (
            "query($id: ID!) { x: assessment(id: $id) { id } }",
            json!({"id": id}),
        ),
        Entity::AdviceRequest | Entity::ReviewAdvice if caller == Caller::Professional => (
            "query($id: ID!) { x: myAdviceRequest(id: $id) { id } }",
            json!({"id": id}),
        ),
        Entity::AdviceRequest => (
            "query($id: ID!) { x: assessment(id: $id) { adviceRequests { id } } }",
            json!({"id": world.id(Entity::Assessment, record.target)}),
        ),
        Entity::ReviewAdvice => (
            "query($id: ID!) { x: annualReview(id: $id) { adviceRequests { id } } }",
            json!({"id": world.id(Entity::Review, record.target)}),
        ),
        Entity::Consultation => (
            "query($id: ID!) { x: assessment(id: $id) { settingConsultations { id } } }",
            json!({"id": world.id(Entity::Assessment, record.target)}),
        ),
        Entity::Plan => (
            "query($id: ID!) { x: plan(id: $id) { id } }",
            json!({"id": id}),
        ),
        Entity::Review => (
            "query($id: ID!) { x: annualReview(id: $id) { id } }",
            json!({"id": id}),
        ),
        Entity::Amendment => (
            "query($id: ID!) { x: planAmendment(id: $id) { id } }",
            json!({"id": id}),
        ),
        Entity::ReviewMeetingRequest => (
            "query($id: ID!) { x: plan(id: $id) { reviewMeetingRequests { id } } }",
            json!({"id": world.id(Entity::Plan, record.target)}),
        ),
        Entity::Dispute => (
            "query($id: ID!) { x: dispute(id: $id) { id } }",
            json!({"id": id}),
        ),
        Entity::Complaint => (
            "query($id: ID!) { x: complaint(id: $id) { id } }",
            json!({"id": id}),
        ),
        Entity::Remedy => (
            "query($id: ID!) { x: complaint(id: $id) { remedies { id } } }",
            json!({"id": world.id(Entity::Complaint, record.target)}),
        ),
        Entity::Message => (
            "query($id: ID!) { x: message(id: $id) { id } }",
            json!({"id": id}),
        ),
        Entity::WebhookSubscription => ("{ x: webhookSubscriptions { id } }", json!({})),
    };
    let (_, body) = app.gql(token, query, vars).await;
    // Found when the record's id appears anywhere in the answer.
    body["data"]["x"].to_string().contains(&format!("\"{id}\""))
}

#[tokio::test]
async fn node_finds_a_record_exactly_when_its_own_field_would() {
    let app = TestApp::spawn().await;
    let world = build_world(&app).await;
    let q = "query($id: ID!) { node(id: $id) { __typename id } }";
    let mut failures = Vec::new();
    let mut checked = 0;
    let callers = signed_in_callers();
    for caller in callers {
        let token = world.token(caller);
        for record in &world.records {
            let direct = reached_directly(&app, &world, caller, record).await;
            let (_, body) = app.gql(token, q, json!({"id": record.id})).await;
            if body.get("errors").is_some() {
                failures.push(format!(
                    "{caller:?} node({:?} of {}): {body}",
                    record.entity, record.target
                ));
                continue;
            }
            let node = &body["data"]["node"];
            let found = !node.is_null();
            checked += 1;
            if found != direct {
                failures.push(format!(
                    "{caller:?}, {:?} of {}: node {} it, its own field {}",
                    record.entity,
                    record.target,
                    if found { "shows" } else { "hides" },
                    if direct { "shows it" } else { "does not" },
                ));
            }
            if found && node["id"] != json!(record.id) {
                failures.push(format!("{caller:?}: node({}) answered {node}", record.id));
            }
            if found
                && type_entity(node["__typename"].as_str().unwrap_or_default()).map(|e| {
                    e == record.entity
                        || (e == Entity::AdviceRequest && record.entity == Entity::ReviewAdvice)
                }) != Some(true)
            {
                failures.push(format!(
                    "{caller:?}: node({}) is a {}, not a {:?}",
                    record.id, node["__typename"], record.entity
                ));
            }
        }
    }
    assert!(checked > 100, "only {checked} cells checked");
    assert!(
        failures.is_empty(),
        "{} of {checked}:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // nodes keeps the order and gives null where node would; ids of no record are null too.
    let own = world.id(Entity::Child, Target::Own);
    let other = world.id(Entity::Child, Target::OtherLa);
    let ghost = crate::common::global_id(ehcp::api::graphql::Kind::Child, 999_999);
    let data = app
        .ok(
            world.token(Caller::Parent).expect("token"),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Child { displayName } } }",
            json!({"ids": [own, other, ghost]}),
        )
        .await;
    assert_eq!(data["nodes"][0]["id"], json!(own));
    assert_eq!(data["nodes"][1], Value::Null);
    assert_eq!(data["nodes"][2], Value::Null);

    // The same id twice is refused; many ids cost like a page of that many, so aliases of
    // `nodes` cannot multiply lookups past the cost limit.
    let (_, body) = app
        .gql(
            Some(&world.admin),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({"ids": [own, own]}),
        )
        .await;
    assert_eq!(crate::common::error_code(&body), "VALIDATION", "{body}");
    let hundred: Vec<String> = (1..=100)
        .map(|n| crate::common::global_id(ehcp::api::graphql::Kind::Child, 900_000 + n))
        .collect();
    let one = app
        .gql(
            Some(&world.admin),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({"ids": hundred}),
        )
        .await
        .1;
    assert!(one.get("errors").is_none(), "{one}");
    let aliases: String = (0..60)
        .map(|i| format!("a{i}: nodes(ids: $ids) {{ id }} "))
        .collect();
    let (_, body) = app
        .gql(
            Some(&world.admin),
            &format!("query($ids: [ID!]!) {{ {aliases} }}"),
            json!({"ids": hundred}),
        )
        .await;
    assert_eq!(crate::common::error_code(&body), "BAD_REQUEST", "{body}");
    assert!(
        body["errors"][0]["extensions"]["cost"].as_u64() > Some(10_000),
        "{body}"
    );

    // Not an id of this API, or a bare row number: VALIDATION naming the argument.
    for bad in ["1", "not-an-id"] {
        let (_, body) = app.gql(Some(&world.admin), q, json!({"id": bad})).await;
        assert_eq!(crate::common::error_code(&body), "VALIDATION", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "id", "{body}");
    }
    // An id of one type where another is wanted is refused, not used as a row number.
    let plan = world.id(Entity::Plan, Target::Own);
    let (_, body) = app
        .gql(
            Some(&world.admin),
            "query($id: ID!) { child(id: $id) { id } }",
            json!({"id": plan}),
        )
        .await;
    assert_eq!(crate::common::error_code(&body), "VALIDATION", "{body}");

    // The audit trail's events are nodes for the callers who read the trail.
    let manager = world.token(Caller::Manager).expect("token");
    let data = app
        .ok(
            manager,
            "{ auditEvents(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    let event = data["auditEvents"]["nodes"][0]["id"].clone();
    let seen = app.ok(manager, q, json!({"id": event})).await;
    assert_eq!(seen["node"]["__typename"], "AuditEvent");
    // Every caller: the event is a node exactly when their own trail lists it.
    let callers = signed_in_callers();
    for caller in callers {
        let token = world.token(caller);
        let (_, listed) = app
            .gql(
                token,
                "{ auditEvents(first: 100) { nodes { id } } }",
                json!({}),
            )
            .await;
        let direct = listed["data"]["auditEvents"]["nodes"]
            .to_string()
            .contains(&event.to_string());
        let (_, body) = app.gql(token, q, json!({"id": event})).await;
        assert_eq!(
            !body["data"]["node"].is_null(),
            direct,
            "{caller:?}: {body}"
        );
    }
}

#[tokio::test]
async fn a_listings_total_count_is_what_its_caller_can_page_through() {
    let app = TestApp::spawn().await;
    let world = build_world(&app).await;
    let listings = [
        ("children", ""),
        ("children", "search: \"a\""),
        ("plans", ""),
        ("assessments", ""),
        ("assessments", "open: true"),
        ("auditEvents", ""),
    ];
    let callers = signed_in_callers();
    let mut failures = Vec::new();
    let mut counted = 0;
    for caller in callers {
        let token = world.token(caller);
        for (field, filter) in listings {
            let sep = if filter.is_empty() { "" } else { ", " };
            let count_q =
                format!("{{ {field}(first: 0{sep}{filter}) {{ totalCount edges {{ cursor }} }} }}");
            let (_, counted_body) = app.gql(token, &count_q, json!({})).await;
            // Page through two at a time, as a client would.
            let mut seen = 0;
            let mut after: Option<String> = None;
            let mut refused = None;
            loop {
                let cursor = after
                    .as_ref()
                    .map_or(String::new(), |c| format!(", after: \"{c}\""));
                let q = format!(
                    "{{ {field}(first: 2{sep}{filter}{cursor}) {{ edges {{ cursor }} pageInfo {{ hasNextPage endCursor }} }} }}"
                );
                let (_, body) = app.gql(token, &q, json!({})).await;
                if body.get("errors").is_some() {
                    refused = Some(crate::common::error_code(&body).to_owned());
                    break;
                }
                let page = &body["data"][field];
                seen += page["edges"].as_array().map_or(0, Vec::len);
                if page["pageInfo"]["hasNextPage"] != json!(true) {
                    break;
                }
                after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
            }
            match refused {
                Some(code) => {
                    // Refused to list is refused to count, with the same code.
                    if crate::common::error_code(&counted_body) != code {
                        failures.push(format!("{caller:?} {field}({filter}): listing refused {code}, count answered {counted_body}"));
                    }
                }
                None => {
                    let total = &counted_body["data"][field]["totalCount"];
                    if *total != json!(seen) {
                        failures.push(format!(
                            "{caller:?} {field}({filter}): pages hold {seen}, totalCount is {total}"
                        ));
                    }
                    if counted_body["data"][field]["edges"] != json!([]) {
                        failures.push(format!("{caller:?} {field}: first: 0 gave edges"));
                    }
                    counted += seen;
                }
            }
        }
    }
    assert!(counted > 50, "only {counted} rows counted");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------- subscriptions keep the same rules ----------

/// Every field of `Subscription`, and whose records its events are: a caller must receive an
/// event about a target's record exactly when they may see that owner's records.
/// Whose records a subscription's events are about, by target.
type OwnerOf = fn(Target) -> Owner;

const SUBSCRIPTIONS: &[(&str, &str, OwnerOf)] = &[
    (
        "caseChanged",
        "subscription { e: caseChanged { childId } }",
        Owner::Case,
    ),
    (
        "deadlineAlerts",
        "subscription { e: deadlineAlerts { childId } }",
        Owner::Case,
    ),
    (
        "messageDelivered",
        "subscription { e: messageDelivered { childId id } }",
        Owner::ParentMessage,
    ),
];

#[tokio::test]
async fn every_subscription_pushes_exactly_what_its_callers_may_see() {
    use ehcp::domain::access::{Actor, Scope};
    use ehcp::domain::audit::AuditAction;
    use sea_orm::{ActiveValue::Set, TransactionTrait};
    let app = TestApp::spawn().await;
    let world = build_world(&app).await;
    let listed = app
        .ok(
            &world.admin,
            "{ __schema { subscriptionType { fields { name } } } }",
            json!({}),
        )
        .await;
    let names: BTreeSet<&str> = listed["__schema"]["subscriptionType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    let ruled: BTreeSet<&str> = SUBSCRIPTIONS.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(
        names, ruled,
        "every Subscription field needs a row in SUBSCRIPTIONS (and no row may outlive its field)"
    );
    let addr = crate::common::serve(&app).await;
    let mut failures = Vec::new();
    let mut cells = 0;
    for (field, query, owner) in SUBSCRIPTIONS {
        // Everyone subscribes first; then one event per target is committed.
        let mut sockets = Vec::new();
        for caller in CALLERS {
            let socket = crate::common::subscribe(addr, world.token(caller), query).await;
            let signs_in = caller != Caller::Anonymous && !caller.refused_at_sign_in();
            if socket.is_ok() != signs_in {
                failures.push(format!(
                    "{field}: {caller:?} {} the connection",
                    if signs_in { "was refused" } else { "got" }
                ));
            }
            if let Ok(s) = socket {
                sockets.push((caller, s));
            }
        }
        crate::common::let_subscriptions_start().await;
        for target in TARGETS {
            let child = crate::common::row_id(&json!(world.id(Entity::Child, target)));
            let row = child::Entity::find_by_id(child)
                .one(&app.db)
                .await
                .unwrap()
                .unwrap();
            match *field {
                "caseChanged" => {
                    let actor = Actor {
                        subject: "matrix".into(),
                        role: Role::Admin,
                        la_id: None,
                        staff_id: None,
                        scope: Scope::Everything,
                    };
                    let txn = app.db.begin().await.unwrap();
                    ehcp::store::audit::record(
                        &txn,
                        &actor,
                        Utc::now(),
                        ehcp::store::audit::AuditEntry {
                            la_id: Some(row.la_id),
                            child_id: Some(child),
                            entity: "child",
                            entity_id: child,
                            action: AuditAction::Update,
                            summary: json!({}),
                        },
                    )
                    .await
                    .unwrap();
                    txn.commit().await.unwrap();
                }
                "deadlineAlerts" => {
                    ehcp::store::entity::deadline_alert::ActiveModel {
                        la_id: Set(row.la_id),
                        child_id: Set(child),
                        caseworker_id: Set(None),
                        process: Set("ASSESSMENT".into()),
                        source_id: Set(child),
                        kind: Set("FINAL_PLAN".into()),
                        advice_request_id: Set(0),
                        due_on: Set(crate::common::today()),
                        alert: Set("DUE_SOON".into()),
                        raised_on: Set(crate::common::today()),
                        ..Default::default()
                    }
                    .insert(&app.db)
                    .await
                    .unwrap();
                }
                _ => {
                    let id = crate::common::row_id(&json!(world.id(Entity::Message, target)));
                    ehcp::store::entity::delivery_attempt::ActiveModel {
                        message_id: Set(id),
                        attempt: Set(1),
                        worker: Set("matrix".into()),
                        started_at: Set(Utc::now()),
                        finished_at: Set(Utc::now()),
                        outcome: Set("SENT".into()),
                        ..Default::default()
                    }
                    .insert(&app.db)
                    .await
                    .unwrap();
                }
            }
        }
        for (caller, socket) in &mut sockets {
            let got = crate::common::events(socket, std::time::Duration::from_millis(1500)).await;
            let seen: BTreeSet<String> = got
                .iter()
                .filter_map(|e| e["data"]["e"]["childId"].as_str().map(str::to_owned))
                .collect();
            if got.iter().any(|e| e.get("errors").is_some()) {
                failures.push(format!("{field}: {caller:?} got errors: {got:?}"));
            }
            for target in TARGETS {
                cells += 1;
                let child = world.id(Entity::Child, target);
                let expected = may_see(*caller, owner(target));
                if seen.contains(&child) != expected {
                    failures.push(format!(
                        "{field}: {caller:?} {} the event about {target}",
                        if expected { "missed" } else { "was sent" }
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} subscription cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
