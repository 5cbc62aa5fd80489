//! EHC needs assessments, advice requests (professionals' contributions), exceptions to the
//! statutory time limits, setting consultations, and the EHC plan record a final plan creates.
use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Reasons are data, so a new one (such as the 2020 COVID-19 reason) needs no code.
        m.create_table(
            Table::create()
                .table("exception_reason")
                .col(string_len("code", 40).primary_key())
                .col(string("label"))
                .col(string("regulation"))
                .col(boolean("lifts_decision"))
                .col(boolean("lifts_advice"))
                .col(boolean("lifts_plan"))
                .col(boolean("active").default(true))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("assessment")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(string_len("kind", 20))
                .col(string_len("state", 30))
                .col(string_len("requested_by", 20))
                .col(date("received_on"))
                .col(big_integer_null("caseworker_id"))
                .col(date_null("decided_to_assess_on"))
                .col(date_null("decided_not_to_assess_on"))
                .col(text_null("decision_reasons"))
                .col(date_null("decided_not_to_issue_on"))
                .col(date_null("draft_sent_on"))
                .col(date_null("parent_responded_on"))
                .col(text_null("parent_comments"))
                .col(boolean("parent_meeting_requested").default(false))
                .col(string_null("parent_requested_setting"))
                .col(date_null("final_issued_on"))
                .col(string_null("named_setting"))
                .col(boolean_null("within_twenty_weeks"))
                .col(boolean_null("exception_applies"))
                .col(date_null("withdrawn_on"))
                .col(text_null("withdrawal_reason"))
                .col(date_null("transferred_out_on"))
                .col(string_null("transferred_to"))
                .col(date_null("closed_on"))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("assessment", "la_id", "local_authority"))
                .foreign_key(&mut fk("assessment", "child_id", "child"))
                .foreign_key(&mut fk("assessment", "caseworker_id", "staff"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("assessment", &["la_id", "state"]))
            .await?;
        m.create_index(index("assessment", &["child_id"])).await?;
        m.create_index(index("assessment", &["caseworker_id", "state"]))
            .await?;
        // At most one open assessment per child, even under concurrent requests.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_assessment_open_per_child ON assessment (child_id) \
                 WHERE closed_on IS NULL",
            )
            .await?;
        m.create_table(
            Table::create()
                .table("advice_request")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(big_integer_null("assessment_id"))
                .col(string_len("service", 40))
                .col(big_integer_null("professional_id"))
                .col(string_null("addressed_to"))
                .col(date("requested_on"))
                .col(date("due_on"))
                .col(date_null("received_on"))
                .col(text_null("summary"))
                .col(string_null("document_ref"))
                .col(date_null("declined_on"))
                .col(text_null("decline_reason"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("advice_request", "la_id", "local_authority"))
                .foreign_key(&mut fk("advice_request", "child_id", "child"))
                .foreign_key(&mut fk("advice_request", "assessment_id", "assessment"))
                .foreign_key(&mut fk("advice_request", "professional_id", "professional"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("advice_request", &["assessment_id"]))
            .await?;
        m.create_index(index("advice_request", &["professional_id", "child_id"]))
            .await?;
        m.create_index(index("advice_request", &["la_id", "service", "child_id"]))
            .await?;
        m.create_table(
            Table::create()
                .table("assessment_exception")
                .col(big_pk_auto("id"))
                .col(big_integer("assessment_id"))
                .col(string_len("reason_code", 40))
                .col(date("starts_on"))
                .col(date("ends_on"))
                .col(text_null("note"))
                .col(big_integer_null("advice_request_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "assessment_exception",
                    "assessment_id",
                    "assessment",
                ))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_assessment_exception_reason_code")
                        .from("assessment_exception", "reason_code")
                        .to("exception_reason", "code"),
                )
                .foreign_key(&mut fk(
                    "assessment_exception",
                    "advice_request_id",
                    "advice_request",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("assessment_exception", &["assessment_id"]))
            .await?;
        m.create_table(
            Table::create()
                .table("setting_consultation")
                .col(big_pk_auto("id"))
                .col(big_integer("assessment_id"))
                .col(string("setting_name"))
                .col(date("consulted_on"))
                .col(date_null("responded_on"))
                .col(string_len_null("response", 20))
                .col(text_null("note"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "setting_consultation",
                    "assessment_id",
                    "assessment",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("setting_consultation", &["assessment_id"]))
            .await?;
        m.create_table(
            Table::create()
                .table("ehc_plan")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(big_integer_null("assessment_id"))
                .col(string_len("status", 20))
                .col(date("issued_on"))
                .col(string_null("named_setting"))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("ehc_plan", "la_id", "local_authority"))
                .foreign_key(&mut fk("ehc_plan", "child_id", "child"))
                .foreign_key(&mut fk("ehc_plan", "assessment_id", "assessment"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ehc_plan", &["child_id"])).await?;
        m.create_index(index("ehc_plan", &["la_id", "status"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "ehc_plan",
            "setting_consultation",
            "assessment_exception",
            "advice_request",
            "assessment",
            "exception_reason",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
