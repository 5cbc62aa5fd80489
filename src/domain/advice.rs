//! Professionals' contributions: the services asked for advice (SEND Regs 2014 reg 6).
use std::str::FromStr;

/// Who gives advice: the services of reg 6(1), and the parent's and child's own views.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdviceService {
    EducationalPsychology,
    Paediatrics,
    Camhs,
    SpeechAndLanguageTherapy,
    OccupationalTherapy,
    Physiotherapy,
    DesignatedClinicalOfficer,
    SocialCare,
    SchoolOrSetting,
    ParentView,
    ChildView,
    PreparationForAdulthood,
    Other,
}

impl AdviceService {
    pub const ALL: [AdviceService; 13] = [
        AdviceService::EducationalPsychology,
        AdviceService::Paediatrics,
        AdviceService::Camhs,
        AdviceService::SpeechAndLanguageTherapy,
        AdviceService::OccupationalTherapy,
        AdviceService::Physiotherapy,
        AdviceService::DesignatedClinicalOfficer,
        AdviceService::SocialCare,
        AdviceService::SchoolOrSetting,
        AdviceService::ParentView,
        AdviceService::ChildView,
        AdviceService::PreparationForAdulthood,
        AdviceService::Other,
    ];

    pub fn as_str(self) -> &'static str {
        use AdviceService::*;
        match self {
            EducationalPsychology => "EDUCATIONAL_PSYCHOLOGY",
            Paediatrics => "PAEDIATRICS",
            Camhs => "CAMHS",
            SpeechAndLanguageTherapy => "SPEECH_AND_LANGUAGE_THERAPY",
            OccupationalTherapy => "OCCUPATIONAL_THERAPY",
            Physiotherapy => "PHYSIOTHERAPY",
            DesignatedClinicalOfficer => "DESIGNATED_CLINICAL_OFFICER",
            SocialCare => "SOCIAL_CARE",
            SchoolOrSetting => "SCHOOL_OR_SETTING",
            ParentView => "PARENT_VIEW",
            ChildView => "CHILD_VIEW",
            PreparationForAdulthood => "PREPARATION_FOR_ADULTHOOD",
            Other => "OTHER",
        }
    }

    /// How a parent would name it.
    pub fn label(self) -> &'static str {
        use AdviceService::*;
        match self {
            EducationalPsychology => "Educational psychology",
            Paediatrics => "Health: paediatrics",
            Camhs => "Health: child and adolescent mental health (CAMHS)",
            SpeechAndLanguageTherapy => "Health: speech and language therapy",
            OccupationalTherapy => "Health: occupational therapy",
            Physiotherapy => "Health: physiotherapy",
            DesignatedClinicalOfficer => "Health: designated clinical officer",
            SocialCare => "Social care",
            SchoolOrSetting => "School or setting",
            ParentView => "Your views as a parent or carer",
            ChildView => "The child's or young person's own views",
            PreparationForAdulthood => "Preparing for adulthood",
            Other => "Other advice",
        }
    }

    /// Whether professionals work in this service (the views are given by the family).
    pub fn is_professional(self) -> bool {
        !matches!(self, AdviceService::ParentView | AdviceService::ChildView)
    }
}

impl FromStr for AdviceService {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AdviceService::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown advice service `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_round_trip_and_family_views_are_not_professional() {
        for service in AdviceService::ALL {
            assert_eq!(service.as_str().parse::<AdviceService>(), Ok(service));
        }
        assert!(!AdviceService::ParentView.is_professional());
        assert!(AdviceService::Camhs.is_professional());
    }
}
