//! jiban (即办): a terminal dispatch board for citizen-demand resolution platforms (接诉即办).
//!
//! - [`domain`]: every rule, pure.
//! - [`store`]: sled trees, keys and transactions.
//! - [`engine`]: the one door every interface goes through.
//! - [`reporting`]: a report as tables, shared by the CLI and the board.
//! - [`cli`]: the scriptable command line.
//! - [`board`]: the live terminal board.

pub mod board;
pub mod cli;
pub mod client;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod fixtures;
pub mod protocol;
pub mod reporting;
pub mod server;
pub mod service;
pub mod store;
pub mod text;
pub mod vocabulary;
