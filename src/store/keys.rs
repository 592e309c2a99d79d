//! Key layouts. Keys are big-endian so sled's byte order is the domain's order. Every record
//! lives in one sled tree, its kind named by the key's first byte ([`Kind`]), so a command's writes
//! are one atomic batch on one tree.

use chrono::{DateTime, Utc};

/// Separates variable-length parts of a key (never inside an id).
pub const SEP: u8 = 0;

/// What a key holds: its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// Case id → the case without its text.
    State = b'S',
    /// Case id → the citizen's words.
    Text = b'T',
    /// [`history`] key → one history entry.
    Event = b'E',
    /// Case id → the summary of an open case.
    Open = b'O',
    /// [`by_holder`] key → nothing.
    Holder = b'H',
    /// [`by_stage`] key → nothing.
    Stage = b'G',
    /// [`by_clock`] key → the clock's kind, span and units ([`super::write::clock_value`]).
    Due = b'D',
    /// [`closed`] key → nothing.
    Closed = b'C',
    /// Work-order number → case id.
    External = b'X',
    /// [`count`] key → a count.
    Count = b'N',
    /// [`sequence`] key → the last sequence.
    Sequence = b'Q',
    /// Unit id → its assessment record.
    UnitRecord = b'U',
    /// (no more key) → how many batches were ever committed ([`super::durable`]).
    Writes = b'W',
    /// [`by_due`] key (the time a case's next chasing step falls due) → nothing
    /// ([`crate::domain::chasing`]).
    Chase = b'A',
    /// [`matter`] key (a requester phone or an address, then the receipt time) → nothing: cases
    /// of the same matter, for linking repeat complaints ([`crate::domain::repeat`]).
    Matter = b'M',
    /// [`handled`] key (a unit, then the time a case it handled closed) → nothing: what a
    /// look-back samples ([`crate::domain::lookback`]).
    Handled = b'B',
    /// unit ‖ 0 ‖ day → the sums of the measures over every kind ([`super::tally`]).
    Tally = b'Y',
    /// unit ‖ 0 ‖ day ‖ kind of matter → the sums of one kind ([`super::tally`]).
    KindTally = b'Z',
    /// day ‖ case id → nothing: cases rated unsatisfied, by the day received ([`super::tally`]).
    Unsatisfied = b'V',
}

/// `kind ‖ rest`: a key of one kind.
pub fn of(kind: Kind, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(rest.len() + 1);
    k.push(kind as u8);
    k.extend_from_slice(rest);
    k
}

/// The first key after every key of `kind`.
pub fn after(kind: Kind) -> Vec<u8> {
    vec![kind as u8 + 1]
}

