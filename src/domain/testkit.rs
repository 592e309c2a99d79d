//! A small organisation and helpers for the domain's unit tests.

use chrono::{DateTime, TimeZone, Utc};

use super::case::{Case, CaseId, Channel, Requester};
use super::command::Command;
use super::config::{Config, FixtureSources};
use super::intake::NewCase;
use super::lifecycle::{decide, Context, Decision, Refusal};
use super::org::UnitId;

const ORG: &str = r#"
[[unit]]
id = "city"
level = "city"
name = "青岛市"
name_en = "Qingdao"
platform_name = "青诉即办"
code = "QD"
population = 10000000
[[unit]]
id = "laoshan"
level = "district"
parent = "city"
name = "崂山区"
name_en = "Laoshan"
platform_name = "崂先办"
code = "LS"
population = 500000
[[unit]]
id = "laoshan.jinjialing"
level = "street"
parent = "laoshan"
name = "金家岭街道"
name_en = "Jinjialing"
[[unit]]
id = "laoshan.jinjialing.haidamaidao"
level = "community"
parent = "laoshan.jinjialing"
name = "海大麦岛社区"
name_en = "Haidamaidao"
[[unit]]
id = "laoshan.jinjialing.shilaoren"
level = "community"
parent = "laoshan.jinjialing"
name = "石老人社区"
name_en = "Shilaoren"
[[unit]]
id = "laoshan.hrss"
level = "department"
parent = "laoshan"
dept_type = "hrss"
name = "崂山区人力资源和社会保障局"
name_en = "Laoshan HRSS"
[[unit]]
id = "laoshan.enforcement"
level = "department"
parent = "laoshan"
dept_type = "enforcement"
name = "崂山区综合行政执法局"
name_en = "Laoshan Enforcement"
[[unit]]
id = "laoshan.housing"
level = "department"
parent = "laoshan"
dept_type = "housing"
name = "崂山区住房和城乡建设局"
name_en = "Laoshan Housing"
[[unit]]
id = "city.hrss"
level = "department"
parent = "city"
dept_type = "hrss"
name = "青岛市人力资源和社会保障局"
name_en = "Qingdao HRSS"
[[unit]]
id = "shibei"
level = "district"
parent = "city"
name = "市北区"
name_en = "Shibei"
platform_name = "北尚诉办"
code = "SB"
population = 1000000
[[unit]]
id = "shibei.hrss"
level = "department"
parent = "shibei"
dept_type = "hrss"
name = "市北区人力资源和社会保障局"
name_en = "Shibei HRSS"
"#;

const USERS: &str = r#"
[[user]]
login = "qd_dispatch"
role = "city_dispatcher"
unit = "city"
[[user]]
login = "qd_supervisor"
role = "supervisor"
unit = "city"
[[user]]
login = "ls_dispatch"
role = "district_dispatcher"
unit = "laoshan"
[[user]]
login = "ls_supervisor"
role = "supervisor"
unit = "laoshan"
[[user]]
login = "sb_dispatch"
role = "district_dispatcher"
unit = "shibei"
[[user]]
login = "sb_supervisor"
role = "supervisor"
unit = "shibei"
[[user]]
login = "ls_haidamaidao"
role = "unit_handler"
unit = "laoshan.jinjialing.haidamaidao"
[[user]]
login = "ls_shilaoren"
role = "unit_handler"
unit = "laoshan.jinjialing.shilaoren"
[[user]]
login = "ls_jinjialing"
role = "unit_handler"
unit = "laoshan.jinjialing"
[[user]]
login = "ls_hrss"
role = "unit_handler"
unit = "laoshan.hrss"
[[user]]
login = "ls_enforcement"
role = "unit_handler"
unit = "laoshan.enforcement"
[[user]]
login = "ls_housing"
role = "unit_handler"
unit = "laoshan.housing"
[[user]]
login = "qd_hrss"
role = "unit_handler"
unit = "city.hrss"
[[user]]
login = "sb_hrss"
role = "unit_handler"
unit = "shibei.hrss"
[[user]]
login = "trainer"
role = "trainer"
unit = "city"
"#;

const RESPONSIBILITY: &str = r#"
[[matter]]
id = "noise"
name = "噪音扰民"
name_en = "Noise"
keywords = ["噪音", "音响"]
owner = "enforcement"
category = "livelihood"
[[matter]]
id = "talent"
name = "人才政策"
name_en = "Talent policy"
keywords = ["人才", "金种子", "社保"]
owner = "hrss"
category = "development"
"#;

/// The small organisation's sources (the real rules and 2026 calendar).
pub fn sources() -> FixtureSources {
    FixtureSources {
        org: ORG.into(),
        users: USERS.into(),
        rules: include_str!("../../fixtures/rules.toml").into(),
        responsibility: RESPONSIBILITY.into(),
        calendars: vec![(
            "cn-2026.toml".into(),
            include_str!("../../fixtures/calendar/cn-2026.toml").into(),
        )],
    }
}

