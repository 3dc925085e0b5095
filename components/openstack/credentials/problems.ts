/**
 * The single error a failed resolution gives: what is missing or
 * contradictory, where each setting can be given, and a note when a
 * clouds.yaml cloud made the provider ignore the stack's own auth keys.
 */
import { OpenstackCredentialsError } from "../errors";
import type { AuthField } from "./auth-info";

/** Where a field can be given, for "missing" messages. */
export const WHERE_TO_SET: Record<AuthField, string> = {
    auth_url: "openstack:authUrl, OS_AUTH_URL or auth.auth_url in clouds.yaml",
    token: "openstack:token, OS_TOKEN",
    username: "openstack:userName, OS_USERNAME or auth.username in clouds.yaml",
    user_id: "openstack:userId, OS_USER_ID or auth.user_id in clouds.yaml",
    password: "openstack:password (pulumi config set --secret openstack:password), OS_PASSWORD or auth.password in clouds.yaml/secure.yaml",
    application_credential_id: "openstack:applicationCredentialId, OS_APPLICATION_CREDENTIAL_ID or auth.application_credential_id in clouds.yaml",
    application_credential_name: "openstack:applicationCredentialName, OS_APPLICATION_CREDENTIAL_NAME or auth.application_credential_name in clouds.yaml",
    application_credential_secret:
        "openstack:applicationCredentialSecret (pulumi config set --secret), OS_APPLICATION_CREDENTIAL_SECRET or auth.application_credential_secret in clouds.yaml/secure.yaml",
    system_scope: "openstack:systemScope, OS_SYSTEM_SCOPE",
    project_id: "openstack:tenantId, OS_PROJECT_ID/OS_TENANT_ID or auth.project_id in clouds.yaml",
    project_name: "openstack:tenantName, OS_PROJECT_NAME/OS_TENANT_NAME or auth.project_name in clouds.yaml",
    user_domain_id: "openstack:userDomainId, OS_USER_DOMAIN_ID or auth.user_domain_id in clouds.yaml",
    user_domain_name: "openstack:userDomainName, OS_USER_DOMAIN_NAME or auth.user_domain_name in clouds.yaml",
    project_domain_id: "openstack:projectDomainId, OS_PROJECT_DOMAIN_ID or auth.project_domain_id in clouds.yaml",
    project_domain_name: "openstack:projectDomainName, OS_PROJECT_DOMAIN_NAME or auth.project_domain_name in clouds.yaml",
    domain_id: "openstack:domainId, OS_DOMAIN_ID or auth.domain_id in clouds.yaml",
    domain_name: "openstack:domainName, OS_DOMAIN_NAME or auth.domain_name in clouds.yaml",
    default_domain: "openstack:defaultDomain, OS_DEFAULT_DOMAIN or auth.default_domain in clouds.yaml",
};

/** Collects context for errors: which stack keys a cloud entry made the provider ignore. */
export class Problems {
    ignored: string[] = [];

    fail(message: string): never {
        const note =
            this.ignored.length > 0
                ? ` (note: ${this.ignored.join(", ")} in the stack config ${this.ignored.length === 1 ? "is" : "are"} ignored while a clouds.yaml cloud is selected, as the provider ignores ${this.ignored.length === 1 ? "it" : "them"})`
                : "";
        throw new OpenstackCredentialsError(`OpenStack credentials: ${message}${note}`);
    }

    missing(what: string, fields: AuthField[]): never {
        return this.fail(`${what}; set ${fields.map((f) => WHERE_TO_SET[f]).join(", or ")}`);
    }
}

