// The one table kit of the console (contract-console.md, owner: admin). A real <table> named by a
// visually hidden <caption>, with a sticky header inside its own scroll box: wide tables scroll
// horizontally inside the box, never the page. `onRowClick` makes each row open something (a
// detail dialog): the row is then focusable and Enter/Space activates it, while clicks and keys
// on the row's own controls (buttons, links, inputs) stay theirs.
import type { ComponentPropsWithRef, KeyboardEvent, MouseEvent, ReactNode } from 'react';
import { cn } from '@/lib/utils/cn';

export type DataTableColumn<T> = {
  /** Stable column id (React key). */
  key: string;
  /** Header content; use an sr-only span for a column without a visible title (actions). */
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Classes for the column's cells (td). */
  className?: string;
  /** Classes for the column's header cell (th). */
  headerClassName?: string;
};

/** Props DataTable passes to a custom row renderer (spread them on the <tr>). */
export type DataTableRowProps<T> = ComponentPropsWithRef<'tr'> & { row: T };

export type DataTableProps<T> = {
  /** The table's accessible name, rendered as an sr-only <caption>. */
  caption: string;
  columns: DataTableColumn<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  /** Shown instead of the table when there are no rows. */
  empty: ReactNode;
  /** Makes each row activatable (mouse, Enter, Space). */
  onRowClick?: (row: T) => void;
  /** Accessible name of an activatable row (defaults to the row's text). */
  rowLabel?: (row: T) => string;
  rowClassName?: (row: T) => string | undefined;
  /** Classes for the scroll box (e.g. a different max height). */
  className?: string;
  /** Renders each body row's <tr> itself (e.g. a sortable row that adds a ref and a style). */
  Row?: (props: DataTableRowProps<T>) => ReactNode;
};

function PlainRow<T>({ row: _row, ...props }: DataTableRowProps<T>) {
  return <tr {...props} />;
}

const INTERACTIVE = 'a,button,input,select,textarea,label,summary,[role="button"],[role="switch"]';

/** True when the event started on a control inside the row rather than on the row itself. */
function fromControl(event: MouseEvent | KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  const control = target?.closest(INTERACTIVE);
  return control != null && control !== event.currentTarget;
}

export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  empty,
  onRowClick,
  rowLabel,
  rowClassName,
  className,
  Row = PlainRow,
}: DataTableProps<T>) {
  if (rows.length === 0) {
    return <div className="py-6 text-center text-sm text-neutral-500">{empty}</div>;
  }
  return (
    <div
      data-slot="data-table"
      className={cn(
        'max-h-[70vh] max-w-full overflow-auto rounded-md border border-neutral-200',
        className,
      )}
    >
      <table className="w-full border-separate border-spacing-0 text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th
                key={column.key}
                scope="col"
                className={cn(
                  'sticky top-0 z-10 border-b border-neutral-200 bg-neutral-50 px-3 py-2 text-xs font-medium whitespace-nowrap text-neutral-500',
                  column.headerClassName,
                )}
              >
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <Row
              key={rowKey(row)}
              row={row}
              className={cn(
                onRowClick &&
                  'cursor-pointer hover:bg-neutral-50 focus-visible:bg-sky-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-600',
                rowClassName?.(row),
              )}
              tabIndex={onRowClick ? 0 : undefined}
              aria-label={onRowClick && rowLabel ? rowLabel(row) : undefined}
              onClick={
                onRowClick
                  ? (event) => {
                      if (!fromControl(event)) onRowClick(row);
                    }
                  : undefined
              }
              onKeyDown={
                onRowClick
                  ? (event) => {
                      if (event.key !== 'Enter' && event.key !== ' ') return;
                      if (event.target !== event.currentTarget) return;
                      event.preventDefault();
                      onRowClick(row);
                    }
                  : undefined
              }
            >
              {columns.map((column) => (
                <td
                  key={column.key}
                  className={cn(
                    'border-b border-neutral-100 px-3 py-2 align-top',
                    column.className,
                  )}
                >
                  {column.cell(row)}
                </td>
              ))}
            </Row>
          ))}
        </tbody>
      </table>
    </div>
  );
}
