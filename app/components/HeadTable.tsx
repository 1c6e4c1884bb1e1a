'use client';

/**
 * The head table: one row per head, one column per registry metric. Rendered on the server in
 * the order the URL asks for (`?sort=induction&dir=desc&layer=1&min=0.3`), so it reads without
 * JavaScript: headers are links and the filter is a GET form. With JavaScript, TanStack Table v9
 * sorts and filters in place and keeps the URL in step. A model with more heads than one page
 * (`paging`) gets only the page's rows, already sorted and filtered on the server; sorting and
 * filtering then load the page for the new query (`?page=` links below), so the page's weight does
 * not grow with the model.
 */
import { useEffect, useMemo, useState, type FormEvent, type MouseEvent } from 'react';
import Link from 'next/link';
import {
  columnFilteringFeature,
  createColumnHelper,
  createFilteredRowModel,
  createSortedRowModel,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type ColumnFiltersState,
  type FilterFn,
  type SortingState,
  type TableFeatures,
} from '@tanstack/react-table';
import type { HeadRow, SortDir } from '@/lib/api/head-rows';
import { formatMetricValue } from '@/lib/format/numbers';
import { queryString } from '@/lib/format/paths';
import type { HeadBadge } from '@/lib/api/head-labels-view';
import type { RoleColumns } from '@/lib/api/head-role-columns';
import { HeadBadges } from './heads/HeadBadges';
import { useHydrated } from './use-hydrated';
import { Pager } from './Pager';

export interface HeadTableMetric {
  id: string;
  title: string;
  summary: string;
  range: [number, number];
}

export interface HeadTableQuery {
  sort?: string;
  dir: SortDir;
  layer?: number;
  /** Lower bound on the sort metric. */
  min?: number;
}

export interface HeadTableProps {
  metrics: HeadTableMetric[];
  rows: HeadRow[];
  nLayers: number;
  /** The page the query links point at (no query string). */
  pagePath: string;
  /** Head page links are `${headHrefPrefix}${layer}.${head}`. */
  headHrefPrefix: string;
  initial: HeadTableQuery;
  /** Label badges by head name (`L1H7`), shown beside the head's name. */
  labels?: Record<string, HeadBadge[]>;
  /** metric id → label threshold: values at or above it are highlighted. */
  thresholds?: Record<string, number>;
  /** Metric columns shown at first (all when absent); the column chooser changes them. */
  defaultColumns?: string[];
  /** Set when `rows` is one page of the query's heads (sorted and filtered on the server). */
  paging?: HeadTablePaging;
  /** Circuit-role columns (lib/api/head-role-columns.ts), after the metrics. */
  roles?: RoleColumns;
}

export interface HeadTablePaging {
  page: number;
  pages: number;
  pageSize: number;
  /** Heads matching the query, and in the model. */
  matching: number;
  total: number;
}

type Features = typeof features;

const sameLayer: FilterFn<TableFeatures, HeadRow> = (row, columnId, filterValue) => row.getValue(columnId) === filterValue;
const atLeast: FilterFn<TableFeatures, HeadRow> = (row, columnId, filterValue) => {
  const v = row.getValue(columnId);
  return typeof v === 'number' && !Number.isNaN(v) && v >= (filterValue as number);
};

const features = tableFeatures({
  rowSortingFeature,
  columnFilteringFeature,
  filteredRowModel: createFilteredRowModel(),
  sortedRowModel: createSortedRowModel(),
  filterFns: { sameLayer, atLeast },
});

const helper = createColumnHelper<Features, HeadRow>();

function buildColumns(metrics: HeadTableMetric[]) {
  return helper.columns([
    // Model order: L0H0, L0H1, …, L1H0 (not string order, which would put L10 before L2).
    helper.accessor((r) => r.layer * 100_000 + r.head, { id: 'name', enableColumnFilter: false, sortDescFirst: false }),
    helper.accessor((r) => r.layer, { id: 'layer', filterFn: 'sameLayer', sortDescFirst: false }),
    ...metrics.map((m) =>
      helper.accessor((r) => r.values[m.id] ?? undefined, {
        id: m.id,
        filterFn: 'atLeast',
        sortUndefined: 'last',
        sortDescFirst: true,
      }),
    ),
  ]);
}

