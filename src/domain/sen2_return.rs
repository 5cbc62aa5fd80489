//! The SEN2 person-level return for one census date: who is in it, what each of their items
//! is, the checks before sending, and the XML (in the structure of `SEN2.md` §2 and the
//! element order the 2026 specification is reported to use). Pure: the facts come in, the
//! return goes out; the same facts give the same XML.
//!
//! The items and codes come from what could be read of the DfE's guide (see
//! `data/sen2/README.md`); a rule that is this project's, not the DfE's, says so.
use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::assessment::RequestedBy;
use super::placement::{PersonalBudget, Placement, Setting};
use super::sen2::PersonDetails;

/// The tags whose spelling the sources disagree on, as the 2026 schema (LX26) spells them
/// (`data/sen2/RESEARCH.md` §17): one place to correct them.
mod tag {
    pub const SEN_SETTING: &str = "SENSetting";
    pub const SEN_SETTING_OTHER: &str = "SENSettingOther";
    pub const PLAN_RES: &str = "PlanRes";
    pub const PLAN_WBP: &str = "PlanWBP";
    pub const RES: &str = "Res";
    pub const WBP: &str = "WBP";
}

/// The census (reference) date and the collection period before it: the calendar year
/// before the census's (1 January to 31 December).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Census {
    pub reference_date: NaiveDate,
}

impl Census {
    pub fn year(self) -> i32 {
        self.reference_date.year()
    }
    pub fn period_start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year() - 1, 1, 1).expect("a valid year")
    }
    pub fn period_end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year() - 1, 12, 31).expect("a valid year")
    }
    pub(super) fn in_period(self, d: NaiveDate) -> bool {
        (self.period_start()..=self.period_end()).contains(&d)
    }
    /// On or before the census date: what the return can know of.
    pub(super) fn by(self, d: Option<NaiveDate>) -> Option<NaiveDate> {
        d.filter(|d| *d <= self.reference_date)
    }
}

/// What the system holds of one child or young person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    pub child_id: i64,
    pub legal_name: String,
    pub date_of_birth: NaiveDate,
    pub details: PersonDetails,
    pub requests: Vec<RequestFacts>,
}

/// One request for a needs assessment (an assessment record), or a plan from before the
/// system (no request recorded: it goes in as historical, H).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFacts {
    pub assessment_id: Option<i64>,
    /// An initial request (not a re-assessment, nor an assessment or plan a Tribunal
    /// ordered): only these are requests and new plans in the DfE's figures.
    pub initial: bool,
    /// Made while the child or young person was in relevant youth accommodation (2.3).
    pub relevant_youth_accommodation: bool,
    pub received_on: Option<NaiveDate>,
    pub requested_by: Option<RequestedBy>,
    pub decided_to_assess_on: Option<NaiveDate>,
    pub decided_not_to_assess_on: Option<NaiveDate>,
    pub decided_not_to_issue_on: Option<NaiveDate>,
    pub final_issued_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
    /// Moved to another LA before the assessment was complete: when, and the LA's code.
    pub transferred_out: Option<(NaiveDate, Option<String>)>,
    /// Whether an exception to the 20-week limit applied (`Week20`).
    pub exception_applies: bool,
    /// Mediation held, and a Tribunal hearing held, on or before the census date, about the
    /// decision on the request (refusal to assess) and on the assessment (refusal to issue,
    /// or the plan issued).
    pub request_mediation: bool,
    pub request_tribunal: bool,
    pub assessment_mediation: bool,
    pub assessment_tribunal: bool,
    /// Mediation and Tribunal hearings held by the census date about the plan for other
    /// reasons (its contents, the setting it names, a decision not to amend or to cease).
    pub other_mediation: bool,
    pub other_tribunal: bool,
    pub plan: Option<PlanFacts>,
}

/// The EHC plan a request led to (or one from before the system).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanFacts {
    pub plan_id: i64,
    pub issued_on: NaiveDate,
    /// Transferred in from another LA: when, and as recorded (a three-digit LA code is the
    /// return's `TransferLA`).
    pub transferred_in: Option<(NaiveDate, String)>,
    pub ceased_on: Option<NaiveDate>,
    /// The SEN2 cease reason, 1 to 9.
    pub cease_reason: Option<i16>,
    pub transferred_out_on: Option<NaiveDate>,
    /// Replaced by the plan of a re-assessment, on that plan's issue.
    pub replaced_on: Option<NaiveDate>,
    /// SEN2 need codes, the primary first.
    pub needs: Vec<String>,
    /// Annual reviews: the meeting and, once decided, the decision's day and code (A, C, M).
    pub reviews: Vec<ReviewFacts>,
    pub phase_transfer_due_on: Option<NaiveDate>,
    pub phase_transfer_final_on: Option<NaiveDate>,
    /// Where the child or young person is placed, over time, by entry date then rank.
    pub placements: Vec<Placement>,
    /// The personal budget (4.4), when recorded.
    pub personal_budget: Option<PersonalBudget>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFacts {
    pub meeting_on: NaiveDate,
    pub meeting_held: bool,
    pub decided_on: Option<NaiveDate>,
    /// `A` amend, `C` cease, `M` maintain.
    pub outcome: Option<&'static str>,
    /// For an amend decision, the day the draft amended plan went to the family (5.4d).
    pub draft_on: Option<NaiveDate>,
}

