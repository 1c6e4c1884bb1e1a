/**
 * Arrow-key movement inside a grid of links (heatmap cells, composition cells, a row of tokens) with one tab stop
 * for the whole grid: the roving-tabindex pattern (WAI-ARIA APG "grid"). Hundreds of cells as separate tab stops
 * made the model page 714 Tab presses long. Cells carry `data-row` / `data-col` and tabIndex −1, except one entry
 * cell (0); this handler on the grid's container moves focus and the tab stop with ← → ↑ ↓ Home End. A key with
 * no cell in its direction is left alone (↑ in a one-row grid still scrolls the page).
 */
import type { KeyboardEvent } from 'react';

const STEPS: Record<string, [number, number]> = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
/** How far to look past gaps (sparse grids: the composition matrix has only later-layer readers). */
const MAX_SKIP = 4096;

export function rovingGridKeyDown(e: KeyboardEvent<Element>): void {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const from = (e.target as Element).closest?.('[data-row][data-col]');
  if (!from || !e.currentTarget.contains(from)) return;
  const row = Number(from.getAttribute('data-row'));
  const col = Number(from.getAttribute('data-col'));
  const at = (r: number, c: number) => e.currentTarget.querySelector<HTMLElement | SVGElement>(`[data-row="${r}"][data-col="${c}"]`);
  let to: HTMLElement | SVGElement | null = null;
  if (e.key in STEPS) {
    const [dr, dc] = STEPS[e.key];
    for (let i = 1; i <= MAX_SKIP && !to; i++) {
      if (row + dr * i < 0 || col + dc * i < 0) break;
      to = at(row + dr * i, col + dc * i);
    }
  } else if (e.key === 'Home' || e.key === 'End') {
    const inRow = Array.from(e.currentTarget.querySelectorAll<HTMLElement | SVGElement>(`[data-row="${row}"][data-col]`));
    to = e.key === 'Home' ? inRow[0] : inRow[inRow.length - 1];
  }
  if (!to || to === from) return;
  e.preventDefault();
  from.setAttribute('tabindex', '-1');
  to.setAttribute('tabindex', '0');
  to.focus();
}
