//! The rows the services return, under the names the API shows. The API reads these and
//! never `store::entity`: how a record is stored, and which queries reach it, is the store's.
pub use crate::store::entity::administrator::Model as AdministratorRow;
pub use crate::store::entity::advice_request::Model as AdviceRequestRow;
pub use crate::store::entity::assessment::Model as AssessmentRow;
pub use crate::store::entity::audit_event::Model as AuditEventRow;
pub use crate::store::entity::child::Model as ChildRow;
pub use crate::store::entity::local_authority::Model as LocalAuthorityRow;
pub use crate::store::entity::locality::Model as LocalityRow;
pub use crate::store::entity::parent::Model as ParentRow;
pub use crate::store::entity::plan_version::Model as PlanVersionRow;
pub use crate::store::entity::professional::Model as ProfessionalRow;
pub use crate::store::entity::review_meeting_request::Model as ReviewMeetingRequestRow;
pub use crate::store::entity::setting_consultation::Model as SettingConsultationRow;
pub use crate::store::entity::staff::Model as StaffRow;
pub use crate::store::entity::team::Model as TeamRow;
