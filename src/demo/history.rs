//! The demo's year of history: about fourteen months of closed cases before the live demo cases,
//! so a trainer's reports, trends and early warnings show something real. Volumes follow each
//! district's population; heating (供暖) rises every winter and drainage (排水与下水道) every
//! summer, the same both years, so the seasonal kinds are judged against their season and do not
//! warn; lift safety (电梯安全) in Shinan rises over the last three weeks, so it does.
//!
//! Each case is walked through [`crate::domain::lifecycle::decide`] by the right logins (accept
//! with its kind of matter, dispatch, sign, contact, reply, review, rating; a few unsatisfied
//! ones go round again) and written in large batches ([`Engine::import_walked`]): every state
//! and history entry is the lifecycle's own. The numbers come from a fixed seed, so every demo
//! store has the same history.

use anyhow::anyhow;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc};

use crate::domain::calendar::cst_date;
use crate::domain::case::{
    CaseId, Category, Channel, Kind, Requester, Resolution, Satisfaction, Stage,
};
use crate::domain::command::Command;
use crate::domain::config::Config;
use crate::domain::event::{Event, HistoryEntry};
use crate::domain::intake::NewCase;
use crate::domain::lifecycle::{decide, Context};
use crate::domain::org::{Level, UnitId};
use crate::domain::users::{Role, User};
use crate::engine::import::Walked;
use crate::engine::Engine;

/// Days of history, ending the day before the demo's `now`.
pub const DAYS: i64 = 425;

/// Kinds every district has some of, with a weight.
const EVERYDAY: &[(&str, u32)] = &[
    ("garbage", 6),
    ("noise", 6),
    ("property", 5),
    ("road_occupation", 4),
    ("parking", 4),
    ("old_building", 4),
    ("leak", 3),
    ("consumer_refund", 3),
    ("street_lights", 2),
    ("greenery", 2),
    ("wage_arrears", 2),
    ("road_damage", 2),
    ("water_supply", 2),
    ("elevator", 1),
];

/// A small deterministic generator (splitmix64), so every demo has the same history.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A count with mean `mean` (a few whole cases plus a chance of one more).
    fn count(&mut self, mean: f64) -> u32 {
        let whole = mean.floor();
        let extra = u32::from((self.below(1000) as f64) < (mean - whole) * 1000.0);
        whole as u32 + extra
    }
}

/// How many cases of `kind` a district of `share` of the city's people gets on `day`.
fn mean(kind: &str, district: &str, share: f64, day: NaiveDate, days_ago: i64) -> f64 {
    let m = day.month();
    match kind {
        // November 15 to March 15, the heating season.
        "heating" => {
            let season = matches!(m, 12 | 1 | 2)
                || (m == 11 && day.day() >= 15)
                || (m == 3 && day.day() <= 15);
            if season {
                3.0 * share
            } else {
                0.02 * share
            }
        }
        "drainage" => match m {
            7 | 8 => 2.5 * share,
            6 | 9 => 0.6 * share,
            _ => 0.1 * share,
        },
        // Rising now in Shinan: 1, 2, then 3 a day over the last three weeks.
        "elevator" if district == "shinan" && days_ago <= 21 => match days_ago {
            0..=7 => 3.0,
            8..=14 => 2.0,
            _ => 1.0,
        },
        _ => {
            let weight: u32 = EVERYDAY.iter().map(|(_, w)| w).sum();
            let w = EVERYDAY
                .iter()
                .find(|(k, _)| *k == kind)
                .map_or(0, |(_, w)| *w);
            4.0 * share * f64::from(w) / f64::from(weight)
        }
    }
}

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
const GIVEN: &[&str] = &["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "军"];

/// Walks cases through the lifecycle in memory.
struct Walker<'a> {
    config: &'a Config,
    dice: Dice,
}

