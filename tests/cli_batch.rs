//! Streaming intake and `act --batch`: bounded batches, each line answered in order, a bad or
//! refused line never stopping the others, embedded and through `jiban serve`.

mod server_support;

use serde_json::Value;
use server_support::{jiban, Site, NOW};

fn case_line(i: usize, work_order: Option<&str>) -> String {
    let ext = work_order.map_or(String::new(), |w| format!(r#","external_id":"{w}""#));
    format!(
        r#"{{"district":"laoshan","channel":"hotline","title":"夜间施工噪音 {i}","description":"d","requester":{{"name":"李娜","phone":"13853215678"}}{ext}}}"#
    )
}

/// Runs the binary on the site's store folder as of [`NOW`].
fn offline(site: &Site, args: &[&str]) -> std::process::Output {
    let store = site.store();
    let mut all = vec!["--data", store.to_str().expect("path"), "--now", NOW];
    all.extend_from_slice(args);
    jiban(&all)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8")
}

/// 2,500 lines (three of the engine's batches) with a duplicate work order across batches, a line
/// that is not UTF-8 and one that is not JSON: every good line is stored and printed in order,
/// each bad one named by its number, and the exit code says some lines were bad.
#[test]
fn a_large_intake_streams_in_batches_and_reports_bad_lines_by_number() {
    let site = Site::new(None);
    let mut file: Vec<u8> = Vec::new();
    for i in 0..2500 {
        let line = match i {
            10 => "{not json".to_string(),
            // Same work order as line 6, two batches later.
            2200 => case_line(i, Some("QD-5")),
            5 => case_line(i, Some("QD-5")),
            _ => case_line(i, Some(&format!("QD-{i}"))),
        };
        file.extend_from_slice(line.as_bytes());
        file.push(b'\n');
        if i == 1500 {
            file.extend_from_slice(b"{\"title\":\"\xff\xfe\"}\n");
        }
    }
    let path = site.dir.path().join("big.jsonl");
    std::fs::write(&path, &file).expect("write");
    let out = offline(&site, &["intake", path.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let ids: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(ids.len(), 2500 - 2, "one not JSON, one duplicate");
    assert_eq!(ids[0], "LS-20261123-0001");
    assert_eq!(ids.last().map(String::as_str), Some("LS-20261123-2498"));
    let err = stderr(&out);
    assert!(err.contains("line 11:"), "{err}");
    assert!(err.contains("line 1502: not UTF-8"), "{err}");
    assert!(
        err.contains("duplicate work order: already stored as LS-20261123-0006"),
        "{err}"
    );
}

fn batch_lines(id: &str) -> String {
    [
        format!(r#"{{"case":"{id}","command":"accept","options":{{"category":"livelihood"}},"as":"ls_dispatch"}}"#),
        format!(r#"{{"case":"{id}","command":"dispatch","options":{{"to":"nowhere"}},"as":"ls_dispatch"}}"#),
        "{\"case\": 7}".to_string(),
        format!(r#"{{"case":"{id}","command":"dispatch","options":{{"to":"laoshan.jinjialing.haidamaidao"}},"as":"ls_dispatch"}}"#),
        r#"{"case":"NO-SUCH","command":"sign","as":"ls_dispatch"}"#.to_string(),
    ]
    .join("\n")
}

fn check_answers(text: &str) {
    let answers: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let summary: Vec<(u64, bool)> = answers
        .iter()
        .map(|a| {
            (
                a["line"].as_u64().expect("line"),
                a["ok"].as_bool().expect("ok"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [(1, true), (2, false), (3, false), (4, true), (5, false)],
        "{text}"
    );
    assert_eq!(answers[0]["action"], "accept");
    assert!(answers[1]["error"]
        .as_str()
        .expect("error")
        .contains("nowhere"));
    assert!(answers[2]["error"]
        .as_str()
        .expect("error")
        .contains("line 3"));
    assert_eq!(
        (answers[3]["action"].as_str(), answers[3]["seq"].as_u64()),
        (Some("dispatch"), Some(3))
    );
}

#[test]
fn act_batch_answers_every_line_in_order_embedded() {
    let site = Site::new(None);
    let id = site.intake_offline("楼道堆放杂物");
    let file = site.dir.path().join("acts.jsonl");
    std::fs::write(&file, batch_lines(&id)).expect("write");
    let out = offline(&site, &["act", "--batch", file.to_str().expect("path")]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a refusal exits 2: {}",
        stderr(&out)
    );
    check_answers(&stdout(&out));
    let show = offline(&site, &["show", &id, "--json"]);
    let view: Value = serde_json::from_slice(&show.stdout).expect("json");
    assert_eq!(view["holder"], "laoshan.jinjialing.haidamaidao");
}

#[test]
fn act_batch_through_the_server_checks_who_may_act_as_whom() {
    let mut site = Site::new(Some("trainer"));
    let id = site.intake_offline("楼道堆放杂物");
    site.start();
    let file = site.dir.path().join("acts.jsonl");
    std::fs::write(&file, batch_lines(&id)).expect("write");
    let out = site.cli(&["act", "--batch", file.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    check_answers(&stdout(&out));
    let show = site.cli(&["show", &id, "--json"]);
    let view: Value = serde_json::from_slice(&show.stdout).expect("json");
    assert_eq!(
        (view["stage"].as_str(), view["version"].as_u64()),
        (Some("assigned"), Some(3))
    );
}

#[test]
fn act_batch_through_the_server_refuses_lines_acting_as_another_login() {
    let mut site = Site::new(Some("ls_dispatch"));
    let id = site.intake_offline("楼道堆放杂物");
    site.start();
    let file = site.dir.path().join("acts.jsonl");
    let lines = [
        format!(
            r#"{{"case":"{id}","command":"accept","options":{{"category":"livelihood"}},"as":"trainer"}}"#
        ),
        format!(r#"{{"case":"{id}","command":"accept","options":{{"category":"livelihood"}}}}"#),
    ];
    std::fs::write(&file, lines.join("\n")).expect("write");
    let out = site.cli(&["act", "--batch", file.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let answers: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(answers[0]["ok"], false, "{answers:?}");
    assert!(answers[0]["error"]
        .as_str()
        .expect("error")
        .contains("as trainer"));
    assert_eq!(
        (answers[1]["ok"].as_bool(), answers[1]["by"].as_str()),
        (Some(true), Some("ls_dispatch"))
    );
}
