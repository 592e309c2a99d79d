//! The lifecycle command vocabulary — words and options — shared by `jiban act` and the board's `:`
//! line (and the board's forms), so neither imports the other.

use clap::Subcommand;

use crate::domain::case::{AssessmentOutcome, CaseId, Category, Kind, Resolution, Satisfaction};
use crate::domain::command::Command;
use crate::domain::org::UnitId;

/// One lifecycle command with its options, as typed.
#[derive(Debug, Clone, PartialEq, Subcommand)]
pub enum ActCommand {
    /// 受理: classify and accept the case.
    Accept {
        /// livelihood, development or enforcement.
        #[arg(long)]
        category: Category,
        /// consultation, suggestion or complaint (livelihood; default complaint).
        #[arg(long)]
        kind: Option<Kind>,
        /// A complex case (longer time limit).
        #[arg(long)]
        complex: bool,
        /// A 2115 enterprise case handed down by the province (省交办企业诉求).
        #[arg(long = "2115")]
        province: bool,
        /// The kind of matter (事项分类: an id or Chinese name from the responsibility list),
        /// confirming or changing the one suggested at intake.
        #[arg(long)]
        matter: Option<String>,
    },
    /// 不受理: reject with reason 1..7 and a note.
    Reject {
        /// Reason code 1..7 (see `jiban reasons`).
        #[arg(long)]
        reason: u8,
        /// Note to the requester.
        #[arg(long)]
        note: String,
    },
    /// 转办: send the case to a unit.
    Dispatch {
        /// Unit id.
        #[arg(long)]
        to: String,
    },
    /// Joint enforcement: a lead unit and supporting units.
    Joint {
        /// Lead unit (主责).
        #[arg(long)]
        lead: String,
        /// Supporting units, comma-separated (配合).
        #[arg(long, value_delimiter = ',', required = true)]
        support: Vec<String>,
        /// Working days allowed (default from the rules).
        #[arg(long)]
        days: Option<u32>,
        /// Working days of each supporting unit's part (default: the case's).
        #[arg(long)]
        part_days: Option<u32>,
    },
    /// 签收: sign for the case.
    Sign,
    /// 联系诉求人: record the first contact with the requester.
    Contact {
        /// What was said or agreed.
        #[arg(long)]
        note: String,
    },
    /// 2115 首次反馈: first feedback on a province enterprise case.
    Feedback {
        /// The feedback (初步办理情况).
        #[arg(long)]
        text: String,
    },
    /// 上报: pass the case one level up.
    Escalate {
        /// Note.
        #[arg(long)]
        note: Option<String>,
    },
    /// 退单: ask the platform to take the case back (needs --confirm).
    Return {
        /// Reason.
        #[arg(long)]
        reason: String,
        /// The explicit second confirmation.
        #[arg(long)]
        confirm: bool,
    },
    /// Approve a return request.
    ApproveReturn,
    /// Deny a return request.
    DenyReturn,
    /// 延期申请: ask for more working days.
    Extend {
        /// Working days.
        #[arg(long)]
        days: u32,
        /// Reason.
        #[arg(long)]
        reason: String,
    },
    /// Approve an extension request.
    ApproveExtension,
    /// Deny an extension request.
    DenyExtension,
    /// A supporting unit reports its part.
    Report {
        /// What the unit did.
        #[arg(long)]
        text: String,
    },
    /// 答复: write the reply with its four elements.
    Reply {
        /// Result and the requester's facts.
        #[arg(long)]
        result: String,
        /// Policy basis.
        #[arg(long)]
        basis: String,
        /// Responsible person.
        #[arg(long)]
        person: String,
        /// Contact phone.
        #[arg(long)]
        phone: String,
    },
    /// 审核通过: approve the reply.
    ApproveReply,
    /// 退回: send the reply back with a note.
    SendBack {
        /// Note.
        #[arg(long)]
        note: String,
    },
    /// 回访评价: record the requester's rating.
    Evaluate {
        /// satisfied, basic or unsatisfied.
        #[arg(long)]
        satisfaction: Satisfaction,
        /// resolved, basic or unresolved.
        #[arg(long)]
        resolution: Resolution,
    },
    /// 履职评估: pass or fail the unit.
    Assess {
        /// pass or fail.
        #[arg(long)]
        outcome: AssessmentOutcome,
        /// Note.
        #[arg(long)]
        note: Option<String>,
    },
    /// 督办: a supervision notice to the unit holding the case, with an answer deadline.
    Supervise {
        /// What the unit must do or explain.
        #[arg(long)]
        note: String,
        /// Working days to answer (default: the rules file's `supervision_days`).
        #[arg(long)]
        days: Option<u32>,
    },
    /// 督办回复: answer the supervision notice.
    AnswerSupervision {
        /// The answer.
        #[arg(long)]
        text: String,
    },
    /// 抢单发布: offer the accepted case to units for a window; the first to claim takes it.
    Publish {
        /// Units, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        to: Vec<String>,
        /// Hours the window stays open (default from the rules: 3).
        #[arg(long)]
        hours: Option<u32>,
    },
    /// 抢单认领: claim a published case for your unit (a trainer names the unit).
    Claim {
        /// The claiming unit (default: yours).
        #[arg(long)]
        unit: Option<String>,
    },
    /// 关联: confirm a suggested link to an earlier case of the same matter, or link one.
    Link {
        /// The earlier case's id.
        #[arg(long)]
        case: String,
    },
    /// 取消关联: remove a link to a case that is not the same matter.
    Unlink {
        /// The linked case's id.
        #[arg(long)]
        case: String,
    },
    /// 并案: merge this new duplicate into an open case; it follows that case.
    Merge {
        /// The open case's id.
        #[arg(long)]
        into: String,
    },
    /// 回头看: record the re-visit of a closed case drawn for a look-back.
    Lookback {
        /// held, false-closure (虚假办结) or pressured (被满意); the last two reopen the case.
        #[arg(long)]
        outcome: crate::domain::lookback::LookbackOutcome,
        /// What the re-visit found.
        #[arg(long)]
        note: String,
    },
}

