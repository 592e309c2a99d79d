//! What the engine benches share: a fresh store and a plausible case.

use std::sync::Arc;

use jiban::domain::case::{Channel, Requester};
use jiban::domain::clock::SystemClock;
use jiban::domain::intake::NewCase;
use jiban::domain::org::UnitId;
use jiban::engine::Engine;
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