impl PlanFacts {
    /// Maintained on the census date: issued by then, and not ceased or transferred out.
    /// Maintained by this council on the census date: issued (or transferred in) by then,
    /// and not ceased, transferred out or replaced.
    pub(super) fn active_on(&self, census: Census) -> bool {
        let d = census.reference_date;
        self.issued_on <= d
            && self.transferred_in.as_ref().is_none_or(|(on, _)| *on <= d)
            && self.ceased_on.is_none_or(|c| c > d)
            && self.transferred_out_on.is_none_or(|t| t > d)
            && self.replaced_on.is_none_or(|r| r > d)
    }
    /// When this council stopped maintaining it: ceased, or transferred to another LA (the
    /// return's cease reason 5, unless a reason was recorded).
    pub(super) fn ended(&self) -> Option<(NaiveDate, Option<i16>)> {
        match (self.ceased_on, self.transferred_out_on) {
            (Some(on), _) => Some((on, self.cease_reason)),
            (None, Some(on)) => Some((on, Some(self.cease_reason.unwrap_or(5)))),
            (None, None) => None,
        }
    }
    pub(super) fn ceased_in_period(&self, census: Census) -> bool {
        self.ended().is_some_and(|(on, _)| census.in_period(on))
    }
}

/// How serious a finding is: an error stops the DfE's COLLECT authorising the return; a
/// query asks the council to explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Query,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Query => "QUERY",
        }
    }
}

/// One finding of the checks before sending: for whom, which item, what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub child_id: i64,
    pub person: String,
    /// The guide's item, e.g. "1.4 Sex".
    pub item: &'static str,
    pub severity: Severity,
    pub message: String,
}

/// An XML element: text, or children in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: &'static str,
    pub text: Option<String>,
    pub children: Vec<Element>,
}

impl Element {
    fn text(name: &'static str, text: impl Into<String>) -> Self {
        Element {
            name,
            text: Some(text.into()),
            children: Vec::new(),
        }
    }
    fn parent(name: &'static str, children: Vec<Element>) -> Self {
        Element {
            name,
            text: None,
            children,
        }
    }
    fn flag(name: &'static str, on: bool) -> Self {
        Element::text(name, if on { "1" } else { "0" })
    }
    fn date(name: &'static str, d: NaiveDate) -> Self {
        Element::text(name, d.format("%Y-%m-%d").to_string())
    }
}

/// The return's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub la_code: String,
    pub software_code: String,
    pub release: String,
    /// When the data was last changed (deterministic: the same data, the same file).
    pub date_time: NaiveDateTime,
    /// Whether the designated medical, clinical and social care officers are in post (Y, N,
    /// R), when recorded.
    pub officers: [Option<String>; 3],
}

/// The LA's officers the header carries: the element, the finding's item, whose post it is.
const OFFICERS: [(&str, &str, &str); 3] = [
    ("DMO", "Header DMO", "medical"),
    ("DCO", "Header DCO", "clinical"),
    ("DSCO", "Header DSCO", "social care"),
];

impl Header {
    /// The header's own checks: the officers in post are mandatory in 2026.
    pub fn findings(&self) -> Vec<Finding> {
        OFFICERS
            .iter()
            .zip(&self.officers)
            .filter(|(_, v)| v.is_none())
            .map(|((_, item, who), _)| Finding {
                child_id: 0,
                person: "(the local authority)".into(),
                item,
                severity: Severity::Error,
                message: format!(
                    "whether the designated {who} officer is in post (Y, N, R) is not \
                     recorded: setDesignatedOfficers"
                ),
            })
            .collect()
    }
}

/// The return: its people (as XML elements) and the findings of the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sen2Return {
    pub census: Census,
    pub persons: Vec<Element>,
    pub findings: Vec<Finding>,
    /// The figures the DfE will publish from it, to check before sending.
    pub figures: Vec<super::sen2_figures::Figure>,
}

/// Whether a request belongs in the return for `census` (SEN2.md §1.2): made or decided in
/// the collection period, still open on the census date, or behind a plan maintained on the
/// census date or ceased in the period.
pub fn request_in_scope(r: &RequestFacts, census: Census) -> bool {
    let d = census.reference_date;
    let received = r.received_on.filter(|x| *x <= d);
    if r.received_on.is_some() && received.is_none() {
        return false;
    }
    let plan = r
        .plan
        .as_ref()
        .is_some_and(|p| p.active_on(census) || p.ceased_in_period(census));
    let decided_in_period = [
        r.decided_to_assess_on,
        r.decided_not_to_assess_on,
        r.decided_not_to_issue_on,
        r.final_issued_on,
        r.withdrawn_on,
        r.transferred_out.as_ref().map(|t| t.0),
    ]
    .into_iter()
    .flatten()
    .any(|x| census.in_period(x));
    let closed_by = [
        r.decided_not_to_assess_on,
        r.decided_not_to_issue_on,
        r.final_issued_on,
        r.withdrawn_on,
        r.transferred_out.as_ref().map(|t| t.0),
    ]
    .into_iter()
    .flatten()
    .filter(|x| *x <= d)
    .min();
    let open_on_census = received.is_some() && closed_by.is_none();
    plan || decided_in_period || open_on_census || received.is_some_and(|x| census.in_period(x))
}

/// The request's source code (2.2) for who made it.
pub fn request_source(by: RequestedBy) -> &'static str {
    match by {
        RequestedBy::Parent | RequestedBy::YoungPerson => "1",
        RequestedBy::SchoolOrSetting => "2",
        RequestedBy::HealthProfessional => "3",
        RequestedBy::SocialCareProfessional => "4",
        RequestedBy::Other => "5",
    }
}

/// Surname and forename from the one legal name the system keeps: the last word is the
/// surname (a known gap: the README says so).
pub fn split_name(legal_name: &str) -> (String, String) {
    let name = legal_name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((fore, sur)) => (sur.trim().to_owned(), fore.trim().to_owned()),
        None => (name.to_owned(), String::new()),
    }
}

/// Builds the return for `census` from everyone the council holds.
pub fn build(people: &[PersonFacts], census: Census) -> Sen2Return {
    let mut persons = Vec::new();
    let mut findings = Vec::new();
    for p in people {
        let requests: Vec<&RequestFacts> = p
            .requests
            .iter()
            .filter(|r| request_in_scope(r, census))
            .collect();
        if requests.is_empty() {
            continue;
        }
        let mut check = Checks {
            child_id: p.child_id,
            person: p.legal_name.clone(),
            findings: &mut findings,
        };
        persons.push(person(p, &requests, census, &mut check));
    }
    Sen2Return {
        census,
        persons,
        findings,
        figures: super::sen2_figures::figures(people, census),
    }
}

