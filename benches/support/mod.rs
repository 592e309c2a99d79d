//! What the engine benches share: a fresh store, a plausible case, and taking cases in.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiban::domain::case::{CaseId, Channel, Requester};
use jiban::domain::clock::SystemClock;
use jiban::domain::intake::NewCase;
use jiban::domain::org::UnitId;
use jiban::engine::{Engine, IntakeOutcome};
use tempfile::TempDir;

/// An engine on a fresh store in its own temp dir (the engine is dropped before the dir).
pub struct Bench {
    /// The engine.
    pub engine: Engine,
    /// The store's folder.
    pub dir: TempDir,
}

/// A fresh store with the bundled fixtures.
pub fn fresh() -> Bench {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = Engine::init(
        &dir.path().join("store"),
        &jiban::fixtures::bundled(),
        Arc::new(SystemClock),
    )
    .expect("init store");
    Bench { engine, dir }
}

/// A plausible case for `district`; half come from the 12345 hotline with a unique work-order
/// number, half from WeChat without one.
pub fn new_case(district: &UnitId, n: u64) -> NewCase {
    let hotline = n.is_multiple_of(2);
    NewCase {
        source: None,
        district: district.clone(),
        channel: if hotline {
            Channel::Hotline
        } else {
            Channel::Wechat
        },
        title: format!("小区路灯损坏夜间无照明（第{n}号）"),
        description: "小区内多盏路灯损坏，夜间出行不便，老人孩子容易摔倒，请尽快维修。".into(),
        requester: Requester {
            name: "王女士".into(),
            phone: format!("139{:08}", n % 100_000_000),
        },
        address: Some(format!("{district}某路{}号", n % 500)),
        community: None,
        category: None,
        received_at: None,
        external_id: hotline.then(|| format!("QD{n:010}")),
    }
}

/// The ids of the ten district platforms.
pub fn district_ids(engine: &Engine) -> Vec<UnitId> {
    engine
        .config()
        .org
        .districts()
        .map(|u| u.id.clone())
        .collect()
}

/// Takes in `count` cases for `districts` (round robin) in batches of `batch`, numbered on from
/// `*next`; returns their ids and the time spent inside `intake`.
pub fn take_in(
    engine: &Engine,
    districts: &[UnitId],
    count: usize,
    batch: usize,
    next: &mut u64,
) -> (Vec<CaseId>, Duration) {
    let admin = engine.administrator();
    let mut ids = Vec::with_capacity(count);
    let mut spent = Duration::ZERO;
    while ids.len() < count {
        let cases: Vec<NewCase> = (0..(count - ids.len()).min(batch))
            .map(|i| {
                *next += 1;
                new_case(&districts[i % districts.len()], *next)
            })
            .collect();
        let start = Instant::now();
        let outcomes = engine.intake(&admin, cases).expect("intake");
        spent += start.elapsed();
        for outcome in outcomes {
            match outcome {
                IntakeOutcome::Created(id) => ids.push(id),
                IntakeOutcome::Duplicate(id) => panic!("unexpected duplicate {id}"),
            }
        }
    }
    (ids, spent)
}
