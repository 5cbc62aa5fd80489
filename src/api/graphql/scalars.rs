//! The schema's own scalars. Identifiers: opaque global ids (Relay's Global Object
//! Identification) that carry the type of the object and its database id, so a normalised
//! cache can tell a child from an assessment with the same row number, and an id of one type
//! given where another is wanted is refused instead of pointing at an unrelated record.
//! Dates: `Date`, a calendar day written as ISO 8601 says and nothing looser.
use async_graphql::{ID, InputValueError, InputValueResult, Scalar, ScalarType, Value};
use base64::Engine;
use chrono::NaiveDate;

use crate::error::ApiError;

/// The kinds of object a global id names, each by its GraphQL type name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    LocalAuthority,
    Locality,
    Team,
    StaffMember,
    Professional,
    Administrator,
    Child,
    Parent,
    Assessment,
    /// Shown to staff and families as `AdviceRequest`, to its professional as
    /// `ProfessionalAdviceRequest`: one record, one id.
    AdviceRequest,
    SettingConsultation,
    AssessmentException,
    EhcPlan,
    AnnualReview,
    ReviewMeetingRequest,
    PlanAmendment,
    AuditEvent,
    Dispute,
    Complaint,
    Remedy,
    Message,
    WebhookSubscription,
}

impl Kind {
    pub const ALL: [Kind; 22] = [
        Kind::LocalAuthority,
        Kind::Locality,
        Kind::Team,
        Kind::StaffMember,
        Kind::Professional,
        Kind::Administrator,
        Kind::Child,
        Kind::Parent,
        Kind::Assessment,
        Kind::AdviceRequest,
        Kind::SettingConsultation,
        Kind::AssessmentException,
        Kind::EhcPlan,
        Kind::AnnualReview,
        Kind::ReviewMeetingRequest,
        Kind::PlanAmendment,
        Kind::AuditEvent,
        Kind::Dispute,
        Kind::Complaint,
        Kind::Remedy,
        Kind::Message,
        Kind::WebhookSubscription,
    ];

    /// The name inside the id: the GraphQL type's.
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::LocalAuthority => "LocalAuthority",
            Kind::Locality => "Locality",
            Kind::Team => "Team",
            Kind::StaffMember => "StaffMember",
            Kind::Professional => "Professional",
            Kind::Administrator => "Administrator",
            Kind::Child => "Child",
            Kind::Parent => "Parent",
            Kind::Assessment => "Assessment",
            Kind::AdviceRequest => "AdviceRequest",
            Kind::SettingConsultation => "SettingConsultation",
            Kind::AssessmentException => "RecordedAssessmentException",
            Kind::EhcPlan => "EhcPlan",
            Kind::AnnualReview => "AnnualReview",
            Kind::ReviewMeetingRequest => "ReviewMeetingRequest",
            Kind::PlanAmendment => "PlanAmendment",
            Kind::AuditEvent => "AuditEvent",
            Kind::Dispute => "Dispute",
            Kind::Complaint => "Complaint",
            Kind::Remedy => "Remedy",
            Kind::Message => "Message",
            Kind::WebhookSubscription => "WebhookSubscription",
        }
    }

    /// What a person calls it, for error messages.
    fn noun(self) -> &'static str {
        match self {
            Kind::LocalAuthority => "a local authority",
            Kind::Locality => "a locality",
            Kind::Team => "a team",
            Kind::StaffMember => "a member of staff",
            Kind::Professional => "a professional",
            Kind::Administrator => "an administrator",
            Kind::Child => "a child",
            Kind::Parent => "a parent",
            Kind::Assessment => "an assessment",
            Kind::AdviceRequest => "an advice request",
            Kind::SettingConsultation => "a setting consultation",
            Kind::AssessmentException => "a recorded exception",
            Kind::EhcPlan => "an EHC plan",
            Kind::AnnualReview => "an annual review",
            Kind::ReviewMeetingRequest => "a review meeting request",
            Kind::PlanAmendment => "a plan amendment",
            Kind::AuditEvent => "an audit event",
            Kind::Dispute => "a dispute",
            Kind::Complaint => "a complaint",
            Kind::Remedy => "a remedy",
            Kind::Message => "a message",
            Kind::WebhookSubscription => "a webhook subscription",
        }
    }

    fn from_type_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.type_name() == name)
    }

    /// The kind of record an audit event's `entity` names, when it is one with an id here.
    pub fn of_audited(entity: &str) -> Option<Kind> {
        Some(match entity {
            "local_authority" => Kind::LocalAuthority,
            "locality" => Kind::Locality,
            "team" => Kind::Team,
            "staff" => Kind::StaffMember,
            "professional" => Kind::Professional,
            "administrator" => Kind::Administrator,
            "child" => Kind::Child,
            "parent" => Kind::Parent,
            "assessment" => Kind::Assessment,
            "advice_request" => Kind::AdviceRequest,
            "setting_consultation" => Kind::SettingConsultation,
            "assessment_exception" => Kind::AssessmentException,
            "ehc_plan" => Kind::EhcPlan,
            "annual_review" => Kind::AnnualReview,
            "review_meeting_request" => Kind::ReviewMeetingRequest,
            "plan_amendment" => Kind::PlanAmendment,
            _ => return None,
        })
    }
}