struct Checks<'a> {
    child_id: i64,
    person: String,
    findings: &'a mut Vec<Finding>,
}

impl Checks<'_> {
    fn add(&mut self, item: &'static str, severity: Severity, message: impl Into<String>) {
        self.findings.push(Finding {
            child_id: self.child_id,
            person: self.person.clone(),
            item,
            severity,
            message: message.into(),
        });
    }
}

fn person(
    p: &PersonFacts,
    requests: &[&RequestFacts],
    census: Census,
    c: &mut Checks<'_>,
) -> Element {
    let (surname, forename) = split_name(&p.legal_name);
    let d = &p.details;
    let mut items = vec![
        Element::text("Surname", surname),
        Element::text("Forename", forename.clone()),
        Element::date("PersonBirthDate", p.date_of_birth),
    ];
    if forename.is_empty() {
        c.add(
            "1.2 Forename",
            Severity::Error,
            "the legal name is one word: give the forename and surname",
        );
    }
    match &d.sex {
        Some(sex) => items.push(Element::text("Sex", sex.clone())),
        None => c.add("1.4 Sex", Severity::Error, "sex is not recorded"),
    }
    match &d.ethnicity {
        Some(e) => items.push(Element::text("Ethnicity", e.clone())),
        None => c.add(
            "1.5 Ethnicity",
            Severity::Error,
            "ethnicity is not recorded (NOBT when not yet obtained, REFU when declined)",
        ),
    }
    if let Some(pc) = &d.home_postcode {
        items.push(Element::text("PostCode", pc.clone()));
    }
    if let Some(upn) = &d.upn {
        items.push(Element::text("UPN", upn.clone()));
    }
    if let Some(uln) = &d.uln {
        items.push(Element::text("UniqueLearnerNumber", uln.clone()));
    }
    if let Some(reason) = &d.upn_unknown {
        items.push(Element::text("UPNunknown", reason.clone()));
    }
    if d.upn.is_none() && d.uln.is_none() && d.upn_unknown.is_none() {
        c.add(
            "1.7 UPN",
            Severity::Error,
            "neither a UPN, a ULN nor the reason both are unavailable is recorded",
        );
    }
    for r in requests {
        items.push(request(r, census, c));
    }
    Element::parent("Person", items)
}

/// The request's outcome on the census date (2.5) and its date (2.4).
pub(super) fn request_outcome(
    r: &RequestFacts,
    census: Census,
) -> (&'static str, Option<NaiveDate>) {
    if r.assessment_id.is_none() {
        return ("H", None);
    }
    if let Some(on) = census.by(r.decided_to_assess_on) {
        return if on < census.period_start() {
            ("H", None)
        } else {
            ("Y", Some(on))
        };
    }
    if let Some(on) = census.by(r.decided_not_to_assess_on) {
        return ("N", Some(on));
    }
    if census.by(r.withdrawn_on).is_some()
        || census.by(r.transferred_out.as_ref().map(|t| t.0)).is_some()
    {
        return ("W", None);
    }
    ("A", None)
}

fn request(r: &RequestFacts, census: Census, c: &mut Checks<'_>) -> Element {
    let (outcome, outcome_on) = request_outcome(r, census);
    let mut items = Vec::new();
    if let Some(on) = r.received_on {
        items.push(Element::date("ReceivedDate", on));
    }
    match r.requested_by {
        Some(by) if outcome != "H" => {
            items.push(Element::text("RequestSource", request_source(by)))
        }
        _ => {}
    }
    if outcome != "H" {
        items.push(Element::flag("RYA", r.relevant_youth_accommodation));
    }
    if let Some(on) = outcome_on {
        items.push(Element::date("RequestOutcomeDate", on));
    }
    items.push(Element::text("RequestOutcome", outcome));
    if matches!(outcome, "Y" | "N") {
        items.push(Element::flag("RequestMediation", r.request_mediation));
        items.push(Element::flag("RequestTribunal", r.request_tribunal));
    }
    let exported = r.transferred_out.as_ref().is_some_and(|(on, _)| {
        *on <= census.reference_date && r.final_issued_on.is_none_or(|f| f > *on)
    });
    if let Some((_, to)) = &r.transferred_out
        && exported
    {
        match to.as_deref().filter(|t| is_la_code(t)) {
            Some(code) => items.push(Element::text("Exported", code)),
            None => {
                items.push(Element::text("Exported", "XXX"));
                c.add(
                    "2.8 Exported",
                    Severity::Query,
                    "moved to another LA before the assessment was complete, but the LA's \
                     three-digit code is not recorded: XXX (unknown) is sent",
                );
            }
        }
    }
    // Once exported, nothing further is needed from this council (guide, item 2.8).
    if exported {
        return Element::parent("Requests", items);
    }
    // The assessment's outcome is its own: a request decided before the period (H) may have
    // led to a plan issued, or refused, in it.
    if matches!(outcome, "Y" | "H") {
        items.push(assessment(r, census, c));
    }
    if let Some(plan) = &r.plan
        && plan.active_on(census)
    {
        items.push(active_plan(plan, census, c));
    }
    Element::parent("Requests", items)
}

fn is_la_code(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit())
}

