import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  type RowSelectionState,
  useReactTable,
} from '@tanstack/react-table';
import { useState } from 'react';

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/** A plain table over TanStack Table; with `onSelect`, rows get checkboxes for bulk actions. */
const idOf = (row: object): string | undefined => (row as { id?: string }).id;

export function DataTable<T extends object>({
  data,
  columns,
  empty = 'No rows.',
  onSelect,
  rowId,
}: {
  data: T[];
  // biome-ignore lint/suspicious/noExplicitAny: column value types differ per column
  columns: ColumnDef<T, any>[];
  empty?: string;
  onSelect?: (rows: T[]) => void;
  rowId?: (row: T) => string;
}) {
  const [selection, setSelection] = useState<RowSelectionState>({});
  const selectColumn: ColumnDef<T> = {
    id: 'select',
    header: ({ table }) => (
      <input
        type="checkbox"
        aria-label="select all"
        checked={table.getIsAllRowsSelected()}
        onChange={table.getToggleAllRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) => (
      <input
        type="checkbox"
        aria-label="select row"
        checked={row.getIsSelected()}
        onChange={row.getToggleSelectedHandler()}
      />
    ),
  };
  const table = useReactTable({
    data,
    columns: onSelect ? [selectColumn, ...columns] : columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row, index) => rowId?.(row) ?? idOf(row) ?? String(index),
    state: { rowSelection: selection },
    enableRowSelection: Boolean(onSelect),
    onRowSelectionChange: (updater) => {
      const next = typeof updater === 'function' ? updater(selection) : updater;
      setSelection(next);
      onSelect?.(data.filter((row, i) => next[rowId?.(row) ?? idOf(row) ?? String(i)]));
    },
  });
  if (data.length === 0)
    return (
      <div className="empty" data-testid="empty">
        {empty}
      </div>
    );
  return (
    <table>
      <thead>
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {group.headers.map((header) => (
              <th key={header.id}>
                {header.isPlaceholder
                  ? null
                  : flexRender(header.column.columnDef.header, header.getContext())}
              </th>
            ))}
          </tr>
        ))}
      </thead>
      <tbody>
        {table.getRowModel().rows.map((row) => (
          <tr key={row.id}>
            {row.getVisibleCells().map((cell) => (
              <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Cursor paging: a stack of the cursors that led to the current page. */
export function useCursor() {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  const cursor = stack[stack.length - 1];
  return {
    cursor,
    page: stack.length,
    next: (c: string) => setStack((s) => [...s, c]),
    previous: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([undefined]),
  };
}

export function Pager({
  pager,
  nextCursor,
}: {
  pager: ReturnType<typeof useCursor>;
  nextCursor?: string | null;
}) {
  return (
    <div className="pager">
      <button type="button" disabled={pager.page === 1} onClick={pager.previous}>
        ← Previous
      </button>
      <span>Page {pager.page}</span>
      <button type="button" disabled={!nextCursor} onClick={() => nextCursor && pager.next(nextCursor)}>
        Next →
      </button>
    </div>
  );
}
