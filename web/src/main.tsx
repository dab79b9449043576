/** The trace viewer: run the explorer or open a trace, then play the race back step by step. */
import './zod-config.ts'; // first: before any zod schema is built
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { OpenTrace } from './controls/OpenTrace.tsx';
import { Scrubber } from './controls/Scrubber.tsx';
import { ExportBar } from './export/ExportBar.tsx';
import { Inspector } from './inspector/Inspector.tsx';
import { Lanes } from './lanes/Lanes.tsx';
import { openTraceText } from './load-trace.ts';
import { loadCatalogue } from './run/client.ts';
import { RunPanel } from './run/RunPanel.tsx';
import { cursor, doc, errorText, showError } from './store.ts';
import './style.css';

/** Opens the trace the server was started with (`mmlife view trace.json`), if any. */
async function openServerTrace(): Promise<void> {
  let res: Response;
  try {
    res = await fetch('./trace.json', { cache: 'no-store' });
  } catch {
    return; // opened from disk or no server: nothing to load
  }
  if (res.status === 204 || res.status === 404) return; // no trace given
  const text = await res.text();
  if (!res.ok) {
    showError(`the server could not give its trace: ${res.status} ${text}`);
    return;
  }
  openTraceText(text, 'trace.json');
}

function Empty() {
  return (
    <div class="empty">
      <h2>No trace open</h2>
      <p>
        Pick a scenario and a kernel preset above and press <b>Explore</b>: a counterexample opens here. Or open a trace
        file written by <code>mmlife check --out trace.json</code> (or drop it on the page).
      </p>
      <p class="muted">Keys: &larr; / &rarr; step, Home / End first and last step.</p>
    </div>
  );
}

function App() {
  useEffect(() => {
    loadCatalogue();
    void openServerTrace();
  }, []);
  const d = doc.value;
  useEffect(() => {
    document.title = d ? `${d.origin}: step ${cursor.value} \u2014 mmlife` : 'mmlife trace viewer';
  }, [d, cursor.value]);
  return (
    <div class="app">
      <header class="top">
        <h1>
          mmlife <span>trace viewer</span>
        </h1>
        <RunPanel />
        <OpenTrace />
      </header>
      {errorText.value && (
        <div class="error" role="alert" data-testid="error">
          <span>{errorText.value}</span>
          <button type="button" onClick={() => (errorText.value = null)} aria-label="dismiss error">
            &times;
          </button>
        </div>
      )}
      {d ? (
        <>
          <div class="bar">
            <span class="origin" title="where this trace came from">
              {d.origin}
              {d.violation && (
                <span class="vsum">
                  {' '}
                  &middot; <b>{d.violation.kind}</b>: {d.violation.message}
                </span>
              )}
            </span>
            <ExportBar />
          </div>
          <Scrubber />
          <main class="main">
            <Lanes />
            <Inspector />
          </main>
        </>
      ) : (
        <Empty />
      )}
    </div>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
