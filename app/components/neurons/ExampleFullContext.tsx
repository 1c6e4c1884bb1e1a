'use client';

/**
 * An example's whole stored window inside its <details>. The first examples of a page (`eager`) are rendered on
 * the server, so they expand without JavaScript; the others render from this client component's props when their
 * <details> opens — the pieces and activations are the arrays the example's short window already sent (the flight
 * payload carries them once), so a neuron page no longer inlines every context's markup (issue 16). Without
 * JavaScript those point to the JSON, which holds every window.
 */
import { useEffect, useRef, useState } from 'react';
import { ActivationTokens } from './ActivationTokens';

export function ExampleFullContext({
  pieces,
  acts,
  scale,
  highlight,
  firstIndex,
  eager,
  jsonHref,
}: {
  pieces: string[];
  acts: number[];
  scale: number;
  highlight: number;
  firstIndex: number;
  eager: boolean;
  jsonHref?: string;
}) {
  const ref = useRef<HTMLSpanElement>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (eager) return;
    const details = ref.current?.closest('details');
    if (!details) return;
    const sync = () => setOpen((was) => was || details.open);
    sync(); // opened before hydration
    details.addEventListener('toggle', sync);
    return () => details.removeEventListener('toggle', sync);
  }, [eager]);
  if (eager || open) return <ActivationTokens pieces={pieces} acts={acts} scale={scale} highlight={highlight} firstIndex={firstIndex} />;
  return (
    <span ref={ref} className="small muted" data-testid="neuron-example-lazy">
      The whole window shows with JavaScript
      {jsonHref ? (
        <>
          , or in the <a href={jsonHref}>JSON</a>
        </>
      ) : null}
      .
    </span>
  );
}
