// A DataTable row that dnd-kit can move (useSortable), and its drag handle: the handle is the
// only activator, a real button named "Move <name>", so pointer users drag it and keyboard users
// focus it, press Space to lift, the arrow keys to move and Space to drop (Esc cancels).
import { useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { createContext, useContext, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { DataTableRowProps } from '@/components/ui/data-table';
import { cn } from '@/lib/utils/cn';

type Handle = Pick<
  ReturnType<typeof useSortable>,
  'attributes' | 'listeners' | 'setActivatorNodeRef' | 'isDragging'
>;

const HandleContext = createContext<Handle | null>(null);

export function SortableRow<T extends { id: number }>({
  row,
  className,
  style,
  ...props
}: DataTableRowProps<T>) {
  const {
    attributes,
    listeners,
    setNodeRef,
    setActivatorNodeRef,
    transform,
    transition,
    isDragging,
  } = useSortable({ id: row.id });
  return (
    <HandleContext.Provider value={{ attributes, listeners, setActivatorNodeRef, isDragging }}>
      <tr
        {...props}
        ref={setNodeRef}
        className={cn(className, isDragging && 'relative z-20 bg-sky-50 shadow-md')}
        style={{ ...style, transform: CSS.Translate.toString(transform), transition }}
      />
    </HandleContext.Provider>
  );
}

export function DragHandle({ name, children }: { name: string; children?: ReactNode }) {
  const { t } = useTranslation();
  const handle = useContext(HandleContext);
  if (!handle) return null;
  // The context holds dnd-kit's activator ref *callback* and its listeners, not a ref object:
  // nothing reads a ref during render (the compiler rule cannot tell a callback from a ref).
  /* eslint-disable react-hooks/refs */
  return (
    <button
      type="button"
      ref={handle.setActivatorNodeRef}
      {...handle.attributes}
      {...handle.listeners}
      aria-label={t('providers.moveNamed', { name })}
      className={cn(
        'inline-flex h-7 w-7 cursor-grab touch-none items-center justify-center rounded text-neutral-500 hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-sky-600',
        handle.isDragging && 'cursor-grabbing',
      )}
    >
      {children ?? <span aria-hidden="true">⠿</span>}
    </button>
  );
  /* eslint-enable react-hooks/refs */
}
