//! Intake (受理前登记): one JSON object per line becomes a new case in triage at its district
//! platform. Bad lines are reported as `line N: field: reason`.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::case::{Arrival, Case, CaseId, Category, Channel, Requester, Stage};
use super::org::{Level, Org, UnitId};

/// A case as it arrives, validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NewCase {
    /// District platform id.
    pub district: UnitId,
    /// Channel.
    pub channel: Channel,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Requester.
    pub requester: Requester,
    /// Address.
    pub address: Option<String>,
    /// Community id.
    pub community: Option<UnitId>,
    /// Category hint.
    pub category: Option<Category>,
    /// When it was received (defaults to intake time).
    pub received_at: Option<DateTime<Utc>>,
    /// 12345 work-order number.
    pub external_id: Option<String>,
    /// Who handed the case down: `province` for a 2115 enterprise case (省交办企业诉求).
    #[serde(default)]
    pub source: Option<Source>,
}

/// Who handed a case down to the city.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The province (省交办): the case gets Qingdao's 2115 clocks.
    Province,
}

/// The most characters of a title.
pub const MAX_TITLE: usize = 200;
/// The most characters of a description.
pub const MAX_DESCRIPTION: usize = 10_000;
/// The most characters of a requester's name.
pub const MAX_NAME: usize = 50;
/// The most characters of an address.
pub const MAX_ADDRESS: usize = 300;
/// The most characters of a 12345 work-order number.
pub const MAX_EXTERNAL_ID: usize = 64;

/// The earliest `received_at` taken: no hotline case is older (a time outside 2000–2099 is a typo
/// or an attack, and a year past 9999 would not even make an id).
pub fn earliest_receipt() -> DateTime<Utc> {
    DateTime::from_timestamp(946_684_800, 0).unwrap_or_default() // 2000-01-01T00:00:00Z
}

/// The latest `received_at` taken.
pub fn latest_receipt() -> DateTime<Utc> {
    DateTime::from_timestamp(4_102_444_800, 0).unwrap_or_default() // 2100-01-01T00:00:00Z
}

/// One bad intake line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {field}: {reason}")]
pub struct IntakeError {
    /// 1-based line number.
    pub line: usize,
    /// The field at fault (`json` when the line is not an object).
    pub field: String,
    /// Why.
    pub reason: String,
}

const FIELDS: &[&str] = &[
    "district",
    "channel",
    "title",
    "description",
    "requester",
    "address",
    "community",
    "category",
    "received_at",
    "external_id",
    "source",
];

struct Line<'a> {
    no: usize,
    obj: &'a Map<String, Value>,
}

impl Line<'_> {
    fn err(&self, field: &str, reason: impl Into<String>) -> IntakeError {
        IntakeError {
            line: self.no,
            field: field.into(),
            reason: reason.into(),
        }
    }
    fn opt_str(&self, field: &str) -> Result<Option<String>, IntakeError> {
        match self.obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(_) => Err(self.err(field, "must be a string")),
        }
    }
    fn req_str(&self, field: &str) -> Result<String, IntakeError> {
        self.opt_str(field)?
            .ok_or_else(|| self.err(field, "missing"))
    }
}

/// Parses one intake line (1-based `line_no`) against the organisation.
pub fn parse_line(line_no: usize, text: &str, org: &Org) -> Result<NewCase, IntakeError> {
    let value: Value = super::json::parse_strict(text).map_err(|e| IntakeError {
        line: line_no,
        field: "json".into(),
        reason: format!("not valid JSON ({e})"),
    })?;
    let Value::Object(obj) = &value else {
        return Err(IntakeError {
            line: line_no,
            field: "json".into(),
            reason: "expected an object".into(),
        });
    };
    let l = Line { no: line_no, obj };
    if let Some(k) = obj.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(l.err(k, "unknown field"));
    }
    let district = l.req_str("district")?;
    let district = match org.get_str(&district) {
        Some(u) if u.level == Level::District => u.id.clone(),
        _ => return Err(l.err("district", format!("unknown district {district:?}"))),
    };
    let channel = l
        .req_str("channel")?
        .parse::<Channel>()
        .map_err(|e| l.err("channel", e))?;
    let title = l.req_str("title")?;
    let description = l.opt_str("description")?.unwrap_or_default();
    let requester = match obj.get("requester") {
        Some(Value::Object(r)) => {
            let rl = Line {
                no: line_no,
                obj: r,
            };
            let name = rl
                .req_str("name")
                .map_err(|e| l.err("requester.name", e.reason))?;
            let phone = rl
                .req_str("phone")
                .map_err(|e| l.err("requester.phone", e.reason))?;
            if let Some(k) = r.keys().find(|k| !matches!(k.as_str(), "name" | "phone")) {
                return Err(l.err(&format!("requester.{k}"), "unknown field"));
            }
            Requester { name, phone }
        }
        None | Some(Value::Null) => return Err(l.err("requester", "missing")),
        Some(_) => return Err(l.err("requester", "must be an object with name and phone")),
    };
    let community = match l.opt_str("community")? {
        None => None,
        Some(c) => match org.get_str(&c) {
            Some(u) => Some(u.id.clone()),
            None => return Err(l.err("community", format!("unknown community {c:?}"))),
        },
    };
    let category = l
        .opt_str("category")?
        .map(|c| c.parse::<Category>())
        .transpose()
        .map_err(|e| l.err("category", e))?;
    let received_at = l
        .opt_str("received_at")?
        .map(|t| DateTime::parse_from_rfc3339(&t).map(|d| d.with_timezone(&Utc)))
        .transpose()
        .map_err(|e| l.err("received_at", format!("not an RFC 3339 time ({e})")))?;
    let source = match l.opt_str("source")?.as_deref() {
        None => None,
        Some("province") => Some(Source::Province),
        Some(other) => {
            return Err(l.err(
                "source",
                format!(
                    "unknown source {other:?} (expected \"province\" for a 2115 enterprise case)"
                ),
            ))
        }
    };
    let case = NewCase {
        district,
        channel,
        title,
        description,
        requester,
        address: l.opt_str("address")?,
        community,
        category,
        received_at,
        external_id: l.opt_str("external_id")?,
        source,
    };
    case.check(org)
        .map_err(|(field, reason)| l.err(field, reason))?;
    Ok(case)
}

