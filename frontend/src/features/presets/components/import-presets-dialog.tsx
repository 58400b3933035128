// Import presets from an export file. The first attempt uses on_conflict=error; when the
// server answers 409 with clashing names, the admin picks skip, rename or overwrite and the
// same file is sent again. A bad file is rejected whole, with the field named.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { ErrorText } from '@/components/ui/page';
import type { ImportConflict, ImportResult, PresetExport } from '@/lib/api/behaviour';
import { isApiError } from '@/lib/api/errors';
import { useImportPresets } from '../api/presets';
import { clashNames, parseExportFile } from '../utils/preset-form';

const CHOICES: ImportConflict[] = ['skip', 'rename', 'overwrite'];

export function ImportPresetsDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const importer = useImportPresets();
  const [doc, setDoc] = useState<PresetExport | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [clashes, setClashes] = useState<string[] | null>(null);
  const [choice, setChoice] = useState<ImportConflict>('skip');
  const [result, setResult] = useState<ImportResult | null>(null);

  const readFile = async (file: File | undefined) => {
    setDoc(null);
    setClashes(null);
    setResult(null);
    importer.reset();
    if (!file) return;
    const parsed = parseExportFile(await file.text());
    setFileError(parsed ? null : t('presets.import.badFile'));
    setDoc(parsed);
  };

  const run = (onConflict: ImportConflict | 'error') => {
    if (!doc) return;
    importer.mutate(
      { doc, onConflict },
      {
        onSuccess: (answer) => {
          setClashes(null);
          setResult(answer);
        },
        onError: (error) => {
          if (isApiError(error) && error.status === 409) {
            setClashes(clashNames(error.problem));
          }
        },
      },
    );
  };

  const error = importer.error;
  const errorText =
    error && !(isApiError(error) && error.status === 409)
      ? isApiError(error)
        ? error.problem.field
          ? t('common.fieldError', { field: error.problem.field, detail: error.detail })
          : error.detail
        : error.message
      : null;

  return (
    <Dialog
      title={t('presets.import.title')}
      description={t('presets.import.hint')}
      onClose={onClose}
    >
      <div className="space-y-3">
        <Field label={t('presets.import.file')}>
          <input
            type="file"
            accept="application/json,.json"
            className="block w-full text-sm text-neutral-700 file:mr-3 file:rounded-md file:border file:border-neutral-300 file:bg-white file:px-3 file:py-1.5 file:text-sm"
            onChange={(e) => void readFile(e.target.files?.[0])}
          />
        </Field>
        {doc ? (
          <p className="text-xs text-neutral-600">
            {t('presets.import.found', { count: doc.presets.length })}
          </p>
        ) : null}
        <ErrorText>{fileError ?? errorText}</ErrorText>
        {clashes ? (
          <fieldset className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-3">
            <legend className="px-1 text-xs font-semibold text-amber-900">
              {t('presets.import.clashTitle')}
            </legend>
            <p className="text-xs text-amber-900">
              {clashes.length
                ? t('presets.import.clashList', { names: clashes.join(', ') })
                : isApiError(error)
                  ? error.detail
                  : null}
            </p>
            <div role="radiogroup" aria-label={t('presets.import.choice')} className="flex gap-4">
              {CHOICES.map((c) => (
                <label key={c} className="flex items-center gap-1.5 text-sm">
                  <input
                    type="radio"
                    name="on_conflict"
                    value={c}
                    checked={choice === c}
                    onChange={() => setChoice(c)}
                  />
                  {t(`presets.import.${c}`)}
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
        {result ? (
          <div
            role="status"
            className="rounded-md bg-emerald-50 px-3 py-2 text-xs text-emerald-900"
          >
            <p>{t('presets.import.done')}</p>
            <ul className="mt-1 list-inside list-disc">
              {result.created.length ? (
                <li>{t('presets.import.created', { names: result.created.join(', ') })}</li>
              ) : null}
              {result.skipped.length ? (
                <li>{t('presets.import.skipped', { names: result.skipped.join(', ') })}</li>
              ) : null}
              {result.renamed.length ? (
                <li>
                  {t('presets.import.renamed', {
                    names: result.renamed.map((r) => `${r.from} → ${r.to}`).join(', '),
                  })}
                </li>
              ) : null}
              {result.overwritten.length ? (
                <li>{t('presets.import.overwritten', { names: result.overwritten.join(', ') })}</li>
              ) : null}
            </ul>
          </div>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            {result ? t('common.close') : t('common.cancel')}
          </Button>
          {result ? null : clashes ? (
            <Button disabled={importer.isPending} onClick={() => run(choice)}>
              {t('presets.import.retry')}
            </Button>
          ) : (
            <Button disabled={!doc || importer.isPending} onClick={() => run('error')}>
              {t('presets.import.submit')}
            </Button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
