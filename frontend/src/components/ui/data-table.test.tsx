// DataTable: a real table named by its caption, columns in order, the empty text instead of an
// empty table, and activatable rows (click, Enter, Space) whose own controls keep their clicks.
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { DataTable, type DataTableColumn } from './data-table';

type Row = { id: number; name: string };
const rows: Row[] = [
  { id: 1, name: 'alpha' },
  { id: 2, name: 'beta' },
];

function columns(onButton?: (row: Row) => void): DataTableColumn<Row>[] {
  return [
    { key: 'id', header: 'Id', cell: (row) => `#${row.id}`, className: 'font-mono' },
    { key: 'name', header: 'Name', cell: (row) => row.name },
    {
      key: 'actions',
      header: <span className="sr-only">Actions</span>,
      cell: (row) => (
        <button type="button" onClick={() => onButton?.(row)}>
          Edit {row.name}
        </button>
      ),
    },
  ];
}

describe('DataTable', () => {
  it('renders a table named by its sr-only caption, with column headers and cells', () => {
    render(
      <DataTable
        caption="Things"
        columns={columns()}
        rows={rows}
        rowKey={(r) => r.id}
        empty="None"
      />,
    );
    const table = screen.getByRole('table', { name: 'Things' });
    expect(table.querySelector('caption')).toHaveClass('sr-only');
    const headers = within(table).getAllByRole('columnheader');
    expect(headers.map((h) => h.textContent)).toEqual(['Id', 'Name', 'Actions']);
    expect(headers[0]).toHaveAttribute('scope', 'col');
    expect(headers[0]).toHaveClass('sticky');
    const body = within(table).getAllByRole('row').slice(1);
    expect(body).toHaveLength(2);
    expect(within(body[1]!).getAllByRole('cell')[0]).toHaveTextContent('#2');
    expect(within(body[1]!).getAllByRole('cell')[0]).toHaveClass('font-mono');
    // Rows are not interactive without onRowClick.
    expect(body[0]).not.toHaveAttribute('tabindex');
    // The horizontal scroll lives in the table's own box.
    expect(table.parentElement).toHaveClass('overflow-auto');
  });

  it('shows the empty content and no table when there are no rows', () => {
    render(
      <DataTable
        caption="Things"
        columns={columns()}
        rows={[]}
        rowKey={(r) => r.id}
        empty="Nothing yet"
      />,
    );
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(screen.getByText('Nothing yet')).toBeInTheDocument();
  });

  it('activates a row by click, Enter and Space, but not through its own controls', async () => {
    const user = userEvent.setup();
    const onRowClick = vi.fn();
    const onButton = vi.fn();
    render(
      <DataTable
        caption="Things"
        columns={columns(onButton)}
        rows={rows}
        rowKey={(r) => r.id}
        empty="None"
        onRowClick={onRowClick}
        rowLabel={(r) => `Open ${r.name}`}
      />,
    );
    const alpha = screen.getByRole('row', { name: 'Open alpha' });
    await user.click(within(alpha).getByRole('cell', { name: 'alpha' }));
    expect(onRowClick).toHaveBeenLastCalledWith(rows[0]);

    await user.click(screen.getByRole('button', { name: 'Edit beta' }));
    expect(onButton).toHaveBeenCalledWith(rows[1]);
    expect(onRowClick).toHaveBeenCalledTimes(1);

    const beta = screen.getByRole('row', { name: 'Open beta' });
    beta.focus();
    await user.keyboard('{Enter}');
    expect(onRowClick).toHaveBeenLastCalledWith(rows[1]);
    await user.keyboard(' ');
    expect(onRowClick).toHaveBeenCalledTimes(3);

    // Enter on the row's own button is the button's, not the row's.
    screen.getByRole('button', { name: 'Edit alpha' }).focus();
    await user.keyboard('{Enter}');
    expect(onButton).toHaveBeenLastCalledWith(rows[0]);
    expect(onRowClick).toHaveBeenCalledTimes(3);
  });
});
