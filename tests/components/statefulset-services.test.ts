/**
 * Every StatefulSet's `serviceName` names a headless Service that selects its pods (the pods'
 * stable DNS names `<pod>.<serviceName>` exist only then), judged on each stack's full render.
 * `serviceName` is immutable: changing it replaces the StatefulSet (pulumi-kubernetes diff.go
 * forces a replace on an immutable field; named objects are deleted first), so where a chart names
 * a Service it does not render, the program makes that Service instead of renaming.
 */
import * as assert from "assert";
import { selectorMatches } from "../../policies/lib/kube";
import { renderedStack, STACKS } from "../scripts/full-render";

/** StatefulSets whose Service is not headless, with the reason they are left so. */
const NOT_HEADLESS: Readonly<Record<string, string>> = {
    "graylog/graylog":
        "the Graylog chart's only Service graylog-svc is a ClusterIP Service that also carries GELF and the UI; making it headless replaces it and changes how clients balance, renaming serviceName replaces the StatefulSet",
};

describe("StatefulSet Services", () => {
    for (const stack of STACKS) {
        it(`in ${stack}, every StatefulSet names a headless Service in its namespace that selects its pods, except the listed ones`, async () => {
            const objects = (await renderedStack(stack)).objects.map((o) => o.object);
            const services = objects.filter((o) => o.kind === "Service");
            const wrong = objects.filter((o) => o.kind === "StatefulSet").flatMap((s) => {
                const key = `${s.metadata.namespace}/${s.metadata.name}`;
                const svc = services.find((v) => v.metadata.name === s.spec.serviceName && v.metadata.namespace === s.metadata.namespace);
                const ok = svc !== undefined && svc.spec.clusterIP === "None"
                    && selectorMatches({ matchLabels: svc.spec.selector ?? {} }, s.spec.template.metadata.labels ?? {});
                return ok === !(key in NOT_HEADLESS) ? [] : [`${key} -> ${s.spec.serviceName}${svc ? ` (clusterIP ${svc.spec.clusterIP ?? "allocated"})` : " (missing)"}`];
            });
            assert.deepStrictEqual(wrong, []);
        });
    }

    it("the ECK operator keeps the chart's serviceName, so nothing replaces its StatefulSet, and gets the Service it names", async () => {
        const objects = (await renderedStack("prod")).objects.map((o) => o.object);
        const sts = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "elastic-operator")!;
        assert.strictEqual(sts.spec.serviceName, "elastic-operator");
        const svc = objects.find((o) => o.kind === "Service" && o.metadata.name === "elastic-operator" && o.metadata.namespace === "logging")!;
        assert.deepStrictEqual(svc.spec, { clusterIP: "None", selector: sts.spec.selector.matchLabels });
    });
});