function stateFromQuery(q: HeadTableQuery, metricIds: string[]): { sorting: SortingState; columnFilters: ColumnFiltersState } {
  const sorting: SortingState = q.sort ? [{ id: q.sort === 'head' ? 'name' : q.sort, desc: q.dir === 'desc' }] : [];
  const columnFilters: ColumnFiltersState = [];
  if (q.layer !== undefined) columnFilters.push({ id: 'layer', value: q.layer });
  if (q.min !== undefined && q.sort && metricIds.includes(q.sort)) columnFilters.push({ id: q.sort, value: q.min });
  return { sorting, columnFilters };
}

function queryFromState(sorting: SortingState, columnFilters: ColumnFiltersState): HeadTableQuery {
  const s = sorting[0];
  const layer = columnFilters.find((f) => f.id === 'layer')?.value as number | undefined;
  const min = s ? (columnFilters.find((f) => f.id === s.id)?.value as number | undefined) : undefined;
  return { sort: s?.id, dir: s?.desc ? 'desc' : 'asc', layer, min };
}

function hrefFor(pagePath: string, q: HeadTableQuery, page?: number): string {
  return (
    pagePath +
    queryString({ sort: q.sort, dir: q.sort ? q.dir : undefined, layer: q.layer, min: q.min, page: page && page > 1 ? page : undefined })
  );
}

/** What clicking a header does: a new column starts in its natural order, the sorted one flips. */
function nextSort(current: HeadTableQuery, columnId: string, descFirst: boolean): HeadTableQuery {
  const dir: SortDir = current.sort === columnId ? (current.dir === 'desc' ? 'asc' : 'desc') : descFirst ? 'desc' : 'asc';
  // `min` only applies to the metric being sorted on, so it is dropped when the sort column changes.
  return { ...current, sort: columnId, dir, min: current.sort === columnId ? current.min : undefined };
}

function ariaSort(q: HeadTableQuery, columnId: string): 'ascending' | 'descending' | 'none' {
  if (q.sort !== columnId) return 'none';
  return q.dir === 'desc' ? 'descending' : 'ascending';
}

function arrow(q: HeadTableQuery, columnId: string): string {
  if (q.sort !== columnId) return '↕';
  return q.dir === 'desc' ? '▼' : '▲';
}

