//! The figures the DfE publishes from the SEN2 return ("Education, health and care plans",
//! explore-education-statistics), worked out from the same facts as the return, so a council
//! can check them before it submits: the caseload on the census date by age, need and
//! setting; requests and their outcomes; new plans issued within 20 weeks including and
//! excluding exceptions; plans ceased by reason. Pure.
//!
//! The tables and bands follow the published data sets' (age groups "Under age 5" to "Age 20
//! to 25"; timeliness with and without exceptions). Two readings are this project's, not the
//! DfE's, and the README says so: age is taken on the census date, and the setting is the
//! kind the return records (URN, UKPRN or SEN setting type): the DfE maps URNs to
//! establishment types through GIAS, which this system does not hold.
use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::placement::Setting;
use super::sen2_return::{Census, PersonFacts, PlanFacts, RequestFacts, request_outcome};

/// One figure: a count in a table's row, and for a rate, what it is a share of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub table: &'static str,
    pub breakdown: String,
    pub count: u64,
    /// The denominator, for a rate (plans issued within 20 weeks of plans issued).
    pub of: Option<u64>,
}

impl Figure {
    /// The rate in percent, to one decimal place, as the DfE publishes it.
    pub fn percent(&self) -> Option<f64> {
        self.of
            .filter(|of| *of > 0)
            .map(|of| (self.count as f64 * 1000.0 / of as f64).round() / 10.0)
    }
}

/// The published age groups, by age on the census date.
const AGE_GROUPS: [(&str, u32, u32); 5] = [
    ("Under age 5", 0, 4),
    ("Age 5 to 10", 5, 10),
    ("Age 11 to 15", 11, 15),
    ("Age 16 to 19", 16, 19),
    ("Age 20 to 25", 20, 25),
];

fn age_on(born: NaiveDate, day: NaiveDate) -> u32 {
    day.years_since(born).unwrap_or(0)
}

/// Issued within 20 weeks of the request: on or before the 20-week time limit's last day
/// (the engine's `FINAL_PLAN` deadline, reg 13(2)).
fn within_twenty_weeks(received: NaiveDate, issued: NaiveDate) -> bool {
    issued <= received + Duration::weeks(20)
}

#[derive(Default)]
struct Tables {
    rows: Vec<Figure>,
}

impl Tables {
    fn add(&mut self, table: &'static str, breakdown: impl Into<String>, count: u64) {
        self.rows.push(Figure {
            table,
            breakdown: breakdown.into(),
            count,
            of: None,
        });
    }
    fn rate(&mut self, table: &'static str, breakdown: &str, count: u64, of: u64) {
        self.rows.push(Figure {
            table,
            breakdown: breakdown.into(),
            count,
            of: Some(of),
        });
    }
    fn counts(&mut self, table: &'static str, counts: BTreeMap<String, u64>) {
        for (breakdown, count) in counts {
            self.add(table, breakdown, count);
        }
    }
}

/// A new plan: issued after an initial request (not a re-assessment or an assessment a
/// Tribunal ordered, nor received from another council), in the collection year.
fn new_plan_issued(r: &RequestFacts, census: Census) -> Option<(NaiveDate, NaiveDate)> {
    let issued = r.final_issued_on.filter(|d| census.in_period(*d))?;
    let received = r.received_on?;
    let transferred_in = r.plan.as_ref().is_some_and(|p| p.transferred_in.is_some());
    (r.initial && !transferred_in).then_some((received, issued))
}

fn setting_on(plan: &PlanFacts, day: NaiveDate) -> String {
    match plan
        .placements
        .iter()
        .find(|p| p.rank == 1 && p.on(day))
        .map(|p| &p.setting)
    {
        Some(Setting::Urn(_)) => "school or college named by URN".into(),
        Some(Setting::Ukprn(_)) => "post-16 provider named by UKPRN".into(),
        Some(Setting::Kind(kind)) => kind.clone(),
        None => "not recorded".into(),
    }
}

