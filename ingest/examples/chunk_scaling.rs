//! Chunking time per MB of text, from 10 KB up, for text shapes that once made it superlinear
//! (one endless word, a paragraph with no sentence end, base64) and for prose in both languages.
//!
//! ```sh
//! cargo run --release -p kefu-ingest --example chunk_scaling -- \
//!     ~/.cache/kefu/models/multilingual-e5-small/tokenizer.json 10000 100000 1000000 10000000
//! ```
use std::path::Path;
use std::time::Instant;

use kefu_ingest::{Chunker, ChunkerConfig, Format, load};

const SHAPES: &[(&str, &str)] = &[
    ("one word", "a"),
    ("no sentence end", "lorem ipsum dolor "),
    ("base64", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk+/"),
    ("English prose", "Returns are accepted within 30 days of delivery if the item is unused. "),
    ("Chinese prose", "退货需在签收后七天内申请，商品需保持完好，退款将在三到五个工作日内原路退回。"),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let tokenizer = args.next().expect("usage: chunk_scaling TOKENIZER_JSON SIZE...");
    let sizes: Vec<usize> = args.map(|a| a.parse().expect("sizes in bytes")).collect();
    let chunker = Chunker::from_file(Path::new(&tokenizer), ChunkerConfig { max_tokens: 254 }).unwrap();
    println!("| text | bytes | chunks | load s | chunk s | s/MB |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, unit) in SHAPES {
        for &size in &sizes {
            let text = unit.repeat(size / unit.len() + 1);
            let started = Instant::now();
            let doc = load("a.txt", Path::new("a.txt"), Format::Text, text.as_bytes()).unwrap().document;
            let loaded = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let chunks = chunker.chunk(&doc).len();
            let chunked = started.elapsed().as_secs_f64();
            let per_mb = (loaded + chunked) / (text.len() as f64 / 1e6);
            println!("| {name} | {} | {chunks} | {loaded:.3} | {chunked:.3} | {per_mb:.2} |", text.len());
        }
    }
}
