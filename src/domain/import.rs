//! Bringing a council's caseload in: the import template's sheets and columns, how a cell is
//! read, and every check a file must pass before anything changes. Pure: the service reads
//! the files and the database, and replays each case through the same use cases a caseworker
//! uses, in the order [`assessment_steps`] gives.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::access::Role;
use super::advice::AdviceService;
use super::assessment::{
    AssessmentAction, AssessmentKind, AssessmentState, RequestedBy, transition,
};
use super::input::FamilyResponse;
use super::people::{
    InvalidField, parse_date_of_birth, parse_name, parse_nc_year, parse_optional_name,
    parse_relationship, parse_subject,
};
use super::placement::{PersonalBudget, PlacementInput, PlacementLists, check_placements};
use super::plan::SenNeed;
use super::review::{ReviewAction, ReviewKind};
use super::sen2::{CodeList, PersonDetails, PersonLists};
use super::timescales::ExceptionReason;

/// One sheet of the template: a CSV file named `<name>.csv`, or a sheet of that name in an
/// XLSX workbook. Listed in the order they are applied (a row may refer to earlier sheets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Sheet {
    Localities,
    Teams,
    Staff,
    Professionals,
    Children,
    Parents,
    ParentLinks,
    Plans,
    Amendments,
    Reviews,
    Assessments,
    AdviceRequests,
    Exceptions,
}

/// A column of a sheet: its header, whether a row must fill it, and what it holds.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    pub describes: &'static str,
}

const fn col(name: &'static str, required: bool, describes: &'static str) -> Column {
    Column {
        name,
        required,
        describes,
    }
}

/// A sheet's columns, as a constant (a `const fn` call is not promoted to `'static`).
macro_rules! columns {
    ($($c:expr),* $(,)?) => {{
        const COLUMNS: &[Column] = &[$($c),*];
        COLUMNS
    }};
}

/// The summary recorded for advice a row says was received without a note (the advice log
/// needs one); an export writes it back as an empty note.
pub const ADVICE_RECEIVED_WITHOUT_NOTE: &str = "Advice received (imported)";

/// How dates may be written in any date column.
pub const DATE_FORMS: &str = "a date: 2025-01-31 (ISO 8601) or 31/01/2025";

impl Sheet {
    pub const ALL: [Sheet; 13] = [
        Sheet::Localities,
        Sheet::Teams,
        Sheet::Staff,
        Sheet::Professionals,
        Sheet::Children,
        Sheet::Parents,
        Sheet::ParentLinks,
        Sheet::Plans,
        Sheet::Amendments,
        Sheet::Reviews,
        Sheet::Assessments,
        Sheet::AdviceRequests,
        Sheet::Exceptions,
    ];

    /// The file's stem and the workbook sheet's name.
    pub fn name(self) -> &'static str {
        match self {
            Sheet::Localities => "localities",
            Sheet::Teams => "teams",
            Sheet::Staff => "staff",
            Sheet::Professionals => "professionals",
            Sheet::Children => "children",
            Sheet::Parents => "parents",
            Sheet::ParentLinks => "parent_links",
            Sheet::Plans => "plans",
            Sheet::Amendments => "amendments",
            Sheet::Reviews => "reviews",
            Sheet::Assessments => "assessments",
            Sheet::AdviceRequests => "advice_requests",
            Sheet::Exceptions => "exceptions",
        }
    }

    pub fn parse(name: &str) -> Option<Sheet> {
        let name = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Sheet::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The kind of record its rows become, as kept with the council's own ids.
    pub fn kind(self) -> &'static str {
        match self {
            Sheet::Localities => "locality",
            Sheet::Teams => "team",
            Sheet::Staff => "staff",
            Sheet::Professionals => "professional",
            Sheet::Children => "child",
            Sheet::Parents => "parent",
            Sheet::ParentLinks => "child_parent",
            Sheet::Plans => "ehc_plan",
            Sheet::Amendments => "plan_amendment",
            Sheet::Reviews => "annual_review",
            Sheet::Assessments => "assessment",
            Sheet::AdviceRequests => "advice_request",
            Sheet::Exceptions => "assessment_exception",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Sheet::Localities => columns![col(
                "name",
                true,
                "the locality's name, as children and plans name it",
            )],
            Sheet::Teams => columns![col("name", true, "the team's name, as staff rows name it")],
            Sheet::Staff => columns![
                col(
                    "staff_id",
                    true,
                    "your system's id for this member of staff"
                ),
                col(
                    "subject",
                    true,
                    "their sign-in subject at your identity provider (the token's sub)",
                ),
                col("name", true, "their name"),
                col("email", false, "their work email"),
                col("role", true, "CASEWORKER or MANAGER"),
                col("team", false, "their team's name (from teams)"),
            ],
            Sheet::Professionals => columns![
                col(
                    "professional_id",
                    true,
                    "your system's id for this professional"
                ),
                col("subject", false, "their sign-in subject, if they sign in"),
                col("name", true, "their name"),
                col(
                    "service",
                    true,
                    "EDUCATIONAL_PSYCHOLOGY, PAEDIATRICS, CAMHS, SPEECH_AND_LANGUAGE_THERAPY, \
                     OCCUPATIONAL_THERAPY, PHYSIOTHERAPY, DESIGNATED_CLINICAL_OFFICER, \
                     SOCIAL_CARE, SCHOOL_OR_SETTING, PARENT_VIEW, CHILD_VIEW, \
                     PREPARATION_FOR_ADULTHOOD or OTHER",
                ),
                col(
                    "organisation",
                    true,
                    "the service or organisation they work for"
                ),
                col("email", false, "their work email"),
            ],
            Sheet::Children => columns![
                col(
                    "child_id",
                    true,
                    "your system's id for the child or young person"
                ),
                col("legal_name", true, "their legal name"),
                col("preferred_name", false, "the name they go by"),
                col("date_of_birth", true, DATE_FORMS),
                col("locality", true, "their locality's name (from localities)"),
                col(
                    "current_setting",
                    false,
                    "the school, college or setting they attend"
                ),
                col(
                    "nc_year_override",
                    false,
                    "their national curriculum year if not their age's: -3 to 15",
                ),
                col(
                    "subject",
                    false,
                    "a young person's own sign-in subject for the portal",
                ),
                col(
                    "upn",
                    false,
                    "their Unique Pupil Number: 13 characters, check letter first"
                ),
                col("uln", false, "their Unique Learner Number: 10 digits"),
                col(
                    "upn_unknown",
                    false,
                    "why neither is known: a SEN2 UPN_UNKNOWN code (UN1...), only without both"
                ),
                col("sex", false, "a SEN2 SEX code: M or F"),
                col(
                    "ethnicity",
                    false,
                    "a SEN2 ETHNICITY code (the DfE's: WBRI, REFU, NOBT...)"
                ),
                col(
                    "home_postcode",
                    false,
                    "their home postcode, such as CA1 1RD"
                ),
            ],
            Sheet::Parents => columns![
                col(
                    "parent_id",
                    true,
                    "your system's id for the parent or carer"
                ),
                col("name", true, "their name"),
                col("email", false, "their email, for notices"),
                col("phone", false, "their phone number"),
                col("subject", false, "their sign-in subject for the portal"),
            ],
            Sheet::ParentLinks => columns![
                col("parent_id", true, "the parent's id (from parents)"),
                col("child_id", true, "the child's id (from children)"),
                col(
                    "relationship",
                    false,
                    "e.g. mother, father, carer (default: parent)"
                ),
            ],
            Sheet::Plans => columns![
                col("plan_id", true, "your system's id for the EHC plan"),
                col("child_id", true, "the child's id (from children)"),
                col(
                    "issued_on",
                    true,
                    "the day the final plan was issued: a date"
                ),
                col(
                    "named_setting",
                    false,
                    "the school or college the plan names"
                ),
                col(
                    "last_review_decision_on",
                    false,
                    "the day of the last annual review decision, if any: a date",
                ),
                col(
                    "primary_need",
                    false,
                    "the SEN2 primary need: SPLD, MLD, SLD, PMLD, SEMH, SLCN, HI, VI, MSI, \
                     PD, ASD, DS or OTH",
                ),
                col(
                    "secondary_needs",
                    false,
                    "further needs, the same codes separated by ;",
                ),
                col(
                    "transferred_in_on",
                    false,
                    "for a plan received from another council: the day it moved: a date",
                ),
                col(
                    "transferred_from",
                    false,
                    "for a plan received from another council: which council",
                ),
                col(
                    "setting_urn",
                    false,
                    "where the child or young person is placed now (SEN2 5.7): the school's \
                     or college's URN, 6 digits; give one of setting_urn, setting_ukprn and \
                     sen_setting",
                ),
                col(
                    "setting_ukprn",
                    false,
                    "or the post-16 provider's UKPRN, 8 digits starting with 1",
                ),
                col(
                    "sen_setting",
                    false,
                    "or, with no setting named, the SEN2 setting type: OLA, OPA, EHE, EYP, \
                     OTH, NEET, NIEC or NIEO",
                ),
                col(
                    "sen_setting_other",
                    false,
                    "the arrangement in words, with sen_setting (e.g. permanently excluded)",
                ),
                col(
                    "placed_from",
                    false,
                    "the first day there: a date (default: issued_on)",
                ),
                col("sen_unit", false, "YES if in the setting's SEN unit"),
                col(
                    "resourced_provision",
                    false,
                    "YES if in the setting's resourced provision",
                ),
                col(
                    "residential",
                    false,
                    "residential: A (38 to 51 weeks) or B (52 weeks)",
                ),
                col(
                    "work_based_learning",
                    false,
                    "A apprenticeship, T traineeship or S supported internship",
                ),
                col(
                    "personal_budget",
                    false,
                    "YES or NO: a personal budget was taken up (SEN2 4.4); empty if not known",
                ),
                col(
                    "organised_arrangements",
                    false,
                    "YES if part of the budget is held as organised arrangements",
                ),
                col(
                    "direct_payments",
                    false,
                    "what direct payments are for: E education, S social care, H health, \
                     I integrated",
                ),
            ],
            Sheet::Amendments => columns![
                col(
                    "amendment_id",
                    true,
                    "your system's id for an amendment in progress (its amended plan not yet \
                     issued, nor a decision not to amend)",
                ),
                col("plan_id", true, "the plan's id (from plans)"),
                col(
                    "review_meeting_on",
                    false,
                    "for an amendment the plan's last review decided on (that decision is the \
                     plan's last_review_decision_on): the day of the review meeting: a date; \
                     empty for changes proposed outside a review",
                ),
                col(
                    "review_kind",
                    false,
                    "that review's kind: ANNUAL (default), INTERIM or EMERGENCY",
                ),
                col(
                    "notice_sent_on",
                    false,
                    "the day the notice of the proposed changes went to the family: a date \
                     (required for changes proposed outside a review)",
                ),
                col(
                    "proposed_changes",
                    false,
                    "what the notice proposes (required with notice_sent_on)",
                ),
                col(
                    "family_responded_on",
                    false,
                    "the day the family's response to the notice came: a date",
                ),
                col("family_comments", false, "what the family said"),
                col(
                    "family_meeting_requested",
                    false,
                    "YES if the family asked for a meeting (default: no)",
                ),
                col(
                    "family_requested_setting",
                    false,
                    "the school or college the family asked to be named",
                ),
            ],
            Sheet::Reviews => columns![
                col(
                    "review_id",
                    true,
                    "your system's id for a review in progress (a decided review is the \
                     plan's last_review_decision_on)",
                ),
                col("plan_id", true, "the plan's id (from plans)"),
                col("kind", false, "ANNUAL (default), INTERIM or EMERGENCY"),
                col(
                    "scheduled_on",
                    true,
                    "the day the review was arranged: a date"
                ),
                col(
                    "meeting_on",
                    true,
                    "the day of the review meeting, held or planned (may be ahead): a date",
                ),
                col(
                    "meeting_held",
                    false,
                    "YES once the meeting has taken place (default: not yet)",
                ),
                col(
                    "invitations_sent_on",
                    false,
                    "the day the invitations went out: a date",
                ),
                col(
                    "advice_circulated_on",
                    false,
                    "the day the advice was circulated before the meeting: a date",
                ),
                col(
                    "report_received_on",
                    false,
                    "the day the meeting's report reached the council: a date",
                ),
            ],
            Sheet::Assessments => columns![
                col(
                    "assessment_id",
                    true,
                    "your system's id for the needs assessment"
                ),
                col("child_id", true, "the child's id (from children)"),
                col(
                    "kind",
                    false,
                    "INITIAL (default) or REASSESSMENT (of a child with a plan)",
                ),
                col(
                    "requested_by",
                    true,
                    "PARENT, YOUNG_PERSON, SCHOOL_OR_SETTING, HEALTH_PROFESSIONAL, \
                     SOCIAL_CARE_PROFESSIONAL or OTHER",
                ),
                col(
                    "received_on",
                    true,
                    "the day the request arrived (a re-assessment: the decision to \
                     re-assess): a date",
                ),
                col(
                    "caseworker",
                    false,
                    "the caseworker's staff_id (from staff)"
                ),
                col(
                    "decided_to_assess_on",
                    false,
                    "the decision to assess: a date"
                ),
                col(
                    "decided_not_to_assess_on",
                    false,
                    "the decision not to assess: a date",
                ),
                col(
                    "decision_reasons",
                    false,
                    "the reasons for the decision (needed for a refusal)",
                ),
                col(
                    "draft_sent_on",
                    false,
                    "the day the draft plan was sent: a date"
                ),
                col(
                    "relevant_youth_accommodation",
                    false,
                    "YES if the request was made while the child or young person was detained \
                     in relevant youth accommodation (SEN2 RYA)",
                ),
            ],
            Sheet::AdviceRequests => columns![
                col("advice_id", true, "your system's id for the advice request"),
                col(
                    "assessment_id",
                    true,
                    "the assessment's id (from assessments)"
                ),
                col("service", true, "the service asked, as in professionals"),
                col(
                    "professional_id",
                    false,
                    "the professional asked (from professionals)",
                ),
                col("requested_on", true, "the day advice was requested: a date"),
                col("received_on", false, "the day the advice arrived: a date"),
                col(
                    "declined_on",
                    false,
                    "the day the service declined to give advice: a date",
                ),
                col(
                    "note",
                    false,
                    "a summary of the advice, or why it was declined",
                ),
            ],
            Sheet::Exceptions => columns![
                col(
                    "exception_id",
                    true,
                    "your system's id for the exception to a time limit",
                ),
                col(
                    "assessment_id",
                    true,
                    "the assessment's id (from assessments)"
                ),
                col(
                    "reason",
                    true,
                    "SCHOOL_CLOSED, EARLY_YEARS_SETTING_CLOSED, \
                     EXCEPTIONAL_PERSONAL_CIRCUMSTANCES, ABSENT_FROM_AREA, MISSED_APPOINTMENT \
                     or a reason your administrators added",
                ),
                col("starts_on", true, "the first day of the period: a date"),
                col(
                    "ends_on",
                    true,
                    "the last day of the period (may be ahead): a date",
                ),
                col(
                    "advice_id",
                    false,
                    "the advice request it concerns (from advice_requests): needed for a \
                     closure or a missed appointment",
                ),
                col("note", false, "what happened"),
            ],
        }
    }

    /// The column holding the council's own id for the row, when rows have one.
    pub fn key(self) -> Option<&'static str> {
        match self {
            Sheet::Localities | Sheet::Teams => Some("name"),
            Sheet::ParentLinks => None,
            other => Some(other.columns()[0].name),
        }
    }

    /// The template: the header row, then a comment row (its first cell begins with `#`)
    /// saying what each column holds; the reader skips comment rows.
    pub fn template(self) -> Vec<Vec<String>> {
        let columns = self.columns();
        let header = columns.iter().map(|c| c.name.to_owned()).collect();
        let about = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let need = if c.required { "required" } else { "optional" };
                let text = format!("{need}: {}", c.describes);
                if i == 0 { format!("# {text}") } else { text }
            })
            .collect();
        vec![header, about]
    }
}

