import { Breadcrumbs } from '@/app/components/Breadcrumbs';
import { CompareForm } from '@/app/components/CompareForm';

/** `/compare` with a run id that is malformed or not a published run: a 404 that says so, with the form to try again. */
export default function CompareNotFound() {
  return (
    <>
      <Breadcrumbs items={[{ label: 'Models', href: '/models' }, { label: 'Compare runs' }]} />
      <h1>Compare two runs</h1>
      <p className="notice" role="alert" data-testid="compare-problem">
        A run asked for is not a published run. Run ids are letters, digits, &quot;_&quot; and &quot;-&quot; (e.g. r4xq9m2k7p0); every run
        page, permalink and <a href="/api/v1/runs">/api/v1/runs</a> lists them.
      </p>
      <CompareForm a="" b="" />
    </>
  );
}
