/** URNs as the Pulumi engine builds them (pkg/resource/urn.go: NewURN). */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export function typeOfUrn(urn: string): string {
    // urn:pulumi:<stack>::<project>::<qualified type>::<name>; the last segment of the qualified type is the type.
    const qualifiedType = urn.split("::")[2] ?? "";
    const parts = qualifiedType.split("$");
    return parts[parts.length - 1] ?? "";
}

function qualifiedTypeOfUrn(urn: string): string {
    return urn.split("::")[2] ?? "";
}

export function makeUrn(stack: string, project: string, parentUrn: string, type: string, name: string): string {
    const parentType = parentUrn === "" ? "" : qualifiedTypeOfUrn(parentUrn);
    const qualifiedType = parentType === "" || parentType === ROOT_STACK_TYPE ? type : `${parentType}$${type}`;
    return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}
