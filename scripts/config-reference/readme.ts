/** The README's configuration reference table, kept between two marker comments. */
import { referenceTable } from "./reference-table";

export const BEGIN_MARKER = "<!-- config-reference:begin (generated from components/config by `npm run config-reference`; do not edit by hand) -->";
export const END_MARKER = "<!-- config-reference:end -->";

/** The README with the text between the markers replaced by the table generated now. */
export function readmeWithReference(readme: string): string {
    const begin = readme.indexOf(BEGIN_MARKER);
    const end = readme.indexOf(END_MARKER);
    if (begin === -1 || end === -1 || end < begin) {
        throw new Error(`README.md: expected the markers ${BEGIN_MARKER} and ${END_MARKER}, in that order, in "## Configuration reference"`);
    }
    return `${readme.slice(0, begin + BEGIN_MARKER.length)}\n${referenceTable()}\n${readme.slice(end)}`;
}
