//! Everything a store is configured with: organisation, logins, rules, calendar, responsibility
//! list. Built from fixture texts; the store keeps the texts so it is self-contained.

use serde::{Deserialize, Serialize};

use super::calendar::WorkCalendar;
use super::org::Org;
use super::responsibility::ResponsibilityList;
use super::rules::Rules;
use super::users::Users;
use super::FixtureError;

/// The fixture files as text (file name, content).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixtureSources {
    /// `org.toml`.
    pub org: String,
    /// `users.toml`.
    pub users: String,
    /// `rules.toml`.
    pub rules: String,
    /// `responsibility.toml`.
    pub responsibility: String,
    /// `calendar/*.toml`: (file name, content).
    pub calendars: Vec<(String, String)>,
}

/// The parsed configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The organisation.
    pub org: Org,
    /// The logins.
    pub users: Users,
    /// The rules file.
    pub rules: Rules,
    /// The working-day calendar.
    pub calendar: WorkCalendar,
    /// The responsibility list.
    pub responsibility: ResponsibilityList,
}

impl Config {
    /// Parses and cross-checks every fixture.
    pub fn from_sources(src: &FixtureSources) -> Result<Config, FixtureError> {
        let org = Org::from_toml("org.toml", &src.org)?;
        let users = Users::from_toml("users.toml", &src.users, &org)?;
        let rules = Rules::from_toml("rules.toml", &src.rules)?;
        let responsibility =
            ResponsibilityList::from_toml("responsibility.toml", &src.responsibility, &org)?;
        let files: Vec<(&str, &str)> = src
            .calendars
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let calendar = WorkCalendar::from_sources(&files)?;
        Ok(Config {
            org,
            users,
            rules,
            calendar,
            responsibility,
        })
    }
}
