/**
 * Export buttons. Each opens a panel with the text (so it can be read and selected) and
 * copies it to the clipboard.
 */
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { allSteps, doc } from '../store.ts';
import { exportLabels, exportText, type ExportKind } from './formats.ts';

async function copy(text: string, area: HTMLTextAreaElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!area) return false;
    area.select();
    return document.execCommand('copy');
  }
}

function ExportPanel({ kind, onClose }: { kind: ExportKind; onClose: () => void }) {
  const d = doc.value;
  const area = useRef<HTMLTextAreaElement>(null);
  const copied = useSignal<string>('');
  const text = d ? exportText(d, kind, allSteps.value) : '';
  const doCopy = (): void => {
    void copy(text, area.current).then((ok) => (copied.value = ok ? 'copied to the clipboard' : 'select and copy by hand'));
  };
  useEffect(() => {
    area.current?.focus();
    doCopy();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [kind]);
  return (
    <div class="export-panel" role="dialog" aria-label={`export: ${exportLabels[kind]}`}>
      <header>
        <b>{exportLabels[kind]}</b>
        {kind === 'table' && <span class="muted">{allSteps.value ? 'every step' : 'compact, as the CLI prints it'}</span>}
        <span class="muted">{copied.value}</span>
        <button type="button" onClick={doCopy}>
          Copy
        </button>
        <button type="button" onClick={onClose} aria-label="close export">
          Close
        </button>
      </header>
      <textarea ref={area} readOnly spellcheck={false} data-testid="export-text" value={text} />
    </div>
  );
}

export function ExportBar() {
  const open = useSignal<ExportKind | null>(null);
  if (!doc.value) return null;
  return (
    <div class="exports" role="group" aria-label="export">
      <span class="muted">export</span>
      {(Object.keys(exportLabels) as ExportKind[]).map((k) => (
        <button key={k} type="button" onClick={() => (open.value = k)} aria-pressed={open.value === k}>
          {exportLabels[k]}
        </button>
      ))}
      {open.value && <ExportPanel kind={open.value} onClose={() => (open.value = null)} />}
    </div>
  );
}
