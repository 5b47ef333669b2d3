import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PinnedChart } from "../../components/shared/charts";
import { tempDir } from "./tools";
import { ROOT } from "../../scripts/root";

/** The directory of pinned chart archives: `$OBS_CHART_DIR`, else `../shared/charts` beside the repository (as CI has it). */
export function chartArchiveDir(): string {
    return process.env.OBS_CHART_DIR ?? path.resolve(ROOT, "..", "shared", "charts");
}

/** Unpacks the pinned chart's archive and returns the chart's root folder. Fails if the archive is missing. */
export function unpackChart(pin: PinnedChart): string {
    const archive = path.join(chartArchiveDir(), `${pin.chart}-${pin.version}.tgz`);
    if (!fs.existsSync(archive)) {
        throw new Error(`${archive} is missing: set OBS_CHART_DIR to the folder of pinned chart archives`);
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
