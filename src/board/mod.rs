//! The live board (看板): a terminal dispatch board over the engine. Header, organisation tree,
//! queue and case detail; views, filter and search; live lights and countdowns; themes, keys and
//! two languages. It reads the platform's published changes into its own [`model::Model`] and acts
//! only through a [`crate::service::Service`], embedded or connected to `jiban serve`.

pub mod action;
pub mod app;
pub mod backend;
pub mod command;
mod complete;
pub mod config;
pub mod confirm;
pub mod drafts;
pub mod form;
pub mod i18n;
mod identity;
mod input;
pub mod keymap;
mod live;
pub mod model;
mod navigate;
mod panel;
pub mod reports;
pub mod row;
pub mod terminal;
pub mod theme;
pub mod tree;
pub mod ui;
pub mod workflow;

pub use app::App;
pub use config::{Options, Settings, TermEnv};
