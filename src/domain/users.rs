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
            if let Some(first) = users.list[..i].iter().find(|o| o.os_user() == u.os_user()) {
                return Err(bad(
                    "os_user",
                    format!(
                        "OS user {:?} already maps to login {}",
                        u.os_user(),
                        first.login
                    ),
                ));
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

    /// Who a connection from OS user `os_user` acts as on a shared server: the login mapped to
    /// it, or with `act_as` another login, which only a trainer may take (to show a role to new
    /// staff). An OS user with no login is refused.
    pub fn resolve(&self, os_user: &str, act_as: Option<&str>) -> Result<User, IdentityError> {
        let own = self
            .by_os_user(os_user)
            .ok_or_else(|| IdentityError::UnknownOsUser(os_user.to_string()))?;
        match act_as {
            None => Ok(own.clone()),
            Some(login) => self.take(own, login),
        }
    }

    /// The login `who` (the person at the keyboard, by their own identity) may act as: their
    /// own always, another only for a trainer — `--as` on a server, `:as` on the board.
    pub fn take(&self, who: &User, login: &str) -> Result<User, IdentityError> {
        if login == who.login {
            return Ok(who.clone());
        }
        if who.role != Role::Trainer {
            return Err(IdentityError::NotTrainer {
                login: who.login.clone(),
                role: who.role,
                wanted: login.to_string(),
            });
        }
        self.get(login)
            .cloned()
            .ok_or_else(|| IdentityError::UnknownLogin(login.to_string()))
    }
}

/// Why a connection was not given a login.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// No login has this OS user.
    #[error("OS user {0:?} has no jiban login: add a [[user]] with os_user = {0:?} to users.toml")]
    UnknownOsUser(String),
    /// `--as` named no login.
    #[error("--as: no login {0:?}")]
    UnknownLogin(String),
    /// `--as` from someone who is not a trainer.
    #[error("--as is for trainers only: {login} is a {role} and may not act as {wanted}", role = role.as_str())]
    NotTrainer {
        /// The connecting login.
        login: String,
        /// Its role.
        role: Role,
        /// The login it asked for.
        wanted: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testkit;

    fn users_with(extra: &str) -> Result<Users, FixtureError> {
        let src = testkit::sources();
        let cfg = testkit::config();
        Users::from_toml("users.toml", &format!("{}\n{extra}", src.users), &cfg.org)
    }

    #[test]
    fn an_os_user_maps_to_its_login_or_to_the_login_of_the_same_name() {
        let users = users_with(
            "[[user]]\nlogin = \"wang_night\"\nrole = \"district_dispatcher\"\nunit = \"laoshan\"\nos_user = \"wangwei\"\n",
        )
        .unwrap();
        assert_eq!(users.resolve("wangwei", None).unwrap().login, "wang_night");
        assert_eq!(users.resolve("trainer", None).unwrap().login, "trainer");
        assert!(matches!(
            users.resolve("wang_night", None),
            Err(IdentityError::UnknownOsUser(_))
        ));
        assert!(matches!(
            users.resolve("nobody", None),
            Err(IdentityError::UnknownOsUser(u)) if u == "nobody"
        ));
    }

    #[test]
    fn only_a_trainer_may_act_as_another_login() {
        let users = users_with("").unwrap();
        let as_dispatch = users.resolve("trainer", Some("ls_dispatch")).unwrap();
        assert_eq!(as_dispatch.login, "ls_dispatch");
        assert_eq!(as_dispatch.role, Role::DistrictDispatcher);
        assert!(matches!(
            users.resolve("trainer", Some("ghost")),
            Err(IdentityError::UnknownLogin(_))
        ));
        let refused = users.resolve("ls_dispatch", Some("trainer")).unwrap_err();
        assert!(matches!(refused, IdentityError::NotTrainer { .. }));
        assert!(refused.to_string().contains("trainers only"), "{refused}");
        // Naming yourself is not acting as someone else.
        assert_eq!(
            users
                .resolve("ls_dispatch", Some("ls_dispatch"))
                .unwrap()
                .login,
            "ls_dispatch"
        );
    }

    #[test]
    fn two_logins_may_not_share_an_os_user() {
        let err = users_with(
            "[[user]]\nlogin = \"second\"\nrole = \"trainer\"\nunit = \"city\"\nos_user = \"trainer\"\n",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("already maps to login trainer"),
            "{err}"
        );
    }
}
