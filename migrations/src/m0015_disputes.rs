//! Disputes and complaints (DOMAIN.md §6). `dispute` is one challenged decision (a refusal to
//! assess or to issue, a plan's content or school, a decision not to amend, a cease): its
//! mediation, its appeal to the First-tier Tribunal (SEND), and the order, agreement or
//! concession that ends it, with the assessment an order to assess opened. `complaint` is a
//! complaint about the SEND service through the council's two stages and the Ombudsman;
//! `remedy` is what was put right (an apology, a payment, a service improvement), the
//! register a manager reads. An amendment an order directs names its dispute and the order's
//! limit.
use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("dispute")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(big_integer_null("assessment_id"))
                .col(big_integer_null("plan_id"))
                .col(string_len("appealed", 30))
                .col(date("decision_sent_on"))
                .col(string_len("state", 30))
                .col(date("opened_on"))
                .col(date_null("adviser_contacted_on"))
                .col(boolean_null("mediation_wanted"))
                .col(date_null("council_told_on"))
                .col(date_null("mediation_held_on"))
                .col(date_null("certificate_issued_on"))
                .col(date_null("appeal_registered_on"))
                .col(date_null("hearing_on"))
                .col(date_null("appeal_withdrawn_on"))
                .col(string_len_null("outcome", 20))
                .col(date_null("outcome_on"))
                .col(string_len_null("order_kind", 30))
                .col(text_null("outcome_note"))
                .col(text_null("other_matter"))
                .col(date_null("other_matter_due_on"))
                .col(date_null("other_matter_done_on"))
                .col(string_len_null("order_exception", 40))
                .col(date_null("order_exception_on"))
                .col(date_null("order_exception_until"))
                .col(date_null("complied_on"))
                .col(big_integer_null("ordered_assessment_id"))
                .col(date_null("closed_on"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("dispute", "child_id", "child"))
                .foreign_key(&mut fk("dispute", "assessment_id", "assessment"))
                .foreign_key(&mut fk("dispute", "plan_id", "ehc_plan"))
                .foreign_key(&mut fk("dispute", "ordered_assessment_id", "assessment"))
                .to_owned(),
        )
        .await?;
        for columns in [
            &["la_id", "id"][..],
            &["la_id", "state", "id"],
            &["child_id", "id"],
            &["ordered_assessment_id"],
        ] {
            m.create_index(index("dispute", columns)).await?;
        }
        // One open dispute per challenged decision: two opened at the same moment cannot both
        // be taken.
        for (name, column) in [
            ("ux_dispute_open_assessment", "assessment_id"),
            ("ux_dispute_open_plan", "plan_id"),
        ] {
            m.get_connection()
                .execute_unprepared(&format!(
                    "CREATE UNIQUE INDEX {name} ON dispute ({column}, appealed) \
                     WHERE closed_on IS NULL AND {column} IS NOT NULL"
                ))
                .await?;
        }
        // An order to amend the plan, or to name another school, is carried out as an
        // amendment of the plan, under the order's limit (reg 44(2)(e)-(f)).
        for column in [
            ColumnDef::new("dispute_id").big_integer().null().to_owned(),
            ColumnDef::new("ordered_limit")
                .string_len(40)
                .null()
                .to_owned(),
            ColumnDef::new("ordered_due_on").date().null().to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table("plan_amendment")
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("complaint")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(string_len("state", 30))
                .col(text("summary"))
                .col(date("received_on"))
                .col(date_null("acknowledged_on"))
                .col(date_null("extended_to"))
                .col(text_null("extension_reason"))
                .col(date_null("responded_on"))
                .col(date_null("escalated_on"))
                .col(date_null("stage_two_acknowledged_on"))
                .col(date_null("stage_two_extended_to"))
                .col(text_null("stage_two_extension_reason"))
                .col(date_null("stage_two_responded_on"))
                .col(date_null("ombudsman_referred_on"))
                .col(string_len_null("ombudsman_reference", 40))
                .col(date_null("ombudsman_decided_on"))
                .col(string_len_null("ombudsman_finding", 30))
                .col(date_null("withdrawn_on"))
                .col(date_null("closed_on"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("complaint", "child_id", "child"))
                .to_owned(),
        )
        .await?;
        for columns in [
            &["la_id", "id"][..],
            &["la_id", "state", "id"],
            &["child_id", "id"],
        ] {
            m.create_index(index("complaint", columns)).await?;
        }
        m.create_table(
            Table::create()
                .table("remedy")
                .col(big_pk_auto("id"))
                .col(big_integer("complaint_id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(big_integer("locality_id"))
                .col(string_len("kind", 30))
                .col(string_len_null("reason", 30))
                .col(big_integer_null("amount_pence"))
                .col(string_len("offered_by", 20))
                .col(text("description"))
                .col(date("agreed_on"))
                .col(date_null("done_on"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("remedy", "complaint_id", "complaint"))
                .to_owned(),
        )
        .await?;
        for columns in [&["complaint_id", "id"][..], &["la_id", "agreed_on", "id"]] {
            m.create_index(index("remedy", columns)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["remedy", "complaint", "dispute"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for column in ["dispute_id", "ordered_limit", "ordered_due_on"] {
            m.alter_table(
                Table::alter()
                    .table("plan_amendment")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
