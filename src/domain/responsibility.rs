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

/// Why a unit is suggested as a route for a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Because {
    /// A keyword of a matter in the responsibility list is in the case text.
    Keyword {
        /// The matter's Chinese name.
        matter: String,
        /// The matter's English name.
        matter_en: String,
        /// The keyword found.
        keyword: String,
    },
    /// The requester's community (livelihood cases go there first).
    Community,
    /// The street of the requester's community (the locality, 属地).
    Locality,
    /// The unit's name is in the case's address or text.
    Named,
}

/// A suggested route for a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteSuggestion {
    /// The unit.
    pub unit: UnitId,
    /// The keyword or rule that suggested it.
    pub because: Because,
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

    /// Where `platform` might route `case`, best first: departments whose matters' keywords are
    /// in the case text, then the requester's community and its street, then streets and
    /// communities of the platform named in the address or text. The caller keeps the ones the
    /// routing rules allow now.
    pub fn route_suggestions(
        &self,
        org: &Org,
        platform: &UnitId,
        case: &super::case::Case,
    ) -> Vec<RouteSuggestion> {
        let text = format!("{} {}", case.title, case.description);
        let mut out: Vec<RouteSuggestion> = self
            .suggest(org, platform, &text, usize::MAX)
            .into_iter()
            .map(|s| {
                let m = self.matters.iter().find(|m| m.id == s.matter);
                RouteSuggestion {
                    unit: s.unit,
                    because: Because::Keyword {
                        matter: m.map(|m| m.name.clone()).unwrap_or_default(),
                        matter_en: m.map(|m| m.name_en.clone()).unwrap_or_default(),
                        keyword: s.keyword,
                    },
                }
            })
            .collect();
        if let Some(community) = case.community.as_ref().and_then(|c| org.get(c)) {
            out.push(RouteSuggestion {
                unit: community.id.clone(),
                because: Because::Community,
            });
            if let Some(street) = org.parent(&community.id) {
                out.push(RouteSuggestion {
                    unit: street.id.clone(),
                    because: Because::Locality,
                });
            }
        }
        let place = format!("{} {text}", case.address.as_deref().unwrap_or(""));
        for u in org.units() {
            let local = matches!(u.level, Level::Street | Level::Community)
                && org.is_within(&u.id, platform);
            if local && place.contains(u.name.as_str()) && out.iter().all(|s| s.unit != u.id) {
                out.push(RouteSuggestion {
                    unit: u.id.clone(),
                    because: Because::Named,
                });
            }
        }
        out
    }

    /// The kind of matter (事项分类) of a case text: the matter whose keywords appear most often in
    /// it (the first in file order on a tie), or none when no keyword does.
    pub fn matter_of(&self, text: &str) -> Option<&Matter> {
        let hits = |m: &Matter| {
            m.keywords
                .iter()
                .filter(|k| text.contains(k.as_str()))
                .count()
        };
        let mut best: Option<(usize, &Matter)> = None;
        for m in &self.matters {
            let n = hits(m);
            if n > 0 && best.is_none_or(|(b, _)| n > b) {
                best = Some((n, m));
            }
        }
        best.map(|(_, m)| m)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testkit::{config, new_case};

    #[test]
    fn the_kind_of_matter_is_the_one_with_the_most_keywords_in_the_text() {
        let cfg = config();
        let list = &cfg.responsibility;
        let id = |t: &str| list.matter_of(t).map(|m| m.id.as_str());
        // 噪音 and 音响 (noise) twice against 社保 (talent) once.
        assert_eq!(id("社保窗口旁酒吧音响噪音扰民"), Some("noise"));
        assert_eq!(id("人才公寓申请"), Some("talent"));
        assert_eq!(id("孩子明年满三周岁"), None);
    }

    #[test]
    fn route_suggestions_name_the_keyword_then_the_community_and_its_street() {
        let cfg = config();
        let mut case = new_case();
        case.title = "小区音响噪音扰民，社保卡也办不下来".into();
        case.address = Some("金家岭街道海大麦岛社区".into());
        let got = cfg
            .responsibility
            .route_suggestions(&cfg.org, &UnitId::new("laoshan"), &case);
        let units: Vec<&str> = got.iter().map(|s| s.unit.as_str()).collect();
        assert_eq!(
            units,
            [
                "laoshan.enforcement",
                "laoshan.hrss",
                "laoshan.jinjialing.haidamaidao",
                "laoshan.jinjialing"
            ]
        );
        assert!(matches!(
            &got[0].because,
            Because::Keyword { keyword, matter, .. } if keyword == "噪音" && matter == "噪音扰民"
        ));
        assert_eq!(got[2].because, Because::Community);
        assert_eq!(got[3].because, Because::Locality);
        // Without a known community, one named in the address is suggested for that reason.
        case.community = None;
        case.title = "台阶破损".into();
        case.address = Some("崂山区海大麦岛社区 9 号楼".into());
        let got = cfg
            .responsibility
            .route_suggestions(&cfg.org, &UnitId::new("laoshan"), &case);
        assert_eq!(
            got,
            [RouteSuggestion {
                unit: UnitId::new("laoshan.jinjialing.haidamaidao"),
                because: Because::Named
            }]
        );
    }
}