/// The parsed small configuration.
pub fn config() -> Config {
    Config::from_sources(&sources()).expect("the test fixtures parse")
}

/// A China-time moment.
pub fn cst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    super::calendar::cst()
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid time")
        .with_timezone(&Utc)
}

/// A case fresh from intake in laoshan, received Monday 2026-11-23 09:00.
pub fn new_case() -> Case {
    NewCase {
        district: UnitId::new("laoshan"),
        channel: Channel::Wechat,
        title: "亚麦山城小区9号楼楼下台阶破损".into(),
        description: "台阶破损，老人出行不便".into(),
        requester: Requester {
            name: "张伟".into(),
            phone: "13853212345".into(),
        },
        address: None,
        community: Some(UnitId::new("laoshan.jinjialing.haidamaidao")),
        category: None,
        received_at: Some(cst(2026, 11, 23, 9, 0)),
        external_id: None,
        source: None,
    }
    .into_case(
        CaseId("LS-20261123-0001".into()),
        cst(2026, 11, 23, 9, 0),
        &config().rules,
        &config().calendar,
    )
}

/// Drives one case through commands with a moving clock.
pub struct Walk {
    /// The configuration.
    pub config: Config,
    /// The case as it stands.
    pub case: Case,
    /// The clock.
    pub now: DateTime<Utc>,
    /// Assessment records by unit.
    pub records: std::collections::HashMap<UnitId, super::case::UnitRecord>,
    /// Other cases a command may name (`link`, `merge`), by id.
    pub others: std::collections::HashMap<CaseId, Case>,
}

impl Default for Walk {
    fn default() -> Self {
        Walk::new()
    }
}

impl Walk {
    /// A walk starting from [`new_case`].
    pub fn new() -> Walk {
        Walk {
            config: config(),
            case: new_case(),
            now: cst(2026, 11, 23, 9, 30),
            records: Default::default(),
            others: Default::default(),
        }
    }

    /// Tries a command as `login` without changing the case.
    pub fn try_as(&self, login: &str, command: &Command) -> Result<Decision, Refusal> {
        let operator = self.config.users.get(login).expect("known login");
        let record = crate::domain::lifecycle::judged_unit(&self.case, command)
            .and_then(|u| self.records.get(&u));
        let cx = Context {
            now: self.now,
            operator,
            org: &self.config.org,
            rules: &self.config.rules,
            calendar: &self.config.calendar,
            matters: &self.config.responsibility,
            assessed_record: record,
            other: crate::domain::lifecycle::other_case(command).and_then(|id| self.others.get(id)),
        };
        decide(&self.case, command, &cx)
    }

    /// Runs a command as `login`, panicking with the refusal if refused.
    pub fn run(&mut self, login: &str, command: Command) -> &Case {
        let d = self
            .try_as(login, &command)
            .unwrap_or_else(|e| panic!("{} as {login} refused: {e}", command.name()));
        if let Some((unit, record)) = d.unit_record {
            self.records.insert(unit, record);
        }
        if let Some((other, _)) = d.other {
            self.others.insert(other.id.clone(), other);
        }
        self.case = d.case;
        self.now += chrono::Duration::minutes(10);
        &self.case
    }

    /// The Laoshan dispatcher accepts the case as a livelihood complaint (the step most walks
    /// begin with).
    pub fn accept_complaint(&mut self) -> &Case {
        self.run(
            "ls_dispatch",
            Command::Accept {
                category: super::case::Category::Livelihood,
                kind: Some(super::case::Kind::Complaint),
                complex: false,
                province: false,
                matter: None,
            },
        )
    }

    /// The walk's case accepted as a livelihood complaint and sent to its community (海大麦岛).
    pub fn at_community() -> Walk {
        let mut w = Walk::new();
        w.accept_complaint();
        w.run(
            "ls_dispatch",
            Command::Dispatch {
                to: UnitId::new("laoshan.jinjialing.haidamaidao"),
            },
        );
        w
    }

    /// Runs a command expecting a refusal; returns its message.
    pub fn refuse(&self, login: &str, command: Command) -> String {
        match self.try_as(login, &command) {
            Ok(_) => panic!("{} as {login} was accepted", command.name()),
            Err(e) => e.to_string(),
        }
    }
}

/// A case like [`new_case`] with its own id, received `days_before` days before it, by the
/// requester `phone` (for repeat complaints).
pub fn earlier_case(seq: u32, days_before: i64, phone: &str) -> Case {
    let mut c = new_case();
    c.id = CaseId(format!("LS-20261123-{seq:04}"));
    c.received_at -= chrono::Duration::days(days_before);
    c.requester.phone = phone.into();
    c
}
