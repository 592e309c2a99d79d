//! One connection's frames waiting to be written, bounded in **bytes**.
//!
//! A reply waits for room before it is queued, so a client that pipelines requests and never
//! reads stops having its requests read once [`OUTBOX_BYTES`] of replies wait. Pushed events
//! never wait: when there is no room the connection is marked behind, its events are dropped, and
//! it is told to resynchronise as soon as room returns — so a subscriber that never reads pins
//! neither the server's event buffer nor more than its budget.

use std::sync::Arc;

use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

use super::connection::Frame;

/// The most bytes of frames one connection may have waiting (a frame larger than this, such as
/// one big reply, is sent alone).
pub const OUTBOX_BYTES: usize = 2 << 20;

/// The sending side, shared by a connection's request loop and its event forwarder.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<(Frame, OwnedSemaphorePermit)>,
    budget: Arc<Semaphore>,
    capacity: usize,
}

/// The writing side: frames in order, each releasing its bytes once written.
pub struct Drain {
    rx: mpsc::UnboundedReceiver<(Frame, OwnedSemaphorePermit)>,
    budget: Arc<Semaphore>,
}

/// Why a frame was not queued without waiting.
#[derive(Debug, PartialEq, Eq)]
pub enum Full {
    /// Not enough room now.
    NoRoom,
    /// The connection is gone.
    Closed,
}

/// A new outbox of [`OUTBOX_BYTES`].
pub fn outbox() -> (Outbox, Drain) {
    outbox_of(OUTBOX_BYTES)
}

/// A new outbox of `bytes`.
pub fn outbox_of(bytes: usize) -> (Outbox, Drain) {
    let (tx, rx) = mpsc::unbounded_channel();
    let budget = Arc::new(Semaphore::new(bytes));
    (
        Outbox {
            tx,
            budget: budget.clone(),
            capacity: bytes,
        },
        Drain { rx, budget },
    )
}

fn cost(frame: &Frame, budget: usize) -> u32 {
    frame.len().clamp(1, budget) as u32
}

impl Outbox {
    /// Queues a frame once there is room; false when the connection is gone.
    pub async fn send(&self, frame: Frame) -> bool {
        let n = cost(&frame, self.capacity);
        match self.budget.clone().acquire_many_owned(n).await {
            Ok(permit) => self.tx.send((frame, permit)).is_ok(),
            Err(_) => false,
        }
    }

    /// Queues a frame only if there is room now.
    pub fn try_send(&self, frame: Frame) -> Result<(), Full> {
        let n = cost(&frame, self.capacity);
        match self.budget.clone().try_acquire_many_owned(n) {
            Ok(permit) => self.tx.send((frame, permit)).map_err(|_| Full::Closed),
            Err(tokio::sync::TryAcquireError::NoPermits) => Err(Full::NoRoom),
            Err(tokio::sync::TryAcquireError::Closed) => Err(Full::Closed),
        }
    }

    /// Waits until `bytes` of room are free (without taking them); false when the connection is
    /// gone.
    pub async fn room(&self, bytes: usize) -> bool {
        let n = bytes.clamp(1, self.capacity) as u32;
        self.budget.acquire_many(n).await.is_ok()
    }

    /// Bytes waiting now.
    #[cfg(test)]
    pub fn waiting(&self) -> usize {
        self.capacity
            .saturating_sub(self.budget.available_permits())
    }
}

impl Drain {
    /// The next frame to write, with the permit to drop once it is written; `None` when every
    /// sender is gone.
    pub async fn next(&mut self) -> Option<(Frame, OwnedSemaphorePermit)> {
        self.rx.recv().await
    }

    /// The client is gone: senders stop waiting for room.
    pub fn close(&mut self) {
        self.budget.close();
        self.rx.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn replies_wait_for_room_and_events_are_refused_without_waiting() {
        let (out, mut drain) = outbox_of(OUTBOX_BYTES);
        let big: Frame = vec![0u8; OUTBOX_BYTES / 2 + 1].into();
        assert!(out.send(big.clone()).await);
        assert_eq!(out.try_send(big.clone()), Err(Full::NoRoom));
        assert!(out.waiting() > OUTBOX_BYTES / 2);
        // A reply waits until the first frame is written.
        let waiting = tokio::spawn({
            let out = out.clone();
            let big = big.clone();
            async move { out.send(big).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        let (frame, permit) = drain.next().await.expect("a frame");
        assert_eq!(frame.len(), big.len());
        drop(permit);
        assert!(waiting.await.expect("join"));
        drain.close();
        assert!(!out.send(big).await, "a closed connection takes nothing");
    }
}
