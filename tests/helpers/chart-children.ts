import * as assert from "assert";
import { CHART_TYPE, chartReleases, KubeObject, templateOnce, typeToken } from "../../scripts/chart-render";
import { chartDirectory } from "../../scripts/charts";
import { ProgramRun } from "../../scripts/mock-program";
import { masked } from "../../scripts/render";

export interface ChartChild {
    readonly object: KubeObject;
    /** The resource options the chart resource's own transforms gave it. */
    readonly opts: Record<string, any>;
}

/**
 * Each object of the run's one chart whose name contains `chart`, with the options its transforms
 * give it, threaded as the engine threads them through a v4 Chart's children. Starts from no
 * options: callers that rely on that check the objects carry no `helm.sh/resource-policy`.
 */
export async function chartChildren(run: ProgramRun, chart: string): Promise<ChartChild[]> {
    const resources = run.resources.filter((r) => r.type === CHART_TYPE && String(r.inputs.chart).includes(chart));
    assert.strictEqual(resources.length, 1, `${run.stack}: one ${chart} chart`);
    const [release] = chartReleases(resources, masked, () => chartDirectory());
    const out: ChartChild[] = [];
    for (const object of (await templateOnce(release)).objects) {
        let props = structuredClone(object);
        let opts: Record<string, any> = {};
        for (const transform of release.transforms) {
            const result = await transform({ custom: true, type: typeToken(props), name: `${release.name}:${props.metadata?.name}`, props, opts });
            if (result) {
                props = result.props;
                opts = result.opts ?? opts;
            }
        }
        out.push({ object: props, opts });
    }
    return out;
}
