# Shared by tools/otelcol and tools/jaeger (sourced by their build.sh and validate.sh).
# Each build.sh hashes this file with its own inputs, so a change here rebuilds what it shapes.

# cache_open TOOL HASH [NOTE]: the content-addressed cache directory
# ${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/TOOL/HASH/; sets `dir` and `bin`. A
# complete build there is printed and ends the script; otherwise this takes the directory's build
# lock (a parallel caller waits for it, then finds the build complete) and returns. Go's own
# caches (GOCACHE, GOMODCACHE) stay at their defaults, so they persist between builds.
cache_open() {
    dir="${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/$1/$2"
    bin="$dir/bin"
    if [[ -f "$dir/.complete" ]]; then
        log "up to date: $bin${3:+ ($3)}"
        echo "$bin"
        exit 0
    fi
    mkdir -p "$dir"
    exec 9>"$dir/.lock"
    flock 9
    if [[ -f "$dir/.complete" ]]; then
        echo "$bin"
        exit 0
    fi
    mkdir -p "$bin"
}

# cache_done: marks the build complete and prints its bin/ path.
cache_done() {
    touch "$dir/.complete"
    echo "$bin"
}

# expand_inputs GLOB ARG...: the files to validate, in `files`. A directory argument is a render
# (npm run render -- <stack> --out DIR) and stands for what GLOB matches under it; one that holds
# none is a usage error (exit 2).
expand_inputs() {
    local glob="$1" arg
    shift
    files=()
    for arg in "$@"; do
        if [[ -d "$arg" ]]; then
            local found=("$arg"/$glob)
            [[ -f "${found[0]}" ]] || { echo "validate: no $glob under $arg" >&2; exit 2; }
            files+=("${found[@]}")
        else
            files+=("$arg")
        fi
    done
}

# env_for REFS PODENV SETTER: in `env_args`, a value for each ${env:NAME} in REFS: the caller's
# environment first, else the script's TEST_ENV. Returns 1, saying why, when a name has no value
# or when the workload does not set it (PODENV lists what SETTER sets; "-" when unknown).
env_for() {
    local refs="$1" podenv="$2" setter="$3" name bad=0
    env_args=()
    for name in $refs; do
        if [[ "$podenv" != "-" && " $podenv " != *" $name "* ]]; then
            echo "ERROR: the config references \${env:$name} but $setter does not set $name (it would expand to \"\")"
            bad=1
        fi
        if [[ -n "${!name+x}" ]]; then
            env_args+=("$name=${!name}")
        elif [[ -n "${TEST_ENV[$name]+x}" ]]; then
            env_args+=("$name=${TEST_ENV[$name]}")
        else
            echo "ERROR: no test value for \${env:$name}: export $name=... and rerun"
            bad=1
        fi
    done
    return $bad
}

# run_validator WORK COMMAND...: runs the validator with its output indented, then VALID or
# INVALID; returns its failure.
run_validator() {
    local out="$1/out"
    shift
    if "$@" >"$out" 2>&1; then
        sed 's/^/  /' "$out"
        echo "VALID"
    else
        sed 's/^/  /' "$out"
        echo "INVALID"
        return 1
    fi
}
