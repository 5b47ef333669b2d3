/**
 * Kubernetes resource quantities (`250m`, `512Mi`, `10Gi`, `1.5`), parsed the way the API
 * server does for the suffixes we accept, so settings can be validated and budgets summed
 * before anything reaches a cluster.
 */

const QUANTITY = /^(\d+(?:\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;

const MULTIPLIERS: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** True when `value` is a well-formed, non-negative Kubernetes quantity. */
export function isQuantity(value: string): boolean {
    return QUANTITY.test(value);
}

/** The quantity as a plain number (cores for CPU, bytes for memory and storage). */
export function parseQuantity(value: string): number {
    const match = QUANTITY.exec(value);
    if (!match) {
        throw new Error(`"${value}" is not a Kubernetes quantity (examples: 250m, 1.5, 512Mi, 10Gi)`);
    }
    return Number(match[1]) * MULTIPLIERS[match[2] ?? ""];
}

/** Bytes as whole mebibytes, for values such as JVM heaps and Fluent Bit buffer limits. */
export function toMebibytes(value: string): number {
    return Math.floor(parseQuantity(value) / 2 ** 20);
}
