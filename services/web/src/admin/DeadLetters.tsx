import type { DeadLetter, DeadLetterList } from '@globalmart/contracts';
import { useState, type FormEvent } from 'react';
import { api, type ApiError } from '../api.ts';
import { ErrorNotice, Loading } from '../components.tsx';
import { useLoad } from '../hooks.ts';

export function DeadLettersPage() {
  const [status, setStatus] = useState('pending');
  const [topic, setTopic] = useState('');
  const [filters, setFilters] = useState({ status: 'pending', topic: '' });
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const list = useLoad(JSON.stringify(filters), (signal) =>
    api<DeadLetterList>('/api/admin/dead-letters', { query: { status: filters.status, topic: filters.topic || undefined }, signal }),
  );
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ status, topic: topic.trim() });
  };
  const replay = async (d: DeadLetter) => {
    setError(undefined);
    setMessage(undefined);
    try {
      const replayed = await api<DeadLetter>(`/api/admin/dead-letters/${d.id}/replay`, { method: 'POST' });
      setMessage(`Replayed ${replayed.event_type} to ${replayed.topic} (replay #${replayed.replay_count}).`);
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <section>
      <h1>Dead letters</h1>
      <form className="filters row" onSubmit={apply}>
        <div className="field">
          <label htmlFor="dl-status">Status</label>
          <select id="dl-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="pending">Pending</option>
            <option value="replayed">Replayed</option>
            <option value="all">All</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="dl-topic">Topic</label>
          <input id="dl-topic" value={topic} onChange={(e) => setTopic(e.target.value)} placeholder="e.g. orders" />
        </div>
        <button type="submit">Filter</button>
      </form>
      {message && (
        <p className="notice notice-ok" role="status">
          {message}
        </p>
      )}
      <ErrorNotice error={error} />
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading what="Loading dead letters" />}
      {list.data && list.data.items.length === 0 && <p className="empty">No dead letters match.</p>}
      {list.data && list.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Dead letters, newest first ({list.data.total})</caption>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Topic</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((d) => (
                <tr key={d.id}>
                  <td>{new Date(d.received_at).toLocaleString()}</td>
                  <td>{d.topic}</td>
                  <td>
                    {d.event_type}
                    <br />
                    <code className="muted">{d.event_id}</code>
                  </td>
                  <td>
                    {d.status}
                    {d.replay_count > 0 && ` (${d.replay_count}×)`}
                  </td>
                  <td>
                    <button type="button" onClick={() => void replay(d)} aria-label={`Replay ${d.event_type} ${d.event_id}`}>
                      Replay
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
