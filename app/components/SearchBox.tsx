/** The site-wide search box: a plain GET form to /search, so it works without JavaScript. */
export function SearchBox({ defaultValue = '' }: { defaultValue?: string }) {
  return (
    <form action="/search" method="get" role="search" className="search-box">
      <input
        type="search"
        name="q"
        defaultValue={defaultValue}
        maxLength={200}
        placeholder="Search: L9H6, induction > 0.5, L3N123…"
        aria-label="Search models, heads, neurons, metrics"
        data-testid="search-input"
      />
    </form>
  );
}
