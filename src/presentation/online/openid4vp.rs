//! OpenID for Verifiable Presentations 1.0 with the `mso_mdoc` credential format.