impl From<ActCommand> for Command {
    fn from(a: ActCommand) -> Command {
        match a {
            ActCommand::Accept {
                category,
                kind,
                complex,
                province,
                matter,
            } => Command::Accept {
                category,
                kind,
                complex,
                province,
                matter,
            },
            ActCommand::Reject { reason, note } => Command::Reject { reason, note },
            ActCommand::Dispatch { to } => Command::Dispatch { to: UnitId(to) },
            ActCommand::Joint {
                lead,
                support,
                days,
                part_days,
            } => Command::Joint {
                part_days,
                lead: UnitId(lead),
                support: support
                    .into_iter()
                    .map(|s| UnitId(s.trim().to_string()))
                    .filter(|s| !s.0.is_empty())
                    .collect(),
                days,
            },
            ActCommand::Sign => Command::Sign,
            ActCommand::Contact { note } => Command::Contact { note },
            ActCommand::Feedback { text } => Command::Feedback { text },
            ActCommand::Escalate { note } => Command::Escalate { note },
            ActCommand::Return { reason, confirm } => Command::Return { reason, confirm },
            ActCommand::ApproveReturn => Command::ApproveReturn,
            ActCommand::DenyReturn => Command::DenyReturn,
            ActCommand::Extend { days, reason } => Command::Extend { days, reason },
            ActCommand::ApproveExtension => Command::ApproveExtension,
            ActCommand::DenyExtension => Command::DenyExtension,
            ActCommand::Report { text } => Command::Report { text },
            ActCommand::Reply {
                result,
                basis,
                person,
                phone,
            } => Command::Reply {
                result,
                basis,
                person,
                phone,
            },
            ActCommand::ApproveReply => Command::ApproveReply,
            ActCommand::SendBack { note } => Command::SendBack { note },
            ActCommand::Evaluate {
                satisfaction,
                resolution,
            } => Command::Evaluate {
                satisfaction,
                resolution,
            },
            ActCommand::Assess { outcome, note } => Command::Assess { outcome, note },
            ActCommand::Supervise { note, days } => Command::Supervise { note, days },
            ActCommand::AnswerSupervision { text } => Command::AnswerSupervision { text },
            ActCommand::Publish { to, hours } => Command::Publish {
                to: to
                    .into_iter()
                    .map(|s| UnitId(s.trim().to_string()))
                    .filter(|s| !s.0.is_empty())
                    .collect(),
                hours,
            },
            ActCommand::Claim { unit } => Command::Claim {
                unit: unit.map(UnitId),
            },
            ActCommand::Link { case } => Command::Link {
                case: CaseId(case.trim().to_string()),
            },
            ActCommand::Unlink { case } => Command::Unlink {
                case: CaseId(case.trim().to_string()),
            },
            ActCommand::Merge { into } => Command::Merge {
                into: CaseId(into.trim().to_string()),
            },
            ActCommand::Lookback { outcome, note } => Command::Lookback { outcome, note },
        }
    }
}

