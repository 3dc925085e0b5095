/**
 * A fake OpenStack for tests: Keystone v3 (version discovery, token issue by
 * password or application credential), Nova (servers: list with details, show,
 * delete, microversions 2.1 to 2.60 by default) and Glance v2 (images: list,
 * show, delete), stateful, answering as the API references document and
 * refusing what the real services refuse. Every answer is checked against the
 * operation's written-down contract (operations.ts, schemas/, contract.ts);
 * a mismatch is recorded and answered 500 naming it, so the test fails.
 *
 *   const fake = await FakeOpenstack.start({ https?, regions?, maxMicroversion?, novaMaxLimit?,
 *                                            glanceDefaultLimit?, glanceMaxLimit?, tokenLifetimeSeconds?, novaLinkOrigin? });
 *   fake.authUrl / fake.unversionedAuthUrl       // …/identity/v3, …/identity
 *   fake.addProject("ci"); fake.addUser({ name, password, domain?, projects: ["ci"] })
 *   fake.addApplicationCredential({ user, name, secret, project }) -> { id }
 *   fake.addServer({ name, project?, status?, metadata?, imageId?, flavor?, locked?, createdMs? })
 *   fake.addServers(250, (i) => ({ name: `s-${i}` }))
 *   fake.server(id) / fake.servers(project?) / fake.setServer(id, { status?, locked?, metadata? })
 *   fake.addImage({ name, project?, visibility?, protected?, properties? }) / fake.setImage(id, { inUseBy? })
 *   fake.advanceTime(ms); fake.revokeTokens(); fake.issuedTokens()
 *   fake.failNext({ service?: "identity" | "compute" | "image", method?, path? }, { status?, message?, retryAfterSeconds?, delayMs?, drop? }, times?)
 *   fake.requests                                // service, method, path, query, status, region, interface, microversion, ignoredQuery
 *   fake.contractViolations / fake.assertNoContractViolations() / fake.clearContractViolations()
 *   fake.corruptNextResponse(fn)                 // the fake's own tests: prove a wrong answer is caught
 *   await fake.stop()
 *
 * Injected failures are checked like any answer: injecting a status the
 * operation's reference page does not list is itself a violation.
 */
export { FakeOpenstack } from "./fake-openstack";
export type { ContractViolation, FakeOpenstackOptions, ImageChange, RecordedRequest, ServerChange } from "./fake-openstack";
export type { InjectedFailure, RequestPattern } from "./failures";
export type { FakeImage, FakeServer, ImageSpec, ServerSpec } from "./state";
export { DEFAULT_MAX_MICROVERSION } from "./microversion";
