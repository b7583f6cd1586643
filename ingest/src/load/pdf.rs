//! PDF text extraction with `pdf-extract`.
//!
//! `pdf-extract` panics on some encodings and can allocate without bound on malformed files.
//! Panics are turned into errors here; memory and time limits need a separate process, which
//! `kefu` provides (it runs [`super::load`] for PDFs in a sandboxed child).

pub(super) fn extract_text(bytes: &[u8]) -> Result<String, String> {
    match std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes)) {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(e)) => Err(format!("unreadable PDF: {e}")),
        Err(_) => Err("unreadable PDF: the PDF parser panicked".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(extract_text(b"%PDF-1.4\n garbage").unwrap_err().starts_with("unreadable PDF"));
        assert!(extract_text(b"not a pdf").is_err());
    }
}
