//! Issue #10 through the binary: text from users never reaches the terminal with its control
//! characters, JSON keeps user text as typed, store files are private, and backup / check /
//! restore salvage a damaged store.

mod common;

use common::{case_line, Store, INIT_AT};

const NOW: &str = "2026-11-23T09:00:00+08:00";

/// True when `s` holds a character no terminal should receive from user text.
fn has_unsafe(s: &str) -> bool {
    s.chars().any(|c| c != '\n' && jiban::text::is_unsafe(c))
}

#[test]
fn titles_and_names_reach_the_terminal_without_escapes_or_bidi_overrides() {
    let store = Store::new();
    let hostile = "楼道\u{1b}]0;pwned\u{7}\u{1b}[2J积水\u{202E}4321";
    let mut line = case_line("laoshan", "livelihood", hostile, NOW);
    line["requester"]["name"] = serde_json::json!("李\u{1b}[31m娜\u{9b}");
    line["address"] = serde_json::json!("香港中路\u{2066}1号");
    let id = store.intake_one(NOW, &line.to_string());
    for args in [
        vec!["--now", NOW, "cases"],
        vec!["--now", NOW, "show", id.as_str()],
        vec!["--now", NOW, "cases", "--json"],
        vec!["--now", NOW, "show", id.as_str(), "--json"],
    ] {
        let out = store.run(&args).ok();
        assert!(
            !has_unsafe(&out.stdout),
            "{args:?} printed {:?}",
            out.stdout
        );
        assert!(
            !has_unsafe(&out.stderr),
            "{args:?} printed {:?}",
            out.stderr
        );
    }
    // JSON escapes them instead, so the data stays exact.
    let v = store.show_json(&id);
    assert_eq!(v["title"], hostile);
    // A refusal that quotes user input is cleaned too.
    let out = store.run(&["--now", NOW, "show", "LS-\u{1b}[2J"]);
    assert!(!has_unsafe(&out.stderr), "{:?}", out.stderr);
}

#[test]
fn json_output_converts_time_fields_only() {
    let store = Store::new();
    let line = case_line("laoshan", "livelihood", "2026-11-22T01:30:00Z", NOW);
    let id = store.intake_one(NOW, &line.to_string());
    let v = store.show_json(&id);
    assert_eq!(v["title"], "2026-11-22T01:30:00Z");
    let received = v["received_at"].as_str().expect("a time");
    assert!(received.ends_with("+08:00"), "{received}");
}

