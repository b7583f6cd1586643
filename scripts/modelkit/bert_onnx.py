"""Build an ONNX graph (opset 17) of a BERT encoder from numpy weights.

Generic over the encoder size: works for any post-LayerNorm BERT with
absolute position embeddings and erf GELU (all-MiniLM-L6-v2,
multilingual-e5-small, ...). Weights use Hugging Face BertModel names without
the "bert." prefix, e.g. "embeddings.word_embeddings.weight" or
"encoder.layer.0.attention.self.query.weight" (Linear weights are [out, in]).
The pooler is not part of the graph.

4-bit weights: a weight given as a pair (int8 q - 8 [rows, cols], fp16 scales
[rows, cols / block_size]) stays 4-bit in the graph. The word table is then
stored as int8 plus scales and dequantized per token (standard ops, exact); a
Linear becomes ONNX Runtime's MatMulNBits (com.microsoft contrib op).

Graph: int64 input_ids, attention_mask, token_type_ids [batch, seq] ->
float32 last_hidden_state [batch, seq, hidden]. Pooling is left to the caller.

The output is deterministic: same weights and config, same bytes.
"""

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
CONTRIB = "com.microsoft"
INPUTS = ["input_ids", "attention_mask", "token_type_ids"]


@dataclass(frozen=True)
class BertConfig:
    num_layers: int
    hidden: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    layer_norm_eps: float = 1e-12
    type_vocab: int = 2

    @classmethod
    def from_hf(cls, cfg: dict) -> "BertConfig":
        """From a Hugging Face config.json dict."""
        return cls(
            num_layers=cfg["num_hidden_layers"],
            hidden=cfg["hidden_size"],
            heads=cfg["num_attention_heads"],
            intermediate=cfg["intermediate_size"],
            vocab=cfg["vocab_size"],
            max_positions=cfg["max_position_embeddings"],
            layer_norm_eps=cfg.get("layer_norm_eps", 1e-12),
            type_vocab=cfg.get("type_vocab_size", 2),
        )