fn too_long(text: &str, max: usize) -> Option<String> {
    (text.chars().count() > max).then(|| format!("longer than {max} characters"))
}

impl NewCase {
    /// Every check of a new case, whichever door it came through (an intake line, a raw frame
    /// on the socket, the board): the district is a district platform, the community lies in
    /// it, texts are present and within their limits, the phone is plausible, the time is in a
    /// sane range. The error names the field and the reason.
    pub fn check(&self, org: &Org) -> Result<(), (&'static str, String)> {
        match org.get(&self.district) {
            Some(u) if u.level == Level::District => {}
            _ => {
                return Err((
                    "district",
                    format!("unknown district {:?}", self.district.as_str()),
                ))
            }
        }
        let texts: [(&'static str, &str, usize, bool); 4] = [
            ("title", &self.title, MAX_TITLE, true),
            ("description", &self.description, MAX_DESCRIPTION, false),
            ("requester.name", &self.requester.name, MAX_NAME, true),
            (
                "address",
                self.address.as_deref().unwrap_or(""),
                MAX_ADDRESS,
                false,
            ),
        ];
        for (field, text, max, required) in texts {
            if required && text.trim().is_empty() {
                return Err((field, "missing".into()));
            }
            if let Some(why) = too_long(text, max) {
                return Err((field, why));
            }
        }
        if !super::lifecycle::is_plausible_phone(&self.requester.phone) {
            let shown: String = self.requester.phone.chars().take(40).collect();
            return Err((
                "requester.phone",
                format!("{shown:?} is not a phone number"),
            ));
        }
        if let Some(c) = &self.community {
            match org.get(c) {
                Some(u) if u.level == Level::Community && org.is_within(&u.id, &self.district) => {}
                _ => {
                    return Err((
                        "community",
                        format!("{c} is not a community of {}", self.district),
                    ))
                }
            }
        }
        if let Some(e) = &self.external_id {
            if e.trim().is_empty() {
                return Err(("external_id", "empty".into()));
            }
            if let Some(why) = too_long(e, MAX_EXTERNAL_ID) {
                return Err(("external_id", why));
            }
        }
        if let Some(t) = self.received_at {
            if t < earliest_receipt() || t >= latest_receipt() {
                return Err(("received_at", format!("{t} is outside 2000–2099")));
            }
        }
        Ok(())
    }
}

impl NewCase {
    /// The case this becomes, in triage at its district platform, its clocks started
    /// ([`super::deadlines::refresh`]).
    pub fn into_case(
        self,
        id: CaseId,
        now: DateTime<Utc>,
        rules: &super::rules::Rules,
        calendar: &super::calendar::WorkCalendar,
    ) -> Case {
        let mut case = Case {
            supervision: None,
            chase: Default::default(),
            grab: None,
            links: Vec::new(),
            repeat_noticed_at: None,
            merged_into: None,
            merged: Vec::new(),
            lookback: None,
            matter: None,
            facts: Default::default(),
            id,
            version: 1,
            external_id: self.external_id,
            holder: self.district.clone(),
            district: self.district,
            channel: self.channel,
            title: self.title,
            description: self.description,
            requester: self.requester,
            address: self.address,
            community: self.community,
            category: self.category,
            kind: None,
            complex: false,
            stage: Stage::Triage,
            round: 1,
            arrived_by: Some(Arrival::Intake),
            lead: None,
            supporting: Vec::new(),
            parts: Vec::new(),
            received_at: self.received_at.unwrap_or(now),
            accepted_at: None,
            clock_start: None,
            limit_days: None,
            due_at: None,
            due_provisional: false,
            pending: None,
            reply: None,
            handled_by: None,
            previous_rounds: Vec::new(),
            evaluation: None,
            assessed_unit: None,
            assessment: None,
            referral: None,
            reject_reason: None,
            closed_at: None,
            province: self.source == Some(Source::Province),
            contacts: Vec::new(),
            feedback_at: None,
            part_days: None,
            stage_clocks: Vec::new(),
        };
        super::deadlines::refresh(&mut case, now, rules, calendar);
        case
    }
}
