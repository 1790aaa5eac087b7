//! The words for codes: a field error's code, an error that belongs to no
//! field, a role; in the user's language.

use leptos_i18n::I18nContext;

use crate::error::AppError;
use crate::i18n::*;
use crate::model::Role;

/// The message for a field error code.
pub fn field_message(i18n: I18nContext<Locale>, code: &str) -> &'static str {
    match code {
        "required" => t_string!(i18n, field.required),
        "too_long" => t_string!(i18n, field.too_long),
        "invalid_email" => t_string!(i18n, field.invalid_email),
        "taken" => t_string!(i18n, field.taken),
        "invalid_choice" => t_string!(i18n, field.invalid_choice),
        "invalid_reference" => t_string!(i18n, field.invalid_reference),
        "invalid_timezone" => t_string!(i18n, field.invalid_timezone),
        "unknown_location" => t_string!(i18n, field.unknown_location),
        "not_assigned" => t_string!(i18n, field.not_assigned),
        "password_too_short" => t_string!(i18n, field.password_too_short),
        "too_many" => t_string!(i18n, field.too_many),
        "out_of_range" => t_string!(i18n, field.out_of_range),
        "invalid_date" => t_string!(i18n, field.invalid_date),
        "invalid_time" => t_string!(i18n, field.invalid_time),
        "window_order" => t_string!(i18n, field.window_order),
        "invalid_phone" => t_string!(i18n, field.invalid_phone),
        "invalid_country" => t_string!(i18n, field.invalid_country),
        "coordinates_pair" => t_string!(i18n, field.coordinates_pair),
        "location_not_allowed" => t_string!(i18n, field.location_not_allowed),
        "read_only" => t_string!(i18n, field.read_only),
        "invalid_url" => t_string!(i18n, field.invalid_url),
        "https_required" => t_string!(i18n, field.https_required),
        "private_address" => t_string!(i18n, field.private_address),
        "unresolvable_host" => t_string!(i18n, field.unresolvable_host),
        "unknown_event" => t_string!(i18n, field.unknown_event),
        "invalid_network" => t_string!(i18n, field.invalid_network),
        "too_many_networks" => t_string!(i18n, field.too_many_networks),
        "longer_than_allowed" => t_string!(i18n, field.longer_than_allowed),
        "passwords_differ" => t_string!(i18n, field.passwords_differ),
        "invalid_datetime" => t_string!(i18n, field.invalid_datetime),
        "in_future" => t_string!(i18n, field.in_future),
        "too_old" => t_string!(i18n, field.too_old),
        "before_since" => t_string!(i18n, field.before_since),
        "invalid_code" => t_string!(i18n, field.invalid_code),
        _ => t_string!(i18n, field.invalid),
    }
}

/// The message for an error that is not about one field.
pub fn error_message(i18n: I18nContext<Locale>, err: &AppError) -> &'static str {
    match err {
        AppError::Validation { .. } => t_string!(i18n, field.form_invalid),
        AppError::Conflict { code } => match code.as_str() {
            "api_access_requires_level_2" => t_string!(i18n, conflict.api_access_requires_level_2),
            "user_inactive" => t_string!(i18n, conflict.user_inactive),
            "merchant_inactive" => t_string!(i18n, conflict.merchant_inactive),
            "api_access_off" => t_string!(i18n, conflict.api_access_off),
            "too_many_keys" => t_string!(i18n, conflict.too_many_keys),
            "job_finished" => t_string!(i18n, conflict.job_finished),
            "job_not_new" => t_string!(i18n, conflict.job_not_new),
            "transition_not_allowed" => t_string!(i18n, conflict.transition_not_allowed),
            "webhook_disabled" => t_string!(i18n, conflict.webhook_disabled),
            "not_invited" => t_string!(i18n, conflict.not_invited),
            "two_factor_required" => t_string!(i18n, conflict.two_factor_required),
            "reauth_required" => t_string!(i18n, conflict.reauth_required),
            "no_setup" => t_string!(i18n, conflict.no_setup),
            _ => t_string!(i18n, conflict.generic),
        },
        AppError::Forbidden => t_string!(i18n, errors.forbidden_body),
        AppError::NotFound => t_string!(i18n, errors.not_found_body),
        AppError::Stale => t_string!(i18n, errors.stale),
        _ => t_string!(i18n, errors.generic),
    }
}

pub fn role_name(i18n: I18nContext<Locale>, role: Role) -> &'static str {
    match role {
        Role::Admin => t_string!(i18n, roles.admin),
        Role::MerchantL1 => t_string!(i18n, roles.merchant_l1),
        Role::MerchantL2 => t_string!(i18n, roles.merchant_l2),
    }
}
