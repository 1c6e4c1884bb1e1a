'use client';
/**
 * Keyboard navigation between neurons: ← / → (or h / l) previous / next neuron, k / j the same neuron in the
 * previous / next layer. ↑ / ↓ are left to scroll the page, as everywhere. Ignored while typing in a field and when
 * a widget already used the key (the attention viewer's ← →). The links exist in the page too (no JS needed).
 *
 * The listener is swapped in a layout effect: the router shows the new address during the commit, and a passive
 * effect would leave the previous neuron's listener in place for a moment after it, so a quick second key moved
 * from the old neuron.
 */
import { useLayoutEffect } from 'react';
import { useRouter } from 'next/navigation';

export function NeuronKeyboardNav({ prev, next, up, down }: { prev?: string; next?: string; up?: string; down?: string }) {
  const router = useRouter();
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.defaultPrevented) return;
      const target = e.target as HTMLElement | null;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      const to = { ArrowLeft: prev, h: prev, ArrowRight: next, l: next, k: up, j: down }[e.key];
      if (to) {
        e.preventDefault();
        router.push(to);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [router, prev, next, up, down]);
  return null;
}
