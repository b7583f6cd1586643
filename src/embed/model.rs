//! What kefu needs to know about an embedding model, wherever it comes from.
//!
//! Local models are folders made by `make setup`: an ONNX graph, the tokenizer files and a
//! `kefu-model.json` manifest with the settings below. Catalog models are fastembed's, named by
//! their Hugging Face id; their settings come from fastembed plus a small table of prefixes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::{Error, Result};

/// The manifest file of a local model folder.
pub const MANIFEST: &str = "kefu-model.json";

/// How token vectors become one text vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PoolingKind {
    /// Mean of the token vectors (sentence-transformers models such as MiniLM, e5).
    Mean,
    /// The `[CLS]` vector (BGE models).
    Cls,
}

/// Per-model settings, applied the same way in ingest, search, answers and evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Short name (`all-minilm-l6-v2`), also the local folder's name.
    pub name: String,
    /// Upstream name, for reports.
    #[serde(default)]
    pub display_name: String,
    /// Vector dimension.
    pub dimension: usize,
    /// Tokens the model reads, special tokens included.
    pub max_length: usize,
    /// Pooling.
    pub pooling: PoolingKind,
    /// Prepended to questions before embedding (e5: `"query: "`).
    #[serde(default)]
    pub query_prefix: String,
    /// Prepended to chunks before embedding (e5: `"passage: "`).
    #[serde(default)]
    pub passage_prefix: String,
    /// Languages the model was trained on (ISO 639-1); empty means multilingual. Hybrid search
    /// leaves the dense ranking out for questions in other languages.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Cosine similarities of question and passage at which they are unrelated, and at which
    /// they are as related as passages get: answers' confidence reads dense scores by it.
    /// Measured per model (docs/answering.md); all-MiniLM-L6-v2's when a manifest has none.
    #[serde(default = "minilm_similarity_range")]
    pub similarity_range: [f32; 2],
    /// SHA-256 of the model's files, by file name.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

/// all-MiniLM-L6-v2's similarity range, the one kefu was first calibrated with.
fn minilm_similarity_range() -> [f32; 2] {
    [0.25, 0.70]
}

/// multilingual-e5's similarity range: its cosines sit high (see scripts/modelkit/e5_small.py).
const E5_SIMILARITY_RANGE: [f32; 2] = [0.83, 0.93];

impl ModelSpec {
    /// Identifies the exact weights: the name plus the start of the graph's checksum. An index
    /// records it; vectors of two fingerprints are never mixed.
    pub fn fingerprint(&self) -> String {
        match self.files.get("model.onnx") {
            Some(sha) => format!("{}@{}", self.name, &sha[..sha.len().min(12)]),
            None => self.name.clone(),
        }
    }

    /// Whether questions in `locale` get meaningful vectors from this model.
    pub fn supports_language(&self, locale: &str) -> bool {
        self.languages.is_empty() || self.languages.iter().any(|l| l == locale)
    }
}

/// Where a configured model comes from.
#[derive(Debug, Clone)]
pub enum ModelSource {
    /// A local folder with `kefu-model.json`.
    Local(PathBuf),
    /// A fastembed catalog model, by Hugging Face id.
    Catalog(String),
}

/// Resolves `embedding.model`: a path to a model folder, a folder name under `<home>/models`,
/// else a catalog name (anything with a `/`).
pub fn resolve(config: &Config) -> Result<ModelSource> {
    let name = config.embedding.model.trim();
    let as_path = Path::new(name);
    let candidates = [as_path.to_path_buf(), config.home.join("models").join(name)];
    if let Some(dir) = candidates.iter().find(|dir| dir.join(MANIFEST).is_file()) {
        return Ok(ModelSource::Local(dir.clone()));
    }
    if name.contains('/') && !as_path.exists() {
        return Ok(ModelSource::Catalog(name.to_string()));
    }
    Err(Error::Setup(format!(
        "embedding model `{name}` not found: no {MANIFEST} in {} or {}",
        candidates[0].display(),
        candidates[1].display()
    )))
}

/// Reads a local model's manifest, checking that the files it lists are there.
pub fn read_local(dir: &Path) -> Result<ModelSpec> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(Error::io(&path))?;
    let spec: ModelSpec = serde_json::from_str(&text)
        .map_err(|e| Error::Setup(format!("{}: invalid model manifest: {e}", path.display())))?;
    for file in
        ["model.onnx", "tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json"]
    {
        if !dir.join(file).is_file() {
            return Err(Error::Setup(format!("model folder {} has no {file}", dir.display())));
        }
    }
    Ok(spec)
}