fn assessment(r: &RequestFacts, census: Census, c: &mut Checks<'_>) -> Element {
    // A plan from before the system has no assessment here: historical.
    let historical = r.assessment_id.is_none();
    let issued = census.by(r.final_issued_on).or_else(|| {
        r.plan
            .as_ref()
            .filter(|_| r.assessment_id.is_none())
            .map(|p| p.issued_on)
            .filter(|d| *d <= census.reference_date)
    });
    let (outcome, on) = if historical
        || issued.is_some_and(|d| d < census.period_start())
        || r.plan.as_ref().is_some_and(|p| p.transferred_in.is_some())
    {
        ("H", None)
    } else if let Some(d) = issued {
        ("Y", Some(d))
    } else if let Some(d) = census.by(r.decided_not_to_issue_on) {
        ("N", Some(d))
    } else if census.by(r.withdrawn_on).is_some()
        || census.by(r.transferred_out.as_ref().map(|t| t.0)).is_some()
    {
        ("W", None)
    } else {
        ("A", None)
    };
    let mut items = vec![Element::text("AssessmentOutcome", outcome)];
    if let Some(d) = on {
        items.push(Element::date("AssessmentOutcomeDate", d));
        items.push(Element::flag("AssessmentMediation", r.assessment_mediation));
        items.push(Element::flag("AssessmentTribunal", r.assessment_tribunal));
        items.push(Element::flag("OtherMediation", r.other_mediation));
        items.push(Element::flag("OtherTribunal", r.other_tribunal));
        items.push(Element::flag("Week20", r.exception_applies));
    }
    if matches!(outcome, "Y" | "H")
        && let Some(plan) = &r.plan
        && plan.issued_on <= census.reference_date
    {
        items.push(named_plan(plan, census, c));
    }
    Element::parent("Assessment", items)
}

fn named_plan(plan: &PlanFacts, census: Census, c: &mut Checks<'_>) -> Element {
    let mut items = vec![Element::date("StartDate", plan.issued_on)];
    // The settings the plan named when issued (4.7), the main one and a secondary one.
    let named = named_at_issue(plan);
    if named.is_empty() {
        c.add(
            "4.7 PlanDetail",
            Severity::Error,
            "the setting named in the plan is not recorded (setPlacements: a URN, UKPRN or SEN \
             setting type)",
        );
    }
    for p in &named {
        items.push(Element::parent("PlanDetail", setting_items(p, None)));
    }
    if let Some(main) = named.iter().find(|p| p.rank == 1) {
        if let Some(res) = &main.residential {
            items.push(Element::text(tag::PLAN_RES, res.clone()));
        }
        if let Some(wbp) = &main.work_based_learning {
            items.push(Element::text(tag::PLAN_WBP, wbp.clone()));
        }
    }
    match &plan.personal_budget {
        Some(pb) => {
            items.push(Element::flag("PB", pb.taken_up));
            if pb.taken_up {
                items.push(Element::flag("OA", pb.organised_arrangements));
                if let Some(dp) = &pb.direct_payments {
                    items.push(Element::text("DP", dp.clone()));
                }
            }
        }
        None => c.add(
            "4.4 PB",
            Severity::Error,
            "whether a personal budget was taken up is not recorded (setPersonalBudget)",
        ),
    }
    if let Some((ceased, reason)) = plan.ended().filter(|(on, _)| *on <= census.reference_date) {
        items.push(Element::date("CeaseDate", ceased));
        match reason {
            Some(reason) => items.push(Element::text("CeaseReason", reason.to_string())),
            None => c.add(
                "4.6 CeaseReason",
                Severity::Error,
                "the plan ceased with no reason",
            ),
        }
        if reason == Some(9) {
            c.add(
                "4.6 CeaseReason",
                Severity::Query,
                "ceased for another reason (9): COLLECT asks about large numbers of these",
            );
        }
    }
    Element::parent("NamedPlan", items)
}

/// The settings the plan named when it was issued: the main placement held on its issue
/// day (or else the first after it, as a plan issued in July names September's school, or
/// else the last before it), and a secondary one held beside it on the day the main one
/// applied from. This project's reading of 4.7: the placement history, not a copy of the
/// plan's text, is what is recorded.
fn named_at_issue(plan: &PlanFacts) -> Vec<&Placement> {
    let mains = || plan.placements.iter().filter(|p| p.rank == 1);
    let Some(main) = mains()
        .find(|p| p.on(plan.issued_on))
        .or_else(|| mains().find(|p| p.entry_on > plan.issued_on))
        .or_else(|| mains().next_back())
    else {
        return Vec::new();
    };
    let from = main.entry_on.max(plan.issued_on);
    let secondary = plan.placements.iter().find(|p| p.rank == 2 && p.on(from));
    std::iter::once(main).chain(secondary).collect()
}

/// A setting's items, in the schema's order; `census` adds the placement's dates, the
/// residential and work-based items (PlacementDetail, 5.7) to what PlanDetail (4.7) holds.
fn setting_items(p: &Placement, census: Option<NaiveDate>) -> Vec<Element> {
    let mut items = vec![match &p.setting {
        Setting::Urn(urn) => Element::text("URN", urn.clone()),
        Setting::Ukprn(ukprn) => Element::text("UKPRN", ukprn.clone()),
        Setting::Kind(kind) => Element::text(tag::SEN_SETTING, kind.clone()),
    }];
    if let Some(other) = &p.setting_other {
        items.push(Element::text(tag::SEN_SETTING_OTHER, other.clone()));
    }
    items.push(Element::text("PlacementRank", p.rank.to_string()));
    if let Some(d) = census {
        items.push(Element::date("EntryDate", p.entry_on));
        if let Some(left) = p.leaving_on.filter(|l| *l <= d) {
            items.push(Element::date("LeavingDate", left));
        }
    }
    items.push(Element::flag("SENunitIndicator", p.sen_unit));
    items.push(Element::flag(
        "ResourcedProvisionIndicator",
        p.resourced_provision,
    ));
    if census.is_some() {
        if let Some(res) = &p.residential {
            items.push(Element::text(tag::RES, res.clone()));
        }
        if let Some(wbp) = &p.work_based_learning {
            items.push(Element::text(tag::WBP, wbp.clone()));
        }
    }
    items
}

