import { useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { Can } from '../api/auth';
import { api } from '../api/session';
import { DataTable } from '../components/DataTable';
import { ActionButton, StatusFilter } from '../components/Form';
import { QueryState } from '../components/QueryState';
import { dateTime, query } from '../lib/format';

const DEAD_LETTER_STATUSES = ['open', 'replayed', 'discarded'];

interface DeadLetter {
  id: string;
  service: string;
  subscription: string;
  eventId: string;
  topic: string;
  envelope: unknown;
  error: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  status: string;
}
interface Compensation {
  id: string;
  service: string;
  sagaType: string;
  sagaId: string;
  step: string;
  action: string;
  status: string;
  attempts: number;
  nextAttemptAt: string;
  lastError: string;
}
interface Job {
  service: string;
  job: string;
  cron: string;
  nextRunAt: string | null;
  lastSuccessAt: string | null;
  lastRun: { status: string; startedAt: string; finishedAt: string | null; error: string | null } | null;
}
type Items<T> = { items: T[] };

function DeadLetters() {
  const [status, setStatus] = useState('open');
  const [open, setOpen] = useState<string>();
  const letters = useQuery({
    queryKey: ['dlq', status],
    queryFn: () => api<Items<DeadLetter>>('GET', `/admin/dlq${query({ status, limit: 100 })}`),
  });
  const act = (d: DeadLetter, action: 'replay' | 'discard') => () =>
    api('POST', `/admin/dlq/${d.id}/${action}${query({ service: d.service })}`);
  return (
    <div className="card">
      <h2>Dead letters</h2>
      <StatusFilter name="dlq-status" value={status} statuses={DEAD_LETTER_STATUSES} onChange={setStatus} />
      <QueryState query={letters} isEmpty={(d) => d.items.length === 0} empty="No dead letters.">
        {(d) => (
          <table data-testid="dlq">
            <thead>
              <tr>
                <th>Service</th>
                <th>Topic</th>
                <th>Subscription</th>
                <th>Attempts</th>
                <th>Last failed</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {d.items.map((l) => (
                <Fragment key={l.id}>
                  <tr data-id={l.id}>
                    <td>{l.service}</td>
                    <td>{l.topic}</td>
                    <td>{l.subscription}</td>
                    <td>{l.attempts}</td>
                    <td>{dateTime(l.lastFailedAt)}</td>
                    <td>
                      <span className="badge">{l.status}</span>
                    </td>
                    <td>
                      <button type="button" onClick={() => setOpen(open === l.id ? undefined : l.id)}>
                        Inspect
                      </button>
                      {l.status === 'open' ? (
                        <Can permission="ops:write">
                          <ActionButton label="Replay" run={act(l, 'replay')} invalidates={[['dlq']]} />
                          <ActionButton
                            label="Discard"
                            run={act(l, 'discard')}
                            invalidates={[['dlq']]}
                            confirm="Discard this event for good?"
                          />
                        </Can>
                      ) : null}
                    </td>
                  </tr>
                  {open === l.id ? (
                    <tr>
                      <td colSpan={7}>
                        <h3>Error</h3>
                        <pre className="error-text">{l.error}</pre>
                        <h3>Payload</h3>
                        <pre>{JSON.stringify(l.envelope, null, 2)}</pre>
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </div>
  );
}

function Compensations() {
  const list = useQuery({
    queryKey: ['compensations'],
    queryFn: () => api<Items<Compensation>>('GET', '/admin/compensations?limit=100'),
  });
  return (
    <div className="card">
      <h2>Failed compensations</h2>
      <QueryState query={list}>
        {(d) => (
          <DataTable
            data={d.items}
            empty="No failed compensations."
            columns={[
              { header: 'Service', accessorKey: 'service' },
              { header: 'Saga', cell: ({ row }) => `${row.original.sagaType} ${row.original.sagaId}` },
              { header: 'Step', cell: ({ row }) => `${row.original.step} / ${row.original.action}` },
              { header: 'Status', accessorKey: 'status' },
              { header: 'Attempts', accessorKey: 'attempts' },
              { header: 'Next attempt', cell: ({ row }) => dateTime(row.original.nextAttemptAt) },
              { header: 'Last error', accessorKey: 'lastError' },
            ]}
          />
        )}
      </QueryState>
    </div>
  );
}

function Jobs() {
  const list = useQuery({ queryKey: ['jobs'], queryFn: () => api<Items<Job>>('GET', '/admin/jobs') });
  return (
    <div className="card">
      <h2>Scheduled jobs</h2>
      <QueryState query={list}>
        {(d) => (
          <DataTable
            data={d.items}
            rowId={(j) => `${j.service}:${j.job}`}
            empty="No scheduled jobs in this process."
            columns={[
              { header: 'Service', accessorKey: 'service' },
              { header: 'Job', accessorKey: 'job' },
              { header: 'Schedule', accessorKey: 'cron' },
              {
                header: 'Last run',
                cell: ({ row }) =>
                  row.original.lastRun
                    ? `${row.original.lastRun.status} at ${dateTime(row.original.lastRun.startedAt)}${row.original.lastRun.error ? ` — ${row.original.lastRun.error}` : ''}`
                    : 'never',
              },
              { header: 'Last success', cell: ({ row }) => dateTime(row.original.lastSuccessAt) },
              { header: 'Next run', cell: ({ row }) => dateTime(row.original.nextRunAt) },
            ]}
          />
        )}
      </QueryState>
    </div>
  );
}

export function OperationsScreen() {
  return (
    <section>
      <h1>Operations</h1>
      <DeadLetters />
      <Compensations />
      <Jobs />
    </section>
  );
}