impl Walker<'_> {
    fn login(&self, unit: &UnitId, role: Role) -> Option<User> {
        self.config
            .users
            .all()
            .iter()
            .find(|u| &u.unit == unit && u.role == role)
            .cloned()
    }

    /// Runs `command` on the last state of `walk` as `operator` at `at`.
    fn step(
        &self,
        walk: &mut Walked,
        operator: &User,
        at: DateTime<Utc>,
        command: Command,
    ) -> bool {
        let Some((case, _)) = walk.last() else {
            return false;
        };
        let cx = Context::of(self.config, operator, at);
        match decide(case, &command, &cx) {
            Ok(d) => {
                let entry = HistoryEntry {
                    case: d.case.id.clone(),
                    seq: d.case.version,
                    at,
                    by: operator.login.clone(),
                    event: d.event,
                };
                walk.push((d.case, entry));
                true
            }
            Err(e) => {
                tracing::debug!(error = %e, command = command.name(), "demo history step refused");
                false
            }
        }
    }

    /// Where the district sends a case of `kind` in `round`: its community first (livelihood
    /// cases go bottom-up); in round 2 the department owning the kind, when it has one with a
    /// login.
    fn target(&mut self, round: u8, district: &UnitId, kind: &str, community: &UnitId) -> UnitId {
        let owner = self
            .config
            .responsibility
            .matters
            .iter()
            .find(|m| m.id == kind)
            .map(|m| m.owner.clone());
        let dept = self.config.org.children(district).find(|u| {
            u.level == Level::Department
                && u.dept_type.is_some()
                && u.dept_type == owner
                && self.login(&u.id, Role::UnitHandler).is_some()
        });
        match dept {
            Some(d) if round > 1 => d.id.clone(),
            _ => community.clone(),
        }
    }

    /// One case received at `at` in `community` of `district`, of `kind`, walked to closed, or
    /// (`open`) left at a random step between acceptance and the reply.
    fn case(
        &mut self,
        district: &UnitId,
        community: &UnitId,
        kind: &str,
        at: DateTime<Utc>,
        open: bool,
    ) -> Option<Walked> {
        let (name, name_en) = self
            .config
            .responsibility
            .matters
            .iter()
            .find(|m| m.id == kind)
            .map(|m| (m.name.clone(), m.name_en.clone()))?;
        let dispatcher = self.login(district, Role::DistrictDispatcher)?;
        let n = self.dice.next();
        let person = format!(
            "{}{}",
            SURNAMES[(n % 10) as usize],
            GIVEN[((n >> 8) % 10) as usize]
        );
        let new = NewCase {
            district: district.clone(),
            channel: [Channel::Hotline, Channel::Wechat, Channel::Grid][(n >> 16) as usize % 3],
            title: format!("{name}问题反映"),
            description: format!("市民反映{name}（{name_en}），请相关部门尽快处理。"),
            requester: Requester {
                name: person,
                phone: format!("1390000{:04}", (n >> 24) % 10_000),
            },
            address: None,
            community: Some(community.clone()),
            category: Some(Category::Livelihood),
            received_at: Some(at),
            external_id: None,
            source: None,
        };
        let case = new.into_case(
            CaseId("XX-00000000-0000".into()),
            at,
            &self.config.rules,
            &self.config.calendar,
        );
        let intake = HistoryEntry {
            case: case.id.clone(),
            seq: 1,
            at,
            by: "admin".into(),
            event: Event::Intake {
                channel: case.channel,
                external_id: None,
                links: Vec::new(),
                repeat_notice: None,
            },
        };
        let mut walk: Walked = vec![(case, intake)];
        let mut t = at + Duration::minutes(20 + self.dice.below(60) as i64);
        let accept = Command::Accept {
            category: Category::Livelihood,
            kind: Some(Kind::Complaint),
            complex: false,
            province: false,
            matter: Some(kind.to_string()),
        };
        if !self.step(&mut walk, &dispatcher, t, accept) {
            return None;
        }
        // An open case stops after this many more steps (dispatch, sign, contact, reply).
        let stop = if open {
            Some(self.dice.below(5) as usize + 2)
        } else {
            None
        };
        let done = |w: &Walked| stop.is_some_and(|s| w.len() >= s);
        if done(&walk) {
            return Some(walk);
        }
        for round in 1..=2 {
            let target = self.target(round, district, kind, community);
            let handler = self.login(&target, Role::UnitHandler)?;
            t += Duration::minutes(30 + self.dice.below(90) as i64);
            let to = target.clone();
            if !self.step(&mut walk, &dispatcher, t, Command::Dispatch { to }) {
                return None;
            }
            if done(&walk) {
                return Some(walk);
            }
            t += Duration::minutes(20 + self.dice.below(120) as i64);
            self.step(&mut walk, &handler, t, Command::Sign);
            if done(&walk) {
                return Some(walk);
            }
            t += Duration::minutes(30 + self.dice.below(240) as i64);
            let note = "已电话联系诉求人".to_string();
            self.step(&mut walk, &handler, t, Command::Contact { note });
            if done(&walk) {
                return Some(walk);
            }
            // Most replies come within a day; one in twelve after the deadline.
            let late = self.dice.below(12) == 0;
            t += Duration::hours(if late {
                80
            } else {
                4 + self.dice.below(20) as i64
            });
            let reply = Command::Reply {
                result: format!("已现场核实并处理{name}问题"),
                basis: "《青岛市“青诉即办”诉求解决平台工作规范》".into(),
                person: "值班员".into(),
                phone: "0532-12345000".into(),
            };
            if !self.step(&mut walk, &handler, t, reply) {
                return None;
            }
            if done(&walk) {
                return Some(walk);
            }
            t += Duration::hours(2 + self.dice.below(6) as i64);
            self.step(&mut walk, &dispatcher, t, Command::ApproveReply);
            t += Duration::hours(3 + self.dice.below(20) as i64);
            // One in fifteen is unsatisfied the first time and goes round again.
            let unhappy = round == 1 && self.dice.below(15) == 0;
            let (satisfaction, resolution) = match (unhappy, self.dice.below(4)) {
                (true, _) => (Satisfaction::Unsatisfied, Resolution::Unresolved),
                (false, 0) => (Satisfaction::Basic, Resolution::Basic),
                _ => (Satisfaction::Satisfied, Resolution::Resolved),
            };
            let evaluate = Command::Evaluate {
                satisfaction,
                resolution,
            };
            self.step(&mut walk, &dispatcher, t, evaluate);
            if walk.last().is_some_and(|(c, _)| c.stage != Stage::Triage) {
                break;
            }
        }
        walk.last()
            .is_some_and(|(c, _)| c.stage == Stage::Closed)
            .then_some(walk)
    }
}

