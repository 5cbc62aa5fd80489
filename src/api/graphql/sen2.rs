//! The DfE's SEN2 return: its code lists, for the frontend's choices.
use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};

use super::{Date, Id, Kind, ctx};
use crate::domain::sen2_return::{self, Severity};
use crate::service::sen2 as svc;

/// How serious a finding of the checks before sending is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::sen2_return::Severity")]
pub enum Sen2Severity {
    /// The DfE's COLLECT will not authorise the return until it is fixed.
    Error,
    /// COLLECT will ask the council to explain it.
    Query,
}

/// One finding of the checks before sending: whose record, which item, what to fix.
#[derive(SimpleObject)]
pub struct Sen2Finding {
    /// The child's global id; null for the local authority's own items.
    child_id: Option<ID>,
    /// Their legal name (or "(the local authority)").
    person: String,
    /// The DfE guide's item, such as "1.4 Sex".
    item: String,
    /// An error (COLLECT refuses the return) or a query (COLLECT asks about it).
    severity: Sen2Severity,
    /// What is wrong, and what to record.
    message: String,
}

/// The SEN2 return for one census date, as it would be sent, with the checks' findings.
#[derive(SimpleObject)]
pub struct Sen2Return {
    /// The census (reference) date; the collection period is the calendar year before it.
    census_date: Date,
    /// People in the return.
    persons: i32,
    /// Findings COLLECT would refuse.
    errors: i32,
    /// Findings COLLECT would ask about.
    queries: i32,
    /// Every finding, by person.
    findings: Vec<Sen2Finding>,
    /// The return's XML, deterministic for the same data.
    xml: String,
    /// The figures the DfE will publish from this return (caseload by age, need and
    /// setting; requests and outcomes; timeliness including and excluding exceptions;
    /// plans ceased by reason), to check before sending.
    figures: Vec<Sen2Figure>,
}

/// One of the figures the DfE publishes, worked out from the return's data.
#[derive(SimpleObject)]
pub struct Sen2Figure {
    /// The table, such as "caseload by age" or "timeliness excluding exceptions".
    table: String,
    /// The row, such as "Age 5 to 10" or "within 20 weeks".
    breakdown: String,
    /// How many.
    count: i32,
    /// For a rate, how many it is a share of (the plans issued); null otherwise.
    of: Option<i32>,
    /// For a rate, the share in percent to one decimal place; null otherwise.
    percent: Option<f64>,
}

/// One code of a SEN2 code list, and where it was found (`data/sen2/README.md` names each
/// source; `council` once the council corrected it).
#[derive(SimpleObject)]
pub struct Sen2Code {
    /// The list: SEX, ETHNICITY, UPN_UNKNOWN, REQUEST_SOURCE, CEASE_REASON, SEN_SETTING,
    /// SEN_TYPE...
    list: String,
    /// The code the return carries.
    code: String,
    /// What it means.
    label: String,
    /// Where the code was found.
    source: String,
}

#[derive(Default)]
pub struct Sen2Query;

#[Object]
impl Sen2Query {
    /// The SEN2 return's code lists as this instance holds them (anyone signed in): the
    /// choices for a child's sex, ethnicity and reason for no UPN, and the return's other
    /// codes. Kept as data, so a council can correct a code the DfE changes without a release.
    async fn sen2_codes(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "One list only, such as ETHNICITY; every list when omitted.")]
        list: Option<String>,
    ) -> Result<Vec<Sen2Code>> {
        let ctx = ctx(gql)?;
        Ok(svc::codes(&ctx, list.as_deref())
            .await?
            .into_iter()
            .map(|c| Sen2Code {
                list: c.list,
                code: c.code,
                label: c.label,
                source: c.source,
            })
            .collect())
    }

    /// Managers of the local authority and administrators: the SEN2 return for a census
    /// date, built from the records, with the checks a manager fixes before uploading it.
    /// Each one produced is in the audit trail.
    async fn sen2_return(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The local authority's global id.")] local_authority_id: ID,
        #[graphql(desc = "The census (reference) date, e.g. 2026-01-15.")] census_date: Date,
    ) -> Result<Sen2Return> {
        let ctx = ctx(gql)?;
        let la_id = Id::parse(
            "localAuthorityId",
            Kind::LocalAuthority,
            &local_authority_id,
        )?;
        let (ret, header) = svc::statutory_return(&ctx, la_id, census_date.0).await?;
        let errors = ret
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        Ok(Sen2Return {
            census_date,
            persons: ret.persons.len() as i32,
            errors: errors as i32,
            queries: (ret.findings.len() - errors) as i32,
            xml: sen2_return::to_xml(&ret, &header),
            figures: ret
                .figures
                .iter()
                .map(|f| Sen2Figure {
                    table: f.table.to_owned(),
                    breakdown: f.breakdown.clone(),
                    count: f.count as i32,
                    of: f.of.map(|of| of as i32),
                    percent: f.percent(),
                })
                .collect(),
            findings: ret
                .findings
                .into_iter()
                .map(|f| Sen2Finding {
                    child_id: (f.child_id != 0).then(|| Id::of(Kind::Child, f.child_id)),
                    person: f.person,
                    item: f.item.to_owned(),
                    severity: f.severity.into(),
                    message: f.message,
                })
                .collect(),
        })
    }
}
