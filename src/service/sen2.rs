//! The DfE's SEN2 return: its code lists as this instance holds them.
use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use super::Ctx;
use crate::domain::access::Permission;
use crate::domain::assessment::RequestedBy;
use crate::domain::dispute::Appealed;
use crate::domain::placement::Placement;
use crate::domain::plan::PlanStatus;
use crate::domain::review::ReviewDecision;
use crate::domain::sen2_return::{
    self, Census, Header, PersonFacts, PlanFacts, RequestFacts, ReviewFacts, Sen2Return, Severity,
};
use crate::error::{ApiError, ApiResult};
use crate::store::entity::{
    annual_review, assessment, child, dispute, ehc_plan, local_authority, placement,
    plan_amendment, sen2_code,
};

/// Every code of the SEN2 lists (or of one list), by list and code: reference data, the same
/// for everyone signed in.
pub async fn codes(ctx: &Ctx<'_>, list: Option<&str>) -> ApiResult<Vec<sen2_code::Model>> {
    let mut query = sen2_code::Entity::find();
    if let Some(list) = list {
        query = query.filter(sen2_code::Column::List.eq(list.trim().to_ascii_uppercase()));
    }
    Ok(query
        .order_by_asc(sen2_code::Column::List)
        .order_by_asc(sen2_code::Column::Code)
        .all(ctx.db)
        .await?)
}

