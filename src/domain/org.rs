//! The organisation ("1 + 10"): the city platform, district platforms, streets, communities and
//! functional departments (职能部门), loaded from `fixtures/org.toml`.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use super::FixtureError;

/// A unit's id, e.g. `laoshan.jinjialing.haidamaidao` or `city.hrss`; a platform's id is its
/// district's (`laoshan`) or `city`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitId(pub String);

impl UnitId {
    /// Wraps an id string.
    pub fn new(id: impl Into<String>) -> Self {
        UnitId(id.into())
    }
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a unit stands in the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 市级平台 — the city platform.
    City,
    /// 区(市)平台 — a district platform.
    District,
    /// 镇/街道 — a street or town.
    Street,
    /// 村/社区 — a community or village.
    Community,
    /// 职能部门 — a functional department (district or city).
    Department,
}

impl Level {
    /// The level's name as used in the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::City => "city",
            Level::District => "district",
            Level::Street => "street",
            Level::Community => "community",
            Level::Department => "department",
        }
    }
    /// True for the city and district platforms.
    pub fn is_platform(self) -> bool {
        matches!(self, Level::City | Level::District)
    }
}

/// One unit of the organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    /// Stable id (pinyin, dot-separated).
    pub id: UnitId,
    /// Level in the organisation.
    pub level: Level,
    /// The unit above (none for the city platform).
    #[serde(default)]
    pub parent: Option<UnitId>,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Platform brand name (platforms only), e.g. 崂先办.
    #[serde(default)]
    pub platform_name: Option<String>,
    /// Platform brand name in English (platforms only).
    #[serde(default)]
    pub platform_name_en: Option<String>,
    /// Two-letter code used in case ids (platforms only), e.g. `LS`.
    #[serde(default)]
    pub code: Option<String>,
    /// Approximate resident population (platforms only), for per-10,000 rates (万人诉求比).
    #[serde(default)]
    pub population: Option<u64>,
    /// Department type (departments only), matched by the responsibility list.
    #[serde(default)]
    pub dept_type: Option<String>,
}

#[derive(Deserialize)]
struct OrgFile {
    unit: Vec<Unit>,
}

/// The whole organisation with lookups.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "Vec<Unit>", into = "Vec<Unit>")]
pub struct Org {
    units: Vec<Unit>,
    index: HashMap<UnitId, usize>,
    children: BTreeMap<UnitId, Vec<usize>>,
}

impl From<Vec<Unit>> for Org {
    fn from(units: Vec<Unit>) -> Self {
        let index = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
        let mut children: BTreeMap<UnitId, Vec<usize>> = BTreeMap::new();
        for (i, u) in units.iter().enumerate() {
            if let Some(p) = &u.parent {
                children.entry(p.clone()).or_default().push(i);
            }
        }
        Org {
            units,
            index,
            children,
        }
    }
}

impl From<Org> for Vec<Unit> {
    fn from(org: Org) -> Self {
        org.units
    }
}

impl Org {
    /// Parses and validates `org.toml`.
    pub fn from_toml(file: &str, text: &str) -> Result<Org, FixtureError> {
        let parsed: OrgFile = toml::from_str(text).map_err(|e| FixtureError::parse(file, e))?;
        let org = Org::from(parsed.unit);
        org.validate(file)?;
        Ok(org)
    }

