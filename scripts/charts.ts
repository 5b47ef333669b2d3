/**
 * The chart directory every tool reads the pinned charts from: `OBS_CHART_DIR` when set (this
 * repository's CI points it at ../shared/charts), else `.charts/`, which
 * `npm run charts:pull` fills from the official repositories when online.
 *
 *   npm run charts:pull [-- --dir <dir>]
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import * as YAML from "yaml";
import { chartFile, PinnedChart, pinnedCharts } from "../components/shared/charts";
import { helm } from "./helm";
import { ROOT } from "./mock-program";

export const PULLED_CHART_DIR = path.join(ROOT, ".charts");

export class NoChartDirectory extends Error {}

/** The chart directory in force; throws, saying how to get one, when there is none. */
export function chartDirectory(env: NodeJS.ProcessEnv = process.env): string {
    const fromEnv = env.OBS_CHART_DIR;
    const dir = fromEnv ? path.resolve(ROOT, fromEnv) : PULLED_CHART_DIR;
    if (!fs.existsSync(dir)) {
        throw new NoChartDirectory(fromEnv
            ? `OBS_CHART_DIR is ${fromEnv}, but ${dir} does not exist`
            : `no chart directory: set OBS_CHART_DIR to a directory holding the pinned charts (this repository's CI uses ../shared/charts), or run npm run charts:pull (needs the chart repositories)`);
    }
    return dir;
}

/** The files of a gzipped tar archive whose path matches `wanted`. */
export function tgzFiles(tgz: Buffer, wanted: (name: string) => boolean): Map<string, Buffer> {
    const tar = zlib.gunzipSync(tgz);
    const found = new Map<string, Buffer>();
    let longName: string | undefined;
    for (let at = 0; at + 512 <= tar.length;) {
        const header = tar.subarray(at, at + 512);
        if (header.every((b) => b === 0)) {
            break;
        }
        const field = (from: number, length: number) => header.toString("utf8", from, from + length).replace(/\0.*$/s, "");
        const size = parseInt(field(124, 12).trim() || "0", 8);
        const type = field(156, 1);
        const prefix = field(345, 155);
        const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
        const body = tar.subarray(at + 512, at + 512 + size);
        longName = undefined;
        if (type === "L") {
            longName = body.toString("utf8").replace(/\0.*$/s, "");
        } else if ((type === "0" || type === "") && wanted(name)) {
            found.set(name, Buffer.from(body));
        }
        at += 512 + Math.ceil(size / 512) * 512;
    }
    return found;
}

/** `Chart.yaml` of a packaged chart (the one at the top, not a subchart's). */
export function chartMetadata(file: string): { name: string; version: string } {
    const files = tgzFiles(fs.readFileSync(file), (name) => /^[^/]+\/Chart\.yaml$/.test(name));
    const [text] = files.values();
    if (!text) {
        throw new Error(`${file}: no Chart.yaml at the top of the archive`);
    }
    const meta = YAML.parse(text.toString("utf8"));
    return { name: String(meta.name), version: String(meta.version) };
}

/** Where the chart directory and the pins disagree: a missing chart, a wrong name or version, a chart nobody pins. */
export function pinProblems(dir: string, pins: readonly PinnedChart[] = pinnedCharts()): string[] {
    const problems: string[] = [];
    const expected = new Set(pins.map(chartFile));
    for (const pin of pins) {
        const file = path.join(dir, chartFile(pin));
        if (!fs.existsSync(file)) {
            problems.push(`${pin.chart} ${pin.version}: ${chartFile(pin)} is not in ${dir}`);
            continue;
        }
        const meta = chartMetadata(file);
        if (meta.name !== pin.chart || meta.version !== pin.version) {
            problems.push(`${chartFile(pin)}: its Chart.yaml says ${meta.name} ${meta.version}, the pin says ${pin.chart} ${pin.version}`);
        }
    }
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".tgz")).sort()) {
        if (!expected.has(file)) {
            problems.push(`${file}: no pin in components/shared/charts.ts matches it`);
        }
    }
    return problems;
}

/** `helm pull` of every pin at its exact version from its own repository. */
export function pullCharts(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    for (const pin of pinnedCharts()) {
        if (!fs.existsSync(path.join(dir, chartFile(pin)))) {
            console.log(`pulling ${pin.chart} ${pin.version} from ${pin.repo}`);
            helm(["pull", pin.chart, "--repo", pin.repo, "--version", pin.version, "--destination", dir]);
        }
    }
    const problems = pinProblems(dir);
    if (problems.length > 0) {
        throw new Error(`the chart directory disagrees with the pins:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

if (require.main === module) {
    const args = process.argv.slice(2);
    const dir = args[0] === "--dir" && args[1] ? path.resolve(args[1]) : PULLED_CHART_DIR;
    try {
        pullCharts(dir);
        console.log(`${pinnedCharts().length} pinned charts in ${dir}`);
    } catch (err) {
        console.error(`error: ${(err as Error).message}`);
        process.exit(1);
    }
}
