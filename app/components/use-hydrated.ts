import { useSyncExternalStore } from 'react';

// Nothing to subscribe to: the value only differs between the server's HTML and the browser.
const subscribe = () => () => {};

/**
 * False in the server's HTML and while hydrating, true once React runs in the browser: for controls that only work
 * with JavaScript (the page must read without it). React's own way to tell the two apart, without a setState in an effect.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
