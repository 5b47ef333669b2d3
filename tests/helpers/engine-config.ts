/**
 * The engine checks `Pulumi.yaml`'s `config:` block against the stack file before the program
 * starts, so a mistake there makes every stack undeployable while every mock-based test passes.
 * `engineConfig` is that check and the merge that follows it, written from pulumi/pulumi's source:
 *   - sdk/go/common/workspace/project.go `(*Project).Validate`: `default` and `value` exclude each
 *     other; an `array` needs `items`; a typed `default` must match its type; a key of another
 *     namespace (`kubernetes:context`) takes neither `type` nor `default` and needs `value`.
 *   - pkg/workspace/config.go `mergeConfig`: a key of the project's namespace that the stack does
 *     not set, with no `default` and no `value`, is missing ("Stack 'dev' is missing
 *     configuration value ..."); otherwise a key the stack does not set gets the project's
 *     `default` or `value` (`createConfigValue`: a scalar as its `%v` string), in plain text, for
 *     keys of every namespace: a `kubernetes:` value reaches the default provider of every stack.
 *     A stack's own value wins.
 *   - `validateStackConfigValues`: for typed keys only, a `secret: true` key whose value is not
 *     `secure:` fails ("must be encrypted as it's secret") — a default lands here too — and the
 *     value must match the type (`ValidateConfigValue`: integers and booleans may be strings).
 */

interface ConfigType {
    type?: string;
    items?: { type: string; items?: unknown };
    default?: unknown;
    value?: unknown;
    secret?: boolean;
    description?: string;
}

const isSecure = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;

function matchesType(type: string, items: ConfigType["items"], value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return value !== null && typeof value === "object" && !Array.isArray(value);
        default:
            return Array.isArray(value) && items !== undefined && value.every((v) => matchesType(items.type, items.items as ConfigType["items"], v));
    }
}

export interface EngineConfig {
    /** Every error the engine would raise, in its words; when there is one, `config` is incomplete. */
    readonly errors: string[];
    /** The stack's config after the merge, by full key (`project:key`, `kubernetes:key`): what the program and the providers get. */
    readonly config: ReadonlyMap<string, unknown>;
}

type Project = { name: string; config?: Record<string, unknown> };
type Stack = { config?: Record<string, unknown> };

/** Every error the engine would raise for `project` and one stack file, in the engine's words. */
export function engineConfigErrors(project: Project, stack: Stack, stackName: string): string[] {
    return engineConfig(project, stack, stackName).errors;
}

/** What the engine makes of `project` and one stack file: its errors, and the merged config. */
export function engineConfig(project: Project, stack: Stack, stackName: string): EngineConfig {
    const errors: string[] = [];
    const ownKey = (key: string) => !key.includes(":") || key.startsWith(`${project.name}:`);
    const full = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    // RewriteShorthandConfigValues: a bare scalar or array is a default (own key) or a value.
    const declared = Object.entries(project.config ?? {}).map(([key, raw]): [string, ConfigType] =>
        [key, raw !== null && typeof raw === "object" && !Array.isArray(raw) ? raw as ConfigType : ownKey(key) ? { default: raw } : { value: raw }]);
    for (const [key, t] of declared) {
        if (t.default !== undefined && t.value !== undefined) {
            errors.push(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
        } else if (ownKey(key)) {
            if (t.type === "array" && !t.items) {
                errors.push(`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`);
            } else if (t.type && t.default !== undefined && !matchesType(t.type, t.items, t.default)) {
                errors.push(`The default value specified for configuration key '${key}' is not of the expected type '${t.type}'`);
            }
        } else if (t.type) {
            errors.push(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
        } else if (t.default !== undefined) {
            errors.push(`Configuration key '${key}' is not namespaced by the project and should not define a default value`);
        } else if (t.value === undefined) {
            errors.push(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
        }
    }
    if (errors.length > 0) {
        return { errors, config: new Map() };
    }
    const values = new Map(Object.entries(stack.config ?? {}).map(([k, v]) => [full(k), v]));
    const missing: string[] = [];
    for (const [key, t] of [...declared].sort(([a], [b]) => a.localeCompare(b))) {
        if (values.has(full(key))) {
            continue;
        }
        if (t.value === undefined && t.default === undefined && ownKey(key)) {
            missing.push(key);
        } else {
            values.set(full(key), t.default ?? t.value);
        }
    }
    if (missing.length > 0) {
        // formatMissingKeys: "'a'", "'a' and 'b'", "'a', 'b' and 'c'".
        const quoted = missing.map((k) => `'${k}'`);
        const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
        return { errors: [`Stack '${stackName}' is missing configuration value${missing.length > 1 ? "s" : ""} ${list}`], config: values };
    }
    for (const [key, t] of declared) {
        const value = values.get(full(key));
        if (!t.type || value === undefined) {
            continue;
        }
        if (t.secret && !isSecure(value)) {
            errors.push(`Stack '${stackName}' with configuration key '${key}' must be encrypted as it's secret`);
        } else if (!isSecure(value) && !matchesType(t.type, t.items, value)) {
            errors.push(`Stack '${stackName}' with configuration key '${key}' must be of type '${t.type}'`);
        }
    }
    return { errors, config: values };
}
