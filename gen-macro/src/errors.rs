//! Errors collected across the stages and reported together, each at the user's own span.

/// Every error found so far; reported as one `compile_error!` per error.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub fn extend(&mut self, other: Errors) {
        if let Some(error) = other.0 {
            self.push(error);
        }
    }

    pub fn into_error(self) -> Option<syn::Error> {
        self.0
    }
}
