//! Drafts on disk (草稿): what was typed in a command's panel, kept under the state dir per login
//! and case, so a dropped SSH connection, a closed terminal or a quit loses nothing. A draft is
//! written on every change to a panel (a small file, written whole and renamed into place), is
//! offered back when the same panel opens again for the same login and case, and is removed
//! when the command is done. Drafts hold what staff typed about citizens: the directory is the
//! owner's only (0700, files 0600). Drafts older than [`KEEP_DAYS`] are removed when a board
//! opens: a case that moved on without the command does not keep one forever.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::form::Form;

/// How long a draft nobody came back to is kept.
pub const KEEP_DAYS: u64 = 14;

/// One panel's typed values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The case.
    pub case: String,
    /// The command word.
    pub word: String,
    /// When it was last written.
    pub saved_at: DateTime<Utc>,
    /// Each field's option and value, in the panel's order.
    pub values: Vec<(String, String)>,
    /// The field that had the focus.
    pub focus: usize,
}

impl Draft {
    /// The draft of a form as it stands.
    pub fn of(form: &Form, now: DateTime<Utc>) -> Draft {
        Draft {
            case: form.case.to_string(),
            word: form.word.clone(),
            saved_at: now,
            values: form
                .fields
                .iter()
                .map(|f| (f.option.clone(), f.input.value().to_string()))
                .collect(),
            focus: form.focus,
        }
    }

    /// Puts the draft's values back into a freshly opened form of the same command; options
    /// the form no longer has are left out.
    pub fn fill(&self, form: &mut Form) {
        for (option, value) in &self.values {
            if let Some(f) = form.fields.iter_mut().find(|f| &f.option == option) {
                f.input = tui_input::Input::new(value.clone());
                f.prefilled = false;
            }
        }
        form.focus = self.focus.min(form.fields.len().saturating_sub(1));
        form.edited = true;
    }
}

/// The drafts of one login, in `<state dir>/drafts/<login>/`; without a directory (tests,
/// benches) nothing is written.
#[derive(Debug, Default)]
pub struct Drafts {
    dir: Option<PathBuf>,
    /// The draft written last: a key that changes nothing (a cursor move, a repeated Tab)
    /// writes no file.
    last: std::sync::Mutex<Option<Draft>>,
}

/// A case id or command word as a file name: letters, digits, `-` and `_` as they are,
/// anything else as `%XX`, so no id can leave the directory.
fn file_part(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Drafts {
    /// The drafts of `login` under `root` (the state dir's `drafts`); prunes old ones.
    pub fn open(root: Option<&Path>, login: &str) -> Drafts {
        let drafts = Drafts {
            dir: root.map(|r| r.join(file_part(login))),
            last: Default::default(),
        };
        drafts.prune();
        drafts
    }

    fn path(&self, case: &str, word: &str) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.join(format!("{}.{}.json", file_part(case), file_part(word))))
    }

    /// Writes the form's draft, replacing the last one for its case and command.
    pub fn save(&self, draft: &Draft) -> std::io::Result<()> {
        let (Some(dir), Some(path)) = (&self.dir, self.path(&draft.case, &draft.word)) else {
            return Ok(());
        };
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let same = last.as_ref().is_some_and(|l| {
            (&l.case, &l.word, &l.values, l.focus)
                == (&draft.case, &draft.word, &draft.values, draft.focus)
        });
        if same && path.exists() {
            return Ok(());
        }
        create_private_dir(dir)?;
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_vec(draft).map_err(std::io::Error::other)?;
        write_private(&tmp, &text)?;
        std::fs::rename(&tmp, &path)?;
        *last = Some(draft.clone());
        Ok(())
    }

    /// The draft kept for a case and command, if any (an unreadable one is ignored).
    pub fn load(&self, case: &str, word: &str) -> Option<Draft> {
        let text = std::fs::read(self.path(case, word)?).ok()?;
        serde_json::from_slice::<Draft>(&text)
            .ok()
            .filter(|d| d.case == case && d.word == word)
    }

    /// Forgets the draft of a case and command (done, or emptied).
    pub fn remove(&self, case: &str, word: &str) {
        if let Some(path) = self.path(case, word) {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Every draft kept, oldest first.
    pub fn list(&self) -> Vec<Draft> {
        let Some(dir) = &self.dir else {
            return Vec::new();
        };
        let mut out: Vec<Draft> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| std::fs::read(e.path()).ok())
            .filter_map(|t| serde_json::from_slice::<Draft>(&t).ok())
            .collect();
        out.sort_by_key(|d| d.saved_at);
        out
    }

    fn prune(&self) {
        let Some(dir) = &self.dir else {
            return;
        };
        let keep = std::time::Duration::from_secs(KEEP_DAYS * 86_400);
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > keep);
            if old {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::CaseId;

    #[test]
    fn a_draft_survives_on_disk_per_login_and_case_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("drafts");
        let mine = Drafts::open(Some(&root), "ls_market");
        let other = Drafts::open(Some(&root), "ls_housing");
        let case = CaseId("LS-20261107-0001".into());
        let mut form = Form::new("reply", &case, 3, &[]).unwrap();
        form.type_text("已清运");
        form.move_focus(true);
        mine.save(&Draft::of(&form, Utc::now())).unwrap();
        // Another login, another case: nothing.
        assert_eq!(other.load(case.as_str(), "reply"), None);
        assert_eq!(mine.load("LS-20261107-0002", "reply"), None);
        // A fresh form gets the values and the focus back.
        let draft = mine.load(case.as_str(), "reply").unwrap();
        let mut again = Form::new("reply", &case, 4, &[]).unwrap();
        draft.fill(&mut again);
        assert_eq!(again.fields[0].input.value(), "已清运");
        assert_eq!((again.focus, again.edited), (1, true));
        assert_eq!(mine.list().len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            let d = root.join("ls_market");
            assert_eq!(mode(&d), 0o700);
            assert_eq!(mode(&d.join("LS-20261107-0001.reply.json")), 0o600);
        }
        mine.remove(case.as_str(), "reply");
        assert_eq!(mine.load(case.as_str(), "reply"), None);
    }

    #[test]
    fn a_hostile_case_id_stays_inside_the_drafts_directory() {
        assert_eq!(
            file_part("../../etc/passwd"),
            "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd"
        );
        assert_eq!(file_part("LS-2026_1"), "LS-2026_1");
    }
}
