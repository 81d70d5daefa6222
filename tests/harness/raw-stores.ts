// What the platform's stores hold, read raw (no service, no sidecar, no key): every document of every FerretDB
// database and every key, field and stream entry of every Redis database. For tests that prove what rests in clear.
import { Redis } from 'ioredis';
import { mongo } from 'mongoose';

/** One stored thing: where it is (database/collection/_id, or redis db/key) and its bytes. */
export interface RawRecord {
  where: string;
  data: Buffer;
}

/** Every document of every database and collection, as extended JSON (binary fields appear as base64). */
export async function rawMongo(mongoUrl: string): Promise<RawRecord[]> {
  const client = await new mongo.MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5_000 }).connect();
  try {
    const out: RawRecord[] = [];
    const { databases } = await client.db('admin').admin().listDatabases();
    for (const { name: dbName } of databases) {
      const db = client.db(dbName);
      for (const { name: collection } of await db.listCollections({}, { nameOnly: true }).toArray()) {
        for (const doc of await db.collection(collection).find({}).toArray()) {
          out.push({ where: `${dbName}/${collection}/${String(doc._id)}`, data: Buffer.from(mongo.BSON.EJSON.stringify(doc), 'utf8') });
        }
      }
    }
    return out;
  } finally {
    await client.close();
  }
}

/** Every key of every Redis database that holds any: strings, hashes, lists, sets, sorted sets and streams. */
export async function rawRedis(redisHost: string): Promise<RawRecord[]> {
  const [host, port] = redisHost.split(':') as [string, string];
  const redis = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const out: RawRecord[] = [];
    const keyspace = await redis.info('keyspace');
    const dbs = [...keyspace.matchAll(/^db(\d+):/gm)].map((m) => Number(m[1]));
    for (const db of dbs) {
      await redis.select(db);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scanBuffer(cursor, 'COUNT', 500);
        cursor = next.toString();
        for (const key of keys) {
          const where = `redis db${db}/${key.toString('utf8')}`;
          out.push({ where: `${where} (key)`, data: key });
          for (const data of await valuesOf(redis, key)) out.push({ where, data });
        }
      } while (cursor !== '0');
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

async function valuesOf(redis: Redis, key: Buffer): Promise<Buffer[]> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return [(await redis.getBuffer(key)) ?? Buffer.alloc(0)];
    case 'hash':
      return Object.entries(await redis.hgetallBuffer(key)).flatMap(([field, value]) => [Buffer.from(field), value]);
    case 'list':
      return redis.lrangeBuffer(key, 0, -1);
    case 'set':
      return redis.smembersBuffer(key);
    case 'zset':
      return redis.zrangeBuffer(key, '0', '-1');
    case 'stream':
      return (await redis.xrangeBuffer(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
    case 'none':
      return []; // expired between SCAN and TYPE
    default:
      throw new Error(`redis key ${key.toString('utf8')} has a type this reader does not know: ${type}`);
  }
}

/**
 * The forms a clear string can take in a store: itself (any case) and base64 (standard and url-safe, at each of
 * the three byte alignments, minus the characters the neighbouring bytes change), as JSON and binary fields carry it.
 */
function clearForms(needle: string): { text: string; caseless: boolean }[] {
  const bytes = Buffer.from(needle, 'utf8');
  const forms = [{ text: needle.toLowerCase(), caseless: true }];
  for (let offset = 0; offset < 3; offset++) {
    const aligned = Buffer.concat([Buffer.alloc(offset), bytes]);
    const whole = aligned.subarray(0, aligned.length - (aligned.length % 3));
    const core = whole.toString('base64').slice(offset === 0 ? 0 : offset + 1);
    forms.push({ text: core, caseless: false }, { text: core.replaceAll('+', '-').replaceAll('/', '_'), caseless: false });
  }
  return forms;
}

/** Each needle found in clear, with where: empty when none is stored in clear anywhere. */
export function findInClear(records: RawRecord[], needles: string[]): { needle: string; where: string }[] {
  const found: { needle: string; where: string }[] = [];
  for (const needle of needles) {
    if (needle.length < 6) throw new Error(`"${needle}" is too short to search for without false alarms`);
    const forms = clearForms(needle);
    for (const { where, data } of records) {
      const text = data.toString('latin1');
      const lower = text.toLowerCase();
      // utf8 needles in latin1 text: byte for byte the same sequence.
      if (forms.some((f) => (f.caseless ? lower.includes(Buffer.from(f.text, 'utf8').toString('latin1')) : text.includes(f.text)))) {
        found.push({ needle, where });
      }
    }
  }
  return found;
}
