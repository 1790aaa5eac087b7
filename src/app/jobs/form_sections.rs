//! The customer and address parts of the job form: their signals, and
//! the fields with the server's errors under them.

use leptos::prelude::*;

use crate::app::widgets::forms::TextField;
use crate::error::AppError;
use crate::i18n::*;
use crate::model::job::{Address, Customer};

/// A form field's text for an optional value.
pub(super) fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// The customer's fields, as signals.
#[derive(Clone, Copy)]
pub struct CustomerFields {
    first_name: RwSignal<String>,
    last_name: RwSignal<String>,
    phone: RwSignal<String>,
    mobile: RwSignal<String>,
    email: RwSignal<String>,
}

impl CustomerFields {
    pub(super) fn new(c: &Customer) -> Self {
        CustomerFields {
            first_name: RwSignal::new(c.first_name.clone()),
            last_name: RwSignal::new(text(&c.last_name)),
            phone: RwSignal::new(c.phone.clone()),
            mobile: RwSignal::new(text(&c.mobile)),
            email: RwSignal::new(text(&c.email)),
        }
    }

    /// Blank optional fields go as they are; the server reads them as none.
    pub(super) fn value(&self) -> Customer {
        Customer {
            first_name: self.first_name.get_untracked(),
            last_name: Some(self.last_name.get_untracked()),
            phone: self.phone.get_untracked(),
            mobile: Some(self.mobile.get_untracked()),
            email: Some(self.email.get_untracked()),
        }
    }
}

/// The address fields, as signals; coordinates (API only) are kept as they
/// were.
#[derive(Clone, Copy)]
pub struct AddressFields {
    line1: RwSignal<String>,
    apartment: RwSignal<String>,
    city: RwSignal<String>,
    postal_code: RwSignal<String>,
    country: RwSignal<String>,
    lat: Option<f64>,
    lng: Option<f64>,
}

impl AddressFields {
    pub(super) fn new(a: &Address) -> Self {
        AddressFields {
            line1: RwSignal::new(a.line1.clone()),
            apartment: RwSignal::new(text(&a.apartment)),
            city: RwSignal::new(text(&a.city)),
            postal_code: RwSignal::new(text(&a.postal_code)),
            country: RwSignal::new(text(&a.country)),
            lat: a.lat,
            lng: a.lng,
        }
    }

    pub(super) fn value(&self) -> Address {
        Address {
            line1: self.line1.get_untracked(),
            apartment: Some(self.apartment.get_untracked()),
            city: Some(self.city.get_untracked()),
            postal_code: Some(self.postal_code.get_untracked()),
            country: Some(self.country.get_untracked()),
            lat: self.lat,
            lng: self.lng,
        }
    }
}

#[component]
pub(super) fn CustomerSection(f: CustomerFields, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2>{t!(i18n, jobs.section_customer)}</h2>
        <div class="form-row">
            <TextField
                id="customer.first_name"
                value=f.first_name
                error
                required=true
                maxlength=100
            >
                {t!(i18n, jobs.first_name)}
            </TextField>
            <TextField id="customer.last_name" value=f.last_name error maxlength=100>
                {t!(i18n, jobs.last_name)}
            </TextField>
        </div>
        <div class="form-row">
            <TextField
                id="customer.phone"
                value=f.phone
                error
                required=true
                kind="tel"
                maxlength=30
            >
                {t!(i18n, jobs.phone)}
            </TextField>
            <TextField id="customer.mobile" value=f.mobile error kind="tel" maxlength=30>
                {t!(i18n, jobs.mobile)}
            </TextField>
        </div>
        <TextField id="customer.email" value=f.email error kind="email" maxlength=254>
            {t!(i18n, jobs.email)}
        </TextField>
    }
    .into_any()
}

#[component]
pub(super) fn AddressSection(f: AddressFields, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2>{t!(i18n, jobs.section_address)}</h2>
        <TextField id="address.line1" value=f.line1 error required=true maxlength=200>
            {t!(i18n, jobs.line1)}
        </TextField>
        <div class="form-row">
            <TextField id="address.apartment" value=f.apartment error maxlength=50>
                {t!(i18n, jobs.apartment)}
            </TextField>
            <TextField id="address.city" value=f.city error maxlength=100>
                {t!(i18n, jobs.city)}
            </TextField>
        </div>
        <div class="form-row">
            <TextField id="address.postal_code" value=f.postal_code error maxlength=20>
                {t!(i18n, jobs.postal_code)}
            </TextField>
            <TextField
                id="address.country"
                value=f.country
                error
                maxlength=2
                hint=Signal::derive(move || t_string!(i18n, jobs.country_hint))
            >
                {t!(i18n, jobs.country)}
            </TextField>
        </div>
    }
    .into_any()
}
