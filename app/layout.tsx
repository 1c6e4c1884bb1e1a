import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import Link from 'next/link';
import { SearchBox } from './components/SearchBox';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'headwiki', template: '%s · headwiki' },
  description: 'A wiki of attention heads: what every head of a transformer language model does, measured and cited.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <div className="site-header-inner">
            <Link href="/" className="wordmark">
              head<span>wiki</span>
            </Link>
            <nav className="site-nav" aria-label="Main">
              <Link href="/models">Models</Link>
              <Link href="/metrics">Metrics</Link>
              <Link href="/diffs">Diffs</Link>
              <Link href="/docs/api">API</Link>
            </nav>
            <SearchBox />
          </div>
        </header>
        <main className="site-main" id="main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <div className="site-footer-inner">
            headwiki — attention heads of transformer language models, with TransformerLens names and conventions. Every number links to the
            run that produced it.
          </div>
        </footer>
      </body>
    </html>
  );
}
