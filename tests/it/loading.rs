//! Loading the corpus's formats, and PDFs in the sandbox.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use kefu::indexer::sandbox::{Limits, Sandbox};
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

const LIMITS: Limits =
    Limits { memory_mib: 1024, timeout: Duration::from_secs(60), max_document_chars: 2_000_000 };

fn sandboxed(path: &Path, limits: Limits) -> Result<kefu_ingest::Loaded, String> {
    Sandbox::new(loader_exe(), limits).load(&source(path), &std::fs::read(path).unwrap())
}

#[test]
fn the_sandbox_loads_files_like_the_library_does() {
    let mut sandbox = Sandbox::new(loader_exe(), LIMITS);
    for (file, format) in [("zh/legal/sanbao-warranty.pdf", Format::Pdf), ("en/faq.csv", Format::FaqCsv)] {
        let path = corpus().join(file);
        let bytes = std::fs::read(&path).unwrap();
        let file = SourceFile { path: path.clone(), doc_id: file.into(), format };
        // One worker loads file after file.
        let loaded = sandbox.load(&file, &bytes).unwrap();
        let direct = load(&file.doc_id, &path, format, &bytes).unwrap();
        assert_eq!(loaded.document, direct.document);
    }
}

#[test]
fn the_sandbox_enforces_its_time_limit_and_recovers() {
    let path = corpus().join("en/legal/warranty-terms.pdf");
    let mut sandbox = Sandbox::new(loader_exe(), Limits { timeout: Duration::ZERO, ..LIMITS });
    let bytes = std::fs::read(&path).unwrap();
    let err = sandbox.load(&source(&path), &bytes).unwrap_err();
    assert_eq!(err, "loading took longer than 0 s (ingest.file_timeout_secs)");
    let err = sandboxed(&path, Limits { max_document_chars: 100, ..LIMITS }).unwrap_err();
    assert!(err.ends_with("characters long, more than ingest.max_document_chars (100)"), "{err}");
    assert!(sandboxed(&path, LIMITS).unwrap().document.text.len() > 100);
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
    let err = sandboxed(&path, LIMITS).unwrap_err();
    assert!(err.contains("memory limit") || err.contains("crashed"), "{err}");
}