/// Whether a row is a comment (the template's description row, or a council's own note).
pub fn is_comment(cells: &[String]) -> bool {
    cells
        .first()
        .is_some_and(|c| c.trim_start().starts_with('#'))
}

/// One problem with one cell (or one row, when `column` is empty).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    pub sheet: &'static str,
    /// The row's line in its file (the header is line 1).
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// A sheet as read: its header and its rows, each with its line in the file.
#[derive(Debug, Clone)]
pub struct Table {
    pub sheet: Sheet,
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// A row's cells by column name.
pub struct Cells<'a> {
    sheet: Sheet,
    line: usize,
    by_name: HashMap<&'a str, &'a str>,
    problems: Vec<Problem>,
}

impl<'a> Cells<'a> {
    fn problem(&mut self, column: &str, value: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            sheet: self.sheet.name(),
            row: self.line,
            column: column.to_owned(),
            value: value.to_owned(),
            message: message.into(),
        });
    }

    fn raw(&self, column: &str) -> &'a str {
        self.by_name.get(column).map_or("", |v| v.trim())
    }

    fn text(&mut self, column: &'static str) -> String {
        let raw = self.raw(column);
        match parse_name(column, raw) {
            Ok(v) => v,
            Err(e) => {
                self.problem(column, raw, e.message);
                String::new()
            }
        }
    }

    fn optional_text(&mut self, column: &'static str) -> Option<String> {
        let raw = self.raw(column);
        match parse_optional_name(column, Some(raw)) {
            Ok(v) => v,
            Err(e) => {
                self.problem(column, raw, e.message);
                None
            }
        }
    }

    /// Free text as the API takes it (up to 10,000 characters, lines kept), for what a
    /// caseworker writes: reasons, notes, proposed changes, a family's comments.
    fn long_text(&mut self, column: &'static str) -> Option<String> {
        let raw = self.raw(column);
        match crate::domain::input::optional_text(column, Some(raw)) {
            Ok(v) => v,
            Err(e) => {
                self.problem(column, raw, e.message);
                None
            }
        }
    }

    fn subject(&mut self, column: &'static str, required: bool) -> Option<String> {
        let raw = self.raw(column);
        if raw.is_empty() {
            if required {
                self.problem(column, raw, "must not be empty");
            }
            return None;
        }
        self.field(column, raw, parse_subject(column, raw))
    }

    fn field<T>(&mut self, column: &str, raw: &str, r: Result<T, InvalidField>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(column, raw, e.message);
                None
            }
        }
    }

    fn date(&mut self, column: &'static str, today: NaiveDate) -> Option<NaiveDate> {
        let raw = self.raw(column);
        if raw.is_empty() {
            return None;
        }
        match parse_date(raw) {
            Some(d) if d > today => {
                self.problem(column, raw, "must not be in the future");
                None
            }
            Some(d) => Some(d),
            None => {
                self.problem(column, raw, format!("is not {DATE_FORMS}"));
                None
            }
        }
    }

    /// A required date that may be ahead (a meeting planned).
    /// YES or NO (Y, N, TRUE, FALSE; empty is no).
    fn yes_no(&mut self, column: &'static str) -> bool {
        let raw = self.raw(column);
        match raw.to_ascii_uppercase().as_str() {
            "" | "NO" | "N" | "FALSE" => false,
            "YES" | "Y" | "TRUE" => true,
            _ => {
                self.problem(column, raw, "must be YES or NO (or empty)");
                false
            }
        }
    }

    fn planned_date(&mut self, column: &'static str) -> Option<NaiveDate> {
        let raw = self.raw(column);
        if raw.is_empty() {
            self.problem(column, "", "must not be empty");
            return None;
        }
        let date = parse_date(raw);
        if date.is_none() {
            self.problem(column, raw, format!("is not {DATE_FORMS}"));
        }
        date
    }

    fn required_date(&mut self, column: &'static str, today: NaiveDate) -> Option<NaiveDate> {
        if self.raw(column).is_empty() {
            self.problem(column, "", "must not be empty");
            return None;
        }
        self.date(column, today)
    }

    fn code<T>(
        &mut self,
        column: &'static str,
        required: bool,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        let raw = self.raw(column);
        if raw.is_empty() {
            if required {
                self.problem(column, raw, "must not be empty");
            }
            return None;
        }
        let found = parse(&raw.to_ascii_uppercase());
        if found.is_none() {
            self.problem(column, raw, format!("must be {expected}"));
        }
        found
    }
}

/// A date as councils write it: ISO 8601 (`2025-01-31`) or `31/01/2025` (`d/m/yyyy`).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10)
        .or_else(|| {
            let parts: Vec<&str> = raw.split('/').collect();
            match parts.as_slice() {
                [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => {
                    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
                }
                _ => None,
            }
        })
}

