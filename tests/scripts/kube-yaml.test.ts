import { readKubeYaml } from "../../scripts/kube-yaml";
import { REPEATED_KEY, STREAMS, TRICKY_SCALARS } from "../helpers/yaml-cases";
import { assertSameReading, oracleReading, readingOf, yamlOracle } from "../helpers/yaml-oracle";

describe("reading YAML as the Kubernetes provider does (scripts/kube-yaml.ts, held to tools/yaml-oracle)", () => {
    before(async function () {
        // A cold build compiles apimachinery; once built it is instant.
        this.timeout(600_000);
        await yamlOracle();
    });

    for (const { what, yaml } of [...TRICKY_SCALARS, REPEATED_KEY, ...STREAMS]) {
        it(`reads ${what} as the provider's decoder does`, async () => {
            assertSameReading(readingOf(() => readKubeYaml(yaml)), await oracleReading(yaml), what);
        });
    }
});