/// A queue's one-character supervision mark in Chinese and English (催 C chased, 督 S a notice or
/// an unclaimed grab order, 池 P pooled), as the board and `jiban cases` show it.
pub fn mark_words(mark: crate::domain::chasing::Mark) -> (&'static str, &'static str) {
    use crate::domain::chasing::Mark;
    match mark {
        Mark::Chased => ("催", "C"),
        Mark::Supervised => ("督", "S"),
        Mark::Pooled => ("池", "P"),
    }
}

/// The key that chooses a command in the board's actions menu: one letter per command, the same
/// in every stage, so a dispatcher's fingers learn `a a` (act, accept) and `a d` (act, dispatch)
/// once. The decisions on whatever waits for one share `y` (approve the reply, the return or the
/// extension) and `n` (send the reply back, deny the return or the extension): a case waits for
/// one decision at a time, so they never meet in one menu.
pub fn menu_key(word: &str) -> Option<char> {
    Some(match word {
        "accept" => 'a',
        "reject" => 'x',
        "dispatch" => 'd',
        "joint" => 'j',
        "sign" => 's',
        "contact" => 'c',
        "feedback" => 'f',
        "escalate" => 'e',
        "return" => 't',
        "extend" => 'l',
        "report" => 'p',
        "reply" => 'r',
        "approve-reply" | "approve-return" | "approve-extension" => 'y',
        "send-back" | "deny-return" | "deny-extension" => 'n',
        "evaluate" => 'v',
        "assess" => 'm',
        "supervise" => 'u',
        "answer-supervision" => 'w',
        "publish" => 'g',
        "claim" => 'k',
        "link" => 'i',
        "unlink" => 'o',
        "merge" => 'b',
        "lookback" => 'h',
        _ => return None,
    })
}

/// A stage as typed in the CLI: `triage`, or the board's own word `待受理` (either language).
pub fn parse_stage(s: &str) -> Result<crate::domain::case::Stage, String> {
    use crate::board::i18n::Lang;
    use crate::domain::case::Stage;
    s.parse::<Stage>().or_else(|e| {
        Stage::ALL
            .iter()
            .copied()
            .find(|st| Lang::Zh.stage(*st) == s.trim())
            .ok_or(e)
    })
}

/// A light as typed in the CLI: `red`, or `红` / `红灯` as the board says it.
pub fn parse_light(s: &str) -> Result<crate::domain::light::Light, String> {
    use crate::board::i18n::Lang;
    use crate::domain::light::Light;
    let t = s.trim();
    t.parse::<Light>().or_else(|e| {
        Light::ALL
            .into_iter()
            .find(|l| {
                let zh = Lang::Zh.light(*l);
                t == zh || t.strip_suffix('灯') == Some(zh)
            })
            .ok_or(e)
    })
}

#[derive(Debug, clap::Parser)]
#[command(name = "act", no_binary_name = true)]
struct ActLine {
    #[command(subcommand)]
    command: ActCommand,
}

