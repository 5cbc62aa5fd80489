//! sea-orm entities: one per table, no API derives (the GraphQL types live in `api`).
pub mod advice_request;
pub mod assessment;
pub mod assessment_exception;
pub mod audit_event;
pub mod child;
pub mod child_parent;
pub mod deadline;
pub mod ehc_plan;
pub mod exception_reason;
pub mod local_authority;
pub mod locality;
pub mod parent;
pub mod professional;
pub mod setting_consultation;
pub mod staff;
pub mod team;
