/**
 * The secrets a store depends on, found from the store's own manifest in a mocked program run:
 * the Secrets it (or its server) reads, and every RandomPassword whose value is inside one of
 * them (the mocks give a RandomPassword the result `<MOCK_SECRET_PREFIX>random-<name>`). Deriving
 * them, rather than listing them, makes a new user or password that is left unprotected fail.
 */
import * as assert from "assert";
import { MOCK_SECRET_PREFIX, ProgramRun, RecordedResource } from "../../scripts/mock-program";

export interface StoreSecrets {
    readonly store: RecordedResource;
    readonly secrets: RecordedResource[];
    readonly passwords: RecordedResource[];
}

export function storeSecrets(run: ProgramRun, store: RecordedResource, secretNames: readonly string[]): StoreSecrets {
    const namespace = store.inputs.metadata.namespace;
    const secrets = secretNames.map((secretName) => {
        const secret = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === secretName && r.inputs.metadata.namespace === namespace);
        assert.ok(secret, `${store.inputs.kind} reads Secret ${namespace}/${secretName}, which the program declares`);
        return secret;
    });
    const held = JSON.stringify(secrets.map((s) => s.inputs.stringData ?? {}));
    const passwords = run.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword" && held.includes(`${MOCK_SECRET_PREFIX}random-${r.name}`));
    return { store, secrets, passwords };
}

/** Every Secret and RandomPassword is protected and retained exactly as its store is; in prod, both. */
export function assertKeptWithStore({ store, secrets, passwords }: StoreSecrets, prod: boolean): void {
    assert.ok(passwords.length > 0, `${store.inputs.kind}: found the passwords it depends on`);
    if (prod) {
        assert.ok(store.protect && store.retainOnDelete, `prod protects and retains the ${store.inputs.kind}`);
    }
    for (const r of [...secrets, ...passwords]) {
        const what = `${r.type.split(":").pop()} ${r.name}`;
        assert.strictEqual(r.protect, store.protect, `${what}: protect follows the ${store.inputs.kind}`);
        assert.strictEqual(r.retainOnDelete, store.retainOnDelete, `${what}: retainOnDelete follows the ${store.inputs.kind}`);
    }
}
