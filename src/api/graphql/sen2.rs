//! The DfE's SEN2 return: its code lists, for the frontend's choices.
use async_graphql::{Context, Object, Result, SimpleObject};

use super::ctx;
use crate::service::sen2 as svc;

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
}
