//! Organization > Settings, Locations and Merchants (administrators only):
//! the organization's settings, the lists, a merchant's page, and the forms
//! of locations, merchants and merchant users (with the API access switch).

pub mod locations;
pub mod merchant;
pub mod merchant_form;
pub mod merchant_user;
mod merchant_user_panels;
pub mod merchants;
pub mod settings;
