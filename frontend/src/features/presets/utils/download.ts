// Saves an export of presets as a JSON file through a temporary object URL.
import { handleGlobalError } from '@/lib/query-client';
import { exportPresets } from '../api/presets';

function downloadJson(data: unknown, filename: string) {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export async function downloadExport(ids?: number[]) {
  try {
    const doc = await exportPresets(ids);
    downloadJson(doc, ids?.length === 1 ? `preset-${ids[0]}.json` : 'presets.json');
  } catch (error) {
    handleGlobalError(error, false);
  }
}
