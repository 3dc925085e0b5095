import { PROJECT } from "../../scripts/plan/stack-file";

/** Plaintext for the example stacks' secure keys (test values, not real credentials). */
export const TEST_SECRETS: Readonly<Record<string, string>> = {
    "openstack:password": "test-openstack-password",
    [`${PROJECT}:githubToken`]: "ghp_testtoken0000000000000000000000000000",
    [`${PROJECT}:githubAppPrivateKey`]: "-----BEGIN RSA PRIVATE KEY-----\nMIItest\n-----END RSA PRIVATE KEY-----\n",
};

/** The test plaintext of a secure stack value; any stack file may use any subset of them. */
export function testPlaintext(path: string): string {
    const plaintext = TEST_SECRETS[path];
    if (plaintext === undefined) throw new Error(`no test plaintext for the secure value ${path}`);
    return plaintext;
}
