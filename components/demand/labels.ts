/**
 * Runner labels as GitHub compares them: case-insensitively ("Labels are
 * case-insensitive", docs.github.com, actions/how-tos/manage-runners/self-hosted-runners/
 * apply-labels, formerly "Using labels with self-hosted runners"). The canonical
 * form of a label set is lowercased, unique and sorted, so equal sets have one spelling.
 */

export function canonicalLabels(labels: readonly string[]): string[] {
    return [...new Set(labels.map((label) => label.toLowerCase()))].sort();
}

export function isCanonicalLabels(labels: readonly string[]): boolean {
    const canonical = canonicalLabels(labels);
    return canonical.length === labels.length && canonical.every((label, i) => label === labels[i]);
}

/** One key per label set, for grouping; labels cannot contain a newline (config rule `^[\w-]+$`, GitHub's own names). */
export function labelSetKey(labels: readonly string[]): string {
    return canonicalLabels(labels).join("\n");
}
