//! The family's requests for a review meeting (answered by a review arranged or a reasoned
//! refusal), and mediation certificates on the plan decisions a family can appeal: a review
//! that kept the plan, an amended plan or a decision not to amend, and ceasing.
use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables whose decisions can be appealed, each with the date of a mediation certificate.
const CERTIFICATE_TABLES: [&str; 3] = ["annual_review", "plan_amendment", "ehc_plan"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in CERTIFICATE_TABLES {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(date_null("mediation_certificate_on"))
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("review_meeting_request")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(big_integer("plan_id"))
                .col(date("requested_on"))
                .col(text("reason"))
                // Who asked: a parent or carer, or the young person themself.
                .col(big_integer_null("requested_by_parent_id"))
                .col(boolean("requested_by_young_person").default(false))
                .col(string("requested_by_subject"))
                .col(date_null("answered_on"))
                .col(string_len_null("outcome", 20))
                .col(big_integer_null("review_id"))
                .col(text_null("decline_reason"))
                .col(big_integer_null("answered_by_staff_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "review_meeting_request",
                    "la_id",
                    "local_authority",
                ))
                .foreign_key(&mut fk("review_meeting_request", "child_id", "child"))
                .foreign_key(&mut fk("review_meeting_request", "plan_id", "ehc_plan"))
                .foreign_key(&mut fk(
                    "review_meeting_request",
                    "requested_by_parent_id",
                    "parent",
                ))
                .foreign_key(&mut fk(
                    "review_meeting_request",
                    "review_id",
                    "annual_review",
                ))
                .foreign_key(&mut fk(
                    "review_meeting_request",
                    "answered_by_staff_id",
                    "staff",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("review_meeting_request", &["plan_id"]))
            .await?;
        // One unanswered request per plan, even when two parents ask at once.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_review_meeting_request_open_per_plan ON \
                 review_meeting_request (plan_id) WHERE answered_on IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("review_meeting_request").to_owned())
            .await?;
        for table in CERTIFICATE_TABLES {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .drop_column("mediation_certificate_on")
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