/// The published figures for the LA's return on `census`, in a fixed order.
pub fn figures(people: &[PersonFacts], census: Census) -> Vec<Figure> {
    let d = census.reference_date;
    let mut t = Tables::default();

    // The caseload: plans maintained on the census date.
    let mut by_age: BTreeMap<usize, u64> = BTreeMap::new();
    let mut by_need: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_setting: BTreeMap<String, u64> = BTreeMap::new();
    let mut caseload = 0;
    for p in people {
        for plan in p.requests.iter().filter_map(|r| r.plan.as_ref()) {
            if !plan.active_on(census) {
                continue;
            }
            caseload += 1;
            let age = age_on(p.date_of_birth, d);
            let group = AGE_GROUPS
                .iter()
                .position(|(_, from, to)| (*from..=*to).contains(&age))
                .unwrap_or(AGE_GROUPS.len());
            *by_age.entry(group).or_default() += 1;
            let need = plan.needs.first().cloned().unwrap_or("not recorded".into());
            *by_need.entry(need).or_default() += 1;
            *by_setting.entry(setting_on(plan, d)).or_default() += 1;
        }
    }
    t.add("caseload", "EHC plans on the census date", caseload);
    for (i, (label, ..)) in AGE_GROUPS.iter().enumerate() {
        t.add(
            "caseload by age",
            *label,
            by_age.get(&i).copied().unwrap_or(0),
        );
    }
    if let Some(older) = by_age.get(&AGE_GROUPS.len()) {
        t.add("caseload by age", "Age over 25", *older);
    }
    t.counts("caseload by primary need", by_need);
    t.counts("caseload by setting", by_setting);

    // Initial requests received in the calendar year, and where each stands on the census
    // date.
    let requests: Vec<&RequestFacts> = people
        .iter()
        .flat_map(|p| &p.requests)
        .filter(|r| r.assessment_id.is_some() && r.initial)
        .filter(|r| r.received_on.is_some_and(|on| census.in_period(on)))
        .collect();
    t.add(
        "requests",
        "initial requests received",
        requests.len() as u64,
    );
    let outcome = |code: &str| {
        requests
            .iter()
            .filter(|r| request_outcome(r, census).0 == code)
            .count() as u64
    };
    t.add("requests", "decided to assess", outcome("Y"));
    t.add("requests", "decided not to assess", outcome("N"));
    t.add("requests", "withdrawn or moved away", outcome("W"));
    t.add("requests", "awaiting a decision", outcome("A"));

    // Assessments decided in the calendar year.
    let all: Vec<&RequestFacts> = people.iter().flat_map(|p| &p.requests).collect();
    let new_plans: Vec<(NaiveDate, NaiveDate, bool)> = all
        .iter()
        .filter_map(|r| {
            new_plan_issued(r, census).map(|(rec, iss)| (rec, iss, r.exception_applies))
        })
        .collect();
    t.add(
        "assessments",
        "new EHC plans issued",
        new_plans.len() as u64,
    );
    t.add(
        "assessments",
        "decided not to issue a plan",
        all.iter()
            .filter(|r| r.initial)
            .filter(|r| {
                r.decided_not_to_issue_on
                    .is_some_and(|on| census.in_period(on))
            })
            .count() as u64,
    );

    // Timeliness of the new plans, including and excluding those an exception applied to.
    for (label, plans) in [
        ("including exceptions", new_plans.iter().collect::<Vec<_>>()),
        (
            "excluding exceptions",
            new_plans.iter().filter(|(.., exc)| !exc).collect(),
        ),
    ] {
        let issued = plans.len() as u64;
        let within = plans
            .iter()
            .filter(|(rec, iss, _)| within_twenty_weeks(*rec, *iss))
            .count() as u64;
        let over_a_year = plans
            .iter()
            .filter(|(rec, iss, _)| *iss > *rec + Duration::days(365))
            .count() as u64;
        let table = if label == "including exceptions" {
            "timeliness including exceptions"
        } else {
            "timeliness excluding exceptions"
        };
        t.add(table, "new EHC plans issued", issued);
        t.rate(table, "within 20 weeks", within, issued);
        t.rate(
            table,
            "over 20 weeks, within a year",
            issued - within - over_a_year,
            issued,
        );
        t.rate(table, "over a year", over_a_year, issued);
    }

    // Plans ceased in the calendar year, by reason (transfers out are reason 5).
    let mut ceased: BTreeMap<String, u64> = (1..=9).map(|r| (r.to_string(), 0)).collect();
    for plan in all.iter().filter_map(|r| r.plan.as_ref()) {
        if plan.ceased_in_period(census)
            && let Some((_, reason)) = plan.ended()
        {
            let key = reason.map_or("not recorded".into(), |r| r.to_string());
            *ceased.entry(key).or_default() += 1;
        }
    }
    t.add("ceased", "EHC plans ceased", ceased.values().sum::<u64>());
    t.counts("ceased by reason", ceased);
    t.rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::placement::Placement;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const CENSUS: Census = Census {
        reference_date: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
    };

    fn person(id: i64, born: NaiveDate, requests: Vec<RequestFacts>) -> PersonFacts {
        PersonFacts {
            child_id: id,
            legal_name: format!("Person {id}"),
            date_of_birth: born,
            details: Default::default(),
            requests,
        }
    }

    fn plan(issued_on: NaiveDate, need: &str, setting: Setting) -> PlanFacts {
        PlanFacts {
            issued_on,
            needs: vec![need.into()],
            placements: vec![Placement {
                rank: 1,
                setting,
                setting_other: None,
                entry_on: issued_on,
                leaving_on: None,
                sen_unit: false,
                resourced_provision: false,
                residential: None,
                work_based_learning: None,
            }],
            ..PlanFacts::default()
        }
    }

    fn issued(received: NaiveDate, on: NaiveDate, exception: bool) -> RequestFacts {
        RequestFacts {
            assessment_id: Some(1),
            initial: true,
            received_on: Some(received),
            decided_to_assess_on: Some(received + Duration::weeks(5)),
            final_issued_on: Some(on),
            exception_applies: exception,
            plan: Some(plan(on, "ASD", Setting::Urn("100000".into()))),
            ..RequestFacts::default()
        }
    }

    fn find(f: &[Figure], table: &str, breakdown: &str) -> (u64, Option<u64>) {
        f.iter()
            .find(|x| x.table == table && x.breakdown == breakdown)
            .map(|x| (x.count, x.of))
            .unwrap_or_else(|| panic!("no {table} / {breakdown} in {f:#?}"))
    }

    #[test]
    fn the_published_figures_come_from_the_same_facts_as_the_return() {
        let people = vec![
            // Issued on the last day of week 20 (received 6 January: due 26 May).
            person(
                1,
                d(2020, 1, 16),
                vec![issued(d(2025, 1, 6), d(2025, 5, 26), false)],
            ),
            // A day late, with an exception: late including exceptions only.
            person(
                2,
                d(2014, 6, 1),
                vec![issued(d(2025, 1, 6), d(2025, 5, 27), true)],
            ),
            // Over a year, no exception.
            person(
                3,
                d(2008, 3, 3),
                vec![issued(d(2024, 10, 1), d(2025, 11, 3), false)],
            ),
            // A re-assessment's plan is not a new one; it still counts in the caseload.
            person(
                4,
                d(2021, 1, 16),
                vec![RequestFacts {
                    initial: false,
                    plan: Some(plan(d(2025, 6, 1), "SEMH", Setting::Kind("EHE".into()))),
                    ..issued(d(2025, 2, 1), d(2025, 6, 1), false)
                }],
            ),
            // Refused in the year; one withdrawn; one awaiting.
            person(
                5,
                d(2015, 5, 5),
                vec![
                    RequestFacts {
                        assessment_id: Some(5),
                        initial: true,
                        received_on: Some(d(2025, 3, 1)),
                        decided_not_to_assess_on: Some(d(2025, 4, 1)),
                        ..RequestFacts::default()
                    },
                    RequestFacts {
                        assessment_id: Some(6),
                        initial: true,
                        received_on: Some(d(2025, 6, 1)),
                        withdrawn_on: Some(d(2025, 7, 1)),
                        ..RequestFacts::default()
                    },
                    RequestFacts {
                        assessment_id: Some(7),
                        initial: true,
                        received_on: Some(d(2025, 12, 31)),
                        ..RequestFacts::default()
                    },
                ],
            ),
            // Ceased in the year for reason 3, and one moved away (reason 5).
            person(
                6,
                d(2003, 1, 1),
                vec![
                    RequestFacts {
                        plan: Some(PlanFacts {
                            ceased_on: Some(d(2025, 7, 31)),
                            cease_reason: Some(3),
                            ..plan(d(2018, 9, 1), "MLD", Setting::Urn("100001".into()))
                        }),
                        ..RequestFacts::default()
                    },
                    RequestFacts {
                        plan: Some(PlanFacts {
                            transferred_out_on: Some(d(2025, 3, 1)),
                            ..plan(d(2019, 9, 1), "MLD", Setting::Urn("100001".into()))
                        }),
                        ..RequestFacts::default()
                    },
                ],
            ),
        ];
        let f = figures(&people, CENSUS);
        assert_eq!(
            find(&f, "caseload", "EHC plans on the census date"),
            (4, None)
        );
        // Ages on 15 January 2026: 5 (born 16 Jan 2020), 11, 17, 4.
        assert_eq!(find(&f, "caseload by age", "Under age 5"), (1, None));
        assert_eq!(find(&f, "caseload by age", "Age 5 to 10"), (1, None));
        assert_eq!(find(&f, "caseload by age", "Age 11 to 15"), (1, None));
        assert_eq!(find(&f, "caseload by age", "Age 16 to 19"), (1, None));
        assert_eq!(find(&f, "caseload by age", "Age 20 to 25"), (0, None));
        assert_eq!(find(&f, "caseload by primary need", "ASD"), (3, None));
        assert_eq!(find(&f, "caseload by primary need", "SEMH"), (1, None));
        assert_eq!(
            find(&f, "caseload by setting", "school or college named by URN"),
            (3, None)
        );
        assert_eq!(find(&f, "caseload by setting", "EHE"), (1, None));

        assert_eq!(find(&f, "requests", "initial requests received"), (5, None));
        assert_eq!(find(&f, "requests", "decided to assess"), (2, None));
        assert_eq!(find(&f, "requests", "decided not to assess"), (1, None));
        assert_eq!(find(&f, "requests", "withdrawn or moved away"), (1, None));
        assert_eq!(find(&f, "requests", "awaiting a decision"), (1, None));

        assert_eq!(find(&f, "assessments", "new EHC plans issued"), (3, None));
        let inc = "timeliness including exceptions";
        let exc = "timeliness excluding exceptions";
        assert_eq!(find(&f, inc, "within 20 weeks"), (1, Some(3)));
        assert_eq!(find(&f, inc, "over 20 weeks, within a year"), (1, Some(3)));
        assert_eq!(find(&f, inc, "over a year"), (1, Some(3)));
        assert_eq!(find(&f, exc, "within 20 weeks"), (1, Some(2)));
        assert_eq!(find(&f, exc, "over a year"), (1, Some(2)));
        let rate = f
            .iter()
            .find(|x| x.table == exc && x.breakdown == "within 20 weeks")
            .unwrap();
        assert_eq!(rate.percent(), Some(50.0));

        assert_eq!(find(&f, "ceased", "EHC plans ceased"), (2, None));
        assert_eq!(find(&f, "ceased by reason", "3"), (1, None));
        assert_eq!(find(&f, "ceased by reason", "5"), (1, None));
        assert_eq!(find(&f, "ceased by reason", "9"), (0, None));
    }
}