#[cfg(unix)]
#[test]
fn the_store_and_its_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let store = Store::new();
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(store.path()), 0o700);
    for e in std::fs::read_dir(store.path()).expect("dir").flatten() {
        let want = if e.path().is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&e.path()), want, "{}", e.path().display());
    }
    // A store made world-readable (by an older jiban, or a copy) is narrowed when opened.
    std::fs::set_permissions(
        store.path().join("db"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    store.run(&["--now", NOW, "cases"]).ok();
    assert_eq!(mode(&store.path().join("db")), 0o600);
}

/// Flips one byte of sled's log inside the record that holds `text` (a case's title).
fn damage(db: &std::path::Path, text: &str) {
    let mut bytes = std::fs::read(db).expect("read db");
    let needle = text.as_bytes();
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the title is in the log");
    bytes[at] ^= 0xFF;
    std::fs::write(db, bytes).expect("write db");
}

#[test]
fn backup_check_and_restore_salvage_a_damaged_store() {
    let store = Store::new();
    let ids: Vec<String> = (0..5)
        .map(|i| {
            let line = case_line("laoshan", "livelihood", &format!("路灯不亮 {i}"), NOW);
            store.intake_one(NOW, &line.to_string())
        })
        .collect();
    let clean = store.run(&["--now", NOW, "check"]).ok();
    assert!(clean.stdout.contains("no problems"), "{clean:?}");

    let backups = tempfile::tempdir().expect("tempdir");
    let out = store
        .run(&[
            "--now",
            NOW,
            "backup",
            backups.path().to_str().expect("path"),
        ])
        .ok();
    assert!(out.stdout.contains("5 cases"), "{out:?}");
    let made: Vec<_> = std::fs::read_dir(backups.path())
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(made.len(), 1, "{made:?}");
    let backup = made[0].clone();
    // The backup is a store in its own right.
    let listed = common::jiban(
        &[
            "--data",
            backup.to_str().expect("path"),
            "--now",
            NOW,
            "cases",
            "--json",
        ],
        None,
    )
    .ok();
    for id in &ids {
        assert!(listed.stdout.contains(id.as_str()));
    }

    // A flipped byte: the store refuses to open, says why and where the backup is; no panic.
    // sled alone would open this store with the damaged record and everything after it gone.
    damage(&store.path().join("db"), "路灯不亮 2");
    let broken = store.run(&["--now", NOW, "cases"]);
    assert_eq!(broken.code, 1, "{broken:?}");
    assert!(!broken.stderr.contains("panicked"), "{broken:?}");
    assert!(broken.stderr.contains("cannot be opened"), "{broken:?}");
    assert!(
        broken.stderr.contains(backup.to_str().expect("path")),
        "no pointer to the backup: {broken:?}"
    );
    let check = store.run(&["--now", NOW, "check"]);
    assert_ne!(check.code, 0);
    assert!(!check.stderr.contains("panicked"), "{check:?}");

    let restored = store
        .run(&["--now", INIT_AT, "restore", backup.to_str().expect("path")])
        .ok();
    assert!(restored.stdout.contains("kept at"), "{restored:?}");
    let again = store.case_ids(NOW, &[]);
    for id in &ids {
        assert!(again.contains(id), "{id} lost by the restore");
    }
    store.run(&["--now", NOW, "check"]).ok();
}

#[test]
fn an_empty_data_file_is_reported_as_damage_not_a_panic_or_a_new_store() {
    let store = Store::new();
    std::fs::write(store.path().join("db"), b"").expect("truncate");
    let out = store.run(&["--now", NOW, "cases"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("cannot be opened"), "{out:?}");
    assert!(out.stderr.contains("empty"), "{out:?}");
    assert!(out.stderr.contains("no backup"), "{out:?}");
    assert_eq!(
        std::fs::metadata(store.path().join("db"))
            .expect("db")
            .len(),
        0
    );
}

#[test]
fn check_finds_an_index_that_disagrees_with_the_cases() {
    // A store whose kept counts were damaged: check names the count and exits 1.
    let store = Store::new();
    let line = case_line("laoshan", "livelihood", "井盖缺失", NOW);
    store.intake_one(NOW, &line.to_string());
    {
        let db = sled::open(store.path()).expect("sled");
        let data = db.open_tree("data").expect("data");
        let key = data
            .scan_prefix([b'N'])
            .next()
            .expect("a count")
            .expect("read")
            .0;
        data.insert(key, &7u64.to_be_bytes()).expect("insert");
        db.flush().expect("flush");
    }
    let out = store.run(&["--now", NOW, "check"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("count of"), "{out:?}");
    assert!(out.stdout.contains("kept 7 but 1 cases"), "{out:?}");
}

#[test]
fn intake_refuses_absurd_times_duplicate_keys_and_bad_bytes_line_by_line() {
    let store = Store::new();
    let mut far = case_line("laoshan", "livelihood", "路灯不亮", NOW);
    far["received_at"] = serde_json::json!("9999-01-01T00:00:00+08:00");
    let good = case_line("laoshan", "livelihood", "井盖缺失", NOW).to_string();
    let duplicate = good.replacen("{", "{\"district\":\"shibei\",", 1);
    let file = store.path().join("mixed.jsonl");
    let mut bytes = Vec::new();
    for line in [far.to_string(), duplicate, good.clone()] {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    // An invalid UTF-8 byte inside a title: that line only.
    bytes.extend_from_slice(good.replace("井盖", "井\u{0}").as_bytes());
    let at = bytes.len() - 20;
    bytes[at] = 0xFF;
    bytes.push(b'\n');
    bytes.extend_from_slice(good.as_bytes());
    bytes.push(b'\n');
    std::fs::write(&file, bytes).expect("write");
    let out = store.run(&["--now", NOW, "intake", file.to_str().expect("path")]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("line 1: received_at"), "{}", out.stderr);
    assert!(
        out.stderr.contains("line 2:") && out.stderr.contains("given twice"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("line 4: not UTF-8"), "{}", out.stderr);
    assert_eq!(
        out.stdout.lines().count(),
        2,
        "lines 3 and 5 stored: {out:?}"
    );
    assert!(!out.stdout.contains("+1000"), "{out:?}");
}
