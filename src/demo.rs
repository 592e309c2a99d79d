//! The demo store: the bundled demo cases, moved in time so they are recent, and a realistic share
//! of them walked through the stages so every queue and light has something in it.

/// Placeholder until the walker lands.
pub fn seed(_engine: &crate::engine::Engine) -> anyhow::Result<String> {
    anyhow::bail!("demo seeding is not built yet")
}
