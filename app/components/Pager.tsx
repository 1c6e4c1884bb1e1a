/**
 * Page links under a long table (heads of a big model, a layer's neurons): plain links, so paging works without
 * JavaScript and every page has its own cacheable address. Shows the first, last and nearby pages.
 */
import Link from 'next/link';

export function Pager({
  page,
  pages,
  href,
  label,
  testId = 'pager',
}: {
  page: number;
  pages: number;
  href: (page: number) => string;
  label: string;
  testId?: string;
}) {
  if (pages <= 1) return null;
  const near = new Set([1, pages, page - 2, page - 1, page, page + 1, page + 2].filter((p) => p >= 1 && p <= pages));
  const shown = [...near].sort((a, b) => a - b);
  return (
    <nav className="pager" aria-label={label} data-testid={testId}>
      {page > 1 ? (
        <Link href={href(page - 1)} rel="prev" data-testid={`${testId}-prev`}>
          ← Previous
        </Link>
      ) : null}
      {shown.map((p, i) => (
        <span key={p}>
          {i > 0 && p - shown[i - 1] > 1 ? <span className="muted">… </span> : null}
          {p === page ? (
            <strong aria-current="page">{p}</strong>
          ) : (
            <Link href={href(p)} data-testid={`${testId}-page`}>
              {p}
            </Link>
          )}
        </span>
      ))}
      {page < pages ? (
        <Link href={href(page + 1)} rel="next" data-testid={`${testId}-next`}>
          Next →
        </Link>
      ) : null}
    </nav>
  );
}
