/**
 * GitHub's page-number pagination: `per_page` (default 30, at most 100) and
 * `page` (from 1), with a `Link` header naming the prev/next/last/first pages.
 */
export interface Page<T> {
    items: T[];
    /** The `Link` header value; undefined when everything fits on one page. */
    link?: string;
}

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

/** `pageUrl(n)` gives the absolute URL of page n (the request's URL with `page` replaced). */
export function paginate<T>(all: T[], query: Record<string, string>, pageUrl: (page: number) => string): Page<T> {
    const perPage = Math.min(Math.max(Number(query.per_page ?? DEFAULT_PER_PAGE) || DEFAULT_PER_PAGE, 1), MAX_PER_PAGE);
    const page = Math.max(Number(query.page ?? 1) || 1, 1);
    const lastPage = Math.max(Math.ceil(all.length / perPage), 1);
    const items = all.slice((page - 1) * perPage, page * perPage);
    const links: string[] = [];
    if (page > 1) links.push(`<${pageUrl(Math.min(page - 1, lastPage))}>; rel="prev"`);
    if (page < lastPage) {
        links.push(`<${pageUrl(page + 1)}>; rel="next"`);
        links.push(`<${pageUrl(lastPage)}>; rel="last"`);
    }
    if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`);
    return { items, link: links.length > 0 ? links.join(", ") : undefined };
}

/** `url` with its `page` query parameter set to `page` (other parameters kept). */
export function withPage(url: URL, page: number): string {
    const next = new URL(url);
    next.searchParams.set("page", String(page));
    return next.toString();
}
