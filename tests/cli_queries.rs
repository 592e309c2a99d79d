//! The read-only CLI queries on the demo store: `cases` most urgent first and by district, and
//! `users`.

mod common;

use common::{jiban, Out};

const NOW: &str = "2026-11-23T09:00:00+08:00";

struct Demo(tempfile::TempDir);

impl Demo {
    fn new() -> Demo {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = Demo(dir);
        d.run(&["init", "--demo"]).ok();
        d
    }
    fn run(&self, args: &[&str]) -> Out {
        let data = self.0.path().join("store");
        let mut all = vec!["--data", data.to_str().expect("path"), "--now", NOW];
        all.extend_from_slice(args);
        jiban(&all, None)
    }
    fn json(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let out = self.run(args).ok();
        serde_json::from_str::<serde_json::Value>(&out.stdout)
            .expect("json")
            .as_array()
            .expect("a list")
            .clone()
    }
}

#[test]
fn cases_come_most_urgent_first_and_filter_by_district() {
    let demo = Demo::new();
    let all = demo.json(&["cases", "--json"]);
    assert!(all.len() > 50, "{}", all.len());
    let left: Vec<i64> = all
        .iter()
        .filter_map(|r| r["remaining_secs"].as_i64())
        .collect();
    assert!(left.len() > 50);
    assert!(
        left.windows(2).all(|w| w[0] <= w[1]),
        "not most urgent first: {left:?}"
    );
    // Rows without a running clock (none in the demo's open cases, but finished ones) come last.
    let first_without = all.iter().position(|r| r["remaining_secs"].is_null());
    if let Some(i) = first_without {
        assert!(all[i..].iter().all(|r| r["remaining_secs"].is_null()));
    }
    let laoshan = demo.json(&["cases", "--json", "--district", "laoshan"]);
    let expected = all.iter().filter(|r| r["district"] == "laoshan").count();
    assert!(expected > 5);
    assert_eq!(laoshan.len(), expected);
    assert!(laoshan.iter().all(|r| r["district"] == "laoshan"));
    // In the text listing too, and in the same order.
    let text = demo.run(&["cases", "--district", "laoshan"]).ok().stdout;
    let ids: Vec<&str> = laoshan.iter().filter_map(|r| r["id"].as_str()).collect();
    let positions: Vec<usize> = ids.iter().filter_map(|id| text.find(id)).collect();
    assert_eq!(positions.len(), ids.len(), "{text}");
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
}

#[test]
fn users_lists_every_login_with_its_role_and_unit() {
    let demo = Demo::new();
    let users = demo.json(&["users", "--json"]);
    let fixture = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/users.toml"),
    )
    .expect("users.toml");
    assert_eq!(users.len(), fixture.matches("[[user]]").count());
    let find = |login: &str| {
        users
            .iter()
            .find(|u| u["login"] == login)
            .cloned()
            .unwrap_or_else(|| panic!("no {login}"))
    };
    let d = find("ls_dispatch");
    assert_eq!(
        (d["role"].as_str(), d["unit"].as_str()),
        (Some("district_dispatcher"), Some("laoshan"))
    );
    assert_eq!(find("trainer")["role"], "trainer");
    let text = demo.run(&["users"]).ok().stdout;
    assert!(
        text.contains("ls_dispatch") && text.contains("laoshan"),
        "{text}"
    );
}
