//! Tests of what the lifecycle shows before a command is done.

use super::extended_deadline;
use crate::domain::case::Category;
use crate::domain::command::Command;
use crate::domain::org::UnitId;
use crate::domain::testkit::{cst, Walk};

#[test]
fn the_extension_preview_is_the_deadline_approval_sets() {
    let mut w = Walk::new();
    w.run(
        "ls_dispatch",
        Command::Accept {
            province: false,
            category: Category::Development,
            kind: None,
            complex: false,
            matter: None,
        },
    );
    w.run(
        "ls_dispatch",
        Command::Dispatch {
            to: UnitId::new("laoshan.hrss"),
        },
    );
    w.run(
        "ls_hrss",
        Command::Extend {
            days: 3,
            reason: "需调取社保记录".into(),
        },
    );
    let preview = extended_deadline(&w.case, 3, w.now, &w.config.calendar);
    // Accepted Monday 2026-11-23 09:30, 10 + 3 working days: Thursday 2026-12-10 09:30.
    assert_eq!(preview.at, cst(2026, 12, 10, 9, 30));
    let case = w.run("ls_dispatch", Command::ApproveExtension);
    assert_eq!(case.due_at, Some(preview.at));
}