/// Makes and reads global ids: base64url of `TypeName:rowId`, as Relay's examples do. Clients
/// must treat them as opaque.
pub struct Id;

impl Id {
    pub fn of(kind: Kind, id: i64) -> ID {
        Self::named(kind.type_name(), id)
    }

    /// An id under a name that is not a node type (an audited link or reason row).
    pub fn named(type_name: &str, id: i64) -> ID {
        ID(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}")))
    }

    /// The kind and row an id names, if it is one of ours.
    pub fn decode(id: &ID) -> Option<(Kind, i64)> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(id.as_str())
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (name, digits) = text.split_once(':')?;
        let row = digits.parse::<i64>().ok().filter(|n| *n > 0)?;
        // One id per record: `Child:07` or `Child:+7` would name row 7 under another id.
        if row.to_string() != digits {
            return None;
        }
        Some((Kind::from_type_name(name)?, row))
    }

    /// Reads an `ID` argument that must name a `kind`; VALIDATION naming the field when it is
    /// not one of ours or names something else.
    pub fn parse(field: &'static str, kind: Kind, id: &ID) -> Result<i64, ApiError> {
        match Self::decode(id) {
            Some((k, row)) if k == kind => Ok(row),
            Some((other, _)) => Err(ApiError::validation(
                field,
                format!("this is the id of {}, not of {}", other.noun(), kind.noun()),
            )),
            None => Err(ApiError::validation(field, "not an id from this API")),
        }
    }

    /// [`Id::parse`] for an optional argument.
    pub fn parse_opt(
        field: &'static str,
        kind: Kind,
        id: Option<&ID>,
    ) -> Result<Option<i64>, ApiError> {
        id.map(|id| Self::parse(field, kind, id)).transpose()
    }
}

/// A calendar date, ISO 8601's extended calendar form `YYYY-MM-DD` (`2026-01-15`): a day in
/// England, where the statutory clocks run. Chrono's own scalar is named `NaiveDate` and reads
/// looser spellings (`2026-1-5`, a sign, five-digit years); this one reads exactly the form it
/// writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

const DATE_FORMAT: &str = "%Y-%m-%d";

#[Scalar(
    name = "Date",
    specified_by_url = "https://ibm.github.io/graphql-specs/custom-scalars/date.html"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        let shaped = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        match NaiveDate::parse_from_str(text, DATE_FORMAT) {
            Ok(day) if shaped => Ok(Date(day)),
            _ => Err(InputValueError::custom(format!(
                "\"{text}\" is not a calendar date written YYYY-MM-DD (ISO 8601)"
            ))),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format(DATE_FORMAT).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_reads_only_the_form_it_writes() {
        let day = Date::parse(Value::String("2026-01-15".into())).unwrap();
        assert_eq!(day.0, NaiveDate::from_ymd_opt(2026, 1, 15).unwrap());
        assert_eq!(day.to_value(), Value::String("2026-01-15".into()));
        for loose in [
            "2026-1-15",
            "2026-01-5",
            "+2026-01-15",
            "20260-01-15",
            "2026-02-30",
            "2026/01/15",
            "15/01/2026",
            "2026-01-15T00:00:00Z",
            "",
        ] {
            let refused = Date::parse(Value::String(loose.into())).unwrap_err();
            assert!(
                refused
                    .into_server_error(Default::default())
                    .message
                    .contains("YYYY-MM-DD"),
                "{loose}"
            );
        }
        assert!(Date::parse(Value::Number(20260115.into())).is_err());
    }

    #[test]
    fn ids_round_trip_and_carry_their_type() {
        for kind in Kind::ALL {
            let id = Id::of(kind, 42);
            assert_eq!(Id::decode(&id), Some((kind, 42)), "{kind:?}");
            assert_eq!(Id::parse("id", kind, &id).ok(), Some(42));
        }
        assert_eq!(Id::of(Kind::Child, 7).as_str(), "Q2hpbGQ6Nw");
    }

    #[test]
    fn an_id_of_another_type_or_a_bare_number_is_refused() {
        let plan = Id::of(Kind::EhcPlan, 3);
        let refused = Id::parse("childId", Kind::Child, &plan).unwrap_err();
        assert!(
            format!("{refused:?}").contains("an EHC plan, not of a child"),
            "{refused:?}"
        );
        assert!(Id::parse("childId", Kind::Child, &ID("3".into())).is_err());
        assert!(Id::parse("childId", Kind::Child, &Id::named("Child", 0)).is_err());
        assert!(Id::decode(&Id::named("Nonsense", 3)).is_none());
        for other_spelling in ["Child:07", "Child:+7", "Child: 7"] {
            let id = ID(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(other_spelling));
            assert!(Id::decode(&id).is_none(), "{other_spelling}");
        }
        assert!(Id::decode(&ID("not base64!".into())).is_none());
    }
}
