import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError } from '../api/problem';

export function ErrorBox({ error }: { error: unknown }) {
  const message =
    error instanceof ApiError
      ? `${error.problem.detail ?? error.problem.title ?? 'Request failed'} (${error.code})`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div className="error" role="alert">
      {message}
    </div>
  );
}

/** Loading, error and empty states of one query, then its content. */
export function QueryState<T>({
  query,
  empty,
  isEmpty,
  children,
}: {
  query: UseQueryResult<T>;
  empty?: string;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <div className="loading">Loading…</div>;
  if (query.isError) return <ErrorBox error={query.error} />;
  if (isEmpty?.(query.data))
    return (
      <div className="empty" data-testid="empty">
        {empty ?? 'Nothing here yet.'}
      </div>
    );
  return <>{children(query.data)}</>;
}
