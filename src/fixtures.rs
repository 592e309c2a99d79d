//! The fixtures bundled into the binary, so `jiban init` and `jiban demo` work anywhere.

use crate::domain::config::FixtureSources;

/// The demo cases (`fixtures/demo/cases.jsonl`).
pub const DEMO_CASES: &str = include_str!("../fixtures/demo/cases.jsonl");

/// The official holiday calendars bundled: every year with a State Council notice, 2020–2026.
pub const BUNDLED_CALENDARS: &[(&str, &str)] = &[
    (
        "cn-2020.toml",
        include_str!("../fixtures/calendar/cn-2020.toml"),
    ),
    (
        "cn-2021.toml",
        include_str!("../fixtures/calendar/cn-2021.toml"),
    ),
    (
        "cn-2022.toml",
        include_str!("../fixtures/calendar/cn-2022.toml"),
    ),
    (
        "cn-2023.toml",
        include_str!("../fixtures/calendar/cn-2023.toml"),
    ),
    (
        "cn-2024.toml",
        include_str!("../fixtures/calendar/cn-2024.toml"),
    ),
    (
        "cn-2025.toml",
        include_str!("../fixtures/calendar/cn-2025.toml"),
    ),
    (
        "cn-2026.toml",
        include_str!("../fixtures/calendar/cn-2026.toml"),
    ),
];

/// The bundled organisation, logins, rules, responsibility list and calendars.
pub fn bundled() -> FixtureSources {
    FixtureSources {
        org: include_str!("../fixtures/org.toml").into(),
        users: include_str!("../fixtures/users.toml").into(),
        rules: include_str!("../fixtures/rules.toml").into(),
        responsibility: include_str!("../fixtures/responsibility.toml").into(),
        calendars: BUNDLED_CALENDARS
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect(),
    }
}

/// Reads fixtures from a folder laid out like `fixtures/` (for `jiban init --fixtures DIR`).
pub fn from_dir(dir: &std::path::Path) -> std::io::Result<FixtureSources> {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).map_err(|e| {
            std::io::Error::new(e.kind(), format!("{}: {e}", dir.join(name).display()))
        })
    };
    let mut calendars = Vec::new();
    let cal_dir = dir.join("calendar");
    if cal_dir.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(&cal_dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".toml") {
                calendars.push((name.clone(), read(&format!("calendar/{name}"))?));
            }
        }
    }
    Ok(FixtureSources {
        org: read("org.toml")?,
        users: read("users.toml")?,
        rules: read("rules.toml")?,
        responsibility: read("responsibility.toml")?,
        calendars,
    })
}
