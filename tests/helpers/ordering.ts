import { RecordedResource } from "../../scripts/mock-program";

/** `from -> to`, by resource name without the stack's `observability-` prefix. */
export type Edge = `${string} -> ${string}`;

const local = (r: RecordedResource) => r.type.startsWith("observability:") || r.type === "pulumi:pulumi:Stack";

/**
 * Every wait the program declares, one edge per (resource, what it waits for). A `dependsOn` on
 * one of the program's components reaches the SDK as every resource inside it; those are folded
 * back into the component, so an edge reads as the program states it. Edges to random passwords
 * are data flow (a Secret holds the password), not ordering, and are left out.
 */
export function orderingEdges(resources: readonly RecordedResource[]): Edge[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const short = (urn: string) => byUrn.get(urn)!.name.replace(/^observability-/, "");
    const ancestors = (r: RecordedResource): string[] => {
        const out: string[] = [];
        for (let p = r.parent; p && byUrn.has(p); p = byUrn.get(p)!.parent) {
            out.push(p);
        }
        return out;
    };
    const components = resources.filter((r) => local(r) && r.type !== "pulumi:pulumi:Stack" && r.parent && byUrn.get(r.parent)?.type !== "pulumi:pulumi:Stack");
    const inside = new Map(components.map((c) => [c.urn, resources.filter((r) => !local(r) && ancestors(r).includes(c.urn)).map((r) => r.urn)]));
    const edges = new Set<Edge>();
    for (const r of resources) {
        const deps = new Set(r.dependsOn);
        for (const c of [...components].sort((a, b) => inside.get(b.urn)!.length - inside.get(a.urn)!.length)) {
            const members = inside.get(c.urn)!;
            if (members.length > 0 && members.every((m) => deps.has(m))) {
                members.forEach((m) => deps.delete(m));
                deps.add(c.urn);
            }
        }
        for (const d of deps) {
            if (byUrn.has(d) && !byUrn.get(d)!.type.startsWith("random:")) {
                edges.add(`${short(r.urn)} -> ${short(d)}`);
            }
        }
    }
    return [...edges].sort();
}