    fn validate(&self, file: &str) -> Result<(), FixtureError> {
        let bad = |i: usize, field: &str, reason: String| FixtureError::Invalid {
            file: file.to_string(),
            at: format!("unit[{i}] ({}).{field}", self.units[i].id),
            reason,
        };
        if self.index.len() != self.units.len() {
            let mut seen = std::collections::HashSet::new();
            for (i, u) in self.units.iter().enumerate() {
                if !seen.insert(&u.id) {
                    return Err(bad(i, "id", "duplicate id".into()));
                }
            }
        }
        for (i, u) in self.units.iter().enumerate() {
            let expected_parent: &[Level] = match u.level {
                Level::City => &[],
                Level::District => &[Level::City],
                Level::Street => &[Level::District],
                Level::Community => &[Level::Street],
                Level::Department => &[Level::City, Level::District],
            };
            match (&u.parent, expected_parent.is_empty()) {
                (None, true) => {}
                (Some(_), true) => return Err(bad(i, "parent", "the city has no parent".into())),
                (None, false) => return Err(bad(i, "parent", "missing".into())),
                (Some(p), false) => match self.get(p) {
                    None => return Err(bad(i, "parent", format!("unknown unit {p}"))),
                    Some(pu) if !expected_parent.contains(&pu.level) => {
                        return Err(bad(
                            i,
                            "parent",
                            format!(
                                "a {} cannot sit under a {}",
                                u.level.as_str(),
                                pu.level.as_str()
                            ),
                        ))
                    }
                    Some(_) => {}
                },
            }
            if u.level.is_platform() && u.code.as_deref().is_none_or(|c| c.len() != 2) {
                return Err(bad(i, "code", "a platform needs a two-letter code".into()));
            }
            if u.level == Level::Department && u.dept_type.is_none() {
                return Err(bad(i, "dept_type", "a department needs a type".into()));
            }
        }
        if self.city().is_none() {
            return Err(FixtureError::Invalid {
                file: file.into(),
                at: "unit".into(),
                reason: "no unit with level = \"city\"".into(),
            });
        }
        Ok(())
    }

    /// Every unit in file order.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }
    /// One unit by id.
    pub fn get(&self, id: &UnitId) -> Option<&Unit> {
        self.index.get(id).map(|&i| &self.units[i])
    }
    /// One unit by id text.
    pub fn get_str(&self, id: &str) -> Option<&Unit> {
        self.get(&UnitId::new(id))
    }
    /// The city platform.
    pub fn city(&self) -> Option<&Unit> {
        self.units.iter().find(|u| u.level == Level::City)
    }
    /// The district platforms in file order.
    pub fn districts(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(|u| u.level == Level::District)
    }
    /// The units directly below `id`.
    pub fn children(&self, id: &UnitId) -> impl Iterator<Item = &Unit> {
        self.children
            .get(id)
            .into_iter()
            .flatten()
            .map(|&i| &self.units[i])
    }
    /// The parent of a unit.
    pub fn parent(&self, id: &UnitId) -> Option<&Unit> {
        self.get(id)?.parent.as_ref().and_then(|p| self.get(p))
    }
    /// The district a unit belongs to (itself for a district), or none for the city and its
    /// departments.
    pub fn district_of(&self, id: &UnitId) -> Option<&Unit> {
        let mut cur = self.get(id)?;
        loop {
            match cur.level {
                Level::District => return Some(cur),
                Level::City => return None,
                _ => cur = self.parent(&cur.id)?,
            }
        }
    }
    /// The platform that dispatches to and supervises a unit: the city platform for the city and
    /// its departments, otherwise the unit's district platform.
    pub fn platform_of(&self, id: &UnitId) -> Option<&Unit> {
        self.district_of(id).or_else(|| {
            let u = self.get(id)?;
            (u.level == Level::City || self.parent(id)?.level == Level::City)
                .then(|| self.city())
                .flatten()
        })
    }
    /// True when `unit` is `ancestor` or lies below it.
    pub fn is_within(&self, unit: &UnitId, ancestor: &UnitId) -> bool {
        let mut cur = self.get(unit);
        while let Some(u) = cur {
            if &u.id == ancestor {
                return true;
            }
            cur = u.parent.as_ref().and_then(|p| self.get(p));
        }
        false
    }
    /// The district platform whose two-letter code is `code`.
    pub fn district_by_code(&self, code: &str) -> Option<&Unit> {
        self.districts().find(|u| {
            u.code
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(code))
        })
    }
}