/// `case id ‖ 0 ‖ seq (u64 BE)`: one history entry; a case's history is one ordered range.
pub fn history(case: &str, seq: u64) -> Vec<u8> {
    let mut k = history_prefix(case);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The range prefix of a case's history.
pub fn history_prefix(case: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(case.len() + 9);
    k.extend_from_slice(case.as_bytes());
    k.push(SEP);
    k
}

/// `holder ‖ 0 ‖ stage ‖ 0 ‖ case id`: cases by holder unit and stage.
pub fn by_holder(holder: &str, stage: &str, case: &str) -> Vec<u8> {
    let mut k = by_holder_prefix(holder, Some(stage));
    k.extend_from_slice(case.as_bytes());
    k
}

/// The prefix of a holder's cases, optionally of one stage.
pub fn by_holder_prefix(holder: &str, stage: Option<&str>) -> Vec<u8> {
    let mut k = Vec::with_capacity(holder.len() + 16);
    k.extend_from_slice(holder.as_bytes());
    k.push(SEP);
    if let Some(s) = stage {
        k.extend_from_slice(s.as_bytes());
        k.push(SEP);
    }
    k
}

/// The case id at the end of a `by_holder` key.
pub fn case_of_holder_key(key: &[u8]) -> Option<&str> {
    let mut parts = key.splitn(3, |b| *b == SEP);
    let (_, _, case) = (parts.next()?, parts.next()?, parts.next()?);
    std::str::from_utf8(case).ok()
}

/// Milliseconds since the epoch, with the sign bit flipped so negative times sort first.
pub fn time(t: DateTime<Utc>) -> [u8; 8] {
    ((t.timestamp_millis() as u64) ^ (1 << 63)).to_be_bytes()
}

/// `due (8 bytes, ordered) ‖ case id`: open cases by deadline, most urgent first.
pub fn by_due(due: DateTime<Utc>, case: &str) -> Vec<u8> {
    let mut k = time(due).to_vec();
    k.extend_from_slice(case.as_bytes());
    k
}

/// The time at the start of a `by_due` or `closed` key.
pub fn time_of(key: &[u8]) -> Option<DateTime<Utc>> {
    let millis = <[u8; 8]>::try_from(key.get(..8)?).ok()?;
    DateTime::<Utc>::from_timestamp_millis((u64::from_be_bytes(millis) ^ (1 << 63)) as i64)
}

/// `due (8 bytes, ordered) ‖ case id ‖ 0 ‖ clock kind ‖ part unit`: one running clock of an
/// open case, most urgent first.
pub fn by_clock(due: DateTime<Utc>, case: &str, kind: u8, unit: Option<&str>) -> Vec<u8> {
    let mut k = by_due(due, case);
    k.push(SEP);
    k.push(kind);
    if let Some(u) = unit {
        k.extend_from_slice(u.as_bytes());
    }
    k
}

/// The case id in a `by_clock` key.
pub fn case_of_clock_key(key: &[u8]) -> Option<&str> {
    let rest = key.get(8..)?;
    let end = rest.iter().position(|b| *b == SEP)?;
    std::str::from_utf8(&rest[..end]).ok()
}

/// The case id in a `by_due` (or `closed`) key.
pub fn case_of_due_key(key: &[u8]) -> Option<&str> {
    key.get(8..).and_then(|b| std::str::from_utf8(b).ok())
}

/// `kind ‖ value ‖ 0`: the prefix of one phone's or address's cases in the matter index.
pub fn matter_prefix(kind: u8, value: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(value.len() + 2);
    k.push(kind);
    k.extend_from_slice(value.as_bytes());
    k.push(SEP);
    k
}

/// `kind ‖ value ‖ 0 ‖ received (8 bytes, ordered) ‖ case id`: one case under one of its matter
/// keys, oldest first.
pub fn matter(kind: u8, value: &str, received: DateTime<Utc>, case: &str) -> Vec<u8> {
    let mut k = matter_prefix(kind, value);
    k.extend_from_slice(&time(received));
    k.extend_from_slice(case.as_bytes());
    k
}

/// The matter kind, receipt time and case id of a `matter` key.
pub fn parts_of_matter_key(key: &[u8]) -> Option<(u8, DateTime<Utc>, &str)> {
    let kind = *key.first()?;
    let sep = key.iter().position(|b| *b == SEP)?;
    let rest = key.get(sep + 1..)?;
    Some((kind, time_of(rest)?, case_of_due_key(rest)?))
}

/// `unit ‖ 0 ‖ closed at (8 bytes, ordered) ‖ case id`: closed cases by the unit that handled
/// them, oldest first.
pub fn handled(unit: &str, closed: DateTime<Utc>, case: &str) -> Vec<u8> {
    let mut k = by_holder_prefix(unit, None);
    k.extend_from_slice(&time(closed));
    k.extend_from_slice(case.as_bytes());
    k
}

/// The case id of a `handled` key.
pub fn case_of_handled_key(key: &[u8]) -> Option<&str> {
    let sep = key.iter().position(|b| *b == SEP)?;
    case_of_due_key(key.get(sep + 1..)?)
}

/// `stage ‖ 0 ‖ case id`: cases by stage.
pub fn by_stage(stage: &str, case: &str) -> Vec<u8> {
    let mut k = by_stage_prefix(stage);
    k.extend_from_slice(case.as_bytes());
    k
}

/// The prefix of a stage's cases.
pub fn by_stage_prefix(stage: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(stage.len() + 20);
    k.extend_from_slice(stage.as_bytes());
    k.push(SEP);
    k
}

/// The case id at the end of a `by_stage` key.
pub fn case_of_stage_key(key: &[u8]) -> Option<&str> {
    let mut parts = key.splitn(2, |b| *b == SEP);
    let (_, case) = (parts.next()?, parts.next()?);
    std::str::from_utf8(case).ok()
}

/// `closed at (8 bytes, ordered) ‖ case id`: finished cases by the time they closed.
pub fn closed(at: DateTime<Utc>, case: &str) -> Vec<u8> {
    by_due(at, case)
}

/// `holder ‖ 0 ‖ stage`: the kept count of a holder's cases in a stage.
pub fn count(holder: &str, stage: &str) -> Vec<u8> {
    let mut k = by_holder_prefix(holder, None);
    k.extend_from_slice(stage.as_bytes());
    k
}

/// The holder and stage of a `counts` key.
pub fn parts_of_count_key(key: &[u8]) -> Option<(&str, &str)> {
    let mut parts = key.splitn(2, |b| *b == SEP);
    let (holder, stage) = (parts.next()?, parts.next()?);
    Some((
        std::str::from_utf8(holder).ok()?,
        std::str::from_utf8(stage).ok()?,
    ))
}

/// `district code ‖ date (YYYYMMDD)`: the per-day case counter.
pub fn sequence(code: &str, date: chrono::NaiveDate) -> Vec<u8> {
    format!("{code}-{}", date.format("%Y%m%d")).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn time_keys_sort_like_times_across_the_epoch() {
        let a = Utc.timestamp_millis_opt(-5_000).single().unwrap();
        let b = Utc.timestamp_millis_opt(3).single().unwrap();
        let c = Utc
            .with_ymd_and_hms(2026, 11, 22, 0, 0, 0)
            .single()
            .unwrap();
        assert!(time(a) < time(b) && time(b) < time(c));
    }

    #[test]
    fn history_keys_sort_by_seq_within_a_case_and_do_not_mix_cases() {
        assert!(history("LS-1", 2) < history("LS-1", 10));
        assert!(history("LS-1", u64::MAX) < history("LS-10", 0));
    }

    #[test]
    fn holder_keys_round_trip_the_case_id() {
        let k = by_holder("laoshan.hrss", "handling", "LS-20261122-0001");
        assert_eq!(case_of_holder_key(&k), Some("LS-20261122-0001"));
        assert!(k.starts_with(&by_holder_prefix("laoshan.hrss", None)));
        assert!(!k.starts_with(&by_holder_prefix("laoshan", None)));
    }
}
