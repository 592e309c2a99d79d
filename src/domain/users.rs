//! Logins and roles (角色). Loaded from `fixtures/users.toml`.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::org::{Level, Org, UnitId};
use super::FixtureError;

/// What an operator may do. The trainer may do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 市级平台调度员 — reviews and forwards cases that need city departments.
    CityDispatcher,
    /// 区(市)平台 签单/转办/回访 — accepts, routes, reviews replies and calls back.
    DistrictDispatcher,
    /// 承办人 — a handler in a community, street or department.
    UnitHandler,
    /// 督办 — assesses units (履职评估).
    Supervisor,
    /// 培训师 — may do everything, for teaching on demo data.
    Trainer,
}

impl Role {
    /// The role's name as used in the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CityDispatcher => "city_dispatcher",
            Role::DistrictDispatcher => "district_dispatcher",
            Role::UnitHandler => "unit_handler",
            Role::Supervisor => "supervisor",
            Role::Trainer => "trainer",
        }
    }
}

/// One login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Lowercase POSIX user name.
    pub login: String,
    /// The person's name.
    #[serde(default)]
    pub name: String,
    /// The role.
    pub role: Role,
    /// The unit the login acts for (a platform for dispatchers and supervisors).
    pub unit: UnitId,
    /// The OS user that maps to this login on a shared server (defaults to the login).
    #[serde(default)]
    pub os_user: Option<String>,
}

impl User {
    /// The OS user name that maps to this login.
    pub fn os_user(&self) -> &str {
        self.os_user.as_deref().unwrap_or(&self.login)
    }
}

#[derive(Deserialize)]
struct UsersFile {
    user: Vec<User>,
}

/// All logins, by login.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(from = "Vec<User>", into = "Vec<User>")]
pub struct Users {
    list: Vec<User>,
    index: HashMap<String, usize>,
}

impl From<Vec<User>> for Users {
    fn from(list: Vec<User>) -> Self {
        let index = list
            .iter()
            .enumerate()
            .map(|(i, u)| (u.login.clone(), i))
            .collect();
        Users { list, index }
    }
}

impl From<Users> for Vec<User> {
    fn from(u: Users) -> Self {
        u.list
    }
}

/// True for a valid POSIX-style login: `^[a-z_][a-z0-9_-]{0,31}$`.
pub fn is_valid_login(login: &str) -> bool {
    let mut chars = login.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && login.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

impl Users {
    /// Parses and validates `users.toml` against the organisation.
    pub fn from_toml(file: &str, text: &str, org: &Org) -> Result<Users, FixtureError> {
        let parsed: UsersFile = toml::from_str(text).map_err(|e| FixtureError::parse(file, e))?;
        let users = Users::from(parsed.user);
        for (i, u) in users.list.iter().enumerate() {
            let bad = |field: &str, reason: String| FixtureError::Invalid {
                file: file.into(),
                at: format!("user[{i}] ({}).{field}", u.login),
                reason,
            };
            if !is_valid_login(&u.login) {
                return Err(bad("login", "not a lowercase POSIX user name".into()));
            }
            if users.index.get(&u.login) != Some(&i) {
                return Err(bad("login", "duplicate login".into()));
            }
            let Some(unit) = org.get(&u.unit) else {
                return Err(bad("unit", format!("unknown unit {}", u.unit)));
            };
            let fits = match u.role {
                Role::CityDispatcher => unit.level == Level::City,
                Role::DistrictDispatcher => unit.level == Level::District,
                Role::Supervisor => unit.level.is_platform(),
                Role::UnitHandler => !unit.level.is_platform(),
                Role::Trainer => true,
            };
            if !fits {
                return Err(bad(
                    "unit",
                    format!(
                        "a {} cannot belong to a {}",
                        u.role.as_str(),
                        unit.level.as_str()
                    ),
                ));
            }
        }
        Ok(users)
    }
    /// One login.
    pub fn get(&self, login: &str) -> Option<&User> {
        self.index.get(login).map(|&i| &self.list[i])
    }
    /// The login an OS user maps to.
    pub fn by_os_user(&self, os_user: &str) -> Option<&User> {
        self.list.iter().find(|u| u.os_user() == os_user)
    }
    /// Every login in file order.
    pub fn all(&self) -> &[User] {
        &self.list
    }
}
