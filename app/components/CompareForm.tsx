/** The two run ids of /compare, as a plain GET form (works without JavaScript). */
export function CompareForm({ a, b }: { a: string; b: string }) {
  return (
    <form action="/compare" method="get" className="compare-form">
      <label>
        Run a <input name="a" defaultValue={a} placeholder="r4xq9m2k7p0" size={14} />
      </label>{' '}
      <label>
        run b <input name="b" defaultValue={b} placeholder="r8ck3v5w1zd" size={14} />
      </label>{' '}
      <button type="submit">Compare</button>
    </form>
  );
}
