/**
 * The dependency graph of a state (pulumi/pulumi v3.259 pkg/resource/graph/dependency_graph.go):
 * DependingOn follows dependencies, property dependencies, deletedWith, replaceWith and provider
 * references (not parents: the engine calls it with includeChildren=false for replacements), and
 * the delete schedule (step_generator.go ScheduleDeletes) removes a resource only once nothing
 * left in the condemned set depends on it, its parent edge included.
 */
import { dependenciesOf, providerUrnOf, type StoredResource } from "../deployment-state";

function edgesWithoutParent(resource: StoredResource): string[] {
    const provider = resource.provider === "" ? [] : [providerUrnOf(resource.provider)];
    return [
        ...resource.dependencies,
        ...Object.values(resource.propertyDependencies).flat(),
        resource.deletedWith,
        ...resource.replaceWith,
        ...provider,
    ].filter((urn) => urn !== "");
}

/** The resources that depend on `root`, directly or not, dependencies before their dependents. */
export function dependingOn(resources: readonly StoredResource[], root: StoredResource, ignore: ReadonlySet<string>): StoredResource[] {
    const dependents = new Set<string>([root.urn]);
    let grew = true;
    while (grew) {
        grew = false;
        for (const candidate of resources) {
            if (dependents.has(candidate.urn) || ignore.has(candidate.urn)) continue;
            if (edgesWithoutParent(candidate).some((urn) => dependents.has(urn))) {
                dependents.add(candidate.urn);
                grew = true;
            }
        }
    }
    dependents.delete(root.urn);
    return topologicalOrder(resources.filter((resource) => dependents.has(resource.urn)));
}

/** Dependencies first; resources in a cycle (which a valid state cannot have) keep their order. */
export function topologicalOrder(resources: readonly StoredResource[]): StoredResource[] {
    const remaining = [...resources];
    const ordered: StoredResource[] = [];
    while (remaining.length > 0) {
        const index = remaining.findIndex((candidate) => !dependenciesOf(candidate).some((urn) => remaining.some((other) => other !== candidate && other.urn === urn)));
        const [next] = remaining.splice(index < 0 ? 0 : index, 1) as [StoredResource];
        ordered.push(next);
    }
    return ordered;
}

/** The order deletes run in: a resource only after everything (still condemned) that depends on it. */
export function deleteOrder(condemned: readonly StoredResource[]): StoredResource[] {
    return topologicalOrder(condemned).reverse();
}
