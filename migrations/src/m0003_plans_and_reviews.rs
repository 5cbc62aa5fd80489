//! EHC plans after issue: versions, SEN2 needs, annual reviews, amendments, phase transfers,
//! transfers between councils and ceasing. Extends the `ehc_plan` table of m0002.
use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

/// The columns added to `ehc_plan`, for `down`.
const PLAN_COLUMNS: [&str; 21] = [
    "entered_directly",
    "primary_need",
    "secondary_needs",
    "last_review_decision_on",
    "review_due_on",
    "transferred_in_on",
    "transferred_from",
    "transfer_notice_sent_on",
    "phase_transfer_kind",
    "phase_transfer_moves_on",
    "phase_transfer_finalised_for",
    "phase_transfer_finalised_on",
    "cease_proposed_on",
    "cease_consulted_on",
    "ceased_on",
    "cease_reason",
    "cease_notes",
    "move_learned_on",
    "moves_on",
    "transferred_out_on",
    "transferred_to",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        let plan_columns = [
            boolean("entered_directly").default(false).to_owned(),
            string_len_null("primary_need", 10),
            string_len_null("secondary_needs", 100),
            date_null("last_review_decision_on"),
            // The next review's statutory limit, kept with every change so the backlog is a
            // plain indexed query.
            date_null("review_due_on"),
            date_null("transferred_in_on"),
            string_null("transferred_from"),
            date_null("transfer_notice_sent_on"),
            string_len_null("phase_transfer_kind", 30),
            date_null("phase_transfer_moves_on"),
            date_null("phase_transfer_finalised_for"),
            date_null("phase_transfer_finalised_on"),
            date_null("cease_proposed_on"),
            date_null("cease_consulted_on"),
            date_null("ceased_on"),
            small_integer_null("cease_reason"),
            text_null("cease_notes"),
            // Reg 15(2): when the council learned of a move away, and the day of the move.
            date_null("move_learned_on"),
            date_null("moves_on"),
            date_null("transferred_out_on"),
            string_null("transferred_to"),
        ];
        for column in plan_columns {
            m.alter_table(
                Table::alter()
                    .table("ehc_plan")
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        // Plans issued before this migration: the 12 months from issue (29 Feb → 28 Feb).
        let backfill = match m.get_database_backend() {
            sea_orm_migration::sea_orm::DatabaseBackend::Sqlite => {
                "UPDATE ehc_plan SET review_due_on = CASE \
                 WHEN strftime('%m-%d', issued_on) = '02-29' \
                 THEN date(issued_on, '+1 year', '-1 day') \
                 ELSE date(issued_on, '+1 year') END"
            }
            _ => "UPDATE ehc_plan SET review_due_on = (issued_on + INTERVAL '12 months')::date",
        };
        db.execute_unprepared(backfill).await?;
        m.create_index(index("ehc_plan", &["la_id", "status", "review_due_on"]))
            .await?;

        m.alter_table(
            Table::alter()
                .table("advice_request")
                .add_column(big_integer_null("review_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("advice_request", &["review_id"]))
            .await?;

        // Each issued or amended plan is a version with its own issue date.
        m.create_table(
            Table::create()
                .table("plan_version")
                .col(big_pk_auto("id"))
                .col(big_integer("plan_id"))
                .col(integer("number"))
                .col(date("issued_on"))
                .col(string_null("named_setting"))
                .col(string_len("source", 20))
                .col(big_integer_null("amendment_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("plan_version", "plan_id", "ehc_plan"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_plan_version_plan_id_number")
                .table("plan_version")
                .col("plan_id")
                .col("number")
                .unique()
                .to_owned(),
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO plan_version (plan_id, number, issued_on, named_setting, source, \
             created_at) SELECT id, 1, issued_on, named_setting, 'ISSUED', created_at FROM ehc_plan",
        )
        .await?;

        m.create_table(
            Table::create()
                .table("annual_review")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(big_integer("plan_id"))
                .col(string_len("kind", 20))
                .col(string_len("state", 20))
                .col(date("scheduled_on"))
                .col(date("meeting_on"))
                .col(boolean("meeting_held").default(false))
                .col(date("due_by"))
                .col(string_len("due_by_kind", 40))
                .col(date_null("invitations_sent_on"))
                .col(date_null("advice_circulated_on"))
                .col(date_null("report_received_on"))
                .col(date_null("decided_on"))
                .col(string_len_null("decision", 20))
                .col(text_null("decision_reasons"))
                .col(date_null("cancelled_on"))
                .col(text_null("cancel_reason"))
                .col(date_null("closed_on"))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("annual_review", "la_id", "local_authority"))
                .foreign_key(&mut fk("annual_review", "child_id", "child"))
                .foreign_key(&mut fk("annual_review", "plan_id", "ehc_plan"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("annual_review", &["plan_id"])).await?;
        m.create_index(index("annual_review", &["la_id", "state", "meeting_on"]))
            .await?;
        // One review under way per plan, even under concurrent requests.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_annual_review_open_per_plan ON annual_review (plan_id) \
             WHERE closed_on IS NULL",
        )
        .await?;

        m.create_table(
            Table::create()
                .table("plan_amendment")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(big_integer("plan_id"))
                .col(big_integer_null("review_id"))
                .col(string_len("state", 20))
                .col(date("started_on"))
                .col(date_null("meeting_on"))
                .col(date_null("notice_sent_on"))
                .col(text_null("proposed_changes"))
                .col(date_null("parent_responded_on"))
                .col(text_null("parent_comments"))
                .col(boolean("parent_meeting_requested").default(false))
                .col(string_null("parent_requested_setting"))
                .col(date_null("final_issued_on"))
                .col(string_null("named_setting"))
                .col(boolean("phase_transfer").default(false))
                .col(date_null("decided_not_to_amend_on"))
                .col(text_null("not_amend_reasons"))
                .col(date_null("closed_on"))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("plan_amendment", "la_id", "local_authority"))
                .foreign_key(&mut fk("plan_amendment", "child_id", "child"))
                .foreign_key(&mut fk("plan_amendment", "plan_id", "ehc_plan"))
                .foreign_key(&mut fk("plan_amendment", "review_id", "annual_review"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("plan_amendment", &["plan_id"]))
            .await?;
        m.create_index(index("plan_amendment", &["review_id"]))
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_plan_amendment_open_per_plan ON plan_amendment (plan_id) \
             WHERE closed_on IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["plan_amendment", "annual_review", "plan_version"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for (table, name) in [
            ("advice_request", "ix_advice_request_review_id"),
            ("ehc_plan", "ix_ehc_plan_la_id_status_review_due_on"),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table("advice_request")
                .drop_column("review_id")
                .to_owned(),
        )
        .await?;
        for column in PLAN_COLUMNS {
            m.alter_table(
                Table::alter()
                    .table("ehc_plan")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
