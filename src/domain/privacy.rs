//! Who may see a citizen's personal data, and how it is masked for everyone else. Every door
//! applies these rules before a case leaves the engine — the embedded service, each server reply
//! and every pushed event — so a client never receives what its login may not see, whatever it
//! displays. Logs never hold a phone at all ([`for_log`]).

use super::case::Case;
use super::event::{Event, HistoryEntry};
use super::users::{Role, User};

/// True when `user` may see the requester's name and phone in full: the trainer and the city
/// platform, the district platform of the case's district, and the handlers of the unit holding
/// or supporting it. Supervisors and unrelated units see them masked: they judge the handling,
/// they do not call the citizen.
pub fn may_see_requester(user: &User, case: &Case) -> bool {
    match user.role {
        Role::Trainer | Role::CityDispatcher => true,
        Role::DistrictDispatcher => user.unit == case.district,
        Role::UnitHandler => user.unit == case.holder || case.supporting.contains(&user.unit),
        Role::Supervisor => false,
    }
}

/// A phone masked in the middle: `138****5678`; short numbers are all stars.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// A name masked after its first character: `李*`, `欧阳**`.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// True when a phone or name in this case is already masked (nothing more to hide).
fn is_masked(phone: &str) -> bool {
    phone.contains('*')
}

/// Masks what `user` may not see in a case: the requester's name and phone, and the contact
/// phone of the reply. Returns whether anything was masked.
pub fn redact_case(user: &User, case: &mut Case) -> bool {
    if may_see_requester(user, case) {
        return false;
    }
    mask_case(case);
    true
}

/// Masks a case's personal data whoever asks (the form sent to those who may not see it).
pub fn mask_case(case: &mut Case) {
    if !is_masked(&case.requester.phone) {
        case.requester.phone = mask_phone(&case.requester.phone);
        case.requester.name = mask_name(&case.requester.name);
    }
    if let Some(r) = &mut case.reply {
        r.phone = mask_phone(&r.phone);
    }
    for m in &mut case.merged {
        if !is_masked(&m.requester.phone) {
            m.requester.phone = mask_phone(&m.requester.phone);
            m.requester.name = mask_name(&m.requester.name);
        }
    }
    for r in &mut case.previous_rounds {
        if let Some(reply) = &mut r.reply {
            reply.phone = mask_phone(&reply.phone);
        }
    }
}

/// Masks the personal data of one history entry of `case` for `user`.
pub fn redact_entry(user: &User, case: &Case, entry: &mut HistoryEntry) {
    if !may_see_requester(user, case) {
        mask_entry(entry);
    }
}

/// Masks a history entry's personal data whoever asks.
pub fn mask_entry(entry: &mut HistoryEntry) {
    if let Event::Reply { reply, .. } = &mut entry.event {
        reply.phone = mask_phone(&reply.phone);
    }
}

/// Client-sent text as it may appear in a log: at most 120 characters, control characters
/// escaped, and every run of seven or more digits (a phone, an id card) masked.
pub fn for_log(text: &str) -> String {
    const MAX: usize = 120;
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.chars().count() >= 7 {
            out.push_str(&mask_phone(digits));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for (count, c) in text.chars().enumerate() {
        if count >= MAX {
            flush(&mut digits, &mut out);
            out.push_str(&format!("… ({} bytes)", text.len()));
            return out;
        }
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        flush(&mut digits, &mut out);
        if c.is_control() || crate::text::is_unsafe(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_shape_and_hide_the_rest() {
        assert_eq!(mask_phone("13853215678"), "138****5678");
        assert_eq!(mask_phone("12345"), "*****");
        assert_eq!(mask_name("李娜"), "李*");
        assert_eq!(mask_name("欧阳修文"), "欧***");
    }

    #[test]
    fn logs_get_a_short_escaped_prefix_without_phones() {
        let line = format!(
            "bad hello: {{\"phone\":\"13853215678\"}}\u{1b}[2J{}",
            "x".repeat(5000)
        );
        let logged = for_log(&line);
        assert!(!logged.contains("13853215678"), "{logged}");
        assert!(logged.contains("138****5678"), "{logged}");
        assert!(!logged.contains('\u{1b}'), "{logged}");
        assert!(logged.chars().count() < 200, "{logged}");
        assert!(logged.ends_with("bytes)"), "{logged}");
    }
}
