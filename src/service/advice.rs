//! Answers to advice requests, shared by needs assessments and reviews, whoever answers
//! (the caseworker recording it, or the professional asked).
use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
};
use serde_json::json;

use super::Ctx;
use crate::domain::advice::AdviceService;
use crate::domain::input::{FamilyResponse, not_before, required_text};
use crate::domain::people::parse_optional_name;
use crate::error::{ApiError, ApiResult};
use crate::store::entity::{advice_request, professional};

pub use crate::store::advice::{advice_from, has_statutory_deadline};

/// Advice asked for, by a needs assessment or a review: a service, and the professional or
/// team it is addressed to, if any.
pub struct NewAdviceRequest {
    pub service: AdviceService,
    pub professional_id: Option<i64>,
    pub addressed_to: Option<String>,
}

impl NewAdviceRequest {
    /// The request's row for a child of the LA, asked on `requested_on` and due on `due_on`
    /// (the caller names the assessment or review it is for). A named professional must be
    /// of the LA and of the service asked.
    pub async fn row(
        &self,
        ctx: &Ctx<'_>,
        (la_id, child_id): (i64, i64),
        requested_on: NaiveDate,
        due_on: NaiveDate,
    ) -> ApiResult<advice_request::ActiveModel> {
        if let Some(professional_id) = self.professional_id {
            let p = professional::Entity::find_by_id(professional_id)
                .filter(professional::Column::LaId.eq(la_id))
                .one(ctx.db)
                .await?
                .ok_or_else(|| ApiError::validation("professionalId", "unknown professional"))?;
            if p.service != self.service.as_str() {
                return Err(ApiError::validation(
                    "professionalId",
                    "this professional works in another service",
                ));
            }
        }
        let addressed_to = parse_optional_name("addressedTo", self.addressed_to.as_deref())?;
        Ok(advice_request::ActiveModel {
            id: NotSet,
            la_id: Set(la_id),
            child_id: Set(child_id),
            service: Set(self.service.as_str().to_owned()),
            professional_id: Set(self.professional_id),
            addressed_to: Set(addressed_to),
            requested_on: Set(requested_on),
            due_on: Set(due_on),
            created_at: Set(ctx.now),
            ..Default::default()
        })
    }
}

/// How an advice request was answered.
pub enum AdviceAnswer<'a> {
    Received {
        summary: &'a str,
        document_ref: Option<&'a str>,
    },
    /// Declined, e.g. because advice already given is sufficient (reg 6(4)).
    Declined { reason: &'a str },
}

/// The change that records an answer to an open advice request on `on`, and its audit
/// summary (late when a professional's statutory advice came after its due date). Shared by
/// assessments and reviews, whoever answers.
pub fn advice_answer_change(
    advice: &advice_request::Model,
    on: NaiveDate,
    answer: AdviceAnswer<'_>,
    answered_by: Option<i64>,
) -> ApiResult<(advice_request::ActiveModel, serde_json::Value)> {
    let advice_id = advice.id;
    not_before(on, Some(advice.requested_on), "the advice was requested")?;
    let mut change: advice_request::ActiveModel = advice.clone().into();
    // A request to a service records which of its professionals answered.
    if advice.professional_id.is_none() && answered_by.is_some() {
        change.professional_id = Set(answered_by);
    }
    let summary = match answer {
        AdviceAnswer::Received {
            summary,
            document_ref,
        } => {
            change.received_on = Set(Some(on));
            change.summary = Set(Some(required_text("summary", summary)?));
            change.document_ref = Set(parse_optional_name("documentRef", document_ref)?);
            let late = has_statutory_deadline(&advice.service) && on > advice.due_on;
            json!({"adviceRequestId": advice_id, "service": advice.service, "received": true, "late": late})
        }
        AdviceAnswer::Declined { reason } => {
            change.declined_on = Set(Some(on));
            change.decline_reason = Set(Some(required_text("reason", reason)?));
            json!({"adviceRequestId": advice_id, "service": advice.service, "declined": true})
        }
    };
    Ok((change, summary))
}

/// What the audit trail keeps of a family's response: whether they commented (never the
/// text), a meeting asked for, the setting they named.
pub fn response_summary(response: &FamilyResponse) -> serde_json::Value {
    json!({
        "comments": response.comments.is_some(),
        "meetingRequested": response.meeting_requested,
        "requestedSetting": response.requested_setting,
    })
}

/// Checks the family's response and sets it on `step.row` over what the record holds,
/// noting the day of the first response (the one the 15 days are measured by, reg 13(1) and
/// 22(2)(c)); evaluates to the audit summary. Assessments and amendments keep a response
/// in the same columns.
macro_rules! take_family_response {
    ($step:expr, $response:expr) => {{
        let response = $response.checked()?;
        let row = &$step.record.row;
        if row.parent_responded_on.is_none() {
            $step.row.parent_responded_on = ::sea_orm::ActiveValue::Set(Some($step.on));
        }
        let summary = $crate::service::advice::response_summary(&response);
        let all = response.over($crate::domain::input::FamilyResponse {
            comments: row.parent_comments.clone(),
            meeting_requested: row.parent_meeting_requested,
            requested_setting: row.parent_requested_setting.clone(),
        });
        $step.row.parent_comments = ::sea_orm::ActiveValue::Set(all.comments);
        $step.row.parent_meeting_requested = ::sea_orm::ActiveValue::Set(all.meeting_requested);
        $step.row.parent_requested_setting = ::sea_orm::ActiveValue::Set(all.requested_setting);
        summary
    }};
}
pub(crate) use take_family_response;

/// Writes an answer to an advice request in the action's transaction: only an unanswered
/// request is answered, so of two answers at once one wins and the other is a `CONFLICT`.
pub async fn write_advice_answer(
    txn: &DatabaseTransaction,
    advice_id: i64,
    change: advice_request::ActiveModel,
) -> ApiResult<()> {
    let answered = advice_request::Entity::update_many()
        .set(change)
        .filter(advice_request::Column::Id.eq(advice_id))
        .filter(advice_request::Column::ReceivedOn.is_null())
        .filter(advice_request::Column::DeclinedOn.is_null())
        .exec(txn)
        .await?;
    if answered.rows_affected != 1 {
        return Err(ApiError::conflict(
            "this advice request has already been answered",
        ));
    }
    Ok(())
}