/// Parses a typed command line such as `dispatch --to laoshan.hrss` (the board's `:` line).
pub fn parse_words<I, S>(words: I) -> Result<Command, clap::Error>
where
    I: IntoIterator<Item = S>,
    S: Into<std::ffi::OsString> + Clone,
{
    use clap::Parser;
    ActLine::try_parse_from(words).map(|l| l.command.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_word_parses_to_the_command_of_that_name() {
        let lines: &[&[&str]] = &[
            &[
                "accept",
                "--category",
                "livelihood",
                "--kind",
                "consultation",
            ],
            &["reject", "--reason", "5", "--note", "请拨打110"],
            &["link", "--case", "LS-20261120-0001"],
            &["unlink", "--case", "LS-20261120-0001"],
            &["merge", "--into", "LS-20261120-0001"],
            &["dispatch", "--to", "laoshan.hrss"],
            &["joint", "--lead", "a", "--support", "b,c", "--days", "15"],
            &["publish", "--to", "a,b", "--hours", "3"],
            &["claim"],
            &["sign"],
            &["escalate", "--note", "社区无法解决"],
            &["return", "--reason", "不属于本单位", "--confirm"],
            &["approve-return"],
            &["deny-return"],
            &["extend", "--days", "3", "--reason", "需现场勘查"],
            &["approve-extension"],
            &["deny-extension"],
            &["report", "--text", "已配合拆除"],
            &[
                "reply",
                "--result",
                "r",
                "--basis",
                "b",
                "--person",
                "p",
                "--phone",
                "13800000000",
            ],
            &["contact", "--note", "已电话联系"],
            &["feedback", "--text", "已现场核实"],
            &["approve-reply"],
            &["send-back", "--note", "要素不全"],
            &[
                "evaluate",
                "--satisfaction",
                "basic",
                "--resolution",
                "unresolved",
            ],
            &["assess", "--outcome", "fail"],
            &["supervise", "--note", "请于两日内办结", "--days", "2"],
            &["answer-supervision", "--text", "已安排本周办结"],
            &[
                "lookback",
                "--outcome",
                "false-closure",
                "--note",
                "路灯仍不亮",
            ],
        ];
        assert_eq!(lines.len(), crate::domain::command::COMMAND_WORDS.len());
        for (line, word) in lines.iter().zip(crate::domain::command::COMMAND_WORDS) {
            let cmd = parse_words(line.iter()).unwrap_or_else(|e| panic!("{line:?}: {e}"));
            assert_eq!(cmd.name(), *word);
        }
    }

    #[test]
    fn every_command_has_a_menu_key_and_only_the_decisions_share_one() {
        let mut seen: std::collections::HashMap<char, Vec<&str>> = Default::default();
        for w in crate::domain::command::COMMAND_WORDS {
            let k = menu_key(w).unwrap_or_else(|| panic!("{w} has no menu key"));
            assert!(k.is_ascii_lowercase() && k != 'q', "{w}: {k}");
            seen.entry(k).or_default().push(w);
        }
        for (k, words) in seen {
            match k {
                'y' => assert!(words.iter().all(|w| w.starts_with("approve-")), "{words:?}"),
                'n' => assert!(
                    words
                        .iter()
                        .all(|w| w.starts_with("deny-") || *w == "send-back"),
                    "{words:?}"
                ),
                _ => assert_eq!(words.len(), 1, "{k}: {words:?}"),
            }
        }
    }

    #[test]
    fn stages_and_lights_are_taken_in_the_boards_words_too() {
        use crate::domain::case::Stage;
        use crate::domain::light::Light;
        assert_eq!(parse_stage("待受理"), Ok(Stage::Triage));
        assert_eq!(parse_stage("review"), Ok(Stage::Review));
        assert_eq!(parse_light("红"), Ok(Light::Red));
        assert_eq!(parse_light("黄灯"), Ok(Light::Yellow));
        assert_eq!(parse_light("blue"), Ok(Light::Blue));
        assert!(parse_stage("待定").unwrap_err().contains("triage"));
        assert!(parse_light("绿").is_err());
    }

    #[test]
    fn joint_splits_supporting_units_and_unknown_values_are_refused() {
        let cmd = parse_words(["joint", "--lead", "x", "--support", "y,z"]).unwrap();
        assert_eq!(
            cmd,
            Command::Joint {
                lead: UnitId::new("x"),
                support: vec![UnitId::new("y"), UnitId::new("z")],
                days: None,
                part_days: None,
            }
        );
        let err = parse_words(["accept", "--category", "leisure"]).unwrap_err();
        assert!(err.to_string().contains("leisure"), "{err}");
    }
}
