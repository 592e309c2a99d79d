//! The rules file (`fixtures/rules.toml`): time limits, light thresholds and the seven published
//! reasons for not accepting a case (不受理).

use serde::{Deserialize, Serialize};

use super::case::{Category, Kind};
use super::deadlines::{ClockRules, ProvinceRules};
use super::FixtureError;

/// Time limits in working days from acceptance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Livelihood consultation (咨询).
    pub livelihood_consultation: u32,
    /// Livelihood suggestion (建议).
    pub livelihood_suggestion: u32,
    /// Simple livelihood complaint (投诉).
    pub livelihood_complaint: u32,
    /// Complex livelihood complaint.
    pub livelihood_complaint_complex: u32,
    /// Development case.
    pub development: u32,
    /// Complex development case.
    pub development_complex: u32,
    /// Enforcement case.
    pub enforcement: u32,
    /// Complex enforcement case.
    pub enforcement_complex: u32,
    /// Most working days `joint --days` may set.
    pub max_joint_days: u32,
    /// Most working days one extension may add.
    pub max_extension_days: u32,
}

/// Light thresholds (红黄蓝灯).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LightRules {
    /// Yellow when at most this share of the allowed working time remains.
    pub yellow_remaining_fraction: f64,
}

/// Performance assessment (履职评估) rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentRules {
    /// Consecutive failures that make an accountability referral (问责移交).
    pub failures_for_referral: u32,
}

/// One of the published reasons a platform may not accept a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectReason {
    /// 1 to 7.
    pub code: u8,
    /// The reason in Chinese, as published.
    pub zh: String,
    /// The reason in English.
    pub en: String,
}

/// The whole rules file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    /// Time limits.
    pub limits: Limits,
    /// Light thresholds.
    pub lights: LightRules,
    /// Assessment rules.
    pub assessment: AssessmentRules,
    /// 不受理 reasons.
    pub reject_reason: Vec<RejectReason>,
    /// The limits of the stage clocks (triage, contact, review, callback).
    #[serde(default)]
    pub clocks: ClockRules,
    /// Qingdao's 2115 clocks for province enterprise cases.
    #[serde(default)]
    pub province_2115: ProvinceRules,
    /// Chasing late cases (催办 → 督办池).
    #[serde(default)]
    pub supervision: crate::domain::chasing::ChaseRules,
    /// Linking repeat complaints (重复投诉).
    #[serde(default)]
    pub repeat: crate::domain::repeat::RepeatRules,
    /// Look-back sampling (回头看).
    #[serde(default)]
    pub lookback: crate::domain::lookback::LookbackRules,
    /// Early warning thresholds (`[warning]`).
    #[serde(default)]
    pub warning: crate::domain::warning::WarningRules,
}

impl Rules {
    /// Parses and validates the rules file.
    pub fn from_toml(file: &str, text: &str) -> Result<Rules, FixtureError> {
        let rules: Rules = toml::from_str(text).map_err(|e| FixtureError::parse(file, e))?;
        let bad = |at: &str, reason: &str| FixtureError::Invalid {
            file: file.into(),
            at: at.into(),
            reason: reason.into(),
        };
        let f = rules.lights.yellow_remaining_fraction;
        if !(0.0..=1.0).contains(&f) {
            return Err(bad(
                "lights.yellow_remaining_fraction",
                "must be between 0 and 1",
            ));
        }
        let mut codes: Vec<u8> = rules.reject_reason.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        if codes != (1..=7).collect::<Vec<u8>>() {
            return Err(bad("reject_reason", "needs exactly the codes 1 to 7"));
        }
        if rules.assessment.failures_for_referral == 0 {
            return Err(bad(
                "assessment.failures_for_referral",
                "must be at least 1",
            ));
        }
        let c = &rules.clocks;
        let p = &rules.province_2115;
        for (at, v) in [
            ("clocks.triage_days", c.triage_days),
            ("clocks.contact_days", c.contact_days),
            ("clocks.review_days", c.review_days),
            ("clocks.callback_days", c.callback_days),
            ("province_2115.contact_hours", p.contact_hours),
            ("province_2115.feedback_days", p.feedback_days),
            ("province_2115.done_days", p.done_days),
        ] {
            if !(1..=365).contains(&v) {
                return Err(bad(at, "must be 1..=365"));
            }
        }
        if !(0.0..=1.0).contains(&rules.lookback.share) {
            return Err(bad("lookback.share", "must be between 0 and 1"));
        }
        if rules.repeat.notice_at < 2 {
            return Err(bad("repeat.notice_at", "must be at least 2"));
        }
        if !(1..=3650).contains(&rules.repeat.window_days) {
            return Err(bad("repeat.window_days", "must be 1..=3650"));
        }
        let w = &rules.warning;
        for (at, v) in [
            ("warning.surge_ratio", w.surge_ratio),
            ("warning.high_ratio", w.high_ratio),
        ] {
            if !(1.0..=100.0).contains(&v) {
                return Err(bad(at, "must be between 1 and 100"));
            }
        }
        for (at, v) in [
            ("warning.recent_weeks", w.recent_weeks),
            ("warning.high_weeks", w.high_weeks),
        ] {
            if !(1..=26).contains(&v) {
                return Err(bad(at, "must be 1..=26"));
            }
        }
        if w.min_cases == 0 {
            return Err(bad("warning.min_cases", "must be at least 1"));
        }
        Ok(rules)
    }

    /// The time limit for a case, in working days.
    pub fn limit_days(&self, category: Category, kind: Option<Kind>, complex: bool) -> u32 {
        let l = &self.limits;
        match (category, complex) {
            (Category::Livelihood, _) => match kind {
                Some(Kind::Consultation) => l.livelihood_consultation,
                Some(Kind::Suggestion) => l.livelihood_suggestion,
                Some(Kind::Complaint) | None if complex => l.livelihood_complaint_complex,
                Some(Kind::Complaint) | None => l.livelihood_complaint,
            },
            (Category::Development, false) => l.development,
            (Category::Development, true) => l.development_complex,
            (Category::Enforcement, false) => l.enforcement,
            (Category::Enforcement, true) => l.enforcement_complex,
        }
    }

    /// A reject reason by code.
    pub fn reject_reason(&self, code: u8) -> Option<&RejectReason> {
        self.reject_reason.iter().find(|r| r.code == code)
    }
}
