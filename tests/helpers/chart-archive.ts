import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { chartFile, PinnedChart } from "../../components/shared/charts";
import { chartDirectory } from "../../scripts/charts";
import { tempDir } from "./tools";

/** Unpacks the pinned chart's archive and returns the chart's root folder. Fails if the archive is missing. */
export function unpackChart(pin: PinnedChart): string {
    const archive = path.join(chartDirectory(), chartFile(pin));
    if (!fs.existsSync(archive)) {
        throw new Error(`${archive} is missing: the chart directory lacks a pinned chart (npm run charts:pull fills it)`);
    }
    const dir = tempDir(`chart-${pin.chart}`);
    execFileSync("tar", ["-xzf", archive, "-C", dir]);
    return path.join(dir, pin.chart);
}

/** Every template file of an unpacked chart (subcharts included), relative to the chart root. */
export function templateFiles(root: string): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(full);
            } else if (full.includes(`${path.sep}templates${path.sep}`)) {
                out.push(path.relative(root, full));
            }
        }
    };
    walk(root);
    return out.sort();
}
