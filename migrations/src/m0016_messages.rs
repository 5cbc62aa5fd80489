//! Messages the system sends first (DOMAIN.md's notices, reminders, digests, webhooks).
//! `message` is the outbox: a row is written in the transaction of the change that caused
//! it, so a rolled-back change sends nothing and a crash loses nothing; a delivery worker
//! claims due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL) under a lease and keeps every
//! attempt in `delivery_attempt`. `idempotency_key` is unique: a reminder or a webhook
//! enqueued twice is one message, and a message delivered twice after a crash carries the
//! same key to the receiver. `webhook_subscription` is a council system subscribed to event
//! types; `deadline_alert` records the day an open deadline became due soon or overdue (the
//! live updates and the digests read it). Families' and staff's preferences are columns on
//! their records.
use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("message")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer_null("child_id"))
                .col(string_len("event", 60))
                .col(string_len_null("entity", 40))
                .col(big_integer_null("entity_id"))
                .col(string_len("recipient_kind", 20))
                .col(big_integer("recipient_id"))
                .col(string_len("recipient_name", 200))
                .col(string_len("channel", 20))
                .col(string_len_null("address", 500))
                .col(boolean("statutory"))
                .col(text("subject"))
                .col(text("body"))
                .col(string_len("idempotency_key", 200))
                .col(string_len("state", 20))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(string_len_null("locked_by", 100))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(text_null("last_error"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_message_idempotency_key")
                .table("message")
                .col("idempotency_key")
                .unique()
                .to_owned(),
        )
        .await?;
        for columns in [
            &["child_id", "id"][..],
            &["recipient_kind", "recipient_id", "id"],
            &["la_id", "state", "id"],
        ] {
            m.create_index(index("message", columns)).await?;
        }
        // What the worker claims: due, undelivered rows, oldest first.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_message_due ON message (next_attempt_at, id) \
                 WHERE state = 'QUEUED'",
            )
            .await?;
        m.create_table(
            Table::create()
                .table("delivery_attempt")
                .col(big_pk_auto("id"))
                .col(big_integer("message_id"))
                .col(integer("attempt"))
                .col(string_len("worker", 100))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone("finished_at"))
                .col(string_len("outcome", 20))
                .col(string_len_null("provider_reference", 200))
                .col(text_null("error"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("delivery_attempt", &["message_id", "id"]))
            .await?;
        m.create_table(
            Table::create()
                .table("webhook_subscription")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(string_len("name", 200))
                .col(string_len("url", 1000))
                .col(string_len("secret", 200))
                .col(text("event_types"))
                .col(boolean("active"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("webhook_subscription", &["la_id", "id"]))
            .await?;
        m.create_table(
            Table::create()
                .table("deadline_alert")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer("child_id"))
                .col(big_integer_null("caseworker_id"))
                .col(string_len("process", 30))
                .col(big_integer("source_id"))
                .col(string_len("kind", 40))
                .col(big_integer("advice_request_id"))
                .col(date("due_on"))
                .col(string_len("alert", 20))
                .col(date("raised_on"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_deadline_alert")
                .table("deadline_alert")
                .col("process")
                .col("source_id")
                .col("kind")
                .col("advice_request_id")
                .col("due_on")
                .col("alert")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index("deadline_alert", &["la_id", "id"]))
            .await?;
        m.create_index(index("deadline_alert", &["child_id", "id"]))
            .await?;
        // Which scheduled job ran on which day: the first process to take the row runs it.
        m.create_table(
            Table::create()
                .table("scheduled_run")
                .col(string_len("job", 60))
                .col(date("run_on"))
                .col(timestamp_with_time_zone("started_at"))
                .primary_key(Index::create().col("job").col("run_on"))
                .to_owned(),
        )
        .await?;
        for (table, column) in [
            (
                "parent",
                ColumnDef::new("message_channel")
                    .string_len(20)
                    .null()
                    .to_owned(),
            ),
            (
                "parent",
                ColumnDef::new("optional_reminders")
                    .boolean()
                    .not_null()
                    .default(true)
                    .to_owned(),
            ),
            (
                "child",
                ColumnDef::new("contact_email")
                    .string_len(320)
                    .null()
                    .to_owned(),
            ),
            (
                "child",
                ColumnDef::new("contact_phone")
                    .string_len(40)
                    .null()
                    .to_owned(),
            ),
            (
                "child",
                ColumnDef::new("message_channel")
                    .string_len(20)
                    .null()
                    .to_owned(),
            ),
            (
                "child",
                ColumnDef::new("optional_reminders")
                    .boolean()
                    .not_null()
                    .default(true)
                    .to_owned(),
            ),
            (
                "professional",
                ColumnDef::new("optional_reminders")
                    .boolean()
                    .not_null()
                    .default(true)
                    .to_owned(),
            ),
            (
                "staff",
                ColumnDef::new("daily_digest")
                    .boolean()
                    .not_null()
                    .default(true)
                    .to_owned(),
            ),
            (
                "staff",
                ColumnDef::new("weekly_digest")
                    .boolean()
                    .not_null()
                    .default(false)
                    .to_owned(),
            ),
        ] {
            m.alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "scheduled_run",
            "deadline_alert",
            "webhook_subscription",
            "delivery_attempt",
            "message",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for (table, column) in [
            ("parent", "message_channel"),
            ("parent", "optional_reminders"),
            ("child", "contact_email"),
            ("child", "contact_phone"),
            ("child", "message_channel"),
            ("child", "optional_reminders"),
            ("professional", "optional_reminders"),
            ("staff", "daily_digest"),
            ("staff", "weekly_digest"),
        ] {
            m.alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
