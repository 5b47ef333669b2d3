import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { buildSettings, isConfigError, PlatformSettings } from "../../../components/settings";
import {
    DEPLOYED_STORAGE_OUTPUT, DeployedStorage, parseDeployedStorage, storageChangeProblems, storageFacts,
} from "../../../components/settings/deployed";
import { profileConfig } from "../../helpers/settings";
import { readStackFile, runProgram } from "../../../scripts/mock-program";
import { ROOT } from "../../../scripts/root";

const P = "observability-platform";

/** A stack's settings: the profile's least passing config with `extra` keys laid over it. */
function settings(profile: string, extra: Record<string, unknown> = {}): PlatformSettings {
    const strings = Object.fromEntries(Object.entries(extra).map(([k, v]) => [`${P}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
    return buildSettings({ stack: profile, config: { ...profileConfig(profile), ...strings } });
}

/** What a staging stack with its defaults deployed (every store on, cluster default class). */
const STAGING: DeployedStorage = storageFacts(settings("staging"));

const problems = (extra: Record<string, unknown>, deployed: DeployedStorage | undefined = STAGING, profile = "staging") =>
    storageChangeProblems(deployed, settings(profile, extra), `${P}:`);

describe("deployed storage", () => {
    describe("the facts a run exports", () => {
        it("name each enabled store's size and class, with null for the cluster default", () => {
            assert.deepStrictEqual(STAGING.elasticsearch, { storageSize: "50Gi", storageClassName: null, nodeSetName: "default" });
            assert.deepStrictEqual(STAGING.graylog, { storageSize: "50Gi", storageClassName: null, dataNodeReplicas: 1 });
            assert.deepStrictEqual(storageFacts(settings("staging", { storageClassName: "fast" })).mongodb, { storageSize: "5Gi", storageClassName: "fast" });
        });

        it("leave out a disabled store", () => {
            assert.strictEqual(storageFacts(settings("dev")).graylog, undefined);
            assert.strictEqual(storageFacts(settings("dev", { metrics: { enabled: false } })).prometheus, undefined);
        });

        it("read back from the outputs as written, and nothing from outputs of another shape", () => {
            assert.deepStrictEqual(parseDeployedStorage(JSON.parse(JSON.stringify({ [DEPLOYED_STORAGE_OUTPUT]: STAGING }))), STAGING);
            assert.strictEqual(parseDeployedStorage({}), undefined);
            assert.deepStrictEqual(parseDeployedStorage({ [DEPLOYED_STORAGE_OUTPUT]: { prometheus: { storageSize: 5 } } }), {});
        });
    });

    describe("a change against what is deployed", () => {
        it("passes when nothing is deployed yet (a first up)", () => {
            assert.deepStrictEqual(storageChangeProblems(undefined, settings("staging", { storageClassName: "fast" })), []);
        });

        it("passes when nothing storage-related changes", () => {
            assert.deepStrictEqual(problems({ metrics: { prometheus: { retentionDays: 20 } } }), []);
        });

        it("passes for a store that was not deployed before", () => {
            const { graylog: _g, mongodb: _m, ...withoutGraylog } = STAGING;
            assert.deepStrictEqual(problems({ graylog: { storageSize: "80Gi" } }, withoutGraylog), []);
        });

        describe("Elasticsearch", () => {
            it("refuses a new storage class without a new nodeSet, naming the key and the procedure", () => {
                const [p, ...rest] = problems({ storageClassName: "fast" }).filter((x) => /Elasticsearch/.test(x));
                assert.deepStrictEqual(rest, []);
                assert.match(p, /^observability-platform:storageClassName: got "fast" while Elasticsearch's volumes are on unset \(the cluster default\); allowed: .*logging\.elasticsearch\.nodeSetName/);
                assert.match(p, /README#move-or-shrink-elasticsearch-volumes/);
            });

            it("refuses a class named where none was, even the cluster default's own name", () => {
                assert.ok(problems({ storageClassName: "standard" }).some((x) => /storageClassName: got "standard" while Elasticsearch/.test(x)));
            });

            it("refuses a smaller volume", () => {
                assert.match(problems({ logging: { elasticsearch: { storageSize: "40Gi" } } }).join("\n"),
                    /logging\.elasticsearch\.storageSize: got "40Gi", deployed "50Gi"; allowed: 50Gi or more/);
            });

            it("refuses a larger volume on a class not declared expandable", () => {
                assert.match(problems({ logging: { elasticsearch: { storageSize: "60Gi" } } }).join("\n"),
                    /logging\.elasticsearch\.storageSize: got "60Gi", deployed "50Gi", on a class not declared expandable; allowed: 50Gi, or set storageClassAllowsExpansion: true/);
            });

            it("lets a larger volume through on an expandable class: ECK grows it in place", () => {
                assert.deepStrictEqual(problems({ storageClassAllowsExpansion: true, logging: { elasticsearch: { storageSize: "60Gi" } } }), []);
            });

            it("lets a new class and a smaller size through with a new nodeSet name", () => {
                assert.deepStrictEqual(problems({ graylog: { enabled: false }, metrics: { enabled: false }, storageClassName: "fast", logging: { elasticsearch: { storageSize: "40Gi", nodeSetName: "fast" } } }), []);
            });
        });

        describe("Prometheus and Alertmanager", () => {
            it("refuses a larger Prometheus volume even on an expandable class: the operator resizes none", () => {
                const p = problems({ storageClassAllowsExpansion: true, metrics: { prometheus: { storageSize: "80Gi", retentionSize: "45GB" } } });
                assert.strictEqual(p.length, 1);
                assert.match(p[0], /^observability-platform:metrics\.prometheus\.storageSize: got "80Gi", deployed "50Gi"; allowed: 50Gi: the Prometheus Operator resizes no volume/);
                assert.match(p[0], /README#resize-prometheus-or-alertmanager-volumes, then add "metrics\.prometheus\.storageSize" to storageChangesDoneByHand/);
            });

            it("refuses a smaller Alertmanager volume", () => {
                assert.match(problems({ metrics: { alertmanager: { storageSize: "500Mi" } } }).join("\n"), /metrics\.alertmanager\.storageSize: got "500Mi", deployed "1Gi"/);
            });

            it("lets the change through once it is listed as done by hand", () => {
                assert.deepStrictEqual(problems({ storageChangesDoneByHand: ["metrics.prometheus.storageSize"], metrics: { prometheus: { storageSize: "80Gi" } } }), []);
            });
        });

        describe("Graylog, its Data Node and MongoDB", () => {
            it("refuses a Graylog storage change, which would replace both StatefulSets", () => {
                assert.match(problems({ graylog: { storageSize: "80Gi" } }).join("\n"),
                    /graylog\.storageSize: got "80Gi", deployed "50Gi"; allowed: 50Gi: a StatefulSet's claim templates are immutable.*README#resize-graylog-or-data-node-volumes/);
            });

            it("refuses a MongoDB storage change, which would turn the replica set Failed", () => {
                assert.match(problems({ graylog: { mongodbStorageSize: "20Gi" } }).join("\n"),
                    /graylog\.mongodbStorageSize: got "20Gi", deployed "5Gi"; allowed: 5Gi: the MongoDB operator .*README#resize-mongodb-volumes/);
            });

            it("refuses fewer Data Nodes, and allows more", () => {
                const three = storageFacts(settings("staging", { graylog: { dataNodeReplicas: 3 } }));
                assert.match(problems({ graylog: { dataNodeReplicas: 2 } }, three).join("\n"),
                    /graylog\.dataNodeReplicas: got 2, deployed 3; allowed: 3 or more: .*README#remove-graylog-data-nodes/);
                assert.deepStrictEqual(problems({ graylog: { dataNodeReplicas: 3 } }), []);
            });

            it("lets fewer Data Nodes through once they were removed by hand", () => {
                const three = storageFacts(settings("staging", { graylog: { dataNodeReplicas: 3 } }));
                assert.deepStrictEqual(problems({ storageChangesDoneByHand: ["graylog.dataNodeReplicas"], graylog: { dataNodeReplicas: 2 } }, three), []);
            });
        });

        describe("Grafana", () => {
            it("refuses a smaller volume, and a larger one on a class not declared expandable", () => {
                assert.match(problems({ metrics: { grafana: { storageSize: "1Gi" } } }).join("\n"), /metrics\.grafana\.storageSize: got "1Gi", deployed "5Gi"; allowed: 5Gi or more/);
                assert.match(problems({ metrics: { grafana: { storageSize: "10Gi" } } }).join("\n"), /metrics\.grafana\.storageSize: got "10Gi", deployed "5Gi", on a class not declared expandable/);
                assert.deepStrictEqual(problems({ storageClassAllowsExpansion: true, metrics: { grafana: { storageSize: "10Gi" } } }), []);
            });
        });

        it("refuses a storage class change of every store that cannot make it, each once", () => {
            const p = problems({ storageClassName: "fast" });
            for (const store of ["Elasticsearch", "Prometheus", "Alertmanager", "Grafana", "Graylog and its Data Node", "Graylog's MongoDB"]) {
                assert.strictEqual(p.filter((x) => x.includes(`while ${store}'s volumes`)).length, 1, store);
            }
        });

        it("refuses a key left in storageChangesDoneByHand once its change is deployed", () => {
            assert.match(problems({ storageChangesDoneByHand: ["graylog.storageSize"] }).join("\n"),
                /storageChangesDoneByHand: lists "graylog\.storageSize", which is not changing against what is deployed; .*remove "graylog\.storageSize"/);
        });

        it("refuses an unknown key in storageChangesDoneByHand with the keys allowed", () => {
            try {
                settings("staging", { storageChangesDoneByHand: ["logging.elasticsearch.storageSize"] });
                assert.fail("expected a ConfigError");
            } catch (err) {
                assert.ok(isConfigError(err));
                assert.match((err as Error).message, /storageChangesDoneByHand\[0\]: got "logging\.elasticsearch\.storageSize"; allowed: one of storageClassName, metrics\.prometheus\.storageSize, /);
            }
        });
    });

    describe("in the whole program", () => {
        const stackFile = readStackFile(path.join(ROOT, "Pulumi.staging.yaml"));
        const deployed = { [DEPLOYED_STORAGE_OUTPUT]: storageFacts(buildSettings({ stack: "staging", config: stackFile.config })) };

        it("exports the storage facts the next run compares with", async () => {
            const run = await runProgram("staging");
            assert.deepStrictEqual(run.outputs[DEPLOYED_STORAGE_OUTPUT], deployed[DEPLOYED_STORAGE_OUTPUT]);
        });

        it("refuses a storage change before registering any resource", async () => {
            const registered: string[] = [];
            await pulumi.runtime.setMocks({
                newResource: (args) => { registered.push(args.type); return { id: `${args.name}-id`, state: args.inputs }; },
                call: (args) => (args.token === "pulumi:pulumi:readStackOutputs" ? { outputs: deployed } : args.inputs),
            }, P, "staging", true, "organization");
            pulumi.runtime.setAllConfig({ ...stackFile.config, [`${P}:storageClassName`]: "fast" }, stackFile.secretKeys);
            // Afresh, as scripts/mock-program.ts loads it (compiled or not, beside this tree).
            for (const id of Object.keys(require.cache).filter((f) => f.startsWith(ROOT) && !/[\\/](node_modules|scripts)[\\/]/.test(f))) {
                delete require.cache[id];
            }
            const program = require(path.join(__dirname, "..", "..", "..", "index"));
            await assert.rejects(program(), (err: Error) => isConfigError(err) && /storageClassName: got "fast"/.test(err.message));
            assert.deepStrictEqual(registered, []);
        });

        it("registers the stack as usual when the change is allowed", async () => {
            const run = await runProgram("staging", { config: { [`${P}:storageClassAllowsExpansion`]: "true" }, stackOutputs: deployed });
            assert.ok(run.resources.some((r) => r.type === "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch"));
        });
    });
});
