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
