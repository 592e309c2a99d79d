//! Length-prefixed frames: a 4-byte big-endian length, then that many bytes of JSON.
//!
//! A reader refuses a frame longer than its limit before reading it, and (async side) a frame
//! whose bytes stop arriving for [`HALF_FRAME_TIMEOUT`] once it has begun. Waiting between frames
//! has no limit: an idle board is fine.

use std::io::{Read, Write};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt};

/// How long a whole frame may take once its first byte has arrived.
pub const HALF_FRAME_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The peer closed the connection between frames.
    #[error("connection closed")]
    Closed,
    /// The length prefix is over the limit.
    #[error("frame of {len} bytes is over the {max}-byte limit")]
    TooLarge {
        /// The announced length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The peer did not finish a frame within the time allowed for a whole frame.
    #[error("half-sent frame: {got} of {want} bytes within {secs} s")]
    Stalled {
        /// Bytes received.
        got: usize,
        /// Bytes announced (4 while reading the prefix).
        want: usize,
        /// The timeout.
        secs: u64,
    },
    /// The peer closed the connection in the middle of a frame.
    #[error("connection closed in the middle of a frame")]
    Truncated,
    /// The bytes are not the message expected.
    #[error("malformed frame: {0}")]
    Malformed(#[from] serde_json::Error),
    /// The socket failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One message as a frame: the length prefix and the JSON.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    let mut out = vec![0u8; 4];
    // Serialising the protocol's own types to a Vec cannot fail (no maps with non-string keys).
    serde_json::to_writer(&mut out, message).unwrap_or_default();
    let len = (out.len() - 4) as u32;
    out[..4].copy_from_slice(&len.to_be_bytes());
    out
}

/// Decodes a frame's body.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, FrameError> {
    Ok(serde_json::from_slice(body)?)
}

fn check_len(prefix: [u8; 4], max: usize) -> Result<usize, FrameError> {
    let len = u32::from_be_bytes(prefix) as usize;
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    Ok(len)
}

/// Reads one frame's body from a blocking reader (the client side).
pub fn read_blocking(r: &mut impl Read, max: usize) -> Result<Vec<u8>, FrameError> {
    let mut prefix = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match r.read(&mut prefix[got..]) {
            Ok(0) if got == 0 => return Err(FrameError::Closed),
            Ok(0) => return Err(FrameError::Truncated),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let len = check_len(prefix, max)?;
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => FrameError::Truncated,
        _ => FrameError::Io(e),
    })?;
    Ok(body)
}

/// Writes one message to a blocking writer.
pub fn write_blocking<T: Serialize>(w: &mut impl Write, message: &T) -> std::io::Result<()> {
    w.write_all(&encode(message))?;
    w.flush()
}

/// Reads one frame's body from an async reader (the server side): waits as long as it takes for
/// a frame to begin, then at most `limit` for **the whole rest of it** (a deadline on the frame,
/// not on each read: a client that sends one byte every few seconds cannot hold a frame open).
/// The body grows as its bytes arrive, so an announced length costs nothing until it is sent.
pub async fn read_async(
    r: &mut (impl AsyncRead + Unpin),
    max: usize,
    limit: Duration,
) -> Result<Vec<u8>, FrameError> {
    let mut prefix = [0u8; 4];
    let first = r.read(&mut prefix).await?;
    if first == 0 {
        return Err(FrameError::Closed);
    }
    let deadline = tokio::time::Instant::now() + limit;
    let stalled = |got: usize, want: usize| FrameError::Stalled {
        got,
        want,
        secs: limit.as_secs(),
    };
    let mut got = first;
    while got < 4 {
        match tokio::time::timeout_at(deadline, r.read(&mut prefix[got..])).await {
            Err(_) => return Err(stalled(got, 4)),
            Ok(Ok(0)) => return Err(FrameError::Truncated),
            Ok(Ok(n)) => got += n,
            Ok(Err(e)) => return Err(e.into()),
        }
    }
    let len = check_len(prefix, max)?;
    let mut body = Vec::with_capacity(len.min(64 << 10));
    let mut chunk = vec![0u8; len.min(64 << 10)];
    while body.len() < len {
        let want = (len - body.len()).min(chunk.len());
        match tokio::time::timeout_at(deadline, r.read(&mut chunk[..want])).await {
            Err(_) => return Err(stalled(body.len(), len)),
            Ok(Ok(0)) => return Err(FrameError::Truncated),
            Ok(Ok(n)) => body.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) => return Err(e.into()),
        }
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_round_trips_with_its_length_in_front() {
        let bytes = encode(&serde_json::json!({"a": "派遣 ok"}));
        let len = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        assert_eq!(len, bytes.len() - 4);
        let body = read_blocking(&mut &bytes[..], 1024).unwrap();
        let v: serde_json::Value = decode(&body).unwrap();
        assert_eq!(v["a"], "派遣 ok");
    }

    #[test]
    fn a_frame_over_the_limit_is_refused_before_its_body_is_read() {
        let bytes = encode(&"x".repeat(100));
        let err = read_blocking(&mut &bytes[..], 50).unwrap_err();
        assert!(
            matches!(err, FrameError::TooLarge { len: 102, max: 50 }),
            "{err}"
        );
    }

    #[test]
    fn end_of_stream_between_frames_is_closed_and_inside_one_is_truncated() {
        assert!(matches!(
            read_blocking(&mut &[][..], 10),
            Err(FrameError::Closed)
        ));
        let bytes = encode(&"abcdef");
        assert!(matches!(
            read_blocking(&mut &bytes[..6], 100),
            Err(FrameError::Truncated)
        ));
        assert!(matches!(
            read_blocking(&mut &bytes[..2], 100),
            Err(FrameError::Truncated)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_half_sent_frame_times_out_but_an_idle_connection_does_not() {
        let (mut client, mut server) = tokio::io::duplex(64);
        use tokio::io::AsyncWriteExt;
        let stall = Duration::from_millis(50);
        // Idle for longer than the stall limit, then a whole frame: read fine.
        let reader = tokio::spawn(async move {
            let first = read_async(&mut server, 100, stall).await;
            let second = read_async(&mut server, 100, stall).await;
            (first.map(|b| b.len()), second)
        });
        tokio::time::sleep(stall * 3).await;
        client.write_all(&encode(&"ok")).await.unwrap();
        client.write_all(&[0, 0, 0, 9, b'"']).await.unwrap();
        let (first, second) = reader.await.unwrap();
        assert_eq!(first.unwrap(), 4);
        assert!(
            matches!(
                second,
                Err(FrameError::Stalled {
                    got: 1,
                    want: 9,
                    ..
                })
            ),
            "{second:?}"
        );
        drop(client);
    }

    #[tokio::test(start_paused = true)]
    async fn a_frame_trickled_a_byte_at_a_time_meets_its_deadline() {
        let (mut client, mut server) = tokio::io::duplex(64);
        use tokio::io::AsyncWriteExt;
        let limit = Duration::from_millis(100);
        let reader = tokio::spawn(async move { read_async(&mut server, 100, limit).await });
        client.write_all(&[0, 0, 0, 20]).await.unwrap();
        // One byte every 40 ms: each read is well within the limit, the frame is not.
        for _ in 0..10 {
            // The reader gives up at its deadline and drops its end.
            if client.write_all(b"x").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        let got = reader.await.unwrap();
        assert!(
            matches!(got, Err(FrameError::Stalled { want: 20, .. })),
            "{got:?}"
        );
    }
}
