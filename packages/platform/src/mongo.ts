import { createConnection, type ConnectOptions, type Connection } from 'mongoose';
import type { Logger } from './logger.ts';

export interface Mongo {
  /** Hand it to the repositories: `productModel(mongo.connection)`. */
  connection: Connection;
  /** Readiness check: a `ping` round trip; throws when the server cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects with mongoose and fails fast (serverSelectionTimeoutMS 3 s) when the server is not there; once
 * connected, the driver reconnects by itself and readiness reports the outage meanwhile.
 * The local server is FerretDB: no transactions, change streams or TTL indexes, so the kit uses none.
 */
export async function connectMongo(uri: string, logger: Logger, options: ConnectOptions = {}): Promise<Mongo> {
  const log = logger.child({ component: 'mongo' });
  const connection = createConnection(uri, { serverSelectionTimeoutMS: 3_000, maxPoolSize: 20, ...options });
  connection.on('disconnected', () => log.warn('mongo disconnected'));
  connection.on('reconnected', () => log.info('mongo reconnected'));
  try {
    await connection.asPromise();
  } catch (err) {
    connection.removeAllListeners('disconnected');
    await connection.close().catch(() => undefined);
    throw new Error(`cannot connect to MongoDB at ${redactUri(uri)}`, { cause: err });
  }
  log.info({ db: connection.name }, 'mongo connected');
  return {
    connection,
    async ping() {
      if (!connection.db) throw new Error('mongo not connected');
      await connection.db.command({ ping: 1 });
    },
    async close() {
      connection.removeAllListeners('disconnected'); // a planned close is not worth a warning
      await connection.close();
    },
  };
}

/** mongodb://user:secret@host/db → mongodb://***@host/db: the URI may hold a password. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}
