//! A city's own fixtures: the limits a store works by come from the rules file it was created
//! with (not the bundled one), and `init --fixtures` with a bad file names the file, line and
//! field and makes no store.

mod common;

use common::{case_line, fixtures_with, jiban, Store, INIT_AT};

#[test]
fn the_limits_come_from_the_stores_own_rules_file() {
    // This city gives simple complaints 4 working days (bundled: 2) and joint work at most 3.
    let fixtures = fixtures_with(&[
        (
            "rules.toml",
            "livelihood_complaint = 2 ",
            "livelihood_complaint = 4 ",
        ),
        ("rules.toml", "max_joint_days = 20 ", "max_joint_days = 3 "),
    ]);
    let store = Store::with_fixtures(fixtures.path());
    let livelihood = case_line("laoshan", "livelihood", "楼道堆物", INIT_AT).to_string();
    let enforcement = case_line("laoshan", "enforcement", "占道经营", INIT_AT).to_string();
    let a = store.intake_one(INIT_AT, &livelihood);
    let b = store.intake_one(INIT_AT, &enforcement);
    let words = ["accept", "--category", "livelihood", "--kind", "complaint"];
    store.act_ok(INIT_AT, "ls_dispatch", &a, &words);
    assert_eq!(store.show_json(&a)["limit_days"], 4);
    store.act_ok(
        INIT_AT,
        "ls_dispatch",
        &b,
        &["accept", "--category", "enforcement"],
    );
    let joint = |days: &str| {
        store.act(
            INIT_AT,
            "ls_dispatch",
            &b,
            &[
                "joint",
                "--lead",
                "laoshan.enforcement",
                "--support",
                "laoshan.transport",
                "--days",
                days,
            ],
        )
    };
    joint("5").refused(&["days", "1..=3"]);
    joint("3").ok();
    assert_eq!(store.show_json(&b)["limit_days"], 3);
}

#[test]
fn init_with_a_bad_fixtures_file_names_it_and_makes_no_store() {
    let cases: [(&str, &str, &str, &[&str]); 3] = [
        (
            "rules.toml",
            "livelihood_complaint = 2 ",
            "livelihood_complaint = \"two\" ",
            &[
                "rules.toml",
                "line 8",
                "livelihood_complaint",
                "expected u32",
            ],
        ),
        (
            "users.toml",
            "login = \"trainer\"",
            "login = \"Trainer X\"",
            &["users.toml", "user[0]", "login", "POSIX"],
        ),
        ("org.toml", "[[unit]]", "[[unit]\n", &["org.toml", "line"]),
    ];
    for (file, old, new, words) in cases {
        let fixtures = fixtures_with(&[(file, old, new)]);
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("store");
        let out = jiban(
            &[
                "--data",
                data.to_str().expect("path"),
                "init",
                "--fixtures",
                fixtures.path().to_str().expect("path"),
            ],
            None,
        )
        .failed(1);
        for w in words {
            assert!(out.stderr.contains(w), "{file}: no {w:?} in {}", out.stderr);
        }
        assert!(!data.join("db").exists(), "{file}: a store was made");
    }
}
