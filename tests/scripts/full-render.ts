/**
 * The full render of each stack, made once per test run from the shared program run and shared
 * by every test file that needs it (module cache), in-process. Runs are chained: the mock
 * runtime is global.
 */
import { chartDirectory } from "../../scripts/charts";
import { RenderedStack, renderRun } from "../../scripts/render";
import { stackRun } from "../helpers/program";

export const STACKS = ["dev", "staging", "prod"] as const;

const cache = new Map<string, Promise<RenderedStack>>();
let queue: Promise<unknown> = Promise.resolve();

/** Serialises program runs; the mock runtime holds one program at a time. */
export function serially<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
}

/**
 * The stack's full render. Throws (never skips) when there is no chart directory, with the
 * message that says how to get one.
 */
export function renderedStack(stack: string): Promise<RenderedStack> {
    chartDirectory();
    let entry = cache.get(stack);
    if (!entry) {
        entry = serially(() => stackRun(stack).then(renderRun));
        cache.set(stack, entry);
    }
    return entry;
}
