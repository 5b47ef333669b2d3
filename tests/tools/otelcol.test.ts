import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { otelAgentConfig } from "../../components/traces/otel-agent";
import { ROOT } from "../../scripts/root";

const MANIFEST = path.join(ROOT, "tools/otelcol/builder-config.yaml");
const KINDS = { receivers: "receiver", processors: "processor", exporters: "exporter", connectors: "connector", extensions: "extension" } as const;

/** Types whose module is named otherwise: otlpexporter v0.148.0 registers `otlp_grpc` (its metadata.yaml). */
const MODULE_OF: Record<string, string> = { otlp_grpcexporter: "otlpexporter" };

/** `memory_limiter` in `processors` is built from the module `.../memorylimiterprocessor`. */
const moduleName = (component: string, kind: string) => {
    const type = component.split("/")[0];
    return MODULE_OF[`${type}${kind}`] ?? `${type.replace(/_/g, "")}${kind}`;
};

/** Component module names per kind, as the builder manifest lists them. */
function manifestModules(manifest: Record<string, any>): Record<string, string[]> {
    return Object.fromEntries(Object.keys(KINDS).map((kinds) => [kinds,
        (manifest[kinds] ?? []).map((m: { gomod: string }) => m.gomod.split(" ")[0].split("/").pop()!).sort()]));
}

/** Component module names per kind that a collector config uses. */
function configModules(config: Record<string, any>): Record<string, string[]> {
    return Object.fromEntries(Object.entries(KINDS).map(([kinds, kind]) => [kinds,
        [...new Set(Object.keys(config[kinds] ?? {}).map((c) => moduleName(c, kind)))].sort()]));
}

describe("the collector built for validation (tools/otelcol)", () => {
    const manifest = YAML.parse(fs.readFileSync(MANIFEST, "utf8"));

    for (const samplingPercentage of [100, 50, 10]) {
        it(`holds exactly the components the agent config uses (sampling ${samplingPercentage}%)`, () => {
            const config = otelAgentConfig({ samplingPercentage, jaegerEndpoint: "jaeger.tracing.svc:4317" });
            assert.deepStrictEqual(manifestModules(manifest), configModules(config));
        });
    }

    it("is built at the agent image's collector version", () => {
        const image = fs.readFileSync(path.join(ROOT, "components/shared/images.ts"), "utf8").match(/opentelemetry-collector-contrib:([0-9.]+)/)![1];
        for (const kinds of Object.keys(KINDS)) {
            for (const m of manifest[kinds]) {
                assert.strictEqual(m.gomod.split(" ")[1], `v${image}`, m.gomod);
            }
        }
    });

    it("notices a component the config names that the manifest lacks, and one it holds that the config does not use", () => {
        const config = otelAgentConfig({ samplingPercentage: 10, jaegerEndpoint: "j:4317" });
        const extra = { ...config, processors: { ...config.processors, "transform/x": {} } };
        assert.notDeepStrictEqual(manifestModules(manifest), configModules(extra));
        const fewer = { ...config, receivers: { otlp: config.receivers.otlp } };
        assert.notDeepStrictEqual(manifestModules(manifest), configModules(fewer));
        const connector = { ...config, connectors: { ...config.connectors, servicegraph: {} } };
        assert.notDeepStrictEqual(manifestModules(manifest), configModules(connector));
    });
});