export function HeadTable({
  metrics: allMetrics,
  rows,
  nLayers,
  pagePath,
  headHrefPrefix,
  initial,
  labels,
  thresholds,
  defaultColumns,
  paging,
  roles,
}: HeadTableProps) {
  // One page of a bigger query: sorting and filtering are navigations, as without JavaScript.
  const serverPaged = paging !== undefined;
  // Column chooser: every metric stays sortable and filterable; only the visible ones are drawn.
  const [visible, setVisible] = useState<Set<string>>(
    () => new Set(defaultColumns?.length ? [...defaultColumns, ...(initial.sort ? [initial.sort] : [])] : allMetrics.map((m) => m.id)),
  );
  const metrics = useMemo(() => allMetrics.filter((m) => visible.has(m.id)), [allMetrics, visible]);
  const toggleColumn = (id: string) =>
    setVisible((v) => {
      const next = new Set(v);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const metricIds = useMemo(() => allMetrics.map((m) => m.id), [allMetrics]);
  const columns = useMemo(() => buildColumns(allMetrics), [allMetrics]);
  const initialState = useMemo(() => stateFromQuery(initial, metricIds), [initial, metricIds]);
  const [sorting, setSorting] = useState<SortingState>(initialState.sorting);
  const [columnFilters, setColumnFilters] = useState<ColumnFiltersState>(initialState.columnFilters);
  // The Apply button is for readers without JavaScript; with it, filters apply as you type.
  const hydrated = useHydrated();

  const table = useTable({
    features,
    columns,
    data: rows,
    state: { sorting, columnFilters },
    onSortingChange: setSorting,
    onColumnFiltersChange: setColumnFilters,
    enableSortingRemoval: false,
    enableMultiSort: false,
  });

  const query = queryFromState(sorting, columnFilters);
  const sortedMetric = query.sort && metricIds.includes(query.sort) ? allMetrics.find((m) => m.id === query.sort) : undefined;

  // Keep the address bar shareable: it always reproduces what is on screen.
  useEffect(() => {
    if (!hydrated || serverPaged) return;
    const href = hrefFor(pagePath, query);
    if (href !== window.location.pathname + window.location.search) window.history.replaceState(window.history.state, '', href);
  }, [hydrated, pagePath, query.sort, query.dir, query.layer, query.min]); // eslint-disable-line react-hooks/exhaustive-deps

  const onSortClick = (e: MouseEvent<HTMLAnchorElement>, columnId: string, descFirst: boolean) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0 || serverPaged) return; // let "open in new tab" work
    e.preventDefault();
    const next = nextSort(query, columnId, descFirst);
    setSorting([{ id: columnId, desc: next.dir === 'desc' }]);
    if (next.min === undefined && query.min !== undefined && query.sort) {
      setColumnFilters((fs) => fs.filter((f) => f.id !== query.sort));
    }
  };

  const setLayerFilter = (value: string) => {
    setColumnFilters((fs) => {
      const rest = fs.filter((f) => f.id !== 'layer');
      return value === '' ? rest : [...rest, { id: 'layer', value: Number(value) }];
    });
  };

  const setMinFilter = (value: string) => {
    if (!sortedMetric) return;
    const n = Number(value);
    setColumnFilters((fs) => {
      const rest = fs.filter((f) => f.id !== sortedMetric.id);
      return value.trim() === '' || !Number.isFinite(n) ? rest : [...rest, { id: sortedMetric.id, value: n }];
    });
  };

  const onSubmit = (e: FormEvent) => {
    if (hydrated && !serverPaged) e.preventDefault();
  };

  const shown = table.getRowModel().rows;

  const headerCell = (columnId: string, label: string, opts: { descFirst: boolean; numeric: boolean; summary?: string }) => (
    <th
      key={columnId}
      scope="col"
      aria-sort={ariaSort(query, columnId)}
      className={[opts.numeric ? 'num' : '', opts.summary ? 'has-tip' : ''].filter(Boolean).join(' ')}
    >
      <a
        className="sort-link"
        href={hrefFor(pagePath, nextSort(query, columnId, opts.descFirst))}
        onClick={(e) => onSortClick(e, columnId, opts.descFirst)}
        data-testid={`sort-${columnId}`}
        aria-describedby={opts.summary ? `tip-${columnId}` : undefined}
      >
        {label}
        <span className="sort-arrow" aria-hidden="true">
          {arrow(query, columnId)}
        </span>
      </a>
      {opts.summary ? (
        <span className="tip" role="tooltip" id={`tip-${columnId}`}>
          {opts.summary}
        </span>
      ) : null}
    </th>
  );

  return (
    <div className="head-table">
      <form className="filter-bar" method="get" action={pagePath} onSubmit={onSubmit} aria-label="Filter heads">
        {query.sort ? <input type="hidden" name="sort" value={query.sort} /> : null}
        {query.sort ? <input type="hidden" name="dir" value={query.dir} /> : null}
        <label>
          Layer
          <select
            name="layer"
            value={query.layer === undefined ? '' : String(query.layer)}
            onChange={(e) => (serverPaged ? e.target.form?.requestSubmit() : setLayerFilter(e.target.value))}
            data-testid="filter-layer"
          >
            <option value="">all</option>
            {Array.from({ length: nLayers }, (_, l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label title={sortedMetric ? undefined : 'Sort by a metric first; the minimum applies to the sorted metric.'}>
          {sortedMetric ? `${sortedMetric.title} ≥` : 'Min. value ≥'}
          <input
            type="number"
            name="min"
            step="any"
            inputMode="decimal"
            disabled={!sortedMetric}
            defaultValue={query.min === undefined ? '' : String(query.min)}
            key={sortedMetric?.id ?? 'none'}
            onChange={(e) => (serverPaged ? undefined : setMinFilter(e.target.value))}
            placeholder={sortedMetric ? String(sortedMetric.range[0]) : '—'}
            data-testid="filter-min"
          />
        </label>
        {hydrated && !serverPaged ? null : (
          <button type="submit" className="button">
            Apply
          </button>
        )}
        {/* Columns are chosen in the browser: without JavaScript (and until hydration, when a click on the summary
            could be replayed and close it again) the chooser is not offered. */}
        {hydrated ? (
          <details className="column-chooser" data-testid="column-chooser">
            <summary>
              Columns ({metrics.length} of {allMetrics.length})
            </summary>
            <div className="column-options">
              {allMetrics.map((m) => (
                <label key={m.id} title={m.summary}>
                  <input type="checkbox" checked={visible.has(m.id)} onChange={() => toggleColumn(m.id)} data-testid={`column-${m.id}`} />{' '}
                  {m.title}
                </label>
              ))}
            </div>
          </details>
        ) : null}
        <span className="filter-count" aria-live="polite" data-testid="head-count">
          {paging
            ? `${paging.matching === paging.total ? `${paging.total} heads` : `${paging.matching} of ${paging.total} heads`}${
                paging.pages > 1
                  ? `, ${(paging.page - 1) * paging.pageSize + 1}–${(paging.page - 1) * paging.pageSize + rows.length} shown`
                  : ''
              }`
            : shown.length === rows.length
              ? `${rows.length} heads`
              : `${shown.length} of ${rows.length} heads`}
        </span>
      </form>
      <div className="table-scroll">
        <table className="data-table" data-testid="head-table">
          <thead>
            <tr>
              {headerCell('name', 'Head', { descFirst: false, numeric: false })}
              {headerCell('layer', 'Layer', { descFirst: false, numeric: true })}
              {metrics.map((m) => headerCell(m.id, m.title, { descFirst: true, numeric: true, summary: m.summary }))}
              {roles?.columns.map((c) => (
                <th key={`role-${c.role}`} scope="col" title={`Circuit role: ${c.title}`} data-testid={`role-column-${c.role}`}>
                  {c.short}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => {
              const r = row.original;
              return (
                <tr key={r.name} data-testid="head-row" data-head={r.name}>
                  <th scope="row">
                    <Link className="head-link" href={`${headHrefPrefix}${r.layer}.${r.head}`}>
                      {r.name}
                    </Link>
                    <HeadBadges badges={labels?.[r.name]} compact />
                  </th>
                  <td className="num">{r.layer}</td>
                  {metrics.map((m) => (
                    <ValueCell
                      key={m.id}
                      metricId={m.id}
                      value={r.values[m.id]}
                      range={m.range}
                      labelled={thresholds?.[m.id] !== undefined && (r.values[m.id] ?? -Infinity) >= thresholds[m.id]}
                    />
                  ))}
                  {roles?.columns.map((c) => {
                    const v = roles.byHead[r.name]?.[c.role];
                    return (
                      <td
                        key={`role-${c.role}`}
                        className={v === 'yes' ? 'role-yes' : 'muted'}
                        title={`${c.title}: ${v ?? 'not measured'}`}
                      >
                        {v === 'yes' ? '✓' : v === 'no' ? '–' : v === 'untestable' ? 'n/a' : ''}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            {shown.length === 0 ? (
              <tr>
                <td colSpan={metrics.length + 2 + (roles?.columns.length ?? 0)} className="muted">
                  No head matches this filter.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {paging ? (
        <Pager
          page={paging.page}
          pages={paging.pages}
          href={(p) => hrefFor(pagePath, query, p)}
          label="Pages of heads"
          testId="head-pager"
        />
      ) : null}
    </div>
  );
}

function ValueCell({
  metricId,
  value,
  range,
  labelled = false,
}: {
  metricId: string;
  value: number | null | undefined;
  range: [number, number];
  labelled?: boolean;
}) {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return (
      <td className="num value-cell value-missing" title="no value in this run" data-metric={metricId}>
        —
      </td>
    );
  }
  const [lo, hi] = range;
  const frac = Number.isFinite(lo) && Number.isFinite(hi) && hi > lo ? Math.min(1, Math.max(0, (value - lo) / (hi - lo))) : 0;
  return (
    <td
      className={labelled ? 'num value-cell value-labelled' : 'num value-cell'}
      data-metric={metricId}
      data-value={value}
      title={labelled ? 'at or above the label threshold of this metric' : undefined}
    >
      <span className="value-track" aria-hidden="true">
        <span className="value-bar" style={{ width: `${(frac * 100).toFixed(1)}%` }} />
      </span>
      <span className="value-text">{formatMetricValue(value)}</span>
    </td>
  );
}
