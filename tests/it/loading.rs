//! Loading the corpus's formats, and PDFs in the sandbox.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use kefu::indexer::sandbox::{self, Limits};
use kefu_ingest::{Format, SourceFile, discover, load};

use crate::common::corpus;

#[test]
fn every_corpus_file_loads_cleanly_with_the_locale_of_its_folder() {
    let (files, skipped) = discover(&[corpus()]).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    assert!(files.len() >= 44, "{} documents", files.len());
    for format in [
        Format::Markdown,
        Format::Html,
        Format::Pdf,
        Format::Text,
        Format::FaqCsv,
        Format::FaqJson,
        Format::FaqJsonl,
    ] {
        assert!(files.iter().any(|f| f.format == format), "no {format:?} in the corpus");
    }
    for file in &files {
        let loaded =
            load(&file.doc_id, &file.path, file.format, &std::fs::read(&file.path).unwrap()).unwrap();
        assert!(loaded.warnings.is_empty(), "{}: {:?}", file.doc_id, loaded.warnings);
        let doc = loaded.document;
        let folder = file.doc_id.split('/').next().unwrap();
        assert_eq!(doc.meta.locale, folder, "{}", file.doc_id);
        assert!(!doc.meta.title.is_empty() && !doc.sections.is_empty(), "{}", file.doc_id);
        if file.format == Format::Html {
            for chrome in ["cookie", "Cookie", "<script", "function("] {
                assert!(!doc.text.contains(chrome), "{}: page chrome {chrome:?} kept", file.doc_id);
            }
        }
    }
}

fn loader_exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_kefu"))
}

fn source(path: &Path) -> SourceFile {
    SourceFile { path: path.to_path_buf(), doc_id: "test.pdf".into(), format: Format::Pdf }
}

const LIMITS: Limits = Limits { memory_mib: 1024, timeout: Duration::from_secs(60) };

#[test]
fn the_sandbox_loads_pdfs_like_the_library_does() {
    let path = corpus().join("zh/legal/sanbao-warranty.pdf");
    let sandboxed = sandbox::load(loader_exe(), &source(&path), LIMITS).unwrap();
    let direct = load("test.pdf", &path, Format::Pdf, &std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(sandboxed.document, direct.document);
    assert!(sandboxed.document.text.contains("三包"));
}

#[test]
fn the_sandbox_enforces_its_time_limit() {
    let path = corpus().join("en/legal/warranty-terms.pdf");
    let limits = Limits { timeout: Duration::ZERO, ..LIMITS };
    let err = sandbox::load(loader_exe(), &source(&path), limits).unwrap_err();
    assert!(err.contains("took longer than"), "{err}");
}

/// A PDF whose one content stream inflates to `inflated` bytes: the shape of the malformed
/// files that made pdf-extract allocate tens of gigabytes.
fn decompression_bomb(inflated: usize) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let block = vec![b' '; 1 << 20];
    for _ in 0..inflated / block.len() {
        encoder.write_all(&block).unwrap();
    }
    let stream = encoder.finish().unwrap();
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    let objects: [Vec<u8>; 4] = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
        [
            format!("<< /Length {} /Filter /FlateDecode >>\nstream\n", stream.len()).into_bytes(),
            stream,
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n", i + 1).bytes());
        pdf.extend(body);
        pdf.extend(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    pdf.extend(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).bytes(),
    );
    pdf
}

#[test]
fn the_sandbox_contains_a_pdf_memory_bomb() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.pdf");
    std::fs::write(&path, decompression_bomb(1536 << 20)).unwrap();
    let err = sandbox::load(loader_exe(), &source(&path), LIMITS).unwrap_err();
    assert!(err.contains("memory limit") || err.contains("crashed"), "{err}");
}
