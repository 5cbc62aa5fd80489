//! Where the plan's child or young person is placed, over time, and the plan's personal
//! budget: what the SEN2 return's PlanDetail (4.7), PlacementDetail (5.7) and items 4.2–4.4
//! are made of. Codes are the SEN2 lists' (`sen2CodeList`), which a council can correct.
use super::*;
use crate::api::graphql::Date;
use crate::domain::placement as rules;
use crate::store::entity::placement as row;

pub struct Placement(pub row::Model);

/// One placement: a setting the plan names, from its entry date to its leaving date.
#[Object]
impl Placement {
    /// 1 the main (primary) placement; 2 a secondary one at the same time (a dual placement).
    async fn rank(&self) -> i32 {
        self.0.rank.into()
    }
    /// The school's or college's URN (6 digits, from GIAS); null when named otherwise.
    async fn urn(&self) -> Option<&str> {
        self.0.urn.as_deref()
    }
    /// The post-16 provider's UKPRN (8 digits); null when named otherwise.
    async fn ukprn(&self) -> Option<&str> {
        self.0.ukprn.as_deref()
    }
    /// With neither URN nor UKPRN, the kind of arrangement: the SEN2 `SEN_SETTING` code
    /// (e.g. `EHE` elective home education, `NIEO` not in education, other).
    async fn sen_setting(&self) -> Option<&str> {
        self.0.sen_setting.as_deref()
    }
    /// The arrangement in words, for one given by its kind.
    async fn sen_setting_other(&self) -> Option<&str> {
        self.0.sen_setting_other.as_deref()
    }
    /// The first day there.
    async fn entry_on(&self) -> Date {
        Date(self.0.entry_on)
    }
    /// The last day there; null while placed there.
    async fn leaving_on(&self) -> Option<Date> {
        self.0.leaving_on.map(Date)
    }
    /// In the setting's SEN unit.
    async fn sen_unit(&self) -> bool {
        self.0.sen_unit
    }
    /// In the setting's resourced provision.
    async fn resourced_provision(&self) -> bool {
        self.0.resourced_provision
    }
    /// Residential, and for how long a year: the SEN2 `RESIDENTIAL` code; null when not.
    async fn residential(&self) -> Option<&str> {
        self.0.residential.as_deref()
    }
    /// Work-based learning: the SEN2 `WORK_BASED_LEARNING` code; null when none.
    async fn work_based_learning(&self) -> Option<&str> {
        self.0.work_based_learning.as_deref()
    }
}

/// One placement as given.
#[derive(InputObject)]
pub struct PlacementInput {
    /// 1 for the main placement, 2 for a secondary one at the same time.
    #[graphql(default = 1)]
    rank: i32,
    /// The setting's URN: 6 digits. Give one of `urn`, `ukprn` and `senSetting`.
    urn: Option<String>,
    /// The provider's UKPRN: 8 digits starting with 1.
    ukprn: Option<String>,
    /// The kind of arrangement where no setting is named: a SEN2 `SEN_SETTING` code.
    sen_setting: Option<String>,
    /// The arrangement in words (up to 200 characters), with `senSetting` only.
    sen_setting_other: Option<String>,
    /// The first day there.
    entry_on: Date,
    /// The last day there, when it has ended.
    leaving_on: Option<Date>,
    /// In the setting's SEN unit.
    #[graphql(default)]
    sen_unit: bool,
    /// In the setting's resourced provision.
    #[graphql(default)]
    resourced_provision: bool,
    /// Residential: a SEN2 `RESIDENTIAL` code.
    residential: Option<String>,
    /// Work-based learning: a SEN2 `WORK_BASED_LEARNING` code.
    work_based_learning: Option<String>,
}

impl From<PlacementInput> for rules::PlacementInput {
    fn from(p: PlacementInput) -> Self {
        rules::PlacementInput {
            rank: p.rank,
            urn: p.urn,
            ukprn: p.ukprn,
            sen_setting: p.sen_setting,
            sen_setting_other: p.sen_setting_other,
            entry_on: Some(p.entry_on.0),
            leaving_on: p.leaving_on.map(|d| d.0),
            sen_unit: p.sen_unit,
            resourced_provision: p.resourced_provision,
            residential: p.residential,
            work_based_learning: p.work_based_learning,
        }
    }
}

/// The plan's placements, all of them: what is given replaces what was held.
#[derive(InputObject)]
pub struct SetPlacementsInput {
    /// The plan (its global id).
    plan_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// Every placement, past and present (at most 30); an empty list clears them.
    placements: Vec<PlacementInput>,
}

/// The plan's personal budget (SEN2 4.4).
#[derive(InputObject)]
pub struct SetPersonalBudgetInput {
    /// The plan (its global id).
    plan_id: ID,
    /// The record's `version` as last read; a stale one is CONFLICT.
    version: i32,
    /// A personal budget was taken up.
    taken_up: bool,
    /// Part of it is held as organised arrangements (the council or a third party manages it).
    #[graphql(default)]
    organised_arrangements: bool,
    /// Part of it is paid directly, and for what: a SEN2 `DIRECT_PAYMENT` code.
    direct_payments: Option<String>,
}

/// The plan's personal budget as recorded.
#[derive(SimpleObject)]
pub struct PersonalBudget {
    /// A personal budget was taken up.
    taken_up: bool,
    /// Held as organised arrangements.
    organised_arrangements: bool,
    /// Paid directly, and for what: the SEN2 `DIRECT_PAYMENT` code; null when not.
    direct_payments: Option<String>,
}

impl EhcPlan {
    pub(super) async fn placements_of(&self, gql: &Context<'_>) -> Result<Vec<Placement>> {
        Ok(
            loaders::load_all(gql, loaders::PlanPlacements(self.0.row.id))
                .await?
                .into_iter()
                .map(Placement)
                .collect(),
        )
    }

    pub(super) fn personal_budget_of(&self) -> Option<PersonalBudget> {
        self.0.personal_budget().map(|b| PersonalBudget {
            taken_up: b.taken_up,
            organised_arrangements: b.organised_arrangements,
            direct_payments: b.direct_payments,
        })
    }
}

#[derive(Default)]
pub struct PlacementMutation;

#[Object]
impl PlacementMutation {
    /// Record where the child or young person is placed, over time: every placement, past
    /// and present, replacing those held (SEN2 4.7 and 5.7).
    async fn set_placements(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, its version and every placement")] input: SetPlacementsInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        let placements = input.placements.into_iter().map(Into::into).collect();
        Ok(EhcPlan(
            svc::set_placements(&ctx, pid(&input.plan_id)?, input.version, placements).await?,
        ))
    }

    /// Record the plan's personal budget (SEN2 4.4).
    async fn set_personal_budget(
        &self,
        gql: &Context<'_>,
        #[graphql(desc = "The plan, its version and the budget")] input: SetPersonalBudgetInput,
    ) -> Result<EhcPlan> {
        let ctx = ctx(gql)?;
        Ok(EhcPlan(
            svc::set_personal_budget(
                &ctx,
                pid(&input.plan_id)?,
                input.version,
                input.taken_up,
                input.organised_arrangements,
                input.direct_payments.as_deref(),
            )
            .await?,
        ))
    }
}