fn active_plan(plan: &PlanFacts, census: Census, c: &mut Checks<'_>) -> Element {
    let mut items = Vec::new();
    if let Some((on, from)) = &plan.transferred_in
        && census.in_period(*on)
    {
        if is_la_code(from) {
            items.push(Element::text("TransferLA", from.clone()));
        } else {
            items.push(Element::text("TransferLA", "XXX"));
            c.add(
                "5.1 TransferLA",
                Severity::Query,
                format!(
                    "transferred in from \"{from}\": record the LA's three-digit code (XXX, \
                     unknown, is sent)"
                ),
            );
        }
    }
    // The placements held in the collection year up to the census date (5.7).
    let d = census.reference_date;
    let held: Vec<&Placement> = plan
        .placements
        .iter()
        .filter(|p| p.entry_on <= d && p.leaving_on.is_none_or(|l| l >= census.period_start()))
        .collect();
    if !held.iter().any(|p| p.rank == 1 && p.on(d)) {
        c.add(
            "5.7 PlacementDetail",
            Severity::Error,
            format!(
                "no main placement (rank 1) is recorded for the census date {d} \
                 (setPlacements: a URN, UKPRN or SEN setting type such as NIEO)"
            ),
        );
    }
    for p in &held {
        items.push(Element::parent(
            "PlacementDetail",
            setting_items(p, Some(d)),
        ));
        if let Setting::Kind(kind) = &p.setting
            && matches!(kind.as_str(), "OTH" | "NIEO")
        {
            c.add(
                "5.7c SENSetting",
                Severity::Query,
                if p.setting_other.is_none() {
                    format!(
                        "placed as {kind} from {} with no detail: COLLECT asks for it \
                         (senSettingOther)",
                        p.entry_on
                    )
                } else {
                    format!(
                        "placed as {kind} from {}: COLLECT asks about these",
                        p.entry_on
                    )
                },
            );
        }
    }
    if plan.needs.is_empty() {
        c.add(
            "5.8 SENneed",
            Severity::Error,
            "the plan's primary need is not recorded",
        );
    }
    for (rank, need) in plan.needs.iter().take(2).enumerate() {
        items.push(Element::parent(
            "SENneed",
            vec![
                Element::text("SENtype", need.clone()),
                Element::text("SENtypeRank", (rank + 1).to_string()),
            ],
        ));
    }
    // The latest review meeting held on or before the census date, and its decision when
    // that was made by then (C1).
    let last = plan
        .reviews
        .iter()
        .filter(|r| r.meeting_held && r.meeting_on <= census.reference_date)
        .max_by_key(|r| r.meeting_on);
    if let Some(review) = last {
        items.push(Element::date("ReviewMeeting", review.meeting_on));
        if let (Some(outcome), Some(_)) = (review.outcome, census.by(review.decided_on)) {
            items.push(Element::text("ReviewOutcome", outcome));
            if let Some(draft) = census.by(review.draft_on).filter(|_| outcome == "A") {
                items.push(Element::date("ReviewDraft", draft));
            }
        }
    }
    if let Some(d) = plan.phase_transfer_due_on {
        items.push(Element::date("PhaseTransferDueDate", d));
    }
    if let Some(d) = census.by(plan.phase_transfer_final_on) {
        items.push(Element::date("PhaseTransferFinalDate", d));
    }
    let last_decision = plan
        .reviews
        .iter()
        .filter_map(|r| census.by(r.decided_on))
        .max();
    if let Some(d) = last_decision {
        items.push(Element::date("LastReview", d));
    }
    Element::parent("ActivePlans", items)
}

/// The return as XML: the header, then every person. Indented two spaces, UTF-8.
pub fn to_xml(ret: &Sen2Return, header: &Header) -> String {
    let source = Element::parent(
        "Source",
        vec![
            Element::text("SourceLevel", "L"),
            Element::text("LEA", header.la_code.clone()),
            Element::text("SoftwareCode", header.software_code.clone()),
            Element::text("Release", header.release.clone()),
            Element::text("SerialNo", "001"),
            Element::text(
                "DateTime",
                header.date_time.format("%Y-%m-%dT%H:%M:%S").to_string(),
            ),
        ]
        .into_iter()
        .chain(
            OFFICERS
                .iter()
                .zip(&header.officers)
                .filter_map(|((tag, ..), v)| v.as_ref().map(|v| Element::text(tag, v.clone()))),
        )
        .collect(),
    );
    let message = Element::parent(
        "Message",
        vec![
            Element::parent(
                "Header",
                vec![
                    Element::parent(
                        "CollectionDetails",
                        vec![
                            Element::text("Collection", "SEN2"),
                            Element::text("Year", ret.census.year().to_string()),
                            Element::date("ReferenceDate", ret.census.reference_date),
                        ],
                    ),
                    source,
                ],
            ),
            Element::parent("Persons", ret.persons.clone()),
        ],
    );
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    writer
        .write_event(quick_xml::events::Event::Decl(
            quick_xml::events::BytesDecl::new("1.0", Some("UTF-8"), None),
        ))
        .expect("writing to memory");
    write(&mut writer, &message).expect("writing to memory");
    let mut xml = String::from_utf8(writer.into_inner()).expect("UTF-8 in, UTF-8 out");
    xml.push('\n');
    xml
}

