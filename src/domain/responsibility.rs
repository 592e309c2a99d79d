//! The responsibility list (责任清单): kinds of matter with Chinese keywords, each owned by a type
//! of department. Used to suggest where a case should go.

use serde::{Deserialize, Serialize};

use super::case::Category;
use super::org::{Level, Org, UnitId};
use super::FixtureError;

/// One kind of matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matter {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Chinese keywords that point to this matter.
    pub keywords: Vec<String>,
    /// The owning department type (`dept_type` in the organisation).
    pub owner: String,
    /// The usual category of such cases.
    pub category: Category,
}

#[derive(Deserialize)]
struct ResponsibilityFile {
    matter: Vec<Matter>,
}

/// A suggested owner for a case, with the keyword that matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The suggested unit.
    pub unit: UnitId,
    /// The matter that matched.
    pub matter: String,
    /// The keyword found in the case text.
    pub keyword: String,
}

/// The whole list.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ResponsibilityList {
    /// Matters in file order.
    pub matters: Vec<Matter>,
}

impl ResponsibilityList {
    /// Parses the list and checks each owner is a department type in the organisation.
    pub fn from_toml(file: &str, text: &str, org: &Org) -> Result<Self, FixtureError> {
        let parsed: ResponsibilityFile =
            toml::from_str(text).map_err(|e| FixtureError::parse(file, e))?;
        for (i, m) in parsed.matter.iter().enumerate() {
            let known = org
                .units()
                .iter()
                .any(|u| u.dept_type.as_deref() == Some(m.owner.as_str()));
            if !known {
                return Err(FixtureError::Invalid {
                    file: file.into(),
                    at: format!("matter[{i}] ({}).owner", m.id),
                    reason: format!("no department has type {}", m.owner),
                });
            }
        }
        Ok(ResponsibilityList {
            matters: parsed.matter,
        })
    }

    /// Up to `max` owning departments of `platform` (a district or the city) for a case text,
    /// best first: the matters whose keywords appear most often in the text.
    pub fn suggest(&self, org: &Org, platform: &UnitId, text: &str, max: usize) -> Vec<Suggestion> {
        let mut scored: Vec<(usize, usize, &Matter, &str)> = self
            .matters
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let hits: Vec<&String> = m
                    .keywords
                    .iter()
                    .filter(|k| text.contains(k.as_str()))
                    .collect();
                hits.first().map(|k| (hits.len(), i, m, k.as_str()))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut out: Vec<Suggestion> = Vec::new();
        for (_, _, m, keyword) in scored {
            let unit = org.children(platform).find(|u| {
                u.level == Level::Department && u.dept_type.as_deref() == Some(m.owner.as_str())
            });
            if let Some(u) = unit {
                if out.iter().all(|s| s.unit != u.id) {
                    out.push(Suggestion {
                        unit: u.id.clone(),
                        matter: m.id.clone(),
                        keyword: keyword.to_string(),
                    });
                }
            }
            if out.len() >= max {
                break;
            }
        }
        out
    }
}
