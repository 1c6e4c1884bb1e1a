import type { CsvCell } from '@/lib/api/csv';

/** A ranking (rows of a diff table) as a compact table; numbers to 4 significant digits, the full values in the CSV. */
export function RankingTable({
  header,
  rows,
  limit = 10,
  testId,
}: {
  header: string[];
  rows: CsvCell[][];
  limit?: number;
  testId: string;
}) {
  if (rows.length === 0) return <p className="muted">Nothing to rank.</p>;
  return (
    <div className="table-scroll" style={{ maxHeight: 'none' }}>
      <table className="data-table" data-testid={testId}>
        <thead>
          <tr>
            {header.map((h) => (
              <th key={h} scope="col">
                {h.replace(/_/g, ' ')}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, limit).map((row, i) => (
            <tr key={i}>
              {row.map((cell, j) => (
                <td key={j} className={typeof cell === 'number' ? 'num' : undefined}>
                  {formatCell(cell)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function formatCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '–';
  if (typeof cell === 'number') return Number.isInteger(cell) ? String(cell) : cell.toPrecision(4);
  return String(cell);
}
