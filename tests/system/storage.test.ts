// The local document store as the services get it: FerretDB on the devstack's own PostgreSQL cluster. FerretDB pushes
// an equality filter down as `_jsonb->$1 @> $2`, which its own btree indexes cannot serve; the devstack's event trigger
// adds a GIN twin to every index FerretDB creates (packages/devstack/src/ferretdb-gin-twins.sql, docs/adr/0004) so that
// lookups by _id and by an indexed field are index scans, not scans of everything stored.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureToolchain, randomPorts, startInfra, type Infra, type InfraPorts, type Toolchain } from '@globalmart/devstack';

const run = promisify(execFile);
let tc: Toolchain;
let ports: InfraPorts;
let infra: Infra;
let conn: mongoose.Connection;

beforeAll(async () => {
  tc = await ensureToolchain(() => {});
  ports = await randomPorts();
  const dir = mkdtempSync(join(tmpdir(), 'globalmart-storage-'));
  infra = await startInfra(tc, ports, { logDir: join(dir, 'logs'), dataDir: join(dir, 'data') });
  conn = await mongoose.createConnection(`${infra.mongoUrl}/globalmart-storage-test`).asPromise();
});
afterAll(async () => {
  await conn?.close();
  await infra?.stop();
});

/** What PostgreSQL plans for FerretDB's pushed-down equality on `field` of the collection's table. */
async function planFor(collection: string, field: string, value: string): Promise<string> {
  const psql = (sql: string) =>
    run(tc.postgres.psql, ['-h', '127.0.0.1', '-p', String(ports.postgres), '-U', 'globalmart', '-d', 'ferretdb', '-tAXc', sql]);
  const table = (
    await psql(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'globalmart-storage-test' AND tablename LIKE '${collection}\\_%' AND tablename NOT LIKE '\\_ferretdb%'`,
    )
  ).stdout.trim();
  expect(table).not.toBe('');
  await psql(`ANALYZE "globalmart-storage-test"."${table}"`);
  const { stdout } = await psql(
    `EXPLAIN SELECT _jsonb FROM "globalmart-storage-test"."${table}" WHERE _jsonb->'${field}' @> '${JSON.stringify(value)}'::jsonb`,
  );
  return stdout;
}

describe('FerretDB on PostgreSQL (the devstack)', () => {
  it('answers equality by _id and by an indexed field from an index, and still finds the right documents', async () => {
    const users = conn.db!.collection<{ _id: string; email_bidx: string; plan: string }>('users');
    await users.createIndex({ email_bidx: 1 }, { unique: true });
    const docs = Array.from({ length: 3000 }, (_, i) => ({ _id: `u${i}`, email_bidx: `bidx-${i}`, plan: i % 2 ? 'pro' : 'free' }));
    await users.insertMany(docs);

    expect(await users.findOne({ email_bidx: 'bidx-2718' })).toEqual(docs[2718]);
    expect(await users.findOne({ _id: 'u1414' })).toEqual(docs[1414]);
    expect(await users.countDocuments({ plan: 'pro' })).toBe(1500);

    for (const [field, value] of [
      ['email_bidx', 'bidx-2718'],
      ['_id', 'u1414'],
    ] as const) {
      const plan = await planFor('users', field, value);
      expect(plan, `${field}: ${plan}`).toMatch(/Index Scan|Bitmap Index Scan/);
      expect(plan, `${field}: ${plan}`).toMatch(/gin_[0-9a-f]{32}/);
    }
    // A field without an index is scanned (declare an index for every equality filter a service uses).
    expect(await planFor('users', 'plan', 'pro')).toMatch(/Seq Scan/);
  });

  it('keeps a unique index unique through FerretDB (what sign-up relies on)', async () => {
    const users = conn.db!.collection<{ _id: string; email_bidx: string }>('users');
    await expect(users.insertOne({ _id: 'dup', email_bidx: 'bidx-1' })).rejects.toThrow(/duplicate key|E11000/);
  });
});
