/** Open a trace file: a file picker, and drag and drop anywhere on the page. */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { openTraceText } from '../load-trace.ts';
import { showError } from '../store.ts';

export async function openFile(file: File): Promise<void> {
  let text: string;
  try {
    text = await file.text();
  } catch (e) {
    showError(`${file.name}: cannot read it (${(e as Error).message})`);
    return;
  }
  openTraceText(text, file.name);
}

export function OpenTrace() {
  const dragging = useSignal(false);
  useEffect(() => {
    const over = (e: DragEvent): void => {
      e.preventDefault();
      dragging.value = true;
    };
    const leave = (e: DragEvent): void => {
      if (e.relatedTarget === null) dragging.value = false;
    };
    const drop = (e: DragEvent): void => {
      e.preventDefault();
      dragging.value = false;
      const f = e.dataTransfer?.files[0];
      if (f) void openFile(f);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return (
    <>
      <label class="button" title="open a trace file (mmlife check --out trace.json), or drop one on the page">
        Open trace&hellip;
        <input
          type="file"
          accept=".json,application/json"
          data-testid="open-file"
          onChange={(e) => {
            const input = e.target as HTMLInputElement;
            const f = input.files?.[0];
            if (f) void openFile(f);
            input.value = '';
          }}
        />
      </label>
      {dragging.value && <div class="drop-overlay">drop a trace file to open it</div>}
    </>
  );
}