/// How much history [`generate`] makes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Volume {
    /// Days of history, ending the day before `now`.
    pub days: i64,
    /// A factor on every kind's daily volume (the demo: 1, about 2,000 cases a year).
    pub scale: f64,
    /// Cases received within this many days of `now` are left open at a random step (the
    /// demo: 0, every case closed).
    pub open_days: i64,
}

impl Volume {
    /// The demo's: fourteen months, about 2,400 cases, all closed.
    pub const DEMO: Volume = Volume {
        days: DAYS,
        scale: 1.0,
        open_days: 0,
    };
}

/// Writes the demo's year of history ending the day before `now`; returns how many cases.
pub fn seed(engine: &Engine, now: DateTime<Utc>) -> anyhow::Result<usize> {
    generate(engine, now, Volume::DEMO, &mut |walks| {
        engine.import_walked(walks)?;
        Ok(())
    })
}

/// Cases handed to the sink at a time.
const BATCH: usize = 5_000;

/// Generates `volume` of history ending the day before `now` and hands it to `sink` a batch at
/// a time (the demo writes it with [`Engine::import_walked`]; the reports bench makes a city's
/// year with it); returns how many cases.
pub fn generate(
    engine: &Engine,
    now: DateTime<Utc>,
    volume: Volume,
    sink: &mut dyn FnMut(Vec<Walked>) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let config = engine.config();
    let org = &config.org;
    let city: u64 = org
        .districts()
        .filter_map(|d| d.population)
        .sum::<u64>()
        .max(1);
    let districts: Vec<(UnitId, f64, Vec<UnitId>)> = org
        .districts()
        .map(|d| {
            let communities = org
                .units()
                .iter()
                .filter(|u| u.level == Level::Community && org.is_within(&u.id, &d.id))
                .map(|u| u.id.clone())
                .collect();
            let share = d.population.unwrap_or(0) as f64 / city as f64;
            (d.id.clone(), share, communities)
        })
        .filter(|(_, _, c): &(UnitId, f64, Vec<UnitId>)| !c.is_empty())
        .collect();
    let mut walker = Walker {
        config: &config,
        dice: Dice(0x5EED_2026),
    };
    let today = cst_date(now);
    let mut kinds: Vec<&str> = EVERYDAY.iter().map(|(k, _)| *k).collect();
    kinds.extend(["heating", "drainage"]);
    let mut walks = Vec::new();
    let mut n = 0;
    for days_ago in (1..=volume.days).rev() {
        let day = today - Duration::days(days_ago);
        let midnight = crate::domain::calendar::cst()
            .from_local_datetime(&day.and_time(NaiveTime::MIN))
            .single()
            .ok_or_else(|| anyhow!("demo history: no midnight on {day}"))?
            .with_timezone(&Utc);
        for (district, share, communities) in &districts {
            for kind in &kinds {
                let mean = mean(kind, district.as_str(), *share, day, days_ago) * volume.scale;
                for _ in 0..walker.dice.count(mean) {
                    let community =
                        &communities[walker.dice.below(communities.len() as u64) as usize];
                    let minutes = 8 * 60 + walker.dice.below(11 * 60) as i64;
                    let at = midnight + Duration::minutes(minutes);
                    let open = days_ago <= volume.open_days;
                    if let Some(walk) = walker.case(district, community, kind, at, open) {
                        walks.push(walk);
                    }
                    if walks.len() >= BATCH {
                        n += walks.len();
                        sink(std::mem::take(&mut walks))?;
                    }
                }
            }
        }
    }
    n += walks.len();
    sink(walks)?;
    Ok(n)
}
