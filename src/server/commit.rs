//! Group commit: every connection's commands go to one committer, which takes all that are
//! waiting, runs them through [`Engine::execute_many`] with **one** flush, then answers each. The
//! more clients write at once, the more commands share a flush.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::domain::event::HistoryEntry;
use crate::engine::{Engine, Submitted};

/// Most commands in one group.
pub const MAX_GROUP: usize = 512;

/// A command waiting for its group, with where to send its answer.
pub struct Job {
    /// The command.
    pub submitted: Submitted,
    /// Its answer, once flushed.
    pub reply: oneshot::Sender<crate::engine::Result<HistoryEntry>>,
}

/// Runs until every sender is dropped and the queue is empty, so commands already queued when
/// the server stops are still written, flushed and answered.
pub async fn committer(engine: Arc<Engine>, mut jobs: mpsc::Receiver<Job>) {
    let mut groups: u64 = 0;
    let mut commands: u64 = 0;
    while let Some(first) = jobs.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let (submitted, replies): (Vec<Submitted>, Vec<_>) =
            group.into_iter().map(|j| (j.submitted, j.reply)).unzip();
        let engine = engine.clone();
        let n = submitted.len();
        let results =
            match tokio::task::spawn_blocking(move || engine.execute_many(&submitted)).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "the committer's worker failed");
                    continue;
                }
            };
        groups += 1;
        commands += n as u64;
        tracing::debug!(size = n, "group committed");
        for (reply, result) in replies.into_iter().zip(results) {
            // A client that hung up meanwhile still had its command stored.
            let _ = reply.send(result);
        }
    }
    tracing::info!(groups, commands, "committer stopped");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{CaseId, Category};
    use crate::domain::clock::SimulatedClock;
    use crate::domain::command::Command;
    use crate::domain::intake::parse_line;
    use crate::engine::IntakeOutcome;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiting_commands_share_one_flush_and_each_gets_its_own_answer() {
        let dir = tempfile::tempdir().unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let clock = Arc::new(SimulatedClock::fixed(now));
        let engine =
            Arc::new(Engine::init(dir.path(), &crate::fixtures::bundled(), clock).unwrap());
        let org = &engine.config().org;
        let line = r#"{"district":"laoshan","channel":"hotline","title":"噪音","description":"d","requester":{"name":"李娜","phone":"13853215678"}}"#;
        let cases = (0..10)
            .map(|i| parse_line(i + 1, line, org).unwrap())
            .collect();
        let ids: Vec<CaseId> = engine
            .intake(&engine.administrator(), cases)
            .unwrap()
            .into_iter()
            .map(|o| match o {
                IntakeOutcome::Created(id) => id,
                IntakeOutcome::Duplicate(id) => id,
            })
            .collect();
        let dispatcher = engine.user("ls_dispatch").unwrap();
        let accept = Command::Accept {
            province: false,
            category: Category::Livelihood,
            kind: None,
            complex: false,
            matter: None,
        };
        let (tx, rx) = mpsc::channel(64);
        let mut answers = Vec::new();
        // Ten commands are waiting before the committer starts, plus one that is stale and
        // one the rules refuse (a second accept of the first case).
        for (i, id) in ids.iter().enumerate() {
            let (reply, answer) = oneshot::channel();
            let submitted = Submitted {
                operator: dispatcher.clone(),
                case: id.clone(),
                command: accept.clone(),
                expected_version: Some(if i == 9 { 7 } else { 1 }),
            };
            tx.send(Job { submitted, reply }).await.unwrap();
            answers.push(answer);
        }
        let (reply, again) = oneshot::channel();
        let submitted = Submitted {
            operator: dispatcher.clone(),
            case: ids[0].clone(),
            command: accept.clone(),
            expected_version: None,
        };
        tx.send(Job { submitted, reply }).await.unwrap();
        drop(tx);
        let mut events = engine.subscribe();
        let before = engine.flush_count();
        committer(engine.clone(), rx).await;
        assert_eq!(engine.flush_count() - before, 1, "one flush for the group");
        for (i, a) in answers.into_iter().enumerate() {
            let r = a.await.unwrap();
            if i == 9 {
                assert!(matches!(
                    r,
                    Err(crate::engine::EngineError::Conflict { .. })
                ));
            } else {
                assert_eq!(r.unwrap().seq, 2);
            }
        }
        // Decided after the first accept in the same group: refused by the rules.
        assert!(matches!(
            again.await.unwrap(),
            Err(crate::engine::EngineError::Refused(_))
        ));
        // Published in the order they were committed.
        for id in &ids[..9] {
            assert_eq!(&events.try_recv().unwrap().entry.case, id);
        }
        assert!(events.try_recv().is_err());
    }
}
