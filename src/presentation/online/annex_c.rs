//! ISO/IEC 18013-7 Annex C over the W3C Digital Credentials API (`org-iso-mdoc`).