/// Which of fastembed's catalog `codes` a configured `name` means, as an index into `codes`:
/// the code itself (any case), else the one code with the same repository name, so that
/// `BAAI/bge-small-en-v1.5` finds the catalog's `Xenova/bge-small-en-v1.5` export of it. `Err`
/// lists the candidates when the name is ambiguous.
pub fn find_catalog_model<'a>(
    name: &str,
    codes: &[&'a str],
) -> std::result::Result<Option<usize>, Vec<&'a str>> {
    if let Some(i) = codes.iter().position(|c| c.eq_ignore_ascii_case(name)) {
        return Ok(Some(i));
    }
    let same_repo = |c: &&str| repository(c).eq_ignore_ascii_case(repository(name));
    let mut candidates: Vec<&str> = codes.iter().copied().filter(same_repo).collect();
    candidates.dedup();
    match candidates.len() {
        0 => Ok(None),
        1 => Ok(codes.iter().position(same_repo)),
        _ => Err(candidates),
    }
}

/// The repository part of a Hugging Face id (`bge-small-en-v1.5` of `BAAI/bge-small-en-v1.5`).
fn repository(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// Settings of fastembed catalog models that fastembed does not carry: prefixes and languages.
pub fn catalog_spec(code: &str, dimension: usize) -> ModelSpec {
    let repo = repository(code).to_ascii_lowercase();
    let (query_prefix, passage_prefix) = if repo.contains("e5-") {
        ("query: ", "passage: ")
    } else if repo.starts_with("bge-") && repo.contains("-en") {
        ("Represent this sentence for searching relevant passages: ", "")
    } else {
        ("", "")
    };
    let languages = if repo.contains("multilingual") || repo.contains("-m3") {
        vec![]
    } else if repo.contains("-zh") {
        vec!["zh".to_string()]
    } else {
        vec!["en".to_string()]
    };
    ModelSpec {
        name: code.to_string(),
        display_name: code.to_string(),
        dimension,
        max_length: 512,
        pooling: if repo.starts_with("bge-") { PoolingKind::Cls } else { PoolingKind::Mean },
        query_prefix: query_prefix.into(),
        passage_prefix: passage_prefix.into(),
        languages,
        similarity_range: if repo.contains("e5-") { E5_SIMILARITY_RANGE } else { minilm_similarity_range() },
        files: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_include_the_weights_checksum() {
        let mut spec = catalog_spec("intfloat/multilingual-e5-small", 384);
        assert_eq!(spec.fingerprint(), "intfloat/multilingual-e5-small");
        spec.files.insert("model.onnx".into(), "0123456789abcdef".into());
        assert_eq!(spec.fingerprint(), "intfloat/multilingual-e5-small@0123456789ab");
    }

    #[test]
    fn catalog_models_get_prefixes_and_languages() {
        let e5 = catalog_spec("intfloat/multilingual-e5-small", 384);
        assert_eq!((e5.query_prefix.as_str(), e5.passage_prefix.as_str()), ("query: ", "passage: "));
        assert!(e5.supports_language("zh"));
        let bge = catalog_spec("Xenova/bge-small-en-v1.5", 384);
        assert!(!bge.supports_language("zh"));
        assert_eq!(bge.pooling, PoolingKind::Cls);
        assert!(bge.query_prefix.starts_with("Represent this sentence"));
        assert!(catalog_spec("Xenova/bge-small-zh-v1.5", 512).supports_language("zh"));
    }

    #[test]
    fn catalog_names_resolve_by_code_or_repository() {
        let codes = [
            "Xenova/bge-small-en-v1.5",
            "Qdrant/bge-small-en-v1.5-onnx-Q",
            "intfloat/multilingual-e5-small",
            "Xenova/all-MiniLM-L12-v2",
            "Xenova/all-MiniLM-L12-v2",
            "Org/twin",
            "Other/twin",
        ];
        assert_eq!(find_catalog_model("BAAI/bge-small-en-v1.5", &codes), Ok(Some(0)));
        assert_eq!(find_catalog_model("qdrant/BGE-small-en-v1.5-onnx-q", &codes), Ok(Some(1)));
        assert_eq!(find_catalog_model("intfloat/multilingual-e5-small", &codes), Ok(Some(2)));
        assert_eq!(find_catalog_model("sentence-transformers/all-MiniLM-L12-v2", &codes), Ok(Some(3)));
        assert_eq!(find_catalog_model("x/twin", &codes), Err(vec!["Org/twin", "Other/twin"]));
        assert_eq!(find_catalog_model("BAAI/bge-large-zh", &codes), Ok(None));
    }

    #[test]
    fn unknown_local_names_point_at_setup() {
        let config = Config { home: PathBuf::from("/nonexistent"), ..Config::default() };
        let err = resolve(&config).unwrap_err().to_string();
        assert!(err.contains("make setup") && err.contains("multilingual-e5-small"), "{err}");
    }
}
