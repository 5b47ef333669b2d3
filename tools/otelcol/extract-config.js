#!/usr/bin/env node
/**
 * Pulls an OpenTelemetry Collector config out of a rendered manifest, for validate.sh and
 * scripts/bench-agent.sh.
 *
 *   node tools/otelcol/extract-config.js <file> [--out <config.yaml>] [--key <data key>]
 *                                       [--drop-processor <name>]... [--set <path>=<yaml>]...
 *
 * <file> is a rendered ConfigMap (`npm run render` writes
 * <out>/manifests/<namespace>/configmap-<name>.yaml; the collector config is its one data key
 * ending in .yaml, or --key), or a plain collector config. --drop-processor removes a processor
 * from the config and from every pipeline; --set replaces the value at a dotted path
 * (e.g. `exporters.otlp_grpc.endpoint="127.0.0.1:4317"`; dots inside a key need no escaping when the
 * key exists). Writes the config to --out (or stdout) and prints, on stderr when writing to
 * stdout, one JSON line: where the config came from, the ${env:...} names it references (plus
 * k8s_attributes' filter.node_from_env_var), and the env names and `--feature-gates=` arguments
 * of the workload that mounts the ConfigMap (same directory), when one does.
 *
 * Uses the repository's `yaml` package (npm ci), nothing else.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const YAML = require("yaml");

function parseArgs(argv) {
    const args = { file: undefined, out: undefined, key: undefined, drop: [], set: [] };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--out") args.out = argv[++i];
        else if (a === "--key") args.key = argv[++i];
        else if (a === "--drop-processor") args.drop.push(argv[++i]);
        else if (a === "--set") args.set.push(argv[++i]);
        else if (!args.file) args.file = a;
        else throw new Error(`unexpected argument ${a}`);
    }
    if (!args.file) throw new Error("usage: extract-config.js <file> [--out f] [--key k] [--drop-processor p] [--set path=yaml]");
    return args;
}

/** The env names a Deployment/DaemonSet/StatefulSet in `dir` gives the containers mounting `configMap`. */
function workloadEnv(dir, configMap) {
    for (const name of fs.readdirSync(dir)) {
        if (!/\.ya?ml$/.test(name)) continue;
        let doc;
        try {
            doc = YAML.parse(fs.readFileSync(path.join(dir, name), "utf8"));
        } catch {
            continue;
        }
        if (!doc || !["DaemonSet", "Deployment", "StatefulSet"].includes(doc.kind)) continue;
        const spec = doc.spec?.template?.spec ?? {};
        const volumes = (spec.volumes ?? []).filter((v) => v.configMap?.name === configMap).map((v) => v.name);
        if (volumes.length === 0) continue;
        const env = new Set();
        const featureGates = [];
        for (const c of spec.containers ?? []) {
            if (!(c.volumeMounts ?? []).some((m) => volumes.includes(m.name))) continue;
            (c.env ?? []).forEach((e) => env.add(e.name));
            (c.args ?? []).filter((a) => a.startsWith("--feature-gates=")).forEach((a) => featureGates.push(a));
        }
        return { workload: `${doc.kind}/${doc.metadata?.name}`, file: name, env: [...env].sort(), featureGates };
    }
    return undefined;
}

function setPath(obj, dotted, value) {
    // Walk greedily, so keys that contain dots (service.name) still resolve.
    const parts = dotted.split(".");
    let node = obj;
    while (parts.length > 1) {
        let matched = false;
        for (let n = parts.length - 1; n >= 1; n--) {
            const key = parts.slice(0, n).join(".");
            if (node[key] !== undefined && typeof node[key] === "object") {
                node = node[key];
                parts.splice(0, n);
                matched = true;
                break;
            }
        }
        if (!matched) {
            node[parts[0]] = {};
            node = node[parts.shift()];
        }
    }
    node[parts[0]] = value;
}

function main() {
    const args = parseArgs(process.argv.slice(2));
    const text = fs.readFileSync(args.file, "utf8");
    const doc = YAML.parse(text);
    let configText = text;
    let source = `${args.file} (plain config)`;
    let mountedBy;
    if (doc && doc.kind === "ConfigMap") {
        const keys = Object.keys(doc.data ?? {});
        const key = args.key ?? (keys.filter((k) => /\.ya?ml$/.test(k)).length === 1 ? keys.find((k) => /\.ya?ml$/.test(k)) : undefined);
        if (!key || doc.data[key] === undefined) {
            throw new Error(`ConfigMap ${doc.metadata?.name} has data keys [${keys.join(", ")}]: pass --key`);
        }
        configText = doc.data[key];
        source = `ConfigMap ${doc.metadata?.namespace}/${doc.metadata?.name} key ${key}`;
        mountedBy = workloadEnv(path.dirname(args.file), doc.metadata?.name);
    }
    let config = YAML.parse(configText);
    for (const p of args.drop) {
        if (!config.processors?.[p]) throw new Error(`no processor ${p} to drop`);
        delete config.processors[p];
        for (const pipeline of Object.values(config.service?.pipelines ?? {})) {
            if (Array.isArray(pipeline.processors)) pipeline.processors = pipeline.processors.filter((x) => x !== p);
        }
    }
    for (const s of args.set) {
        const eq = s.indexOf("=");
        if (eq < 0) throw new Error(`--set wants path=value, got ${s}`);
        setPath(config, s.slice(0, eq), YAML.parse(s.slice(eq + 1)));
    }
    const out = args.drop.length || args.set.length ? YAML.stringify(config, { lineWidth: 0 }) : configText;
    const envRefs = new Set([...out.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)].map((m) => m[1]));
    // Read by name at start rather than expanded: k8s_attributes' node filter (k8sattributes is
    // the deprecated name of the same processor).
    const finalConfig = YAML.parse(out);
    for (const [name, processor] of Object.entries(finalConfig.processors ?? {})) {
        const fromEnv = ["k8s_attributes", "k8sattributes"].includes(name.split("/")[0]) ? processor?.filter?.node_from_env_var : undefined;
        if (fromEnv) envRefs.add(fromEnv);
    }
    const info = { source, envRefs: [...envRefs].sort(), mountedBy };
    if (args.out) {
        fs.writeFileSync(args.out, out);
        process.stdout.write(JSON.stringify(info) + "\n");
    } else {
        process.stdout.write(out);
        process.stderr.write(JSON.stringify(info) + "\n");
    }
}

try {
    main();
} catch (e) {
    process.stderr.write(`extract-config: ${e.message}\n`);
    process.exit(2);
}
