//! Local authorities, localities, teams, staff, professionals, children, parents, and the
//! append-only audit trail.
use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("local_authority")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("code", 3))
                .col(string("name"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("locality")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(string("name"))
                .foreign_key(&mut fk("locality", "la_id", "local_authority"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("locality", &["la_id", "name"]).unique().to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("team")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(string("name"))
                .foreign_key(&mut fk("team", "la_id", "local_authority"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("team", &["la_id", "name"]).unique().to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("staff")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(big_integer_null("team_id"))
                .col(string_uniq("subject"))
                .col(string("name"))
                .col(string_null("email"))
                .col(string_len("role", 20))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("staff", "la_id", "local_authority"))
                .foreign_key(&mut fk("staff", "team_id", "team"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("staff", &["la_id", "team_id"]))
            .await?;
        m.create_table(
            Table::create()
                .table("professional")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(string_null("subject").unique_key())
                .col(string("name"))
                .col(string_len("service", 40))
                .col(string("organisation"))
                .col(string_null("email"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("professional", "la_id", "local_authority"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("professional", &["la_id", "service"]))
            .await?;
        m.create_table(
            Table::create()
                .table("child")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(string("legal_name"))
                .col(string_null("preferred_name"))
                .col(date("date_of_birth"))
                .col(big_integer("locality_id"))
                .col(string_null("current_setting"))
                .col(small_integer_null("nc_year_override"))
                .col(string_null("subject").unique_key())
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("child", "la_id", "local_authority"))
                .foreign_key(&mut fk("child", "locality_id", "locality"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("child", &["la_id", "legal_name"]))
            .await?;
        m.create_index(index("child", &["locality_id"])).await?;
        m.create_table(
            Table::create()
                .table("parent")
                .col(big_pk_auto("id"))
                .col(big_integer("la_id"))
                .col(string_null("subject").unique_key())
                .col(string("name"))
                .col(string_null("email"))
                .col(string_null("phone"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("parent", "la_id", "local_authority"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("child_parent")
                .col(big_integer("child_id"))
                .col(big_integer("parent_id"))
                .col(string("relationship"))
                .primary_key(Index::create().col("child_id").col("parent_id"))
                .foreign_key(&mut fk("child_parent", "child_id", "child"))
                .foreign_key(&mut fk("child_parent", "parent_id", "parent"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("child_parent", &["parent_id"]))
            .await?;
        m.create_table(
            Table::create()
                .table("audit_event")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("occurred_at"))
                .col(string("actor_subject"))
                .col(string_len("actor_role", 20))
                .col(big_integer_null("la_id"))
                .col(big_integer_null("child_id"))
                .col(string_len("entity", 40))
                .col(big_integer("entity_id"))
                .col(string_len("action", 60))
                .col(text("summary"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("audit_event", &["child_id", "occurred_at"]))
            .await?;
        m.create_index(index("audit_event", &["actor_subject", "occurred_at"]))
            .await?;
        m.create_index(index("audit_event", &["la_id", "occurred_at"]))
            .await?;

        // The audit trail is append-only at the database level too, not just in the API.
        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Sqlite => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER audit_event_no_{op} BEFORE {op} ON audit_event \
                         BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
                    ))
                    .await?;
                }
            }
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'audit events are append-only'; END; \
                     $$ LANGUAGE plpgsql;",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE \
                     ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();",
                )
                .await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if m.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS audit_event_append_only()")
                .await?;
        }
        for table in [
            "audit_event",
            "child_parent",
            "parent",
            "child",
            "professional",
            "staff",
            "team",
            "locality",
            "local_authority",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
