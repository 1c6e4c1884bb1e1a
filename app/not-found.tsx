import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="prose">
      <h1>Not found</h1>
      <p className="lede">There is no such model, run or head here.</p>
      <p>
        Heads are addressed as <code>/models/&#123;model&#125;/heads/&#123;layer&#125;.&#123;head&#125;</code>, both 0-indexed (for example{' '}
        <code>heads/0.1</code> for L0H1). Runs that are not published are not shown.
      </p>
      <p>
        <Link href="/models">Browse the models →</Link>
      </p>
    </div>
  );
}