class _Graph:
    """Collects nodes and initializers; names every node and value in order."""

    def __init__(self, weights: dict, cfg: BertConfig, block_size: int):
        self.weights = weights
        self.cfg = cfg
        self.block_size = block_size
        self.uses_contrib = False
        self.nodes: list = []
        self.inits: list = []
        self._count = 0

    def init(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def const(self, name: str, values, dtype) -> str:
        return self.init(name, np.asarray(values, dtype=dtype))

    def weight(self, name: str, shape: tuple, transpose: bool = False) -> str:
        array = np.asarray(self.weights[name], dtype=np.float32)
        if array.shape != shape:
            raise ValueError(f"{name}: shape {array.shape}, expected {shape}")
        return self.init(name, array.T if transpose else array)

    def op(self, op_type: str, inputs: list, domain: str | None = None, **attrs) -> str:
        self._count += 1
        out = f"{op_type.lower()}_{self._count}"
        node = helper.make_node(op_type, inputs, [out], name=f"n{self._count}_{op_type}", domain=domain, **attrs)
        self.nodes.append(node)
        return out

    def quantized(self, name: str, shape: tuple) -> tuple | None:
        """(int8 q - 8, fp16 scales) when ``name`` is given 4-bit, checked against ``shape``."""
        value = self.weights[name]
        if not isinstance(value, tuple):
            return None
        q, scales = value
        rows, cols = shape
        if q.shape != shape or scales.shape != (rows, cols // self.block_size):
            raise ValueError(f"{name}: 4-bit shapes {q.shape} / {scales.shape} do not fit {shape}")
        return np.asarray(q, dtype=np.int8), np.asarray(scales, dtype=np.float16)

    def word_table(self):
        """Registers the word table: its name, or the names of its 4-bit parts (q, scales)."""
        shape = (self.cfg.vocab, self.cfg.hidden)
        quantized = self.quantized("embeddings.word_embeddings.weight", shape)
        if quantized is None:
            return self.weight("embeddings.word_embeddings.weight", shape)
        q, scales = quantized
        return self.init("embeddings.word_embeddings.q", q), self.init("embeddings.word_embeddings.scales", scales)

    def words(self, table, ids: str) -> str:
        """Word embeddings of ``ids``; a 4-bit table is dequantized after the Gather (exact)."""
        if isinstance(table, str):
            return self.op("Gather", [table, ids])
        blocks = self.cfg.hidden // self.block_size
        q, s = (self.op("Cast", [self.op("Gather", [part, ids])], to=TensorProto.FLOAT) for part in table)
        q = self.op("Reshape", [q, self.const("shape_word_blocks", [0, 0, blocks, self.block_size], np.int64)])
        s = self.op("Unsqueeze", [s, self.const("axes_last", [-1], np.int64)])
        return self.op("Reshape", [self.op("Mul", [q, s]),
                                   self.const("shape_word_rows", [0, 0, self.cfg.hidden], np.int64)])

    def linear(self, x: str, prefix: str, n_in: int, n_out: int) -> str:
        quantized = self.quantized(f"{prefix}.weight", (n_out, n_in))
        if quantized is None:
            # Linear weights are [out, in]: store W^T so that y = x @ W^T + b is one MatMul.
            w = self.weight(f"{prefix}.weight", (n_out, n_in), transpose=True)
            return self.op("Add", [self.op("MatMul", [x, w]), self.weight(f"{prefix}.bias", (n_out,))])
        # MatMulNBits: B is [out, blocks, block/2] bytes, element 2j in the low nibble of byte j,
        # stored as q + 8 (the op's default zero point); scales are float32 [out * blocks].
        q, scales = quantized
        nibbles = (q.astype(np.int16) + 8).astype(np.uint8).reshape(n_out, n_in // self.block_size, self.block_size)
        packed = nibbles[..., 0::2] | (nibbles[..., 1::2] << 4)
        self.uses_contrib = True
        y = self.op("MatMulNBits", [x, self.init(f"{prefix}.weight.q4", packed),
                                    self.init(f"{prefix}.weight.scales", scales.astype(np.float32).reshape(-1))],
                    domain=CONTRIB, K=n_in, N=n_out, bits=4, block_size=self.block_size)
        return self.op("Add", [y, self.weight(f"{prefix}.bias", (n_out,))])

    def layer_norm(self, x: str, prefix: str) -> str:
        scale = self.weight(f"{prefix}.weight", (self.cfg.hidden,))
        bias = self.weight(f"{prefix}.bias", (self.cfg.hidden,))
        return self.op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=self.cfg.layer_norm_eps)


def build_bert(weights: dict, cfg: BertConfig, name: str = "bert", block_size: int = 32) -> onnx.ModelProto:
    """Return the ONNX model of the encoder described by ``cfg`` with ``weights``.

    ``block_size``: weights per scale of the 4-bit weights, if any.
    """
    hidden, heads = cfg.hidden, cfg.heads
    if hidden % heads:
        raise ValueError(f"hidden {hidden} is not a multiple of heads {heads}")
    g = _Graph(weights, cfg, block_size)

    # Embeddings. Positions: slice the table to the sequence length (Shape with
    # start/end, then Slice). A Shape->Gather->Range position_ids subgraph
    # trips an ORT 1.31 graph optimizer bug.
    words = g.word_table()
    types = g.weight("embeddings.token_type_embeddings.weight", (cfg.type_vocab, hidden))
    table = g.weight("embeddings.position_embeddings.weight", (cfg.max_positions, hidden))
    seq_len = g.op("Shape", ["input_ids"], start=1, end=2)
    zero, axis0 = g.const("zero_1d", [0], np.int64), g.const("axis0_1d", [0], np.int64)
    positions = g.op("Slice", [table, zero, seq_len, axis0])
    x = g.op("Add", [g.words(words, "input_ids"), g.op("Gather", [types, "token_type_ids"])])
    x = g.layer_norm(g.op("Add", [x, positions]), "embeddings.LayerNorm")

    one = g.const("one", 1.0, np.float32)
    # Additive attention mask [batch, 1, 1, seq]: 0 for tokens, float32 min for padding.
    mask = g.op("Sub", [one, g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)])
    mask = g.op("Mul", [mask, g.const("mask_min", np.finfo(np.float32).min, np.float32)])
    mask = g.op("Unsqueeze", [mask, g.const("axes_1_2", [1, 2], np.int64)])

    split_heads = g.const("shape_split_heads", [0, 0, heads, hidden // heads], np.int64)
    merge_heads = g.const("shape_merge_heads", [0, 0, hidden], np.int64)
    scale = g.const("attention_scale", 1.0 / np.sqrt(hidden // heads), np.float32)
    sqrt2 = g.const("sqrt2", np.sqrt(2.0), np.float32)
    half = g.const("half", 0.5, np.float32)

    def split(x: str, prefix: str, perm: list) -> str:
        """Project to [b, seq, hidden], split into [b, seq, heads, d], then permute."""
        y = g.linear(x, prefix, hidden, hidden)
        return g.op("Transpose", [g.op("Reshape", [y, split_heads])], perm=perm)

    for i in range(cfg.num_layers):
        p = f"encoder.layer.{i}"
        q = split(x, f"{p}.attention.self.query", [0, 2, 1, 3])  # [b, heads, seq, d]
        k = split(x, f"{p}.attention.self.key", [0, 2, 3, 1])  # [b, heads, d, seq]
        v = split(x, f"{p}.attention.self.value", [0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), mask])
        ctx = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        ctx = g.op("Reshape", [g.op("Transpose", [ctx], perm=[0, 2, 1, 3]), merge_heads])
        attn = g.linear(ctx, f"{p}.attention.output.dense", hidden, hidden)
        x = g.layer_norm(g.op("Add", [attn, x]), f"{p}.attention.output.LayerNorm")

        # Exact GELU: 0.5 * h * (1 + erf(h / sqrt(2))), the pattern ORT fuses into Gelu.
        h = g.linear(x, f"{p}.intermediate.dense", hidden, cfg.intermediate)
        gelu = g.op("Mul", [g.op("Mul", [h, g.op("Add", [g.op("Erf", [g.op("Div", [h, sqrt2])]), one])]), half])
        out = g.linear(gelu, f"{p}.output.dense", cfg.intermediate, hidden)
        x = g.layer_norm(g.op("Add", [out, x]), f"{p}.output.LayerNorm")

    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))
    dims = ["batch", "sequence"]
    graph = helper.make_graph(
        g.nodes,
        name,
        [helper.make_tensor_value_info(n, TensorProto.INT64, dims) for n in INPUTS],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [hidden])],
        initializer=g.inits,
    )
    # IR version 8 is the one that goes with opset 17; pinning it (instead of
    # the onnx package's newest) keeps the bytes and the runtime support stable.
    opsets = [helper.make_opsetid("", OPSET)] + ([helper.make_opsetid(CONTRIB, 1)] if g.uses_contrib else [])
    model = helper.make_model(graph, opset_imports=opsets, producer_name="kefu-modelkit", ir_version=8)
    # The checker knows no contrib ops: shape inference stops at MatMulNBits.
    onnx.checker.check_model(model, full_check=not g.uses_contrib)
    return model
