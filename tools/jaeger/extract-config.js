#!/usr/bin/env node
/**
 * Builds the Jaeger v2 config file the jaeger helm chart (4.11.x) would mount, for validate.sh.
 *
 *   node tools/jaeger/extract-config.js <file> --out <config.yaml>
 *
 * <file> is one of
 *   - the chart values the program passes (`npm run render` writes <out>/charts/<name>/values.yaml);
 *   - the chart's rendered ConfigMap `user-config` (helm template output), key user-config.yaml;
 *   - a plain Jaeger config file.
 *
 * How the chart turns values into the config (templates/jaeger/jaeger-user-config.yaml and
 * jaeger-deploy.yaml of jaeger-4.11.1.tgz): when `.Values.userconfig` is set, the chart writes
 * `toYaml .Values.userconfig` verbatim into ConfigMap `user-config` (key user-config.yaml), mounts
 * it at /etc/jaeger/user-config.yaml and runs `jaeger --config /etc/jaeger/user-config.yaml`
 * (plus any `.Values.jaeger.args`). The chart's default `userconfig` is empty (all comments), so
 * helm's value merge adds nothing: the config is exactly `userconfig`. Without `userconfig` the
 * binary falls back to its built-in all-in-one memory config, which this reports as an error.
 * `.Values.storage.*` is not read by the Jaeger deployment in this chart (only by the
 * es-index-cleaner/rollover/lookback jobs and spark), so it does not reach the config.
 *
 * Prints one JSON line: the source, the ${env:...} names referenced, the container env names the
 * chart would set (`.Values.jaeger.extraEnv`), the mount paths (`jaeger.extraVolumeMounts` and
 * the chart's own), the file paths the config names (…_file keys), the chart args, and storage
 * names that jaeger_query / jaeger_storage_exporter use but jaeger_storage does not define.
 */
"use strict";
const fs = require("fs");
const YAML = require("yaml");

function fail(message) {
    process.stderr.write(`jaeger extract-config: ${message}\n`);
    process.exit(2);
}

const argv = process.argv.slice(2);
const file = argv[0];
const outAt = argv.indexOf("--out");
const out = outAt >= 0 ? argv[outAt + 1] : undefined;
if (!file || !out) fail("usage: extract-config.js <file> --out <config.yaml>");

const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
let config;
let source;
let chart;
let verbatim; // a ConfigMap's or plain file's text is what Jaeger reads: keep it byte for byte
if (doc.kind === "ConfigMap") {
    const text = doc.data?.["user-config.yaml"];
    if (text === undefined) fail(`ConfigMap ${doc.metadata?.name} has no user-config.yaml key`);
    config = YAML.parse(text);
    verbatim = text;
    source = `ConfigMap ${doc.metadata?.name} key user-config.yaml`;
} else if ("userconfig" in doc || "jaeger" in doc || "storage" in doc) {
    if (!doc.userconfig) fail("the chart values set no userconfig: the chart would run Jaeger's built-in all-in-one (memory) config");
    config = doc.userconfig;
    source = `chart values ${file} (.userconfig, as the chart's user-config ConfigMap)`;
    const j = doc.jaeger ?? {};
    chart = {
        env: (j.extraEnv ?? []).map((e) => e.name).sort(),
        mounts: ["/etc/jaeger/user-config.yaml", ...(doc.uiconfig ? ["/etc/jaeger/ui-config.json"] : []), ...(j.extraVolumeMounts ?? []).map((m) => m.mountPath)],
        args: j.args ?? [],
    };
} else {
    config = doc;
    verbatim = fs.readFileSync(file, "utf8");
    source = `${file} (plain config)`;
}

// From chart values: every string double-quoted, as helm's toYaml (sigs.k8s.io/yaml, goyaml.v2 rules) quotes each
// string that would otherwise read as another type. This matters: Jaeger reads its config with
// go.yaml.in/yaml/v3, which turns a plain `2006-01-02` (an ES date_layout) into a time.Time and
// rejects it, while the JS `yaml` package (YAML 1.2) writes that string unquoted.
const text = verbatim ?? YAML.stringify(config, { lineWidth: 0, defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" });
fs.writeFileSync(out, text);
const envRefs = [...new Set([...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)].map((m) => m[1]))].sort();
const files = [];
(function walk(node, at) {
    if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node)) {
            if (/_file$/.test(k) && typeof v === "string" && v !== "") files.push({ at: [...at, k].join("."), path: v });
            walk(v, [...at, k]);
        }
    }
})(config, []);
// Storage names are resolved only when the extensions start, so `jaeger validate` accepts a
// jaeger_query or jaeger_storage_exporter that names a backend jaeger_storage does not define.
const refs = [];
const backends = Object.keys(config?.extensions?.jaeger_storage?.backends ?? {});
const metricBackends = Object.keys(config?.extensions?.jaeger_storage?.metric_backends ?? {});
for (const [id, ext] of Object.entries(config?.extensions ?? {})) {
    if (id.split("/")[0] !== "jaeger_query") continue;
    for (const key of ["traces", "traces_archive"]) {
        const name = ext?.storage?.[key];
        if (name && !backends.includes(name)) refs.push(`extensions.${id}.storage.${key}: "${name}" is not a jaeger_storage backend (${backends.join(", ") || "none"})`);
    }
    const metrics = ext?.storage?.metrics;
    if (metrics && !metricBackends.includes(metrics)) refs.push(`extensions.${id}.storage.metrics: "${metrics}" is not a jaeger_storage metric backend`);
}
for (const [id, exp] of Object.entries(config?.exporters ?? {})) {
    if (id.split("/")[0] !== "jaeger_storage_exporter") continue;
    const name = exp?.trace_storage;
    if (!backends.includes(name)) refs.push(`exporters.${id}.trace_storage: "${name}" is not a jaeger_storage backend (${backends.join(", ") || "none"})`);
}
process.stdout.write(JSON.stringify({ source, envRefs, chart, files, refs }) + "\n");