// ---------- the rows ----------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub staff_id: String,
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfessionalRow {
    pub professional_id: String,
    pub subject: Option<String>,
    pub name: String,
    pub service: AdviceService,
    pub organisation: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRow {
    pub child_id: String,
    pub legal_name: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: NaiveDate,
    pub locality: String,
    pub current_setting: Option<String>,
    pub nc_year_override: Option<i16>,
    pub subject: Option<String>,
    /// What the SEN2 return records of them, checked against the code lists.
    pub details: PersonDetails,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentRow {
    pub parent_id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub subject: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    pub parent_id: String,
    pub child_id: String,
    pub relationship: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub plan_id: String,
    pub child_id: String,
    pub issued_on: NaiveDate,
    pub named_setting: Option<String>,
    pub last_review_decision_on: Option<NaiveDate>,
    pub primary_need: Option<SenNeed>,
    pub secondary_needs: Vec<SenNeed>,
    pub transferred_in_on: Option<NaiveDate>,
    pub transferred_from: Option<String>,
    /// Where the child or young person is placed now, checked.
    pub placement: Option<PlacementInput>,
    pub personal_budget: Option<PersonalBudget>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentRow {
    pub amendment_id: String,
    pub plan_id: String,
    /// The meeting of the review that decided to amend (the plan's last decision); `None`
    /// for changes proposed outside a review, which start with their notice.
    pub review_meeting_on: Option<NaiveDate>,
    pub review_kind: ReviewKind,
    pub notice_sent_on: Option<NaiveDate>,
    pub proposed_changes: Option<String>,
    pub family_responded_on: Option<NaiveDate>,
    pub family: FamilyResponse,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    pub review_id: String,
    pub plan_id: String,
    pub kind: ReviewKind,
    pub scheduled_on: NaiveDate,
    pub meeting_on: NaiveDate,
    pub meeting_held: bool,
    pub invitations_sent_on: Option<NaiveDate>,
    pub advice_circulated_on: Option<NaiveDate>,
    pub report_received_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRow {
    pub assessment_id: String,
    pub child_id: String,
    pub kind: AssessmentKind,
    pub requested_by: RequestedBy,
    pub received_on: NaiveDate,
    pub caseworker: Option<String>,
    pub decided_to_assess_on: Option<NaiveDate>,
    pub decided_not_to_assess_on: Option<NaiveDate>,
    pub decision_reasons: Option<String>,
    pub draft_sent_on: Option<NaiveDate>,
    pub relevant_youth_accommodation: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdviceRow {
    pub advice_id: String,
    pub assessment_id: String,
    pub service: AdviceService,
    pub professional_id: Option<String>,
    pub requested_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub declined_on: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionRow {
    pub exception_id: String,
    pub assessment_id: String,
    pub reason: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub advice_id: Option<String>,
    pub note: Option<String>,
}

/// A row with its line and the hash of its cells (what the import keeps to see, next time,
/// whether the row changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<T> {
    pub line: usize,
    pub digest: String,
    pub row: T,
    /// Whether the row's own cells passed (a row with problems is still cross-checked, so
    /// one pass finds everything, but its unreadable cells are not compared).
    pub valid: bool,
}

/// Everything a set of files holds, checked.
#[derive(Debug, Default, Clone)]
pub struct Caseload {
    pub localities: Vec<Line<String>>,
    pub teams: Vec<Line<String>>,
    pub staff: Vec<Line<StaffRow>>,
    pub professionals: Vec<Line<ProfessionalRow>>,
    pub children: Vec<Line<ChildRow>>,
    pub parents: Vec<Line<ParentRow>>,
    pub links: Vec<Line<LinkRow>>,
    pub plans: Vec<Line<PlanRow>>,
    pub amendments: Vec<Line<AmendmentRow>>,
    pub reviews: Vec<Line<ReviewRow>>,
    pub assessments: Vec<Line<AssessmentRow>>,
    pub advice: Vec<Line<AdviceRow>>,
    pub exceptions: Vec<Line<ExceptionRow>>,
}

/// What is already in the database that rows may refer to: names and the council's ids
/// kept from earlier imports.
#[derive(Debug, Default, Clone)]
pub struct Known {
    pub localities: BTreeSet<String>,
    pub teams: BTreeSet<String>,
    /// Sheet → the council's ids already imported.
    pub ids: BTreeMap<Sheet, BTreeSet<String>>,
    /// Children (by the council's id) with an active plan not from this file.
    pub children_with_active_plan: BTreeSet<String>,
    /// The exception reasons in use (the table administrators keep).
    pub exception_reasons: Vec<ExceptionReason>,
    /// Imported plans (by the council's id) still active: the day each was issued and its
    /// last review decision, which an amendment in progress is checked against.
    pub plan_dates: BTreeMap<String, (NaiveDate, Option<NaiveDate>)>,
    /// The SEN2 code lists a child's row is checked against: SEX, ETHNICITY, UPN_UNKNOWN.
    pub person_lists: [CodeList; 3],
    /// The lists a plan's placement and budget are checked against: SEN_SETTING,
    /// RESIDENTIAL, WORK_BASED_LEARNING, DIRECT_PAYMENT.
    pub placement_lists: [CodeList; 4],
}

impl Known {
    fn has(&self, sheet: Sheet, id: &str) -> bool {
        self.ids.get(&sheet).is_some_and(|ids| ids.contains(id))
    }
}

/// Whether an amendment in progress fits its plan's dates: it starts on or after the plan
/// was issued, and one a review decided on comes from the plan's last review (its meeting on
/// or before the plan's `last_review_decision_on`, its notice on or after that decision).
/// The problem's column, value and message otherwise.
pub fn amendment_fits_plan(
    row: &AmendmentRow,
    issued_on: NaiveDate,
    last_review_decision_on: Option<NaiveDate>,
) -> Result<(), (&'static str, String, String)> {
    if let Some(started) = row.review_meeting_on.or(row.notice_sent_on)
        && started < issued_on
    {
        let column = if row.review_meeting_on.is_some() {
            "review_meeting_on"
        } else {
            "notice_sent_on"
        };
        return Err((
            column,
            started.to_string(),
            "an amendment cannot start before its plan was issued".into(),
        ));
    }
    let Some(meeting) = row.review_meeting_on else {
        return Ok(());
    };
    match last_review_decision_on {
        Some(d) if d >= meeting => match row.notice_sent_on {
            Some(notice) if notice < d => Err((
                "notice_sent_on",
                notice.to_string(),
                format!(
                    "the notice comes on or after the review's decision (the plan's \
                     last_review_decision_on, {d})"
                ),
            )),
            _ => Ok(()),
        },
        decided => Err((
            "review_meeting_on",
            meeting.to_string(),
            format!(
                "the review's decision to amend is the plan's last_review_decision_on ({}), \
                 which must be on or after its meeting",
                decided.map_or_else(|| "empty".to_owned(), |d| d.to_string())
            ),
        )),
    }
}

fn digest_of(cells: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for c in cells {
        // A date hashes as the day it names, whichever form it is written in (a CSV's
        // 31/01/2025 and a workbook's date cell are the same row).
        let c = c.trim();
        let c = parse_date(c).map_or_else(|| c.to_owned(), |d| d.to_string());
        h.update(c.as_bytes());
        h.update([0x1f]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads and checks every row of every table; returns the caseload and every problem found
/// (none means the import may go ahead). `today` bounds every date.
pub fn check(tables: &[Table], known: &Known, today: NaiveDate) -> (Caseload, Vec<Problem>) {
    let mut out = Caseload::default();
    let mut problems = Vec::new();
    let mut seen_sheets = BTreeSet::new();
    for table in tables {
        if !seen_sheets.insert(table.sheet) {
            problems.push(Problem {
                sheet: table.sheet.name(),
                row: 1,
                column: String::new(),
                value: String::new(),
                message: "this sheet is given twice: give each sheet once".into(),
            });
            continue;
        }
        let header: Vec<String> = table
            .header
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let columns = table.sheet.columns();
        let mut header_ok = true;
        for h in &header {
            if !h.is_empty() && !columns.iter().any(|c| c.name == h) {
                problems.push(Problem {
                    sheet: table.sheet.name(),
                    row: 1,
                    column: h.clone(),
                    value: h.clone(),
                    message: format!(
                        "is not a column of {}: use the template's headers",
                        table.sheet.name()
                    ),
                });
                header_ok = false;
            }
        }
        for c in columns.iter().filter(|c| c.required) {
            if !header.iter().any(|h| h == c.name) {
                problems.push(Problem {
                    sheet: table.sheet.name(),
                    row: 1,
                    column: c.name.to_owned(),
                    value: String::new(),
                    message: "this required column is missing".into(),
                });
                header_ok = false;
            }
        }
        if !header_ok {
            continue;
        }
        let mut keys: HashMap<String, usize> = HashMap::new();
        for (line, cells) in &table.rows {
            let by_name = header
                .iter()
                .zip(cells.iter())
                .map(|(h, v)| (h.as_str(), v.as_str()))
                .collect();
            let mut c = Cells {
                sheet: table.sheet,
                line: *line,
                by_name,
                problems: Vec::new(),
            };
            if let Some(key) = table.sheet.key() {
                let id = c.raw(key).to_owned();
                if id.is_empty() {
                    c.problem(key, "", "must not be empty");
                } else if let Some(first) = keys.insert(id.clone(), *line) {
                    c.problem(
                        key,
                        &id,
                        format!("is also on line {first}: ids must be unique"),
                    );
                }
            }
            let digest = digest_of(cells);
            read_row(&mut out, &mut c, *line, digest, (today, known));
            problems.append(&mut c.problems);
        }
    }
    cross_check(&out, known, &mut problems);
    problems.sort();
    (out, problems)
}

fn read_row(
    out: &mut Caseload,
    c: &mut Cells<'_>,
    line: usize,
    digest: String,
    (today, known): (NaiveDate, &Known),
) {
    let before = c.problems.len();
    macro_rules! push {
        ($list:expr, $row:expr) => {{
            let row = $row;
            let valid = c.problems.len() == before;
            $list.push(Line {
                line,
                digest,
                row,
                valid,
            });
        }};
    }
    match c.sheet {
        Sheet::Localities => push!(out.localities, c.text("name")),
        Sheet::Teams => push!(out.teams, c.text("name")),
        Sheet::Staff => {
            let role = c.code(
                "role",
                true,
                |s| match s {
                    "CASEWORKER" => Some(Role::Caseworker),
                    "MANAGER" => Some(Role::Manager),
                    _ => None,
                },
                "CASEWORKER or MANAGER",
            );
            push!(
                out.staff,
                StaffRow {
                    staff_id: c.raw("staff_id").to_owned(),
                    subject: c.subject("subject", true).unwrap_or_default(),
                    name: c.text("name"),
                    email: c.optional_text("email"),
                    role: role.unwrap_or(Role::Caseworker),
                    team: c.optional_text("team"),
                }
            )
        }
        Sheet::Professionals => {
            let service = c.code(
                "service",
                true,
                |s| s.parse::<AdviceService>().ok(),
                "an advice service code, such as EDUCATIONAL_PSYCHOLOGY",
            );
            push!(
                out.professionals,
                ProfessionalRow {
                    professional_id: c.raw("professional_id").to_owned(),
                    subject: c.subject("subject", false),
                    name: c.text("name"),
                    service: service.unwrap_or(AdviceService::Other),
                    organisation: c.text("organisation"),
                    email: c.optional_text("email"),
                }
            )
        }
        Sheet::Children => {
            let dob = c.required_date("date_of_birth", today);
            let dob = dob.and_then(|d| {
                let raw = c.raw("date_of_birth");
                c.field("date_of_birth", raw, parse_date_of_birth(d, today))
            });
            let year_raw = c.raw("nc_year_override");
            let nc_year = if year_raw.is_empty() {
                None
            } else {
                match year_raw.parse::<i32>() {
                    Ok(y) => c.field("nc_year_override", year_raw, parse_nc_year(y)),
                    Err(_) => {
                        c.problem("nc_year_override", year_raw, "must be a whole number");
                        None
                    }
                }
            };
            push!(
                out.children,
                ChildRow {
                    child_id: c.raw("child_id").to_owned(),
                    legal_name: c.text("legal_name"),
                    preferred_name: c.optional_text("preferred_name"),
                    date_of_birth: dob.unwrap_or(today),
                    locality: c.text("locality"),
                    current_setting: c.optional_text("current_setting"),
                    nc_year_override: nc_year,
                    subject: c.subject("subject", false),
                    details: person_details(c, known),
                }
            )
        }
        Sheet::Parents => push!(
            out.parents,
            ParentRow {
                parent_id: c.raw("parent_id").to_owned(),
                name: c.text("name"),
                email: c.optional_text("email"),
                phone: c.optional_text("phone"),
                subject: c.subject("subject", false),
            }
        ),
        Sheet::ParentLinks => {
            let raw = c.raw("relationship");
            let relationship = c
                .field("relationship", raw, parse_relationship(Some(raw)))
                .unwrap_or_default();
            let parent_id = c.raw("parent_id").to_owned();
            let child_id = c.raw("child_id").to_owned();
            for (column, v) in [("parent_id", &parent_id), ("child_id", &child_id)] {
                if v.is_empty() {
                    c.problem(column, "", "must not be empty");
                }
            }
            push!(
                out.links,
                LinkRow {
                    parent_id,
                    child_id,
                    relationship,
                }
            )
        }
        Sheet::Plans => {
            let issued_on = c.required_date("issued_on", today);
            let last_review = c.date("last_review_decision_on", today);
            if let (Some(issued), Some(review)) = (issued_on, last_review)
                && review < issued
            {
                let raw = c.raw("last_review_decision_on");
                c.problem(
                    "last_review_decision_on",
                    raw,
                    "a review cannot be before its plan was issued",
                );
            }
            let need = |s: &str| SenNeed::parse(s).ok();
            let primary = c.code("primary_need", false, need, "a SEN2 need code, such as ASD");
            let secondary_raw = c.raw("secondary_needs");
            let mut secondary = Vec::new();
            for code in secondary_raw
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                match SenNeed::parse(&code.to_ascii_uppercase()) {
                    Ok(n) => secondary.push(n),
                    Err(_) => c.problem(
                        "secondary_needs",
                        code,
                        "must be SEN2 need codes separated by ;",
                    ),
                }
            }
            if primary.is_none() && !secondary.is_empty() {
                c.problem(
                    "primary_need",
                    "",
                    "give the primary need with the secondary needs",
                );
            }
            let transferred_in_on = c.date("transferred_in_on", today);
            let transferred_from = c.optional_text("transferred_from");
            if transferred_in_on.is_some() != transferred_from.is_some() {
                c.problem(
                    "transferred_from",
                    c.raw("transferred_from"),
                    "give both transferred_in_on and transferred_from, or neither",
                );
            }
            let placement = plan_placement(c, known, issued_on.unwrap_or(today), today);
            let personal_budget = plan_budget(c, known);
            push!(
                out.plans,
                PlanRow {
                    plan_id: c.raw("plan_id").to_owned(),
                    child_id: required_ref(c, "child_id"),
                    issued_on: issued_on.unwrap_or(today),
                    named_setting: c.optional_text("named_setting"),
                    last_review_decision_on: last_review,
                    primary_need: primary,
                    secondary_needs: secondary,
                    transferred_in_on,
                    transferred_from,
                    placement,
                    personal_budget,
                }
            )
        }
        Sheet::Amendments => {
            let review_kind = if c.raw("review_kind").is_empty() {
                Some(ReviewKind::Annual)
            } else {
                c.code(
                    "review_kind",
                    false,
                    |s| ReviewKind::parse(s).ok(),
                    "ANNUAL, INTERIM or EMERGENCY",
                )
            };
            let row = AmendmentRow {
                amendment_id: c.raw("amendment_id").to_owned(),
                plan_id: required_ref(c, "plan_id"),
                review_meeting_on: c.date("review_meeting_on", today),
                review_kind: review_kind.unwrap_or(ReviewKind::Annual),
                notice_sent_on: c.date("notice_sent_on", today),
                proposed_changes: c.long_text("proposed_changes"),
                family_responded_on: c.date("family_responded_on", today),
                family: FamilyResponse {
                    comments: c.long_text("family_comments"),
                    meeting_requested: c.yes_no("family_meeting_requested"),
                    requested_setting: c.optional_text("family_requested_setting"),
                },
            };
            if c.problems.len() == before
                && let Err((column, message)) =
                    amendment_order(&row, !c.raw("review_kind").is_empty())
            {
                let raw = c.raw(column);
                c.problem(column, raw, message);
            }
            push!(out.amendments, row)
        }
        Sheet::Reviews => {
            let kind = if c.raw("kind").is_empty() {
                Some(ReviewKind::Annual)
            } else {
                c.code(
                    "kind",
                    false,
                    |s| ReviewKind::parse(s).ok(),
                    "ANNUAL, INTERIM or EMERGENCY",
                )
            };
            let meeting_held = c.yes_no("meeting_held");
            let row = ReviewRow {
                review_id: c.raw("review_id").to_owned(),
                plan_id: required_ref(c, "plan_id"),
                kind: kind.unwrap_or(ReviewKind::Annual),
                scheduled_on: c.required_date("scheduled_on", today).unwrap_or(today),
                meeting_on: c.planned_date("meeting_on").unwrap_or(today),
                meeting_held,
                invitations_sent_on: c.date("invitations_sent_on", today),
                advice_circulated_on: c.date("advice_circulated_on", today),
                report_received_on: c.date("report_received_on", today),
            };
            if c.problems.len() == before {
                if row.meeting_held && row.meeting_on > today {
                    c.problem(
                        "meeting_on",
                        c.raw("meeting_on"),
                        "a meeting that has taken place cannot be in the future",
                    );
                } else if let Err((column, message)) = review_steps(&row) {
                    let raw = c.raw(column);
                    c.problem(column, raw, message);
                }
            }
            push!(out.reviews, row)
        }
        Sheet::Assessments => {
            let kind = if c.raw("kind").is_empty() {
                Some(AssessmentKind::Initial)
            } else {
                c.code(
                    "kind",
                    false,
                    |s| match s {
                        "INITIAL" => Some(AssessmentKind::Initial),
                        "REASSESSMENT" => Some(AssessmentKind::Reassessment),
                        _ => None,
                    },
                    "INITIAL or REASSESSMENT",
                )
            };
            let requested_by = c.code(
                "requested_by",
                true,
                RequestedBy::parse,
                "PARENT, YOUNG_PERSON, SCHOOL_OR_SETTING or OTHER",
            );
            let row = AssessmentRow {
                assessment_id: c.raw("assessment_id").to_owned(),
                child_id: required_ref(c, "child_id"),
                kind: kind.unwrap_or(AssessmentKind::Initial),
                requested_by: requested_by.unwrap_or(RequestedBy::Other),
                received_on: c.required_date("received_on", today).unwrap_or(today),
                caseworker: c.optional_text("caseworker"),
                decided_to_assess_on: c.date("decided_to_assess_on", today),
                decided_not_to_assess_on: c.date("decided_not_to_assess_on", today),
                decision_reasons: c.long_text("decision_reasons"),
                draft_sent_on: c.date("draft_sent_on", today),
                relevant_youth_accommodation: c.yes_no("relevant_youth_accommodation"),
            };
            if c.problems.len() == before {
                for (column, message) in assessment_order(&row) {
                    let raw = c.raw(column);
                    c.problem(column, raw, message);
                }
            }
            push!(out.assessments, row)
        }
        Sheet::AdviceRequests => {
            let service = c.code(
                "service",
                true,
                |s| s.parse::<AdviceService>().ok(),
                "an advice service code, such as EDUCATIONAL_PSYCHOLOGY",
            );
            let row = AdviceRow {
                advice_id: c.raw("advice_id").to_owned(),
                assessment_id: required_ref(c, "assessment_id"),
                service: service.unwrap_or(AdviceService::Other),
                professional_id: c.optional_text("professional_id"),
                requested_on: c.required_date("requested_on", today).unwrap_or(today),
                received_on: c.date("received_on", today),
                declined_on: c.date("declined_on", today),
                note: c.long_text("note"),
            };
            if row.received_on.is_some() && row.declined_on.is_some() {
                c.problem(
                    "declined_on",
                    c.raw("declined_on"),
                    "advice is either received or declined, not both",
                );
            }
            for (column, on) in [
                ("received_on", row.received_on),
                ("declined_on", row.declined_on),
            ] {
                if on.is_some_and(|on| on < row.requested_on) {
                    c.problem(column, c.raw(column), "is before the advice was requested");
                }
            }
            if row.declined_on.is_some() && row.note.is_none() {
                c.problem("note", "", "say why the advice was declined");
            }
            push!(out.advice, row)
        }
        Sheet::Exceptions => {
            let reason = c.raw("reason").to_ascii_uppercase();
            if reason.is_empty() {
                c.problem("reason", "", "must not be empty");
            }
            let row = ExceptionRow {
                exception_id: c.raw("exception_id").to_owned(),
                assessment_id: required_ref(c, "assessment_id"),
                reason,
                starts_on: c.required_date("starts_on", today).unwrap_or(today),
                ends_on: c.planned_date("ends_on").unwrap_or(today),
                advice_id: c.optional_text("advice_id"),
                note: c.long_text("note"),
            };
            push!(out.exceptions, row)
        }
    }
}

/// A child's SEN2 items from their row; a problem (and nothing kept) when one is wrong.
fn person_details(c: &mut Cells<'_>, known: &Known) -> PersonDetails {
    let raw = PersonDetails {
        upn: Some(c.raw("upn").to_owned()),
        uln: Some(c.raw("uln").to_owned()),
        upn_unknown: Some(c.raw("upn_unknown").to_owned()),
        sex: Some(c.raw("sex").to_owned()),
        ethnicity: Some(c.raw("ethnicity").to_owned()),
        home_postcode: Some(c.raw("home_postcode").to_owned()),
    };
    let [sex, ethnicity, upn_unknown] = &known.person_lists;
    match raw.checked(&PersonLists {
        sex,
        ethnicity,
        upn_unknown,
    }) {
        Ok(details) => details,
        Err(e) => {
            let column = match e.field {
                "uniqueLearnerNumber" => "uln",
                "upnUnknownReason" => "upn_unknown",
                "homePostcode" => "home_postcode",
                other => other,
            };
            let value = c.raw(column);
            c.problem(column, value, e.message);
            PersonDetails::default()
        }
    }
}

/// A plan row's placement now: none when no setting is given (and then none of its other
/// columns may be); a problem, naming the column, when it is wrong.
fn plan_placement(
    c: &mut Cells<'_>,
    known: &Known,
    issued_on: NaiveDate,
    today: NaiveDate,
) -> Option<PlacementInput> {
    const SETTING: [&str; 3] = ["setting_urn", "setting_ukprn", "sen_setting"];
    const DETAIL: [&str; 6] = [
        "sen_setting_other",
        "placed_from",
        "sen_unit",
        "resourced_provision",
        "residential",
        "work_based_learning",
    ];
    if SETTING.iter().all(|col| c.raw(col).is_empty()) {
        if let Some(col) = DETAIL.iter().find(|col| !c.raw(col).is_empty()) {
            let value = c.raw(col);
            c.problem(
                col,
                value,
                "give the setting (setting_urn, setting_ukprn or sen_setting) with its details",
            );
        }
        return None;
    }
    let text = |c: &Cells<'_>, col: &str| Some(c.raw(col).to_owned()).filter(|s| !s.is_empty());
    let input = PlacementInput {
        rank: 1,
        urn: text(c, "setting_urn"),
        ukprn: text(c, "setting_ukprn"),
        sen_setting: text(c, "sen_setting"),
        sen_setting_other: text(c, "sen_setting_other"),
        entry_on: Some(c.date("placed_from", today).unwrap_or(issued_on)),
        leaving_on: None,
        sen_unit: c.yes_no("sen_unit"),
        resourced_provision: c.yes_no("resourced_provision"),
        residential: text(c, "residential"),
        work_based_learning: text(c, "work_based_learning"),
    };
    let [sen_setting, residential, work_based_learning, _] = &known.placement_lists;
    let lists = PlacementLists {
        sen_setting,
        residential,
        work_based_learning,
    };
    match check_placements(vec![input.clone()], &lists) {
        Ok(_) => Some(input),
        Err(e) => {
            let message = e.message.trim_start_matches("placement 1: ").to_owned();
            let column = [
                ("senSettingOther", "sen_setting_other"),
                ("senSetting", "sen_setting"),
                ("UKPRN", "setting_ukprn"),
                ("residential", "residential"),
                ("workBasedLearning", "work_based_learning"),
                ("date", "placed_from"),
            ]
            .into_iter()
            .find(|(says, _)| message.contains(says))
            .map_or("setting_urn", |(_, col)| col);
            let value = c.raw(column);
            c.problem(column, value, message);
            None
        }
    }
}

/// A plan row's personal budget, when the row says whether one was taken up.
fn plan_budget(c: &mut Cells<'_>, known: &Known) -> Option<PersonalBudget> {
    if c.raw("personal_budget").is_empty() {
        for col in ["organised_arrangements", "direct_payments"] {
            if !c.raw(col).is_empty() {
                let value = c.raw(col);
                c.problem(col, value, "give personal_budget (YES or NO) with it");
            }
        }
        return None;
    }
    let taken_up = c.yes_no("personal_budget");
    let organised = c.yes_no("organised_arrangements");
    let direct = Some(c.raw("direct_payments")).filter(|s| !s.is_empty());
    match PersonalBudget::checked(taken_up, organised, direct, &known.placement_lists[3]) {
        Ok(b) => Some(b),
        Err(e) => {
            let column = if e.field == "directPayments" {
                "direct_payments"
            } else {
                "personal_budget"
            };
            let value = c.raw(column);
            c.problem(column, value, e.message);
            None
        }
    }
}

fn required_ref(c: &mut Cells<'_>, column: &'static str) -> String {
    let raw = c.raw(column).to_owned();
    if raw.is_empty() {
        c.problem(column, "", "must not be empty");
    }
    raw
}

/// What is out of order in an assessment row's dates, by column: each step follows the
/// one before it (SEND Regs 2014 regs 4–13), as the assessment's state machine allows.
pub fn assessment_order(row: &AssessmentRow) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if row.kind == AssessmentKind::Reassessment
        && (row.decided_to_assess_on.is_some() || row.decided_not_to_assess_on.is_some())
    {
        out.push((
            "decided_to_assess_on",
            "a re-assessment starts at the decision to re-assess (received_on): leave the \
             decision columns empty"
                .to_owned(),
        ));
        return out;
    }
    if row.decided_to_assess_on.is_some() && row.decided_not_to_assess_on.is_some() {
        out.push((
            "decided_not_to_assess_on",
            "an assessment is decided one way: to assess or not".to_owned(),
        ));
    }
    for (column, on) in [
        ("decided_to_assess_on", row.decided_to_assess_on),
        ("decided_not_to_assess_on", row.decided_not_to_assess_on),
        ("draft_sent_on", row.draft_sent_on),
    ] {
        if on.is_some_and(|on| on < row.received_on) {
            out.push((column, "is before the request was received".to_owned()));
        }
    }
    if row.decided_not_to_assess_on.is_some() && row.decision_reasons.is_none() {
        out.push((
            "decision_reasons",
            "a decision not to assess needs its reasons".to_owned(),
        ));
    }
    if let Some(draft) = row.draft_sent_on {
        match (row.kind, row.decided_to_assess_on) {
            (AssessmentKind::Initial, None) => out.push((
                "draft_sent_on",
                "a draft plan follows a decision to assess: give decided_to_assess_on".to_owned(),
            )),
            (AssessmentKind::Initial, Some(decided)) if draft < decided => out.push((
                "draft_sent_on",
                "is before the decision to assess".to_owned(),
            )),
            _ => {}
        }
    }
    out
}

/// One step of an imported assessment, in the order it is replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssessmentStep {
    DecideToAssess(NaiveDate),
    DecideNotToAssess(NaiveDate),
    /// Index into the assessment's advice rows.
    RequestAdvice(usize, NaiveDate),
    AnswerAdvice(usize, NaiveDate),
    SendDraft(NaiveDate),
}

impl AssessmentStep {
    pub fn on(&self) -> NaiveDate {
        match self {
            Self::DecideToAssess(d)
            | Self::DecideNotToAssess(d)
            | Self::RequestAdvice(_, d)
            | Self::AnswerAdvice(_, d)
            | Self::SendDraft(d) => *d,
        }
    }

    fn action(&self) -> AssessmentAction {
        match self {
            Self::DecideToAssess(_) => AssessmentAction::DecideToAssess,
            Self::DecideNotToAssess(_) => AssessmentAction::DecideNotToAssess,
            Self::RequestAdvice(..) => AssessmentAction::RequestAdvice,
            Self::AnswerAdvice(..) => AssessmentAction::RecordAdvice,
            Self::SendDraft(_) => AssessmentAction::SendDraft,
        }
    }

    /// Same-day steps keep the process's order.
    fn order(&self) -> u8 {
        match self {
            Self::DecideToAssess(_) | Self::DecideNotToAssess(_) => 0,
            Self::RequestAdvice(..) => 1,
            Self::AnswerAdvice(..) => 2,
            Self::SendDraft(_) => 3,
        }
    }
}

/// The steps that bring an assessment to where the row and its advice rows say it is, in
/// date order; or, when the state machine refuses one, which and why.
pub fn assessment_steps(
    row: &AssessmentRow,
    advice: &[&AdviceRow],
) -> Result<Vec<AssessmentStep>, (usize, String)> {
    let mut steps = Vec::new();
    if let Some(d) = row.decided_to_assess_on {
        steps.push(AssessmentStep::DecideToAssess(d));
    }
    if let Some(d) = row.decided_not_to_assess_on {
        steps.push(AssessmentStep::DecideNotToAssess(d));
    }
    for (i, a) in advice.iter().enumerate() {
        steps.push(AssessmentStep::RequestAdvice(i, a.requested_on));
        if let Some(d) = a.received_on.or(a.declined_on) {
            steps.push(AssessmentStep::AnswerAdvice(i, d));
        }
    }
    if let Some(d) = row.draft_sent_on {
        steps.push(AssessmentStep::SendDraft(d));
    }
    steps.sort_by_key(|s| (s.on(), s.order()));
    let mut state = match row.kind {
        AssessmentKind::Reassessment => AssessmentState::Assessing,
        _ => AssessmentState::Requested,
    };
    for step in &steps {
        let advice_line = match step {
            AssessmentStep::RequestAdvice(i, _) | AssessmentStep::AnswerAdvice(i, _) => Some(*i),
            _ => None,
        };
        match transition(row.kind, state, step.action()) {
            Ok(next) => state = next,
            Err(e) => {
                let what = match step {
                    AssessmentStep::RequestAdvice(..) => {
                        "advice can be requested only after the decision to assess and before \
                         the draft plan"
                            .to_owned()
                    }
                    _ => format!(
                        "{} on {} is out of order: {e}",
                        step.action().as_str(),
                        step.on()
                    ),
                };
                return Err((advice_line.map_or(usize::MAX, |i| i), what));
            }
        }
    }
    Ok(steps)
}

/// One step of an imported review in progress, in the order it is replayed (after it was
/// arranged, which `schedule_review` records with its meeting date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStep {
    SendInvitations(NaiveDate),
    CirculateAdvice(NaiveDate),
    HoldMeeting(NaiveDate),
    RecordReport(NaiveDate),
}

impl ReviewStep {
    pub fn on(self) -> NaiveDate {
        match self {
            Self::SendInvitations(d)
            | Self::CirculateAdvice(d)
            | Self::HoldMeeting(d)
            | Self::RecordReport(d) => d,
        }
    }

    pub fn action(self) -> ReviewAction {
        match self {
            Self::SendInvitations(_) => ReviewAction::SendInvitations,
            Self::CirculateAdvice(_) => ReviewAction::CirculateAdvice,
            Self::HoldMeeting(_) => ReviewAction::HoldMeeting,
            Self::RecordReport(_) => ReviewAction::RecordReport,
        }
    }

    /// The column that holds the step's date.
    fn column(self) -> &'static str {
        match self {
            Self::SendInvitations(_) => "invitations_sent_on",
            Self::CirculateAdvice(_) => "advice_circulated_on",
            Self::HoldMeeting(_) => "meeting_on",
            Self::RecordReport(_) => "report_received_on",
        }
    }
}

/// The steps that bring a review to where its row says it is, in the process's order
/// (invitations, advice, the meeting, its report: the order the review's state machine
/// takes them in, whatever their dates, as the use cases do); or the column at fault and
/// why: a step before the review was arranged, a report before its meeting or without one.
pub fn review_steps(row: &ReviewRow) -> Result<Vec<ReviewStep>, (&'static str, String)> {
    if row.meeting_on < row.scheduled_on {
        return Err((
            "meeting_on",
            "the meeting cannot be before the day it was arranged".into(),
        ));
    }
    let mut steps = Vec::new();
    if let Some(d) = row.invitations_sent_on {
        steps.push(ReviewStep::SendInvitations(d));
    }
    if let Some(d) = row.advice_circulated_on {
        steps.push(ReviewStep::CirculateAdvice(d));
    }
    if row.meeting_held {
        steps.push(ReviewStep::HoldMeeting(row.meeting_on));
    }
    if let Some(d) = row.report_received_on {
        if !row.meeting_held {
            return Err((
                "report_received_on",
                "a report comes after the meeting: set meeting_held to YES".into(),
            ));
        }
        if d < row.meeting_on {
            return Err((
                "report_received_on",
                "the report comes after the meeting (meeting_on)".into(),
            ));
        }
        steps.push(ReviewStep::RecordReport(d));
    }
    for step in &steps {
        if step.on() < row.scheduled_on {
            return Err((
                step.column(),
                "is before the review was arranged (scheduled_on)".into(),
            ));
        }
    }
    Ok(steps)
}

/// The checks of an amendment row on its own: what starts it (a review meeting, or the
/// notice of changes proposed outside a review), the notice's changes, and the family's
/// response after the notice and saying something; or the column at fault and why.
pub fn amendment_order(row: &AmendmentRow, kind_given: bool) -> Result<(), (&'static str, String)> {
    if row.review_meeting_on.is_none() {
        if kind_given {
            return Err((
                "review_kind",
                "goes with review_meeting_on (the review that decided to amend)".into(),
            ));
        }
        if row.notice_sent_on.is_none() {
            return Err((
                "notice_sent_on",
                "changes proposed outside a review start with their notice: give the day it \
                 was sent, or review_meeting_on for an amendment a review decided on"
                    .into(),
            ));
        }
    }
    match (row.notice_sent_on, &row.proposed_changes) {
        (Some(_), None) => {
            return Err((
                "proposed_changes",
                "say what the notice proposes (required with notice_sent_on)".into(),
            ));
        }
        (None, Some(_)) => {
            return Err((
                "notice_sent_on",
                "proposed changes go with their notice: give the day it was sent".into(),
            ));
        }
        _ => {}
    }
    if let (Some(meeting), Some(notice)) = (row.review_meeting_on, row.notice_sent_on)
        && notice < meeting
    {
        return Err((
            "notice_sent_on",
            "the notice comes after the review meeting (review_meeting_on)".into(),
        ));
    }
    let said = row.family != FamilyResponse::default();
    match (row.family_responded_on, row.notice_sent_on) {
        (Some(_), None) => Err((
            "family_responded_on",
            "a response answers the notice: give notice_sent_on".into(),
        )),
        (Some(on), Some(notice)) if on < notice => Err((
            "family_responded_on",
            "the response comes after the notice (notice_sent_on)".into(),
        )),
        (Some(_), Some(_)) if !said => Err((
            "family_responded_on",
            "say what the family said: family_comments, family_meeting_requested or \
             family_requested_setting"
                .into(),
        )),
        (None, _) if said => Err((
            "family_responded_on",
            "give the day the family responded".into(),
        )),
        _ => Ok(()),
    }
}

/// The checks across rows and sheets: references to rows of this import or to records
/// already imported, one active plan per child, advice steps in order.
fn cross_check(out: &Caseload, known: &Known, problems: &mut Vec<Problem>) {
    let ids = |sheet: Sheet, own: Vec<&str>| -> BTreeSet<String> {
        let mut set: BTreeSet<String> = own.into_iter().map(str::to_owned).collect();
        if let Some(k) = known.ids.get(&sheet) {
            set.extend(k.iter().cloned());
        }
        set
    };
    let localities: BTreeSet<&str> = out
        .localities
        .iter()
        .map(|l| l.row.as_str())
        .chain(known.localities.iter().map(String::as_str))
        .collect();
    let teams: BTreeSet<&str> = out
        .teams
        .iter()
        .map(|l| l.row.as_str())
        .chain(known.teams.iter().map(String::as_str))
        .collect();
    let children = ids(
        Sheet::Children,
        out.children
            .iter()
            .map(|c| c.row.child_id.as_str())
            .collect(),
    );
    let parents = ids(
        Sheet::Parents,
        out.parents
            .iter()
            .map(|c| c.row.parent_id.as_str())
            .collect(),
    );
    let staff: BTreeMap<&str, Role> = out
        .staff
        .iter()
        .map(|s| (s.row.staff_id.as_str(), s.row.role))
        .collect();
    let known_staff = known.ids.get(&Sheet::Staff);
    let professionals: BTreeMap<&str, AdviceService> = out
        .professionals
        .iter()
        .map(|p| (p.row.professional_id.as_str(), p.row.service))
        .collect();
    let mut problem = |sheet: Sheet, row: usize, column: &str, value: &str, message: String| {
        problems.push(Problem {
            sheet: sheet.name(),
            row,
            column: column.to_owned(),
            value: value.to_owned(),
            message,
        })
    };
    for s in &out.staff {
        if let Some(team) = &s.row.team
            && !teams.contains(team.as_str())
        {
            problem(
                Sheet::Staff,
                s.line,
                "team",
                team,
                "unknown team: add it to teams".into(),
            );
        }
    }
    for c in &out.children {
        if !localities.contains(c.row.locality.as_str()) {
            problem(
                Sheet::Children,
                c.line,
                "locality",
                &c.row.locality,
                "unknown locality: add it to localities".into(),
            );
        }
    }
    let mut linked = BTreeSet::new();
    for l in &out.links {
        if !parents.contains(&l.row.parent_id) {
            problem(
                Sheet::ParentLinks,
                l.line,
                "parent_id",
                &l.row.parent_id,
                "unknown parent: add them to parents".into(),
            );
        }
        if !children.contains(&l.row.child_id) {
            problem(
                Sheet::ParentLinks,
                l.line,
                "child_id",
                &l.row.child_id,
                "unknown child: add them to children".into(),
            );
        }
        if !linked.insert((&l.row.parent_id, &l.row.child_id)) {
            problem(
                Sheet::ParentLinks,
                l.line,
                "child_id",
                &l.row.child_id,
                "this parent is already linked to this child above".into(),
            );
        }
    }
    let child_dob: HashMap<&str, NaiveDate> = out
        .children
        .iter()
        .filter(|c| c.valid)
        .map(|c| (c.row.child_id.as_str(), c.row.date_of_birth))
        .collect();
    let mut active_plans: HashMap<&str, usize> = HashMap::new();
    for p in &out.plans {
        if !children.contains(&p.row.child_id) {
            problem(
                Sheet::Plans,
                p.line,
                "child_id",
                &p.row.child_id,
                "unknown child: add them to children".into(),
            );
            continue;
        }
        if let Some(dob) = child_dob.get(p.row.child_id.as_str())
            && p.valid
            && p.row.issued_on < *dob
        {
            problem(
                Sheet::Plans,
                p.line,
                "issued_on",
                &p.row.issued_on.to_string(),
                "is before the child's date of birth".into(),
            );
        }
        if let Some(first) = active_plans.insert(p.row.child_id.as_str(), p.line) {
            problem(
                Sheet::Plans,
                p.line,
                "child_id",
                &p.row.child_id,
                format!("this child already has an active plan on line {first}: a child has one"),
            );
        } else if known.children_with_active_plan.contains(&p.row.child_id)
            && !known.has(Sheet::Plans, &p.row.plan_id)
        {
            problem(
                Sheet::Plans,
                p.line,
                "child_id",
                &p.row.child_id,
                "this child already has an active plan in the system: a child has one".into(),
            );
        }
    }
    let plans: HashMap<&str, &Line<PlanRow>> = out
        .plans
        .iter()
        .map(|p| (p.row.plan_id.as_str(), p))
        .collect();
    let mut amended: HashMap<&str, usize> = HashMap::new();
    for a in &out.amendments {
        let row = &a.row;
        match plans.get(row.plan_id.as_str()) {
            Some(p) if p.valid && a.valid => {
                if let Err((column, value, message)) =
                    amendment_fits_plan(row, p.row.issued_on, p.row.last_review_decision_on)
                {
                    problem(Sheet::Amendments, a.line, column, &value, message);
                }
            }
            Some(_) => {}
            None if known.has(Sheet::Plans, &row.plan_id) => {
                // A plan imported before: a new row is checked against its dates in the
                // system (one imported before is left to the replay, which reports an
                // amendment the plan has moved on from).
                if let Some(&(issued_on, decided)) = known.plan_dates.get(&row.plan_id)
                    && a.valid
                    && !known.has(Sheet::Amendments, &row.amendment_id)
                    && let Err((column, value, message)) =
                        amendment_fits_plan(row, issued_on, decided)
                {
                    problem(Sheet::Amendments, a.line, column, &value, message);
                }
            }
            None => problem(
                Sheet::Amendments,
                a.line,
                "plan_id",
                &row.plan_id,
                "unknown plan: add it to plans".into(),
            ),
        }
        if let Some(first) = amended.insert(row.plan_id.as_str(), a.line) {
            problem(
                Sheet::Amendments,
                a.line,
                "plan_id",
                &row.plan_id,
                format!("this plan already has an amendment in progress on line {first}"),
            );
        }
    }
    let mut reviewed: HashMap<&str, usize> = HashMap::new();
    for r in &out.reviews {
        let row = &r.row;
        match plans.get(row.plan_id.as_str()) {
            Some(p) if p.valid && r.valid => {
                if row.scheduled_on < p.row.issued_on {
                    problem(
                        Sheet::Reviews,
                        r.line,
                        "scheduled_on",
                        &row.scheduled_on.to_string(),
                        "a review cannot be before its plan was issued".into(),
                    );
                }
            }
            Some(_) => {}
            None if known.has(Sheet::Plans, &row.plan_id) => {
                if let Some(&(issued_on, _)) = known.plan_dates.get(&row.plan_id)
                    && r.valid
                    && !known.has(Sheet::Reviews, &row.review_id)
                    && row.scheduled_on < issued_on
                {
                    problem(
                        Sheet::Reviews,
                        r.line,
                        "scheduled_on",
                        &row.scheduled_on.to_string(),
                        format!("a review cannot be before its plan was issued ({issued_on})"),
                    );
                }
            }
            None => problem(
                Sheet::Reviews,
                r.line,
                "plan_id",
                &row.plan_id,
                "unknown plan: add it to plans".into(),
            ),
        }
        if let Some(first) = reviewed.insert(row.plan_id.as_str(), r.line) {
            problem(
                Sheet::Reviews,
                r.line,
                "plan_id",
                &row.plan_id,
                format!("this plan already has a review in progress on line {first}"),
            );
        }
    }
    let mut open: HashMap<&str, usize> = HashMap::new();
    let assessments: HashMap<&str, &Line<AssessmentRow>> = out
        .assessments
        .iter()
        .map(|a| (a.row.assessment_id.as_str(), a))
        .collect();
    for a in &out.assessments {
        let row = &a.row;
        if !children.contains(&row.child_id) {
            problem(
                Sheet::Assessments,
                a.line,
                "child_id",
                &row.child_id,
                "unknown child: add them to children".into(),
            );
        }
        if let Some(cw) = &row.caseworker {
            let is_staff =
                staff.contains_key(cw.as_str()) || known_staff.is_some_and(|k| k.contains(cw));
            if !is_staff {
                problem(
                    Sheet::Assessments,
                    a.line,
                    "caseworker",
                    cw,
                    "unknown caseworker: give a staff_id from staff".into(),
                );
            }
        }
        let has_plan = active_plans.contains_key(row.child_id.as_str())
            || known.children_with_active_plan.contains(&row.child_id);
        match (row.kind, has_plan) {
            (AssessmentKind::Initial, true) => problem(
                Sheet::Assessments,
                a.line,
                "kind",
                "INITIAL",
                "this child has an active plan: a new assessment is a REASSESSMENT".into(),
            ),
            (AssessmentKind::Reassessment, false) => problem(
                Sheet::Assessments,
                a.line,
                "kind",
                "REASSESSMENT",
                "a re-assessment needs an active plan in plans".into(),
            ),
            _ => {}
        }
        if row.decided_not_to_assess_on.is_none()
            && let Some(first) = open.insert(row.child_id.as_str(), a.line)
        {
            problem(
                Sheet::Assessments,
                a.line,
                "child_id",
                &row.child_id,
                format!("this child already has an open assessment on line {first}"),
            );
        }
    }
    let mut advice_of: BTreeMap<&str, Vec<&Line<AdviceRow>>> = BTreeMap::new();
    for adv in &out.advice {
        let row = &adv.row;
        let Some(assessment) = assessments.get(row.assessment_id.as_str()) else {
            let known_one = known.has(Sheet::Assessments, &row.assessment_id);
            problem(
                Sheet::AdviceRequests,
                adv.line,
                "assessment_id",
                &row.assessment_id,
                if known_one {
                    "give the assessment's row with its advice requests: an assessment is \
                     imported whole"
                        .into()
                } else {
                    "unknown assessment: add it to assessments".into()
                },
            );
            continue;
        };
        if let Some(p) = &row.professional_id {
            let service = professionals.get(p.as_str()).copied();
            let known_one = known.has(Sheet::Professionals, p);
            match service {
                Some(s) if s != row.service => problem(
                    Sheet::AdviceRequests,
                    adv.line,
                    "professional_id",
                    p,
                    format!(
                        "this professional is of {}, not the service asked",
                        s.as_str()
                    ),
                ),
                None if !known_one => problem(
                    Sheet::AdviceRequests,
                    adv.line,
                    "professional_id",
                    p,
                    "unknown professional: add them to professionals".into(),
                ),
                _ => {}
            }
        }
        advice_of
            .entry(assessment.row.assessment_id.as_str())
            .or_default()
            .push(adv);
    }
    for a in &out.assessments {
        let lines = advice_of
            .get(a.row.assessment_id.as_str())
            .cloned()
            .unwrap_or_default();
        if !a.valid || lines.iter().any(|l| !l.valid) {
            continue;
        }
        let rows: Vec<&AdviceRow> = lines.iter().map(|l| &l.row).collect();
        if let Err((i, message)) = assessment_steps(&a.row, &rows) {
            match lines.get(i) {
                Some(l) => problem(
                    Sheet::AdviceRequests,
                    l.line,
                    "requested_on",
                    &l.row.requested_on.to_string(),
                    message,
                ),
                None => problem(Sheet::Assessments, a.line, "", "", message),
            }
        }
    }
    let advice: HashMap<&str, &Line<AdviceRow>> = out
        .advice
        .iter()
        .map(|a| (a.row.advice_id.as_str(), a))
        .collect();
    for e in &out.exceptions {
        let row = &e.row;
        let Some(assessment) = assessments.get(row.assessment_id.as_str()) else {
            problem(
                Sheet::Exceptions,
                e.line,
                "assessment_id",
                &row.assessment_id,
                if known.has(Sheet::Assessments, &row.assessment_id) {
                    "give the assessment's row with its exceptions: an assessment is imported \
                     whole"
                        .into()
                } else {
                    "unknown assessment: add it to assessments".into()
                },
            );
            continue;
        };
        if assessment.row.decided_not_to_assess_on.is_some() {
            problem(
                Sheet::Exceptions,
                e.line,
                "assessment_id",
                &row.assessment_id,
                "the council decided not to assess: no time limit is running to except".into(),
            );
            continue;
        }
        let Some(reason) = known
            .exception_reasons
            .iter()
            .find(|r| r.code == row.reason)
        else {
            if !row.reason.is_empty() {
                problem(
                    Sheet::Exceptions,
                    e.line,
                    "reason",
                    &row.reason,
                    format!(
                        "unknown reason: one of {}",
                        known
                            .exception_reasons
                            .iter()
                            .map(|r| r.code.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            continue;
        };
        let asked = match &row.advice_id {
            None => None,
            Some(id) => match advice.get(id.as_str()) {
                Some(a) if a.row.assessment_id == row.assessment_id => Some(a.row.requested_on),
                _ => {
                    problem(
                        Sheet::Exceptions,
                        e.line,
                        "advice_id",
                        id,
                        "not an advice request of this assessment (from advice_requests)".into(),
                    );
                    continue;
                }
            },
        };
        if e.valid
            && let Some(refused) = reason.check(row.starts_on, row.ends_on, asked)
        {
            let column = match refused.field {
                "endsOn" => "ends_on",
                "adviceRequestId" => "advice_id",
                "reasonCode" => "reason",
                _ => "starts_on",
            };
            let value = match column {
                "ends_on" => row.ends_on.to_string(),
                "advice_id" => row.advice_id.clone().unwrap_or_default(),
                "reason" => row.reason.clone(),
                _ => row.starts_on.to_string(),
            };
            problem(Sheet::Exceptions, e.line, column, &value, refused.message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_are_read_in_iso_8601_and_as_councils_write_them() {
        assert_eq!(parse_date("2025-01-31"), Some(d(2025, 1, 31)));
        assert_eq!(parse_date("31/01/2025"), Some(d(2025, 1, 31)));
        assert_eq!(parse_date("1/2/2025"), Some(d(2025, 2, 1)));
        for bad in [
            "2025-1-31",
            "31/01/25",
            "01/31/2025",
            "2025/01/31",
            "yesterday",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_sheet_has_a_template_with_a_description_of_each_column() {
        for sheet in Sheet::ALL {
            let t = sheet.template();
            assert_eq!(t.len(), 2);
            assert_eq!(t[0].len(), sheet.columns().len());
            assert!(is_comment(&t[1]), "{sheet:?}");
            assert!(!is_comment(&t[0]));
            assert!(
                t[1].iter()
                    .all(|c| c.contains("required") || c.contains("optional"))
            );
            assert_eq!(Sheet::parse(sheet.name()), Some(sheet));
        }
    }

    fn table(sheet: Sheet, rows: &[&[&str]]) -> Table {
        Table {
            sheet,
            header: sheet.columns().iter().map(|c| c.name.to_owned()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 2, r.iter().map(|c| (*c).to_owned()).collect()))
                .collect(),
        }
    }

    #[test]
    fn a_reviews_steps_replay_in_the_process_order_and_a_report_out_of_place_is_refused() {
        let row = ReviewRow {
            review_id: "R-1".into(),
            plan_id: "E-1".into(),
            kind: ReviewKind::Annual,
            scheduled_on: d(2026, 6, 1),
            meeting_on: d(2026, 7, 6),
            meeting_held: true,
            invitations_sent_on: Some(d(2026, 6, 15)),
            advice_circulated_on: Some(d(2026, 6, 20)),
            report_received_on: Some(d(2026, 7, 10)),
        };
        assert_eq!(
            review_steps(&row).unwrap(),
            vec![
                ReviewStep::SendInvitations(d(2026, 6, 15)),
                ReviewStep::CirculateAdvice(d(2026, 6, 20)),
                ReviewStep::HoldMeeting(d(2026, 7, 6)),
                ReviewStep::RecordReport(d(2026, 7, 10)),
            ]
        );
        // Invitations recorded with a date after the meeting's: the use cases take them (in
        // the process's order), so the import does too.
        let late = ReviewRow {
            invitations_sent_on: Some(d(2026, 7, 8)),
            ..row.clone()
        };
        assert_eq!(
            review_steps(&late).unwrap()[0],
            ReviewStep::SendInvitations(d(2026, 7, 8))
        );
        // A report before the meeting it reports on is refused.
        let early_report = ReviewRow {
            report_received_on: Some(d(2026, 7, 1)),
            ..row.clone()
        };
        assert_eq!(
            review_steps(&early_report).unwrap_err().0,
            "report_received_on"
        );
        let no_meeting = ReviewRow {
            meeting_held: false,
            ..row.clone()
        };
        assert_eq!(
            review_steps(&no_meeting).unwrap_err().0,
            "report_received_on"
        );
        let early = ReviewRow {
            invitations_sent_on: Some(d(2026, 5, 30)),
            ..row.clone()
        };
        assert_eq!(review_steps(&early).unwrap_err().0, "invitations_sent_on");
        let backwards = ReviewRow {
            meeting_on: d(2026, 5, 1),
            meeting_held: false,
            report_received_on: None,
            invitations_sent_on: None,
            advice_circulated_on: None,
            ..row
        };
        assert_eq!(review_steps(&backwards).unwrap_err().0, "meeting_on");
    }

    #[test]
    fn an_amendment_starts_with_its_review_or_its_notice_and_the_response_follows_the_notice() {
        let row = AmendmentRow {
            amendment_id: "M-1".into(),
            plan_id: "E-1".into(),
            review_meeting_on: Some(d(2026, 5, 1)),
            review_kind: ReviewKind::Annual,
            notice_sent_on: Some(d(2026, 5, 25)),
            proposed_changes: Some("Add speech therapy".into()),
            family_responded_on: Some(d(2026, 6, 1)),
            family: FamilyResponse {
                comments: Some("Agreed".into()),
                ..FamilyResponse::default()
            },
        };
        assert_eq!(amendment_order(&row, false), Ok(()));
        // A review's decision with no notice yet: NOTICE_DUE.
        let due = AmendmentRow {
            notice_sent_on: None,
            proposed_changes: None,
            family_responded_on: None,
            family: FamilyResponse::default(),
            ..row.clone()
        };
        assert_eq!(amendment_order(&due, true), Ok(()));
        let column = |r: &AmendmentRow, kind: bool| amendment_order(r, kind).unwrap_err().0;
        let outside = AmendmentRow {
            review_meeting_on: None,
            ..due.clone()
        };
        assert_eq!(column(&outside, false), "notice_sent_on");
        assert_eq!(column(&outside, true), "review_kind");
        let early = AmendmentRow {
            notice_sent_on: Some(d(2026, 4, 30)),
            ..row.clone()
        };
        assert_eq!(column(&early, false), "notice_sent_on");
        let silent = AmendmentRow {
            family: FamilyResponse::default(),
            ..row.clone()
        };
        assert_eq!(column(&silent, false), "family_responded_on");
        let undated = AmendmentRow {
            family_responded_on: None,
            ..row.clone()
        };
        assert_eq!(column(&undated, false), "family_responded_on");
        let nothing_proposed = AmendmentRow {
            proposed_changes: None,
            ..row
        };
        assert_eq!(column(&nothing_proposed, false), "proposed_changes");
    }

    #[test]
    fn an_amendment_in_progress_comes_from_its_plans_last_review() {
        let row = AmendmentRow {
            amendment_id: "M-1".into(),
            plan_id: "E-1".into(),
            review_meeting_on: Some(d(2026, 5, 1)),
            review_kind: ReviewKind::Annual,
            notice_sent_on: Some(d(2026, 5, 20)),
            proposed_changes: Some("Add speech therapy".into()),
            family_responded_on: None,
            family: FamilyResponse::default(),
        };
        let issued = d(2020, 9, 14);
        assert_eq!(
            amendment_fits_plan(&row, issued, Some(d(2026, 5, 20))),
            Ok(())
        );
        // The decision on the meeting's own day is the boundary.
        assert_eq!(
            amendment_fits_plan(&row, issued, Some(d(2026, 5, 1))),
            Ok(())
        );
        let column = |r: &AmendmentRow, issued, decided| {
            amendment_fits_plan(r, issued, decided).unwrap_err().0
        };
        assert_eq!(
            column(&row, issued, Some(d(2026, 4, 30))),
            "review_meeting_on"
        );
        assert_eq!(column(&row, issued, None), "review_meeting_on");
        assert_eq!(column(&row, issued, Some(d(2026, 5, 21))), "notice_sent_on");
        assert_eq!(column(&row, d(2026, 5, 2), None), "review_meeting_on");
        let outside = AmendmentRow {
            review_meeting_on: None,
            ..row
        };
        // Outside a review only the plan's issue matters.
        assert_eq!(amendment_fits_plan(&outside, issued, None), Ok(()));
        assert_eq!(column(&outside, d(2026, 5, 21), None), "notice_sent_on");
    }

    #[test]
    fn an_assessments_steps_replay_in_date_order_and_one_out_of_order_is_refused() {
        let row = AssessmentRow {
            assessment_id: "A1".into(),
            child_id: "C1".into(),
            kind: AssessmentKind::Initial,
            requested_by: RequestedBy::Parent,
            received_on: d(2025, 1, 6),
            caseworker: None,
            decided_to_assess_on: Some(d(2025, 2, 10)),
            decided_not_to_assess_on: None,
            decision_reasons: None,
            draft_sent_on: Some(d(2025, 4, 1)),
            relevant_youth_accommodation: false,
        };
        let ep = AdviceRow {
            advice_id: "V1".into(),
            assessment_id: "A1".into(),
            service: AdviceService::EducationalPsychology,
            professional_id: None,
            requested_on: d(2025, 2, 10),
            received_on: Some(d(2025, 3, 20)),
            declined_on: None,
            note: Some("seen".into()),
        };
        let steps = assessment_steps(&row, &[&ep]).unwrap();
        assert_eq!(
            steps,
            vec![
                AssessmentStep::DecideToAssess(d(2025, 2, 10)),
                AssessmentStep::RequestAdvice(0, d(2025, 2, 10)),
                AssessmentStep::AnswerAdvice(0, d(2025, 3, 20)),
                AssessmentStep::SendDraft(d(2025, 4, 1)),
            ]
        );
        // Advice asked before the decision to assess.
        let early = AdviceRow {
            requested_on: d(2025, 2, 1),
            received_on: None,
            ..ep.clone()
        };
        assert_eq!(assessment_steps(&row, &[&early]).unwrap_err().0, 0);
        // Advice asked after the draft went.
        let late = AdviceRow {
            requested_on: d(2025, 4, 2),
            received_on: None,
            ..ep
        };
        assert!(assessment_steps(&row, &[&late]).is_err());
    }

    #[test]
    fn one_pass_reports_every_problem_with_its_row_column_and_value() {
        let today = d(2026, 12, 2);
        let tables = vec![
            table(Sheet::Localities, &[&["North"]]),
            table(
                Sheet::Children,
                &[
                    &["C1", "Ada Lovelace", "", "2015-03-04", "North", "", "", ""],
                    &["C2", "Alan Turing", "", "2030-01-01", "Nowhere", "", "", ""],
                    &["C1", "Ada Again", "", "04/03/2015", "North", "", "", ""],
                ],
            ),
            table(Sheet::Parents, &[&["P1", "Byron", "", "", ""]]),
            table(Sheet::ParentLinks, &[&["P1", "C9", ""]]),
            table(
                Sheet::Plans,
                &[
                    &[
                        "E1",
                        "C1",
                        "2020-05-01",
                        "",
                        "2019-05-01",
                        "ASD",
                        "",
                        "",
                        "",
                    ],
                    &["E2", "C1", "2021-05-01", "", "", "XYZ", "", "", ""],
                ],
            ),
            table(
                Sheet::Assessments,
                &[&[
                    "A1",
                    "C1",
                    "",
                    "PARENT",
                    "2025-01-10",
                    "",
                    "2025-01-01",
                    "",
                    "",
                    "",
                ]],
            ),
        ];
        let (_, problems) = check(&tables, &Known::default(), today);
        let got: Vec<(&str, usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.sheet, p.row, p.column.as_str(), p.value.as_str()))
            .collect();
        for want in [
            ("children", 3, "date_of_birth", "2030-01-01"),
            ("children", 4, "child_id", "C1"),
            ("children", 3, "locality", "Nowhere"),
            ("parent_links", 2, "child_id", "C9"),
            ("plans", 2, "last_review_decision_on", "2019-05-01"),
            ("plans", 3, "primary_need", "XYZ"),
            ("assessments", 2, "decided_to_assess_on", "2025-01-01"),
            ("assessments", 2, "kind", "INITIAL"),
        ] {
            assert!(got.contains(&want), "missing {want:?} in {problems:#?}");
        }
        // The second plan for C1 is also refused once its need is fixed.
        let tables = vec![
            table(Sheet::Localities, &[&["North"]]),
            table(
                Sheet::Children,
                &[&["C1", "Ada Lovelace", "", "2015-03-04", "North", "", "", ""]],
            ),
            table(
                Sheet::Plans,
                &[
                    &["E1", "C1", "2020-05-01", "", "", "ASD", "", "", ""],
                    &["E2", "C1", "2021-05-01", "", "", "SLCN", "", "", ""],
                ],
            ),
        ];
        let (_, problems) = check(&tables, &Known::default(), today);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(
            (problems[0].row, problems[0].column.as_str()),
            (3, "child_id")
        );
    }

    #[test]
    fn an_unknown_header_or_a_missing_required_column_is_named() {
        let t = Table {
            sheet: Sheet::Children,
            header: vec!["child_id".into(), "legal_name".into(), "dob".into()],
            rows: vec![],
        };
        let (_, problems) = check(&[t], &Known::default(), d(2026, 1, 1));
        let cols: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        assert!(cols.contains(&"dob"));
        assert!(cols.contains(&"date_of_birth"));
        assert!(cols.contains(&"locality"));
    }
}