/// A council's correction of the code lists: every list named in `rows` is replaced by the
/// rows given for it (each kept with the source given, or `council`), the other lists stay.
/// Administrators only, in one transaction with its audit event.
pub async fn replace_codes(
    ctx: &Ctx<'_>,
    rows: Vec<sen2_code::Model>,
) -> ApiResult<Vec<(String, usize)>> {
    use sea_orm::ActiveValue::Set;
    ctx.require(crate::domain::access::Permission::AdministerLocalAuthorities)?;
    let mut lists: std::collections::BTreeMap<String, Vec<sen2_code::Model>> =
        std::collections::BTreeMap::new();
    for (i, mut row) in rows.into_iter().enumerate() {
        row.list = row.list.trim().to_ascii_uppercase();
        row.code = row.code.trim().to_ascii_uppercase();
        row.label = row.label.trim().to_owned();
        row.source = match row.source.trim() {
            "" => "council".to_owned(),
            s => s.to_owned(),
        };
        let line = i + 2;
        if row.list.is_empty() || row.list.len() > 40 || row.code.is_empty() || row.code.len() > 20
        {
            return Err(crate::error::ApiError::validation(
                "codes",
                format!("line {line}: a list (1–40 characters) and a code (1–20) are needed"),
            ));
        }
        if row.label.is_empty() {
            return Err(crate::error::ApiError::validation(
                "codes",
                format!(
                    "line {line}: code {} of {} has no label",
                    row.code, row.list
                ),
            ));
        }
        let codes = lists.entry(row.list.clone()).or_default();
        if codes.iter().any(|c| c.code == row.code) {
            return Err(crate::error::ApiError::validation(
                "codes",
                format!(
                    "line {line}: code {} of {} is given twice",
                    row.code, row.list
                ),
            ));
        }
        codes.push(row);
    }
    if lists.is_empty() {
        return Err(crate::error::ApiError::validation(
            "codes",
            "the file has no codes",
        ));
    }
    let counts: Vec<(String, usize)> = lists.iter().map(|(l, c)| (l.clone(), c.len())).collect();
    let txn = ctx.db.begin().await?;
    for (list, codes) in lists {
        sen2_code::Entity::delete_many()
            .filter(sen2_code::Column::List.eq(list))
            .exec(&txn)
            .await?;
        sen2_code::Entity::insert_many(codes.into_iter().map(|c| sen2_code::ActiveModel {
            list: Set(c.list),
            code: Set(c.code),
            label: Set(c.label),
            source: Set(c.source),
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    crate::store::audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        crate::store::audit::AuditEntry {
            la_id: None,
            child_id: None,
            entity: "sen2_code",
            entity_id: 0,
            action: crate::domain::audit::AuditAction::LoadCodes,
            summary: serde_json::json!({
                "lists": counts.iter().map(|(l, n)| serde_json::json!({"list": l, "codes": n})).collect::<Vec<_>>()
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(counts)
}

/// The SEN2 return of one local authority for `census`, built from everything it holds, with
/// the checks' findings; audited (who produced it, for which census date and LA).
pub async fn statutory_return(
    ctx: &Ctx<'_>,
    la_id: i64,
    census: NaiveDate,
) -> ApiResult<(Sen2Return, Header)> {
    ctx.require(Permission::ProduceReturns)?;
    if !ctx.actor.may_act_in(la_id) {
        return Err(ApiError::not_found("local authority"));
    }
    let la = local_authority::Entity::find_by_id(la_id)
        .one(ctx.db)
        .await?
        .ok_or_else(|| ApiError::not_found("local authority"))?;
    let census = Census {
        reference_date: census,
    };
    let (people, changed) = facts(ctx, la_id, census).await?;
    let mut ret = sen2_return::build(&people, census);
    let header = Header {
        officers: [la.dmo.clone(), la.dco.clone(), la.dsco.clone()],
        la_code: la.code.clone(),
        software_code: env!("CARGO_PKG_NAME").to_owned(),
        release: env!("CARGO_PKG_VERSION").to_owned(),
        date_time: changed.unwrap_or_else(|| {
            census
                .reference_date
                .and_hms_opt(0, 0, 0)
                .expect("midnight")
        }),
    };
    ret.findings.splice(0..0, header.findings());
    let errors = ret
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let txn = ctx.db.begin().await?;
    crate::store::audit::record(
        &txn,
        ctx.actor,
        ctx.now,
        crate::store::audit::AuditEntry {
            la_id: Some(la_id),
            child_id: None,
            entity: "sen2_return",
            entity_id: la_id,
            action: crate::domain::audit::AuditAction::ProduceReturn,
            summary: serde_json::json!({
                "censusDate": census.reference_date,
                "la": la.code,
                "persons": ret.persons.len(),
                "errors": errors,
                "queries": ret.findings.len() - errors,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((ret, header))
}

/// What the LA holds of every child, as the return's facts; and when any of it last
/// changed (the header's date, so the same data gives the same file).
async fn facts(
    ctx: &Ctx<'_>,
    la_id: i64,
    census: Census,
) -> ApiResult<(Vec<PersonFacts>, Option<NaiveDateTime>)> {
    let db = ctx.db;
    let children = child::Entity::find()
        .filter(child::Column::LaId.eq(la_id))
        .order_by_asc(child::Column::Id)
        .all(db)
        .await?;
    let assessments = assessment::Entity::find()
        .filter(assessment::Column::LaId.eq(la_id))
        .order_by_asc(assessment::Column::Id)
        .all(db)
        .await?;
    let plans = ehc_plan::Entity::find()
        .filter(ehc_plan::Column::LaId.eq(la_id))
        .order_by_asc(ehc_plan::Column::Id)
        .all(db)
        .await?;
    // A replaced plan ends when the next plan of the child (a re-assessment's) is issued.
    let mut replaced_on: HashMap<i64, NaiveDate> = HashMap::new();
    {
        let mut by_child: HashMap<i64, Vec<&ehc_plan::Model>> = HashMap::new();
        for p in &plans {
            by_child.entry(p.child_id).or_default().push(p);
        }
        for list in by_child.values_mut() {
            list.sort_by_key(|p| (p.issued_on, p.id));
            for pair in list.windows(2) {
                if pair[0].status == PlanStatus::Replaced.as_str() {
                    replaced_on.insert(pair[0].id, pair[1].issued_on);
                }
            }
        }
    }
    let reviews = annual_review::Entity::find()
        .filter(annual_review::Column::LaId.eq(la_id))
        .order_by_asc(annual_review::Column::Id)
        .all(db)
        .await?;
    // The draft amended plan each review led to: the notice of the proposed amendments
    // goes with it (reg 22(2)).
    let amendments = plan_amendment::Entity::find()
        .filter(plan_amendment::Column::LaId.eq(la_id))
        .filter(plan_amendment::Column::ReviewId.is_not_null())
        .order_by_asc(plan_amendment::Column::Id)
        .all(db)
        .await?;
    // The first amendment a review led to is the one its decision proposed.
    let mut drafts: HashMap<i64, NaiveDate> = HashMap::new();
    for (review, notice) in amendments
        .iter()
        .filter_map(|a| a.review_id.zip(a.notice_sent_on))
    {
        drafts.entry(review).or_insert(notice);
    }
    let disputes = dispute::Entity::find()
        .filter(dispute::Column::LaId.eq(la_id))
        .order_by_asc(dispute::Column::Id)
        .all(db)
        .await?;
    let placements = placement::Entity::find()
        .filter(placement::Column::LaId.eq(la_id))
        .order_by_asc(placement::Column::PlanId)
        .order_by_asc(placement::Column::EntryOn)
        .order_by_asc(placement::Column::Rank)
        .all(db)
        .await?;
    let d = census.reference_date;
    let mut changed = None;
    let mut touch = |at: DateTime<Utc>| {
        let at = at.naive_utc();
        if changed.is_none_or(|c| c < at) {
            changed = Some(at);
        }
    };
    for c in &children {
        touch(c.updated_at);
    }
    for a in &assessments {
        touch(a.updated_at);
    }
    for p in &plans {
        touch(p.updated_at);
    }
    for r in &reviews {
        touch(r.updated_at);
    }
    for x in &disputes {
        touch(x.updated_at);
    }
    for a in &amendments {
        touch(a.updated_at);
    }
    let mut placements_of: HashMap<i64, Vec<Placement>> = HashMap::new();
    for p in &placements {
        touch(p.created_at);
        placements_of
            .entry(p.plan_id)
            .or_default()
            .push(crate::service::plan::placement_of(p));
    }
    // Mediation held and Tribunal hearings held by the census date, by assessment: about
    // the decision on the request, and about the assessment's outcome.
    let mut about_request: HashMap<i64, (bool, bool)> = HashMap::new();
    let mut about_assessment: HashMap<i64, (bool, bool)> = HashMap::new();
    // About the plan for other reasons (its contents, its setting, not amending, ceasing),
    // by plan.
    let mut about_plan: HashMap<i64, (bool, bool)> = HashMap::new();
    for x in &disputes {
        let held = (
            x.mediation_held_on.is_some_and(|m| m <= d),
            x.hearing_on.is_some_and(|h| h <= d),
        );
        let (map, key) = match (x.assessment_id, x.plan_id) {
            (None, Some(plan_id)) => (&mut about_plan, plan_id),
            (Some(assessment_id), _) => match Appealed::parse(&x.appealed) {
                Ok(Appealed::RefusalToAssess) => (&mut about_request, assessment_id),
                Ok(Appealed::RefusalToIssue | Appealed::PlanContent | Appealed::NamedSetting) => {
                    (&mut about_assessment, assessment_id)
                }
                _ => continue,
            },
            (None, None) => continue,
        };
        let e = map.entry(key).or_default();
        e.0 |= held.0;
        e.1 |= held.1;
    }
    let mut reviews_of: HashMap<i64, Vec<ReviewFacts>> = HashMap::new();
    for r in &reviews {
        reviews_of.entry(r.plan_id).or_default().push(ReviewFacts {
            meeting_on: r.meeting_on,
            meeting_held: r.meeting_held,
            decided_on: r.decided_on,
            draft_on: drafts.get(&r.id).copied(),
            outcome: r
                .decision
                .as_deref()
                .and_then(|c| ReviewDecision::parse(c).ok())
                .map(ReviewDecision::sen2_code),
        });
    }
    let child_of: HashMap<i64, &child::Model> = children.iter().map(|c| (c.id, c)).collect();
    // 5.6a: for a move in the census's calendar year (the next September's, or one set by
    // hand), the engine's reg 18 date: before 15 February, so 14 February; before 31 March
    // for a move into post-16 education, so 30 March; 5 months before a post-16 to post-16
    // move (reg 18(2)). The same date the API shows.
    let phase_transfer_due = |p: &ehc_plan::Model| -> Option<crate::domain::plan::PhaseTransfer> {
        let child = child_of.get(&p.child_id)?;
        crate::store::plans::stored_plan_facts(p, child)
            .ok()?
            .phase_transfer(d)
            .filter(|t| t.moves_on.year() == census.year())
    };
    // 5.6b: the day the plan was finalised for that move, or for one in the collection year.
    let phase_transfer_final = |p: &ehc_plan::Model, due: Option<NaiveDate>| {
        p.phase_transfer_finalised_on.filter(|on| {
            (census.period_start()..=census.period_end()).contains(on)
                || (due.is_some() && p.phase_transfer_finalised_for == due)
        })
    };
    let mut plan_facts = |p: &ehc_plan::Model| {
        let due = phase_transfer_due(p);
        PlanFacts {
            plan_id: p.id,
            issued_on: p.issued_on,
            transferred_in: p.transferred_in_on.zip(p.transferred_from.clone()),
            ceased_on: p.ceased_on,
            cease_reason: p.cease_reason,
            transferred_out_on: p.transferred_out_on,
            replaced_on: replaced_on.get(&p.id).copied(),
            needs: p
                .primary_need
                .iter()
                .cloned()
                .chain(
                    p.secondary_needs
                        .as_deref()
                        .unwrap_or_default()
                        .split(',')
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned),
                )
                .collect(),
            reviews: reviews_of.remove(&p.id).unwrap_or_default(),
            phase_transfer_due_on: due.map(|t| t.due_on),
            phase_transfer_final_on: phase_transfer_final(p, due.map(|t| t.moves_on)),
            placements: placements_of.remove(&p.id).unwrap_or_default(),
            personal_budget: crate::store::plans::personal_budget_of(p),
        }
    };
    let mut plan_of_assessment: HashMap<i64, PlanFacts> = HashMap::new();
    let mut plans_without: HashMap<i64, Vec<PlanFacts>> = HashMap::new();
    for p in &plans {
        let facts = plan_facts(p);
        match p.assessment_id {
            Some(a) => {
                plan_of_assessment.insert(a, facts);
            }
            None => plans_without.entry(p.child_id).or_default().push(facts),
        }
    }
    let mut requests_of: HashMap<i64, Vec<RequestFacts>> = HashMap::new();
    for a in &assessments {
        let (request_mediation, request_tribunal) =
            about_request.get(&a.id).copied().unwrap_or_default();
        let (assessment_mediation, assessment_tribunal) =
            about_assessment.get(&a.id).copied().unwrap_or_default();
        let plan = plan_of_assessment.remove(&a.id);
        let (other_mediation, other_tribunal) = plan
            .as_ref()
            .and_then(|p| about_plan.get(&p.plan_id).copied())
            .unwrap_or_default();
        requests_of
            .entry(a.child_id)
            .or_default()
            .push(RequestFacts {
                assessment_id: Some(a.id),
                initial: a.kind == crate::domain::assessment::AssessmentKind::Initial.as_str(),
                relevant_youth_accommodation: a.relevant_youth_accommodation,
                received_on: Some(a.received_on),
                requested_by: RequestedBy::parse(&a.requested_by),
                decided_to_assess_on: a.decided_to_assess_on,
                decided_not_to_assess_on: a.decided_not_to_assess_on,
                decided_not_to_issue_on: a.decided_not_to_issue_on,
                final_issued_on: a.final_issued_on,
                withdrawn_on: a.withdrawn_on,
                transferred_out: a
                    .transferred_out_on
                    .map(|on| (on, a.transferred_to.clone())),
                exception_applies: a.exception_applies.unwrap_or(false),
                request_mediation,
                request_tribunal,
                assessment_mediation,
                assessment_tribunal,
                other_mediation,
                other_tribunal,
                plan,
            });
    }
    let people = children
        .into_iter()
        .map(|c| {
            let mut requests: Vec<RequestFacts> = plans_without
                .remove(&c.id)
                .unwrap_or_default()
                .into_iter()
                .map(|plan| RequestFacts {
                    plan: Some(plan),
                    ..RequestFacts::default()
                })
                .collect();
            requests.extend(requests_of.remove(&c.id).unwrap_or_default());
            PersonFacts {
                child_id: c.id,
                details: super::people::details_of(&c),
                legal_name: c.legal_name,
                date_of_birth: c.date_of_birth,
                requests,
            }
        })
        .collect();
    Ok((people, changed))
}