fn write(w: &mut quick_xml::Writer<Vec<u8>>, e: &Element) -> std::io::Result<()> {
    let element = w.create_element(e.name);
    match &e.text {
        Some(text) => {
            element.write_text_content(quick_xml::events::BytesText::new(text))?;
        }
        None => {
            element.write_inner_content(|w| {
                for child in &e.children {
                    write(w, child)?;
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const CENSUS: Census = Census {
        reference_date: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
    };

    fn details(sex: &str) -> PersonDetails {
        PersonDetails {
            upn: Some("B801200005001".into()),
            sex: Some(sex.into()),
            ethnicity: Some("WBRI".into()),
            home_postcode: Some("CA1 1RD".into()),
            ..PersonDetails::default()
        }
    }

    fn plan(id: i64, issued_on: NaiveDate) -> PlanFacts {
        PlanFacts {
            plan_id: id,
            issued_on,
            needs: vec!["ASD".into()],
            placements: vec![placed(1, Setting::Urn("100000".into()), issued_on, None)],
            personal_budget: Some(PersonalBudget::default()),
            ..PlanFacts::default()
        }
    }

    fn placed(
        rank: i16,
        setting: Setting,
        entry_on: NaiveDate,
        leaving_on: Option<NaiveDate>,
    ) -> Placement {
        Placement {
            rank,
            setting,
            setting_other: None,
            entry_on,
            leaving_on,
            sen_unit: false,
            resourced_provision: false,
            residential: None,
            work_based_learning: None,
        }
    }

    /// One person at each boundary the issue names.
    fn people() -> Vec<PersonFacts> {
        vec![
            // A plan maintained on the census date from a request before the period (H),
            // reviewed in it; and a second request in the period, refused.
            PersonFacts {
                child_id: 1,
                legal_name: "Ana Maria Active".into(),
                date_of_birth: d(2015, 5, 4),
                details: details("F"),
                requests: vec![
                    RequestFacts {
                        assessment_id: Some(10),
                        received_on: Some(d(2023, 3, 1)),
                        requested_by: Some(RequestedBy::Parent),
                        decided_to_assess_on: Some(d(2023, 4, 10)),
                        final_issued_on: Some(d(2023, 7, 14)),
                        plan: Some(PlanFacts {
                            needs: vec!["ASD".into(), "SLCN".into()],
                            // Moved school in the period; the new one's SEN unit with therapy
                            // the LA arranges beside it (a dual placement).
                            placements: vec![
                                placed(
                                    1,
                                    Setting::Urn("100000".into()),
                                    d(2019, 9, 4),
                                    Some(d(2025, 7, 22)),
                                ),
                                Placement {
                                    sen_unit: true,
                                    ..placed(1, Setting::Urn("100001".into()), d(2025, 9, 3), None)
                                },
                                Placement {
                                    setting_other: Some("speech and language therapy".into()),
                                    ..placed(2, Setting::Kind("OLA".into()), d(2025, 9, 3), None)
                                },
                            ],
                            personal_budget: Some(PersonalBudget {
                                taken_up: true,
                                organised_arrangements: true,
                                direct_payments: Some("E".into()),
                            }),
                            reviews: vec![ReviewFacts {
                                meeting_on: d(2025, 6, 12),
                                meeting_held: true,
                                decided_on: Some(d(2025, 7, 3)),
                                outcome: Some("M"),
                                draft_on: None,
                            }],
                            ..plan(100, d(2023, 7, 14))
                        }),
                        ..RequestFacts::default()
                    },
                    RequestFacts {
                        assessment_id: Some(11),
                        received_on: Some(d(2025, 2, 3)),
                        requested_by: Some(RequestedBy::SchoolOrSetting),
                        decided_not_to_assess_on: Some(d(2025, 3, 14)),
                        request_mediation: true,
                        ..RequestFacts::default()
                    },
                ],
            },
            // Received on the period's last day, still open: ongoing at the request stage.
            PersonFacts {
                child_id: 2,
                legal_name: "Ben Boundary".into(),
                date_of_birth: d(2018, 9, 1),
                details: PersonDetails {
                    upn: None,
                    upn_unknown: Some("UN1".into()),
                    ..details("M")
                },
                requests: vec![RequestFacts {
                    assessment_id: Some(20),
                    received_on: Some(d(2025, 12, 31)),
                    requested_by: Some(RequestedBy::HealthProfessional),
                    ..RequestFacts::default()
                }],
            },
            // Received on 1 January, after the period, and decided before the census:
            // neither in the period nor open on the census date, so next year's.
            PersonFacts {
                child_id: 3,
                legal_name: "Cat January".into(),
                date_of_birth: d(2016, 1, 1),
                details: details("F"),
                requests: vec![RequestFacts {
                    assessment_id: Some(30),
                    received_on: Some(d(2026, 1, 1)),
                    requested_by: Some(RequestedBy::Parent),
                    decided_not_to_assess_on: Some(d(2026, 1, 12)),
                    ..RequestFacts::default()
                }],
            },
            // A plan from before the system, ceased the day before the census date: no longer
            // maintained, and ceased after the period (next year's return).
            PersonFacts {
                child_id: 4,
                legal_name: "Dan Ceased".into(),
                date_of_birth: d(2007, 2, 2),
                details: details("M"),
                requests: vec![RequestFacts {
                    plan: Some(PlanFacts {
                        ceased_on: Some(d(2026, 1, 14)),
                        cease_reason: Some(3),
                        ..plan(400, d(2019, 9, 1))
                    }),
                    ..RequestFacts::default()
                }],
            },
            // Assessed and issued in the period, with an exception to the 20 weeks; the
            // plan maintained on the census date, its review meeting held but not decided.
            PersonFacts {
                child_id: 6,
                legal_name: "Fay Issued".into(),
                date_of_birth: d(2012, 4, 4),
                details: PersonDetails {
                    upn: None,
                    uln: Some("1234567890".into()),
                    ..details("F")
                },
                requests: vec![RequestFacts {
                    assessment_id: Some(60),
                    received_on: Some(d(2025, 2, 10)),
                    requested_by: Some(RequestedBy::YoungPerson),
                    decided_to_assess_on: Some(d(2025, 3, 20)),
                    final_issued_on: Some(d(2025, 7, 25)),
                    exception_applies: true,
                    plan: Some(PlanFacts {
                        needs: vec!["SEMH".into()],
                        // A residential special school, 52 weeks a year.
                        placements: vec![Placement {
                            residential: Some("B".into()),
                            ..placed(1, Setting::Urn("100002".into()), d(2025, 9, 3), None)
                        }],
                        reviews: vec![ReviewFacts {
                            meeting_on: d(2026, 1, 8),
                            meeting_held: true,
                            decided_on: None,
                            outcome: None,
                            draft_on: None,
                        }],
                        ..plan(600, d(2025, 7, 25))
                    }),
                    ..RequestFacts::default()
                }],
            },
            // A plan from before the system, ceased in the period.
            PersonFacts {
                child_id: 5,
                legal_name: "Eve Left".into(),
                date_of_birth: d(2006, 3, 3),
                details: details("F"),
                requests: vec![RequestFacts {
                    plan: Some(PlanFacts {
                        ceased_on: Some(d(2025, 6, 30)),
                        cease_reason: Some(3),
                        // A supported internship with a post-16 provider, residential in term.
                        placements: vec![Placement {
                            residential: Some("A".into()),
                            work_based_learning: Some("S".into()),
                            ..placed(
                                1,
                                Setting::Ukprn("10012345".into()),
                                d(2018, 9, 1),
                                Some(d(2025, 6, 30)),
                            )
                        }],
                        ..plan(500, d(2018, 9, 1))
                    }),
                    ..RequestFacts::default()
                }],
            },
        ]
    }

    fn header() -> Header {
        Header {
            la_code: "909".into(),
            software_code: "ehcp".into(),
            release: "0.3.0".into(),
            date_time: d(2026, 1, 14).and_hms_opt(17, 5, 0).unwrap(),
            officers: [Some("Y".into()), Some("Y".into()), Some("R".into())],
        }
    }

    #[test]
    fn the_collection_period_is_the_calendar_year_before_the_census() {
        assert_eq!(CENSUS.period_start(), d(2025, 1, 1));
        assert_eq!(CENSUS.period_end(), d(2025, 12, 31));
        assert_eq!(
            split_name("Ana Maria Active"),
            ("Active".into(), "Ana Maria".into())
        );
        assert_eq!(request_source(RequestedBy::YoungPerson), "1");
        assert_eq!(request_source(RequestedBy::SocialCareProfessional), "4");
    }

    #[test]
    fn each_person_and_item_at_the_boundaries_gives_this_return() {
        let ret = build(&people(), CENSUS);
        let xml = to_xml(&ret, &header());
        // Every element of this file is explained by the facts above (checked by hand):
        // Cat (next year's) and Dan (ceased after the period) are not in it.
        assert_eq!(
            xml,
            include_str!("../../tests/fixtures/sen2/boundaries.xml")
        );
        // The same facts, the same file.
        assert_eq!(to_xml(&build(&people(), CENSUS), &header()), xml);
    }

    #[test]
    fn each_check_before_sending_names_the_person_and_the_item() {
        let broken = PersonFacts {
            child_id: 9,
            legal_name: "Madonna".into(),
            date_of_birth: d(2010, 1, 1),
            details: PersonDetails::default(),
            requests: vec![
                RequestFacts {
                    assessment_id: Some(90),
                    received_on: Some(d(2025, 2, 1)),
                    requested_by: Some(RequestedBy::Other),
                    decided_to_assess_on: Some(d(2025, 3, 1)),
                    transferred_out: Some((d(2025, 5, 1), Some("Elsewhere".into()))),
                    ..RequestFacts::default()
                },
                RequestFacts {
                    plan: Some(PlanFacts {
                        transferred_in: Some((d(2025, 4, 1), "Somewhere Council".into())),
                        needs: vec![],
                        // Awaiting a placement on arrival, none recorded since.
                        placements: vec![placed(
                            1,
                            Setting::Kind("NIEO".into()),
                            d(2025, 4, 1),
                            Some(d(2025, 10, 31)),
                        )],
                        ..plan(91, d(2025, 4, 1))
                    }),
                    ..RequestFacts::default()
                },
                RequestFacts {
                    plan: Some(PlanFacts {
                        ceased_on: Some(d(2025, 8, 1)),
                        cease_reason: None,
                        placements: vec![],
                        personal_budget: None,
                        ..plan(92, d(2020, 4, 1))
                    }),
                    ..RequestFacts::default()
                },
            ],
        };
        let ret = build(&[broken], CENSUS);
        let mut found: Vec<(&str, Severity)> = ret
            .findings
            .iter()
            .filter(|f| f.child_id == 9)
            .map(|f| (f.item, f.severity))
            .collect();
        found.sort();
        found.dedup();
        assert_eq!(
            found,
            vec![
                ("1.2 Forename", Severity::Error),
                ("1.4 Sex", Severity::Error),
                ("1.5 Ethnicity", Severity::Error),
                ("1.7 UPN", Severity::Error),
                ("2.8 Exported", Severity::Query),
                ("4.4 PB", Severity::Error),
                ("4.6 CeaseReason", Severity::Error),
                ("4.7 PlanDetail", Severity::Error),
                ("5.1 TransferLA", Severity::Query),
                ("5.7 PlacementDetail", Severity::Error),
                ("5.7c SENSetting", Severity::Query),
                ("5.8 SENneed", Severity::Error),
            ]
        );
        assert!(
            ret.findings
                .iter()
                .all(|f| f.child_id == 9 || f.item.starts_with("Header"))
        );
        // Other reasons in large numbers prompt a query.
        let nine = PersonFacts {
            requests: vec![RequestFacts {
                plan: Some(PlanFacts {
                    ceased_on: Some(d(2025, 8, 1)),
                    cease_reason: Some(9),
                    ..plan(93, d(2020, 4, 1))
                }),
                ..RequestFacts::default()
            }],
            ..people().remove(0)
        };
        assert!(
            build(&[nine], CENSUS)
                .findings
                .iter()
                .any(|f| f.item == "4.6 CeaseReason" && f.severity == Severity::Query)
        );
    }

    /// The XML of one person's return, for the cases below.
    fn xml_of(p: PersonFacts) -> String {
        let ret = build(&[p], CENSUS);
        to_xml(&ret, &header())
    }

    fn one(requests: Vec<RequestFacts>) -> PersonFacts {
        PersonFacts {
            child_id: 7,
            legal_name: "Hal Case".into(),
            date_of_birth: d(2012, 1, 1),
            details: details("M"),
            requests,
        }
    }

    #[test]
    fn a_review_that_decided_to_amend_sends_the_day_its_draft_went_out() {
        let reviewed = |outcome, draft_on| {
            xml_of(one(vec![RequestFacts {
                plan: Some(PlanFacts {
                    reviews: vec![ReviewFacts {
                        meeting_on: d(2025, 10, 1),
                        meeting_held: true,
                        decided_on: Some(d(2025, 10, 10)),
                        outcome: Some(outcome),
                        draft_on,
                    }],
                    ..plan(710, d(2020, 9, 1))
                }),
                ..RequestFacts::default()
            }]))
        };
        let amended = reviewed("A", Some(d(2025, 10, 10)));
        assert!(
            amended.contains(
                "<ReviewOutcome>A</ReviewOutcome>\n          <ReviewDraft>2025-10-10</ReviewDraft>"
            ),
            "{amended}"
        );
        // Not yet sent by the census date, or a decision to maintain: no draft.
        assert!(!reviewed("A", Some(d(2026, 1, 20))).contains("<ReviewDraft>"));
        assert!(!reviewed("M", Some(d(2025, 10, 10))).contains("<ReviewDraft>"));
    }

    #[test]
    fn an_assessments_outcome_is_its_own_when_the_request_was_decided_before_the_period() {
        let xml = xml_of(one(vec![RequestFacts {
            assessment_id: Some(70),
            received_on: Some(d(2024, 10, 1)),
            requested_by: Some(RequestedBy::Parent),
            decided_to_assess_on: Some(d(2024, 12, 2)),
            final_issued_on: Some(d(2025, 3, 3)),
            plan: Some(plan(700, d(2025, 3, 3))),
            ..RequestFacts::default()
        }]));
        assert!(xml.contains("<RequestOutcome>H</RequestOutcome>"), "{xml}");
        assert!(!xml.contains("<RequestOutcomeDate>"), "{xml}");
        assert!(
            xml.contains("<AssessmentOutcome>Y</AssessmentOutcome>"),
            "{xml}"
        );
        assert!(
            xml.contains("<AssessmentOutcomeDate>2025-03-03</AssessmentOutcomeDate>"),
            "{xml}"
        );
        // Still assessing on the census date: A, and no plan yet.
        let open = xml_of(one(vec![RequestFacts {
            assessment_id: Some(71),
            received_on: Some(d(2024, 10, 1)),
            requested_by: Some(RequestedBy::Parent),
            decided_to_assess_on: Some(d(2024, 12, 2)),
            ..RequestFacts::default()
        }]));
        assert!(
            open.contains("<AssessmentOutcome>A</AssessmentOutcome>"),
            "{open}"
        );
        assert!(!open.contains("<NamedPlan>"), "{open}");
    }

    #[test]
    fn a_plan_transferred_out_replaced_or_transferred_in_counts_when_this_council_kept_it() {
        // Transferred to another council in the period: ceased, reason 5.
        let out = xml_of(one(vec![RequestFacts {
            plan: Some(PlanFacts {
                transferred_out_on: Some(d(2025, 9, 1)),
                ..plan(800, d(2019, 9, 1))
            }),
            ..RequestFacts::default()
        }]));
        assert!(out.contains("<CeaseDate>2025-09-01</CeaseDate>"), "{out}");
        assert!(out.contains("<CeaseReason>5</CeaseReason>"), "{out}");
        assert!(!out.contains("<ActivePlans>"), "{out}");
        // Replaced by a re-assessment's plan after the census date: still maintained then.
        let replaced = xml_of(one(vec![RequestFacts {
            plan: Some(PlanFacts {
                replaced_on: Some(d(2026, 2, 1)),
                ..plan(801, d(2019, 9, 1))
            }),
            ..RequestFacts::default()
        }]));
        assert!(replaced.contains("<ActivePlans>"), "{replaced}");
        // Transferred in after the census date: not this council's on it.
        let later = build(
            &[one(vec![RequestFacts {
                plan: Some(PlanFacts {
                    transferred_in: Some((d(2026, 1, 20), "908".into())),
                    ..plan(802, d(2019, 9, 1))
                }),
                ..RequestFacts::default()
            }])],
            CENSUS,
        );
        assert!(later.persons.is_empty(), "{:?}", later.persons);
    }

    #[test]
    fn once_exported_nothing_further_is_sent_and_other_disputes_are_flagged() {
        let xml = xml_of(one(vec![RequestFacts {
            assessment_id: Some(72),
            received_on: Some(d(2025, 2, 1)),
            requested_by: Some(RequestedBy::Parent),
            decided_to_assess_on: Some(d(2025, 3, 1)),
            transferred_out: Some((d(2025, 5, 1), Some("908".into()))),
            ..RequestFacts::default()
        }]));
        assert!(xml.contains("<Exported>908</Exported>"), "{xml}");
        assert!(!xml.contains("<Assessment>"), "{xml}");
        let disputed = xml_of(one(vec![RequestFacts {
            assessment_id: Some(73),
            received_on: Some(d(2025, 2, 1)),
            requested_by: Some(RequestedBy::Parent),
            decided_to_assess_on: Some(d(2025, 3, 1)),
            final_issued_on: Some(d(2025, 6, 1)),
            other_tribunal: true,
            plan: Some(plan(730, d(2025, 6, 1))),
            ..RequestFacts::default()
        }]));
        assert!(
            disputed.contains("<OtherMediation>0</OtherMediation>"),
            "{disputed}"
        );
        assert!(
            disputed.contains("<OtherTribunal>1</OtherTribunal>"),
            "{disputed}"
        );
    }
}
