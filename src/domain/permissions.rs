//! Roles and units: who may issue which command on which case.

use super::case::{Case, PendingRequest};
use super::org::{Org, UnitId};
use super::users::{Role, User};

/// The roles that may issue a command word at all (the trainer may do everything).
pub fn roles_for(command: &str) -> &'static [Role] {
    use Role::*;
    match command {
        "accept" | "reject" | "dispatch" | "joint" | "approve-return" | "deny-return"
        | "approve-extension" | "deny-extension" | "approve-reply" | "send-back" => {
            &[CityDispatcher, DistrictDispatcher, Trainer]
        }
        "escalate" => &[CityDispatcher, DistrictDispatcher, UnitHandler, Trainer],
        "sign" | "return" | "extend" | "report" | "reply" => &[UnitHandler, Trainer],
        "evaluate" => &[DistrictDispatcher, Trainer],
        "assess" => &[Supervisor, Trainer],
        _ => &[Trainer],
    }
}

/// True when `role` may issue `command` somewhere.
pub fn role_may(role: Role, command: &str) -> bool {
    roles_for(command).contains(&role)
}

/// True when the operator acts for `unit` (the trainer acts for every unit).
pub fn acts_for(user: &User, unit: &UnitId) -> bool {
    user.role == Role::Trainer || &user.unit == unit
}

/// The unit whose staff must issue `command` on `case` as it stands, if the case names one.
pub fn responsible_unit(case: &Case, command: &str, org: &Org) -> Option<UnitId> {
    match command {
        "approve-return" | "deny-return" | "approve-extension" | "deny-extension" => {
            let unit = match case.pending.as_ref()? {
                PendingRequest::Return { unit, .. } | PendingRequest::Extension { unit, .. } => {
                    unit
                }
            };
            org.platform_of(unit).map(|u| u.id.clone())
        }
        "evaluate" => Some(case.district.clone()),
        "report" => None,
        _ => Some(case.holder.clone()),
    }
}

/// True when a supervisor of `user.unit` may assess cases of `district` (the city's may assess all).
pub fn supervises(user: &User, district: &UnitId, org: &Org) -> bool {
    user.role == Role::Trainer
        || &user.unit == district
        || org
            .get(&user.unit)
            .is_some_and(|u| u.level == super::org::Level::City)
}

/// True when the operator may take in cases for a district platform (its dispatcher, or the
/// trainer).
pub fn may_intake(user: &User, district: &UnitId) -> bool {
    match user.role {
        Role::Trainer => true,
        Role::DistrictDispatcher => &user.unit == district,
        _ => false,
    }
}

/// True when the operator may see the requester's full phone number: platform staff, the trainer,
/// and the handlers of the unit holding or supporting the case. Everyone else sees it masked.
pub fn may_see_phone(user: &User, case: &Case) -> bool {
    match user.role {
        Role::Trainer | Role::CityDispatcher => true,
        Role::DistrictDispatcher => user.unit == case.district,
        Role::UnitHandler => user.unit == case.holder || case.supporting.contains(&user.unit),
        Role::Supervisor => false,
    }
}
