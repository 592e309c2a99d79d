//! How values are written: MessagePack with fields by position (a case's state is about a third
//! of its JSON), and the citizen's words apart from the state that changes.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use super::{Result, StoreError};
use crate::domain::case::{Case, Requester};

/// Encodes a value compactly.
pub fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    rmp_serde::to_vec(v).expect("domain values always serialise")
}

/// Decodes a value written by [`encode`], naming the tree when it does not decode.
pub fn decode<T: DeserializeOwned>(tree: &'static str, bytes: &[u8]) -> Result<T> {
    rmp_serde::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        tree,
        reason: e.to_string(),
    })
}

/// The citizen's words (诉求内容): written once at intake, never rewritten by a command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseText {
    /// Short title.
    pub title: String,
    /// Full text.
    pub description: String,
    /// Who raised it.
    pub requester: Requester,
    /// Address.
    pub address: Option<String>,
}

impl CaseText {
    /// The text of a case.
    pub fn of(case: &Case) -> CaseText {
        CaseText {
            title: case.title.clone(),
            description: case.description.clone(),
            requester: case.requester.clone(),
            address: case.address.clone(),
        }
    }

    /// True when the case carries this text.
    pub fn same_as(&self, case: &Case) -> bool {
        self.title == case.title
            && self.description == case.description
            && self.requester == case.requester
            && self.address == case.address
    }
}

/// The state of a case without its text: what each command rewrites.
pub fn encode_state(case: &Case) -> Vec<u8> {
    let mut state = case.clone();
    state.title = String::new();
    state.description = String::new();
    state.requester = Requester {
        name: String::new(),
        phone: String::new(),
    };
    state.address = None;
    encode(&state)
}

/// A whole case from its state and text.
pub fn join(mut state: Case, text: CaseText) -> Case {
    state.title = text.title;
    state.description = text.description;
    state.requester = text.requester;
    state.address = text.address;
    state
}
